"""check_momentum_update passes momentum rules however written, and names the mistake in wrong
ones.

The wrong rules below are written here, independently of the check's own mutant list, the way a
learner (or a published summary) would write them. The check's cases and mutants themselves are
tested with every update rule's, in tests/test_rule_checks.py.
"""

import numpy as np
import pytest

from course_utils import optim
from course_utils.lessons.momentum import (
    check_best_momentum,
    check_fast_settings,
    check_momentum_update,
    check_noisy_momentum,
    check_steady_velocity,
)

from ..checking import check_tests, fails, no_cause_named, number_tests, question_tests

# ---------------------------------------------------------------------------------------------
# Right rules, written in different ways, pass
# ---------------------------------------------------------------------------------------------


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


RIGHT = [optim.momentum_update, momentum_in_place_on_copies, momentum_torch]


# ---------------------------------------------------------------------------------------------
# Wrong rules fail, and the message names the mistake
# ---------------------------------------------------------------------------------------------


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


def momentum_w_moved_before_velocity(w, grad, velocity, lr, momentum=0.9, nesterov=False):
    new_w = w - lr * velocity  # the old velocity: the bullet's warning
    velocity = momentum * velocity + grad
    if nesterov:
        new_w = w - lr * (grad + momentum * velocity)
    return new_w, velocity


def momentum_old_velocity_in_both_steps(w, grad, velocity, lr, momentum=0.9, nesterov=False):
    if nesterov:
        w = w - lr * (grad + momentum * velocity)
    else:
        w = w - lr * velocity
    velocity = momentum * velocity + grad
    return w, velocity


def momentum_nesterov_without_rho(w, grad, velocity, lr, momentum=0.9, nesterov=False):
    velocity = momentum * velocity + grad
    return w - lr * (grad + velocity if nesterov else velocity), velocity


def momentum_velocity_negated(w, grad, velocity, lr, momentum=0.9, nesterov=False):
    velocity = momentum * velocity - grad
    if nesterov:
        return w + lr * (momentum * velocity - grad), velocity
    return w + lr * velocity, velocity


def momentum_velocity_negated_torch_nesterov(w, grad, velocity, lr, momentum=0.9, nesterov=False):
    velocity = momentum * velocity - grad
    if nesterov:
        return w - lr * (grad + momentum * velocity), velocity
    return w + lr * velocity, velocity


def momentum_wrong_default(w, grad, velocity, lr, momentum=0.99, nesterov=False):
    return optim.momentum_update(w, grad, velocity, lr, momentum, nesterov)


WRONG = [
    (momentum_cs231n, "CS231n form"),
    (momentum_ema, "moving-average form v ← ρv + (1 − ρ)g"),
    (momentum_nesterov_ignored, "with nesterov=True you took the plain"),
    (momentum_nesterov_old_velocity, "uses the old velocity"),
    (momentum_returns_old_velocity, "return the `velocity` you were given"),
    (momentum_state_not_updated, "return the `velocity` you were given"),
    (momentum_swapped_results, "wrong order: return (w, velocity)"),
    (momentum_step_then_velocity, "w is stepped with the old velocity"),
    (momentum_wrong_default, "default for `momentum` is 0.99"),
    (momentum_w_moved_before_velocity, "w is stepped with the old velocity: update v ← ρv + g"),
    (momentum_old_velocity_in_both_steps, "before v is updated (in the Nesterov step too)"),
    (momentum_nesterov_without_rho, "the Nesterov step lacks ρ: it is w ← w − η(g + ρv)"),
    (momentum_velocity_negated, "your velocity has the opposite sign (v ← ρv − g, w ← w + ηv)"),
    (momentum_velocity_negated_torch_nesterov, "your velocity has the opposite sign"),
]


# ---------------------------------------------------------------------------------------------
# More wrong rules: a student's slips and an adversarial grader's probes. Each must fail; the
# diagnosis is asserted where the check names one, else the start of the message.
# ---------------------------------------------------------------------------------------------


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


def momentum_lr_twice(w, grad, velocity, lr, momentum=0.9, nesterov=False):
    velocity = momentum * velocity + lr * grad
    step = grad + momentum * velocity if nesterov else velocity
    return w - lr * step, velocity


MORE_WRONG = [
    (momentum_dampened, "returned a wrong `w` and `velocity` on case 1"),
    (momentum_velocity_starts_at_grad, "`grad` itself as the new `velocity`"),
    (momentum_cs231n_nesterov, "CS231n form"),
    (momentum_nesterov_stores_the_step, "return the step g + ρv as the"),
    (momentum_nesterov_lookahead_only, "the Nesterov step lacks g"),
    (momentum_nesterov_compared_with_a_string, "you took the plain step"),
    (momentum_nesterov_by_default, "default for `nesterov` is True"),
    (momentum_parameters_reordered, "(w, grad, velocity, lr, nesterov, mo"),
    (momentum_multiply_out_velocity, "changed its input `velocity` in pl"),
    (momentum_returns_w_twice, "returned a wrong `velocity` on case 1"),
]

test_right_rules_pass_with_one_line, test_wrong_rules_fail_with_the_right_diagnosis = check_tests(
    check_momentum_update, RIGHT, WRONG + MORE_WRONG
)


def test_mistakes_no_mutant_explains_get_no_wrong_cause():
    # lr = 1 − ρ once looked like the EMA form
    no_cause_named(check_momentum_update, momentum_lr_twice)


# ---------------------------------------------------------------------------------------------
# The challenge: loss < 1e-6 after 100 steps on the valley, and which way to move when not
# ---------------------------------------------------------------------------------------------


def _fast(settings):
    """``check_fast_settings`` on a pair (η, ρ), as ``fails`` passes one argument."""
    return check_fast_settings(*settings)


@pytest.mark.parametrize(("lr", "momentum"), [(0.02, 0.8), (0.0330578, 0.6694), (0.03, 0.67)])
def test_fast_settings_pass(lr, momentum, capsys):
    check_fast_settings(lr, momentum)
    out = capsys.readouterr().out
    assert out.startswith(f"✔ With η = {lr:g} and ρ = {momentum:g}") and "below 1e-06" in out


@pytest.mark.parametrize(
    ("lr", "momentum", "words"),
    [
        (0.01, 0.9, "lower ρ"),  # in the window, but √0.9 is too slow
        (0.02, 0.85, "lower ρ"),  # just too slow: 2.6e-6
        (0.002, 0.8, "Raise η"),  # below the window: the valley crawls
        (0.05, 0.9, "diverged"),  # past 2(1 + ρ)/λmax
        (0.03, 0.5, "does not converge"),  # at the edge ηλmax = 2(1 + ρ): it swings forever
        (0.01, 0.3, "Raise ρ until the window opens"),  # no η makes both directions swing
        (0.01, 0.0, "Raise ρ"),  # plain gradient descent
    ],
)
def test_slow_or_unstable_settings_say_which_way_to_move(lr, momentum, words):
    message = fails(_fast, (lr, momentum), words)
    assert "Traceback" not in message


def test_lr_above_the_window_says_lower_eta():
    # ρ = 0.7: the window is 0.0267 ≤ η ≤ 0.0337, and heavy ball is stable up to η < 0.034
    fails(_fast, (0.0338, 0.7), "above the window", "here 0.02668 to 0.03373", "Lower η")


@pytest.mark.parametrize(
    ("settings", "words"),
    [((None, 0.8), "Set chosen_lr to a number"), ((0.02, 1.0), "chosen_momentum must be in")],
)
def test_settings_that_are_not_numbers_in_range_are_refused(settings, words):
    fails(_fast, settings, words)


# ---------------------------------------------------------------------------------------------
# The questions
# ---------------------------------------------------------------------------------------------


BEST_MOMENTUM_WRONG = [
    (9 / 11, "9/11 is √ρ"),
    (0.9, "usual default"),
    (99 / 101, "gradient descent's best rate"),
    ((99 / 101) ** 2, "squares (κ − 1)/(κ + 1)"),
    (0.5, "too small"),
    ("0.669", "Set best_rho to one number"),
]

test_best_momentum_passes_81_over_121, test_best_momentum_names_each_mistake = number_tests(
    check_best_momentum, [81 / 121], BEST_MOMENTUM_WRONG
)


QUESTIONS = [
    (check_steady_velocity, "b", {"a": "remembers", "c": "flips sign", "d": "1/(1 − ρ) = 10"}),
    (check_noisy_momentum, "c", {"a": "longer", "b": "1/(1 − ρ) = 10", "d": "only a smaller"}),
]

test_questions_pass_the_right_option_and_explain_each_wrong_one = question_tests(QUESTIONS)
