"""Lesson: choosing the learning rate.

Its checks are importable from here; its demos and figures from its ``demos`` and
``figures`` modules.
"""

from .checks import *  # noqa: F403
