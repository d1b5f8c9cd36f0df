r"""Interactive lecture demos that redraw in well under 100 ms.

A ``Demo`` keeps one matplotlib figure alive and changes its artists in place (``set_data``,
``set_text``) instead of plotting again; after each change it renders the figure to PNG bytes
and puts them in an ``ipywidgets.Image``. So a slider drag costs one cheap redraw, and the
picture is widget state: it is saved with the notebook (a static site shows it) and a test
can read it::

    fig, ax = demo_figure()
    (line,) = ax.plot([], [])

    def update(lr):
        run = descend(landscape, lr=lr, on_divergence="stop")
        line.set_data(run.points.T)
        return run

    demo = Demo(fig, update, {"lr": ipywidgets.FloatLogSlider(value=0.1, min=-3, max=0)})
    demo            # the last line of a cell shows it

``Demo`` draws once as soon as it is made, with the controls' starting values, so a notebook
run headless (nbval) exercises the update too. The pieces every lesson's demo shares: a path
panel (``start_marker``, ``path_line`` and ``set_path``), a loss panel (``loss_panel`` and
``set_loss``), and a title that reports the run (``outcome``, ``show_status``). ipywidgets and
matplotlib are imported inside the functions.
"""

import html
import io
import time

import numpy as np

from . import plotting
from .plotting import start_marker
from .validation import positive, positive_int

__all__ = [
    "DEMO_DPI",
    "demo_figure",
    "log_slider",
    "selection_slider",
    "Demo",
    "start_marker",
    "path_line",
    "set_path",
    "loss_panel",
    "set_loss",
    "outcome",
    "show_status",
]

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


def selection_slider(description, options, value, width="300px"):
    """A slider that steps through ``options`` (a few chosen values, such as β = 0.9, 0.99)."""
    import ipywidgets

    return ipywidgets.SelectionSlider(
        options=options,
        value=value,
        description=description,
        style={"description_width": "initial"},
        layout=ipywidgets.Layout(width=width),
    )


# Read by screen readers, not shown: the usual "visually hidden" CSS, inline so that it works
# in JupyterLab too.
_VISUALLY_HIDDEN = (
    '<span style="position:absolute;width:1px;height:1px;margin:-1px;padding:0;'
    'overflow:hidden;clip:rect(0,0,0,0);white-space:nowrap;border:0">Picture: {}</span>'
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

    ``alt`` (an ``ipywidgets.HTML``, visually hidden) says in words what the picture shows,
    from the figure's titles, labels and legends (``plotting.alt_text``), rewritten on each
    redraw: screen readers read it, and the course site makes it the picture's alt text.

    ``result`` is what ``update`` last returned (e.g. the run it drew);
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
        # The picture's text alternative, for screen readers only (the course site makes it
        # the picture's alt): ipywidgets' Image has no alt of its own.
        self.alt = ipywidgets.HTML(_dom_classes=["downhill-alt"])
        self.status = ipywidgets.HTML()
        self.widget = ipywidgets.VBox(
            [ipywidgets.HBox(list(self.controls.values())), self.image, self.alt, self.status]
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
        alt = _VISUALLY_HIDDEN.format(html.escape(plotting.alt_text(self.figure)))
        if self.alt.value != alt:
            self.alt.value = alt
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
# Pieces of a demo's panels: the path, the loss, the title
# ---------------------------------------------------------------------------------------------


def path_line(ax, color, label=None, style="-o", zorder=3, *, markersize=3, linewidth=2, head=9):
    """An empty path for ``set_path``: a line, and a large dot of size ``head`` where it ends
    (None: no dot). Returns the artists, to animate."""
    line_style = {"markersize": markersize, "linewidth": linewidth, "zorder": zorder}
    (line,) = ax.plot([], [], style, color=color, label=label, **line_style)
    if head is None:
        return (line,)
    (dot,) = ax.plot([], [], "o", color=color, markersize=head, zorder=zorder + 1)
    return line, dot


def set_path(path, run):
    """Show a run's points on a ``path_line``: the whole path, and its head at the last one."""
    line, *head = path
    points = plotting.nan_for_inf(run.points)
    line.set_data(points[:, 0], points[:, 1])
    for dot in head:
        dot.set_data(points[-1:, 0], points[-1:, 1])


def loss_panel(ax, steps, *, ylabel="loss − minimum (log)", xlabel="step", decades=5, minor=False):
    """Axes for a loss curve over ``steps`` steps, on a log scale.

    At most ``decades`` labelled decades, and minor ticks unlabelled (``minor=True``) or left
    out: tick text is most of a redraw's cost when the axis moves. ``decades=None`` leaves the
    ticks to matplotlib.
    """
    from matplotlib.ticker import LogLocator, NullFormatter, NullLocator

    ax.set_yscale("log")
    if decades is not None:
        ax.yaxis.set_major_locator(LogLocator(numticks=decades))
        if minor:
            ax.yaxis.set_minor_formatter(NullFormatter())
        else:
            ax.yaxis.set_minor_locator(NullLocator())
    ax.set_xlim(0, steps)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)


def set_loss(curve, run, minimum=0.0, *, floor=1e-16, spacing=1):
    """Show a run's loss above ``minimum`` on a ``loss_panel``'s curve; return those gaps.

    Gaps at or below ``floor`` are drawn at the floor (a log axis cannot show 0); a loss that
    overflowed is left out. Point k is drawn at x = k · ``spacing``.
    """
    gap = np.maximum(plotting.nan_for_inf(run.losses) - minimum, floor)
    curve.set_data(np.arange(len(gap)) * spacing, gap)
    return gap


def outcome(run, landscape):
    """A run's ending in a few words: where it diverged, or how far above the minimum it is."""
    if run.status == "diverged":
        return run.ending
    return f"loss {run.losses[-1] - landscape.min_value:.2g}"


def show_status(title, text, run, *, alarm=None):
    """Set a demo's title to ``text``: vermillion when ``run`` diverged (or when ``alarm``,
    if given, is true), black otherwise."""
    alarm = run.status == "diverged" if alarm is None else alarm
    title.set_text(text)
    title.set_color(plotting.OKABE_ITO["vermillion" if alarm else "black"])
