"""Lesson: training a network.

Its checks are importable from here; its demos and figures from its ``demos`` and
``figures`` modules.
"""

from .checks import *  # noqa: F403
from .loop_checks import *  # noqa: F403
from .questions import *  # noqa: F403
