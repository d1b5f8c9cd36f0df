r"""The check engine's support for update rules: their cases and the mistakes any rule makes.

An update-rule check (``sgd_update``, ``momentum_update``, ``adagrad_update``,
``rmsprop_update``, ``adam_update``; signatures as in DESIGN.md) is a table over ``check_rule``:

    def check_adagrad_update(fn):
        __tracebackhide__ = True
        check_rule(fn, optim.adagrad_update, _ROWS, states=("sum_sq",), seed=2,
                   mutants=_MUTANTS)

``check_rule`` compares the learner's rule with the reference in ``course_utils.optim`` on
seeded cases drawn from the rows (see ``_cases``): shapes (), (1,), (5,), (3, 4), (2, 3, 2);
float64 (compared to 1e-10: the references are a few exact operations) and float32; zero,
tiny and large gradients; zero weights and zero state; ε = 0.1 with a nonzero state, where
√G + ε, √(G + ε), √(G + ε²) and √G differ; hyperparameters away from the defaults; calls by
keyword, by position and relying on the defaults; and a run of consecutive steps, each
starting from the reference's state.

The mistakes any rule can make (a flipped sign, η missing or dividing, the given state
returned, the results in another order) are added to the lesson's own; so are the engine's
("ignores `eps`"). The mistakes of the step w − η·g / (√G + ε) that the widely copied seed
formulas make (see DESIGN.md), and those of the state G, are shared by AdaGrad, RMSProp and
Adam's step: ``step_mutants(factory, G, g)`` and ``state_mutants(factory, what)`` name them for
a lesson's ``factory(step=..., old=..., kept=...)``, the lesson's rule with that part wrong;
``adaptive_mutant`` builds such a factory for a rule of AdaGrad's and RMSProp's shape.

A lesson's debug exercise starts from a seed formula with several of these errors at once
(AdaGrad's ``G + g`` with no root and ε on the weight; Adam's ``w − η·m / v + ε``). The
learner fixes them one by one, so its check must name whatever is left:
``seed_mutants(build, errors)`` gives one mutant for every combination of two or more of the
seed's errors (the lesson's own mutants name each single one), each naming all that remain;
``seed_step(errors)`` is the step with the seed's step errors ("root", "eps") in it.
``adaptive_mutants`` gives all of these shared mistakes, the step's, the state's and the
seed's, for a rule of AdaGrad's and RMSProp's shape, whose seed has three errors.
"""

import inspect
import itertools

import numpy as np

from .checks import Mutant, check_function, make_case

__all__ = [
    "check_rule",
    "adaptive_mutant",
    "right_step",
    "step_mutants",
    "state_mutants",
    "DOUBLED",
    "seed_step",
    "seed_mutants",
    "SEED_ROOT",
    "SEED_EPS",
    "adaptive_mutants",
]


def check_rule(fn, rule, rows, *, states=(), seed, mutants=()):
    """Check ``fn`` against the update rule ``rule`` (returning ``(w, *states)``) on the cases
    the ``rows`` describe, drawn with ``seed``; ``mutants``: the lesson's known mistakes."""
    __tracebackhide__ = True
    check_function(
        fn,
        rule.__name__,
        reference=rule,
        cases=_cases(rule, states, rows, seed),
        outputs=("w", *states),
        mutants=(*mutants, *_mutants(rule, states)),
        tolerances=_FLOAT64_TOLERANCE,
    )


# ---------------------------------------------------------------------------------------------
# Cases
# ---------------------------------------------------------------------------------------------

# The references are a few exact operations, so float64 results are held to float64 precision:
# a rule computed in float32 and cast back (about 1e-7 off) fails.
_FLOAT64_TOLERANCE = {np.float64: (1e-10, 1e-12)}

_SQUARES = frozenset({"sum_sq", "sq_avg", "v"})  # states made of g², never negative


# A row: (label, shape, how to draw the arrays, how to call, hyperparameters).
# Arrays: float64 w, grad and state ~ N(0, 1) (states of g² squared), changed by any of
# "float32", "zero w", "zero grad", "zero state", "tiny" (grad and state × 1e-5), "large" (× 1e3).
# "run N": N consecutive steps from zero state, each starting where the reference's previous
# step ended (t counts the steps). Calls: "keyword", "positional", or "defaults" (those equal
# to the defaults left out, so a wrong default shows); t, the step number, is always positional.


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
# The mistakes any rule can make
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


# ---------------------------------------------------------------------------------------------
# The step w − η·g / (√G + ε) and the state G: AdaGrad's, RMSProp's, and Adam's step
# ---------------------------------------------------------------------------------------------

# The step's mistakes take (w, g, G, lr, eps); Adam's pass m̂ for g and v̂ for G.


def right_step(w, grad, sq, lr, eps):
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


def adaptive_mutant(state, update, step=None, old=False, kept=None):
    """A rule like AdaGrad and RMSProp, G ← ``update(G, g, **rest)`` then w ← w − η·g / (√G + ε),
    with a part swapped for a wrong one: ``update``, ``step`` (``step(w, g, G, lr, eps)``),
    ``old`` (the step uses G from before the update) or ``kept`` (it returns ``kept(G)``, not
    G). ``state`` names G in the rule's signature; the rule's other hyperparameters (RMSProp's
    ``alpha``) are the ``rest`` passed to ``update``."""
    step = step or right_step

    def mutant(w, grad, lr, eps, **rest):
        given = rest.pop(state)
        new = update(given, grad, **rest)
        return step(w, grad, given if old else new, lr, eps), kept(new) if kept else new

    return mutant


def step_mutants(factory, G, g):
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
DOUBLED = "grad*2 doubles the gradient; square it: grad**2."


def state_mutants(factory, what):
    """The state's known mistakes, for AdaGrad and RMSProp: the step uses the old G, or the
    root √G is returned as the new state (``what``: "the sum", "the average")."""
    return (
        Mutant(factory(old=True), _OLD_G),
        Mutant(factory(kept=np.sqrt), _ROOT_KEPT.format(what=what)),
    )


# ---------------------------------------------------------------------------------------------
# The seed formulas: several errors at once, and what remains as the learner fixes them
# ---------------------------------------------------------------------------------------------


def _no_sqrt_eps_on_weight(w, grad, sq, lr, eps):
    return w - lr * grad / sq + eps  # the seed's `w − lr·g/G + 1e-7`, as Python reads it


# the step with the seed's step errors in it: (square root missing, ε on the weight)
_SEED_STEPS = {
    (False, False): right_step,
    (True, False): _no_sqrt,
    (False, True): _eps_on_weight,
    (True, True): _no_sqrt_eps_on_weight,
}


def seed_step(errors):
    """The step w − η·g / (√G + ε) with the seed's step errors among ``errors``: "root" (no
    square root) and "eps" (ε added to the weight); other names are ignored."""
    return _SEED_STEPS["root" in errors, "eps" in errors]


# The seed's two step errors, in words, for ``seed_mutants``' ``errors``: format them with G,
# the state in the formula, and (SEED_EPS) code, the expression the seed divides by.
SEED_ROOT = "the square root is missing (divide by √{G} + ε)"
SEED_EPS = (
    "ε is added to the weight (`… / {code} + eps` adds eps to w, as Python reads it): it "
    "belongs in the denominator, √{G} + ε"
)

_COUNTS = {2: "two", 3: "three", 4: "four", 5: "five"}


def seed_mutants(build, errors):
    """A mutant for every combination of two or more of a seed formula's ``errors`` (a dict:
    name -> the error in words), the largest first; ``build(names)`` is the rule with the
    errors ``names`` (a frozenset) in it. Each mutant's diagnosis lists every error in it, so
    that the check names all that remain of the seed's; the single errors are left to the
    lesson's own mutants."""
    names, total = tuple(errors), len(errors)
    mutants = []
    for size in range(total, 1, -1):
        for chosen in itertools.combinations(names, size):
            listed = "; ".join(f"({k}) {errors[name]}" for k, name in enumerate(chosen, 1))
            if size == total:
                head = f"this is still the seed's formula, with all {_COUNTS[total]} of its errors"
            else:
                head = f"{_COUNTS[size]} of the seed's {_COUNTS[total]} errors remain"
            mutants.append(Mutant(build(frozenset(chosen)), f"{head}: {listed}."))
    return tuple(mutants)


def adaptive_mutants(factory, what, *, seed_update, seed_error, code):
    """The mistakes shared by the rules of AdaGrad's and RMSProp's shape, for a lesson's
    ``factory`` (its rule with a part wrong, as ``adaptive_mutant`` builds it): the step's
    (``step_mutants``), the state's (``state_mutants``; ``what`` names G: "the sum"), then
    every combination of two or more of the seed's three errors (``seed_mutants``): its G
    updated by ``seed_update`` (``seed_error``, in words), the square root missing, and ε
    added to the weight, ``w - lr * grad / code + eps``."""

    def seed(errors):
        wrong = {"update": seed_update} if "accumulator" in errors else {}
        return factory(step=seed_step(errors), **wrong)

    errors = {
        "accumulator": seed_error,
        "root": SEED_ROOT.format(G="G"),
        "eps": SEED_EPS.format(G="G", code=code),
    }
    return (
        *step_mutants(factory, "G", "g"),
        *state_mutants(factory, what),
        *seed_mutants(seed, errors),
    )
