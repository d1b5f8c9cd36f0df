"""check_mse and check_cross_entropy: pass correct losses however written, name wrong ones."""

import numpy as np
import pytest

from course_utils import losses
from course_utils.checks import CheckFailed
from course_utils.lessons.loss_functions import (
    check_cross_entropy,
    check_gradient_check_verdict,
    check_mse,
    check_outlier_effect,
    check_slope_by_hand,
    check_why_log_softmax,
    outlier_ratios,
)

from ..checking import check_tests, fails, number_tests, question_tests

# ---------------------------------------------------------------------------------------------
# check_mse
# ---------------------------------------------------------------------------------------------


def mse_mean(y_pred, y):
    return np.mean((y_pred - y) ** 2)


def mse_python_float(y_pred, y):
    return float(((y - y_pred) ** 2).sum() / y.size)


def mse_in_float64(y_pred, y):
    error = np.asarray(y_pred, dtype=np.float64) - y
    return error.ravel() @ error.ravel() / error.size


def mse_torch(y_pred, y):
    torch = pytest.importorskip("torch")
    return torch.nn.functional.mse_loss(torch.from_numpy(y_pred), torch.from_numpy(y)).item()


RIGHT_MSE = [mse_mean, mse_python_float, mse_in_float64, mse_torch, losses.mse]


def mse_in_place(y_pred, y):
    y_pred -= y
    return np.mean(y_pred**2)


def mse_torch_tensor(y_pred, y):
    torch = pytest.importorskip("torch")
    return torch.mean((torch.from_numpy(y_pred) - torch.from_numpy(y)) ** 2)


WRONG_MSE = [
    (lambda y_pred, y: np.mean(np.abs(y_pred - y)), "mean absolute error (MAE)"),
    (lambda y_pred, y: np.sum((y_pred - y) ** 2), "you summed the squared errors"),
    (lambda y_pred, y: 0.5 * np.mean((y_pred - y) ** 2), "has no ½"),
    (lambda y_pred, y: np.sqrt(np.mean((y_pred - y) ** 2)), "(RMSE)"),
    (lambda y_pred, y: np.sum((y_pred - y) ** 2) / len(y), "divided by len(y)"),
    (lambda y_pred, y: np.sum((y_pred - y) ** 2) / (len(y) - 1), "divided by n − 1"),
    (lambda y_pred, y: np.mean(y_pred - y) ** 2, "you squared the mean error"),
    (lambda y_pred, y: (y_pred - y) ** 2, "returned a NumPy array of shape (5,)"),
    (lambda y_pred, y: np.mean((y_pred - y) ** 2, axis=0), "returned a NumPy array"),
    (mse_in_place, "changed its input `y_pred` in place"),
    (mse_torch_tensor, "returned a torch tensor"),
    (lambda y_pred, y: None, "Did you forget `return`?"),
    (lambda y_pred: np.mean(y_pred**2), "The exercise's signature is mse(y_pred, y)"),
    (lambda y_pred, y: np.float32(np.mean((y_pred - y) ** 2)), "right to only about 7"),
]

(
    test_correct_mse_passes_with_one_line,
    test_wrong_mse_fails_with_the_right_diagnosis,
) = check_tests(check_mse, RIGHT_MSE, WRONG_MSE, line="✔ mse matches the reference on 7 cases.\n")


def test_mse_in_float32_is_compared_at_float32_precision():
    # A float32 result is fine for float32 inputs; a wrong one is still caught there.
    def off_in_float32(y_pred, y):
        loss = np.mean((y_pred - y) ** 2)
        return loss * np.float32(1.001) if y.dtype == np.float32 else loss

    with pytest.raises(CheckFailed, match="case 3 of 7, float32"):
        check_mse(off_in_float32)


# ---------------------------------------------------------------------------------------------
# check_cross_entropy
# ---------------------------------------------------------------------------------------------


def _rows(labels):
    return np.arange(len(labels)), labels


def ce_shift_by_max(logits, labels):
    z = logits - logits.max(axis=1, keepdims=True)
    log_probs = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    return -log_probs[_rows(labels)].mean()


def ce_log_sum_exp_minus_picked(logits, labels):
    m = np.max(logits, axis=-1)
    log_sum_exp = m + np.log(np.sum(np.exp(logits - m[:, None]), axis=-1))
    return float(np.mean(log_sum_exp - logits[_rows(labels)]))


def ce_one_hot_in_float64(logits, labels):
    z = logits.astype(np.float64)
    z = z - z.max(axis=1, keepdims=True)
    one_hot = np.eye(z.shape[1])[labels]
    log_probs = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    return -np.sum(one_hot * log_probs) / len(labels)


def ce_loop(logits, labels):
    total = 0.0
    for z, label in zip(logits, labels, strict=True):
        m = max(z)
        total += m + np.log(sum(np.exp(zk - m) for zk in z)) - z[label]
    return total / len(labels)


def ce_torch(logits, labels):
    torch = pytest.importorskip("torch")
    return torch.nn.functional.cross_entropy(
        torch.from_numpy(logits), torch.from_numpy(labels.astype(np.int64))
    ).item()


RIGHT_CROSS_ENTROPY = [
    ce_shift_by_max,
    ce_log_sum_exp_minus_picked,
    ce_one_hot_in_float64,
    ce_loop,
    ce_torch,
    losses.cross_entropy,
]


def ce_naive(logits, labels):
    probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    return -np.mean(np.log(probs[_rows(labels)]))


def ce_unshifted_log_sum_exp(logits, labels):
    log_probs = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    return -np.mean(log_probs[_rows(labels)])


def ce_log_of_softmax(logits, labels):
    return -np.mean(np.log(losses.softmax(logits))[_rows(labels)])


def ce_sign_error_in_log_softmax(logits, labels):
    z = logits - logits.max(axis=1, keepdims=True)
    log_probs = z + np.log(np.exp(z).sum(axis=1, keepdims=True))
    return -np.mean(log_probs[_rows(labels)])


def ce_over_examples(logits, labels):
    z = logits - logits.max(axis=0, keepdims=True)
    log_probs = z - np.log(np.exp(z).sum(axis=0, keepdims=True))
    return -np.mean(log_probs[_rows(labels)])


def ce_raw_logits(logits, labels):
    return -np.mean(logits[_rows(labels)])


def ce_missing_minus(logits, labels):
    return np.mean(losses.log_softmax(logits)[_rows(labels)])


def ce_sum(logits, labels):
    return -np.sum(losses.log_softmax(logits)[_rows(labels)])


def ce_one_hot_mean_over_everything(logits, labels):
    one_hot = np.eye(logits.shape[1])[labels]
    return -np.mean(one_hot * losses.log_softmax(logits))


def ce_columns(logits, labels):
    return -np.mean(losses.log_softmax(logits)[:, labels])


def ce_no_mean(logits, labels):
    return -losses.log_softmax(logits)[_rows(labels)]


def ce_in_place(logits, labels):
    logits -= logits.max(axis=1, keepdims=True)
    return ce_shift_by_max(logits, labels)


def ce_one_hot_labels_expected(logits, labels):
    return -np.mean(np.sum(labels * losses.log_softmax(logits), axis=1))


def ce_global_max(logits, labels):
    z = logits - logits.max()
    log_probs = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    return -np.mean(log_probs[_rows(labels)])


def ce_global_max_log_sum_exp(logits, labels):
    m = logits.max()
    log_sum_exp = m + np.log(np.sum(np.exp(logits - m), axis=1))
    return float(np.mean(log_sum_exp - logits[_rows(labels)]))


def ce_global_max_log_of_softmax(logits, labels):
    z = logits - np.max(logits)
    probs = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    return -np.mean(np.log(probs[_rows(labels)]))


WRONG_CROSS_ENTROPY = [
    (ce_global_max, "subtract each row's own max, logits.max(axis=1, keepdims=True)"),
    (ce_global_max_log_sum_exp, "the largest logit of the whole array (logits.max())"),
    (ce_global_max_log_of_softmax, "two things: you subtracted the largest logit of the whole"),
    (ce_naive, "inf/inf is nan"),
    (ce_unshifted_log_sum_exp, "without subtracting the max first"),
    (ce_log_of_softmax, "you took log(softmax(z))"),
    (ce_sign_error_in_log_softmax, "a sign error in log-softmax"),
    (ce_over_examples, "normalized over the examples (axis 0)"),
    (ce_raw_logits, "you used the raw logit"),
    (ce_missing_minus, "the sign is flipped"),
    (ce_sum, "you summed over the examples"),
    (ce_one_hot_mean_over_everything, "over all n·k entries"),
    (ce_columns, "log_probs[:, labels]"),
    (ce_no_mean, "returned a NumPy array of shape (4,) instead of one number"),
    (ce_in_place, "changed its input `logits` in place"),
    (ce_one_hot_labels_expected, "raised ValueError: operands could not be broadcast"),
    (
        lambda logits, labels: float(losses.cross_entropy(logits.astype(np.float32), labels)),
        "right to only about 7 digits",
    ),
]

(
    test_correct_cross_entropy_passes_with_one_line,
    test_wrong_cross_entropy_fails_with_the_right_diagnosis,
) = check_tests(
    check_cross_entropy,
    RIGHT_CROSS_ENTROPY,
    WRONG_CROSS_ENTROPY,
    line="✔ cross_entropy matches the reference on 9 cases.\n",
)


def test_naive_softmax_fails_on_the_huge_logits_case_showing_nan():
    huge_logits = "case 3 of 9, huge logits, the true class the largest"
    fails(check_cross_entropy, ce_naive, huge_logits, "but is nan")


@pytest.mark.parametrize("check", [check_mse, check_cross_entropy])
def test_refuses_something_that_is_not_a_function(check):
    with pytest.raises(TypeError, match="must be your function itself"):
        check(np.zeros(3))


def test_an_in_place_change_is_reported_not_hidden_by_the_array_refusal():
    def mse_in_place(y_pred, y):
        y_pred -= y  # refuse_arrays runs it first, on copies, so the check still sees the change
        return float(np.mean(y_pred**2))

    with pytest.raises(CheckFailed, match="changed its input `y_pred` in place on case 1 of 7"):
        check_mse(mse_in_place)


# ---------------------------------------------------------------------------------------------
# The predict, derive and concept exercises
# ---------------------------------------------------------------------------------------------


def test_outlier_experiment_is_the_lessons():
    mse_ratio, mae_ratio = outlier_ratios()
    assert round(mse_ratio, 1) == 32.9 and round(mae_ratio, 1) == 2.0  # the lesson asserts these
    assert outlier_ratios(0.0) == (1.0, 1.0)


# (check, right option, wrong options[, what the prediction's run found, in every message])
QUESTIONS = [
    (check_outlier_effect, "a", ["b", "c"], "MSE by 32.9 and the MAE by 2.0"),
    (check_why_log_softmax, "c", ["a", "b", "d"]),
    (check_gradient_check_verdict, "b", ["a", "c", "d"]),
]

test_questions_pass_the_right_option_and_explain_each_wrong_one = question_tests(QUESTIONS)

SLOPE_SLIPS = [
    (-3.5, "the factor 2 is missing"),
    (7.0, "the sign is flipped"),
    (-14.0, "divide by n = 2"),
    (-4.0, "that is ∂L/∂w₂"),
    (-13.0, "not xᵢ²"),
    (5.0, "is too large"),
    (-30.0, "is too small"),
    (float("nan"), "must be a finite number"),
    ("-7", "Set slope_by_hand to one number"),
]

test_slope_by_hand_passes, test_slope_by_hand_names_each_slip = number_tests(
    check_slope_by_hand, [-7.0, np.float32(-7)], SLOPE_SLIPS
)


def test_slope_by_hand_is_the_formulas_value():
    x, y = np.array([1.0, 2.0]), np.array([1.0, 3.0])
    value = np.mean(2 * (0.0 * x + 0.0 - y) * x)  # (1/n) Σ 2(ŷᵢ − yᵢ)·xᵢ at w = (0, 0)
    assert value == -7.0
