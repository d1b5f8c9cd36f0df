r"""Lesson 11's comparison: five torch.optim optimizers, each with three schedules.

Lesson 11 trains the same network, ``network.mlp(64, (128,), 10, seed)``, with five
torch.optim optimizers, each with no schedule, one-cycle and cosine annealing:

- ``make_optimizer(name, model, total_steps, schedule)`` builds one combination;
- ``compare(digits, epochs, batch_size)`` runs them all on the same seed and returns
  ``{(optimizer, schedule): Run}``; ``results_table(runs)`` prints them;
  ``comparison_curves(runs)`` draws training loss and validation accuracy per epoch.

torch and matplotlib are imported inside the functions.
"""

import functools
import math

import numpy as np

from ... import network, plotting
from ...validation import choice, positive_int

__all__ = [
    "OPTIMIZERS",
    "SCHEDULES",
    "make_optimizer",
    "compare",
    "results_table",
    "comparison_curves",
]

# label -> (torch.optim class, hyperparameters). Each learning rate is in the optimizer's
# usual range and is the peak of the one-cycle and the start of the cosine schedule.
OPTIMIZERS = {
    "SGD": ("SGD", {"lr": 0.3}),
    "SGD + momentum": ("SGD", {"lr": 0.1, "momentum": 0.9}),
    "RMSprop": ("RMSprop", {"lr": 3e-3}),
    "Adam": ("Adam", {"lr": 1e-2}),
    "AdamW": ("AdamW", {"lr": 1e-2, "weight_decay": 0.1}),
}


SCHEDULES = ("constant", "one-cycle", "cosine")


def make_optimizer(name, model, total_steps, schedule="constant"):
    """``(optimizer, scheduler or None)``: ``OPTIMIZERS[name]`` on ``model``, with a schedule
    over ``total_steps`` steps (the scheduler is stepped once per mini-batch).

    One-cycle rises from lr/25 to lr over the first 30 % of the steps and anneals to
    lr/(25·10⁴); it is built with ``cycle_momentum=False``, so it changes the learning rate
    only and the optimizer's momentum (or Adam's β1) stays as given. Cosine anneals from lr
    to 0 at ``total_steps``.
    """
    import torch

    choice("name", name, tuple(OPTIMIZERS))
    choice("schedule", schedule, SCHEDULES)
    total_steps = positive_int("total_steps", total_steps)
    cls, hyperparameters = OPTIMIZERS[name]
    optimizer = getattr(torch.optim, cls)(model.parameters(), **hyperparameters)
    lr_scheduler = torch.optim.lr_scheduler
    if schedule == "one-cycle":
        max_lr = hyperparameters["lr"]
        return optimizer, lr_scheduler.OneCycleLR(
            optimizer, max_lr=max_lr, total_steps=total_steps, cycle_momentum=False
        )
    if schedule == "cosine":
        return optimizer, lr_scheduler.CosineAnnealingLR(optimizer, T_max=total_steps)
    return optimizer, None


def compare(
    digits,
    epochs=6,
    batch_size=32,
    *,
    hidden=(128,),
    seed=0,
    optimizers=tuple(OPTIMIZERS),
    schedules=SCHEDULES,
    progress=True,
):
    """Train one fresh network (the same initial weights and batches) per optimizer and
    schedule; return ``{(optimizer, schedule): Run}`` in that order.

    ``digits`` is ``(X_train, X_val, y_train, y_val)`` as ``data.load_digits`` returns it.
    One progress bar counts the runs.
    """
    from tqdm.auto import tqdm

    epochs = positive_int("epochs", epochs)
    batch_size = positive_int("batch_size", batch_size)
    total_steps = epochs * math.ceil(len(digits[0]) / batch_size)
    options = {"epochs": epochs, "batch_size": batch_size, "progress": False}
    combinations = [(o, s) for o in optimizers for s in schedules]
    runs = {}
    for name, schedule in tqdm(combinations, desc="runs", unit="run", disable=not progress):
        recipe = functools.partial(make_optimizer, name, total_steps=total_steps, schedule=schedule)
        _, runs[name, schedule] = network.fit_mlp(
            digits, recipe, hidden=hidden, seed=seed, **options
        )
    return runs


def results_table(runs):
    """A text table: one row per run, with final and best validation accuracy, final training
    loss and training time; the best final accuracy is marked with ◀."""
    best = max(run.val_accuracies[-1] for run in runs.values())
    lines = [
        f"{'optimizer':<16}{'schedule':<11}{'final acc':>10}{'best acc':>10}"
        f"{'train loss':>12}{'time':>8}",
    ]
    for (name, schedule), run in runs.items():
        final = run.val_accuracies[-1]
        lines.append(
            f"{name:<16}{schedule:<11}{final:>10.2%}{run.best_accuracy:>10.2%}"
            f"{run.final_loss:>12.4f}{run.seconds[-1]:>7.2f}s" + ("  ◀" if final == best else "")
        )
    return "\n".join(lines)


def comparison_curves(runs, fig=None):
    """Training loss (top, log scale) and validation accuracy (bottom) per epoch: one column
    per schedule, one color per optimizer. Returns the figure."""
    schedules = list(dict.fromkeys(schedule for _, schedule in runs))
    names = list(dict.fromkeys(name for name, _ in runs))
    with plotting.course_style():
        fig = fig if fig is not None else plotting.pyplot_figure(4.6 * len(schedules), 7.5)
        axes = fig.subplots(2, len(schedules), sharex=True, sharey="row", squeeze=False)
        for column, schedule in enumerate(schedules):
            loss_ax, accuracy_ax = axes[0, column], axes[1, column]
            for index, name in enumerate(names):
                run = runs.get((name, schedule))
                if run is None:
                    continue
                color = plotting.COLORS[index % len(plotting.COLORS)]
                epochs = np.arange(len(run.losses))
                loss_ax.plot(epochs, run.losses, color=color, label=name)
                accuracy_ax.plot(epochs[1:], run.val_accuracies[1:], color=color, label=name)
            loss_ax.set_yscale("log")
            loss_ax.set_title(f"schedule: {schedule}")
            accuracy_ax.set_xlabel("epoch")
        axes[0, 0].set_ylabel("training loss (log)")
        axes[1, 0].set_ylabel("validation accuracy")
        axes[1, 0].set_ylim(0.9, 1.0)
        axes[0, -1].legend(fontsize="small")
    return fig
