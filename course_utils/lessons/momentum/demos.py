r"""Lesson 06: momentum on an ill-conditioned quadratic bowl, in theory and in a live demo.

- ``convergence_rate(lr, momentum, eigenvalues)``: the per-step factor by which heavy ball
  (or Nesterov, or with ρ = 0 plain gradient descent) shrinks the distance to the minimum of
  a quadratic whose Hessian has these eigenvalues, in the long run;
- ``optimal_parameters(lambda_min, lambda_max)``: the η and ρ that make heavy ball fastest on
  such a quadratic, where its rate is (√κ − 1)/(√κ + 1);
- ``follow(landscape, rule, lr)``: the points of any update rule ``rule(w, grad, state, lr,
  ...)`` from the landscape's start, to compare the forms of momentum;
- ``measured_rate(run, first, last)``: the per-step contraction a run shows late in its course;
- ``noisy_descent(rule, lr, momentum)``: momentum with noisy gradients on a quadratic, many
  runs at once, and ``noise_floor(lr, momentum, eigenvalues)``, the level they settle at;
- ``momentum_explorer()``: sliders for η (log scale) and ρ over the path and the loss on a
  narrow valley, after Goh's "Why Momentum Really Works" (Distill, 2017).

The notation is the notebook's: η the learning rate, ρ the momentum, v the velocity,
λmin ≤ λmax the curvatures (Hessian eigenvalues) and κ = λmax/λmin the condition number.
"""

import numpy as np

from ... import landscapes, optim, plotting, widgets
from ...training import descend, descender
from ...validation import as_float_array, in_range, positive, positive_int

__all__ = [
    "convergence_rate",
    "optimal_parameters",
    "follow",
    "measured_rate",
    "noisy_descent",
    "noise_floor",
    "momentum_explorer",
]


def _array_in(name, value, low, high, high_closed):
    """A float64 array of values in [low, high) (or [low, high])."""
    array = as_float_array(name, value).astype(np.float64)
    above_high = array > high if high_closed else array >= high
    if np.any(array < low) or np.any(above_high):
        interval = f"[{low}, {high}{']' if high_closed else ')'}"
        raise ValueError(f"{name} must be in {interval}, got {value!r}")
    return array


def convergence_rate(lr, momentum, eigenvalues, nesterov=False):
    r"""The long-run per-step contraction factor r of momentum on a quadratic: ‖w_t‖ ~ r^t.

    Along an eigenvector with curvature λ the gradient is λw, so torch's heavy ball
    (v ← ρv + g, w ← w − ηv) is a linear map of the pair (w, v) whose two eigenvalues z solve

        heavy ball:  z² − (1 + ρ − ηλ) z + ρ = 0,
        Nesterov:    z² − (1 + ρ)(1 − ηλ) z + ρ(1 − ηλ) = 0.

    The slowest mode sets the pace: r = max |z| over both roots and every λ in
    ``eigenvalues``; r ≥ 1 means the run does not converge. With ρ = 0 both give plain
    gradient descent, r = max |1 − ηλ|. ``lr`` and ``momentum`` may be arrays (they
    broadcast, e.g. a grid for a map); the result has their broadcast shape.
    """
    lr = _array_in("lr", lr, 0.0, np.inf, high_closed=True)
    momentum = _array_in("momentum", momentum, 0.0, 1.0, high_closed=False)
    curvatures = _array_in("eigenvalues", eigenvalues, 0.0, np.inf, high_closed=True)
    if curvatures.ndim != 1 or curvatures.size == 0:
        raise ValueError(f"eigenvalues must be a non-empty 1-D list, got {eigenvalues!r}")
    if not isinstance(nesterov, (bool, np.bool_)):
        raise TypeError(f"nesterov must be True or False, got {nesterov!r}")
    return _convergence_rate(lr, momentum, curvatures, nesterov)


def _convergence_rate(lr, momentum, curvatures, nesterov):
    """The formula of ``convergence_rate``, for arguments already checked (a demo's)."""
    lr, rho = np.broadcast_arrays(lr, momentum)
    step = lr * curvatures.reshape(-1, *([1] * lr.ndim))  # ηλ, one row per curvature
    if nesterov:
        trace, det = (1 + rho) * (1 - step), rho * (1 - step)
    else:
        trace, det = 1 + rho - step, rho
    root = np.sqrt(trace**2 - 4 * det + 0j)  # complex when the mode oscillates
    rate = np.maximum(np.abs(trace + root), np.abs(trace - root)).max(axis=0) / 2
    return float(rate) if rate.ndim == 0 else rate


def optimal_parameters(lambda_min, lambda_max):
    r"""The heavy-ball η and ρ with the fastest rate on a quadratic with these curvatures.

    $\eta = 4 / (\sqrt{\lambda_{max}} + \sqrt{\lambda_{min}})^2$,
    $\rho = \left((\sqrt\kappa - 1) / (\sqrt\kappa + 1)\right)^2$; the rate is then
    $\sqrt\rho = (\sqrt\kappa - 1)/(\sqrt\kappa + 1)$. Returns ``(lr, momentum)``.
    """
    lambda_min = positive("lambda_min", lambda_min)
    lambda_max = positive("lambda_max", lambda_max)
    if lambda_max < lambda_min:
        raise ValueError(f"lambda_max must be ≥ lambda_min, got {lambda_max} < {lambda_min}")
    root_kappa = np.sqrt(lambda_max / lambda_min)
    lr = 4 / (np.sqrt(lambda_max) + np.sqrt(lambda_min)) ** 2
    momentum = ((root_kappa - 1) / (root_kappa + 1)) ** 2
    return float(lr), float(momentum)


def follow(landscape, rule, lr, steps=100, **hyperparameters):
    """The points of ``w, state = rule(w, ∇f(w), state, η, **hyperparameters)`` from the
    landscape's start, with the state starting at zeros; ``lr`` may be a schedule η(t).

    Returns an array of shape (steps + 1, 2): the start, then the point after each step.
    """
    steps = positive_int("steps", steps)
    if not callable(rule):
        raise TypeError(f"rule must be an update rule such as optim.momentum_update, got {rule!r}")
    w, state, points = landscape.start.copy(), np.zeros(2), [landscape.start]
    for t in range(steps):
        w, state = rule(
            w, landscape.grad(w), state, lr(t) if callable(lr) else lr, **hyperparameters
        )
        points.append(w)
    return np.array(points)


def measured_rate(run, first, last, span=20):
    """The per-step contraction of ‖w‖ from step ``first`` to step ``last`` of ``run``, read
    from the largest ‖w‖ in the ``span`` steps up to each (a swinging run's peaks)."""
    size = np.linalg.norm(run.points, axis=1)
    span, first, last = positive_int("span", span), positive_int("first", first), last
    if not span <= first < positive_int("last", last) < len(size):
        raise ValueError(
            f"need span ≤ first < last < {len(size)} (the run's points), got span = {span}, "
            f"first = {first}, last = {last}"
        )
    peak_first, peak_last = size[first - span : first + 1].max(), size[last - span : last + 1].max()
    return float((peak_last / peak_first) ** (1 / (last - first)))


def noisy_descent(
    rule, lr, momentum, *, eigenvalues=(1.0, 10.0), noise=1.0, steps=800, runs=250, seed=0
):
    r"""Heavy ball with noisy gradients on $f(w) = \tfrac12 \sum_i \lambda_i w_i^2$, ``runs``
    independent runs at once: each step's gradient is $\nabla f(w) + \xi$ with $\xi$ drawn
    from $N(0, \text{noise}^2 I)$, and ``rule(w, grad, velocity, lr, momentum)`` (e.g.
    ``optim.momentum_update``) takes the step on the (runs, d) arrays.

    Every run starts at w = (1, …, 1) with zero velocity. Returns the mean loss over the runs
    at the start and after each step, shape (steps + 1,).
    """
    curvatures = _array_in("eigenvalues", eigenvalues, 0.0, np.inf, high_closed=True)
    lr, momentum = positive("lr", lr), in_range("momentum", momentum, 0.0, 1.0)
    noise, steps, runs = (
        positive("noise", noise),
        positive_int("steps", steps),
        positive_int("runs", runs),
    )
    rng = np.random.default_rng(seed)
    w = np.ones((runs, len(curvatures)))
    velocity = np.zeros_like(w)
    losses = [0.5 * np.mean(np.sum(curvatures * w**2, axis=1))]
    for _ in range(steps):
        grad = curvatures * w + noise * rng.standard_normal(w.shape)
        w, velocity = rule(w, grad, velocity, lr, momentum)
        losses.append(0.5 * np.mean(np.sum(curvatures * w**2, axis=1)))
    return np.array(losses)


def noise_floor(lr, momentum, eigenvalues=(1.0, 10.0), noise=1.0):
    r"""The mean loss heavy ball settles at under gradient noise of variance noise² per weight.

    Along a curvature λ the stationary variance of w is
    $\eta s^2 (1 + \rho) / (\lambda (1 - \rho)(2(1 + \rho) - \eta\lambda))$, so the floor is

    $$\sum_\lambda \frac{\eta s^2 (1 + \rho)}{2 (1 - \rho)(2(1 + \rho) - \eta\lambda)}
      \approx \frac{\eta}{1 - \rho}\cdot\frac{d\, s^2}{4} \quad (\eta\lambda \ll 1):$$

    plain SGD's floor ($\rho = 0$) with the effective learning rate $\eta/(1 - \rho)$.
    """
    curvatures = _array_in("eigenvalues", eigenvalues, 0.0, np.inf, high_closed=True)
    lr, momentum = positive("lr", lr), in_range("momentum", momentum, 0.0, 1.0)
    noise = positive("noise", noise)
    edge = 2 * (1 + momentum) - lr * curvatures
    if np.any(edge <= 0):
        raise ValueError(f"lr = {lr} is past the stability edge 2(1 + ρ)/λmax: no floor")
    return float(np.sum(lr * noise**2 * (1 + momentum) / (2 * (1 - momentum) * edge)))


# Fixed axes, as in Goh's demo: curves for different settings stay comparable as you drag.
_WINDOW = ((-2.0, 0.6), (-1.0, 1.0))
_LOSS_LIMITS = (1e-12, 1e4)


def momentum_explorer(condition_number=100.0, lr=None, momentum=0.9, steps=100, nesterov=False):
    r"""Sliders for η (log scale) and ρ over momentum's path and loss on a narrow valley.

    The valley is ``landscapes.quadratic_bowl(condition_number)``: curvature 1 along x,
    κ along y. The path starts at the bowl's start; the loss plot (log scale) also shows
    plain gradient descent at its best step 2/(λmin + λmax) for comparison, and the slope
    the theory predicts: a dotted line $\propto r^{2t}$ through the last point, with r from
    ``convergence_rate`` (the loss is quadratic in w, so it shrinks by r² per step). The
    title gives r, the loss plot's title the optimal η and ρ; a diverging run says so.
    A "Nesterov" box switches to Nesterov's update. ``lr`` defaults to 1/λmax.
    """
    import ipywidgets

    bowl = landscapes.quadratic_bowl(condition_number)
    lam_min, lam_max = bowl.eigenvalues
    steps = positive_int("steps", steps)
    lr_range = (1e-4, 4 / lam_max)  # past the heavy-ball edge 2(1 + ρ)/λmax for every ρ < 1
    lr = in_range("lr", 1 / lam_max if lr is None else lr, *lr_range, high_closed=True)
    momentum = in_range("momentum", momentum, 0.0, 0.99, high_closed=True)
    if not isinstance(nesterov, (bool, np.bool_)):
        raise TypeError(f"nesterov must be True or False, got {nesterov!r}")
    best_lr, best_momentum = optimal_parameters(lam_min, lam_max)
    gd_lr = 2 / (lam_min + lam_max)
    gd = descend(bowl, optimizer="sgd", steps=steps, lr=gd_lr, on_divergence="stop")
    momentum_at = descender(bowl, None, optim.SGD, steps)
    curvatures = np.array(bowl.eigenvalues)

    fig, (ax_path, ax_loss) = widgets.demo_figure(1, 2, figsize=(10.0, 4.2))
    plotting.contour(
        bowl, ax=ax_path, levels=20, resolution=120, window=_WINDOW, title="", legend=False
    )
    color = plotting.COLORS[0]
    widgets.start_marker(ax_path, bowl.start, color, size=10, edge_width=1.0, zorder=2)
    path = widgets.path_line(ax_path, color, head=None)
    ax_loss.plot(gd.losses, "--", color=plotting.COLORS[6], linewidth=1.5, label="GD, best η")
    (curve,) = ax_loss.plot([], [], color=color, label="momentum")
    (guide,) = ax_loss.plot([], [], ":", color=plotting.COLORS[3], label=r"slope of $r^{2t}$")
    widgets.loss_panel(ax_loss, steps, ylabel="loss (log scale)", decades=None)
    ax_loss.set_ylim(*_LOSS_LIMITS)
    ax_loss.set_title(f"best: η = {best_lr:.3g}, ρ = {best_momentum:.2f}", fontsize=13)
    ax_loss.legend(loc="lower left", fontsize=10)
    title = fig.suptitle("", fontsize=14)
    t = np.arange(steps + 1)

    def update(lr, momentum, nesterov):
        nesterov = bool(nesterov and momentum > 0)  # Nesterov with ρ = 0 is plain GD
        run = momentum_at(lr=lr, momentum=momentum, nesterov=nesterov)
        widgets.set_path(path, run)
        widgets.set_loss(curve, run, floor=_LOSS_LIMITS[0])
        losses = plotting.nan_for_inf(run.losses)
        rate = _convergence_rate(lr, momentum, curvatures, nesterov)
        end = len(losses) - 1  # the guide meets the curve at its end, where the rate rules
        guide.set_data(t, losses[end] * rate ** (2.0 * (t - end)) if rate < 1 else t * np.nan)
        name = "Nesterov" if nesterov else "heavy ball" if momentum > 0 else "plain GD"
        text = f"{name}: η = {lr:.3g}, ρ = {momentum:.2f} → rate r = {rate:.3f} per step"
        if run.status == "diverged":
            text += f" — {run.ending}"
        widgets.show_status(title, text, run, alarm=rate >= 1)
        return run

    wide = {"style": {"description_width": "initial"}, "layout": ipywidgets.Layout(width="400px")}
    controls = {
        "lr": widgets.log_slider("learning rate η", lr, *lr_range),
        "momentum": ipywidgets.FloatSlider(
            value=momentum, min=0.0, max=0.99, step=0.01, description="momentum ρ", **wide
        ),
        "nesterov": ipywidgets.Checkbox(value=bool(nesterov), description="Nesterov"),
    }
    return widgets.Demo(fig, update, controls, animated=[*path, curve, guide, title])
