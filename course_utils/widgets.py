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
run headless (nbval) exercises the update too. ``path_line``, ``set_path`` and ``outcome`` are
the pieces of a path panel that every lesson's demo shares. ipywidgets and matplotlib are
imported inside the functions.
"""

import html
import io
import time

import numpy as np

from . import plotting
from .validation import positive, positive_int

__all__ = ["DEMO_DPI", "demo_figure", "log_slider", "Demo", "path_line", "set_path", "outcome"]

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


# ---------------------------------------------------------------------------------------------
# Pieces of a demo's path panel
# ---------------------------------------------------------------------------------------------


def path_line(ax, color, label, style="-o", zorder=3):
    """A path and a large dot where it ends (its head)."""
    (line,) = ax.plot(
        [], [], style, color=color, markersize=3, linewidth=2, label=label, zorder=zorder
    )
    (head,) = ax.plot([], [], "o", color=color, markersize=9, zorder=zorder + 1)
    return line, head


def set_path(path, trajectory):
    """Show ``trajectory`` on a ``path_line``: the whole path, and the head at its last point."""
    line, head = path
    points = plotting.nan_for_inf(trajectory.points)
    line.set_data(points[:, 0], points[:, 1])
    head.set_data(points[-1:, 0], points[-1:, 1])


def outcome(trajectory, landscape):
    """A run's ending in a few words: where it diverged, or how far above the minimum it is."""
    if trajectory.diverged:
        return trajectory.diverged.split(":")[0]
    return f"loss {trajectory.losses[-1] - landscape.min_value:.2g}"
