"""The static figures in the repository's ``figures/`` folder, and the code that makes them.

Each lesson's key figures are made by small functions in
``course_utils/lessons/<lesson>/figures.py``, registered with ``@figure("name")``;
``python -m course_utils figures`` (or ``regenerate()``) runs them all and writes
``figures/<name>.png`` deterministically, so markdown cells and the README can show them and
a rerun changes no bytes.
"""

import functools
import importlib
import importlib.util
from pathlib import Path

from . import lessons, plotting

REPOSITORY_FIGURES = Path(__file__).resolve().parents[1] / "figures"

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
    """Every registered figure's name, in course order (a name starts with its lesson's number)."""
    _load_lessons()
    # stable: a lesson's figures keep the order its module defines them in
    return sorted(_REGISTRY, key=lambda name: name.split("_")[0])


def regenerate(folder=None, only=None):
    """Make every figure (or just those named in ``only``) and return the paths written."""
    _load_lessons()
    folder = Path(folder) if folder is not None else REPOSITORY_FIGURES
    unknown = set(only or ()) - set(_REGISTRY)
    if unknown:
        raise ValueError(f"no figure called {', '.join(sorted(unknown))}; choose from {names()}")
    chosen = [name for name in names() if only is None or name in only]
    return [plotting.save(_REGISTRY[name](), name, folder=folder) for name in chosen]


def _load_lessons():
    for lesson in lessons.LESSONS:
        if importlib.util.find_spec(f"{lessons.__name__}.{lesson}.figures") is not None:
            importlib.import_module(f"{lessons.__name__}.{lesson}.figures")
