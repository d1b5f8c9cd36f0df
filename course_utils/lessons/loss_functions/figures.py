r"""Lesson 01's key figures: the loss of a line fit over its two weights; forward vs central.

The data are the lesson's: 40 points x ~ U(0, 3), y = 1.5x − 0.5 + N(0, 0.5²), drawn from
``np.random.default_rng(0)``, and the model is the line ŷ = w₁·x + w₂.
"""

import numpy as np

from ... import landscapes, plotting
from ...figures import figure, new_figure

TRUE_SLOPE, TRUE_INTERCEPT, NOISE, N_POINTS = 1.5, -0.5, 0.5, 40


def line_fit_data(seed=0):
    """The lesson's seeded data (x, y): the same draws as its first cell makes."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(0, 3, size=N_POINTS)
    y = TRUE_SLOPE * x + TRUE_INTERCEPT + NOISE * rng.normal(size=N_POINTS)
    return x, y


def line_fit_landscape(x, y):
    """L(w₁, w₂) = (1/n) Σᵢ (w₁·xᵢ + w₂ − yᵢ)² as a Landscape, minimum by least squares."""

    def residual(w1, w2):
        return np.asarray(w1)[..., None] * x + np.asarray(w2)[..., None] - y

    def f(w1, w2):
        return np.mean(residual(w1, w2) ** 2, axis=-1)

    def df(w1, w2):
        r = residual(w1, w2)
        return np.mean(2 * r * x, axis=-1), np.mean(2 * r, axis=-1)

    def d2f(w1, w2):
        return 2 * np.mean(x**2), 2 * np.mean(x), 2.0

    best, *_ = np.linalg.lstsq(np.stack([x, np.ones_like(x)], axis=1), y, rcond=None)
    return landscapes.Landscape(
        name="MSE of the line fit",
        formula=r"L(w_1, w_2) = \frac{1}{n}\sum_i (w_1 x_i + w_2 - y_i)^2",
        f=f,
        df=df,
        d2f=d2f,
        minima=best,
        window=((best[0] - 3.0, best[0] + 3.0), (best[1] - 3.0, best[1] + 3.0)),
        start=best + np.array([-2.0, 2.5]),
    )


def softplus(w):
    """log(1 + eʷ): the logistic loss of a logit w whose label is 0; its slope is σ(w)."""
    return np.logaddexp(0.0, w)


def difference_errors(steps, w=1.0):
    """|forward − f'(w)| and |central − f'(w)| for softplus at w, for each step h in ``steps``."""
    steps = np.asarray(steps, dtype=np.float64)
    exact = 1 / (1 + np.exp(-w))
    forward = (softplus(w + steps) - softplus(w)) / steps
    central = (softplus(w + steps) - softplus(w - steps)) / (2 * steps)
    return np.abs(forward - exact), np.abs(central - exact)


def _label_weights(ax, **label_options):
    ax.set_xlabel("w₁ (slope)", **label_options)
    ax.set_ylabel("w₂ (intercept)", **label_options)


@figure("01_loss_surface")
def loss_surface():
    """The MSE of a line fit over (w₁, w₂): contour lines beside the 3-D surface."""
    landscape = line_fit_landscape(*line_fit_data())
    fig = new_figure(13.0, 5.5)
    contour_ax = fig.add_subplot(1, 2, 1)
    plotting.contour(landscape, ax=contour_ax, title="Contours: the loss over (w₁, w₂)")
    surface_ax = fig.add_subplot(1, 2, 2, projection="3d")
    plotting.surface(landscape, ax=surface_ax, title="The same loss as a surface")
    _label_weights(contour_ax)
    _label_weights(surface_ax, labelpad=10)
    surface_ax.set_zlabel("loss L", labelpad=10)
    return fig


@figure("01_difference_errors")
def difference_error_slopes():
    """Error of forward and central differences against h, on log-log axes: slopes 1 and 2."""
    steps = np.logspace(-4, -1, 10)
    forward, central = difference_errors(steps)
    fig = new_figure(8.0, 5.5)
    ax = fig.add_subplot()
    ax.loglog(steps, forward, "o-", label="forward (f(w + h) − f(w)) / h")
    ax.loglog(steps, central, "s-", label="central (f(w + h) − f(w − h)) / 2h")
    ax.set_xlabel("step h")
    ax.set_ylabel("|estimate − f′(w)|")
    ax.set_title("Central differences: error ∝ h², forward ∝ h")
    ax.legend()
    return fig


# ---------------------------------------------------------------------------------------------
# The lesson's own plots, drawn onto the figure or axes its cell makes
# ---------------------------------------------------------------------------------------------


def draw_guesses(ax, x, y, model, guesses):
    """The data (x, y) as dots and each guess's line ŷ = model(x, w₁, w₂) over x in [0, 3].

    ``guesses`` maps a label to the guess's weights (w₁, w₂).
    """
    ax.plot(x, y, "o", color="black", markersize=4, label="data")
    ends = np.array([0.0, 3.0])
    for (label, (w1, w2)), color, dashes in zip(
        guesses.items(), plotting.COLORS, plotting.LINESTYLES, strict=False
    ):
        ax.plot(ends, model(ends, w1, w2), color=color, linestyle=dashes, label=label)
    ax.set(title="Two guesses for the same data", xlabel="input x", ylabel="target y")
    ax.legend()
    return ax


def draw_contour_and_surface(fig, landscape):
    """``plotting.contour`` (left) beside ``plotting.surface`` (right) of a loss over (w₁, w₂)."""
    flat = plotting.contour(
        landscape, ax=fig.add_subplot(1, 2, 1), title="Contours: the loss over (w₁, w₂)"
    )
    tall = plotting.surface(
        landscape, ax=fig.add_subplot(1, 2, 2, projection="3d"), title="The same loss as a surface"
    )
    for ax in (flat, tall):
        _label_weights(ax, labelpad=10)
    return fig


def draw_difference_errors(ax, steps, forward, central, forward_slope, central_slope):
    """|estimate − f′(w)| of forward and central differences against the step h, log-log, with
    the fitted slopes in the legend."""
    ax.loglog(steps, forward, "o-", label=f"forward: slope {forward_slope:.2f}")
    ax.loglog(steps, central, "s-", label=f"central: slope {central_slope:.2f}")
    ax.set(
        title="Error of the slope estimate against the step",
        xlabel="step h",
        ylabel="|estimate − f′(w)|",
    )
    ax.legend()
    return ax
