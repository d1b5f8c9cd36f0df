"""Downhill's helper package: reference update rules, optimizers, schedules, checks and plots.

The shared core (landscapes, losses, data, models, optim, schedules, runs, training,
plotting, widgets, the check engine ``checks``) sits at the top; ``course_utils.lessons`` holds one
package per lesson, named after its notebook; ``course_utils.instructor`` what instructors run.
Import what you need, e.g. ``from course_utils.optim import adam_update`` or
``from course_utils.lessons.adam import demos``.
Submodules load on first use, so ``import course_utils`` stays fast and never imports
torch or matplotlib.
"""

import importlib

__version__ = "0.1.0"

_SUBMODULES = (
    # the shared core, below every lesson
    "validation",
    "landscapes",
    "losses",
    "data",
    "models",
    "optim",
    "schedules",
    "runs",
    "training",
    "regression",
    "adaptive",
    "network",
    "plotting",
    "widgets",
    "checks",
    "figures",
    # one package per lesson, and what instructors run
    "lessons",
    "instructor",
)

__all__ = list(_SUBMODULES)


def __getattr__(name):
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module 'course_utils' has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + list(_SUBMODULES))
