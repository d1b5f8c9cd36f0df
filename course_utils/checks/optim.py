r"""Checks for the update-rule exercises (lessons 02, 06–09).

``check_sgd_update(fn)``, ``check_momentum_update(fn)``, ``check_adagrad_update(fn)``,
``check_rmsprop_update(fn)`` and ``check_adam_update(fn)`` compare a learner's rule with the
reference in ``course_utils.optim`` (signatures as in DESIGN.md) on 11 to 19 seeded cases each:
shapes (), (1,), (5,), (3, 4), (2, 3, 2); float64 (compared to 1e-10) and float32; zero, tiny
and large gradients; zero weights and zero state; ε = 0.1 with a nonzero state, where √G + ε,
√(G + ε), √(G + ε²) and √G differ; hyperparameters away from the defaults; calls by keyword,
by position and relying on the defaults; Nesterov on and off; t = 1 and later steps; and a run
of consecutive steps, each starting from the reference's state.

The mutants are the mistakes learners and published summaries make (see DESIGN.md on the
widely copied wrong formulas); the checks name them when the learner's results match one.
"""

import inspect

import numpy as np

from .. import optim
from .feedback import Mutant, check_function, make_case

__all__ = [
    "check_sgd_update",
    "check_momentum_update",
    "check_adagrad_update",
    "check_rmsprop_update",
    "check_adam_update",
]


def check_sgd_update(fn):
    r"""Check ``fn(w, grad, lr) -> w``: $w \leftarrow w - \eta\, g$."""
    __tracebackhide__ = True
    check_function(
        fn,
        "sgd_update",
        reference=optim.sgd_update,
        cases=_cases(optim.sgd_update, (), _SGD_CASES, seed=0),
        outputs=("w",),
        mutants=_mutants(optim.sgd_update, ()),
        tolerances=_FLOAT64_TOLERANCE,
    )


def check_momentum_update(fn):
    """Check ``fn(w, grad, velocity, lr, momentum=0.9, nesterov=False) -> (w, velocity)``."""
    __tracebackhide__ = True
    check_function(
        fn,
        "momentum_update",
        reference=optim.momentum_update,
        cases=_cases(optim.momentum_update, ("velocity",), _MOMENTUM_CASES, seed=1),
        outputs=("w", "velocity"),
        mutants=_MOMENTUM_MUTANTS + _mutants(optim.momentum_update, ("velocity",)),
        tolerances=_FLOAT64_TOLERANCE,
    )


def check_adagrad_update(fn):
    """Check ``fn(w, grad, sum_sq, lr=1e-2, eps=1e-10) -> (w, sum_sq)``."""
    __tracebackhide__ = True
    check_function(
        fn,
        "adagrad_update",
        reference=optim.adagrad_update,
        cases=_cases(optim.adagrad_update, ("sum_sq",), _ADAGRAD_CASES, seed=2),
        outputs=("w", "sum_sq"),
        mutants=_ADAGRAD_MUTANTS + _mutants(optim.adagrad_update, ("sum_sq",)),
        tolerances=_FLOAT64_TOLERANCE,
    )


def check_rmsprop_update(fn):
    """Check ``fn(w, grad, sq_avg, lr=1e-2, alpha=0.99, eps=1e-8) -> (w, sq_avg)``."""
    __tracebackhide__ = True
    check_function(
        fn,
        "rmsprop_update",
        reference=optim.rmsprop_update,
        cases=_cases(optim.rmsprop_update, ("sq_avg",), _RMSPROP_CASES, seed=3),
        outputs=("w", "sq_avg"),
        mutants=_RMSPROP_MUTANTS + _mutants(optim.rmsprop_update, ("sq_avg",)),
        tolerances=_FLOAT64_TOLERANCE,
    )


def check_adam_update(fn):
    """Check ``fn(w, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8) -> (w, m, v)``."""
    __tracebackhide__ = True
    check_function(
        fn,
        "adam_update",
        reference=optim.adam_update,
        cases=_cases(optim.adam_update, ("m", "v"), _ADAM_CASES, seed=4),
        outputs=("w", "m", "v"),
        mutants=_ADAM_MUTANTS + _mutants(optim.adam_update, ("m", "v")),
        tolerances=_FLOAT64_TOLERANCE,
    )


# ---------------------------------------------------------------------------------------------
# Cases
# ---------------------------------------------------------------------------------------------

# A row: (label, shape, how to draw the arrays, how to call, hyperparameters).
# Arrays: float64 w, grad and state ~ N(0, 1) (states of g² squared), changed by any of
# "float32", "zero w", "zero grad", "zero state", "tiny" (grad and state × 1e-5), "large" (× 1e3).
# "run N": N consecutive steps from zero state, each starting where the reference's previous
# step ended (t counts the steps). Calls: "keyword", "positional", or "defaults" (those equal
# to the defaults left out, so a wrong default shows); t, the step number, is always positional.

_SGD_CASES = (
    ("a vector", (5,), "", "keyword", dict(lr=0.1)),
    ("lr by position", (3, 4), "", "positional", dict(lr=0.5)),
    ("float32", (3, 4), "float32", "keyword", dict(lr=0.01)),
    ("float32, lr by position", (1,), "float32", "positional", dict(lr=0.3)),
    ("a 0-d array", (), "", "keyword", dict(lr=0.2)),
    ("a 0-d array", (), "float32", "keyword", dict(lr=0.2)),
    ("zero gradient", (5,), "zero grad", "keyword", dict(lr=0.1)),
    ("zero weights", (2, 3), "zero w", "keyword", dict(lr=0.05)),
    ("large gradients", (4,), "large", "keyword", dict(lr=1e-3)),
    ("tiny gradients", (4,), "float32 tiny zero w", "keyword", dict(lr=0.1)),
    ("3-D arrays", (2, 3, 2), "", "keyword", dict(lr=0.1)),
)

_MOMENTUM_CASES = (
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

_ADAGRAD_CASES = (
    ("", (3, 4), "run 5", "keyword", dict(lr=0.1, eps=1e-10)),
    ("defaults, tiny gradients", (5,), "tiny zero w", "defaults", dict()),
    ("first step, defaults", (4,), "float32 zero state", "defaults", dict()),
    ("by position", (1,), "", "positional", dict(lr=0.3, eps=1e-6)),
    ("a 0-d array", (), "", "keyword", dict(lr=0.1, eps=1e-10)),
    ("a 0-d array", (), "float32", "keyword", dict(lr=0.1, eps=0.1)),
    ("large ε", (3, 4), "", "keyword", dict(lr=0.1, eps=0.1)),
    ("float32", (3, 4), "float32", "keyword", dict(lr=0.05, eps=1e-7)),
    ("large ε, by position", (4,), "float32", "positional", dict(lr=0.1, eps=0.1)),
    ("zero gradient", (5,), "zero grad", "keyword", dict(lr=0.1, eps=1e-10)),
    ("all zero", (5,), "zero grad zero state", "keyword", dict(lr=0.1)),
    ("large gradients", (2, 3), "large", "keyword", dict(lr=0.1, eps=1e-10)),
    ("3-D arrays", (2, 3, 2), "", "keyword", dict(lr=0.1, eps=1e-6)),
)

_RMSPROP_CASES = (
    ("", (3, 4), "run 5", "keyword", dict(lr=0.01, alpha=0.9, eps=1e-8)),
    ("defaults, tiny gradients", (5,), "tiny zero w", "defaults", dict()),
    ("first step, defaults", (4,), "float32 zero state", "defaults", dict()),
    ("by position", (1,), "", "positional", dict(lr=0.3, alpha=0.5, eps=1e-6)),
    ("a 0-d array", (), "", "keyword", dict(lr=0.1, alpha=0.95)),
    ("a 0-d array", (), "float32", "keyword", dict(lr=0.1, alpha=0.9, eps=0.1)),
    ("large ε", (3, 4), "", "keyword", dict(lr=0.1, alpha=0.9, eps=0.1)),
    ("float32", (3, 4), "float32", "keyword", dict(lr=0.05, alpha=0.8, eps=1e-7)),
    ("large ε, by position", (4,), "float32", "positional", dict(lr=0.1, alpha=0.99, eps=0.1)),
    ("zero gradient", (5,), "zero grad", "keyword", dict(lr=0.1, alpha=0.9)),
    ("all zero", (5,), "zero grad zero state", "keyword", dict(lr=0.1)),
    ("large gradients", (2, 3), "large", "keyword", dict(lr=0.1, alpha=0.7, eps=1e-8)),
    ("3-D arrays", (2, 3, 2), "", "keyword", dict(lr=0.1, alpha=0.9, eps=1e-6)),
)

_ADAM_CASES = (
    ("", (3, 4), "run 5", "keyword", dict(lr=0.1, beta1=0.9, beta2=0.999, eps=1e-8)),
    ("defaults, tiny gradients", (5,), "tiny zero w", "defaults", dict(t=3)),
    ("first step, defaults", (4,), "float32 zero state", "defaults", dict(t=1)),
    ("by position", (1,), "", "positional", dict(t=2, lr=0.05, beta1=0.7, beta2=0.9, eps=1e-6)),
    ("a 0-d array", (), "", "keyword", dict(t=4, lr=0.1)),
    ("a 0-d array", (), "float32", "keyword", dict(t=1, lr=0.1, eps=0.1)),
    ("large ε", (3, 4), "", "keyword", dict(t=3, lr=0.1, eps=0.1)),
    ("float32", (3, 4), "float32", "keyword", dict(t=7, lr=0.01, beta1=0.85, beta2=0.99)),
    ("large ε, by position", (4,), "float32", "positional", dict(t=2, lr=0.1, eps=0.1)),
    ("zero gradient", (5,), "zero grad", "keyword", dict(t=6, lr=0.1)),
    ("all zero", (5,), "zero grad zero state", "keyword", dict(t=1, lr=0.1)),
    ("large gradients", (2, 3), "large", "keyword", dict(t=2, lr=0.1)),
    ("a late step", (5,), "", "keyword", dict(t=1000, lr=0.1, beta2=0.99)),
    ("betas far from the defaults", (5,), "", "keyword", dict(t=3, lr=0.2, beta1=0.5, beta2=0.6)),
    ("3-D arrays", (2, 3, 2), "", "keyword", dict(t=3, lr=0.1)),
)

# The references are a few exact operations, so float64 results are held to float64 precision:
# a rule computed in float32 and cast back (about 1e-7 off) fails.
_FLOAT64_TOLERANCE = {np.float64: (1e-10, 1e-12)}

_SQUARES = frozenset({"sum_sq", "sq_avg", "v"})  # states made of g², never negative


def _cases(rule, states, rows, seed):
    rng = np.random.default_rng(seed)
    cases = []
    for label, shape, draw, call, hyperparameters in rows:
        dtype = np.float32 if "float32" in draw else np.float64
        if draw.startswith("run "):
            steps = int(draw.split()[1])
            cases += _run(rule, rng, states, steps, shape, dtype, call, hyperparameters)
        else:
            inputs = _arrays(rng, shape, dtype, states, draw)
            hyperparameters = dict(hyperparameters)
            if "t" in hyperparameters:  # the step number is an input: always by position
                inputs += (hyperparameters.pop("t"),)
            cases.append(make_case(label, rule, inputs, hyperparameters, call))
    return cases


def _arrays(rng, shape, dtype, states, draw):
    scale = 1e-5 if "tiny" in draw else 1e3 if "large" in draw else 1.0

    def normal(zero):
        return np.zeros(shape) if zero else scale * rng.standard_normal(shape)

    w = np.zeros(shape) if "zero w" in draw else rng.standard_normal(shape)
    grad = normal("zero grad" in draw)
    state = [normal("zero state" in draw) ** (2 if name in _SQUARES else 1) for name in states]
    return tuple(np.asarray(a, dtype=dtype) for a in (w, grad, *state))


def _run(rule, rng, states, steps, shape, dtype, call, hyperparameters):
    w = rng.standard_normal(shape).astype(dtype)
    state = [np.zeros(shape, dtype) for _ in states]
    counts_steps = "t" in inspect.signature(rule).parameters
    cases = []
    for t in range(1, steps + 1):
        grad = rng.standard_normal(shape).astype(dtype)
        inputs = (w, grad, *state, t) if counts_steps else (w, grad, *state)
        label = f"step {t} of a {steps}-step run"
        cases.append(make_case(label, rule, inputs, hyperparameters, call))
        w, *state = rule(*inputs, **hyperparameters)
    return cases


# ---------------------------------------------------------------------------------------------
# Mutants: the known mistakes, each with the sentence that explains it
# ---------------------------------------------------------------------------------------------


def _mutants(rule, states):
    """The mistakes any rule can make: a flipped sign, no η, the old state, the wrong order."""
    outputs = ", ".join(("w", *states))
    mutants = [
        Mutant(_uphill(rule), "the sign is flipped: step downhill, w ← w − η·…, not w + η·…."),
        Mutant(_without_lr(rule), "the learning rate is missing: multiply the step by η (lr)."),
        Mutant(
            _divided_by_lr(rule), "the step is divided by η: multiply it, w ← w − η·…, not …/η."
        ),
    ]
    if states:
        given = " and ".join(f"`{name}`" for name in states)
        mutants += [
            Mutant(
                _given_state_returned(rule, states),
                f"you return the {given} you were given instead of the updated "
                + ("ones." if len(states) > 1 else "one."),
            ),
            Mutant(
                _reordered(rule, reversed(range(len(states) + 1))),
                f"the results come back in the wrong order: return ({outputs}).",
            ),
        ]
    if len(states) > 1:
        mutants.append(
            Mutant(
                _reordered(rule, (0, 2, 1)),
                f"the results come back in the wrong order: return ({outputs}).",
            )
        )
    return tuple(mutants)


def _uphill(rule):
    def mutant(**arguments):
        new = rule(**arguments)
        if isinstance(new, tuple):
            return (2 * arguments["w"] - new[0], *new[1:])
        return 2 * arguments["w"] - new  # w + η·step, when the rule gives w − η·step

    return mutant


def _without_lr(rule):
    return lambda **arguments: rule(**{**arguments, "lr": 1.0})


def _divided_by_lr(rule):
    return lambda **arguments: rule(**{**arguments, "lr": 1 / arguments["lr"]})


def _given_state_returned(rule, states):
    return lambda **arguments: (rule(**arguments)[0], *(arguments[name] for name in states))


def _reordered(rule, order):
    order = tuple(order)
    return lambda **arguments: tuple(rule(**arguments)[k] for k in order)


# Heavy-ball momentum ---------------------------------------------------------------------------

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


_MOMENTUM_MUTANTS = (
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

# AdaGrad and RMSProp -----------------------------------------------------------------------------


# The step w − η·g / (√G + ε) and its known mistakes; Adam's mutants pass m̂ for g and v̂ for G.


def _right_step(w, grad, sq, lr, eps):
    return w - lr * grad / (np.sqrt(sq) + eps)


def _no_sqrt(w, grad, sq, lr, eps):
    return w - lr * grad / (sq + eps)


def _no_eps(w, grad, sq, lr, eps):
    return w - lr * grad / np.sqrt(sq)


def _eps_in_root(w, grad, sq, lr, eps):
    return w - lr * grad / np.sqrt(sq + eps)


def _eps_squared_in_root(w, grad, sq, lr, eps):
    return w - lr * grad / np.sqrt(sq + eps**2)


def _eps_on_ratio(w, grad, sq, lr, eps):
    return w - lr * (grad / np.sqrt(sq) + eps)


def _eps_on_weight(w, grad, sq, lr, eps):
    return w - lr * grad / np.sqrt(sq) + eps


def _adagrad(
    accumulate=lambda sum_sq, grad: sum_sq + grad**2, step=_right_step, old=False, kept=None
):
    """AdaGrad with its accumulator, its step or the state it returns swapped for a wrong one."""

    def mutant(w, grad, sum_sq, lr, eps):
        new = accumulate(sum_sq, grad)
        return step(w, grad, sum_sq if old else new, lr, eps), kept(new) if kept else new

    return mutant


def _rmsprop(
    average=lambda sq_avg, grad, alpha: alpha * sq_avg + (1 - alpha) * grad**2,
    step=_right_step,
    old=False,
    kept=None,
):
    """RMSProp with its moving average, its step or the state it returns swapped for a wrong one."""

    def mutant(w, grad, sq_avg, lr, alpha, eps):
        new = average(sq_avg, grad, alpha)
        return step(w, grad, sq_avg if old else new, lr, eps), kept(new) if kept else new

    return mutant


def _started_at_square(sq_avg, grad, alpha):
    return grad**2 if not np.any(sq_avg) else alpha * sq_avg + (1 - alpha) * grad**2


def _step_mutants(factory, G, g):
    """The step's known mistakes, for AdaGrad, RMSProp or Adam; ε missing comes before the ε
    mistakes it resembles, so that it wins their ties (with a tiny ε they all agree)."""
    return (
        Mutant(factory(step=_no_sqrt), _NO_SQRT.format(G=G)),
        Mutant(factory(step=_no_eps), _NO_EPS.format(G=G, g=g)),
        Mutant(factory(step=_eps_in_root), _EPS_IN_ROOT.format(G=G)),
        Mutant(factory(step=_eps_squared_in_root), _EPS_SQUARED_IN_ROOT.format(G=G)),
        Mutant(factory(step=_eps_on_ratio), _EPS_ON_RATIO.format(G=G, g=g)),
        Mutant(factory(step=_eps_on_weight), _EPS_ON_WEIGHT.format(G=G, g=g)),
    )


_NO_SQRT = "the square root is missing: divide by √{G} + ε (np.sqrt), not {G} + ε."
_NO_EPS = "ε is missing: the step is w ← w − η·{g} / (√{G} + ε); ε keeps it finite where {G} is 0."
_EPS_IN_ROOT = "ε is inside the square root: divide by √{G} + ε, not √({G} + ε)."
_EPS_SQUARED_IN_ROOT = "ε is inside the square root: divide by √{G} + ε, not √({G} + ε²)."
_EPS_ON_RATIO = (
    "ε is added to the ratio {g} / √{G}: it belongs in the denominator, w ← w − η·{g} / (√{G} + ε)."
)
_EPS_ON_WEIGHT = (
    "ε is added to the weights: it belongs in the denominator, w ← w − η·{g} / (√{G} + ε)."
)
_OLD_G = "the step uses G from before this step's update: update G first, then divide by √G + ε."
_ROOT_KEPT = (
    "you return √G as the new state: keep G itself ({what} of g²) and take the root only in "
    "the step."
)
_DOUBLED = "grad*2 doubles the gradient; square it: grad**2."

_ADAGRAD_MUTANTS = (
    Mutant(
        _adagrad(accumulate=lambda sum_sq, grad: sum_sq + grad),
        "the gradient is not squared: G ← G + g², i.e. sum_sq + grad**2, not sum_sq + grad.",
    ),
    Mutant(
        _adagrad(accumulate=lambda sum_sq, grad: grad**2),
        "G ← g² forgets the past: AdaGrad sums the squares, G ← G + g².",
    ),
    Mutant(
        _adagrad(accumulate=lambda sum_sq, grad: sum_sq + np.abs(grad)),
        "G adds |g|: AdaGrad adds the square, G ← G + g² (grad**2).",
    ),
    Mutant(_adagrad(accumulate=lambda sum_sq, grad: sum_sq + grad * 2), _DOUBLED),
    Mutant(
        _adagrad(accumulate=lambda sum_sq, grad: sum_sq + np.sum(grad**2)),
        "G is one number for all weights (np.sum of g²): AdaGrad keeps a G per weight, "
        "sum_sq + grad**2 elementwise.",
    ),
    *_step_mutants(_adagrad, "G", "g"),
    Mutant(_adagrad(old=True), _OLD_G),
    Mutant(_adagrad(kept=np.sqrt), _ROOT_KEPT.format(what="the sum")),
)

_RMSPROP_MUTANTS = (
    Mutant(
        _rmsprop(average=lambda sq_avg, grad, alpha: alpha * sq_avg + (1 - alpha) + grad),
        "G ← αG + (1 − α) + g is a widely copied typo: the average is G ← αG + (1 − α)·g².",
    ),
    Mutant(
        _rmsprop(average=lambda sq_avg, grad, alpha: alpha * sq_avg + (1 - alpha) + grad**2),
        "(1 − α) is added, not multiplied (the copied typo, half fixed): G ← αG + (1 − α)·g².",
    ),
    Mutant(
        _rmsprop(average=lambda sq_avg, grad, alpha: (1 - alpha) * sq_avg + alpha * grad**2),
        "α and 1 − α are swapped: G ← αG + (1 − α)·g² keeps the fraction α (0.99 by default) "
        "of the old average.",
    ),
    Mutant(
        _rmsprop(average=lambda sq_avg, grad, alpha: alpha * sq_avg + (1 - alpha) * grad),
        "the gradient is not squared: G ← αG + (1 − α)·g², i.e. grad**2, not grad.",
    ),
    Mutant(
        _rmsprop(average=lambda sq_avg, grad, alpha: alpha * sq_avg + (1 - alpha) * np.abs(grad)),
        "G averages |g|: RMSProp averages the square, G ← αG + (1 − α)·g² (grad**2).",
    ),
    Mutant(
        _rmsprop(average=lambda sq_avg, grad, alpha: alpha * sq_avg + (1 - alpha) * grad * 2),
        _DOUBLED,
    ),
    Mutant(
        _rmsprop(average=lambda sq_avg, grad, alpha: sq_avg + grad**2),
        "G ← G + g² is AdaGrad's sum; RMSProp keeps a moving average, G ← αG + (1 − α)·g².",
    ),
    Mutant(
        _rmsprop(average=lambda sq_avg, grad, alpha: alpha * sq_avg + grad**2),
        "the factor 1 − α is missing: G ← αG + (1 − α)·g², not αG + g².",
    ),
    Mutant(
        _rmsprop(average=lambda sq_avg, grad, alpha: grad**2),
        "G ← g² forgets the past: RMSProp keeps a moving average, G ← αG + (1 − α)·g².",
    ),
    Mutant(
        _rmsprop(average=lambda sq_avg, grad, alpha: (1 - alpha) * grad**2),
        "the term αG is missing: G ← αG + (1 − α)·g² keeps a fraction α of the old average.",
    ),
    Mutant(
        _rmsprop(average=_started_at_square),
        "you start G at g² when it is all zero: G ← αG + (1 − α)·g² holds on every step, the "
        "first too (G starts at 0).",
    ),
    Mutant(
        _rmsprop(
            average=lambda sq_avg, grad, alpha: alpha * sq_avg + (1 - alpha) * np.mean(grad**2)
        ),
        "G is one number for all weights (np.mean of g²): RMSProp keeps a G per weight, "
        "with grad**2 elementwise.",
    ),
    *_step_mutants(_rmsprop, "G", "g"),
    Mutant(_rmsprop(old=True), _OLD_G),
    Mutant(_rmsprop(kept=np.sqrt), _ROOT_KEPT.format(what="the average")),
)

# Adam --------------------------------------------------------------------------------------------


def _moments(grad, m, v, beta1, beta2):
    return beta1 * m + (1 - beta1) * grad, beta2 * v + (1 - beta2) * grad**2


def _unsquared_moments(grad, m, v, beta1, beta2):
    return beta1 * m + (1 - beta1) * grad, beta2 * v + (1 - beta2) * grad


def _absolute_moments(grad, m, v, beta1, beta2):
    return beta1 * m + (1 - beta1) * grad, beta2 * v + (1 - beta2) * np.abs(grad)


def _moments_of_m(grad, m, v, beta1, beta2):
    m = beta1 * m + (1 - beta1) * grad
    return m, beta2 * v + (1 - beta2) * m**2


def _swapped_moments(grad, m, v, beta1, beta2):
    return (1 - beta1) * m + beta1 * grad, (1 - beta2) * v + beta2 * grad**2


def _copied_step(w, m, v, lr, eps):
    return w - lr * m / v + eps


def _bias(beta, power=lambda t: t):
    """The divisor 1 − βᵏ of a bias correction, β = ``beta`` ("beta1" or "beta2") and k =
    ``power(t)``, as a function of (beta1, beta2, t)."""
    return lambda beta1, beta2, t: 1 - {"beta1": beta1, "beta2": beta2}[beta] ** power(t)


def _no_bias(beta1, beta2, t):
    return 1


_M_BIAS, _V_BIAS = _bias("beta1"), _bias("beta2")  # the right corrections


def _adam(moments=_moments, m_bias=_M_BIAS, v_bias=_V_BIAS, step=_right_step):
    """Adam with its moments, a bias correction (the divisor of m or v) or its step gone wrong."""

    def mutant(w, grad, m, v, t, lr, beta1, beta2, eps):
        m, v = moments(grad, m, v, beta1, beta2)
        m_hat, v_hat = m / m_bias(beta1, beta2, t), v / v_bias(beta1, beta2, t)
        return step(w, m_hat, v_hat, lr, eps), m, v

    return mutant


def _adam_betas_swapped(w, grad, m, v, t, lr, beta1, beta2, eps):
    return optim.adam_update(w, grad, m, v, t, lr, beta2, beta1, eps)


def _adam_paper_efficient(w, grad, m, v, t, lr, beta1, beta2, eps):
    m, v = _moments(grad, m, v, beta1, beta2)
    step_size = lr * np.sqrt(1 - beta2**t) / (1 - beta1**t)
    return w - step_size * m / (np.sqrt(v) + eps), m, v


def _adam_corrected_state(w, grad, m, v, t, lr, beta1, beta2, eps):
    m, v = _moments(grad, m, v, beta1, beta2)
    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    return _right_step(w, m_hat, v_hat, lr, eps), m_hat, v_hat


def _adam_old_moments(w, grad, m, v, t, lr, beta1, beta2, eps):
    new_m, new_v = _moments(grad, m, v, beta1, beta2)
    return _right_step(w, m / (1 - beta1**t), v / (1 - beta2**t), lr, eps), new_m, new_v


def _adam_corrected_before_update(w, grad, m, v, t, lr, beta1, beta2, eps):
    m, v = _moments(grad, m / (1 - beta1**t), v / (1 - beta2**t), beta1, beta2)
    return _right_step(w, m, v, lr, eps), m, v


def _adam_unbracketed(w, grad, m, v, t, lr, beta1, beta2, eps):
    m, v = _moments(grad, m, v, beta1, beta2)
    return _right_step(w, m / 1 - beta1**t, v / 1 - beta2**t, lr, eps), m, v


def _adam_amsgrad(w, grad, m, v, t, lr, beta1, beta2, eps):
    new_m, new_v = _moments(grad, m, v, beta1, beta2)
    v_max = np.maximum(v, new_v)
    return _right_step(w, new_m / (1 - beta1**t), v_max / (1 - beta2**t), lr, eps), new_m, new_v


def _adamw(w, grad, m, v, t, lr, beta1, beta2, eps):
    new_w, m, v = optim.adam_update(w, grad, m, v, t, lr, beta1, beta2, eps)
    return new_w - lr * 0.01 * w, m, v  # torch.optim.AdamW's default weight_decay


_T_IS_THIS_STEP = "but t is already this step's number (1 on the first step)."
_COPIED = (
    "this is the widely copied w − η·m / v + ε, which is wrong: the step is "
    "w ← w − η·m̂ / (√v̂ + ε), with v the average of g², bias correction, and ε in the "
    "denominator."
)


def _off_by_one(m_shift, v_shift):
    """The mutant whose bias correction uses t + shift for m, for v or for both."""
    shifted = [name for name, shift in (("m̂", m_shift), ("v̂", v_shift)) if shift]
    sign = "+" if (m_shift or v_shift) > 0 else "−"
    where = "the bias correction" if len(shifted) == 2 else f"the bias correction of {shifted[0]}"
    return Mutant(
        _adam(
            m_bias=_bias("beta1", lambda t: t + m_shift),
            v_bias=_bias("beta2", lambda t: t + v_shift),
        ),
        f"t is off by one: {where} uses t {sign} 1, " + _T_IS_THIS_STEP,
    )


_ADAM_MUTANTS = (
    Mutant(
        _adam(m_bias=_no_bias, v_bias=_no_bias),
        "there is no bias correction: step with m̂ = m / (1 − β1ᵗ) and v̂ = v / (1 − β2ᵗ).",
    ),
    Mutant(
        _adam(v_bias=_no_bias),
        "only m is bias-corrected: v needs it too, v̂ = v / (1 − β2ᵗ).",
    ),
    Mutant(
        _adam(m_bias=_no_bias),
        "only v is bias-corrected: m needs it too, m̂ = m / (1 − β1ᵗ).",
    ),
    _off_by_one(-1, -1),
    _off_by_one(1, 1),
    _off_by_one(-1, 0),
    _off_by_one(1, 0),
    _off_by_one(0, -1),
    _off_by_one(0, 1),
    Mutant(
        _adam(m_bias=_bias("beta1", lambda t: 1), v_bias=_bias("beta2", lambda t: 1)),
        "the bias correction lacks the power t: divide by 1 − β1ᵗ (1 - beta1**t), not 1 − β1.",
    ),
    Mutant(
        _adam(v_bias=_bias("beta1")),
        "v̂ is corrected with β1: v̂ = v / (1 − β2ᵗ), with β2 (m̂ = m / (1 − β1ᵗ) uses β1).",
    ),
    Mutant(
        _adam(m_bias=_bias("beta2")),
        "m̂ is corrected with β2: m̂ = m / (1 − β1ᵗ), with β1 (v̂ = v / (1 − β2ᵗ) uses β2).",
    ),
    Mutant(
        _adam(
            m_bias=lambda beta1, beta2, t: (1 - beta1) ** t,
            v_bias=lambda beta1, beta2, t: (1 - beta2) ** t,
        ),
        "the power is on (1 − β): the bias correction divides by 1 − βᵗ, 1 - beta1**t.",
    ),
    Mutant(
        _adam(
            m_bias=lambda beta1, beta2, t: 1 - beta1 * t,
            v_bias=lambda beta1, beta2, t: 1 - beta2 * t,
        ),
        "βᵗ is a power, beta1**t, not beta1*t: the bias correction divides by 1 − β1ᵗ.",
    ),
    Mutant(
        _adam_unbracketed,
        "`m / 1 - beta1**t` is (m / 1) − β1ᵗ, as Python reads it: write m / (1 - beta1**t) "
        "(and likewise for v).",
    ),
    Mutant(_adam(m_bias=_no_bias, v_bias=_no_bias, step=_copied_step), _COPIED),
    Mutant(_adam(_unsquared_moments, _no_bias, _no_bias, step=_copied_step), _COPIED),
    *_step_mutants(_adam, "v̂", "m̂"),
    Mutant(
        _adam_paper_efficient,
        "you folded the bias correction into the learning rate, η·√(1 − β2ᵗ) / (1 − β1ᵗ) · m / "
        "(√v + ε), as in the Adam paper's faster form; that puts ε before the correction. This "
        "exercise (like torch) divides by √v̂ + ε, with v̂ = v / (1 − β2ᵗ).",
    ),
    Mutant(
        _adam(_unsquared_moments), "v averages g instead of g²: v ← β2·v + (1 − β2)·g² (grad**2)."
    ),
    Mutant(
        _adam(_absolute_moments), "v averages |g| instead of g²: v ← β2·v + (1 − β2)·g² (grad**2)."
    ),
    Mutant(
        _adam(_moments_of_m),
        "v averages m² instead of g²: v ← β2·v + (1 − β2)·g², with the gradient itself.",
    ),
    Mutant(_adam_betas_swapped, "β1 and β2 are swapped: m uses β1 (0.9), v uses β2 (0.999)."),
    Mutant(
        _adam(_swapped_moments),
        "β and 1 − β are swapped: m ← β1·m + (1 − β1)·g keeps the fraction β1 of the old m "
        "(and likewise for v).",
    ),
    Mutant(
        _adam_corrected_state,
        "you return the bias-corrected m̂ and v̂ as the new state: return the plain averages "
        "m and v (the correction is redone at every step).",
    ),
    Mutant(
        _adam_corrected_before_update,
        "you bias-correct the m and v you were given, before the update: update them first, "
        "then step with m̂ = m / (1 − β1ᵗ) and v̂ = v / (1 − β2ᵗ).",
    ),
    Mutant(
        _adam_old_moments,
        "the step uses m and v from before this step's update: update them first, then "
        "bias-correct and step.",
    ),
    Mutant(
        _adam_amsgrad,
        "you divide by the larger of the old and new v, which is AMSGrad; Adam divides by √v̂ "
        "of this step's v.",
    ),
    Mutant(
        _adamw,
        "you added weight decay, w ← w − η·λ·w, as AdamW does; this exercise's Adam has none.",
    ),
)
