"""The static figures in the repository's ``figures/`` folder, and the code that makes them.

Each lesson's key figures are made by small functions in ``course_utils/figures/<lesson>.py``,
registered with ``@figure("name")``; ``python -m course_utils figures`` (or ``regenerate()``)
runs them all and writes ``figures/<name>.png`` deterministically, so markdown cells and the
README can show them and a rerun changes no bytes.
"""

import functools
import importlib
from pathlib import Path

from .. import plotting

REPOSITORY_FIGURES = Path(__file__).resolve().parents[2] / "figures"

# One module per lesson that has figures, in course order.
LESSON_MODULES = (
    "loss_functions",
    "gradient_descent",
    "local_minima",
    "stochastic",
    "momentum",
    "adaptive",
    "adam",
    "schedules",
    "network",
)

_REGISTRY = {}


def figure(name):
    """Register a function that returns a matplotlib Figure as ``figures/<name>.png``.

    The function runs in the course style wherever it is called (``regenerate`` or a
    notebook), so every title and label it sets takes the style.
    """

    def register(make):
        if name in _REGISTRY:
            raise ValueError(f"two figures are both called {name!r}")

        @functools.wraps(make)
        def styled(*args, **kwargs):
            with plotting.course_style():
                return make(*args, **kwargs)

        _REGISTRY[name] = styled
        return styled

    return register


def new_figure(width, height):
    """An empty constrained-layout Figure of ``width`` × ``height`` inches, outside pyplot."""
    plotting.load_matplotlib()
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def names():
    """Every registered figure's name, in course order."""
    _load_lessons()
    return list(_REGISTRY)


def regenerate(folder=None, only=None):
    """Make every figure (or just those named in ``only``) and return the paths written."""
    _load_lessons()
    folder = Path(folder) if folder is not None else REPOSITORY_FIGURES
    unknown = set(only or ()) - set(_REGISTRY)
    if unknown:
        raise ValueError(f"no figure called {', '.join(sorted(unknown))}; choose from {names()}")
    written = []
    for name, make in _REGISTRY.items():
        if only is None or name in only:
            written.append(plotting.save(make(), name, folder=folder))
    return written


def _load_lessons():
    for module in LESSON_MODULES:
        importlib.import_module(f"{__name__}.{module}")
