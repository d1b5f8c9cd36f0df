"""Lesson: beyond.

Its checks are importable from here; the rest from its modules: ``averaging`` (weights or
predictions), ``curves`` (a low-loss Bézier path between two solutions), ``loss_slices``
(lines and planes through the loss), ``demos`` (training runs and pictures) and ``figures``.
"""

from .checks import *  # noqa: F403
