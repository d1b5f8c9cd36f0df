r"""The checks of lesson 04: per-example gradients, an epoch of SGD, and three questions.

Both are about linear regression ŷ = Xw with the mean squared error without ½,
L(w) = (1/n) Σᵢ (xᵢᵀw − yᵢ)², whose per-example gradient is ∇ℓᵢ(w) = 2(xᵢᵀw − yᵢ) xᵢ. The
references are in ``course_utils.regression``:

- ``check_per_example_gradients(fn)``: ``fn(w, X, y)`` returns the (n, d) array of ∇ℓᵢ(w);
- ``check_sgd_epoch(fn)``: ``fn(w, X, y, lr, rng)`` runs w ← w − η∇ℓᵢ(w) for i in
  ``rng.permutation(n)`` and returns the new w.

The cases put a square one first (as many examples as features), where a wrong transpose or
a broadcast along the wrong axis gives wrong numbers instead of a shape error, so the check
can say which mistake it was. Each call of ``sgd_epoch`` gets its own copy of a seeded
generator, so the learner's function, the reference and every mutant draw the same order; one
case runs two epochs in a row on one generator, where the second must draw a new order (a
function that copies or re-seeds the generator it is given draws the same order twice).
A function whose steps are right in another order (``np.random.permutation``, a generator of its
own) is told so: the ``explain`` hook tries every order of a failing case of up to six examples.

The questions, each checked by the engine's ``question``:

- ``check_halved_floor`` (predict): what halving η does to SGD's noise floor, graded on the
  experiment (``demos.noise_floors``, cached, so the lesson's cell reuses it);
- ``check_constant_lr`` and ``check_duplicated_data`` (concept, the recap's retrieval
  questions): why constant-η SGD stalls, and what ten copies of the data do to GD and to SGD.
"""

import copy
import functools
import itertools

import numpy as np

from ... import regression
from ...checks import Arrays, Case, Mutant, check_function, question
from . import demos

__all__ = [
    "check_per_example_gradients",
    "check_sgd_epoch",
    "check_halved_floor",
    "check_constant_lr",
    "check_duplicated_data",
]


def check_per_example_gradients(fn):
    r"""Check ``fn(w, X, y) -> grads``: row i is $\nabla\ell_i(w) = 2(x_i^\top w - y_i)\,x_i$."""
    __tracebackhide__ = True
    check_function(
        fn,
        "per_example_gradients",
        reference=regression.per_example_gradients,
        cases=_regression_cases(seed=40),
        outputs=("grads",),
        mutants=_PER_EXAMPLE_MUTANTS,
    )


def check_sgd_epoch(fn):
    r"""Check ``fn(w, X, y, lr, rng) -> w``: one pass of $w \leftarrow w - \eta\nabla\ell_i(w)$."""
    __tracebackhide__ = True
    check_function(
        _with_fresh_generator(fn) if callable(fn) else fn,
        "sgd_epoch",
        reference=_with_fresh_generator(regression.sgd_epoch),
        cases=_epoch_cases(seed=41),
        outputs=("w",),
        mutants=[Mutant(_with_fresh_generator(m.fn), m.diagnosis) for m in _EPOCH_MUTANTS],
        explain=_another_order,
    )


# ---------------------------------------------------------------------------------------------
# Cases
# ---------------------------------------------------------------------------------------------


def _problem(rng, n, d, dtype=np.float64, scale=1.0):
    """Random w (d,), X (n, d), y (n,), rounded to two decimals so the numbers read easily."""
    w = np.round(rng.normal(size=d) * scale, 2).astype(dtype)
    X = np.round(rng.normal(size=(n, d)) * scale, 2).astype(dtype)
    y = np.round(rng.normal(size=n) * scale, 2).astype(dtype)
    return w, X, y


def _regression_cases(seed):
    rng = np.random.default_rng(seed)
    cases = [
        Case("square: 3 examples, 3 features", _problem(rng, 3, 3)),
        Case("5 examples, 2 features", _problem(rng, 5, 2)),
        Case("one example", _problem(rng, 1, 4)),
        Case("one feature", _problem(rng, 7, 1)),
        Case("float32", _problem(rng, 4, 3, np.float32)),
        Case("large values", _problem(rng, 6, 2, scale=100.0)),
    ]
    w, X, y = _problem(rng, 5, 3)
    y[[0, 3]] = X[[0, 3]] @ w  # these two examples are fitted exactly: their gradient is 0
    cases.append(Case("two examples fitted exactly", (w, X, y)))
    return cases


class _SeededGenerator(np.random.Generator):
    """``np.random.default_rng(seed)`` that shows itself as such in a failure message."""

    def __init__(self, seed):
        super().__init__(np.random.PCG64(seed))
        self.seed = seed

    def __repr__(self):
        return f"np.random.default_rng({self.seed})"


class _TwoEpochs(_SeededGenerator):
    """A seeded generator for a case of two epochs in a row, both drawing from it."""


def _with_fresh_generator(fn):
    """``fn`` called with a copy of the generator, so every call draws the same order; for a
    ``_TwoEpochs`` case, called twice on that copy, the second epoch from the first's w."""

    @functools.wraps(fn)
    def call(w, X, y, lr, rng):
        two_epochs = isinstance(rng, _TwoEpochs)  # asked first: a copy is a plain Generator
        rng = copy.deepcopy(rng)
        if two_epochs:
            w = fn(w, X, y, lr, rng)
        return fn(w, X, y, lr, rng)

    return call


def _epoch_cases(seed):
    rng = np.random.default_rng(seed)
    return [
        Case("5 examples, 2 features", (*_problem(rng, 5, 2), 0.05, _SeededGenerator(0))),
        Case("square: 3 examples, 3 features", (*_problem(rng, 3, 3), 0.1, _SeededGenerator(1))),
        Case("one example", (*_problem(rng, 1, 3), 0.1, _SeededGenerator(2))),
        Case("8 examples, 1 feature", (*_problem(rng, 8, 1), 0.2, _SeededGenerator(3))),
        Case("float32", (*_problem(rng, 6, 2, np.float32), 0.05, _SeededGenerator(4))),
        Case("η = 0 changes nothing", (*_problem(rng, 4, 2), 0.0, _SeededGenerator(5))),
        Case("10 examples, larger η", (*_problem(rng, 10, 2), 0.15, _SeededGenerator(6))),
        Case(
            "two epochs in a row on one generator, sgd_epoch(sgd_epoch(w, X, y, lr, rng), X, y, "
            "lr, rng), the second from the first's w",
            (*_problem(rng, 5, 2), 0.05, _TwoEpochs(7)),
        ),
    ]


# ---------------------------------------------------------------------------------------------
# Mutants: the mistakes learners make
# ---------------------------------------------------------------------------------------------

_NO_HALF = (
    "the factor 2 is missing. The loss here is the mean squared error without ½, so "
    "∂/∂w (xᵀw − y)² = 2(xᵀw − y)x."
)
_SIGN = "the sign is flipped: the residual is xᵀw − y (prediction minus target), not y − xᵀw."


def _residuals(w, X, y):
    return X @ w - y


_PER_EXAMPLE_MUTANTS = [
    Mutant(lambda w, X, y: _residuals(w, X, y)[:, None] * X, _NO_HALF),
    Mutant(lambda w, X, y: -2 * _residuals(w, X, y)[:, None] * X, _SIGN),
    Mutant(
        lambda w, X, y: 2 * _residuals(w, X, y) * X,
        "`r * X` multiplies column j by r[j]; each row i must be scaled by its own residual: "
        "write `r[:, None] * X`.",
    ),
    Mutant(
        lambda w, X, y: (2 * _residuals(w, X, y)[:, None] * X).T,
        "the result is transposed: row i must be example i's gradient, shape (n, d).",
    ),
    Mutant(
        lambda w, X, y: 2 * _residuals(w, X, y)[:, None] * X / len(X),
        "each row is divided by n: a row is one example's own gradient ∇ℓᵢ, not its share of "
        "the mean (dividing by n belongs in the mean over the rows).",
    ),
]


def _epoch(w, X, y, lr, order, grad=None):
    for i in order:
        w = w - lr * (grad or _one_grad)(w, X[i], y[i])
    return w


def _one_grad(w, x, y):
    return 2 * (x @ w - y) * x


def _in_order(w, X, y, lr, rng):
    return _epoch(w, X, y, lr, range(len(X)))


def _with_replacement(w, X, y, lr, rng):
    return _epoch(w, X, y, lr, rng.integers(0, len(X), size=len(X)))


def _copied_generator(w, X, y, lr, rng):
    return regression.sgd_epoch(w, X, y, lr, copy.deepcopy(rng))


def _frozen_weights(w, X, y, lr, rng):
    order = rng.permutation(len(X))
    return w - lr * sum(_one_grad(w, X[i], y[i]) for i in order)


def _one_full_step(w, X, y, lr, rng):
    rng.permutation(len(X))
    return w - lr * np.mean([_one_grad(w, X[i], y[i]) for i in range(len(X))], axis=0)


def _two_permutations(w, X, y, lr, rng):
    X_shuffled, y_shuffled = X[rng.permutation(len(X))], y[rng.permutation(len(X))]
    return _epoch(w, X_shuffled, y_shuffled, lr, range(len(X)))


def _no_half_epoch(w, X, y, lr, rng):
    return _epoch(w, X, y, lr, rng.permutation(len(X)), lambda w, x, y: (x @ w - y) * x)


def _sign_epoch(w, X, y, lr, rng):
    return _epoch(w, X, y, lr, rng.permutation(len(X)), lambda w, x, y: -2 * (x @ w - y) * x)


# The most examples whose every order ``_another_order`` tries (6! = 720 epochs).
_ORDERS_TRIED = 6


def _another_order(comparison, comparisons):
    """If the learner's w is an epoch of right steps in another order than the generator's
    (np.random.permutation, a generator of their own, a second draw), say so: a mutant cannot
    see that order. Tried on the failing case, else on another failing one, of at most
    ``_ORDERS_TRIED`` examples and one epoch."""
    for candidate in [comparison, *(c for c in comparisons if c is not comparison)]:
        order, drawn = _reordered_epoch(candidate)
        if order is not None:
            shown = f" (here {order}, not {drawn})" if candidate is comparison else ""
            return (
                f"Your steps are right, but their order{shown} is not the one drawn from the "
                "`rng` you are given: draw it once, `order = rng.permutation(len(X))`, not with "
                "np.random or a generator of your own."
            )
    return ""


def _reordered_epoch(comparison):
    """(an order whose epoch gives the learner's wrong w, the generator's order), or (None,
    None); the stored order 0, 1, …, n − 1 is left to its mutant."""
    arguments = comparison.arguments
    w, X, y, lr, rng = (arguments[name] for name in ("w", "X", "y", "lr", "rng"))
    answer = Arrays("w")
    if (
        isinstance(rng, _TwoEpochs)
        or not 1 < len(X) <= _ORDERS_TRIED
        or answer.agree(comparison.got, comparison.expected, arguments)
    ):
        return None, None
    drawn = copy.deepcopy(rng).permutation(len(X)).tolist()
    for order in map(list, itertools.permutations(range(len(X)))):
        if order == drawn or order == sorted(order):
            continue
        with np.errstate(all="ignore"):
            theirs = answer.read(_epoch(w, X, y, lr, order))
        if answer.agree(comparison.got, theirs, arguments):
            return order, drawn
    return None, None


_EPOCH_MUTANTS = [
    Mutant(
        _in_order,
        "the examples are visited in the stored order 0, 1, …, n − 1; visit them in the "
        "order `rng.permutation(n)` gives.",
    ),
    Mutant(
        _with_replacement,
        "the examples are drawn with replacement (some twice, some never); an epoch uses each "
        "exactly once: loop over `rng.permutation(n)`.",
    ),
    Mutant(
        _frozen_weights,
        "every example's gradient is computed at the weights the epoch started from; each step "
        "must use the weights the previous step produced (update w inside the loop).",
    ),
    Mutant(
        _one_full_step,
        "this takes one full-batch gradient-descent step with the mean gradient; SGD takes n "
        "steps, one per example.",
    ),
    Mutant(
        _two_permutations,
        "X and y are shuffled with two different permutations, which pairs each x with the "
        "wrong y: draw one order and index both with it.",
    ),
    Mutant(_no_half_epoch, _NO_HALF),
    Mutant(_sign_epoch, _SIGN),
    Mutant(
        _copied_generator,
        "the second epoch drew the same order as the first: draw from the generator `rng` you "
        "are given, not a copy of it or a new one, so that each epoch shuffles afresh.",
    ),
]


# ---------------------------------------------------------------------------------------------
# Questions
# ---------------------------------------------------------------------------------------------


def _halved_floor_outcome():
    """The experiment of the prediction: the noise floors at η = 0.02 and η = 0.01."""
    floors = demos.noise_floors().floors
    ratio = floors[0.01] / floors[0.02]
    option = "d" if ratio > 1.15 else "a" if ratio >= 0.7 else "b" if ratio > 0.35 else "c"
    return option, (
        f"The floor was {floors[0.02]:.1e} at η = 0.02 and {floors[0.01]:.1e} at η = 0.01: "
        f"{ratio:.2f} times as high."
    )


check_halved_floor = question(
    "halved_floor",
    correct=_halved_floor_outcome,
    why=(
        "Each step's kick is η times a gradient that does not vanish at the minimum, and the "
        "bowl pulls back by a fraction of about η per step: the balance leaves L − L* roughly "
        "proportional to η."
    ),
    wrong={
        "a": (
            "The floor is not set by the data alone: it comes from the kicks η∇ℓᵢ, and smaller "
            "steps kick less."
        ),
        "c": (
            "The kicks' size squared (η²) falls four times, but the bowl also pulls back half "
            "as fast per step at half the η, so only a factor of two is left."
        ),
        "d": "A smaller η gives smaller kicks: the cloud around the minimum shrinks, not grows.",
    },
)

check_constant_lr = question(
    "constant_lr",
    correct="b",
    why=(
        "At the minimum ∇L = 0, but one example's gradient ∇ℓᵢ is not zero there, so every "
        "step still moves w by η∇ℓᵢ: only a decaying η lets it settle."
    ),
    wrong={
        "a": (
            "Rounding errors are of order 10⁻¹⁶; the floor is many orders of magnitude above "
            "them, and it moves with η."
        ),
        "c": (
            "Sampling without replacement is unbiased over an epoch: every example is used "
            "exactly once. The floor comes from single steps, not from the order."
        ),
        "d": (
            "The floor appears at every η small enough to converge, and a smaller constant η "
            "only lowers it; only a decaying η gets below every floor."
        ),
    },
)

check_duplicated_data = question(
    "duplicated_data",
    correct="c",
    why=(
        "Ten copies leave L and ∇L unchanged, so GD takes the same steps at ten times the cost "
        "each; an example drawn from the copies is distributed like one drawn from the "
        "original, so SGD's progress per example read is unchanged."
    ),
    wrong={
        "a": (
            "GD's step does get ten times dearer, but SGD reads one example per step wherever "
            "it comes from: its cost per step does not change."
        ),
        "b": (
            "The mean of ten copies is the original mean: L, ∇L and so GD's steps are exactly "
            "the same, just ten times dearer."
        ),
        "d": (
            "A copy carries no new information, so nobody gets more progress per step: GD "
            "takes the same steps, SGD the same kind of steps."
        ),
    },
)
