r"""Interactive lecture demos that redraw in well under 100 ms.

A ``Demo`` keeps one matplotlib figure alive and changes its artists in place (``set_data``,
``set_text``) instead of plotting again; after each change it renders the figure to PNG bytes
and puts them in an ``ipywidgets.Image``. So a slider drag costs one cheap redraw, and the
picture is widget state: it is saved with the notebook (a static site shows it) and a test
can read it::

    fig, ax = demo_figure()
    (line,) = ax.plot([], [])

    def update(lr):
        trajectory = descend(landscape, lr=lr, on_divergence="stop")
        line.set_data(trajectory.points.T)
        return trajectory

    demo = Demo(fig, update, {"lr": ipywidgets.FloatLogSlider(value=0.1, min=-3, max=0)})
    demo            # the last line of a cell shows it

``Demo`` draws once as soon as it is made, with the controls' starting values, so a notebook
run headless (nbval) exercises the update too. ``learning_rate_explorer`` is the ready-made
demo of lesson 02. ipywidgets and matplotlib are imported inside the functions.
"""

import html
import io
import time

import numpy as np

from . import plotting
from .training import as_landscape, descend, optimizer_class, start_point
from .validation import positive, positive_int

__all__ = ["Demo", "demo_figure", "log_slider", "learning_rate_explorer"]

# Small and coarse on purpose: a redraw must stay well under 100 ms on a laptop, and PNG
# encoding grows with the pixel count. The image is shown at its natural size.
DEMO_DPI = 80


def demo_figure(nrows=1, ncols=1, figsize=(9.0, 4.0), dpi=DEMO_DPI, **subplot_kw):
    """A figure for a ``Demo``, in the course style; returns ``(fig, axes)`` like plt.subplots.

    The figure is not managed by pyplot, so Jupyter does not show it a second time below the
    widget; it draws with Agg, into memory.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    with plotting.course_style():
        fig = Figure(figsize=figsize, dpi=positive_int("dpi", dpi))
        FigureCanvasAgg(fig)
        axes = fig.subplots(
            positive_int("nrows", nrows), positive_int("ncols", ncols), **subplot_kw
        )
    return fig, axes


def log_slider(description, value, low, high, width="400px"):
    """A slider for a positive quantity such as η, spaced evenly in log10 from low to high.

    200 positions: fine enough that a drag looks continuous, coarse enough that each key press
    changes the picture.
    """
    import ipywidgets

    low, high = positive("low", low), positive("high", high)
    if not low < high:
        raise ValueError(f"log_slider needs low < high, got low={low!r}, high={high!r}")
    return ipywidgets.FloatLogSlider(
        value=value,
        base=10,
        min=np.log10(low),
        max=np.log10(high),
        step=(np.log10(high) - np.log10(low)) / 200,
        description=description,
        readout_format=".3g",
        style={"description_width": "initial"},
        layout=ipywidgets.Layout(width=width),
    )


def _freeze_layout(figure):
    """Keep the layout of the last draw: re-solving it would cost half of every redraw."""
    import matplotlib

    with matplotlib.rc_context({"figure.constrained_layout.use": False}):
        figure.set_layout_engine(None)


class Demo:
    """A persistent figure, an ``update(**values)`` that changes its artists, and controls.

    ``controls`` maps each keyword of ``update`` to an ipywidget with a ``value`` (a slider,
    a dropdown, a checkbox...). Whenever a value changes, ``update`` is called with all
    current values and the figure is rendered to ``image`` (an ``ipywidgets.Image``).
    Display ``demo`` (or ``demo.widget``) to show the controls above the picture.

    ``animated`` (optional) lists the artists that ``update`` changes: lines, texts, or whole
    axes whose limits move. Everything else is drawn once and kept as a picture, and each
    redraw paints only these on top (matplotlib's blitting), which keeps demos with detailed
    contour plots fast. Without it the whole figure is drawn every time. Either way the
    layout is computed once, at the first draw.

    ``result`` is what ``update`` last returned (e.g. the trajectory it drew);
    ``last_redraw_ms`` and ``redraw_ms`` time each update plus render. An error raised by
    ``update`` while someone drags a slider is shown in red below the picture (and kept in
    ``error``) instead of vanishing into the browser console; the first draw, when the demo
    is made, raises it normally.
    """

    def __init__(self, figure, update, controls, animated=None):
        import ipywidgets
        from matplotlib.artist import Artist
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        if not isinstance(figure, Figure):
            raise TypeError(f"figure must be a matplotlib Figure (see demo_figure), got {figure!r}")
        if not callable(update):
            raise TypeError(f"update must be a function update(**values), got {update!r}")
        if not isinstance(controls, dict) or not controls:
            raise TypeError(f"controls must be a non-empty dict {{name: widget}}, got {controls!r}")
        for name, control in controls.items():
            if not isinstance(control, ipywidgets.ValueWidget):
                raise TypeError(
                    f"controls[{name!r}] must be an ipywidget with a value, got {control!r}"
                )
        if animated is not None:
            animated = list(animated)
            for index, artist in enumerate(animated):
                if not isinstance(artist, Artist) or artist.get_figure(root=True) is not figure:
                    raise ValueError(
                        f"animated[{index}] must be an artist of this figure, got {artist!r}"
                    )
        if not isinstance(figure.canvas, FigureCanvasAgg):
            FigureCanvasAgg(figure)
        self.figure = figure
        self.update = update
        self.controls = dict(controls)
        self.animated = animated
        self.image = ipywidgets.Image(format="png")
        self.status = ipywidgets.HTML()
        self.widget = ipywidgets.VBox(
            [ipywidgets.HBox(list(self.controls.values())), self.image, self.status]
        )
        self.result = None
        self.error = None
        self.redraw_ms = []
        self._background = None
        self._holding = False
        self.redraw()
        for control in self.controls.values():
            control.observe(self._on_change, names="value")

    @property
    def values(self):
        """The current value of every control, by name."""
        return {name: control.value for name, control in self.controls.items()}

    @property
    def last_redraw_ms(self):
        """How long the latest update plus render took, in milliseconds."""
        return self.redraw_ms[-1]

    def redraw(self):
        """Call ``update`` with the current values and render the figure into ``image``."""
        start = time.perf_counter()
        self.result = self.update(**self.values)
        self._render()
        self.image.value = self._png()
        self.redraw_ms.append((time.perf_counter() - start) * 1000)

    def _render(self):
        canvas = self.figure.canvas
        if self._background is None:
            self.figure.draw_without_rendering()
            _freeze_layout(self.figure)
        if self.animated is None:
            canvas.draw()
            return
        if self._background is None:
            # matplotlib leaves animated artists out of a full draw: that draw is the background.
            for artist in self.animated:
                artist.set_animated(True)
            canvas.draw()
            self._background = canvas.copy_from_bbox(self.figure.bbox)
        canvas.restore_region(self._background)
        for artist in self.animated:
            self.figure.draw_artist(artist)

    def _png(self):
        from PIL import Image

        canvas = self.figure.canvas
        pixels = Image.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba())
        buffer = io.BytesIO()
        pixels.save(buffer, format="png", compress_level=1)  # zlib's fastest: 3× level 6
        return buffer.getvalue()

    def set(self, **values):
        """Set several controls at once, then redraw once (handy in lectures and tests)."""
        unknown = set(values) - set(self.controls)
        if unknown:
            raise ValueError(
                f"no control called {', '.join(sorted(unknown))}; the controls are "
                f"{', '.join(self.controls)}"
            )
        self._holding = True
        try:
            for name, value in values.items():
                self.controls[name].value = value
        finally:
            self._holding = False
        self._on_change()

    def _on_change(self, change=None):
        if self._holding:
            return
        try:
            self.redraw()
        except Exception as error:  # shown to the learner: a traitlets callback would hide it
            self.error = error
            self.status.value = (
                f'<span style="color:{plotting.OKABE_ITO["vermillion"]}">'
                f"{html.escape(type(error).__name__)}: {html.escape(str(error))}</span>"
            )
        else:
            self.error = None
            self.status.value = ""

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)

    def __repr__(self):
        return f"<Demo with controls {', '.join(self.controls)}>"


def _default_lr_range(landscape, cls):
    """A slider range that spans crawling, converging and diverging for this landscape.

    Gradient descent is stable near a minimum while η < 2/λmax (λmax the largest Hessian
    eigenvalue there); the range runs from a thousandth of that edge to four times it, past
    the momentum edge 2(1 + ρ)/λmax too. Adaptive methods take steps of about η in weight
    units instead, so their range follows the size of the plotting window.
    """
    from . import optim

    if cls is optim.SGD:
        curvature = np.max(np.linalg.eigvalsh(landscape.hessian(landscape.global_minimum)))
        edge = 2.0 / curvature
        return edge / 1000, 4 * edge
    (x_min, x_max), (y_min, y_max) = landscape.window
    size = max(x_max - x_min, y_max - y_min)
    return size * 1e-4, size


def learning_rate_explorer(
    landscape,
    optimizer="sgd",
    lr=None,
    lr_range=None,
    steps=50,
    *,
    start=None,
    **hyperparameters,
):
    """A learning-rate slider (log scale) over the path on the contours and the loss curve.

    Drag it to see η too small (crawling), about right, too large (zig-zag) and divergent:
    a diverging run says "diverged at step N" in the title instead of raising. ``optimizer``
    and ``hyperparameters`` are as in ``training.descend``; ``lr_range`` defaults to a range
    that spans all four behaviours for this landscape, ``lr`` to its geometric middle. The
    loss curve shows f(w) − f(w*), the distance to the minimum value, on a log axis, where a
    steady convergence rate is a straight line.
    """
    from matplotlib.ticker import LogLocator, NullFormatter

    landscape = as_landscape(landscape)
    cls, _, name = optimizer_class(optimizer)
    steps = positive_int("steps", steps)
    low, high = _lr_range(lr_range, landscape, cls)
    lr = float(np.sqrt(low * high)) if lr is None else positive("lr", lr)
    if not low <= lr <= high:
        raise ValueError(f"lr must lie in lr_range [{low:g}, {high:g}], got {lr:g}")

    with plotting.course_style():
        fig, (ax_path, ax_loss) = demo_figure(1, 2, figsize=(10.0, 4.2))
        plotting.contour(landscape, ax=ax_path, title="Path in the weight plane", legend=False)
        color = plotting.COLORS[0]
        ax_path.plot(
            *start_point(start, landscape),
            "o",
            markersize=11,
            markerfacecolor="white",
            markeredgecolor=color,
            markeredgewidth=2.5,
            zorder=4,
        )
        (path,) = ax_path.plot([], [], "-o", color=color, markersize=3, linewidth=2, zorder=3)
        (head,) = ax_path.plot([], [], "o", color=color, markersize=9, zorder=4)
        (curve,) = ax_loss.plot([], [], color=color)
        ax_loss.set_yscale("log")
        # A few decades labelled, minor ticks unlabelled: tick text is most of a redraw's cost.
        ax_loss.yaxis.set_major_locator(LogLocator(numticks=5))
        ax_loss.yaxis.set_minor_formatter(NullFormatter())
        ax_loss.set_xlim(0, steps)
        ax_loss.set_xlabel("step")
        ax_loss.set_ylabel("loss − minimum (log)")
        ax_loss.set_title("Loss")
        title = fig.suptitle("")

    def update(lr):
        trajectory = descend(
            landscape, start, optimizer, steps, lr=lr, on_divergence="stop", **hyperparameters
        )
        points = plotting.nan_for_inf(trajectory.points)
        path.set_data(points[:, 0], points[:, 1])
        head.set_data(points[-1:, 0], points[-1:, 1])
        gap = plotting.nan_for_inf(trajectory.losses - landscape.min_value)
        gap[gap <= 0] = 1e-16  # exactly at the minimum: show it at the floor of the log axis
        curve.set_data(np.arange(len(gap)), gap)
        shown = gap[np.isfinite(gap)]
        ax_loss.set_ylim(max(shown.min(), 1e-16) / 3, shown.max() * 3)
        ending = trajectory.diverged.split(":")[0] if trajectory.diverged else None
        title.set_text(
            f"{name} on {landscape.name}, lr = {lr:.3g}" + (f" — {ending}" if ending else "")
        )
        title.set_color(plotting.OKABE_ITO["vermillion"] if ending else plotting.OKABE_ITO["black"])
        return trajectory

    slider = log_slider("learning rate η", lr, low, high, width="560px")
    # Only the loss axis's y ticks move with η: the rest of that panel stays in the background.
    animated = [path, head, ax_loss.yaxis, curve, title]
    return Demo(fig, update, {"lr": slider}, animated=animated)


def _lr_range(lr_range, landscape, cls):
    if lr_range is None:
        return _default_lr_range(landscape, cls)
    try:
        low, high = lr_range
    except (TypeError, ValueError):
        raise TypeError(f"lr_range must be a pair (min, max), got {lr_range!r}") from None
    low, high = positive("lr_range[0]", low), positive("lr_range[1]", high)
    if not low < high:
        raise ValueError(f"lr_range must be (min, max) with min < max, got {lr_range!r}")
    return low, high
