r"""Training loops: walk a landscape, train a model, find a learning rate.

- ``descend(landscape, start, "adam", steps=100, lr=0.1)`` runs an optimizer from
  ``course_utils.optim`` over a two-weight landscape; ``descender(...)`` sets that up once for
  a demo that descends again on every slider move;
- ``train(model, X, y, opt, epochs=20, batch_size=32)`` trains a model from
  ``course_utils.models`` with shuffled mini-batches;
- ``lr_range_test(model, X, y, "sgd")`` is Smith's learning-rate range test: the rate grows
  exponentially every step until the loss explodes.

Each returns a ``runs.Run``: the losses, learning rates (and for ``descend`` the points) it
went through, and how it ended. A schedule (``course_utils.schedules``) is a function lr(t) of
the step count; the loops set ``opt.lr = lr(t)`` before each step, which is how torch's
schedulers drive an optimizer too.

A run that blows up stops with one line that says where, what and what to try::

    diverged at step 12: loss became inf — try a smaller learning rate (lr=0.5 now)

``on_divergence="raise"`` (the default) raises it as a ``DivergenceError``;
``on_divergence="stop"`` returns the run up to that point, with ``status`` "diverged", which
is what the interactive demos use.
"""

import numpy as np

from . import data, landscapes, optim, schedules
from .runs import (
    ON_DIVERGENCE,
    RUNAWAY_FACTOR,
    DivergenceError,
    Run,
    raise_or_return,
    runaway_ending,
    runaway_limit,
    stopped_ending,
)
from .validation import as_float_array, choice, nonnegative, nonnegative_int, positive, positive_int

__all__ = [
    "OPTIMIZERS",
    "RUNAWAY_FACTOR",
    "DivergenceError",
    "Run",
    "as_landscape",
    "optimizer_class",
    "start_point",
    "descend",
    "descender",
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


def _not_improved(stopper, unit):
    patience = stopper.patience
    return (
        f"the loss has not improved for {patience} {unit}{'' if patience == 1 else 's'} "
        f"(best {stopper.best:.4g} at {unit} {stopper.best_step})"
    )


# ---------------------------------------------------------------------------------------------
# Descending a landscape
# ---------------------------------------------------------------------------------------------


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
    return float(landscape.f(*w))  # the formula alone: start_point checked the first w


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
    r"""Run an optimizer from ``start`` on a landscape; return the ``Run``, with its points.

    ``optimizer`` is one of "sgd", "momentum" (SGD with ρ = 0.9), "nesterov", "adagrad",
    "rmsprop", "adam", "adamw", or a class from ``course_utils.optim``; ``hyperparameters``
    (momentum=0.5, betas=(0.9, 0.99), ...) go to it. Each step is w ← update(w, ∇f(w)).

    Give the learning rate as ``lr`` (default: the optimizer's own) or as a ``schedule``
    lr(t), which sets ``opt.lr`` before step t = 0, 1, ...; a ``schedules.ReduceLROnPlateau``
    is fed the loss after each step instead (it keeps its state: make a fresh one per run).
    ``start`` defaults to the landscape's ``start``. With ``patience=k`` the run stops once
    the loss has not improved (by more than ``min_delta``) for k steps in a row. ``label``
    names the run in plots. The run counts steps: ``points[k]`` and ``losses[k]`` are the
    weights and the loss after k steps, ``lrs[k]`` the learning rate of step k + 1.
    """
    landscape = as_landscape(landscape)
    w = start_point(start, landscape)
    cls, preset, name = optimizer_class(optimizer)
    steps = positive_int("steps", steps)
    schedule, plateau = _schedule(schedule)
    choice("on_divergence", on_divergence, ON_DIVERGENCE)
    stopper = _patience(patience, min_delta)
    if schedule is not None and lr is not None:
        raise ValueError("give the learning rate as lr or as a schedule, not both")
    if schedule is not None:
        lr = schedule.lr if plateau else schedule(0)
    settings = {**preset, **hyperparameters} | ({} if lr is None else {"lr": lr})
    opt = cls([w], **settings)
    if label is None:
        label = _label(name, opt, schedule)
    return _descend(landscape, opt, steps, label, schedule, plateau, stopper, on_divergence)


def descender(landscape, start=None, optimizer="sgd", steps=100, **hyperparameters):
    """``descend``, set up once for a demo that descends again on every slider move.

    Checks its arguments as ``descend`` does, once, and returns ``run(start=None, **changes)``:
    ``descend(landscape, start, optimizer, steps, on_divergence="stop", **hyperparameters)``
    with ``changes`` to the hyperparameters (e.g. ``lr=0.1``) and another start if one is
    given. ``run`` checks nothing itself: its values come from the demo's own sliders (the
    optimizer checks its hyperparameters when it is built, as torch's do).
    """
    landscape = as_landscape(landscape)
    first = start_point(start, landscape)
    cls, preset, name = optimizer_class(optimizer)
    steps = positive_int("steps", steps)
    settings = {**preset, **hyperparameters}
    cls([first.copy()], **settings)  # the hyperparameters, checked once

    def run(start=None, **changes):
        w = first.copy() if start is None else np.array(start, dtype=np.float64)
        opt = cls([w], **{**settings, **changes})
        return _descend(landscape, opt, steps, _label(name, opt, None))

    return run


def _label(name, opt, schedule):
    """A run's name in plots: the optimizer and its learning rate or schedule."""
    if schedule is None:
        return f"{name}, lr={opt.lr:g}"
    return f"{name}, {getattr(schedule, '__name__', type(schedule).__name__)}"


def _descend(
    landscape, opt, steps, label, schedule=None, plateau=False, stopper=None, on_divergence="stop"
):
    """The loop of ``descend``, on arguments it has checked; ``opt`` updates the weights."""
    (w,) = opt.params
    initial_loss = _loss_at(landscape, w)
    limit = runaway_limit(initial_loss)
    points, losses, lrs = [w.copy()], [initial_loss], []
    ending = None
    if stopper is not None:
        stopper.step(initial_loss)
    with np.errstate(over="ignore", invalid="ignore"):  # overflow is reported as divergence
        for t in range(steps):
            if schedule is not None and not plateau:
                opt.lr = schedule(t)
            lrs.append(opt.lr)
            # the formula's own gradient: finite (the loss was, a step ago), w's shape and dtype
            opt._step([landscape._grad(w)])
            loss = _loss_at(landscape, w)
            points.append(w.copy())
            losses.append(loss)
            ending = runaway_ending(loss, limit, opt.lr, t + 1)
            if ending:
                break
            if plateau:
                opt.lr = schedule.step(loss)
            if stopper is not None and stopper.step(loss):
                ending = stopped_ending(t + 1, _not_improved(stopper, "step"))
                break
    return descent_run(label, points, losses, lrs, ending, on_divergence)


def descent_run(label, points, losses, lrs, ending, on_divergence):
    """The ``Run`` of a descent on a landscape, from the lists it recorded and how it ended
    (``ending``: None, or what ``runs.runaway_ending`` or ``runs.stopped_ending`` gave);
    raised in a ``DivergenceError`` if it diverged and ``on_divergence`` is "raise"."""
    run = Run(
        losses=np.array(losses),
        lrs=np.array(lrs),
        points=np.array(points),
        label=label,
        **(ending or {}),
    )
    return raise_or_return(run, on_divergence)


# ---------------------------------------------------------------------------------------------
# Training a model with mini-batches
# ---------------------------------------------------------------------------------------------


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
    r"""Train ``model`` on (X, y) with shuffled mini-batches; return the ``Run``.

    ``optimizer`` is built on the model's parameters, as in torch::

        model = models.SoftmaxRegression(64, 10)
        run = train(model, X, y, optim.Adam(model.params, lr=1e-2), epochs=20, batch_size=32)

    Each epoch visits every example once, in a fresh order drawn from ``seed``; each step
    computes the mini-batch loss and gradients and calls ``optimizer.step``. A ``schedule``
    lr(t) sets ``optimizer.lr`` before each step (``per="step"``: t counts steps) or each epoch
    (``per="epoch"``: t counts epochs); a ``schedules.ReduceLROnPlateau`` (with
    ``per="epoch"``) is fed the monitored loss after each epoch instead. The monitored loss is
    the validation loss when (X_val, y_val) are given, else the training loss; with
    ``patience=k`` training stops once it has not improved (by more than ``min_delta``) for k
    epochs in a row.

    The run counts epochs: ``losses[e]`` is the loss on the whole training set after e epochs
    (e = 0: before training), ``val_losses[e]`` the same on the validation set, ``lrs[e]`` the
    learning rate at the start of epoch e + 1; ``step_losses`` and ``step_lrs`` hold every
    step's mini-batch loss (measured before its update) and learning rate.
    """
    model = _check_model(model)
    optimizer = _check_optimizer(optimizer, model)
    epochs = positive_int("epochs", epochs)
    batch_size = positive_int("batch_size", batch_size)
    schedule, plateau = _schedule(schedule)
    per = choice("per", per, ("step", "epoch"))
    rng = np.random.default_rng(nonnegative_int("seed", seed))
    choice("on_divergence", on_divergence, ON_DIVERGENCE)
    stopper = _patience(patience, min_delta)
    if (X_val is None) != (y_val is None):
        raise ValueError("give both X_val and y_val for a validation set, or neither")
    if plateau and per != "epoch":
        raise ValueError(
            "ReduceLROnPlateau watches the loss once per epoch: pass per='epoch' with it"
        )
    if plateau:
        optimizer.lr = schedule.lr
    return _train(
        model, X, y, optimizer, epochs, batch_size, rng, schedule, plateau, per, on_divergence,
        X_val, y_val, stopper,
    )  # fmt: skip


def _train(
    model,
    X,
    y,
    optimizer,
    epochs,
    batch_size,
    rng,
    schedule=None,
    plateau=False,
    per="step",
    on_divergence="stop",
    X_val=None,
    y_val=None,
    stopper=None,
):
    """The loop of ``train``, on arguments already checked (``train``'s, or a demo's)."""

    def epoch_losses():
        val_loss = None if X_val is None else model.loss(X_val, y_val)
        return model.loss(X, y), val_loss

    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        loss, val_loss = epoch_losses()
        limit = runaway_limit(loss)
        losses, val_losses, lrs, step_losses, step_lrs = [loss], [val_loss], [], [], []
        ending = None
        if stopper is not None:
            stopper.step(loss if val_loss is None else val_loss)
        for epoch in range(epochs):
            if per == "epoch" and schedule is not None and not plateau:
                optimizer.lr = schedule(epoch)
            first_step = len(step_losses)
            for X_batch, y_batch in data.minibatches(X, y, batch_size, rng):
                if per == "step" and schedule is not None:
                    optimizer.lr = schedule(len(step_losses))
                batch_loss, grads = model.loss_and_grads(X_batch, y_batch)
                step_losses.append(batch_loss)
                step_lrs.append(optimizer.lr)
                ending = runaway_ending(batch_loss, limit, optimizer.lr, len(step_losses) - 1)
                if ending:
                    break
                optimizer.step(grads)
            if ending:
                break
            loss, val_loss = epoch_losses()
            ending = runaway_ending(loss, limit, optimizer.lr, len(step_losses))
            if ending:
                break
            lrs.append(step_lrs[first_step])
            losses.append(loss)
            val_losses.append(val_loss)
            monitored = loss if val_loss is None else val_loss
            if plateau:
                optimizer.lr = schedule.step(monitored)
            if stopper is not None and stopper.step(monitored):
                ending = stopped_ending(epoch + 1, _not_improved(stopper, "epoch"))
                break

    run = Run(
        unit="epoch",
        losses=np.array(losses),
        val_losses=None if X_val is None else np.array(val_losses),
        lrs=np.array(lrs),
        step_losses=np.array(step_losses),
        step_lrs=np.array(step_lrs),
        **(ending or {}),
    )
    return raise_or_return(run, on_divergence)


# ---------------------------------------------------------------------------------------------
# The learning-rate range test
# ---------------------------------------------------------------------------------------------


def _endless_minibatches(X, y, batch_size, rng):
    """Mini-batches epoch after epoch, each epoch in a fresh order."""
    while True:
        yield from data.minibatches(X, y, batch_size, rng)


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
    smoothed loss passes ``stop_factor`` times its best (status "stopped"), or the loss itself
    runs away (status "diverged"). The smoothed loss is the moving average
    a ← βa + (1 − β)L with β = ``smoothing``, divided by 1 − β^{s+1}.

    Returns a ``Run`` that counts steps: ``losses[s]`` is the mini-batch loss measured just
    before the update with learning rate ``lrs[s]``, ``smoothed_losses[s]`` its moving
    average; ``suggested_lr`` is a tenth of the rate where the smoothed loss was lowest.
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
    average, ending = 0.0, None
    try:
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            batches = _endless_minibatches(X, y, batch_size, rng)
            for s, (lr, (X_batch, y_batch)) in enumerate(zip(schedule, batches, strict=False)):
                opt.lr = lr
                loss, grads = model.loss_and_grads(X_batch, y_batch)
                if s == 0:
                    if not np.isfinite(loss):
                        raise ValueError(
                            "the loss was not finite even at min_lr; check the model and the data"
                        )
                    limit = runaway_limit(loss)
                ending = runaway_ending(loss, limit, opt.lr, s)
                if ending:
                    break
                average = smoothing * average + (1 - smoothing) * loss
                lrs.append(opt.lr)
                losses.append(loss)
                smoothed.append(average / (1 - smoothing ** (s + 1)))
                if smoothed[-1] > stop_factor * min(smoothed):
                    reason = f"the smoothed loss passed {stop_factor:g} × its lowest"
                    ending = stopped_ending(s, f"{reason}, {min(smoothed):.4g}")
                    break
                opt.step(grads)
    finally:
        for param, original in zip(model.params, saved, strict=True):
            param[...] = original
    return Run(
        losses=np.array(losses),
        lrs=np.array(lrs),
        smoothed_losses=np.array(smoothed),
        **(ending or {}),
    )


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
