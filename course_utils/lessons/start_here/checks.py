r"""The check for the warm-up exercise of lesson 00: the slope of a 1-D function at a point.

``check_slope(fn)`` compares a learner's ``slope(f, w, h=1e-5)`` with the central difference

    f'(w) ≈ (f(w + h) − f(w − h)) / 2h

on eight functions and points: curved ones (where the forward and backward differences differ
from the central one by about h·f''/2), a falling one (a negative slope), a large step h = 0.1
(which tells a slope that ignores ``h`` apart), a line (whose slope every difference gets
right, so only a wrong denominator or sign is caught there), a constant (slope 0) and
sin(100w), whose large third derivative makes the central difference's error h²·f'''/6
visible, so a default other than h = 1e-5 is caught (compared to 1e-9).
It also insists on one number as the result: a NumPy array is refused even when it holds the
right number.
"""

import numpy as np

from ...checks import Mutant, Number, Shown, check_function, make_case

__all__ = ["check_slope", "slope"]


def slope(f, w, h=1e-5):
    """The reference: (f(w + h) − f(w − h)) / 2h, as a float."""
    return float((f(w + h) - f(w - h)) / (2 * h))


_slope = slope  # the name the check's tables use


def _function(formula, fn):
    """A 1-D function that shows its formula in a check's message (a lambda shows an address)."""
    return Shown(f"lambda w: {formula}", fn)


# Central differences written differently agree to about 1e-11; the graders' hidden tests hold
# the slope to 1e-9, which a default step other than 1e-5 misses on sin(100w).
_TOLERANCE = {np.float64: (1e-9, 1e-12)}

_CUBE = _function("w**3", lambda w: w**3)
_WIGGLE = _function("np.sin(100*w)", lambda w: np.sin(100 * w))

# (label, f, w, h or None for the default, how to call)
_CASES = (
    ("a cubic, a large step h", _CUBE, 2.0, 0.1, "keyword"),
    ("a cubic, the default h", _CUBE, 2.0, None, "defaults"),
    ("a negative slope", _function("w**3 - 2*w", lambda w: w**3 - 2 * w), -0.5, 0.01, "keyword"),
    ("a sine, h by position", _function("np.sin(w)", np.sin), 0.5, 1e-3, "positional"),
    ("an exponential", _function("np.exp(2*w)", lambda w: np.exp(2 * w)), 0.3, 0.05, "keyword"),
    ("a line", _function("4*w - 1", lambda w: 4 * w - 1), 0.7, 0.25, "keyword"),
    ("a constant", _function("3.0", lambda w: 3.0), 1.0, 0.1, "keyword"),
    ("a fast wiggle, the default h", _WIGGLE, 0.01, None, "defaults"),
)  # fmt: skip

_MUTANTS = (
    Mutant(
        lambda f, w, h: (f(w + h) - f(w)) / h,
        "you used the forward difference (f(w + h) − f(w)) / h; its error shrinks only like h. "
        "Step both ways: (f(w + h) − f(w − h)) / (2h).",
    ),
    Mutant(
        lambda f, w, h: (f(w) - f(w - h)) / h,
        "you used the backward difference (f(w) − f(w − h)) / h; step both ways: "
        "(f(w + h) − f(w − h)) / (2h).",
    ),
    Mutant(
        lambda f, w, h: (f(w + h) - f(w - h)) / h,
        "you divided by h, but the two points w − h and w + h are 2h apart: divide by 2h.",
    ),
    Mutant(
        lambda f, w, h: (f(w + h) - f(w - h)) / 2 * h,
        "`/ 2 * h` divides by 2 and then multiplies by h (Python reads it left to right); "
        "write `/ (2 * h)`.",
    ),
    Mutant(
        lambda f, w, h: (f(w - h) - f(w + h)) / (2 * h),
        "the sign is flipped: subtract f(w − h) from f(w + h), not the other way round.",
    ),
    Mutant(
        lambda f, w, h: f(w + h) - f(w - h),
        "you did not divide the difference f(w + h) − f(w − h) by the distance 2h.",
    ),
    Mutant(
        lambda f, w, h: _slope(f, w),
        "your function ignores its argument h (it always steps by 1e-5); use the h it is given.",
    ),
    Mutant(
        lambda f, w, h: f(w),
        "you returned the value f(w), not its slope.",
    ),
)


def check_slope(fn):
    """Check ``fn(f, w, h=1e-5) -> float``: the central difference (f(w + h) − f(w − h)) / 2h."""
    __tracebackhide__ = True
    check_function(
        fn,
        "slope",
        reference=_slope,
        cases=[
            make_case(label, _slope, (f, w), {} if h is None else {"h": h}, call)
            for label, f, w, h, call in _CASES
        ],
        answer=Number("Return one float, e.g. `return float(...)`.", tolerances=_TOLERANCE),
        mutants=_MUTANTS,
    )
