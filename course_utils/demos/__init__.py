"""Lecture demos, one module per lesson: each builds an interactive figure in one call.

They stand on ``course_utils.widgets.Demo`` (a persistent figure redrawn in place) and run
once with their defaults when a notebook is executed headless.
"""
