"""check_adagrad_update passes AdaGrad rules however written, and names the mistake in wrong ones.

The wrong rules below are written here, independently of the check's own mutant list, the way a
learner (or a published summary) would write them. The check's cases and mutants themselves are
tested with every update rule's, in tests/test_rule_checks.py.
"""

import numpy as np

from course_utils import optim
from course_utils.lessons.adagrad import check_adagrad_update

from ..checking import check_tests

# ---------------------------------------------------------------------------------------------
# Right rules, written in different ways, pass
# ---------------------------------------------------------------------------------------------


def adagrad_renamed_with_power_and_divide(theta, dtheta, cache, lr=1e-2, eps=1e-10):
    cache = cache + np.power(dtheta, 2)
    return theta - lr * np.divide(dtheta, np.power(cache, 0.5) + eps), cache


RIGHT = [optim.adagrad_update, adagrad_renamed_with_power_and_divide]


# ---------------------------------------------------------------------------------------------
# Wrong rules fail, and the message names the mistake
# ---------------------------------------------------------------------------------------------


def adagrad_unsquared(w, grad, sum_sq, lr=1e-2, eps=1e-10):
    sum_sq = sum_sq + grad
    return w - lr * grad / (np.sqrt(sum_sq) + eps), sum_sq


def adagrad_no_root(w, grad, sum_sq, lr=1e-2, eps=1e-10):
    sum_sq = sum_sq + grad**2
    return w - lr * grad / (sum_sq + eps), sum_sq


def adagrad_eps_in_root(w, grad, sum_sq, lr=1e-2, eps=1e-10):
    sum_sq = sum_sq + grad**2
    return w - lr * grad / np.sqrt(sum_sq + eps), sum_sq


def adagrad_eps_on_weight(w, grad, sum_sq, lr=1e-2, eps=1e-10):
    sum_sq = sum_sq + grad**2
    return w - lr * grad / np.sqrt(sum_sq) + eps, sum_sq


def adagrad_returns_old_sum(w, grad, sum_sq, lr=1e-2, eps=1e-10):
    new_sum_sq = sum_sq + grad * grad
    return w - lr * grad / (np.sqrt(new_sum_sq) + eps), sum_sq.copy()


def adagrad_math_sqrt(w, grad, sum_sq, lr=1e-2, eps=1e-10):
    import math

    sum_sq = sum_sq + grad**2
    return w - lr * grad / (math.sqrt(sum_sq) + eps), sum_sq


WRONG = [
    (adagrad_unsquared, "not squared: G ← G + g²"),
    (adagrad_no_root, "the square root is missing"),
    (adagrad_eps_in_root, "ε is inside the square root"),
    (adagrad_eps_on_weight, "ε is added to the weights"),
    (adagrad_returns_old_sum, "return the `sum_sq` you were given"),
    (adagrad_math_sqrt, "raised TypeError: only 0-dimensional arrays"),
]


# ---------------------------------------------------------------------------------------------
# More wrong rules: a student's slips and an adversarial grader's probes. Each must fail; the
# diagnosis is asserted where the check names one, else the start of the message.
# ---------------------------------------------------------------------------------------------


def adagrad_no_eps(w, grad, sum_sq, lr=1e-2, eps=1e-10):
    sum_sq = sum_sq + grad**2
    return w - lr * grad / np.sqrt(sum_sq), sum_sq


def adagrad_no_eps_but_guarded(w, grad, sum_sq, lr=1e-2, eps=1e-10):
    sum_sq = sum_sq + grad**2
    return w - lr * grad / np.sqrt(np.where(sum_sq > 0, sum_sq, 1.0)), sum_sq


def adagrad_eps_squared_in_root(w, grad, sum_sq, lr=1e-2, eps=1e-10):
    sum_sq = sum_sq + grad**2
    return w - lr * grad / np.sqrt(sum_sq + eps**2), sum_sq


def adagrad_eps_on_the_ratio(w, grad, sum_sq, lr=1e-2, eps=1e-10):
    sum_sq = sum_sq + grad**2
    return w - lr * (grad / np.sqrt(sum_sq) + eps), sum_sq


def adagrad_absolute_gradient(w, grad, sum_sq, lr=1e-2, eps=1e-10):
    sum_sq = sum_sq + np.abs(grad)
    return w - lr * grad / (np.sqrt(sum_sq) + eps), sum_sq


def adagrad_times_two(w, grad, sum_sq, lr=1e-2, eps=1e-10):
    sum_sq = sum_sq + grad * 2
    return w - lr * grad / (np.sqrt(sum_sq) + eps), sum_sq


def adagrad_one_sum_for_all_weights(w, grad, sum_sq, lr=1e-2, eps=1e-10):
    sum_sq = sum_sq + np.sum(grad**2)
    return w - lr * grad / (np.sqrt(sum_sq) + eps), sum_sq


def adagrad_keeps_the_root(w, grad, sum_sq, lr=1e-2, eps=1e-10):
    root = np.sqrt(sum_sq + grad**2)
    return w - lr * grad / (root + eps), root


def adagrad_with_lr_decay(w, grad, sum_sq, lr=1e-2, eps=1e-10):
    adagrad_with_lr_decay.step = getattr(adagrad_with_lr_decay, "step", 0) + 1
    lr = lr / (1 + (adagrad_with_lr_decay.step - 1) * 0.01)  # torch's lr_decay=0.01
    sum_sq = sum_sq + grad**2
    return w - lr * grad / (np.sqrt(sum_sq) + eps), sum_sq


def adagrad_add_out_sum_sq(w, grad, sum_sq, lr=1e-2, eps=1e-10):
    np.add(sum_sq, grad**2, out=sum_sq)
    return w - lr * grad / (np.sqrt(sum_sq) + eps), sum_sq


def adagrad_wrong_default_lr(w, grad, sum_sq, lr=1e-3, eps=1e-10):
    return optim.adagrad_update(w, grad, sum_sq, lr, eps)


MORE_WRONG = [
    (adagrad_no_eps, "ε is missing"),
    (adagrad_no_eps_but_guarded, "ε is missing"),
    (adagrad_eps_squared_in_root, "not √(G + ε²)"),
    (adagrad_eps_on_the_ratio, "ε is added to the ratio g / √G"),
    (adagrad_absolute_gradient, "G adds |g|"),
    (adagrad_times_two, "grad*2 doubles the gradient"),
    (adagrad_one_sum_for_all_weights, "G is one number for all weights"),
    (adagrad_keeps_the_root, "you return √G as the new state"),
    (adagrad_with_lr_decay, "returned a wrong `w` on case 2 of 17"),
    (adagrad_add_out_sum_sq, "changed its input `sum_sq` in place"),
    (adagrad_wrong_default_lr, "default for `lr` is 0.001"),
]

test_right_rules_pass_with_one_line, test_wrong_rules_fail_with_the_right_diagnosis = check_tests(
    check_adagrad_update, RIGHT, WRONG + MORE_WRONG
)
