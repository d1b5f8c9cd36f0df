"""Checks for the exercises: ``check_<exercise>(fn)`` prints one line or raises ``CheckFailed``.

Each check runs the learner's function on seeded cases, compares it with the reference solution
in ``course_utils`` and, for known mistakes, says the likely cause. ``feedback`` holds the
machinery (and how to write a new check); one module per topic holds the checks.
"""

from .feedback import CheckFailed
from .gradient_descent import check_gradient_descent
from .local_minima import check_classify_critical_point
from .losses import check_cross_entropy, check_mse
from .network import check_filter_normalize, check_training_choice
from .optim import (
    check_adagrad_update,
    check_adam_update,
    check_momentum_update,
    check_rmsprop_update,
    check_sgd_update,
)
from .schedules import check_cosine_lr, check_should_stop, check_triangular2_lr
from .stochastic import check_minibatch_gradient, check_per_example_gradients, check_sgd_epoch
from .warmup import check_slope

__all__ = [
    "CheckFailed",
    "check_slope",
    "check_mse",
    "check_cross_entropy",
    "check_sgd_update",
    "check_gradient_descent",
    "check_classify_critical_point",
    "check_per_example_gradients",
    "check_sgd_epoch",
    "check_minibatch_gradient",
    "check_momentum_update",
    "check_adagrad_update",
    "check_rmsprop_update",
    "check_adam_update",
    "check_training_choice",
    "check_filter_normalize",
    "check_cosine_lr",
    "check_triangular2_lr",
    "check_should_stop",
]
