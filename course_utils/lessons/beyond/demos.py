r"""Lesson 13's networks and pictures: runs of SGD, and slices of the loss around them.

Lesson 13 trains networks with ``train_sgd`` (a flatter and a sharper solution with the
recipes of ``SHARP_AND_FLAT``) and draws slices of the loss (``loss_slices``, ``curves``):
``slice_curves(alphas, {label: losses})`` for lines and curves, ``contour_panels(alphas,
{label: Z})`` for planes side by side on the same contour levels. torch and matplotlib are
imported inside the functions.
"""

import numpy as np

from ... import network, optim, plotting
from ...validation import positive_int

__all__ = [
    "SHARP_AND_FLAT",
    "train_sgd",
    "slice_curves",
    "contour_panels",
]

# Two recipes for SGD with momentum 0.9 from the same initial weights that reach about the same
# training loss (≈ 0.01): small noisy batches, and the whole training set at every step. The
# first is the lesson's recipe for every other network, so its seed-0 run serves both.
SHARP_AND_FLAT = {
    "flatter: batches of 32": {"batch_size": 32, "lr": 0.05, "epochs": 6},
    "sharper: full batch": {"batch_size": None, "lr": 0.5, "epochs": 22},
}


def train_sgd(
    digits, *, lr, batch_size, epochs, momentum=0.9, seed=0, hidden=(128,), on_divergence="raise"
):
    """``(model, run)``: a fresh ``network.mlp`` trained by SGD with momentum.

    The optimizer is the course's ``optim.SGD`` on ``network.numpy_parameters(model)``, which
    computes what ``torch.optim.SGD`` does; building a torch.optim optimizer first imports
    torch's compiler (about 1.5 s), which this lesson never needs. ``batch_size=None`` uses
    the whole training set at every step (full-batch GD); a run that diverges raises, or with
    ``on_divergence="stop"`` ends there (see ``network.fit``).
    """

    def sgd_with_momentum(model):
        parameters = network.numpy_parameters(model)
        return optim.SGD(parameters, lr=lr, momentum=momentum), None

    batch_size = len(digits.X_train) if batch_size is None else batch_size
    options = {"epochs": epochs, "batch_size": batch_size, "on_divergence": on_divergence}
    options["progress"] = False  # a figure or a notebook cell trains several: no bars
    return network.fit_mlp(digits, sgd_with_momentum, hidden=hidden, seed=seed, **options)


def slice_curves(alphas, curves, ax=None, *, marks=None, xlabel="α", title=None, log=False):
    """One line per entry of ``{label: losses}`` against ``alphas``; ``marks`` ({α: name})
    draws a dotted vertical line at each named point, its name on the top edge."""
    alphas = np.asarray(alphas, dtype=np.float64)
    with plotting.course_style():
        ax = ax if ax is not None else plotting.pyplot_figure(8.0, 5.0).add_subplot()
        for index, (label, losses) in enumerate(curves.items()):
            losses = np.asarray(losses, dtype=np.float64)
            if losses.shape != alphas.shape:
                raise ValueError(
                    f"the losses of {label!r} have shape {losses.shape}, alphas {alphas.shape}"
                )
            ax.plot(
                alphas, losses, color=plotting.COLORS[index % len(plotting.COLORS)], label=label
            )
        title_pad = None  # the style's
        if marks:
            for alpha in marks:
                ax.axvline(alpha, color="0.4", linestyle=":", linewidth=1.5)
            top = ax.secondary_xaxis("top")  # the names go along the top edge, out of the way
            top.set_xticks(list(marks), labels=list(marks.values()))
            top.tick_params(length=0)
            # the course style fixes the title's height, so lift it over the names by hand
            name_size = top.get_xticklabels()[0].get_size()
            title_pad = plotting.load_matplotlib().rcParams["axes.titlepad"] + 1.5 * name_size
        if log:
            ax.set_yscale("log")
        ax.set_xlabel(xlabel)
        ax.set_ylabel("loss (log scale)" if log else "loss")
        if title:
            ax.set_title(title, pad=title_pad)
        ax.legend(loc="best")
    return ax


def contour_panels(alphas, grids, fig=None, *, radius=None, levels=12):
    r"""Contours of each ``{label: Z}`` grid (``loss_slices.loss_grid``, on alphas × alphas)
    side by side, on the same levels (evenly spaced in log loss), so equal colors mean equal
    loss in every panel. The trained weights sit at the center (+); ``radius`` draws a
    dashed circle $\alpha^2 + \beta^2 = r^2$. Returns the figure."""
    from matplotlib import colormaps
    from matplotlib.ticker import MaxNLocator

    alphas = np.asarray(alphas, dtype=np.float64)
    positive_int("levels", levels)
    every = np.concatenate([np.ravel(z) for z in grids.values()])
    heights = np.geomspace(max(every.min(), 1e-4), every.max(), levels + 1)[1:]
    colors = colormaps["viridis"](np.linspace(0.0, 0.9, len(heights)))
    with plotting.course_style():
        fig = fig if fig is not None else plotting.pyplot_figure(5.2 * len(grids), 5.0)
        axes = fig.subplots(1, len(grids), squeeze=False)[0]
        for ax, (label, z) in zip(axes, grids.items(), strict=True):
            lines = ax.contour(alphas, alphas, z, levels=heights, colors=colors, linewidths=1.5)
            ax.clabel(lines, lines.levels[::3], fmt="%.2g", fontsize=10)
            ax.plot(0, 0, "+", color="black", markersize=14, markeredgewidth=2.5)
            if radius is not None:
                circle = np.linspace(0, 2 * np.pi, 200)
                ax.plot(
                    radius * np.cos(circle),
                    radius * np.sin(circle),
                    "--",
                    color="0.3",
                    linewidth=1.5,
                )
            ax.set_aspect("equal")
            ax.xaxis.set_major_locator(MaxNLocator(5))
            ax.yaxis.set_major_locator(MaxNLocator(5))
            ax.grid(False)
            ax.set_title(label)
            ax.set_xlabel("α (direction 1)")
        axes[0].set_ylabel("β (direction 2)")
    return fig
