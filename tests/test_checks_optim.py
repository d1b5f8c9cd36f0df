"""The update-rule checks pass right rules however written, and name the mistake in wrong ones.

The wrong rules below are written here, independently of the checks' own mutant lists, the way a
learner (or a published summary) would write them.
"""

import inspect

import numpy as np
import pytest

from course_utils import optim
from course_utils.checks import (
    CheckFailed,
    check_adagrad_update,
    check_adam_update,
    check_momentum_update,
    check_rmsprop_update,
    check_sgd_update,
)
from course_utils.checks import optim as optim_checks

CHECKS = {
    optim.sgd_update: check_sgd_update,
    optim.momentum_update: check_momentum_update,
    optim.adagrad_update: check_adagrad_update,
    optim.rmsprop_update: check_rmsprop_update,
    optim.adam_update: check_adam_update,
}


def _recorded(monkeypatch, check):
    """What `check` hands to check_function: its cases, outputs and mutants."""
    seen = {}
    monkeypatch.setattr(optim_checks, "check_function", lambda fn, name, **kw: seen.update(kw))
    check(None)
    return seen


# ---------------------------------------------------------------------------------------------
# Right rules, written in different ways, pass
# ---------------------------------------------------------------------------------------------


def sgd_in_place_on_a_copy(params, g, lr):
    params = params.copy()
    params -= lr * g
    return params


def sgd_with_ufuncs(w, grad, lr):
    return np.subtract(w, np.multiply(lr, grad, dtype=w.dtype))


def momentum_in_place_on_copies(w, grad, velocity, lr, momentum=0.9, nesterov=False):
    w, velocity = w.copy(), velocity.copy()
    velocity *= momentum
    velocity += grad
    w -= lr * (grad + momentum * velocity) if nesterov else lr * velocity
    return w, velocity


def momentum_torch(w, grad, velocity, lr, momentum=0.9, nesterov=False):
    import torch

    g, v = torch.from_numpy(grad), torch.from_numpy(velocity)
    v = momentum * v + g
    step = g + momentum * v if nesterov else v
    return (torch.from_numpy(w) - lr * step).numpy(), v.numpy()


def adagrad_renamed_with_power_and_divide(theta, dtheta, cache, lr=1e-2, eps=1e-10):
    cache = cache + np.power(dtheta, 2)
    return theta - lr * np.divide(dtheta, np.power(cache, 0.5) + eps), cache


def rmsprop_in_float64_then_cast_back(w, grad, sq_avg, lr=1e-2, alpha=0.99, eps=1e-8):
    dtype = w.dtype
    w, grad, sq_avg = (np.asarray(a, dtype=np.float64) for a in (w, grad, sq_avg))
    sq_avg = alpha * sq_avg + (1 - alpha) * grad * grad
    w = w - lr * grad / (np.sqrt(sq_avg) + eps)
    return w.astype(dtype), sq_avg.astype(dtype)


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


@pytest.mark.parametrize(
    ("check", "fn"),
    [
        (check_sgd_update, optim.sgd_update),
        (check_sgd_update, sgd_in_place_on_a_copy),
        (check_sgd_update, sgd_with_ufuncs),
        (check_momentum_update, optim.momentum_update),
        (check_momentum_update, momentum_in_place_on_copies),
        (check_momentum_update, momentum_torch),
        (check_adagrad_update, optim.adagrad_update),
        (check_adagrad_update, adagrad_renamed_with_power_and_divide),
        (check_rmsprop_update, optim.rmsprop_update),
        (check_rmsprop_update, rmsprop_in_float64_then_cast_back),
        (check_adam_update, optim.adam_update),
        (check_adam_update, adam_textbook),
        (check_adam_update, adam_in_place_renamed),
        (check_adam_update, adam_torch),
    ],
    ids=lambda x: getattr(x, "__name__", ""),
)
def test_right_rules_pass_with_one_line(check, fn, capsys):
    check(fn)
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and out.startswith("✔ ") and "matches the reference" in out


# ---------------------------------------------------------------------------------------------
# Wrong rules fail, and the message names the mistake
# ---------------------------------------------------------------------------------------------


def sgd_uphill(w, grad, lr):
    return w + lr * grad


def sgd_without_lr(w, grad, lr):
    return w - grad


def sgd_in_place(w, grad, lr):
    w -= lr * grad
    return w


def sgd_forgot_return(w, grad, lr):
    w = w - lr * grad  # noqa: F841


def sgd_always_float64(w, grad, lr):
    return np.asarray(w, dtype=float) - lr * grad


def sgd_flattens(w, grad, lr):
    return (w - lr * grad).ravel()


def momentum_cs231n(w, grad, velocity, lr, momentum=0.9, nesterov=False):
    velocity = momentum * velocity - lr * grad
    return w + velocity, velocity


def momentum_ema(w, grad, velocity, lr, momentum=0.9, nesterov=False):
    velocity = momentum * velocity + (1 - momentum) * grad
    return w - lr * velocity, velocity


def momentum_nesterov_ignored(w, grad, velocity, lr, momentum=0.9, nesterov=False):
    velocity = momentum * velocity + grad
    return w - lr * velocity, velocity


def momentum_nesterov_old_velocity(w, grad, velocity, lr, momentum=0.9, nesterov=False):
    new_velocity = momentum * velocity + grad
    step = grad + momentum * velocity if nesterov else new_velocity
    return w - lr * step, new_velocity


def momentum_returns_old_velocity(w, grad, velocity, lr, momentum=0.9, nesterov=False):
    new_velocity = momentum * velocity + grad
    step = grad + momentum * new_velocity if nesterov else new_velocity
    return w - lr * step, velocity


def momentum_state_not_updated(w, grad, velocity, lr, momentum=0.9, nesterov=False):
    step = momentum * velocity + grad  # never stored back into velocity
    if nesterov:
        step = grad + momentum * step
    return w - lr * step, velocity.copy()


def momentum_swapped_results(w, grad, velocity, lr, momentum=0.9, nesterov=False):
    velocity = momentum * velocity + grad
    return velocity, w - lr * (grad + momentum * velocity if nesterov else velocity)


def momentum_step_then_velocity(w, grad, velocity, lr, momentum=0.9, nesterov=False):
    w = w - lr * (velocity if not nesterov else grad + momentum * (momentum * velocity + grad))
    return w, momentum * velocity + grad


def momentum_wrong_default(w, grad, velocity, lr, momentum=0.99, nesterov=False):
    return optim.momentum_update(w, grad, velocity, lr, momentum, nesterov)


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


def rmsprop_hard_coded_alpha(w, grad, sq_avg, lr=1e-2, alpha=0.99, eps=1e-8):
    sq_avg = 0.99 * sq_avg + 0.01 * grad**2
    return w - lr * grad / (np.sqrt(sq_avg) + eps), sq_avg


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
    (check_sgd_update, sgd_uphill, "the sign is flipped"),
    (check_sgd_update, sgd_without_lr, "the learning rate is missing"),
    (check_sgd_update, sgd_in_place, "changed its input `w` in place"),
    (check_sgd_update, sgd_forgot_return, "returned None on case 1 of 11, a vector"),
    (check_sgd_update, sgd_always_float64, "returned `w` as float64 instead of float32"),
    (check_sgd_update, sgd_flattens, "returned `w` with shape (12,) instead of (3, 4)"),
    (check_momentum_update, momentum_cs231n, "CS231n form"),
    (check_momentum_update, momentum_ema, "moving-average form v ← ρv + (1 − ρ)g"),
    (check_momentum_update, momentum_nesterov_ignored, "with nesterov=True you took the plain"),
    (check_momentum_update, momentum_nesterov_old_velocity, "uses the old velocity"),
    (check_momentum_update, momentum_returns_old_velocity, "return the `velocity` you were given"),
    (check_momentum_update, momentum_state_not_updated, "return the `velocity` you were given"),
    (check_momentum_update, momentum_swapped_results, "wrong order: return (w, velocity)"),
    (check_momentum_update, momentum_step_then_velocity, "w is stepped with the old velocity"),
    (check_momentum_update, momentum_wrong_default, "default for `momentum` is 0.99"),
    (check_adagrad_update, adagrad_unsquared, "not squared: G ← G + g²"),
    (check_adagrad_update, adagrad_no_root, "the square root is missing"),
    (check_adagrad_update, adagrad_eps_in_root, "ε is inside the square root"),
    (check_adagrad_update, adagrad_eps_on_weight, "ε is added to the weights"),
    (check_adagrad_update, adagrad_returns_old_sum, "return the `sum_sq` you were given"),
    (check_adagrad_update, adagrad_math_sqrt, "raised TypeError: only 0-dimensional arrays"),
    (check_rmsprop_update, rmsprop_widely_copied, "αG + (1 − α) + g is a widely copied typo"),
    (check_rmsprop_update, rmsprop_alpha_swapped, "α and 1 − α are swapped"),
    (check_rmsprop_update, rmsprop_eps_in_root, "ε is inside the square root"),
    (check_rmsprop_update, rmsprop_no_root, "the square root is missing"),
    (check_rmsprop_update, rmsprop_in_place, "changed its input `sq_avg` in place"),
    (check_adam_update, adam_no_bias_correction, "there is no bias correction"),
    (check_adam_update, adam_only_m_corrected, "only m is bias-corrected"),
    (check_adam_update, adam_only_v_corrected, "only v is bias-corrected"),
    (check_adam_update, adam_t_minus_one, "the bias correction uses t − 1"),
    (check_adam_update, adam_t_plus_one, "the bias correction uses t + 1"),
    (check_adam_update, adam_right_only_at_t_1, "lacks the power t"),
    (check_adam_update, adam_widely_copied, "the widely copied w − η·m / v + ε"),
    (check_adam_update, adam_eps_in_root, "ε is inside the square root"),
    (check_adam_update, adam_paper_efficient_form, "puts ε before the correction"),
    (check_adam_update, adam_uphill, "the sign is flipped"),
    (check_adam_update, adam_without_lr, "the learning rate is missing"),
    (check_adam_update, adam_returns_w_v_m, "wrong order: return (w, m, v)"),
    (check_adam_update, adam_returns_old_moments, "return the `m` and `v` you were given"),
    (check_adam_update, adam_returns_corrected_moments, "bias-corrected m̂ and v̂ as the new state"),
    (check_adam_update, adam_float64_constants, "as float64 instead of float32"),
    (check_adam_update, adam_hard_coded_betas, "returned a wrong `w`, `m` and `v` on case 8"),
    (check_adam_update, adam_hard_coded_eps, "ignores `eps`: it computes as if eps=1e-08"),
    (check_rmsprop_update, rmsprop_hard_coded_alpha, "ignores `alpha`"),
    (check_adam_update, adam_wrong_default_eps, "default for `eps` is 1e-06"),
    (check_adam_update, adam_learning_rate_named_differently, "signature is adam_update(w, grad"),
    (check_adam_update, adam_counts_its_own_steps, "returned a wrong"),
    (check_adam_update, adam_only_for_arrays, "raised TypeError: len() of unsized object"),
]


# ---------------------------------------------------------------------------------------------
# More wrong rules: a student's slips and an adversarial grader's probes. Each must fail; the
# diagnosis is asserted where the check names one, else the start of the message.
# ---------------------------------------------------------------------------------------------


def sgd_divides_by_lr(w, grad, lr):
    return w - grad / lr


def sgd_subtract_out_w(w, grad, lr):
    return np.subtract(w, lr * grad, out=w)


def sgd_scales_grad_in_place(w, grad, lr):
    grad *= lr
    return w - grad


def sgd_python_float_for_scalars(w, grad, lr):
    new_w = w - lr * grad
    return float(new_w) if new_w.ndim == 0 else new_w


def sgd_at_least_1d(w, grad, lr):
    return np.atleast_1d(w - lr * grad)


def sgd_lr_as_a_one_element_array(w, grad, lr):
    return w - np.array([lr]) * grad  # shape (1,) broadcasts, but float32 becomes float64


def sgd_integer_result(w, grad, lr):
    new_w = np.zeros(w.shape, dtype=int)
    new_w[...] = w - lr * grad
    return new_w


def sgd_zero_gradient_shortcut(w, grad, lr):
    return w if not grad.any() else w - lr * grad


def sgd_clips_the_gradient(w, grad, lr):
    return w - lr * np.clip(grad, -1, 1)


def sgd_in_float32(w, grad, lr):
    return (w.astype(np.float32) - np.float32(lr) * grad.astype(np.float32)).astype(w.dtype)


def sgd_rounds(w, grad, lr):
    return np.round(w - lr * grad, 6)


def sgd_drops_a_dimension(w, grad, lr):
    new_w = w - lr * grad
    return new_w.reshape(new_w.shape[0], -1) if new_w.ndim > 2 else new_w


def momentum_dampened(w, grad, velocity, lr, momentum=0.9, nesterov=False):
    velocity = momentum * velocity + 0.9 * grad  # torch's dampening=0.1
    return w - lr * (grad + momentum * velocity if nesterov else velocity), velocity


def momentum_velocity_starts_at_grad(w, grad, velocity, lr, momentum=0.9, nesterov=False):
    velocity = grad if not velocity.any() else momentum * velocity + grad
    return w - lr * (grad + momentum * velocity if nesterov else velocity), velocity


def momentum_cs231n_nesterov(w, grad, velocity, lr, momentum=0.9, nesterov=False):
    previous, velocity = velocity, momentum * velocity - lr * grad
    if nesterov:
        return w - momentum * previous + (1 + momentum) * velocity, velocity
    return w + velocity, velocity


def momentum_nesterov_stores_the_step(w, grad, velocity, lr, momentum=0.9, nesterov=False):
    velocity = momentum * velocity + grad
    if nesterov:
        velocity = grad + momentum * velocity
    return w - lr * velocity, velocity


def momentum_nesterov_lookahead_only(w, grad, velocity, lr, momentum=0.9, nesterov=False):
    velocity = momentum * velocity + grad
    return w - lr * (momentum * velocity if nesterov else velocity), velocity


def momentum_nesterov_compared_with_a_string(w, grad, velocity, lr, momentum=0.9, nesterov=False):
    velocity = momentum * velocity + grad
    return w - lr * (grad + momentum * velocity if nesterov == "True" else velocity), velocity


def momentum_nesterov_by_default(w, grad, velocity, lr, momentum=0.9, nesterov=True):
    return optim.momentum_update(w, grad, velocity, lr, momentum, nesterov)


def momentum_parameters_reordered(w, grad, velocity, lr, nesterov=False, momentum=0.9):
    velocity = momentum * velocity + grad
    return w - lr * (grad + momentum * velocity if nesterov else velocity), velocity


def momentum_multiply_out_velocity(w, grad, velocity, lr, momentum=0.9, nesterov=False):
    np.multiply(momentum, velocity, out=velocity)
    velocity += grad
    return w - lr * (grad + momentum * velocity if nesterov else velocity), velocity


def momentum_returns_w_twice(w, grad, velocity, lr, momentum=0.9, nesterov=False):
    new_w, _ = optim.momentum_update(w, grad, velocity, lr, momentum, nesterov)
    return new_w, new_w


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
    (check_sgd_update, sgd_divides_by_lr, "the step is divided by η"),
    (check_sgd_update, sgd_subtract_out_w, "changed its input `w` in place"),
    (check_sgd_update, sgd_scales_grad_in_place, "changed its input `grad` in place"),
    (check_sgd_update, sgd_python_float_for_scalars, "float(...) and .item() give a Python float"),
    (check_sgd_update, sgd_at_least_1d, "returned `w` with shape (1,) instead of ()"),
    (check_sgd_update, sgd_lr_as_a_one_element_array, "as float64 instead of float32"),
    (check_sgd_update, sgd_integer_result, "returned `w` as int64 instead of float64"),
    (check_sgd_update, sgd_zero_gradient_shortcut, "returned its input `w` itself as the new `w`"),
    (check_sgd_update, sgd_clips_the_gradient, "returned a wrong `w` on case 1 of 11"),
    (check_sgd_update, sgd_in_float32, "right to only about 7 digits"),
    (check_sgd_update, sgd_rounds, "returned a wrong `w` on case 1 of 11"),
    (check_sgd_update, sgd_drops_a_dimension, "shape (2, 6) instead of (2, 3, 2)"),
    (check_momentum_update, momentum_dampened, "returned a wrong `w` and `velocity` on case 1"),
    (
        check_momentum_update,
        momentum_velocity_starts_at_grad,
        "`grad` itself as the new `velocity`",
    ),
    (check_momentum_update, momentum_cs231n_nesterov, "CS231n form"),
    (check_momentum_update, momentum_nesterov_stores_the_step, "return the step g + ρv as the"),
    (check_momentum_update, momentum_nesterov_lookahead_only, "the Nesterov step lacks g"),
    (check_momentum_update, momentum_nesterov_compared_with_a_string, "you took the plain step"),
    (check_momentum_update, momentum_nesterov_by_default, "default for `nesterov` is True"),
    (check_momentum_update, momentum_parameters_reordered, "(w, grad, velocity, lr, nesterov, mo"),
    (check_momentum_update, momentum_multiply_out_velocity, "changed its input `velocity` in pl"),
    (check_momentum_update, momentum_returns_w_twice, "returned a wrong `velocity` on case 1"),
    (check_adagrad_update, adagrad_no_eps, "ε is missing"),
    (check_adagrad_update, adagrad_no_eps_but_guarded, "ε is missing"),
    (check_adagrad_update, adagrad_eps_squared_in_root, "not √(G + ε²)"),
    (check_adagrad_update, adagrad_eps_on_the_ratio, "ε is added to the ratio g / √G"),
    (check_adagrad_update, adagrad_absolute_gradient, "G adds |g|"),
    (check_adagrad_update, adagrad_times_two, "grad*2 doubles the gradient"),
    (check_adagrad_update, adagrad_one_sum_for_all_weights, "G is one number for all weights"),
    (check_adagrad_update, adagrad_keeps_the_root, "you return √G as the new state"),
    (check_adagrad_update, adagrad_with_lr_decay, "returned a wrong `w` on case 2 of 17"),
    (check_adagrad_update, adagrad_add_out_sum_sq, "changed its input `sum_sq` in place"),
    (check_adagrad_update, adagrad_wrong_default_lr, "default for `lr` is 0.001"),
    (check_rmsprop_update, rmsprop_no_eps, "ε is missing"),
    (check_rmsprop_update, rmsprop_eps_squared_in_root, "not √(G + ε²)"),
    (check_rmsprop_update, rmsprop_without_one_minus_alpha, "the factor 1 − α is missing"),
    (check_rmsprop_update, rmsprop_copied_typo_half_fixed, "(1 − α) is added, not multiplied"),
    (check_rmsprop_update, rmsprop_absolute_gradient, "G averages |g|"),
    (check_rmsprop_update, rmsprop_centered_unasked, "returned a wrong `w` on case 1 of 17"),
    (check_rmsprop_update, rmsprop_starts_at_the_square, "you start G at g² when it is all zero"),
    (check_rmsprop_update, rmsprop_hintons_default_alpha, "default for `alpha` is 0.9 but"),
    (check_rmsprop_update, rmsprop_keeps_the_root, "you return √G as the new state"),
    (check_rmsprop_update, rmsprop_one_mean_for_all_weights, "G is one number for all weights"),
    (check_rmsprop_update, rmsprop_forgets_the_old_average, "the term αG is missing"),
    (check_rmsprop_update, rmsprop_always_float32, "returned `w` as float32 instead of float64"),
    (check_adam_update, adam_t_plus_one_on_v_only, "the bias correction of v̂ uses t + 1"),
    (check_adam_update, adam_t_minus_one_on_m_only, "the bias correction of m̂ uses t − 1"),
    (check_adam_update, adam_corrects_the_state_given, "bias-correct the m and v you were given"),
    (check_adam_update, adam_absolute_gradient_in_v, "v averages |g| instead of g²"),
    (check_adam_update, adam_m_squared_in_v, "v averages m² instead of g²"),
    (check_adam_update, adam_betas_reordered, "lr, beta2, beta1, eps) but the exercise's are"),
    (check_adam_update, adam_beta1_in_both_corrections, "v̂ is corrected with β1"),
    (check_adam_update, adam_power_on_one_minus_beta, "the power is on (1 − β)"),
    (check_adam_update, adam_beta_times_t, "βᵗ is a power, beta1**t, not beta1*t"),
    (check_adam_update, adam_unbracketed_correction, "`m / 1 - beta1**t` is (m / 1) − β1ᵗ"),
    (check_adam_update, adam_no_eps, "ε is missing: the step is w ← w − η·m̂ / (√v̂ + ε)"),
    (check_adam_update, adam_eps_on_the_ratio, "ε is added to the ratio m̂ / √v̂"),
    (check_adam_update, adam_amsgrad, "which is AMSGrad"),
    (check_adam_update, adam_with_adamw_decay, "as AdamW does"),
    (check_adam_update, adam_squares_grad_in_place, "changed its input `grad` in place"),
    (check_adam_update, adam_stacks_the_results, "returned a single ndarray"),
    (check_adam_update, adam_nothing_to_do_shortcut, "returned its input `w` itself"),
    (check_adam_update, adam_hard_coded_lr, "ignores `lr`: it computes as if lr=0.001"),
    (check_adam_update, adam_wrong_default_lr, "default for `lr` is 0.01 but"),
    (check_adam_update, adam_float32_bias_correction, "returned a wrong `w` on case 1 of 19"),
    (check_adam_update, adam_no_correction_after_ten_steps, "on case 17 of 19, a late step"),
    (check_adam_update, adam_as_a_list, "returned a list on case 1 of 19"),
]


def momentum_lr_twice(w, grad, velocity, lr, momentum=0.9, nesterov=False):
    velocity = momentum * velocity + lr * grad
    step = grad + momentum * velocity if nesterov else velocity
    return w - lr * step, velocity


def rmsprop_eps_times_lr(w, grad, sq_avg, lr=1e-2, alpha=0.99, eps=1e-8):
    sq_avg = alpha * sq_avg + (1 - alpha) * grad**2
    return w - grad / (np.sqrt(sq_avg) / lr + eps), sq_avg  # ε scaled by η


def adam_eps_times_lr(w, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m, v = _adam_moments(grad, m, v, beta1, beta2)
    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    return w - m_hat / (np.sqrt(v_hat) / lr + eps), m, v


@pytest.mark.parametrize(
    ("check", "fn"),
    [
        (check_momentum_update, momentum_lr_twice),  # lr = 1 − ρ once looked like the EMA form
        (check_rmsprop_update, rmsprop_eps_times_lr),  # once blamed on float32 arithmetic
        (check_adam_update, adam_eps_times_lr),
    ],
)
def test_mistakes_no_mutant_explains_get_no_wrong_cause(check, fn):
    with pytest.raises(CheckFailed) as excinfo:
        check(fn)
    assert "Likely cause" not in str(excinfo.value)


@pytest.mark.parametrize(
    ("check", "fn", "diagnosis"),
    WRONG + MORE_WRONG,
    ids=[f.__name__ for _, f, _ in WRONG + MORE_WRONG],
)
def test_wrong_rules_fail_with_the_right_diagnosis(check, fn, diagnosis, capsys):
    with pytest.raises(CheckFailed) as excinfo:
        check(fn)
    message = str(excinfo.value)
    assert diagnosis in message
    assert "Traceback" not in message and 'File "' not in message
    assert excinfo.value._render_traceback_() == [f"CheckFailed: {message}"]
    assert capsys.readouterr().out == ""


def test_the_wrong_rules_cover_every_rule_and_many_mistakes():
    assert len(WRONG) >= 25 and len(MORE_WRONG) >= 30
    assert {check for check, _, _ in WRONG} == set(CHECKS.values())
    assert {check for check, _, _ in MORE_WRONG} == set(CHECKS.values())
    functions = [fn for _, fn, _ in WRONG + MORE_WRONG]
    assert len(functions) == len(set(functions))


# ---------------------------------------------------------------------------------------------
# The cases and mutants themselves
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("rule", CHECKS, ids=lambda rule: rule.__name__)
def test_every_mutant_is_caught_and_named(rule, monkeypatch):
    mutants = _recorded(monkeypatch, CHECKS[rule])["mutants"]
    monkeypatch.undo()
    signature = inspect.signature(rule)
    for mutant in mutants:

        def learner(*args, _mutant=mutant, **kwargs):
            bound = signature.bind(*args, **kwargs)
            bound.apply_defaults()
            return _mutant.fn(**bound.arguments)

        learner.__signature__ = signature
        with pytest.raises(CheckFailed) as excinfo:
            CHECKS[rule](learner)
        assert str(excinfo.value).endswith(f"Likely cause: {mutant.diagnosis}")


@pytest.mark.parametrize("rule", CHECKS, ids=lambda rule: rule.__name__)
def test_cases_cover_shapes_dtypes_calls_and_stay_finite(rule, monkeypatch):
    cases = _recorded(monkeypatch, CHECKS[rule])["cases"]
    signature = inspect.signature(rule)
    shapes, dtypes, styles = set(), set(), set()
    for case in cases:
        result = rule(*case.args, **case.kwargs)
        assert all(
            np.isfinite(a).all() for a in (result if isinstance(result, tuple) else [result])
        )
        bound = signature.bind(*case.args, **case.kwargs)
        shapes.add(case.args[0].shape)
        dtypes.add(case.args[0].dtype)
        styles.add("defaults" if len(bound.arguments) < len(signature.parameters) else "")
        styles.add("keyword" if case.kwargs else "positional")
    assert {(), (1,), (3, 4), (2, 3, 2)} <= shapes
    assert dtypes == {np.dtype(np.float32), np.dtype(np.float64)}
    assert {"keyword", "positional"} <= styles
    if any(p.default is not inspect.Parameter.empty for p in signature.parameters.values()):
        assert "defaults" in styles


@pytest.mark.parametrize(
    ("rule", "name", "expected"),
    [
        (optim.adam_update, "t", {1, 2, 3, 4, 5, 1000}),
        (optim.adam_update, "eps", {1e-8, 0.1}),
        (optim.adagrad_update, "eps", {1e-10, 0.1}),
        (optim.rmsprop_update, "eps", {1e-8, 0.1}),
        (optim.momentum_update, "nesterov", {True, False}),
        (optim.momentum_update, "momentum", {0.0, 0.9}),
    ],
)
def test_cases_include_the_values_that_tell_mistakes_apart(rule, name, expected, monkeypatch):
    signature = inspect.signature(rule)
    found = set()
    for case in _recorded(monkeypatch, CHECKS[rule])["cases"]:
        bound = signature.bind(*case.args, **case.kwargs)
        bound.apply_defaults()
        found.add(bound.arguments[name])
    assert expected <= found


@pytest.mark.parametrize(
    ("rule", "state"),
    [
        (optim.adagrad_update, "sum_sq"),
        (optim.rmsprop_update, "sq_avg"),
        (optim.adam_update, "v"),
    ],
)
def test_a_large_eps_case_starts_from_a_nonzero_state(rule, state, monkeypatch):
    # there √G + ε, √(G + ε), √(G + ε²) and √G all differ, and so do αG + g² and G + g²
    signature = inspect.signature(rule)
    found = False
    for case in _recorded(monkeypatch, CHECKS[rule])["cases"]:
        bound = signature.bind(*case.args, **case.kwargs)
        bound.apply_defaults()
        found |= bound.arguments["eps"] >= 0.1 and bool(np.all(bound.arguments[state] > 0))
    assert found
