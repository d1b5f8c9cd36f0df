"""check_adagrad_update passes AdaGrad rules however written, and names the mistake in wrong ones.

The wrong rules below are written here, independently of the check's own mutant list, the way a
learner (or a published summary) would write them. The check's cases and mutants themselves are
tested with every update rule's, in tests/test_rule_checks.py.
"""

import numpy as np

from course_utils import optim
from course_utils.lessons.adagrad import (
    check_adagrad_update,
    check_turned_bowl,
    check_where_adagrad_helps,
    check_why_steps_shrink,
)

from ..checking import cell_text, check_tests, fails, passes, question_tests, seed_tests

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


# ---------------------------------------------------------------------------------------------
# The debug exercise: the seed's line, and each partly fixed version, names what is left
# ---------------------------------------------------------------------------------------------


def adagrad_seed(w, grad, sum_sq, lr=1e-2, eps=1e-10):
    sum_sq = sum_sq + grad
    w = w - lr * grad / sum_sq + eps
    return w, sum_sq


def adagrad_seed_squared(w, grad, sum_sq, lr=1e-2, eps=1e-10):
    sum_sq = sum_sq + grad**2
    w = w - lr * grad / sum_sq + eps
    return w, sum_sq


def adagrad_seed_rooted(w, grad, sum_sq, lr=1e-2, eps=1e-10):
    sum_sq = sum_sq + grad
    w = w - lr * grad / np.sqrt(sum_sq) + eps
    return w, sum_sq


def adagrad_seed_eps_moved(w, grad, sum_sq, lr=1e-2, eps=1e-10):
    sum_sq = sum_sq + grad
    w = w - lr * grad / (sum_sq + eps)
    return w, sum_sq


def adagrad_seed_only_root_left(w, grad, sum_sq, lr=1e-2, eps=1e-10):
    sum_sq = sum_sq + grad * grad
    return w - lr * grad / (sum_sq + eps), sum_sq


# (rule, words its message must hold, words it must not: the errors already fixed)
SEED = [
    (
        adagrad_seed,
        ["all three of its errors", "(1) G adds g", "(2) the square root", "(3) ε is"],
        [],
    ),
    (adagrad_seed_squared, ["two of the seed's three", "square root", "ε is added"], ["G adds g"]),
    (adagrad_seed_rooted, ["two of the seed's three", "G adds g", "ε is added"], ["square root"]),
    (
        adagrad_seed_eps_moved,
        ["two of the seed's three", "G adds g", "square root"],
        ["ε is added"],
    ),
    (adagrad_seed_only_root_left, ["Likely cause: the square root is missing"], ["ε is added"]),
]


test_the_seed_and_each_partial_fix_name_the_errors_left = seed_tests(check_adagrad_update, SEED)


# ---------------------------------------------------------------------------------------------
# The retrieval questions: the right option passes, each wrong one gets its own feedback
# ---------------------------------------------------------------------------------------------


# (check, right option, wrong options[, what the prediction's run found, in every message])
QUESTIONS = [
    (
        check_turned_bowl,
        "b",
        {"a": "the cancellation is gone", "c": "does not diverge"},
        "On the turned bowl AdaGrad's best loss after 60 steps",
    ),
    (check_why_steps_shrink, "b", ["a", "c", "d"]),
    (check_where_adagrad_helps, "a", ["b", "c", "d"]),
]

test_questions_pass_the_right_option_and_explain_each_wrong_one = question_tests(QUESTIONS)


def test_the_prediction_says_what_happened_on_the_run(capsys):
    out = passes(check_turned_bowl, "b", capsys)
    assert out.startswith("✔ 'b' is right. On the turned bowl AdaGrad's best loss after 60 steps")
    assert "is 0.23, gradient descent's 0.13" in out


def test_the_exercise_says_the_check_tells_the_two_eps_placements_apart():
    # ε inside the root fails at a 1e-10 relative difference: the prompt must say so
    fails(check_adagrad_update, adagrad_eps_in_root, "ε is inside the square root")
    prompt = cell_text("07_adagrad.ipynb", "adagrad-03")
    assert r"outside the root, as in torch: $\sqrt{G} + \varepsilon$. The check tells it" in prompt
    assert "differs only while $G$ is tiny" not in cell_text("07_adagrad.ipynb", "adagrad-02")
