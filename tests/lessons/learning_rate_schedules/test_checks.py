"""The checks of lesson 10: correct schedules pass however they are written; wrong ones fail,
each with the diagnosis of its mistake; the questions grade each option with its feedback."""

import math

import numpy as np
import pytest
import torch
from torch.optim import lr_scheduler

from course_utils import schedules
from course_utils.lessons.learning_rate_schedules import (
    check_cosine_lr,
    check_cosine_past_t_max,
    check_one_cycle_rate,
    check_recall_annealing,
    check_recall_cycle_momentum,
    check_triangular2_lr,
    cosine_lr,
    triangular2_lr,
)
from course_utils.lessons.learning_rate_schedules.demos import torch_lrs

from ..checking import cell_text, fails, number_tests, passes, question_tests

# ---------------------------------------------------------------------------------------------
# The references
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("lr, T_max, eta_min", [(0.1, 10, 0.0), (1.0, 7, 0.1), (0.3, 100, 0.003)])
def test_cosine_reference_matches_torch_up_to_T_max_and_holds_after(lr, T_max, eta_min):
    theirs = torch_lrs(
        lambda opt: lr_scheduler.CosineAnnealingLR(opt, T_max, eta_min), T_max + 1, lr
    )
    ours = [cosine_lr(t, lr, T_max, eta_min) for t in range(T_max + 1)]
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-15)
    assert all(cosine_lr(t, lr, T_max, eta_min) == eta_min for t in (T_max + 1, 3 * T_max))


@pytest.mark.parametrize(
    "base_lr, max_lr, step_size", [(0.001, 0.01, 4), (0.0, 1.0, 1), (0.1, 0.6, 5)]
)
def test_triangular2_reference_matches_torch(base_lr, max_lr, step_size):
    def make(opt):
        return lr_scheduler.CyclicLR(
            opt, base_lr, max_lr, step_size, mode="triangular2", cycle_momentum=False
        )

    theirs = torch_lrs(make, 60, max_lr)
    ours = [triangular2_lr(t, base_lr, max_lr, step_size) for t in range(60)]
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-15)


def test_hidden_tests_numbers_are_the_references():
    # The literal numbers in the notebook's hidden tests were printed from these calls.
    assert cosine_lr(1, 0.4, 12, 0.02) == 0.39352590699492296
    assert triangular2_lr(1234, 0.2, 0.3, 100) == pytest.approx(0.20053125, rel=1e-12)


# ---------------------------------------------------------------------------------------------
# cosine_lr
# ---------------------------------------------------------------------------------------------


def cosine_with_min(t, lr, T_max, eta_min=0):
    return eta_min + 0.5 * (lr - eta_min) * (1 + math.cos(math.pi * min(t, T_max) / T_max))


def cosine_with_branch(t, lr, T_max, eta_min=0):
    if t >= T_max:
        return eta_min  # an int when eta_min is the default: still a number
    return eta_min + (lr - eta_min) * (1 + np.cos(np.pi * t / T_max)) / 2


def cosine_as_weights(t, lr, T_max, eta_min=0.0):
    weight = (1 + np.cos(np.pi * np.clip(t / T_max, 0, 1))) / 2
    return np.asarray(weight * lr + (1 - weight) * eta_min)  # a 0-d array


def cosine_from_sine(t, lr, T_max, eta_min=0):
    fraction = min(t, T_max) / T_max
    return eta_min + (lr - eta_min) * (1 - math.sin(math.pi * fraction / 2) ** 2)


@pytest.mark.parametrize(
    "fn", [cosine_with_min, cosine_with_branch, cosine_as_weights, cosine_from_sine]
)
def test_correct_cosines_pass(fn, capsys):
    passes(check_cosine_lr, fn, capsys)


def half(t, lr, T, m):
    return m + 0.5 * (lr - m) * (1 + math.cos(math.pi * min(t, T) / T))


WRONG_COSINES = {
    "rises after T_max like torch": (
        lambda t, lr, T_max, eta_min=0: (
            eta_min + 0.5 * (lr - eta_min) * (1 + math.cos(math.pi * t / T_max))
        ),
        "climbs back up",
    ),
    "cos instead of (1 + cos)/2": (
        lambda t, lr, T_max, eta_min=0: (
            eta_min + (lr - eta_min) * math.cos(math.pi * min(t, T_max) / T_max)
        ),
        "(1 + cos(πt/T_max))/2",
    ),
    "(1 + cos) not halved": (
        lambda t, lr, T_max, eta_min=0: (
            eta_min + (lr - eta_min) * (1 + math.cos(math.pi * min(t, T_max) / T_max))
        ),
        "not halved",
    ),
    "one step ahead": (
        lambda t, lr, T_max, eta_min=0: half(t + 1, lr, T_max, eta_min),
        "one step ahead",
    ),
    "one step behind": (
        lambda t, lr, T_max, eta_min=0: half(max(t - 1, 0), lr, T_max, eta_min),
        "one step behind",
    ),
    "a full wave": (
        lambda t, lr, T_max, eta_min=0: (
            eta_min
            if t >= T_max
            else eta_min + 0.5 * (lr - eta_min) * (1 + math.cos(2 * math.pi * t / T_max))
        ),
        "full cosine wave",
    ),
    "a quarter wave": (
        lambda t, lr, T_max, eta_min=0: (
            eta_min
            if t >= T_max
            else eta_min + 0.5 * (lr - eta_min) * (1 + math.cos(math.pi * t / (2 * T_max)))
        ),
        "quarter",
    ),
    "eta_min added to lr's wave": (
        lambda t, lr, T_max, eta_min=0: (
            eta_min + 0.5 * lr * (1 + math.cos(math.pi * min(t, T_max) / T_max))
        ),
        "lr − eta_min",
    ),
    "rising instead of falling": (
        lambda t, lr, T_max, eta_min=0: (
            eta_min + 0.5 * (lr - eta_min) * (1 - math.cos(math.pi * min(t, T_max) / T_max))
        ),
        "rises from eta_min",
    ),
    "integer division": (
        lambda t, lr, T_max, eta_min=0: (
            eta_min + 0.5 * (lr - eta_min) * (1 + math.cos(math.pi * (min(t, T_max) // T_max)))
        ),
        "integer division",
    ),
    "linear decay": (
        lambda t, lr, T_max, eta_min=0: lr - (lr - eta_min) * min(t, T_max) / T_max,
        "straight line",
    ),
    "eta_min ignored": (
        lambda t, lr, T_max, eta_min=0: half(t, lr, T_max, 0.0),
        "ignores `eta_min`",
    ),
    "a wrong default": (
        lambda t, lr, T_max, eta_min=1e-3: half(t, lr, T_max, eta_min),
        "your default for `eta_min` is 0.001",
    ),
}


@pytest.mark.parametrize("mistake", WRONG_COSINES)
def test_wrong_cosines_are_caught_and_diagnosed(mistake):
    fn, diagnosis = WRONG_COSINES[mistake]
    fails(check_cosine_lr, fn, "cosine_lr is wrong at cosine_lr(", "should be", diagnosis)


def test_a_rate_off_beyond_seven_digits_shows_the_digits_that_differ():
    in_float32 = lambda t, lr, T_max, eta_min=0: np.float32(cosine_lr(t, lr, T_max, eta_min))  # noqa: E731
    message = fails(check_cosine_lr, in_float32)
    assert "it should be 0.1 but is 0.100000001." in message and "For t =" not in message


def test_cosine_message_shows_the_values_around_the_first_wrong_one():
    message = fails(check_cosine_lr, WRONG_COSINES["one step ahead"][0])
    assert "For t = 0, 1, 2, 3 it should give 0.1, 0.09755, 0.09045, 0.07939" in message


@pytest.mark.parametrize(
    "fn, words",
    [
        (lambda t, lr, T_max, eta_min=0: None, "returned None"),
        (lambda t, lr, T_max, eta_min=0: [lr], "list"),
        (lambda t, lr, T_max, eta_min=0: np.array([lr, lr]), "array of shape (2,)"),
        (lambda t, lr, T_max, eta_min=0: torch.tensor(lr), "torch tensor"),
        (lambda t, lr, T_max, eta_min=0: True, "bool"),
        (lambda t, lr, T_max, eta_min=0: math.nan, "finite"),
        (lambda t, lr, T_max: lr, "signature is cosine_lr(t, lr, T_max, eta_min=0)"),
        (lambda t, lr, T_max, eta_min=0: 1 / 0, "ZeroDivisionError"),
    ],
)
def test_malformed_cosines_are_refused_with_a_reason(fn, words):
    fails(check_cosine_lr, fn, words)


def test_check_wants_a_function():
    with pytest.raises(TypeError, match="check_cosine_lr"):
        check_cosine_lr(0.1)


# ---------------------------------------------------------------------------------------------
# triangular2_lr
# ---------------------------------------------------------------------------------------------


def smith(t, base_lr, max_lr, step_size):
    cycle = math.floor(1 + t / (2 * step_size))
    x = abs(t / step_size - 2 * cycle + 1)
    return base_lr + (max_lr - base_lr) * max(0, 1 - x) / 2 ** (cycle - 1)


def by_position_in_cycle(t, base_lr, max_lr, step_size):
    cycle, position = divmod(t, 2 * step_size)
    height = position / step_size if position <= step_size else 2 - position / step_size
    return base_lr + (max_lr - base_lr) * height * 0.5**cycle


def with_numpy(t, base_lr, max_lr, step_size):
    cycle = np.floor(1 + t / (2 * step_size))
    x = np.abs(t / step_size - 2 * cycle + 1)
    return base_lr + (max_lr - base_lr) * np.maximum(0, 1 - x) * 2.0 ** (1 - cycle)


def by_distance_to_peak(t, base_lr, max_lr, step_size):
    cycle = t // (2 * step_size)
    distance = abs(t - (2 * cycle + 1) * step_size)
    return base_lr + (max_lr - base_lr) * (1 - distance / step_size) / 2**cycle


@pytest.mark.parametrize("fn", [smith, by_position_in_cycle, with_numpy, by_distance_to_peak])
def test_correct_triangular2s_pass(fn, capsys):
    passes(check_triangular2_lr, fn, capsys)


def scaled(t, base_lr, max_lr, step_size, scale):
    cycle = math.floor(1 + t / (2 * step_size))
    x = abs(t / step_size - 2 * cycle + 1)
    return base_lr + (max_lr - base_lr) * max(0, 1 - x) * scale(cycle, t, step_size)


WRONG_TRIANGLES = {
    "amplitude not halved": (
        lambda t, b, m, s: scaled(t, b, m, s, lambda c, t, s: 1.0),
        "1/2^(cycle − 1) with cycle = 1 in the first cycle (i.e. 1/2^c for c = t // (2·step_size))",
    ),
    "halved from the first cycle": (
        lambda t, b, m, s: scaled(t, b, m, s, lambda c, t, s: 0.5**c),
        "one cycle too early",
    ),
    "halved every half cycle": (
        lambda t, b, m, s: scaled(t, b, m, s, lambda c, t, s: 0.5 ** (t // s)),
        "every half cycle",
    ),
    "a cycle of step_size steps": (
        lambda t, b, m, s: smith(t, b, m, s / 2),
        "your cycle lasts step_size steps",
    ),
    "rising for 2·step_size": (
        lambda t, b, m, s: smith(t, b, m, 2 * s),
        "rises for 2·step_size",
    ),
    "one step ahead": (lambda t, b, m, s: smith(t + 1, b, m, s), "one step ahead"),
    "one step behind": (lambda t, b, m, s: smith(t - 1, b, m, s), "one step behind"),
    "the whole rate halved": (
        lambda t, b, m, s: scaled(t, b, m, s, lambda c, t, s: 1.0) / 2 ** (t // (2 * s)),
        "base_lr included",
    ),
    "starting at the peak": (lambda t, b, m, s: smith(t + s, b, m, s), "starts at the peak"),
    "no absolute value": (
        lambda t, b, m, s: (
            b
            + (m - b)
            * max(0, 1 - (t / s - 2 * math.floor(1 + t / (2 * s)) + 1))
            / 2 ** (math.floor(1 + t / (2 * s)) - 1)
        ),
        "absolute value",
    ),
    "shrinking like 1/cycle": (
        lambda t, b, m, s: scaled(t, b, m, s, lambda c, t, s: 1 / c),
        "1/2^c for c = t // (2·step_size)); yours shrinks like 1/cycle",
    ),
    "integer division": (
        lambda t, b, m, s: (
            b
            + (m - b)
            * max(0, 1 - abs(t // s - 2 * math.floor(1 + t / (2 * s)) + 1))
            / 2 ** (math.floor(1 + t / (2 * s)) - 1)
        ),
        "integer division",
    ),
    "base_lr ignored": (lambda t, b, m, s: smith(t, 0.0, m, s), "ignores base_lr"),
}


@pytest.mark.parametrize("mistake", WRONG_TRIANGLES)
def test_wrong_triangular2s_are_caught_and_diagnosed(mistake):
    fn, diagnosis = WRONG_TRIANGLES[mistake]

    def learner(t, base_lr, max_lr, step_size):
        return fn(t, base_lr, max_lr, step_size)

    fails(check_triangular2_lr, learner, "triangular2_lr is wrong at", diagnosis)


def test_torch_triangular_mode_is_not_triangular2():
    def triangular(t, base_lr, max_lr, step_size):
        schedule = schedules.cyclic(base_lr, max_lr, step_size, mode="triangular")
        return schedule(t)

    fails(check_triangular2_lr, triangular, "never shrinks")


@pytest.mark.parametrize(
    "fn, diagnosis",
    [
        (
            lambda t, lr, T_max, eta_min=0: (
                eta_min if t >= T_max - 1 else half(t, lr, T_max, eta_min)
            ),
            "one step early",
        ),
        (
            lambda t, lr, T_max, eta_min=0: 0.0 if t >= T_max else half(t, lr, T_max, eta_min),
            "drops to 0",
        ),
    ],
)
def test_wrong_ends_of_the_cosine_are_diagnosed(fn, diagnosis):
    fails(check_cosine_lr, fn, diagnosis)


def test_no_cause_is_named_when_no_known_mistake_explains_the_curve():
    def degrees(t, lr, T_max, eta_min=0):
        return eta_min + (lr - eta_min) * (1 + math.cos(180 * min(t, T_max) / T_max)) / 2

    assert "Likely cause" not in fails(check_cosine_lr, degrees, "should be")


# ---------------------------------------------------------------------------------------------
# The prediction, the derived rate and the recall questions
# ---------------------------------------------------------------------------------------------


def test_the_prediction_is_graded_on_what_torch_does(capsys):
    check_cosine_past_t_max("c")
    said = capsys.readouterr().out
    assert said.startswith("✔ 'c' is right. torch's rate at t = 200 was 0.1 (at t = 100: 0.001)")


def test_the_derived_one_cycle_rate_is_torchs():
    theirs = torch_lrs(
        lambda opt: lr_scheduler.OneCycleLR(opt, 0.1, total_steps=100, cycle_momentum=False),
        100,
        0.1,
    )
    assert theirs[50] == pytest.approx(0.0793893450575732, rel=1e-12)


ONE_CYCLE_WRONG = [
    (0.05 * (1 + math.cos(math.pi * 20 / 69)), "not at p·T = 30"),
    (0.07, "not a straight line"),
    (0.004 + 0.048 * (1 + math.cos(0.3 * math.pi)), "far below the starting rate"),
    (0.05, "plain cosine annealing over the whole run"),
    (0.09, "too large. Find the peak step T_p first"),
    (0.02, "too small"),
    (math.nan, "must be a finite number"),
    ("0.0794", "Set one_cycle_rate to one number"),
    (True, "Set one_cycle_rate to one number"),
]

test_the_right_one_cycle_rate_passes, test_wrong_one_cycle_rates_are_diagnosed = number_tests(
    check_one_cycle_rate, [0.0793893450575732, 0.07939, 0.0794], ONE_CYCLE_WRONG
)

# (check, right option, {wrong option: words of its feedback}[, what the prediction's run
# found, in every message])
QUESTIONS = [
    (
        check_cosine_past_t_max,
        "c",
        {
            "a": "our schedules.cosine does (it holds eta_min)",
            "b": "Nothing in the formula goes below eta_min",
            "d": "torch raises no error",
        },
        "torch's rate at t = 200 was 0.1",
    ),
    (
        check_recall_annealing,
        "b",
        {"a": "The gradient does not grow", "c": "not the loss", "d": "never raise η"},
    ),
    (
        check_recall_cycle_momentum,
        "c",
        {"a": "also cycles momentum", "b": "raises no error", "d": "is not fixed"},
    ),
]

test_questions_give_feedback_for_every_option = question_tests(QUESTIONS)


def test_the_learning_goals_do_not_give_the_cosine_prediction_away():
    goals = cell_text("10_learning_rate_schedules.ipynb", "lesson10-00")
    assert "climbs back" not in goals and "after `T_max`" in goals
