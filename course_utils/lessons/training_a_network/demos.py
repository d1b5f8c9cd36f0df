r"""The capstone's experiments, each run with a training loop passed in: the learner's
``train`` once it passes its check (``prefer_yours``), else ``loop.train``.

Every function trains ``network.mlp(64, hidden, 10, seed)`` on a ``data.Digits`` of torch
tensors (``as_tensors``) and measures on its validation set; only ``test_accuracy`` reads the
test set, for the one report at the end of the lesson.

- ``tune(train, digits)``: the fair race, every optimizer of ``RACE`` at each rate of its grid
  (the same budget for each); ``best_rates`` and ``race_table`` read it.
- ``weight_decay_race(train, digits, lr)``: Adam with L2 (torch's ``Adam(weight_decay=λ)``)
  against decoupled decay (``AdamW``), on the same λ grid.
- ``sklearn_accuracies``: scikit-learn's ``MLPClassifier`` (Adam, no L2) epoch by epoch.
- ``initial_loss_and_gradient``, ``ClipGradNorm``: a too-large initialisation, and gradient
  clipping.
- ``scaling_rule``: the linear scaling rule η ∝ B, batch size by batch size.

torch, matplotlib and scikit-learn are imported inside the functions.
"""

import math

import numpy as np

from ... import data, network, plotting
from ...validation import choice, positive, positive_int

__all__ = [
    "RACE",
    "WEIGHT_DECAYS",
    "SCHEDULES",
    "as_tensors",
    "optimizer",
    "train_mlp",
    "tune",
    "best_rates",
    "race_table",
    "race_curves",
    "weight_decay_race",
    "sklearn_accuracies",
    "epochs_to",
    "initial_loss_and_gradient",
    "ClipGradNorm",
    "scaling_rule",
    "test_accuracy",
]

# label -> (torch.optim class, fixed hyperparameters, the learning rates tried): three rates
# a factor √10 ≈ 3 apart for each, around the rates each optimizer is usually run at.
RACE = {
    "SGD": ("SGD", {}, (0.3, 1.0, 3.0)),
    "SGD + momentum": ("SGD", {"momentum": 0.9}, (0.03, 0.1, 0.3)),
    "RMSprop": ("RMSprop", {}, (1e-3, 3e-3, 1e-2)),
    "Adam": ("Adam", {}, (3e-3, 1e-2, 3e-2)),
}
WEIGHT_DECAYS = (1e-3, 1e-1)
SCHEDULES = ("constant", "one-cycle", "cosine")


def as_tensors(digits):
    """The same ``data.Digits`` with torch tensors: float features, int64 labels."""
    import torch

    return data.Digits(*(torch.as_tensor(part) for part in digits))


def optimizer(cls, **hyperparameters):
    """``make(parameters) -> torch.optim.<cls>(parameters, **hyperparameters)``."""
    import torch

    return lambda parameters: getattr(torch.optim, cls)(parameters, **hyperparameters)


def _scheduler(schedule, optimizer, total_steps):
    """None, or a torch scheduler over ``total_steps`` steps that changes the rate only."""
    import torch

    choice("schedule", schedule, SCHEDULES)
    lr = optimizer.param_groups[0]["lr"]
    if schedule == "one-cycle":
        return torch.optim.lr_scheduler.OneCycleLR(
            optimizer, max_lr=lr, total_steps=total_steps, cycle_momentum=False
        )
    if schedule == "cosine":
        return torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=total_steps)
    return None


def train_mlp(
    train,
    digits,
    make_optimizer,
    *,
    epochs=4,
    batch_size=64,
    seed=0,
    schedule="constant",
    hidden=(128,),
    init_scale=1.0,
    clip=None,
):
    """A fresh network trained by ``train``: ``(model, validation accuracy per epoch)``.

    ``make_optimizer(parameters)`` builds the optimizer; ``schedule`` is one of ``SCHEDULES``
    (stepped once per batch); ``init_scale`` multiplies every initial weight; ``clip`` clips
    the gradient's norm before each step (``ClipGradNorm``). ``seed`` fixes the initial
    weights and the order of the batches.
    """
    import torch

    epochs, batch_size = positive_int("epochs", epochs), positive_int("batch_size", batch_size)
    model = network.mlp(digits.n_features, hidden, digits.n_classes, seed=seed)
    with torch.no_grad():
        for parameter in model.parameters():
            parameter.mul_(positive("init_scale", init_scale))
    opt = make_optimizer(model.parameters())
    total_steps = epochs * math.ceil(len(digits.y_train) / batch_size)
    scheduler = _scheduler(schedule, opt, total_steps)
    if clip is not None:
        opt = ClipGradNorm(opt, clip)
    rng = np.random.default_rng(seed)
    accuracies = train(model, opt, scheduler, *digits.train, *digits.val, epochs, batch_size, rng)
    return model, np.array(accuracies, dtype=float)


def tune(train, digits, race=RACE, *, epochs=4, batch_size=64, seed=0):
    """``{(optimizer, lr): validation accuracy per epoch}``: every optimizer at every rate of its
    grid, from the same initial weights on the same batches."""
    runs = {}
    for name, (cls, hyperparameters, lrs) in race.items():
        for lr in lrs:
            make = optimizer(cls, lr=lr, **hyperparameters)
            _, runs[name, lr] = train_mlp(
                train, digits, make, epochs=epochs, batch_size=batch_size, seed=seed
            )
    return runs


def best_rates(runs):
    """``{optimizer: (lr, final validation accuracy)}``: each one's best rate in ``runs``
    (the smaller rate wins a tie)."""
    best = {}
    for (name, lr), accuracies in runs.items():
        if name not in best or accuracies[-1] > best[name][1]:
            best[name] = (lr, accuracies[-1])
    return best


def race_table(runs):
    """A text table: one row per optimizer, its final validation accuracy at each rate, the best
    marked with *."""
    best = best_rates(runs)
    names = list(best)
    lines = [f"{'optimizer':<16}final validation accuracy at each η (* = chosen)"]
    for name in names:
        cells = [
            f"η={lr:g}: {accuracies[-1]:.2%}{'*' if lr == best[name][0] else ' '}"
            for (n, lr), accuracies in runs.items()
            if n == name
        ]
        lines.append(f"{name:<16}" + "   ".join(cells))
    return "\n".join(lines)


def race_curves(curves, title, ax=None):
    """Validation accuracy per epoch, one line per entry of ``curves`` ({label: accuracies}).
    Returns the axes."""
    import matplotlib.pyplot as plt

    with plotting.course_style():
        ax = ax if ax is not None else plt.figure(figsize=(7.5, 4.0)).gca()
        for index, (label, accuracies) in enumerate(curves.items()):
            epochs = np.arange(1, len(accuracies) + 1)
            style = plotting.COLORS[index % len(plotting.COLORS)]
            ax.plot(epochs, accuracies, marker="os^Dv"[index % 5], color=style, label=label)
        longest = max(len(accuracies) for accuracies in curves.values())
        ax.set_xticks(np.arange(1, longest + 1))
        ax.set_xlabel("epoch")
        ax.set_ylabel("validation accuracy")
        ax.set_title(title)
        ax.legend(fontsize="small")
    return ax


def weight_decay_race(train, digits, lr, decays=WEIGHT_DECAYS, *, epochs=4, seed=0):
    """``{(label, λ): validation accuracy per epoch}`` for Adam with L2 regularisation
    (``torch.optim.Adam(weight_decay=λ)``) and AdamW (``torch.optim.AdamW(weight_decay=λ)``)
    at the same rate ``lr``, each on the same grid of λ."""
    runs = {}
    for label, cls in (("Adam + L2", "Adam"), ("AdamW", "AdamW")):
        for decay in decays:
            make = optimizer(cls, lr=lr, weight_decay=decay)
            _, runs[label, decay] = train_mlp(train, digits, make, epochs=epochs, seed=seed)
    return runs


def sklearn_accuracies(digits, *, lr, batch_size=64, epochs=4, hidden=(128,), seed=0):
    """Validation accuracy after each epoch of scikit-learn's ``MLPClassifier`` with Adam at
    ``lr`` on batches of ``batch_size`` and no L2 (``alpha=0``), one ``partial_fit`` an
    epoch. Takes NumPy arrays or tensors."""
    from sklearn.neural_network import MLPClassifier
    from threadpoolctl import threadpool_limits

    X_train, y_train, X_val, y_val = (np.asarray(part) for part in (*digits.train, *digits.val))
    classes = np.arange(digits.n_classes)
    model = MLPClassifier(
        hidden, alpha=0.0, batch_size=batch_size, learning_rate_init=lr, random_state=seed
    )
    accuracies = []
    with threadpool_limits(1):  # the one thread torch uses here
        for _ in range(positive_int("epochs", epochs)):
            model.partial_fit(X_train, y_train, classes=classes)
            accuracies.append(model.score(X_val, y_val))
    return np.array(accuracies)


def epochs_to(accuracies, target):
    """The first epoch (counted from 1) whose validation accuracy reaches ``target``, or None."""
    reached = np.flatnonzero(np.asarray(accuracies) >= target)
    return int(reached[0]) + 1 if len(reached) else None


def initial_loss_and_gradient(digits, init_scale, *, hidden=(128,), seed=0):
    """The training loss of a fresh network whose weights are ``init_scale`` times the usual
    ones, and the norm of its gradient (all weights as one vector)."""
    import torch

    model = network.mlp(digits.n_features, hidden, digits.n_classes, seed=seed)
    with torch.no_grad():
        for parameter in model.parameters():
            parameter.mul_(init_scale)
    loss = torch.nn.functional.cross_entropy(model(digits.X_train), digits.y_train)
    gradients = torch.autograd.grad(loss, list(model.parameters()))
    return loss.item(), math.sqrt(sum((g**2).sum().item() for g in gradients))


class ClipGradNorm:
    """An optimizer whose ``step()`` first scales the gradient down to norm ``max_norm`` if it
    is longer (``torch.nn.utils.clip_grad_norm_``, all weights as one vector), then steps
    ``optimizer``. ``norms`` holds each step's gradient norm before clipping."""

    def __init__(self, optimizer, max_norm):
        self.optimizer, self.max_norm = optimizer, positive("max_norm", max_norm)
        self.param_groups = optimizer.param_groups
        self.norms = []

    def zero_grad(self, set_to_none=True):
        self.optimizer.zero_grad(set_to_none=set_to_none)

    def step(self, closure=None):
        import torch

        parameters = [p for group in self.param_groups for p in group["params"]]
        norm = torch.nn.utils.clip_grad_norm_(parameters, self.max_norm)
        self.norms.append(norm.item())
        return self.optimizer.step(closure)


def scaling_rule(train, digits, batch_sizes, *, base_lr=0.1, base_batch=32, epochs=4, seed=0):
    """``{B: (η, final training loss, final validation accuracy)}``: plain SGD on batches of B
    at η = base_lr · B / base_batch, for the same number of epochs (so B times fewer steps)."""
    import torch

    result = {}
    for batch_size in batch_sizes:
        lr = base_lr * batch_size / base_batch
        model, accuracies = train_mlp(
            train, digits, optimizer("SGD", lr=lr), epochs=epochs, batch_size=batch_size,
            seed=seed,
        )  # fmt: skip
        with torch.no_grad():
            loss = torch.nn.functional.cross_entropy(model(digits.X_train), digits.y_train)
        result[batch_size] = (lr, loss.item(), accuracies[-1])
    return result


def test_accuracy(model, digits):
    """The accuracy of ``model`` on the test set, in evaluation mode, without gradients."""
    return network.evaluate(model.eval(), digits.X_test, digits.y_test)[1]
