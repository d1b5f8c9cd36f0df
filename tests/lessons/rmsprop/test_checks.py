"""check_rmsprop_update passes RMSProp rules however written, and names the mistake in wrong ones.

The wrong rules below are written here, independently of the check's own mutant list, the way a
learner (or a published summary) would write them. The check's cases and mutants themselves are
tested with every update rule's, in tests/test_rule_checks.py.
"""

import numpy as np

from course_utils import optim
from course_utils.lessons.rmsprop import (
    check_first_step,
    check_memory_of_alpha,
    check_rmsprop_update,
    check_steady_steps,
)

from ..checking import check_tests, no_cause_named, question_tests, seed_tests

# ---------------------------------------------------------------------------------------------
# Right rules, written in different ways, pass
# ---------------------------------------------------------------------------------------------


def rmsprop_in_float64_then_cast_back(w, grad, sq_avg, lr=1e-2, alpha=0.99, eps=1e-8):
    dtype = w.dtype
    w, grad, sq_avg = (np.asarray(a, dtype=np.float64) for a in (w, grad, sq_avg))
    sq_avg = alpha * sq_avg + (1 - alpha) * grad * grad
    w = w - lr * grad / (np.sqrt(sq_avg) + eps)
    return w.astype(dtype), sq_avg.astype(dtype)


RIGHT = [optim.rmsprop_update, rmsprop_in_float64_then_cast_back]


# ---------------------------------------------------------------------------------------------
# Wrong rules fail, and the message names the mistake
# ---------------------------------------------------------------------------------------------


def rmsprop_widely_copied(w, grad, sq_avg, lr=1e-2, alpha=0.99, eps=1e-8):
    sq_avg = alpha * sq_avg + (1 - alpha) + grad
    return w - lr * grad / (np.sqrt(sq_avg) + eps), sq_avg


def rmsprop_alpha_swapped(w, grad, sq_avg, lr=1e-2, alpha=0.99, eps=1e-8):
    sq_avg = (1 - alpha) * sq_avg + alpha * grad**2
    return w - lr * grad / (np.sqrt(sq_avg) + eps), sq_avg


def rmsprop_eps_in_root(w, grad, sq_avg, lr=1e-2, alpha=0.99, eps=1e-8):
    sq_avg = alpha * sq_avg + (1 - alpha) * grad**2
    return w - lr * grad / np.sqrt(sq_avg + eps), sq_avg


def rmsprop_no_root(w, grad, sq_avg, lr=1e-2, alpha=0.99, eps=1e-8):
    sq_avg = alpha * sq_avg + (1 - alpha) * grad**2
    return w - lr * grad / (sq_avg + eps), sq_avg


def rmsprop_in_place(w, grad, sq_avg, lr=1e-2, alpha=0.99, eps=1e-8):
    sq_avg *= alpha
    sq_avg += (1 - alpha) * grad**2
    return w - lr * grad / (np.sqrt(sq_avg) + eps), sq_avg


def rmsprop_hard_coded_alpha(w, grad, sq_avg, lr=1e-2, alpha=0.99, eps=1e-8):
    sq_avg = 0.99 * sq_avg + 0.01 * grad**2
    return w - lr * grad / (np.sqrt(sq_avg) + eps), sq_avg


WRONG = [
    (rmsprop_widely_copied, "αG + (1 − α) + g is a widely copied typo"),
    (rmsprop_alpha_swapped, "α and 1 − α are swapped"),
    (rmsprop_eps_in_root, "ε is inside the square root"),
    (rmsprop_no_root, "the square root is missing"),
    (rmsprop_in_place, "changed its input `sq_avg` in place"),
    (rmsprop_hard_coded_alpha, "ignores `alpha`"),
]


# ---------------------------------------------------------------------------------------------
# More wrong rules: a student's slips and an adversarial grader's probes. Each must fail; the
# diagnosis is asserted where the check names one, else the start of the message.
# ---------------------------------------------------------------------------------------------


def rmsprop_no_eps(w, grad, sq_avg, lr=1e-2, alpha=0.99, eps=1e-8):
    sq_avg = alpha * sq_avg + (1 - alpha) * grad**2
    return w - lr * grad / np.sqrt(sq_avg), sq_avg


def rmsprop_eps_squared_in_root(w, grad, sq_avg, lr=1e-2, alpha=0.99, eps=1e-8):
    sq_avg = alpha * sq_avg + (1 - alpha) * grad**2
    return w - lr * grad / np.sqrt(sq_avg + eps**2), sq_avg


def rmsprop_without_one_minus_alpha(w, grad, sq_avg, lr=1e-2, alpha=0.99, eps=1e-8):
    sq_avg = alpha * sq_avg + grad**2
    return w - lr * grad / (np.sqrt(sq_avg) + eps), sq_avg


def rmsprop_copied_typo_half_fixed(w, grad, sq_avg, lr=1e-2, alpha=0.99, eps=1e-8):
    sq_avg = alpha * sq_avg + (1 - alpha) + grad**2
    return w - lr * grad / (np.sqrt(sq_avg) + eps), sq_avg


def rmsprop_absolute_gradient(w, grad, sq_avg, lr=1e-2, alpha=0.99, eps=1e-8):
    sq_avg = alpha * sq_avg + (1 - alpha) * np.abs(grad)
    return w - lr * grad / (np.sqrt(sq_avg) + eps), sq_avg


def rmsprop_centered_unasked(w, grad, sq_avg, lr=1e-2, alpha=0.99, eps=1e-8):
    sq_avg = alpha * sq_avg + (1 - alpha) * grad**2
    grad_avg = (1 - alpha) * grad  # the centred variant's mean of g, as if it started at 0
    return w - lr * grad / (np.sqrt(sq_avg - grad_avg**2) + eps), sq_avg


def rmsprop_starts_at_the_square(w, grad, sq_avg, lr=1e-2, alpha=0.99, eps=1e-8):
    sq_avg = grad**2 if not sq_avg.any() else alpha * sq_avg + (1 - alpha) * grad**2
    return w - lr * grad / (np.sqrt(sq_avg) + eps), sq_avg


def rmsprop_hintons_default_alpha(w, grad, sq_avg, lr=1e-2, alpha=0.9, eps=1e-8):
    return optim.rmsprop_update(w, grad, sq_avg, lr, alpha, eps)


def rmsprop_keeps_the_root(w, grad, sq_avg, lr=1e-2, alpha=0.99, eps=1e-8):
    rms = np.sqrt(alpha * sq_avg + (1 - alpha) * grad**2)
    return w - lr * grad / (rms + eps), rms


def rmsprop_one_mean_for_all_weights(w, grad, sq_avg, lr=1e-2, alpha=0.99, eps=1e-8):
    sq_avg = alpha * sq_avg + (1 - alpha) * np.mean(grad**2)
    return w - lr * grad / (np.sqrt(sq_avg) + eps), sq_avg


def rmsprop_forgets_the_old_average(w, grad, sq_avg, lr=1e-2, alpha=0.99, eps=1e-8):
    sq_avg = (1 - alpha) * grad**2
    return w - lr * grad / (np.sqrt(sq_avg) + eps), sq_avg


def rmsprop_always_float32(w, grad, sq_avg, lr=1e-2, alpha=0.99, eps=1e-8):
    w, grad, sq_avg = (a.astype(np.float32) for a in (w, grad, sq_avg))
    return optim.rmsprop_update(w, grad, sq_avg, lr, alpha, eps)


MORE_WRONG = [
    (rmsprop_no_eps, "ε is missing"),
    (rmsprop_eps_squared_in_root, "not √(G + ε²)"),
    (rmsprop_without_one_minus_alpha, "the factor 1 − α is missing"),
    (rmsprop_copied_typo_half_fixed, "(1 − α) is added, not multiplied"),
    (rmsprop_absolute_gradient, "G averages |g|"),
    (rmsprop_centered_unasked, "returned a wrong `w` on case 1 of 17"),
    (rmsprop_starts_at_the_square, "you start G at g² when it is all zero"),
    (rmsprop_hintons_default_alpha, "default for `alpha` is 0.9 but"),
    (rmsprop_keeps_the_root, "you return √G as the new state"),
    (rmsprop_one_mean_for_all_weights, "G is one number for all weights"),
    (rmsprop_forgets_the_old_average, "the term αG is missing"),
    (rmsprop_always_float32, "returned `w` as float32 instead of float64"),
]

test_right_rules_pass_with_one_line, test_wrong_rules_fail_with_the_right_diagnosis = check_tests(
    check_rmsprop_update, RIGHT, WRONG + MORE_WRONG
)


def rmsprop_eps_times_lr(w, grad, sq_avg, lr=1e-2, alpha=0.99, eps=1e-8):
    sq_avg = alpha * sq_avg + (1 - alpha) * grad**2
    return w - grad / (np.sqrt(sq_avg) / lr + eps), sq_avg  # ε scaled by η


def test_mistakes_no_mutant_explains_get_no_wrong_cause():
    no_cause_named(check_rmsprop_update, rmsprop_eps_times_lr)  # once blamed on float32 arithmetic


# ---------------------------------------------------------------------------------------------
# The debug exercise: the seed's line, and each partly fixed version, names what is left
# ---------------------------------------------------------------------------------------------


def rmsprop_seed(w, grad, sq_avg, lr=1e-2, alpha=0.99, eps=1e-8):
    sq_avg = alpha * sq_avg + (1 - alpha) + grad
    w = w - lr * grad / sq_avg + eps
    return w, sq_avg


def rmsprop_seed_average_fixed(w, grad, sq_avg, lr=1e-2, alpha=0.99, eps=1e-8):
    sq_avg = alpha * sq_avg + (1 - alpha) * grad**2
    w = w - lr * grad / sq_avg + eps
    return w, sq_avg


def rmsprop_seed_rooted(w, grad, sq_avg, lr=1e-2, alpha=0.99, eps=1e-8):
    sq_avg = alpha * sq_avg + (1 - alpha) + grad
    w = w - lr * grad / np.sqrt(sq_avg) + eps
    return w, sq_avg


def rmsprop_seed_eps_moved(w, grad, sq_avg, lr=1e-2, alpha=0.99, eps=1e-8):
    sq_avg = alpha * sq_avg + (1 - alpha) + grad
    return w - lr * grad / (sq_avg + eps), sq_avg


def rmsprop_seed_only_eps_left(w, grad, sq_avg, lr=1e-2, alpha=0.99, eps=1e-8):
    sq_avg = alpha * sq_avg + (1 - alpha) * np.square(grad)
    return w - lr * grad / np.sqrt(sq_avg) + eps, sq_avg


# (rule, words its message must hold, words it must not: the errors already fixed)
SEED = [
    (rmsprop_seed, ["all three of its errors", "(1) the average is αG + (1 − α) + g"], []),
    (
        rmsprop_seed_average_fixed,
        ["two of the seed's three", "square root", "ε is"],
        ["αG + (1 − α) + g"],
    ),
    (rmsprop_seed_rooted, ["two of the seed's three", "αG + (1 − α) + g", "ε is"], ["square root"]),
    (
        rmsprop_seed_eps_moved,
        ["two of the seed's three", "αG + (1 − α) + g", "square root"],
        ["ε is"],
    ),
    (rmsprop_seed_only_eps_left, ["Likely cause: ε is added to the weights"], ["square root"]),
]


test_the_seed_and_each_partial_fix_name_the_errors_left = seed_tests(check_rmsprop_update, SEED)


# ---------------------------------------------------------------------------------------------
# The retrieval questions: the right option passes, each wrong one gets its own feedback
# ---------------------------------------------------------------------------------------------


# (check, right option, wrong options[, what the prediction's step was, in every message])
QUESTIONS = [
    (check_first_step, "b", ["a", "c", "d"], "The first step is 0.05 long."),
    (check_memory_of_alpha, "b", ["a", "c", "d"]),
    (check_steady_steps, "c", ["a", "b", "d"]),
]

test_questions_pass_the_right_option_and_explain_each_wrong_one = question_tests(QUESTIONS)
