"""check_adam_update passes Adam rules however written, and names the mistake in wrong ones.

The wrong rules below are written here, independently of the check's own mutant list, the way a
learner (or a published summary) would write them. The check's cases and mutants themselves are
tested with every update rule's, in tests/test_rule_checks.py.
"""

import numpy as np

from course_utils import optim
from course_utils.lessons.adam import (
    check_adam_update,
    check_adam_without_momentum,
    check_adamw_decay,
    check_v_correction,
)

from ..checking import (
    cell_text,
    check_tests,
    fails,
    no_cause_named,
    number_tests,
    question_tests,
    seed_tests,
)

# ---------------------------------------------------------------------------------------------
# Right rules, written in different ways, pass
# ---------------------------------------------------------------------------------------------


def adam_textbook(w, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad**2
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


def adam_in_place_renamed(x, dx, first, second, step, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    x, first, second = x.copy(), first.copy(), second.copy()
    first *= beta1
    first += (1 - beta1) * dx
    second *= beta2
    second += (1 - beta2) * np.square(dx)
    x -= lr * np.divide(first / (1 - beta1**step), np.sqrt(second / (1 - beta2**step)) + eps)
    return x, first, second


def adam_torch(w, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    import torch

    g = torch.from_numpy(grad)
    m = torch.from_numpy(m).mul(beta1).add(g, alpha=1 - beta1)
    v = torch.from_numpy(v).mul(beta2).addcmul(g, g, value=1 - beta2)
    denominator = (v / (1 - beta2**t)).sqrt().add(eps)
    w = torch.from_numpy(w).addcdiv(m, denominator, value=-lr / (1 - beta1**t))
    return w.numpy(), m.numpy(), v.numpy()


RIGHT = [optim.adam_update, adam_textbook, adam_in_place_renamed, adam_torch]


# ---------------------------------------------------------------------------------------------
# Wrong rules fail, and the message names the mistake
# ---------------------------------------------------------------------------------------------


def adam_no_bias_correction(w, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad**2
    return w - lr * m / (np.sqrt(v) + eps), m, v


def adam_only_m_corrected(w, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad**2
    return w - lr * (m / (1 - beta1**t)) / (np.sqrt(v) + eps), m, v


def adam_only_v_corrected(w, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad**2
    return w - lr * m / (np.sqrt(v / (1 - beta2**t)) + eps), m, v


def _adam_with_step_number(k):
    def adam(w, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
        m = beta1 * m + (1 - beta1) * grad
        v = beta2 * v + (1 - beta2) * grad**2
        m_hat, v_hat = m / (1 - beta1 ** k(t)), v / (1 - beta2 ** k(t))
        return w - lr * m_hat / (np.sqrt(v_hat) + eps), m, v

    return adam


adam_t_minus_one = _adam_with_step_number(lambda t: t - 1)

adam_t_plus_one = _adam_with_step_number(lambda t: t + 1)

adam_right_only_at_t_1 = _adam_with_step_number(lambda t: 1)


def adam_widely_copied(w, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad
    return w - lr * m / v + eps, m, v


def adam_eps_in_root(w, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad**2
    return w - lr * (m / (1 - beta1**t)) / np.sqrt(v / (1 - beta2**t) + eps), m, v


def adam_paper_efficient_form(w, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad**2
    lr_t = lr * np.sqrt(1 - beta2**t) / (1 - beta1**t)
    return w - lr_t * m / (np.sqrt(v) + eps), m, v


def adam_uphill(w, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    new_w, m, v = adam_textbook(w, grad, m, v, t, lr, beta1, beta2, eps)
    return w + (w - new_w), m, v


def adam_without_lr(w, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad**2
    return w - (m / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + eps), m, v


def adam_returns_w_v_m(w, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    w, m, v = adam_textbook(w, grad, m, v, t, lr, beta1, beta2, eps)
    return w, v, m


def adam_returns_old_moments(w, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    new_w, _, _ = adam_textbook(w, grad, m, v, t, lr, beta1, beta2, eps)
    return new_w, m, v


def adam_returns_corrected_moments(w, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m_hat = (beta1 * m + (1 - beta1) * grad) / (1 - beta1**t)
    v_hat = (beta2 * v + (1 - beta2) * grad**2) / (1 - beta2**t)
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), m_hat, v_hat


def adam_float64_constants(w, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    beta1, beta2 = np.float64(beta1), np.float64(beta2)
    return adam_textbook(w, grad, m, v, t, lr, beta1, beta2, eps)


def adam_hard_coded_betas(w, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    return adam_textbook(w, grad, m, v, t, lr, 0.9, 0.999, eps)


def adam_hard_coded_eps(w, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    return adam_textbook(w, grad, m, v, t, lr, beta1, beta2, 1e-8)


def adam_wrong_default_eps(w, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-6):
    return adam_textbook(w, grad, m, v, t, lr, beta1, beta2, eps)


def adam_learning_rate_named_differently(w, grad, m, v, t, alpha=1e-3, beta1=0.9, beta2=0.999):
    return adam_textbook(w, grad, m, v, t, alpha, beta1, beta2)


def adam_counts_its_own_steps(w, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    adam_counts_its_own_steps.calls = getattr(adam_counts_its_own_steps, "calls", 0) + 1
    return adam_textbook(w, grad, m, v, adam_counts_its_own_steps.calls, lr, beta1, beta2, eps)


def adam_only_for_arrays(w, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    results = [np.empty_like(w) for _ in range(3)]
    for i in range(len(w)):  # row by row: fails on a 0-d array
        parts = adam_textbook(w[i], grad[i], m[i], v[i], t, lr, beta1, beta2, eps)
        for result, part in zip(results, parts, strict=True):
            result[i] = part
    return tuple(results)


WRONG = [
    (adam_no_bias_correction, "there is no bias correction"),
    (adam_only_m_corrected, "only m is bias-corrected"),
    (adam_only_v_corrected, "only v is bias-corrected"),
    (adam_t_minus_one, "the bias correction uses t − 1"),
    (adam_t_plus_one, "the bias correction uses t + 1"),
    (adam_right_only_at_t_1, "lacks the power t"),
    (adam_widely_copied, "this is still the seed's formula, with all four of its errors"),
    (adam_eps_in_root, "ε is inside the square root"),
    (adam_paper_efficient_form, "puts ε before the correction"),
    (adam_uphill, "the sign is flipped"),
    (adam_without_lr, "the learning rate is missing"),
    (adam_returns_w_v_m, "wrong order: return (w, m, v)"),
    (adam_returns_old_moments, "return the `m` and `v` you were given"),
    (adam_returns_corrected_moments, "bias-corrected m̂ and v̂ as the new state"),
    (adam_float64_constants, "as float64 instead of float32"),
    (adam_hard_coded_betas, "returned a wrong `w`, `m` and `v` on case 8"),
    (adam_hard_coded_eps, "ignores `eps`: it computes as if eps=1e-08"),
    (adam_wrong_default_eps, "default for `eps` is 1e-06"),
    (adam_learning_rate_named_differently, "signature is adam_update(w, grad"),
    (adam_counts_its_own_steps, "returned a wrong"),
    (adam_only_for_arrays, "raised TypeError: len() of unsized object"),
]


# ---------------------------------------------------------------------------------------------
# More wrong rules: a student's slips and an adversarial grader's probes. Each must fail; the
# diagnosis is asserted where the check names one, else the start of the message.
# ---------------------------------------------------------------------------------------------


def adam_as_a_list(w, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    return list(adam_textbook(w, grad, m, v, t, lr, beta1, beta2, eps))  # the grader wants a tuple


def _adam_moments(grad, m, v, beta1, beta2):
    return beta1 * m + (1 - beta1) * grad, beta2 * v + (1 - beta2) * grad**2


def adam_t_plus_one_on_v_only(w, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m, v = _adam_moments(grad, m, v, beta1, beta2)
    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2 ** (t + 1))
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


def adam_t_minus_one_on_m_only(w, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m, v = _adam_moments(grad, m, v, beta1, beta2)
    m_hat, v_hat = m / (1 - beta1 ** (t - 1)), v / (1 - beta2**t)
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


def adam_corrects_the_state_given(w, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m, v = m / (1 - beta1**t), v / (1 - beta2**t)
    m, v = _adam_moments(grad, m, v, beta1, beta2)
    return w - lr * m / (np.sqrt(v) + eps), m, v


def adam_absolute_gradient_in_v(w, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * np.abs(grad)
    return w - lr * (m / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + eps), m, v


def adam_m_squared_in_v(w, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * m**2
    return w - lr * (m / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + eps), m, v


def adam_betas_reordered(w, grad, m, v, t, lr=1e-3, beta2=0.999, beta1=0.9, eps=1e-8):
    return adam_textbook(w, grad, m, v, t, lr, beta1, beta2, eps)


def adam_beta1_in_both_corrections(w, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m, v = _adam_moments(grad, m, v, beta1, beta2)
    return w - lr * (m / (1 - beta1**t)) / (np.sqrt(v / (1 - beta1**t)) + eps), m, v


def adam_power_on_one_minus_beta(w, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m, v = _adam_moments(grad, m, v, beta1, beta2)
    return w - lr * (m / (1 - beta1) ** t) / (np.sqrt(v / (1 - beta2) ** t) + eps), m, v


def adam_beta_times_t(w, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m, v = _adam_moments(grad, m, v, beta1, beta2)
    return w - lr * (m / (1 - beta1 * t)) / (np.sqrt(v / (1 - beta2 * t)) + eps), m, v


def adam_unbracketed_correction(w, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m, v = _adam_moments(grad, m, v, beta1, beta2)
    m_hat = m / 1 - beta1**t
    v_hat = v / 1 - beta2**t
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


def adam_no_eps(w, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m, v = _adam_moments(grad, m, v, beta1, beta2)
    return w - lr * (m / (1 - beta1**t)) / np.sqrt(v / (1 - beta2**t)), m, v


def adam_eps_on_the_ratio(w, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m, v = _adam_moments(grad, m, v, beta1, beta2)
    return w - lr * ((m / (1 - beta1**t)) / np.sqrt(v / (1 - beta2**t)) + eps), m, v


def adam_amsgrad(w, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    new_m, new_v = _adam_moments(grad, m, v, beta1, beta2)
    v_max = np.maximum(v, new_v)
    return w - lr * (new_m / (1 - beta1**t)) / (np.sqrt(v_max / (1 - beta2**t)) + eps), new_m, new_v


def adam_with_adamw_decay(w, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m, v = _adam_moments(grad, m, v, beta1, beta2)
    step = (m / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + eps)
    return w - lr * (step + 0.01 * w), m, v


def adam_squares_grad_in_place(w, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * grad
    grad **= 2
    v = beta2 * v + (1 - beta2) * grad
    return w - lr * (m / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + eps), m, v


def adam_stacks_the_results(w, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    return np.stack(adam_textbook(w, grad, m, v, t, lr, beta1, beta2, eps))


def adam_nothing_to_do_shortcut(w, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    if not grad.any() and not m.any():
        return w, m, v
    return adam_textbook(w, grad, m, v, t, lr, beta1, beta2, eps)


def adam_hard_coded_lr(w, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    return adam_textbook(w, grad, m, v, t, 1e-3, beta1, beta2, eps)


def adam_wrong_default_lr(w, grad, m, v, t, lr=1e-2, beta1=0.9, beta2=0.999, eps=1e-8):
    return adam_textbook(w, grad, m, v, t, lr, beta1, beta2, eps)


def adam_float32_bias_correction(w, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m, v = _adam_moments(grad, m, v, beta1, beta2)
    m_hat, v_hat = m / (1 - np.float32(beta1) ** t), v / (1 - np.float32(beta2) ** t)
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


def adam_no_correction_after_ten_steps(w, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    return (
        adam_textbook(w, grad, m, v, t, lr, beta1, beta2, eps)
        if t <= 10
        else (adam_no_bias_correction(w, grad, m, v, t, lr, beta1, beta2, eps))
    )


MORE_WRONG = [
    (adam_t_plus_one_on_v_only, "the bias correction of v̂ uses t + 1"),
    (adam_t_minus_one_on_m_only, "the bias correction of m̂ uses t − 1"),
    (adam_corrects_the_state_given, "bias-correct the m and v you were given"),
    (adam_absolute_gradient_in_v, "v averages |g| instead of g²"),
    (adam_m_squared_in_v, "v averages m² instead of g²"),
    (adam_betas_reordered, "lr, beta2, beta1, eps) but the exercise's are"),
    (adam_beta1_in_both_corrections, "v̂ is corrected with β1"),
    (adam_power_on_one_minus_beta, "the power is on (1 − β)"),
    (adam_beta_times_t, "βᵗ is a power, beta1**t, not beta1*t"),
    (adam_unbracketed_correction, "`m / 1 - beta1**t` is (m / 1) − β1ᵗ"),
    (adam_no_eps, "ε is missing: the step is w ← w − η·m̂ / (√v̂ + ε)"),
    (adam_eps_on_the_ratio, "ε is added to the ratio m̂ / √v̂"),
    (adam_amsgrad, "which is AMSGrad"),
    (adam_with_adamw_decay, "as AdamW does"),
    (adam_squares_grad_in_place, "changed its input `grad` in place"),
    (adam_stacks_the_results, "returned a single ndarray"),
    (adam_nothing_to_do_shortcut, "returned its input `w` itself"),
    (adam_hard_coded_lr, "ignores `lr`: it computes as if lr=0.001"),
    (adam_wrong_default_lr, "default for `lr` is 0.01 but"),
    (adam_float32_bias_correction, "returned a wrong `w` on case 1 of 19"),
    (adam_no_correction_after_ten_steps, "on case 17 of 19, a late step"),
    (adam_as_a_list, "returned a list on case 1 of 19"),
]

test_right_rules_pass_with_one_line, test_wrong_rules_fail_with_the_right_diagnosis = check_tests(
    check_adam_update, RIGHT, WRONG + MORE_WRONG
)


def adam_eps_times_lr(w, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m, v = _adam_moments(grad, m, v, beta1, beta2)
    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    return w - m_hat / (np.sqrt(v_hat) / lr + eps), m, v


def test_mistakes_no_mutant_explains_get_no_wrong_cause():
    no_cause_named(check_adam_update, adam_eps_times_lr)


# ---------------------------------------------------------------------------------------------
# The debug exercise: the seed's w − η·m / v + ε, and partly fixed versions, name what is left
# ---------------------------------------------------------------------------------------------


def adam_seed_squared(w, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad**2
    return w - lr * m / v + eps, m, v


def adam_seed_squared_rooted(w, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad**2
    return w - lr * m / np.sqrt(v) + eps, m, v


def adam_seed_all_but_eps(w, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad**2
    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    return w - lr * m_hat / np.sqrt(v_hat) + eps, m, v


def adam_seed_corrected_only(w, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad
    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    return w - lr * m_hat / v_hat + eps, m, v


# (rule, words its message must hold, words it must not: the errors already fixed)
SEED = [
    (adam_widely_copied, ["all four of its errors", "(4) ε is added to the weight"], []),
    (adam_seed_squared, ["three of the seed's four", "square root", "no bias"], ["averages g"]),
    (adam_seed_squared_rooted, ["two of the seed's four", "no bias", "ε is"], ["square root"]),
    (adam_seed_all_but_eps, ["Likely cause: ε is added to the weights"], ["no bias"]),
    (adam_seed_corrected_only, ["three of the seed's four", "averages g", "ε is"], ["no bias"]),
]


test_the_seed_and_each_partial_fix_name_the_errors_left = seed_tests(check_adam_update, SEED)


# ---------------------------------------------------------------------------------------------
# The derive and the retrieval questions
# ---------------------------------------------------------------------------------------------


V_CORRECTION_WRONG = [
    (1000.0, "the power t is missing"),
    (100, "first-order approximation"),
    (0.00995512, "its reciprocal"),
    (1.5353, "uses β1 = 0.9"),
    (10.0225, "the factor on √v"),
    (111.61, "t is off by one"),
    (91.37, "t is off by one"),
    (150.0, "is too large"),
    (50.0, "is too small"),
    (float("nan"), "finite number"),
    (None, "Set v_correction to one number"),
    ("100", "Set v_correction to one number"),
]

# 1/(1 − β2¹⁰), and rounded to two decimals: within rtol 1e-3
test_the_correction_of_v_at_step_10_passes, test_each_mistake_in_the_correction_is_named = (
    number_tests(check_v_correction, [1 / (1 - 0.999**10), 100.45], V_CORRECTION_WRONG)
)


QUESTIONS = [
    (check_adam_without_momentum, "c", ["a", "b", "d"]),
    (check_adamw_decay, "a", ["b", "c", "d"]),
]

test_questions_pass_the_right_option_and_explain_each_wrong_one = question_tests(QUESTIONS)


def test_the_exercise_says_the_check_tells_the_two_eps_placements_apart():
    # ε inside the root fails at a 1e-9 relative difference: the prompt must say so
    fails(check_adam_update, adam_eps_in_root, "ε is inside the square root")
    prompt = cell_text("09_adam.ipynb", "adam-03")
    assert r"Divide by $\sqrt{\hat v} + \varepsilon$, torch's form" in prompt
    assert r"the check tells it from $\sqrt{\hat v + \varepsilon}$" in prompt
