"""Downhill's helper package: reference update rules, optimizers, schedules, checks and plots.

Modules mirror the course map; import the one you need, e.g.
``from course_utils.optim import adam_update`` or ``from course_utils import landscapes``.
Submodules load on first use, so ``import course_utils`` stays fast and never imports
torch or matplotlib.
"""

import importlib

__version__ = "0.1.0"

_SUBMODULES = (
    "validation",
    "landscapes",
    "basins",
    "losses",
    "data",
    "optim",
    "schedules",
    "models",
    "network",
    "loss_slices",
    "range_test",
    "training",
    "plotting",
    "widgets",
    "checks",
    "demos",
    "figures",
    "release",
    "grading",
    "site",
)

__all__ = list(_SUBMODULES)


def __getattr__(name):
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module 'course_utils' has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + list(_SUBMODULES))
