"""check_momentum_update passes momentum rules however written, and names the mistake in wrong
ones.

The wrong rules below are written here, independently of the check's own mutant list, the way a
learner (or a published summary) would write them. The check's cases and mutants themselves are
tested with every update rule's, in tests/test_rule_checks.py.
"""

import numpy as np

from course_utils import optim
from course_utils.lessons.momentum import check_momentum_update

from ..checking import check_tests, no_cause_named

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
