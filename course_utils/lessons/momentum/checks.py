r"""The check of lesson 06: heavy-ball momentum, with Nesterov's variant.

``check_momentum_update(fn)`` compares ``fn(w, grad, velocity, lr, momentum=0.9,
nesterov=False) -> (w, velocity)`` with ``course_utils.optim.momentum_update`` (torch's form:
v ← ρv + g, then w ← w − ηv, or w ← w − η(g + ρv) with Nesterov) on seeded cases (see
``course_utils.rule_checks``), and names the other conventions learners bring (CS231n's
v ← ρv − ηg, the moving average v ← ρv + (1 − ρ)g, η folded into v) and the Nesterov mistakes.
"""

from ... import optim
from ...checks import Mutant
from ...rule_checks import check_rule

__all__ = ["check_momentum_update"]


def check_momentum_update(fn):
    """Check ``fn(w, grad, velocity, lr, momentum=0.9, nesterov=False) -> (w, velocity)``."""
    __tracebackhide__ = True
    check_rule(fn, optim.momentum_update, _ROWS, states=("velocity",), seed=1, mutants=_MUTANTS)


# (label, shape, how to draw the arrays, how to call, hyperparameters): see rule_checks._cases
_ROWS = (
    # lr ≠ 1 − momentum: else v ← ρv + ηg (η applied twice) looks like the moving average
    ("", (3, 4), "run 4", "keyword", dict(lr=0.05, momentum=0.9, nesterov=False)),
    ("", (5,), "run 3", "keyword", dict(lr=0.1, momentum=0.8, nesterov=True)),
    ("defaults, zero weights", (5,), "zero w", "defaults", dict(lr=0.05)),
    ("Nesterov, default momentum", (4,), "", "defaults", dict(lr=0.1, nesterov=True)),
    ("Nesterov, by position", (1,), "", "positional", dict(lr=0.2, momentum=0.5, nesterov=True)),
    ("a 0-d array", (), "", "keyword", dict(lr=0.1, momentum=0.8, nesterov=False)),
    ("a 0-d array", (), "float32", "keyword", dict(lr=0.1, momentum=0.8, nesterov=True)),
    ("float32", (3, 4), "float32", "keyword", dict(lr=0.05, momentum=0.7, nesterov=False)),
    ("Nesterov", (2, 3), "float32", "positional", dict(lr=0.1, momentum=0.95, nesterov=True)),
    ("zero gradient", (5,), "zero grad", "keyword", dict(lr=0.1, momentum=0.9, nesterov=True)),
    ("all zero", (5,), "zero grad zero state", "keyword", dict(lr=0.1, nesterov=False)),
    ("large gradients", (4,), "large", "keyword", dict(lr=1e-4, momentum=0.9, nesterov=False)),
    ("momentum 0", (4,), "", "keyword", dict(lr=0.1, momentum=0.0, nesterov=True)),
    ("3-D arrays", (2, 3, 2), "", "keyword", dict(lr=0.1, momentum=0.9, nesterov=True)),
)


_TORCH_FORM = "this exercise uses torch's form: v ← ρv + g, then w ← w − ηv."


def _momentum(grad, velocity, momentum, nesterov):
    """The right new velocity and step, for mutants that go wrong elsewhere."""
    velocity = momentum * velocity + grad
    return velocity, grad + momentum * velocity if nesterov else velocity


def _momentum_cs231n(w, grad, velocity, lr, momentum, nesterov):
    velocity = momentum * velocity - lr * grad
    return w + velocity, velocity


def _momentum_cs231n_nesterov(w, grad, velocity, lr, momentum, nesterov):
    new_velocity = momentum * velocity - lr * grad
    if nesterov:
        return w - momentum * velocity + (1 + momentum) * new_velocity, new_velocity
    return w + new_velocity, new_velocity


def _momentum_ema(w, grad, velocity, lr, momentum, nesterov):
    velocity = momentum * velocity + (1 - momentum) * grad
    return w - lr * velocity, velocity


def _momentum_lr_in_velocity(w, grad, velocity, lr, momentum, nesterov):
    velocity = momentum * velocity + lr * grad
    return w - velocity, velocity


def _momentum_nesterov_ignored(w, grad, velocity, lr, momentum, nesterov):
    velocity, step = _momentum(grad, velocity, momentum, nesterov=False)
    return w - lr * step, velocity


def _momentum_nesterov_always(w, grad, velocity, lr, momentum, nesterov):
    velocity, step = _momentum(grad, velocity, momentum, nesterov=True)
    return w - lr * step, velocity


def _momentum_nesterov_step_kept(w, grad, velocity, lr, momentum, nesterov):
    velocity, step = _momentum(grad, velocity, momentum, nesterov)
    return w - lr * step, step


def _momentum_nesterov_without_grad(w, grad, velocity, lr, momentum, nesterov):
    velocity, step = _momentum(grad, velocity, momentum, nesterov)
    return w - lr * (momentum * velocity if nesterov else step), velocity


def _momentum_step_before_velocity(w, grad, velocity, lr, momentum, nesterov):
    new_velocity, step = _momentum(grad, velocity, momentum, nesterov)
    return w - lr * (step if nesterov else velocity), new_velocity


_MUTANTS = (
    Mutant(_momentum_cs231n, "you wrote the CS231n form (v ← ρv − ηg, w ← w + v); " + _TORCH_FORM),
    Mutant(
        _momentum_cs231n_nesterov,
        "you wrote the CS231n form (v ← ρv − ηg; w ← w + v, or w ← w − ρv_old + (1 + ρ)v with "
        "Nesterov); " + _TORCH_FORM,
    ),
    Mutant(
        _momentum_ema,
        "you wrote the moving-average form v ← ρv + (1 − ρ)g; this exercise uses torch's form "
        "v ← ρv + g (no 1 − ρ), then w ← w − ηv.",
    ),
    Mutant(
        _momentum_lr_in_velocity,
        "η is folded into the velocity (v ← ρv + ηg, w ← w − v); " + _TORCH_FORM,
    ),
    Mutant(
        _momentum_nesterov_ignored,
        "with nesterov=True you took the plain step ρv + g: either nesterov is ignored or the "
        "Nesterov step uses the old velocity (g + ρ·v_old is the plain step). Update v first, "
        "then step w ← w − η(g + ρv) with the new v.",
    ),
    Mutant(
        _momentum_nesterov_always,
        "the Nesterov step is taken even when nesterov=False; then the step is w ← w − ηv.",
    ),
    Mutant(
        _momentum_nesterov_step_kept,
        "with nesterov=True you return the step g + ρv as the velocity: the new velocity is "
        "still v ← ρv + g.",
    ),
    Mutant(
        _momentum_nesterov_without_grad,
        "the Nesterov step lacks g: it is w ← w − η(g + ρv), with the new v.",
    ),
    Mutant(
        _momentum_step_before_velocity,
        "w is stepped with the old velocity: update v ← ρv + g first, then w ← w − ηv "
        "with the new v.",
    ),
)
