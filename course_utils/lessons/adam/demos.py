r"""Lesson 09: Adam taken apart, a fair race of the optimizers, and a live explorer.

- ``AdamVariant``: Adam with any of its pieces switched off or moved, one switch per known
  mistake or alternative form (no square, no root, no bias correction, ε elsewhere);
  ``COPIED`` holds the switches of the widely copied, wrong ``w − η·m / v + ε``;
- ``step_sizes(optimizer, grads)``: the steps an optimizer takes when fed a given sequence of
  gradients, to look at its first steps under a constant or a tiny gradient;
- ``RACES``, ``TUNED_LRS``, ``tune_lr``, ``race`` and ``race_table``: six optimizers on
  Rosenbrock, Beale and the saddle, each with the learning rate that suits it best there;
- ``weight_decay_bowl()``: a badly scaled bowl on which Adam + L2 and AdamW end apart;
- ``adam_explorer()``: sliders for η, β1 and β2 over Adam's path and loss on one of them.

Notation as in the notebooks: g the gradient, m and v the moving averages of g and g², m̂ and
v̂ their bias-corrected values, η the learning rate, β1 and β2 the decay rates, ε the small
constant, t the step (1 on the first). matplotlib and ipywidgets are imported inside functions.
"""

import numpy as np

from ... import landscapes, optim, plotting, widgets
from ...training import as_landscape, descend, descender, optimizer_class
from ...validation import (
    as_float_array,
    choice,
    in_range,
    positive,
    positive_int,
    real,
)

__all__ = [
    "EPS_FORMS",
    "SWITCHES",
    "BIAS_CORRECTIONS",
    "COPIED",
    "AdamVariant",
    "step_sizes",
    "RACE_OPTIMIZERS",
    "LR_GRID",
    "FLOOR",
    "RACES",
    "TUNED_LRS",
    "tune_lr",
    "race",
    "race_table",
    "weight_decay_bowl",
    "BETA1_VALUES",
    "BETA2_VALUES",
    "adam_explorer",
]

# Where ε goes: "outside" the root (torch; the paper's Algorithm 1), "inside" it, "hat" (the
# paper's faster form, TensorFlow 1 and Keras: ε added before the bias correction of v), or on
# the "weight", as in the widely copied formula.
EPS_FORMS = ("outside", "inside", "hat", "weight")

# AdamVariant's pieces that a switch can take out: each is True in Adam.
_PIECES = ("square", "root", "correct_m", "correct_v")

# AdamVariant's switches, each at the value that makes it Adam.
SWITCHES = {**dict.fromkeys(_PIECES, True), "eps_form": "outside"}

# Adam's bias correction, whole, left out, or halved: the switches of each, by name.
BIAS_CORRECTIONS = {
    "Adam: m̂ and v̂": {},
    "no correction": {"correct_m": False, "correct_v": False},
    "only v̂ corrected": {"correct_m": False},
    "only m̂ corrected": {"correct_v": False},
}

# The widely copied w − η·m / v + ε: v averages g (not g²), no root, no bias correction, and ε
# added to the weight.
COPIED = {**dict.fromkeys(_PIECES, False), "eps_form": "weight"}


class AdamVariant(optim.Adam):
    r"""Adam, with switches that break or move its pieces one at a time.

    With the switches at their ``SWITCHES`` values this is Adam (it equals ``optim.Adam``):

    $m \leftarrow \beta_1 m + (1 - \beta_1) g$, $v \leftarrow \beta_2 v + (1 - \beta_2) g^2$,
    $\hat m = m / (1 - \beta_1^t)$, $\hat v = v / (1 - \beta_2^t)$,
    $w \leftarrow w - \eta\, \hat m / (\sqrt{\hat v} + \varepsilon)$.

    - ``square=False``: v averages g instead of g²;
    - ``root=False``: divide by v̂ instead of √v̂;
    - ``correct_m=False`` / ``correct_v=False``: m̂ = m, v̂ = v (no bias correction);
    - ``eps_form``: "outside" √v̂ + ε; "inside" √(v̂ + ε); "hat", the paper's faster form
      $\eta \sqrt{1 - \beta_2^t} / (1 - \beta_1^t) \cdot m / (\sqrt{v} + \hat\varepsilon)$
      with $\hat\varepsilon$ = ``eps``, which is √v̂ + ε/√(1 − β2ᵗ); "weight",
      $w \leftarrow w - \eta\, \hat m / \sqrt{\hat v} + \varepsilon$.

    ``COPIED`` switches everything to the widely copied ``w − η·m / v + ε``. Broken variants
    may divide by zero; the run then reports itself diverged (see ``training.descend``).
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, **switches):
        unknown = set(switches) - set(SWITCHES)
        if unknown:
            raise TypeError(
                f"AdamVariant has no switch {', '.join(sorted(unknown))}; "
                f"its switches are {', '.join(SWITCHES)}"
            )
        switches = {**SWITCHES, **switches}
        for name in _PIECES:
            if not isinstance(switches[name], (bool, np.bool_)):
                raise TypeError(f"{name} must be True or False, got {switches[name]!r}")
            switches[name] = bool(switches[name])
        choice("eps_form", switches["eps_form"], EPS_FORMS)
        super().__init__(params, lr, betas, eps)  # Adam's own checks of lr, betas and eps
        self.defaults.update(switches)

    def _init_state(self, param):
        return {"step": 0, "m": np.zeros_like(param), "v": np.zeros_like(param)}

    def _update(self, param, grad, state):
        settings = self.defaults
        (beta1, beta2), eps, form = settings["betas"], settings["eps"], settings["eps_form"]
        state["step"] += 1
        t = state["step"]
        # Adam's own pieces (course_utils.optim); each switch swaps one of them out
        m = state["m"] = optim.moving_average(state["m"], grad, beta1)
        v = state["v"] = optim.moving_average(
            state["v"], grad**2 if settings["square"] else grad, beta2
        )
        bias_correction1 = optim.bias_correction(beta1, t) if settings["correct_m"] else 1.0
        bias_correction2 = optim.bias_correction(beta2, t) if settings["correct_v"] else 1.0
        root = np.sqrt if settings["root"] else _identity
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            m_hat, v_hat = m / bias_correction1, v / bias_correction2
            if form == "outside":
                step = m_hat / (root(v_hat) + eps)
            elif form == "inside":
                step = m_hat / root(v_hat + eps)
            elif form == "hat":  # the corrections folded into the step size, ε added to √v
                step = root(bias_correction2) / bias_correction1 * m / (root(v) + eps)
            else:
                step = m_hat / root(v_hat)
            param -= settings["lr"] * step
            if form == "weight":
                param += eps


def _identity(x):
    return x


def step_sizes(optimizer, grads, **hyperparameters):
    r"""The steps $\Delta w_t = w_t - w_{t-1}$ an optimizer takes when fed ``grads[t - 1]``.

    ``optimizer`` is a class such as ``optim.Adam`` or ``AdamVariant``, or a name that
    ``training.descend`` accepts ("sgd", "adam", ...); ``hyperparameters`` go to it. ``grads``
    has one row per step: shape (steps,) for one weight or (steps, n) for n weights. The
    weights start at zero; returns the steps, shaped like ``grads``.
    """
    cls, preset, _ = optimizer_class(optimizer)
    grads = as_float_array("grads", grads)
    if grads.ndim not in (1, 2) or len(grads) == 0:
        raise ValueError(
            f"grads must have shape (steps,) or (steps, n), one row per step, got {grads.shape}"
        )
    w = np.zeros(grads.shape[1:])
    opt = cls([w], **{**preset, **hyperparameters})
    points = [w.copy()]
    for grad in grads:
        opt.step([grad])
        points.append(w.copy())
    return np.diff(np.array(points), axis=0)


# ---------------------------------------------------------------------------------------------
# The race
# ---------------------------------------------------------------------------------------------

RACE_OPTIMIZERS = ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam")

# Every optimizer picks its η from the same grid: four values per decade, 1e-5 to 10.
LR_GRID = np.array([10.0 ** (k / 4) for k in range(-20, 5)])

# Losses within this of the minimum count as arrived: below it, rounding decides the order.
FLOOR = 1e-12

# Each landscape's start and step budget. The saddle's start is a nudge off the axis y = 0,
# where every optimizer would stall in the saddle point (lesson 03).
RACES = {
    "rosenbrock": {"start": (-1.5, 2.0), "steps": 1000},
    "beale": {"start": (1.0, 1.5), "steps": 500},
    "saddle": {"start": (1.5, 1e-6), "steps": 200},
}

# tune_lr's choice for every optimizer on every landscape, as quarter decades k: η = 10^(k/4).
# The other hyperparameters stay at their defaults (momentum 0.9; RMSProp α = 0.99; Adam
# β = (0.9, 0.999)). tune_lr recomputes any of them; the tests recompute the saddle's.
_TUNED_EXPONENTS = {
    "rosenbrock": {
        "sgd": -11,
        "momentum": -11,
        "nesterov": -12,
        "adagrad": 1,
        "rmsprop": -9,
        "adam": 0,
    },
    "beale": {"sgd": -6, "momentum": -9, "nesterov": -9, "adagrad": 1, "rmsprop": -6, "adam": -1},
    "saddle": {"sgd": -1, "momentum": -3, "nesterov": -1, "adagrad": 0, "rmsprop": -4, "adam": -1},
}
TUNED_LRS = {
    landscape: {optimizer: 10.0 ** (k / 4) for optimizer, k in exponents.items()}
    for landscape, exponents in _TUNED_EXPONENTS.items()
}


def _score(run, landscape):
    """How well a run did: (loss above the minimum, floored at FLOOR; step it got there)."""
    gaps = np.maximum(run.losses - landscape.min_value, FLOOR)
    arrived = np.flatnonzero(gaps <= FLOOR)
    return float(gaps[-1]), int(arrived[0]) if len(arrived) else len(gaps)


def tune_lr(landscape, optimizer, start=None, steps=None, grid=LR_GRID):
    """The η from ``grid`` with which ``optimizer`` ends lowest on ``landscape``.

    Every η runs the same number of steps from the same start: by default, for a landscape in
    ``RACES`` its race start and steps, otherwise its own start and 300 steps. A run that
    diverges is out. The lowest final loss wins;
    among runs that end within ``FLOOR`` of the minimum, the one that got there first.
    """
    landscape, start, steps = _race_setup(landscape, start, steps)
    grid = as_float_array("grid", grid)
    if grid.ndim != 1 or len(grid) == 0 or np.any(grid <= 0):
        raise ValueError(f"grid must be a non-empty list of positive learning rates, got {grid}")
    descend_at = descender(landscape, start, optimizer, steps)
    scores = {}
    for lr in grid:
        run = descend_at(lr=float(lr))
        if run.status != "diverged":
            scores[float(lr)] = _score(run, landscape)
    if not scores:
        raise ValueError(
            f"every learning rate in grid diverged for {optimizer!r}; try smaller ones"
        )
    return min(scores, key=scores.get)


def _race_setup(landscape, start, steps):
    name = landscape if isinstance(landscape, str) else None
    landscape = as_landscape(landscape)
    setup = RACES.get(name, {})
    start = setup.get("start") if start is None else start
    steps = positive_int("steps", setup.get("steps", 300) if steps is None else steps)
    return landscape, start, steps


def race(landscape):
    """Every optimizer of ``RACE_OPTIMIZERS`` on a landscape in ``RACES``, at its tuned η.

    Returns ``{name: Run}``, labelled "Adam, η = 0.562" and so on; a run that diverges stops
    there, with status "diverged".
    """
    name = choice("landscape", landscape, tuple(RACES))
    _, start, steps = _race_setup(name, None, None)
    runs = {}
    for optimizer in RACE_OPTIMIZERS:
        lr = TUNED_LRS[name][optimizer]
        label = f"{optimizer_class(optimizer)[2]}, η = {lr:.3g}"
        runs[optimizer] = descend(
            name, start, optimizer, steps, lr=lr, on_divergence="stop", label=label
        )
    return runs


def race_table(results):
    """A text table of final losses above the minimum, one row per optimizer.

    ``results`` maps a landscape in ``RACES`` to what ``race`` returned for it; each cell
    shows the loss − minimum after the race ("≤ 1e-12" within ``FLOOR``) and the η used.
    """
    if not isinstance(results, dict) or not results:
        raise TypeError(f"results must be a dict {{landscape: race(landscape)}}, got {results!r}")
    columns = [choice("landscape", name, tuple(RACES)) for name in results]
    width = 22
    lines = [f"{'':10}" + "".join(f"{name:>{width}}" for name in columns)]
    for optimizer in next(iter(results.values())):
        cells = []
        for name in columns:
            run = results[name][optimizer]
            gap = run.losses[-1] - as_landscape(name).min_value
            if run.status == "diverged":
                cell = "diverged"
            else:
                cell = f"{gap:.1e}" if gap > FLOOR else f"≤ {FLOOR:.0e}"
            cells.append(f"{cell} (η = {run.lrs[0]:.2g})".rjust(width))
        lines.append(f"{optimizer_class(optimizer)[2]:10}" + "".join(cells))
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# Weight decay: Adam + L2 against AdamW
# ---------------------------------------------------------------------------------------------


def weight_decay_bowl(curvatures=(1.0, 100.0), center=(1.5, 1.5)):
    r"""f(x, y) = ½ a_x (x − c_x)² + ½ a_y (y − c_y)²: a badly scaled bowl off the origin.

    ``curvatures`` are (a_x, a_y), ``center`` is c, the minimum. Weight decay pulls the weights
    towards the origin and the loss pulls them to c, so where a run ends shows how an optimizer
    weighs the two. With an L2 penalty ½λ‖w‖² the minimum moves to $w_i = a_i c_i / (a_i +
    \lambda)$ for each weight.
    """
    curvature_x, curvature_y = _pair("curvatures", curvatures, positive)
    center_x, center_y = _pair("center", center, real)
    low, high = min(0.0, center_x, center_y) - 0.5, max(0.0, center_x, center_y) + 0.5

    def f(x, y):
        return 0.5 * curvature_x * (x - center_x) ** 2 + 0.5 * curvature_y * (y - center_y) ** 2

    def df(x, y):
        return curvature_x * (x - center_x), curvature_y * (y - center_y)

    def d2f(x, y):
        return curvature_x, 0.0, curvature_y

    return landscapes.Landscape(
        name=f"Bowl with curvatures {curvature_x:g} and {curvature_y:g}",
        formula=(
            rf"f(x, y) = \frac{{{curvature_x:g}}}{{2}}(x - {center_x:g})^2 "
            rf"+ \frac{{{curvature_y:g}}}{{2}}(y - {center_y:g})^2"
        ),
        f=f,
        df=df,
        d2f=d2f,
        minima=[[center_x, center_y]],
        window=((low, high), (low, high)),  # the origin, where decay pulls, and the minimum
        start=[0.0, 0.0],
    )


def _pair(name, value, check):
    """Two numbers, each passed through ``check`` (e.g. ``positive``) under its own name."""
    if isinstance(value, (str, bytes)) or not hasattr(value, "__len__") or len(value) != 2:
        raise TypeError(f"{name} must be a pair of numbers (x, y), got {value!r}")
    return tuple(check(f"{name}[{i}]", number) for i, number in enumerate(value))


# ---------------------------------------------------------------------------------------------
# Demo
# ---------------------------------------------------------------------------------------------

BETA1_VALUES = (0.0, 0.5, 0.8, 0.9, 0.95, 0.99, 0.999)
BETA2_VALUES = (0.5, 0.9, 0.99, 0.999, 0.9999)
_LOSS_FLOOR = 1e-16  # losses at or below the minimum are drawn here, at the floor of the axis


def adam_explorer(landscape="rosenbrock", lr=None, beta1=0.9, beta2=0.999):
    r"""Sliders for Adam's η (log scale), β1 and β2 over its path and loss on a race landscape.

    ``landscape`` is one of ``RACES`` ("rosenbrock", "beale", "saddle"); the run starts at
    its race start for its race steps. ``lr`` defaults to Adam's tuned η there; β1 and β2
    move through values spaced about evenly in log(1 − β), from the ``BETA1_VALUES`` and
    ``BETA2_VALUES``. The loss panel (log scale, loss − minimum) keeps Adam at its tuned η
    and default betas as a dashed reference; a diverging run says so in the title.
    """
    name = choice("landscape", landscape, tuple(RACES))
    terrain, start, steps = _race_setup(name, None, None)
    tuned = TUNED_LRS[name]["adam"]
    lr = tuned if lr is None else in_range("lr", lr, 1e-4, 10.0, high_closed=True)
    beta1 = choice("beta1", real("beta1", beta1), BETA1_VALUES)
    beta2 = choice("beta2", real("beta2", beta2), BETA2_VALUES)
    adam_at = descender(terrain, start, "adam", steps)
    reference = adam_at(lr=tuned)

    fig, (ax_path, ax_loss) = widgets.demo_figure(1, 2, figsize=(10.5, 4.4))
    plotting.contour(terrain, ax=ax_path, levels=20, resolution=120, title="", legend=False)
    color = plotting.COLORS[0]
    widgets.start_marker(ax_path, start, color, size=10, edge_width=1.0, zorder=2)
    path = widgets.path_line(ax_path, color, markersize=2, linewidth=1.5, head=8)
    ax_path.set_title(terrain.name, fontsize=13)
    reference_label = f"Adam, η = {tuned:.3g}"
    (guide,) = ax_loss.plot(
        [], [], "--", color=plotting.COLORS[6], linewidth=1.5, label=reference_label
    )
    gap = widgets.set_loss(guide, reference, terrain.min_value, floor=_LOSS_FLOOR)
    (curve,) = ax_loss.plot([], [], color=color, label="your settings")
    widgets.loss_panel(ax_loss, steps, decades=6)
    ax_loss.set_ylim(_LOSS_FLOOR / 3, 1e3 * gap[0])
    ax_loss.set_title("Loss", fontsize=13)
    ax_loss.legend(loc="lower left", fontsize=10)
    title = fig.suptitle("", fontsize=14)

    def update(lr, beta1, beta2):
        run = adam_at(lr=lr, betas=(beta1, beta2))
        widgets.set_path(path, run)
        gap = widgets.set_loss(curve, run, terrain.min_value, floor=_LOSS_FLOOR)
        ending = run.ending if run.status == "diverged" else f"loss − min {gap[-1]:.2g}"
        text = f"Adam, η = {lr:.3g}, β1 = {beta1:g}, β2 = {beta2:g}: {ending}"
        widgets.show_status(title, text, run)
        return run

    controls = {
        "lr": widgets.log_slider("learning rate η", lr, 1e-4, 10.0, width="360px"),
        "beta1": widgets.selection_slider("β1", BETA1_VALUES, beta1, width="300px"),
        "beta2": widgets.selection_slider("β2", BETA2_VALUES, beta2, width="300px"),
    }
    return widgets.Demo(fig, update, controls, animated=[*path, curve, title])
