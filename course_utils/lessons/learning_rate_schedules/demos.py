r"""Lesson 10: learning-rate schedules held against torch, the warm-up experiment, an explorer.

- ``torch_lrs(make_scheduler, steps, lr)``: the rates a ``torch.optim.lr_scheduler`` gives
  for t = 0, …, steps − 1, to hold ``course_utils.schedules`` against, on
  ``torch_optimizer(lr)``, a torch optimizer that only holds the rate;
- ``max_relative_difference(ours, theirs)``: the largest |ours − theirs| / |theirs|, and
  ``torch_differences(pairs, steps, lr)``: that for each schedule against its torch twin;
- ``torch_twins()``: every schedule of the lesson next to its torch scheduler, and
  ``torch_plateau_rates(metrics)``: what torch's ReduceLROnPlateau makes of a list of losses;
- ``warmup_problem()``: the data of the warm-up experiment (Adam's first steps);
- ``schedule_explorer()``: a dropdown for the schedule and sliders for its parameters, over
  the rate lr(t) and the loss of a noisy SGD run that follows it.

Notation as in the notebook: η the (peak) learning rate, t the step count (0 first), T the
number of steps in the run. torch, matplotlib and ipywidgets are imported inside the functions.
"""

import numpy as np

from ... import data, models, optim, plotting, schedules, training, widgets
from ...validation import (
    as_float_array,
    choice,
    nonnegative,
    nonnegative_int,
    positive,
    positive_int,
)

__all__ = [
    "torch_optimizer",
    "torch_lrs",
    "max_relative_difference",
    "torch_differences",
    "torch_twins",
    "torch_plateau_rates",
    "warmup_problem",
    "EXPLORER_SCHEDULES",
    "SLIDER_DEFAULTS",
    "explorer_schedule",
    "schedule_explorer",
]


def torch_optimizer(lr, **hyperparameters):
    """A torch optimizer with no parameters: one param group holding ``lr`` and
    ``hyperparameters`` (e.g. ``momentum=0``), which is all a scheduler reads and writes.

    A scheduler changes ``optimizer.param_groups[0]["lr"]`` (and, for CyclicLR and
    OneCycleLR, ``"momentum"``) exactly as it would on ``torch.optim.SGD``; its ``step()``
    does nothing. Building a real torch optimizer the first time loads torch's compiler
    (``torch._dynamo``), over a second of CPU; this one does not.
    """
    import torch

    lr = nonnegative("lr", lr)

    class RateHolder(torch.optim.Optimizer):
        def __init__(self):  # no parameters: Optimizer.__init__ would refuse an empty list
            self.defaults = {"lr": lr, **hyperparameters}
            self.param_groups = [{"params": [], **self.defaults}]
            self.state = {}

        def step(self, closure=None):
            return None

    return RateHolder()


def torch_lrs(make_scheduler, steps, lr):
    """The learning rate torch uses for steps t = 0, 1, …, steps − 1, as a float64 array.

    ``make_scheduler(optimizer)`` builds the scheduler on an optimizer whose rate starts at
    ``lr`` (``torch_optimizer(lr, momentum=0)``), e.g.
    ``lambda opt: torch.optim.lr_scheduler.StepLR(opt, step_size=30)``. Entry t is the
    optimizer's rate after t calls of ``scheduler.step()``, each made after
    ``optimizer.step()``, in the order torch documents.
    """
    if not callable(make_scheduler):
        raise TypeError(
            "make_scheduler must be a function optimizer -> scheduler, e.g. "
            f"lambda opt: lr_scheduler.StepLR(opt, 30); got {make_scheduler!r}"
        )
    steps = positive_int("steps", steps)
    optimizer = torch_optimizer(lr, momentum=0)
    scheduler = make_scheduler(optimizer)
    lrs = []
    for _ in range(steps):
        lrs.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    return np.array(lrs, dtype=np.float64)


def max_relative_difference(ours, theirs):
    r"""$\max_t |\text{ours}_t - \text{theirs}_t| / |\text{theirs}_t|$ over equal-length curves.

    Where torch's rate is exactly 0, ours must be 0 too (else the difference is inf).
    """
    ours = as_float_array("ours", ours)
    theirs = as_float_array("theirs", theirs)
    if ours.shape != theirs.shape or ours.ndim != 1:
        raise ValueError(
            f"ours and theirs must be 1-D curves of equal length, got shapes {ours.shape} and "
            f"{theirs.shape}"
        )
    gap = np.abs(ours - theirs)
    with np.errstate(divide="ignore", invalid="ignore"):
        relative = np.where(gap == 0, 0.0, gap / np.abs(theirs))
    return float(relative.max(initial=0.0))


def torch_differences(pairs, steps, lr):
    """``{label: max relative difference}`` of each schedule from its torch scheduler.

    ``pairs`` maps a label to ``(schedule, make_scheduler)``: a function lr(t) from
    ``course_utils.schedules`` and what ``torch_lrs`` needs to build torch's counterpart on an
    optimizer whose rate starts at ``lr``. Both are compared over t = 0, …, steps − 1.
    """
    steps = positive_int("steps", steps)
    differences = {}
    for label, pair in pairs.items():
        try:
            schedule, make_scheduler = pair
        except (TypeError, ValueError):
            raise TypeError(
                f"pairs[{label!r}] must be a pair (schedule, make_scheduler), got {pair!r}"
            ) from None
        ours = [schedule(t) for t in range(steps)]
        differences[label] = max_relative_difference(ours, torch_lrs(make_scheduler, steps, lr))
    return differences


def torch_twins(steps=100, lr=0.1):
    """Every schedule of the lesson next to its torch scheduler, for ``torch_differences``:
    ``{label: (schedule, make_scheduler)}`` over a run of ``steps`` steps from peak ``lr``.

    Step decay, exponential, cosine, warm restarts (T_mult 1 and 2), the three cyclic modes
    (``cycle_momentum=False``), one-cycle, and a warm-up of steps/10 followed by cosine (torch:
    ``LinearLR`` then ``CosineAnnealingLR`` in a ``SequentialLR``).
    """
    from torch.optim import lr_scheduler

    steps = positive_int("steps", steps)
    if steps < 10:
        raise ValueError(f"steps must be an integer ≥ 10, got {steps}")
    lr = positive("lr", lr)
    size, warm = steps // 4, steps // 10

    def warm_cosine(opt):
        ramp = lr_scheduler.LinearLR(opt, start_factor=1 / (warm + 1), total_iters=warm)
        anneal = lr_scheduler.CosineAnnealingLR(opt, steps - warm)
        return lr_scheduler.SequentialLR(opt, [ramp, anneal], milestones=[warm])

    twins = {
        f"step_decay(step_size={size}, gamma=0.5)": (
            schedules.step_decay(lr, size, 0.5),
            lambda opt: lr_scheduler.StepLR(opt, size, 0.5),
        ),
        "exponential(gamma=0.97)": (
            schedules.exponential(lr, 0.97),
            lambda opt: lr_scheduler.ExponentialLR(opt, 0.97),
        ),
        f"cosine(T_max={steps}, eta_min={lr / 100:g})": (
            schedules.cosine(lr, steps, lr / 100),
            lambda opt: lr_scheduler.CosineAnnealingLR(opt, steps, lr / 100),
        ),
        f"cosine_warm_restarts(T_0={size})": (
            schedules.cosine_warm_restarts(lr, size),
            lambda opt: lr_scheduler.CosineAnnealingWarmRestarts(opt, size),
        ),
        f"cosine_warm_restarts(T_0={warm}, T_mult=2)": (
            schedules.cosine_warm_restarts(lr, warm, T_mult=2),
            lambda opt: lr_scheduler.CosineAnnealingWarmRestarts(opt, warm, T_mult=2),
        ),
    }
    for mode in ("triangular", "triangular2", "exp_range"):
        twins[f"cyclic({mode})"] = (
            schedules.cyclic(lr / 10, lr, warm, mode, gamma=0.98),
            lambda opt, mode=mode: lr_scheduler.CyclicLR(
                opt, lr / 10, lr, warm, mode=mode, gamma=0.98, cycle_momentum=False
            ),
        )
    twins[f"one_cycle(total_steps={steps})"] = (
        schedules.one_cycle(lr, steps),
        lambda opt: lr_scheduler.OneCycleLR(opt, lr, total_steps=steps, cycle_momentum=False),
    )
    twins[f"linear_warmup({warm}) + cosine"] = (
        schedules.linear_warmup(lr, warm, after=schedules.cosine(lr, steps - warm)),
        warm_cosine,
    )
    return twins


def torch_plateau_rates(metrics, lr=1.0, **options):
    """The rates torch's ReduceLROnPlateau sets when fed ``metrics`` one by one, after the
    starting ``lr``: the same list ``schedules.ReduceLROnPlateau(lr, **options).step`` gives."""
    from torch.optim import lr_scheduler

    optimizer = torch_optimizer(positive("lr", lr))
    plateau = lr_scheduler.ReduceLROnPlateau(optimizer, **options)
    rates = [lr]
    for metric in as_float_array("metrics", metrics):
        plateau.step(float(metric))
        rates.append(optimizer.param_groups[0]["lr"])
    return np.array(rates)


def warmup_problem():
    """The warm-up experiment's data: 640 points in 8 features, 10 classes of Gaussian blobs
    (``data.make_classification``), with its batches of 32: 20 steps per epoch."""
    return data.make_classification(n=640, n_classes=10, n_features=8, separation=6.0, seed=0)


# ---------------------------------------------------------------------------------------------
# The schedule explorer
# ---------------------------------------------------------------------------------------------

# What each dropdown entry is called and which sliders it uses; "lr" and "warmup" are always
# shown. The period slider is each schedule's own length parameter, named as torch names it.
EXPLORER_SCHEDULES = {
    "constant": {},
    "step decay": {"period": "step_size", "gamma": "γ"},
    "exponential": {"gamma_per_step": "γ"},
    "cosine": {"period": "T_max"},
    "warm restarts (SGDR)": {"period": "T_0", "T_mult": "T_mult"},
    "cyclic: triangular": {"period": "step_size_up", "base_ratio": "base_lr / max_lr"},
    "cyclic: triangular2": {"period": "step_size_up", "base_ratio": "base_lr / max_lr"},
    "cyclic: exp_range": {
        "period": "step_size_up",
        "base_ratio": "base_lr / max_lr",
        "gamma_per_step": "γ",
    },
    "one-cycle": {"pct_start": "pct_start"},
}

# Each schedule slider's starting value, and what explorer_schedule takes for a parameter it is
# not given; a period of None is a third of the run.
SLIDER_DEFAULTS = {
    "period": None,
    "gamma": 0.5,
    "gamma_per_step": 0.99,
    "T_mult": 1,
    "base_ratio": 0.1,
    "pct_start": 0.3,
}
_SLIDERS = tuple(SLIDER_DEFAULTS)


def explorer_schedule(name, steps, lr, warmup=0, **values):
    """The schedule that the explorer's controls describe, over a run of ``steps`` steps.

    ``name`` is a key of EXPLORER_SCHEDULES; ``values`` are the sliders' values, by name
    (``SLIDER_DEFAULTS`` for the others): ``period`` (default: a third of the run) is the
    schedule's length parameter (step_size, T_max, T_0 or step_size_up). ``warmup`` > 0 puts a
    linear warm-up of that many steps in front, and the schedule then runs over the rest.
    """
    choice("name", name, tuple(EXPLORER_SCHEDULES))
    unknown = set(values) - set(_SLIDERS)
    if unknown:
        raise TypeError(
            f"explorer_schedule has no slider {', '.join(sorted(unknown))}; "
            f"the sliders are {', '.join(_SLIDERS)}"
        )
    steps = positive_int("steps", steps)
    lr = positive("lr", lr)
    warmup = nonnegative_int("warmup", warmup)
    if warmup >= steps:
        raise ValueError(f"warmup must be an integer in [0, {steps - 1}], got {warmup}")
    values = {**SLIDER_DEFAULTS, **values}
    if values["period"] is not None:
        positive_int("period", values["period"])
    return _explorer_schedule(name, steps, lr, warmup, values)


def _explorer_schedule(name, steps, lr, warmup, values):
    """``explorer_schedule`` for arguments already checked (the explorer's sliders)."""
    length = steps - warmup  # the steps left for the schedule itself
    period = min(max(1, length // 3) if values["period"] is None else values["period"], length)
    gamma, gamma_per_step = values["gamma"], values["gamma_per_step"]
    mode = name.removeprefix("cyclic: ")
    build = {
        "constant": lambda: schedules.constant(lr),
        "step decay": lambda: schedules.step_decay(lr, period, gamma),
        "exponential": lambda: schedules.exponential(lr, gamma_per_step),
        "cosine": lambda: schedules.cosine(lr, period),
        "warm restarts (SGDR)": lambda: schedules.cosine_warm_restarts(
            lr, period, values["T_mult"]
        ),
        "one-cycle": lambda: schedules.one_cycle(lr, length, pct_start=values["pct_start"]),
    }
    if name.startswith("cyclic"):
        base_lr = lr * values["base_ratio"]
        schedule = schedules.cyclic(base_lr, lr, period, mode, gamma_per_step)
    else:
        schedule = build[name]()
    return schedule if warmup == 0 else schedules.linear_warmup(lr, warmup, after=schedule)


def _regression_run():
    """The explorer's training problem: noisy linear regression, 64 points, batches of 8.

    Returns (X, y, the lowest loss any weights reach): SGD with a constant rate stalls at a
    noise floor above it, which is what annealing the rate removes.
    """
    X, y = data.make_regression(n=64, n_features=5, noise=0.5, seed=0)
    design = np.column_stack([X, np.ones(len(X))])
    solution = np.linalg.lstsq(design, y, rcond=None)[0]
    return X, y, float(np.mean((design @ solution - y) ** 2))


_EPOCHS, _BATCH = 20, 8
_LOSS_FLOOR = 1e-7  # where the log axis ends: an excess loss this small is "at the minimum"


def _train(X, y, schedule):
    """SGD on (X, y) following ``schedule``, from zero weights, as ``training.train`` would
    with its default seed: the explorer's run, whose arguments the explorer checked."""
    model = models.LinearRegression(X.shape[1])
    opt = optim.SGD(model.params, lr=schedule(0))
    return training._train(model, X, y, opt, _EPOCHS, _BATCH, np.random.default_rng(0), schedule)


def schedule_explorer(name="cosine", lr=0.1, warmup=0):
    r"""A dropdown for the schedule and sliders for its parameters, over lr(t) and a run.

    Left: the rate lr(t) over the T = 160 steps of the run, as a fraction of the peak η.
    Right: the loss of SGD (batches of 8) on a noisy linear regression that follows the
    schedule, minus the lowest loss possible, on a log axis, next to a constant rate at the
    same peak η (dashed). A constant
    rate stalls at SGD's noise floor; annealing schedules go below it. Only the sliders the
    chosen schedule uses are shown, named as torch names them.
    """
    import ipywidgets

    choice("name", name, tuple(EXPLORER_SCHEDULES))
    X, y, lowest = _regression_run()
    steps = _EPOCHS * (len(X) // _BATCH)
    lr = positive("lr", lr)
    if not 1e-3 <= lr <= 0.5:
        raise ValueError(f"lr must be in [0.001, 0.5], got {lr}")
    warmup = nonnegative_int("warmup", warmup)
    constant_runs = {}  # peak η -> the constant-rate run, so dragging other sliders is cheap

    fig, (ax_lr, ax_loss) = widgets.demo_figure(1, 2, figsize=(10.0, 4.0))
    (lr_curve,) = ax_lr.plot([], [], color=plotting.COLORS[0])
    # the shape on fixed axes (redrawing moving tick labels would cost half of each redraw)
    ax_lr.set(xlim=(0, steps), ylim=(0, 1.05), xlabel="step t", ylabel="lr(t) / peak η")
    ax_lr.set_title("the schedule")
    (reference,) = ax_loss.plot(
        [], [], "--", color=plotting.COLORS[6], linewidth=1.5, label="constant η"
    )
    (loss_curve,) = ax_loss.plot([], [], color=plotting.COLORS[0], label="schedule")
    ylabel = "loss − lowest loss (log)"
    widgets.loss_panel(ax_loss, steps, ylabel=ylabel, xlabel="step t", decades=None)
    ax_loss.set(ylim=(_LOSS_FLOOR, 1e2), title="SGD on noisy linear regression")
    ax_loss.legend(loc="upper right", fontsize=10)
    title = fig.suptitle("", fontsize=13)
    per_epoch = {"floor": _LOSS_FLOOR, "spacing": len(X) // _BATCH}  # a loss per epoch

    def update(name, lr, warmup, **values):
        used = EXPLORER_SCHEDULES[name]
        for slider in _SLIDERS:
            controls[slider].layout.display = "" if slider in used else "none"
            if slider in used:
                controls[slider].description = used[slider]
        schedule = _explorer_schedule(name, steps, lr, warmup, values)
        rates = [schedule(t) for t in range(steps)]
        lr_curve.set_data(np.arange(steps), np.array(rates) / lr)
        if lr not in constant_runs:
            constant_runs[lr] = _train(X, y, schedules.constant(lr))
        baseline, run = constant_runs[lr], _train(X, y, schedule)
        widgets.set_loss(reference, baseline, lowest, **per_epoch)
        excess = widgets.set_loss(loss_curve, run, lowest, **per_epoch)
        settings = [f"peak η = {lr:.3g}"] + [f"{used[key]} = {values[key]:.3g}" for key in used]
        settings += [f"{warmup} warm-up steps"] if warmup else []
        ending = run.ending if run.status == "diverged" else f"ends {excess[-1]:.0e} above"
        widgets.show_status(title, f"{name}: {', '.join(settings)} — {ending}", run)
        return run

    def wide(slider=None, value=None):
        """A slider's settings: its own Layout (hiding one must not hide the others) and, for
        a schedule's slider, its starting value."""
        settings = {
            "style": {"description_width": "initial"},
            "layout": ipywidgets.Layout(width="300px"),
        }
        if slider is not None:
            settings["value"] = SLIDER_DEFAULTS[slider] if value is None else value
            settings["description"] = slider  # a label even while hidden; update renames it
        return settings

    controls = {
        "name": ipywidgets.Dropdown(
            options=list(EXPLORER_SCHEDULES), value=name, description="schedule", **wide()
        ),
        "lr": widgets.log_slider("peak η", lr, 1e-3, 0.5, width="300px"),
        "warmup": ipywidgets.IntSlider(
            value=warmup, min=0, max=steps // 2, description="warm-up steps", **wide()
        ),
        "period": ipywidgets.IntSlider(min=1, max=steps, **wide("period", steps // 3)),
        "gamma": ipywidgets.FloatSlider(min=0.05, max=1.0, step=0.05, **wide("gamma")),
        "gamma_per_step": ipywidgets.FloatSlider(
            min=0.95, max=1.0, step=0.001, readout_format=".3f", **wide("gamma_per_step")
        ),
        "T_mult": ipywidgets.IntSlider(min=1, max=3, **wide("T_mult")),
        "base_ratio": ipywidgets.FloatLogSlider(
            base=10, min=-3, max=0, step=0.1, readout_format=".3g", **wide("base_ratio")
        ),
        "pct_start": ipywidgets.FloatSlider(min=0.05, max=0.9, step=0.05, **wide("pct_start")),
    }
    demo = widgets.Demo(fig, update, controls, animated=[lr_curve, reference, loss_curve, title])
    # three rows of controls: the choice, the sliders every schedule has, its own sliders
    demo.widget.children = (
        ipywidgets.HBox([controls["name"], controls["lr"], controls["warmup"]]),
        ipywidgets.HBox([controls[slider] for slider in _SLIDERS]),
        *demo.widget.children[1:],
    )
    return demo
