"""The checks of lesson 11: the challenge runs the demo on the learner's rate and says which way
to move; right stopping rules pass however they are written, wrong ones fail with the diagnosis
of their mistake; the recall questions give feedback for every option."""

import math

import numpy as np
import pytest

from course_utils import schedules
from course_utils.lessons.choosing_the_learning_rate import (
    CHALLENGE_EPOCHS,
    CHALLENGE_TARGET,
    check_challenge_lr,
    check_recall_range_test,
    check_recall_validation,
    check_should_stop,
    check_small_peak,
    demos,
    should_stop,
)

from ..checking import fails, passes, question_tests

# ---------------------------------------------------------------------------------------------
# The challenge
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("lr", [0.5, 0.6, 1.0, np.float64(1.2)])
def test_rates_in_the_window_meet_the_challenge(lr, capsys):
    line = passes(check_challenge_lr, lr, capsys)
    assert f"at most {CHALLENGE_TARGET}: challenge met" in line


def test_the_range_tests_suggestion_meets_the_challenge(capsys):
    passes(check_challenge_lr, demos.digits_range_test().suggested_lr, capsys)


def test_the_challenge_is_the_demo_run_on_the_learners_rate():
    run, _ = demos.sgd_run(0.3, CHALLENGE_EPOCHS)
    message = fails(check_challenge_lr, 0.3, f"is {run.val_losses[-1]:.4f}, above 0.21")
    assert run.val_losses[-1] > CHALLENGE_TARGET and "larger" in message


@pytest.mark.parametrize(
    "lr, words",
    [
        (0.01, "Far too slow: choose a rate ten times larger"),
        (0.2, "Choose a larger rate"),
        (3.0, "Too noisy for a constant rate: choose a smaller one"),
        (500.0, "diverged"),
        (0, "positive, finite rate"),
        (-0.5, "positive, finite rate"),
        (math.inf, "positive, finite rate"),
        (None, "Set challenge_lr to one number"),
        ("0.5", "Set challenge_lr to one number"),
        (True, "Set challenge_lr to one number"),
    ],
)
def test_missed_challenges_say_which_way_to_move(lr, words):
    fails(check_challenge_lr, lr, words)


@pytest.mark.parametrize("lr", [1.5, 6.0])
def test_too_noisy_a_rate_is_not_said_to_be_near_the_minimum(lr):
    # 1.5 is a third of the range test's minimum (4.69): the message must hold for it too
    message = fails(check_challenge_lr, lr, "Too noisy for a constant rate")
    assert "minimum" not in message and "near the test" not in message
    result = demos.digits_range_test()
    assert lr > max(demos.steepest_lr(result), result.suggested_lr)


# ---------------------------------------------------------------------------------------------
# The recall questions
# ---------------------------------------------------------------------------------------------


# (check, right option, {wrong option: words of its feedback}[, what the prediction's runs
# found, in every message])
QUESTIONS = [
    (
        check_recall_range_test,
        "b",
        {"a": "about to blow up", "c": "far too large", "d": "far too small"},
    ),
    (
        check_recall_validation,
        "c",
        {"a": "keeps falling", "b": "used for choosing", "d": "optimistic"},
    ),
    (
        check_small_peak,
        "b",
        {
            "a": "Annealing pays when the noise floor",
            "c": "ends clearly higher",
            "d": "Neither diverges",
        },
        "After ten epochs the validation loss was",
    ),
]

test_recap_questions_give_feedback_for_every_option = question_tests(QUESTIONS)


# ---------------------------------------------------------------------------------------------
# The reference
# ---------------------------------------------------------------------------------------------


def test_should_stop_reference_agrees_with_early_stopping_and_training():
    losses = [1.0, 0.8, 0.7, 0.65, 0.66, 0.67, 0.7, 0.75]
    assert should_stop(losses, 3) == 6 and should_stop(losses, 5) is None
    stopper = schedules.EarlyStopping(3)
    assert [stopper.step(loss) for loss in losses].index(True) == 6


def test_should_stop_reference_refuses_bad_input():
    with pytest.raises(ValueError, match="patience"):
        should_stop([1.0], 0)
    with pytest.raises(ValueError, match="min_delta"):
        should_stop([1.0], 1, -0.1)
    with pytest.raises(ValueError, match="val_losses"):
        should_stop([[1.0, 2.0]], 1)
    with pytest.raises(TypeError, match="val_losses"):
        should_stop("1.0", 1)


def test_hidden_tests_numbers_are_the_references():
    # The literal numbers in the notebook's hidden tests were printed from these calls.
    assert should_stop([3.0, 2.0, 2.5, 1.9, 2.6, 2.7, 1.8, 2.9, 3.0, 3.1], 3, 0.15) == 4


# ---------------------------------------------------------------------------------------------
# should_stop
# ---------------------------------------------------------------------------------------------


def stop_with_counter(val_losses, patience, min_delta=0):
    best, bad = math.inf, 0
    for index, loss in enumerate(val_losses):
        if loss < best - min_delta:
            best, bad = loss, 0
        else:
            bad += 1
            if bad >= patience:
                return index
    return None


def stop_by_last_improvement(val_losses, patience, min_delta=0):
    best, last_improvement = float("inf"), -1
    for index, loss in enumerate(val_losses):
        if best - loss > min_delta:
            best, last_improvement = loss, index
        elif index - last_improvement >= patience:
            return index
    return None


def stop_from_second_loss(val_losses, patience, min_delta=0):
    if not val_losses:
        return None
    best, waited = val_losses[0], 0
    for index in range(1, len(val_losses)):
        if val_losses[index] < best - min_delta:
            best, waited = val_losses[index], 0
        else:
            waited += 1
            if waited == patience:
                return index
    return None


def stop_with_numpy(val_losses, patience, min_delta=0):
    losses = np.asarray(val_losses, dtype=float)
    best, since_best = np.inf, np.int64(0)
    for index in np.arange(len(losses)):
        if losses[index] < best - min_delta:
            best, since_best = losses[index], np.int64(0)
        else:
            since_best += 1
            if since_best == patience:
                return index  # an np.int64
    return None


def stop_with_early_stopping(val_losses, patience, min_delta=0):
    stopper = schedules.EarlyStopping(patience, min_delta)
    for index, loss in enumerate(val_losses):
        if stopper.step(loss):
            return index
    return None


@pytest.mark.parametrize(
    "fn",
    [
        stop_with_counter,
        stop_by_last_improvement,
        stop_from_second_loss,
        stop_with_numpy,
        stop_with_early_stopping,
    ],
)
def test_correct_stopping_rules_pass(fn, capsys):
    passes(check_should_stop, fn, capsys)


def rule(improves=None, threshold=0, first_is_bad=False, best_follows=False, reset=True):
    """A stopping rule with one mistake switched on."""

    def stop(val_losses, patience, min_delta=0):
        best, previous, bad = math.inf, math.inf, 0
        if first_is_bad and val_losses:
            best = previous = val_losses[0]
        for index, loss in enumerate(val_losses):
            better = (
                improves(loss, best, previous, min_delta) if improves else loss < best - min_delta
            )
            if better:
                best = loss
                bad = 0 if reset else bad
            else:
                bad += 1
                if best_follows and loss < best:
                    best = loss
            previous = loss
            if bad >= patience + threshold:
                return index
        return None

    return stop


def shifted(shift):
    def stop(val_losses, patience, min_delta=0):
        index = stop_with_counter(val_losses, patience, min_delta)
        return None if index is None else index + shift

    return stop


WRONG_STOPS = {
    "patience + 1": (rule(threshold=1), "not when it exceeds it"),
    "patience − 1": (rule(threshold=-1), "one loss too early"),
    "≤ instead of <": (rule(improves=lambda x, b, p, d: x <= b - d), "strictly"),
    "+ min_delta": (rule(improves=lambda x, b, p, d: x < b + d), "the wrong way"),
    "relative min_delta": (rule(improves=lambda x, b, p, d: x < b * (1 - d)), "absolute amount"),
    "the previous loss": (rule(improves=lambda x, b, p, d: x < p - d), "the one before it"),
    "no reset": (rule(reset=False), "restart at 0"),
    "best follows small drops": (rule(best_follows=True), "update it only on an improvement"),
    "first loss counted as bad": (rule(first_is_bad=True), "the first loss counts"),
    "count instead of index": (shifted(1), "number of losses seen"),
    "index one too small": (shifted(-1), "the index before"),
    "min_delta ignored": (
        lambda val_losses, patience, min_delta=0: stop_with_counter(val_losses, patience),
        "ignores `min_delta`",
    ),
    "a default min_delta": (
        lambda val_losses, patience, min_delta=1e-4: stop_with_counter(
            val_losses, patience, min_delta
        ),
        "your default for `min_delta` is 0.0001",
    ),
}


@pytest.mark.parametrize("mistake", WRONG_STOPS)
def test_wrong_stopping_rules_are_caught_and_diagnosed(mistake):
    fn, diagnosis = WRONG_STOPS[mistake]
    fails(check_should_stop, fn, "it should return", diagnosis)


def test_returning_the_best_index_is_diagnosed():
    def best_index(val_losses, patience, min_delta=0):
        stop = stop_with_counter(val_losses, patience, min_delta)
        return None if stop is None else int(np.argmin(val_losses[: stop + 1]))

    fails(check_should_stop, best_index, "index of the best loss")


@pytest.mark.parametrize(
    "fn, words",
    [
        (lambda val_losses, patience, min_delta=0: False, "returned False"),
        (lambda val_losses, patience, min_delta=0: 3.0, "float"),
        (lambda val_losses, patience, min_delta=0: val_losses.sort(), "changed the list"),
        (lambda val_losses, patience, min_delta=0: val_losses.pop(), "changed the list"),
        (lambda val_losses, patience, min_delta=0: int(val_losses[10]), "IndexError"),
        (lambda val_losses, patience: None, "signature is should_stop"),
        (
            lambda val_losses, patience, min_delta=0: (
                -1
                if stop_with_counter(val_losses, patience, min_delta) is None
                else stop_with_counter(val_losses, patience, min_delta)
            ),
            "it should return None",
        ),
    ],
)
def test_malformed_stopping_rules_are_refused_with_a_reason(fn, words):
    fails(check_should_stop, fn, words)


# ---------------------------------------------------------------------------------------------
# The prediction
# ---------------------------------------------------------------------------------------------


def test_the_prediction_is_graded_on_the_two_runs(capsys):
    steps = 10 * math.ceil(len(demos.digits().X_train) / 32)
    ends = {
        label: demos.sgd_run(0.25, 10, schedule=schedule)[0].val_losses[-1]
        for label, schedule in (
            ("constant", schedules.constant(0.25)),
            ("cosine", schedules.cosine(0.25, steps)),
        )
    }
    assert ends["constant"] + 0.01 < ends["cosine"]  # not close: the answer is robust
    check_small_peak("b")
    said = capsys.readouterr().out
    assert f"{ends['constant']:.4f} at the constant rate and {ends['cosine']:.4f}" in said
