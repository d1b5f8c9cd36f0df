"""The checks of lesson 04 pass correct code however written and name the wrong kinds."""

import copy

import numpy as np
import pytest

from course_utils import regression as stochastic
from course_utils.lessons.stochastic_gradient_descent import (
    check_per_example_gradients,
    check_sgd_epoch,
    checks,
    demos,
)

from ..checking import check_tests, fails, mutant_rows, question_tests

# ---------------------------------------------------------------------------------------------
# per_example_gradients
# ---------------------------------------------------------------------------------------------


def _per_example_loop(w, X, y):
    return np.array([2 * (x @ w - target) * x for x, target in zip(X, y, strict=True)]).reshape(
        X.shape
    )


def _per_example_einsum(w, X, y):
    return np.einsum("i,ij->ij", 2 * (np.einsum("ij,j->i", X, w) - y), X)


def _per_example_outer(w, X, y):
    return (X * (X.dot(w) - y)[:, np.newaxis]) * 2


test_correct_per_example_gradients_pass, test_per_example_mutants_are_named = check_tests(
    check_per_example_gradients,
    [stochastic.per_example_gradients, _per_example_loop, _per_example_einsum, _per_example_outer],
    mutant_rows(checks._PER_EXAMPLE_MUTANTS),
)


def test_per_example_shape_and_kind_mistakes_are_explained():
    fails(
        check_per_example_gradients,
        lambda w, X, y: 2 * X.T @ (X @ w - y),
        "returned `grads` with shape",
    )
    fails(
        check_per_example_gradients,
        lambda w, X, y: (2 * (X @ w - y)[:, None] * X).tolist(),
        "returned a list",
    )
    fails(
        check_per_example_gradients,
        lambda w, X, y: 2 * (X @ w - y)[:, None] * X.astype(np.float64),
        "as float64 instead of float32",
    )


def test_a_forgotten_return_and_an_exception_are_reported():
    def forgot(w, X, y):
        2 * (X @ w - y)[:, None] * X  # noqa: B018

    fails(check_per_example_gradients, forgot, "returned None", "forget `return`")

    def crashes(w, X, y):
        return 2 * (X @ w - y) @ np.ones(len(X) + 1)  # always the wrong length

    fails(check_per_example_gradients, crashes, "raised ValueError", "line")


# ---------------------------------------------------------------------------------------------
# sgd_epoch
# ---------------------------------------------------------------------------------------------


def _epoch_shuffle_in_place(w, X, y, lr, rng):
    order = np.arange(len(X))
    rng.shuffle(order)  # the same draw as rng.permutation(len(X))
    w = w.copy()
    for i in order:
        w -= lr * 2 * (X[i] @ w - y[i]) * X[i]  # in place, but on our own copy
    return w


def _epoch_via_per_example(w, X, y, lr, rng):
    for i in rng.permutation(X.shape[0]):
        w = w - lr * stochastic.per_example_gradients(w, X[i : i + 1], y[i : i + 1])[0]
    return w


def _epoch_permuted_rows(w, X, y, lr, rng):
    order = rng.permutation(len(X))
    for x_i, y_i in zip(X[order], y[order], strict=True):
        w = w - 2 * lr * (np.dot(x_i, w) - y_i) * x_i
    return w


test_correct_sgd_epochs_pass, test_epoch_mutants_are_named = check_tests(
    check_sgd_epoch,
    [stochastic.sgd_epoch, _epoch_shuffle_in_place, _epoch_via_per_example, _epoch_permuted_rows],
    mutant_rows(checks._EPOCH_MUTANTS),
)


def test_epoch_that_modifies_w_in_place_is_caught():
    def in_place(w, X, y, lr, rng):
        for i in rng.permutation(len(X)):
            w -= lr * 2 * (X[i] @ w - y[i]) * X[i]
        return w

    fails(check_sgd_epoch, in_place, "changed its input `w` in place")


def test_epoch_failure_message_shows_the_seeded_generator():
    message = fails(check_sgd_epoch, checks._in_order, "np.random.default_rng(0)")
    assert "Generator(PCG64)" not in message


_RIGHT_STEPS_WRONG_ORDER = "Your steps are right, but their order"
_DRAW_IT_ONCE = "draw it once, `order = rng.permutation(len(X))`, not with np.random"


def test_epoch_using_the_global_random_state_is_told_its_order_is_not_the_generators():
    def global_state(w, X, y, lr, rng):
        for i in np.random.permutation(len(X)):  # noqa: NPY002 (the mistake under test)
            w = w - lr * 2 * (X[i] @ w - y[i]) * X[i]
        return w

    state = np.random.get_state()  # noqa: NPY002
    np.random.seed(3)  # noqa: NPY002 (a global order other than case 1's generator's)
    try:
        message = fails(check_sgd_epoch, global_state, "returned a wrong `w` on case 1 of 8")
    finally:
        np.random.set_state(state)  # noqa: NPY002
    assert _RIGHT_STEPS_WRONG_ORDER in message and _DRAW_IT_ONCE in message
    assert "not [2, 4, 3, 0, 1]) is not the one drawn from the `rng`" in message


def _epoch_in(order_of):
    """The right steps, in the order ``order_of(rng, n)`` gives."""

    def epoch(w, X, y, lr, rng):
        for i in order_of(rng, len(X)):
            w = w - lr * 2 * (X[i] @ w - y[i]) * X[i]
        return w

    return epoch


@pytest.mark.parametrize(
    ("order_of", "shown"),
    [
        (lambda rng, n: np.random.default_rng(0).permutation(n), "(here [2, 0, 1], not [0, 1, 2])"),
        (lambda rng, n: rng.choice(n, size=n, replace=False), "(here [4, 2, 3, 0, 1], not [2, 4"),
        (lambda rng, n: (rng.permutation(n), rng.permutation(n))[1], "(here [4, 1, 2, 0, 3], "),
    ],
    ids=["a generator of its own", "rng.choice", "the second draw"],
)
def test_right_steps_in_another_order_than_the_generators_are_named(order_of, shown):
    fails(check_sgd_epoch, _epoch_in(order_of), _RIGHT_STEPS_WRONG_ORDER, shown, _DRAW_IT_ONCE)


@pytest.mark.parametrize(
    ("epoch", "cause"),
    [
        (checks._in_order, "the examples are visited in the stored order"),
        (checks._no_half_epoch, "the factor 2 is missing"),
        (
            lambda w, X, y, lr, rng: checks._no_half_epoch(w, X, y, lr, np.random.default_rng(9)),
            None,
        ),
    ],
    ids=["the stored order", "wrong steps", "wrong steps in another order"],
)
def test_wrong_steps_or_the_stored_order_are_not_called_right_steps(epoch, cause):
    message = fails(check_sgd_epoch, epoch)
    assert _RIGHT_STEPS_WRONG_ORDER not in message, message
    assert cause is None or "Likely cause: " + cause in message


@pytest.mark.parametrize(
    "copy_of",
    [copy.deepcopy, lambda rng: np.random.default_rng(0)],
    ids=["a copy of rng", "a generator of its own"],
)
def test_epoch_that_never_advances_the_given_generator_is_caught(copy_of):
    # Every epoch would then draw the same order: right once, wrong from the second epoch on.
    def same_order_every_epoch(w, X, y, lr, rng):
        return stochastic.sgd_epoch(w, X, y, lr, copy_of(rng))

    message = fails(check_sgd_epoch, same_order_every_epoch, "returned a wrong `w`")
    if copy_of is copy.deepcopy:  # right on every one-epoch case: the two-epoch one tells
        assert "two epochs in a row" in message and "each epoch shuffles afresh" in message


def test_check_does_not_advance_a_shared_generator():
    case = checks._epoch_cases(seed=41)[0]
    generator = case.args[-1]
    state = generator.bit_generator.state
    check_sgd_epoch(stochastic.sgd_epoch)
    assert generator.bit_generator.state == state


# ---------------------------------------------------------------------------------------------
# The questions: the right answer passes, each wrong one gets its own feedback
# ---------------------------------------------------------------------------------------------


def test_halving_eta_about_halves_the_noise_floor():
    floors = demos.noise_floors().floors
    assert 0.35 < floors[0.01] / floors[0.02] < 0.7 and 0.35 < floors[0.02] / floors[0.04] < 0.7
    option, happened = checks._halved_floor_outcome()
    assert option == "b" and "at η = 0.01" in happened


QUESTIONS = [
    (
        checks.check_halved_floor,
        "b",
        {"a": "smaller steps", "c": "only a factor of two", "d": "shrinks"},
    ),
    (checks.check_constant_lr, "b", {"a": "10⁻¹⁶", "c": "exactly once", "d": "decaying η"}),
    (
        checks.check_duplicated_data,
        "c",
        {"a": "one example per step", "b": "ten times dearer", "d": "no new information"},
    ),
]

test_questions_pass_the_right_option_and_explain_each_wrong_one = question_tests(QUESTIONS)
