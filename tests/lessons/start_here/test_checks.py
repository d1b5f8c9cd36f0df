"""check_slope: passes central differences however written, catches and names wrong ones."""

import math

import numpy as np
import pytest

from course_utils import losses
from course_utils.checks import CheckFailed
from course_utils.lessons.start_here import check_slope, slope
from course_utils.lessons.start_here.checks import _slope

from ..checking import check_tests, fails

# ---------------------------------------------------------------------------------------------
# The reference
# ---------------------------------------------------------------------------------------------


def test_reference_is_the_central_difference_of_numerical_gradient():
    f = lambda w: np.exp(np.sin(3 * w))  # noqa: E731
    for w, h in [(0.3, 1e-5), (-1.2, 0.1), (2.0, 1e-3)]:
        expected = losses.numerical_gradient(lambda v: f(v[0]), [w], h=h)[0]
        assert _slope(f, w, h) == expected
        assert type(_slope(f, w, h)) is float


def test_reference_error_shrinks_like_h_squared():
    exact = math.cos(1.0)
    errors = [abs(_slope(math.sin, 1.0, h) - exact) for h in (1e-2, 1e-3)]
    assert errors[0] / errors[1] == pytest.approx(100, rel=1e-3)


# ---------------------------------------------------------------------------------------------
# Correct implementations, written differently, all pass
# ---------------------------------------------------------------------------------------------


def slope_textbook(f, w, h=1e-5):
    return (f(w + h) - f(w - h)) / (2 * h)


def slope_halves(f, w, h=0.00001):
    return 0.5 * (f(w + h) - f(w - h)) / h


def slope_two_divisions(f, w, h=1e-5):
    rise = f(w + h) - f(w - h)
    return float(rise / 2 / h)


def slope_average_of_one_sided(f, w, h=1e-5):
    forward = (f(w + h) - f(w)) / h
    backward = (f(w) - f(w - h)) / h
    return (forward + backward) / 2


def slope_with_named_points(f, w, h=1e-5):
    right, left = w + h, w - h
    return (f(right) - f(left)) / (right - left)


RIGHT = [
    slope_textbook,
    slope_halves,
    slope_two_divisions,
    slope_average_of_one_sided,
    slope_with_named_points,
]


# ---------------------------------------------------------------------------------------------
# Wrong implementations are caught, with the right diagnosis
# ---------------------------------------------------------------------------------------------


def forward(f, w, h=1e-5):
    return (f(w + h) - f(w)) / h


def backward(f, w, h=1e-5):
    return (f(w) - f(w - h)) / h


def denominator_h(f, w, h=1e-5):
    return (f(w + h) - f(w - h)) / h


def precedence(f, w, h=1e-5):
    return (f(w + h) - f(w - h)) / 2 * h


def sign_flip(f, w, h=1e-5):
    return (f(w - h) - f(w + h)) / (2 * h)


def no_division(f, w, h=1e-5):
    return f(w + h) - f(w - h)


def ignores_h(f, w, h=1e-5):
    return (f(w + 1e-5) - f(w - 1e-5)) / 2e-5


def value_not_slope(f, w, h=1e-5):
    return f(w)


def wrong_default(f, w, h=1e-3):
    return (f(w + h) - f(w - h)) / (2 * h)


def returns_an_array(f, w, h=1e-5):
    return np.array([(f(w + h) - f(w - h)) / (2 * h)])


def returns_a_0d_array(f, w, h=1e-5):
    return np.asarray((f(w + h) - f(w - h)) / (2 * h))


def forgets_return(f, w, h=1e-5):
    (f(w + h) - f(w - h)) / (2 * h)  # noqa: B018


def no_h_argument(f, w):
    return (f(w + 1e-5) - f(w - 1e-5)) / 2e-5


def crashes(f, w, h=1e-5):
    return (f(w + h) - f(w - h)) / (2 * step)  # noqa: F821


def returns_a_list(f, w, h=1e-5):
    return [(f(w + h) - f(w - h)) / (2 * h)]


def steepness(f, w, h=1e-5):
    return abs((f(w + h) - f(w - h)) / (2 * h))  # right only where the slope is positive


def default_too_small(f, w, h=1e-6):
    return (f(w + h) - f(w - h)) / (2 * h)


WRONG = [
    (forward, "forward difference"),
    (backward, "backward difference"),
    (denominator_h, "divided by h, but the two points"),
    (precedence, "`/ 2 * h` divides by 2 and then multiplies by h"),
    (sign_flip, "the sign is flipped"),
    (no_division, "did not divide"),
    (ignores_h, "ignores its argument h"),
    (value_not_slope, "returned the value f(w)"),
    (wrong_default, "your default for `h` is 0.001 but the exercise's is 1e-05"),
    (returns_an_array, "returned a NumPy array of shape (1,) instead of one number"),
    (returns_a_0d_array, "returned a NumPy array of shape () instead of one number"),
    (forgets_return, "Did you forget `return`?"),
    (no_h_argument, "The exercise's signature is slope(f, w, h=1e-05)"),
    (crashes, "raised NameError: name 'step' is not defined"),
    (returns_a_list, "returned a list"),
    (steepness, "case 3 of 8, a negative slope"),
    (default_too_small, "your default for `h` is 1e-06 but the exercise's is 1e-05"),
]

(
    test_correct_implementations_pass_with_one_line,
    test_wrong_implementations_fail_with_the_right_diagnosis,
) = check_tests(check_slope, RIGHT, WRONG, line="✔ slope matches the reference on 8 cases.\n")


def test_the_message_shows_the_function_and_the_numbers():
    fails(check_slope, forward, "slope(lambda w: w**3, 2.0, h=0.1)", "should be 12.01 but is 12.61")


def test_a_check_failure_is_an_assertion_error():
    # Lesson 00 catches it with `except AssertionError`, and nbgrader counts it as a failure.
    assert issubclass(CheckFailed, AssertionError)


def test_refuses_something_that_is_not_a_function():
    with pytest.raises(TypeError, match=r"check_slope\(slope\)"):
        check_slope(slope_textbook(math.sin, 0.0))


def test_the_one_number_answer_lives_in_the_engine_not_in_the_lesson():
    from course_utils import checks
    from course_utils.lessons.start_here import checks as start_here

    assert start_here.Number is checks.Number
    assert "Number" in checks.__all__


def test_the_reference_is_exported_for_prefer_yours(capsys):
    assert slope is _slope
    check_slope(slope)
    assert capsys.readouterr().out.startswith("✔ ")
