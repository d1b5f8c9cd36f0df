r"""The check of lesson 06: heavy-ball momentum, with Nesterov's variant.

``check_momentum_update(fn)`` compares ``fn(w, grad, velocity, lr, momentum=0.9,
nesterov=False) -> (w, velocity)`` with ``course_utils.optim.momentum_update`` (torch's form:
v ← ρv + g, then w ← w − ηv, or w ← w − η(g + ρv) with Nesterov) on seeded cases (see
``course_utils.rule_checks``), and names the other conventions learners bring (CS231n's
v ← ρv − ηg, the moving average v ← ρv + (1 − ρ)g, η folded into v, the velocity's sign
flipped, v ← ρv − g with w ← w + ηv), w stepped with the old velocity, and the Nesterov mistakes.

The lesson's other exercises:

- ``check_fast_settings(lr, momentum)`` (challenge): runs heavy ball with the learner's η and ρ
  for 100 steps on the lesson's valley, ``landscapes.quadratic_bowl(100)`` from its start, and
  passes when the loss after step 100 is below 1e-6; else says which way to move, from where η
  sits in the window where every direction swings, (1 − √ρ)²/λmin ≤ η ≤ (1 + √ρ)²/λmax;
- ``check_best_momentum`` (derive): the ρ whose window just covers λmin = 1 and λmax = 100,
  ((√κ − 1)/(√κ + 1))² = (9/11)²;
- ``check_steady_velocity`` and ``check_noisy_momentum`` (concept, the two recall
  questions): how far a steady gradient carries heavy ball, and what momentum does to SGD's
  noise floor.
"""

import math
import numbers

import numpy as np

from ... import landscapes, optim
from ...checks import CheckFailed, Mutant, numeric, passed, question
from ...rule_checks import check_rule
from ...training import descend

__all__ = [
    "check_momentum_update",
    "check_fast_settings",
    "check_best_momentum",
    "check_steady_velocity",
    "check_noisy_momentum",
    "CHALLENGE_STEPS",
    "CHALLENGE_LOSS",
]

CHALLENGE_STEPS = 100
CHALLENGE_LOSS = 1e-6


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


def _momentum_old_velocity_everywhere(w, grad, velocity, lr, momentum, nesterov):
    step = grad + momentum * velocity if nesterov else velocity  # v before its update
    return w - lr * step, momentum * velocity + grad


def _momentum_nesterov_without_rho(w, grad, velocity, lr, momentum, nesterov):
    velocity, step = _momentum(grad, velocity, momentum, nesterov)
    return w - lr * (grad + velocity if nesterov else step), velocity


def _momentum_velocity_negated(w, grad, velocity, lr, momentum, nesterov):
    velocity = momentum * velocity - grad
    return w + lr * (momentum * velocity - grad if nesterov else velocity), velocity


def _momentum_velocity_negated_torch_nesterov(w, grad, velocity, lr, momentum, nesterov):
    velocity = momentum * velocity - grad
    return w - lr * (grad + momentum * velocity) if nesterov else w + lr * velocity, velocity


_NEGATED = (
    "your velocity has the opposite sign (v ← ρv − g, w ← w + ηv): the same steps with v "
    "negated, but this exercise's velocity is torch's, v ← ρv + g, then w ← w − ηv (or "
    "w ← w − η(g + ρv) with Nesterov)."
)

_MUTANTS = (
    Mutant(
        _momentum_old_velocity_everywhere,
        "w is stepped with the old velocity, before v is updated (in the Nesterov step too): "
        "update v ← ρv + g first, then move w with the new v: w ← w − ηv, or "
        "w ← w − η(g + ρv) with Nesterov.",
    ),
    Mutant(
        _momentum_nesterov_without_rho,
        "the Nesterov step lacks ρ: it is w ← w − η(g + ρv), with ρ times the new velocity, "
        "not g + v.",
    ),
    Mutant(_momentum_velocity_negated, _NEGATED),
    Mutant(_momentum_velocity_negated_torch_nesterov, _NEGATED),
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


# ---------------------------------------------------------------------------------------------
# The challenge: loss < 1e-6 within 100 steps on the valley
# ---------------------------------------------------------------------------------------------


def _setting(name, value, low, high):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise CheckFailed(f"Set {name} to a number; it is {value!r}.")
    value = float(value)
    if not (low <= value < high) or not math.isfinite(value):
        raise CheckFailed(f"{name} must be in [{low:g}, {high:g}); it is {value:g}.")
    return value


def check_fast_settings(lr, momentum):
    """Run heavy ball with your η and ρ for 100 steps on the lesson's valley (κ = 100); pass
    when the loss after step 100 is below 1e-6."""
    __tracebackhide__ = True
    lr = _setting("chosen_lr", lr, 1e-6, 1.0)
    momentum = _setting("chosen_momentum", momentum, 0.0, 1.0)
    bowl = landscapes.quadratic_bowl(condition_number=100.0)
    lam_min, lam_max = bowl.eigenvalues
    run = descend(  # the course's heavy ball (torch's form), as in the lesson's cells
        bowl,
        optimizer="momentum",
        steps=CHALLENGE_STEPS,
        lr=lr,
        momentum=momentum,
        on_divergence="stop",
    )
    settings = f"With η = {lr:g} and ρ = {momentum:g}"
    edge = 2 * (1 + momentum)
    if run.status == "diverged" or lr * lam_max >= edge:
        how = f"the run {run.ending}" if run.status == "diverged" else "the run does not converge"
        raise CheckFailed(
            f"{settings} {how}. Heavy ball is stable only while ηλmax < 2(1 + ρ) = {edge:.3g}, "
            f"so η < {edge / lam_max:.4g} here: lower η."
        )
    final = run.losses[-1]
    if final < CHALLENGE_LOSS:
        passed(
            f"{settings} the loss after {CHALLENGE_STEPS} steps is {final:.1e}, below "
            f"{CHALLENGE_LOSS:g}."
        )
        return
    root = math.sqrt(momentum)
    low, high = (1 - root) ** 2 / lam_min, (1 + root) ** 2 / lam_max
    window = "(1 − √ρ)²/λmin ≤ η ≤ (1 + √ρ)²/λmax"
    if low > high:
        advice = (
            f"At this ρ no η makes both directions swing ({window} is empty): the shallow "
            "direction crawls whenever the steep one is stable. Raise ρ until the window opens."
        )
    elif lr < low:
        advice = (
            f"η is below the window {window}, here {low:.4g} to {high:.4g}: along the valley "
            "the run still crawls. Raise η."
        )
    elif lr > high:
        advice = (
            f"η is above the window {window}, here {low:.4g} to {high:.4g}: across the valley "
            "the run shrinks more slowly than √ρ. Lower η."
        )
    else:
        advice = (
            f"Every direction swings and shrinks by √ρ = {root:.3f} per step, too slowly for "
            f"{CHALLENGE_STEPS} steps: lower ρ, keeping η inside the window {window} (it "
            "narrows as ρ falls)."
        )
    raise CheckFailed(
        f"{settings} the loss after {CHALLENGE_STEPS} steps is {final:.1e}, not below "
        f"{CHALLENGE_LOSS:g}. {advice}"
    )


# ---------------------------------------------------------------------------------------------
# Questions
# ---------------------------------------------------------------------------------------------

_ROOT_KAPPA = 10.0  # √κ for the lesson's valley, κ = 100

check_best_momentum = numeric(
    "best_rho",
    value=((_ROOT_KAPPA - 1) / (_ROOT_KAPPA + 1)) ** 2,
    why=(
        "(1 − √ρ)² = (1 + √ρ)²/κ gives √ρ = (√κ − 1)/(√κ + 1) = 9/11, so ρ = (9/11)² ≈ 0.669, "
        "and the rate is √ρ = 9/11 ≈ 0.818 per step."
    ),
    mistakes=(
        (9 / 11, "9/11 is √ρ, the rate per step; ρ is its square."),
        (
            0.9,
            "0.9 is the usual default, not the optimum for this valley: solve the window's "
            "two ends for ρ.",
        ),
        (
            99 / 101,
            "(κ − 1)/(κ + 1) is gradient descent's best rate; the window's condition involves √κ.",
        ),
        (
            (99 / 101) ** 2,
            "that squares (κ − 1)/(κ + 1); the window's condition gives (√κ − 1)/(√κ + 1) for √ρ.",
        ),
    ),
    rtol=2e-3,
    hint="Take square roots of (1 − √ρ)²/λmin = (1 + √ρ)²/λmax and solve for √ρ, then square.",
)

check_steady_velocity = question(
    "steady_velocity",
    correct="b",
    why=(
        "v ← ρv + g with the same g piles up to g/(1 − ρ) = 10g, so the step ηv is ten times "
        "gradient descent's."
    ),
    wrong={
        "a": "The velocity remembers the earlier gradients: with ρ = 0.9 they add up, to "
        "g/(1 − ρ) in the long run.",
        "c": "1/(1 + ρ) ≈ 0.53 is what is left of a gradient that flips sign every step, as "
        "across a valley; a steady one adds up.",
        "d": "ρ = 0.9 is how much of the old velocity each step keeps; the sum of all those "
        "shares, 1 + ρ + ρ² + …, is 1/(1 − ρ) = 10.",
    },
)

check_noisy_momentum = question(
    "noisy_momentum",
    correct="c",
    why=(
        "With small steps heavy ball behaves like plain SGD with the effective learning rate "
        "η/(1 − ρ) = 10η: ten times the steps, and so about ten times the noise floor."
    ),
    wrong={
        "a": (
            "The velocity does average the noise, but it also makes every step 1/(1 − ρ) times "
            "longer: together the floor grows like η/(1 − ρ)."
        ),
        "b": "The floor grows with the step, and the velocity makes the steps 1/(1 − ρ) = 10 "
        "times longer.",
        "d": "Noise keeps kicking the weights whatever ρ is; only a smaller or decaying η "
        "lowers the floor.",
    },
)
