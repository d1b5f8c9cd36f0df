"""The check of lesson 05 passes correct code however written and names the wrong kinds."""

import numpy as np

from course_utils import regression as stochastic
from course_utils.lessons.mini_batches import check_minibatch_gradient, checks, demos

from ..checking import (
    cell_text,
    check_tests,
    fails,
    mutant_rows,
    number_tests,
    passes,
    question_tests,
)

# ---------------------------------------------------------------------------------------------
# minibatch_gradient
# ---------------------------------------------------------------------------------------------


def _batch_loop(w, X, y, indices):
    total = np.zeros_like(w)
    for i in indices:
        total = total + 2 * (X[i] @ w - y[i]) * X[i]
    return total / len(indices)


def _batch_take(w, X, y, indices):
    X_b, y_b = np.take(X, indices, axis=0), np.take(y, indices)
    return (X_b @ w - y_b) @ X_b * (2.0 / indices.size)


def _batch_mean(w, X, y, indices):
    return stochastic.per_example_gradients(w, X[indices], y[indices]).mean(axis=0)


test_correct_minibatch_gradients_pass, test_batch_mutants_are_named = check_tests(
    check_minibatch_gradient,
    [stochastic.minibatch_gradient, _batch_loop, _batch_take, _batch_mean],
    mutant_rows(checks._BATCH_MUTANTS),
)


def test_the_prompt_recommends_the_one_product_form_the_check_cannot_require(capsys):
    # A loop passes the check (and grading): the prompt must not say it is forbidden.
    passes(check_minibatch_gradient, _batch_loop, capsys)
    prompt = cell_text("05_mini_batches.ipynb", "mb05-04")
    assert "Aim for one vectorised expression" in prompt and "makes a mini-batch fast" in prompt
    assert "A loop that gets the same numbers passes the check too." in prompt


def test_batch_from_a_boolean_mask_is_caught():
    def masked(w, X, y, indices):
        chosen = np.zeros(len(X), dtype=bool)
        chosen[indices] = True
        X_b, y_b = X[chosen], y[chosen]
        return 2 / len(X_b) * X_b.T @ (X_b @ w - y_b)

    fails(check_minibatch_gradient, masked, "a repeated row is counted once")


def test_batch_that_returns_a_column_is_caught():
    def column(w, X, y, indices):
        X_b = X[indices]
        return (2 / len(indices) * X_b.T @ (X_b @ w - y[indices]))[:, None]

    fails(check_minibatch_gradient, column, "with shape")


# ---------------------------------------------------------------------------------------------
# The questions: the right answer passes, each wrong one gets its own feedback
# ---------------------------------------------------------------------------------------------


BATCH_FACTOR_WRONG = [
    (2, "halves the variance σ²/B"),
    (np.sqrt(2), "solve √k = 2"),
    (0.25, "B/4 doubles it"),
    (0.5, "multiplies it by √2"),
    (8, "too large"),
    (3, "too small"),
    ("4", "Set batch_factor to one number"),
]

test_batch_factor_passes_four, test_batch_factor_names_each_mistake = number_tests(
    checks.check_batch_factor, [4.0], BATCH_FACTOR_WRONG
)


def test_ordered_batches_are_several_times_farther_off():
    in_order, at_random = demos.sorted_batches().rms_errors()
    assert 4 < in_order / at_random < 6.5
    assert checks._ordered_outcome()[0] == "c"


QUESTIONS = [
    (checks.check_ordered_error, "c", {"a": "random sample", "b": "pulls the bias up"}),
    (checks.check_bigger_batch, "c", {"a": "falls only by √2", "b": "saturated", "d": "unbiased"}),
    (checks.check_scaled_lr, "b", {"a": "four times as many", "c": "square-root", "d": "twice"}),
]

test_questions_pass_the_right_option_and_explain_each_wrong_one = question_tests(QUESTIONS)
