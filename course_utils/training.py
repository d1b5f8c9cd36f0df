r"""Training loops: walk a landscape, train a model, find a learning rate.

- ``descend(landscape, start, "adam", steps=100, lr=0.1)`` runs an optimizer from
  ``course_utils.optim`` over a two-weight landscape and returns the path it took, a
  ``Trajectory`` to plot.
- ``train(model, X, y, opt, epochs=20, batch_size=32)`` trains a model from
  ``course_utils.models`` with shuffled mini-batches and returns a ``History``.
- ``lr_range_test(model, X, y, "sgd")`` is Smith's learning-rate range test: the rate grows
  exponentially every step until the loss explodes.

A schedule (``course_utils.schedules``) is a function lr(t) of the step count; the loops set
``opt.lr = lr(t)`` before each step, which is how torch's schedulers drive an optimizer too.

A run that blows up stops with one line that says where, what and what to try::

    diverged at step 12: loss became inf — try a smaller learning rate (lr=0.5 now)

``on_divergence="raise"`` (the default) raises it as a ``DivergenceError``;
``on_divergence="stop"`` returns the run up to that point with ``.diverged`` set to the
message, which is what the interactive demos use.
"""

from dataclasses import dataclass

import numpy as np

from . import data, landscapes, optim, schedules
from .validation import as_float_array, choice, nonnegative, nonnegative_int, positive, positive_int

__all__ = [
    "OPTIMIZERS",
    "RUNAWAY_FACTOR",
    "DivergenceError",
    "Trajectory",
    "History",
    "RangeTest",
    "as_landscape",
    "optimizer_class",
    "start_point",
    "divergence_message",
    "descend",
    "train",
    "lr_range_test",
    "torch_path",
]

# name -> (class, the hyperparameters the name stands for, the name to print)
OPTIMIZERS = {
    "sgd": (optim.SGD, {}, "SGD"),
    "momentum": (optim.SGD, {"momentum": 0.9}, "Momentum"),
    "nesterov": (optim.SGD, {"momentum": 0.9, "nesterov": True}, "Nesterov"),
    "adagrad": (optim.Adagrad, {}, "AdaGrad"),
    "rmsprop": (optim.RMSprop, {}, "RMSProp"),
    "adam": (optim.Adam, {}, "Adam"),
    "adamw": (optim.AdamW, {}, "AdamW"),
}

# A loss this many times its starting size (or 1, if that is larger) counts as diverged:
# a working run never climbs that far, and stopping early keeps plots readable.
RUNAWAY_FACTOR = 1e6


class DivergenceError(RuntimeError):
    """A run diverged. ``str(error)`` says where and what to try; ``error.result`` holds the
    run up to that point (a ``Trajectory`` or ``History``)."""

    def __init__(self, message, result=None):
        super().__init__(message)
        self.result = result

    def _render_traceback_(self):
        # IPython shows this instead of a traceback: the learner needs the advice, not our stack.
        return [str(self)]


def divergence_message(where, loss, initial_loss, lr):
    """The one-line message if ``loss`` shows a diverged run, else None.

    ``where`` names the moment, e.g. "step 12" or "step 40 (epoch 3)".
    """
    limit = RUNAWAY_FACTOR * max(1.0, abs(initial_loss))
    if np.isnan(loss):
        what = "loss became nan"
    elif np.isinf(loss):
        what = "loss became inf"
    elif abs(loss) > limit:
        what = f"loss blew up to {loss:.3g} (limit {limit:.3g})"
    else:
        return None
    return f"diverged at {where}: {what} — try a smaller learning rate (lr={lr:g} now)"


def optimizer_class(optimizer):
    """(class, preset hyperparameters, display name) for a name in OPTIMIZERS or a class."""
    if isinstance(optimizer, str):
        return OPTIMIZERS[choice("optimizer", optimizer, tuple(OPTIMIZERS))]
    if isinstance(optimizer, type) and issubclass(optimizer, optim.Optimizer):
        return optimizer, {}, optimizer.__name__
    raise TypeError(
        f"optimizer must be one of {', '.join(map(repr, OPTIMIZERS))} or an optimizer class "
        f"from course_utils.optim such as optim.Adam, got {optimizer!r}"
    )


def _schedule(schedule):
    """(schedule, whether it is a ReduceLROnPlateau, which is fed losses instead of steps)."""
    plateau = isinstance(schedule, schedules.ReduceLROnPlateau)
    if schedule is not None and not plateau and not callable(schedule):
        raise TypeError(
            "schedule must be a function lr(t) such as schedules.cosine(0.1, T_max=100), "
            f"or a schedules.ReduceLROnPlateau, got {schedule!r}"
        )
    return schedule, plateau


def _patience(patience, min_delta):
    """An EarlyStopping rule, or None when ``patience`` is None."""
    if patience is None:
        return None
    return schedules.EarlyStopping(positive_int("patience", patience), min_delta)


def _not_improved(stopper, step, unit):
    return (
        f"stopped at {unit} {step}: the loss has not improved for {stopper.patience} "
        f"{unit}{'' if stopper.patience == 1 else 's'} "
        f"(best {stopper.best:.4g} at {unit} {stopper.best_step})"
    )


# ---------------------------------------------------------------------------------------------
# Descending a landscape
# ---------------------------------------------------------------------------------------------


@dataclass(repr=False)
class Trajectory:
    """The path of one optimizer run on a landscape.

    ``points[k]`` are the weights after k steps and ``losses[k]`` the loss there (k = 0 is
    the start); ``lrs[k]`` is the learning rate of step k + 1. ``diverged`` and ``stopped``
    are None or the one-line reason the run ended early.
    """

    points: np.ndarray
    losses: np.ndarray
    lrs: np.ndarray
    label: str = ""
    diverged: str | None = None
    stopped: str | None = None

    @property
    def steps(self):
        """The number of steps taken."""
        return len(self.lrs)

    def __repr__(self):
        ending = self.diverged or self.stopped or f"final loss {self.losses[-1]:.4g}"
        return f"<Trajectory {self.label!r}: {self.steps} steps, {ending}>"


def as_landscape(landscape):
    """A Landscape, given one or its name (see ``landscapes.names()``)."""
    if isinstance(landscape, str):
        return landscapes.by_name(landscape)
    if not isinstance(landscape, landscapes.Landscape):
        raise TypeError(
            f"landscape must be a Landscape such as landscapes.rosenbrock() or one of the "
            f"names {', '.join(map(repr, landscapes.names()))}, got {landscape!r}"
        )
    return landscape


def start_point(start, landscape):
    """A fresh copy of ``start`` as a pair of weights; the landscape's own start if None."""
    if start is None:
        return landscape.start.copy()
    start = as_float_array("start", start)
    if start.shape != (2,):
        raise ValueError(f"start must be a pair of weights (x, y), got shape {start.shape}")
    return start.copy()


def _loss_at(landscape, w):
    """The loss at w; inf (or nan) once the weights themselves have overflowed."""
    if not np.all(np.isfinite(w)):
        return np.nan if np.any(np.isnan(w)) else np.inf
    return landscape.point_loss(w)  # w is a finite pair: checked once, by start_point


def descend(
    landscape,
    start=None,
    optimizer="sgd",
    steps=100,
    lr=None,
    schedule=None,
    *,
    patience=None,
    min_delta=0.0,
    on_divergence="raise",
    label=None,
    **hyperparameters,
):
    r"""Run an optimizer from ``start`` on a landscape; return its ``Trajectory``.

    ``optimizer`` is one of "sgd", "momentum" (SGD with ρ = 0.9), "nesterov", "adagrad",
    "rmsprop", "adam", "adamw", or a class from ``course_utils.optim``; ``hyperparameters``
    (momentum=0.5, betas=(0.9, 0.99), ...) go to it. Each step is w ← update(w, ∇f(w)).

    Give the learning rate as ``lr`` (default: the optimizer's own) or as a ``schedule``
    lr(t), which sets ``opt.lr`` before step t = 0, 1, ...; a ``schedules.ReduceLROnPlateau``
    is fed the loss after each step instead (it keeps its state: make a fresh one per run).
    ``start`` defaults to the
    landscape's ``start``. With ``patience=k`` the run stops once the loss has not improved
    (by more than ``min_delta``) for k steps in a row. ``label`` names the run in plots.
    """
    landscape = as_landscape(landscape)
    w = start_point(start, landscape)
    cls, preset, name = optimizer_class(optimizer)
    steps = positive_int("steps", steps)
    schedule, plateau = _schedule(schedule)
    choice("on_divergence", on_divergence, ("raise", "stop"))
    stopper = _patience(patience, min_delta)
    if schedule is not None and lr is not None:
        raise ValueError("give the learning rate as lr or as a schedule, not both")
    if schedule is not None:
        lr = schedule.lr if plateau else schedule(0)
    settings = {**preset, **hyperparameters} | ({} if lr is None else {"lr": lr})
    opt = cls([w], **settings)
    if label is None:
        schedule_name = getattr(schedule, "__name__", type(schedule).__name__)
        label = f"{name}, lr={opt.lr:g}" if schedule is None else f"{name}, {schedule_name}"

    initial_loss = _loss_at(landscape, w)
    points, losses, lrs = [w.copy()], [initial_loss], []
    diverged = stopped = None
    if stopper is not None:
        stopper.step(initial_loss)
    with np.errstate(over="ignore", invalid="ignore"):  # overflow is reported as divergence
        for t in range(steps):
            if schedule is not None and not plateau:
                opt.lr = schedule(t)
            lrs.append(opt.lr)
            opt.step([landscape.point_grad(w)])  # w is finite: the loss was, a step ago
            loss = _loss_at(landscape, w)
            points.append(w.copy())
            losses.append(loss)
            diverged = divergence_message(f"step {t + 1}", loss, initial_loss, opt.lr)
            if diverged:
                break
            if plateau:
                opt.lr = schedule.step(loss)
            if stopper is not None and stopper.step(loss):
                stopped = _not_improved(stopper, t + 1, "step")
                break

    trajectory = Trajectory(
        np.array(points), np.array(losses), np.array(lrs), label, diverged, stopped
    )
    if diverged and on_divergence == "raise":
        raise DivergenceError(diverged, trajectory)
    return trajectory


# ---------------------------------------------------------------------------------------------
# Training a model with mini-batches
# ---------------------------------------------------------------------------------------------


@dataclass(repr=False)
class History:
    """What happened while training, per epoch and per step.

    ``losses[e]`` is the loss on the whole training set after e epochs (e = 0: before
    training), ``val_losses[e]`` the same on the validation set (None without one), and
    ``lrs[e]`` the learning rate at the start of epoch e + 1. ``step_losses[s]`` is the loss of
    the mini-batch of step s + 1, measured before that step's update, with learning rate
    ``step_lrs[s]``. ``diverged`` and ``stopped`` are None or why training ended early.
    """

    losses: np.ndarray
    val_losses: np.ndarray | None
    lrs: np.ndarray
    step_losses: np.ndarray
    step_lrs: np.ndarray
    diverged: str | None = None
    stopped: str | None = None

    @property
    def epochs(self):
        """The number of epochs completed."""
        return len(self.losses) - 1

    def __repr__(self):
        summary = f"loss {self.losses[0]:.4g} → {self.losses[-1]:.4g}"
        if self.val_losses is not None:
            summary += f", validation loss {self.val_losses[-1]:.4g}"
        ending = "".join(f"; {why}" for why in (self.diverged, self.stopped) if why)
        return f"<History: {self.epochs} epochs, {summary}{ending}>"


def _check_model(model):
    for attribute in ("params", "loss", "loss_and_grads"):
        if not hasattr(model, attribute):
            raise TypeError(
                f"model must have params, loss and loss_and_grads, like "
                f"models.LinearRegression; {model!r} has no {attribute}"
            )
    return model


def _check_optimizer(optimizer, model):
    if not isinstance(optimizer, optim.Optimizer):
        raise TypeError(
            "optimizer must be an optimizer built on the model's parameters, e.g. "
            f"optim.Adam(model.params, lr=1e-2), got {optimizer!r}"
        )
    same = len(optimizer.params) == len(model.params) and all(
        mine is theirs for mine, theirs in zip(optimizer.params, model.params, strict=False)
    )
    if not same:
        raise ValueError(
            "optimizer does not update this model's parameters; build it on them, e.g. "
            f"{type(optimizer).__name__}(model.params, lr=...)"
        )
    return optimizer


def train(
    model,
    X,
    y,
    optimizer,
    epochs,
    batch_size,
    schedule=None,
    per="step",
    seed=0,
    on_divergence="raise",
    X_val=None,
    y_val=None,
    *,
    patience=None,
    min_delta=0.0,
):
    r"""Train ``model`` on (X, y) with shuffled mini-batches; return its ``History``.

    ``optimizer`` is built on the model's parameters, as in torch::

        model = models.SoftmaxRegression(64, 10)
        history = train(model, X, y, optim.Adam(model.params, lr=1e-2), epochs=20, batch_size=32)

    Each epoch visits every example once, in a fresh order drawn from ``seed``; each step
    computes the mini-batch loss and gradients and calls ``optimizer.step``. A ``schedule``
    lr(t) sets ``optimizer.lr`` before each step (``per="step"``: t counts steps) or each epoch
    (``per="epoch"``: t counts epochs); a ``schedules.ReduceLROnPlateau`` (with
    ``per="epoch"``) is fed the monitored loss after each epoch instead. The monitored loss is
    the validation loss when (X_val, y_val) are given, else the training loss; with
    ``patience=k`` training stops once it has not improved (by more than ``min_delta``) for k
    epochs in a row.
    """
    model = _check_model(model)
    optimizer = _check_optimizer(optimizer, model)
    epochs = positive_int("epochs", epochs)
    batch_size = positive_int("batch_size", batch_size)
    schedule, plateau = _schedule(schedule)
    per = choice("per", per, ("step", "epoch"))
    rng = np.random.default_rng(nonnegative_int("seed", seed))
    choice("on_divergence", on_divergence, ("raise", "stop"))
    stopper = _patience(patience, min_delta)
    if (X_val is None) != (y_val is None):
        raise ValueError("give both X_val and y_val for a validation set, or neither")
    if plateau and per != "epoch":
        raise ValueError(
            "ReduceLROnPlateau watches the loss once per epoch: pass per='epoch' with it"
        )
    if plateau:
        optimizer.lr = schedule.lr

    def epoch_losses():
        val_loss = None if X_val is None else model.loss(X_val, y_val)
        return model.loss(X, y), val_loss

    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        loss, val_loss = epoch_losses()  # also checks X, y and the validation set up front
        initial_loss = loss
        losses, val_losses, lrs, step_losses, step_lrs = [loss], [val_loss], [], [], []
        diverged = stopped = None
        if stopper is not None:
            stopper.step(initial_loss if val_loss is None else val_loss)
        for epoch in range(epochs):
            if per == "epoch" and schedule is not None and not plateau:
                optimizer.lr = schedule(epoch)
            first_step = len(step_losses)
            for X_batch, y_batch in data.minibatches(X, y, batch_size, rng):
                if per == "step" and schedule is not None:
                    optimizer.lr = schedule(len(step_losses))
                where = f"step {len(step_losses)} (epoch {epoch + 1})"
                batch_loss, grads = model.loss_and_grads(X_batch, y_batch)
                step_losses.append(batch_loss)
                step_lrs.append(optimizer.lr)
                diverged = divergence_message(where, batch_loss, initial_loss, optimizer.lr)
                if diverged:
                    break
                optimizer.step(grads)
            if diverged:
                break
            loss, val_loss = epoch_losses()
            where = f"step {len(step_losses)} (end of epoch {epoch + 1})"
            diverged = divergence_message(where, loss, initial_loss, optimizer.lr)
            if diverged:
                break
            lrs.append(step_lrs[first_step])
            losses.append(loss)
            val_losses.append(val_loss)
            monitored = loss if val_loss is None else val_loss
            if plateau:
                optimizer.lr = schedule.step(monitored)
            if stopper is not None and stopper.step(monitored):
                stopped = _not_improved(stopper, epoch + 1, "epoch")
                break

    history = History(
        np.array(losses),
        None if X_val is None else np.array(val_losses),
        np.array(lrs),
        np.array(step_losses),
        np.array(step_lrs),
        diverged,
        stopped,
    )
    if diverged and on_divergence == "raise":
        raise DivergenceError(diverged, history)
    return history


# ---------------------------------------------------------------------------------------------
# The learning-rate range test
# ---------------------------------------------------------------------------------------------


def _endless_minibatches(X, y, batch_size, rng):
    """Mini-batches epoch after epoch, each epoch in a fresh order."""
    while True:
        yield from data.minibatches(X, y, batch_size, rng)


@dataclass(repr=False)
class RangeTest:
    """The result of ``lr_range_test``: the loss at each learning rate tried.

    ``losses[s]`` is the mini-batch loss measured at step s, just before the update with
    learning rate ``lrs[s]``; ``smoothed_losses`` is their bias-corrected moving average.
    ``suggested_lr`` is a tenth of the rate where the smoothed loss was lowest: a safe start.
    """

    lrs: np.ndarray
    losses: np.ndarray
    smoothed_losses: np.ndarray
    suggested_lr: float

    def __repr__(self):
        return (
            f"<RangeTest: {len(self.lrs)} rates from {self.lrs[0]:.3g} to {self.lrs[-1]:.3g}, "
            f"suggested lr {self.suggested_lr:.3g}>"
        )


def lr_range_test(
    model,
    X,
    y,
    optimizer="sgd",
    min_lr=1e-6,
    max_lr=10.0,
    steps=100,
    batch_size=32,
    seed=0,
    *,
    smoothing=0.98,
    stop_factor=4.0,
    **hyperparameters,
):
    r"""Smith's learning-rate range test (2017): train briefly while the rate grows, watch the loss.

    Step s = 0, 1, ..., steps − 1 uses ηₛ = η_min · (η_max/η_min)^{s/(steps−1)}. The loss
    falls while η is useful and explodes once η is too large; the test stops when the
    smoothed loss passes ``stop_factor`` times its best (or becomes inf/nan). The smoothed
    loss is the moving average a ← βa + (1 − β)L with β = ``smoothing``, divided by 1 − β^{s+1}.

    ``optimizer`` is a name or class as in ``descend``, built fresh on ``model.params`` with
    ``hyperparameters``. The model's weights are restored afterwards, so you can train it from
    where it started.
    """
    model = _check_model(model)
    cls, preset, _ = optimizer_class(optimizer)
    min_lr = positive("min_lr", min_lr)
    max_lr = positive("max_lr", max_lr)
    if max_lr <= min_lr:
        raise ValueError(f"max_lr must be larger than min_lr, got {max_lr} ≤ {min_lr}")
    steps = positive_int("steps", steps)
    if steps < 2:
        raise ValueError(f"steps must be an integer ≥ 2 (a range needs two ends), got {steps}")
    batch_size = positive_int("batch_size", batch_size)
    rng = np.random.default_rng(nonnegative_int("seed", seed))
    smoothing = nonnegative("smoothing", smoothing)
    if smoothing >= 1:
        raise ValueError(f"smoothing must be in [0, 1), got {smoothing}")
    stop_factor = positive("stop_factor", stop_factor)

    schedule = min_lr * (max_lr / min_lr) ** (np.arange(steps) / (steps - 1))
    saved = [param.copy() for param in model.params]
    opt = cls(model.params, **{**preset, **hyperparameters, "lr": min_lr})
    lrs, losses, smoothed = [], [], []
    average = 0.0
    try:
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            batches = _endless_minibatches(X, y, batch_size, rng)
            for s, (lr, (X_batch, y_batch)) in enumerate(zip(schedule, batches, strict=False)):
                opt.lr = lr
                loss, grads = model.loss_and_grads(X_batch, y_batch)
                if not np.isfinite(loss):
                    break
                average = smoothing * average + (1 - smoothing) * loss
                lrs.append(opt.lr)
                losses.append(loss)
                smoothed.append(average / (1 - smoothing ** (s + 1)))
                if smoothed[-1] > stop_factor * min(smoothed):
                    break
                opt.step(grads)
    finally:
        for param, original in zip(model.params, saved, strict=True):
            param[...] = original
    if not lrs:
        raise ValueError("the loss was not finite even at min_lr; check the model and the data")
    best = int(np.argmin(smoothed))
    return RangeTest(np.array(lrs), np.array(losses), np.array(smoothed), lrs[best] / 10)


def torch_path(landscape, make_optimizer, steps, start=None):
    """The points (steps + 1, 2) that a torch optimizer visits on ``landscape``, in float64.

    ``make_optimizer`` builds it from a list of parameters, e.g.
    ``lambda params: torch.optim.Adagrad(params, lr=0.5)``; each step is torch's usual
    ``zero_grad()``, ``backward()`` through ``landscape.torch_loss``, ``step()``. ``start``
    defaults to the landscape's.
    """
    import torch

    landscape = as_landscape(landscape)
    if not callable(make_optimizer):
        raise TypeError(
            "make_optimizer must be a function of the parameters, e.g. "
            f"lambda params: torch.optim.Adagrad(params, lr=0.5), got {make_optimizer!r}"
        )
    steps = positive_int("steps", steps)
    w = torch.tensor(start_point(start, landscape), dtype=torch.float64, requires_grad=True)
    optimizer = make_optimizer([w])
    points = [w.detach().numpy().copy()]
    for _ in range(steps):
        optimizer.zero_grad()
        landscape.torch_loss(w).backward()
        optimizer.step()
        points.append(w.detach().numpy().copy())
    return np.array(points)
