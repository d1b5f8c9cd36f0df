r"""The step sizes AdaGrad and RMSProp give each weight (lessons 07, 08 and 09).

- ``adagrad_effective_lr(grads, lr, eps)`` and ``rmsprop_effective_lr(grads, lr, alpha, eps)``:
  for a run's gradients, the learning rate each weight effectively had at each step,
  $\eta / (\sqrt{G_t} + \varepsilon)$: the η that plain gradient descent would need to take
  the same step;
- ``lr_axes``, ``pair_of_lines``, ``show_lrs``: a panel that draws them, one solid and one
  dashed line per optimizer;
- ``RunView``: what lessons 07 and 08's demos redraw for a run: its path, its effective
  learning rates and a title that sets it beside a reference run;
- ``seed_variant(rule, *errors)`` and ``run_rule``: AdaGrad or RMSProp with any of the seed's
  three errors (``SEED_ERRORS``), and a short run of any such update rule, to show each error.

Notation as in the notebooks: g the gradient, G the running sum (AdaGrad) or moving average
(RMSProp) of g², η the learning rate, α the decay rate, ε the small constant, t the step (1
first).
"""

from dataclasses import dataclass

import numpy as np

from . import plotting
from .validation import as_float_array, choice, in_range, nonnegative, positive_int
from .widgets import outcome, set_path, show_status

__all__ = [
    "adagrad_effective_lr",
    "rmsprop_effective_lr",
    "lr_axes",
    "pair_of_lines",
    "show_lrs",
    "RunView",
    "SEED_ERRORS",
    "seed_variant",
    "run_rule",
]


def _gradients(grads):
    grads = as_float_array("grads", grads)
    if grads.ndim not in (1, 2) or len(grads) == 0:
        raise ValueError(
            "grads must have shape (steps,) or (steps, weights), one row per step, "
            f"got shape {grads.shape}"
        )
    return grads


def adagrad_effective_lr(grads, lr=1e-2, eps=1e-10):
    r"""Each weight's effective learning rate at each step of an AdaGrad run.

    ``grads[t - 1]`` is the gradient of step t; row t − 1 of the result is
    $\eta / (\sqrt{G_t} + \varepsilon)$ with $G_t = g_1^2 + \dots + g_t^2$, so that step t
    was $w_t = w_{t-1} - (\text{that}) \cdot g_t$. It only ever shrinks.
    """
    return _adagrad_effective_lr(_gradients(grads), nonnegative("lr", lr), nonnegative("eps", eps))


def _adagrad_effective_lr(grads, lr, eps):
    """The formula of ``adagrad_effective_lr``, for arguments already checked (a demo's)."""
    sum_sq = np.cumsum(grads**2, axis=0)
    return lr / (np.sqrt(sum_sq) + eps)


def rmsprop_effective_lr(grads, lr=1e-2, alpha=0.99, eps=1e-8):
    r"""Each weight's effective learning rate at each step of an RMSProp run.

    Row t − 1 is $\eta / (\sqrt{G_t} + \varepsilon)$ with $G_t = \alpha G_{t-1} + (1 - \alpha)
    g_t^2$ and $G_0 = 0$: it shrinks when the recent gradients are large and grows back when
    they get small.
    """
    grads = _gradients(grads)
    alpha = in_range("alpha", alpha, 0.0, 1.0)
    return _rmsprop_effective_lr(grads, nonnegative("lr", lr), alpha, nonnegative("eps", eps))


def _rmsprop_effective_lr(grads, lr, alpha, eps=1e-8):
    """The formula of ``rmsprop_effective_lr``, for arguments already checked (a demo's)."""
    sq_avg = np.zeros_like(grads)
    running = np.zeros_like(grads[0])
    for t, grad in enumerate(grads):
        running = alpha * running + (1 - alpha) * grad**2  # as torch orders it, to the last bit
        sq_avg[t] = running
    return lr / (np.sqrt(sq_avg) + eps)


_LR_AXIS_LIMITS = (1e-5, 10.0)  # fixed, so curves for different settings stay comparable


def lr_axes(ax, steps, title):
    """A log-scale axes for effective learning rates over the steps."""
    from matplotlib.ticker import LogLocator, NullLocator

    ax.set_yscale("log")
    ax.set_xlim(1, steps)
    ax.set_ylim(*_LR_AXIS_LIMITS)
    # A few decades labelled, no minor ticks: tick text is most of the cost of a redraw.
    ax.yaxis.set_major_locator(LogLocator(numticks=7))
    ax.yaxis.set_minor_locator(NullLocator())
    ax.set_xlabel("step t")
    ax.set_ylabel("effective learning rate (log)")
    ax.set_title(title, fontsize=13)


def pair_of_lines(ax, color, label):
    """Lines for weight x (solid) and weight y (dashed) of one optimizer."""
    (x_line,) = ax.plot([], [], "-", color=color, linewidth=2, label=f"{label}, weight x")
    (y_line,) = ax.plot([], [], "--", color=color, linewidth=2, label=f"{label}, weight y")
    return x_line, y_line


def show_lrs(lines, effective_lr):
    t = np.arange(1, len(effective_lr) + 1)
    for line, column in zip(lines, np.atleast_2d(effective_lr.T), strict=True):
        line.set_data(t, plotting.nan_for_inf(column))


@dataclass
class RunView:
    """What lessons 07 and 08's demos redraw for a run of ``steps`` steps on ``landscape``.

    ``path`` is a ``widgets.path_line``, ``lr_lines`` a ``pair_of_lines``, ``title`` the
    figure's title; the title sets each run beside ``reference``, a run called
    ``reference_name``.
    """

    landscape: object
    steps: int
    path: tuple
    lr_lines: tuple
    title: object
    reference_name: str
    reference: object

    def show(self, run, name, effective_lr):
        """Draw ``run``, called ``name`` in the title (e.g. "RMSProp (α = 0.9, η = 0.01)");
        ``effective_lr(grads)`` gives its effective learning rates at the gradients it
        stepped on."""
        set_path(self.path, run)
        grads = self.landscape._grad(run.points[:-1])  # finite: a run stops at its first overflow
        show_lrs(self.lr_lines, effective_lr(grads))
        text = (
            f"After {self.steps} steps — {name}: {outcome(run, self.landscape)}; "
            f"{self.reference_name}: {outcome(self.reference, self.landscape)}"
        )
        show_status(self.title, text, run)


# The seed's three errors in AdaGrad's and RMSProp's lines (DESIGN.md): the accumulator
# (G + g; αG + (1 − α) + g), the missing square root, and ε added to the weight, as
# `w − lr·g/G + 1e-7` does by precedence.
SEED_ERRORS = ("accumulator", "root", "eps")


def seed_variant(rule, *errors):
    r"""AdaGrad's or RMSProp's update (``rule``: "adagrad" or "rmsprop") with the seed's
    ``errors`` (any of ``SEED_ERRORS``) in it; with none it is the right rule.

    Returns ``update(w, grad, state, lr=1e-2, eps=...)`` (torch's ε for each; RMSProp's also
    takes ``alpha=0.99``) -> ``(w, state)``:

    - "accumulator": G ← G + g (AdaGrad), G ← αG + (1 − α) + g (RMSProp), not g²;
    - "root": divide by G + ε instead of √G + ε;
    - "eps": w ← w − η·g/√G + ε, the ε on the weight (with "root": w − η·g/G + ε, the seed's
      line as Python reads it).
    """
    choice("rule", rule, ("adagrad", "rmsprop"))
    for error in errors:
        choice("errors", error, SEED_ERRORS)
    unsquared, rooted, on_weight = (
        ("accumulator" in errors),
        ("root" not in errors),
        ("eps" in errors),
    )

    def accumulate(state, grad, alpha):
        if rule == "adagrad":
            return state + (grad if unsquared else grad**2)
        return alpha * state + ((1 - alpha) + grad if unsquared else (1 - alpha) * grad**2)

    default_eps = 1e-10 if rule == "adagrad" else 1e-8  # torch's

    def update(w, grad, state, lr=1e-2, eps=default_eps, alpha=0.99):
        state = accumulate(state, grad, alpha)
        scale = np.sqrt(state) if rooted else state
        if on_weight:
            return w - lr * grad / scale + eps, state
        return w - lr * grad / (scale + eps), state

    update.__name__ = f"{rule}_update" + "".join(f"_{error}" for error in errors)
    return update


def run_rule(update, grad_fn, start, steps, **hyperparameters):
    """The points of ``steps`` steps of ``update(w, grad, state, **hyperparameters) -> (w,
    state)`` from ``start`` (the state from zeros), where ``grad_fn(w)`` is the gradient: an
    array of shape (steps + 1, n), or shorter: a run stops at the first step that makes a
    weight NaN or infinite, and that step is its last row (a broken rule's NaN is shown, not
    raised)."""
    w = as_float_array("start", start)
    state, points = np.zeros_like(w), [w]
    with np.errstate(all="ignore"):  # the seed's rules take roots of negative numbers
        for _ in range(positive_int("steps", steps)):
            w, state = update(w, grad_fn(w), state, **hyperparameters)
            points.append(np.asarray(w, dtype=np.float64))
            if not np.isfinite(w).all():
                break
    return np.array(points)
