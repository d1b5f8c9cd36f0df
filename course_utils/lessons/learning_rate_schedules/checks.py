r"""Checks for lesson 10's exercises: a cosine schedule, a triangular2 schedule, early stopping.

- ``check_cosine_lr(fn)``: ``cosine_lr(t, lr, T_max, eta_min=0)``, the rate after t steps of
  cosine annealing, $\eta_{\min} + \tfrac12(\eta - \eta_{\min})(1 + \cos(\pi t / T_{\max}))$,
  held at $\eta_{\min}$ for $t \ge T_{\max}$ (``course_utils.schedules.cosine``);
- ``check_triangular2_lr(fn)``: ``triangular2_lr(t, base_lr, max_lr, step_size)``, Smith's
  triangle wave whose height halves every cycle (``schedules.cyclic(..., "triangular2")``);
- ``check_should_stop(fn)``: ``should_stop(val_losses, patience, min_delta=0)``, the index of
  the loss at which early stopping ends training, or None (``schedules.EarlyStopping``).

A schedule is checked as curves: one case for every t of several settings (short ones step by
step, long ones at the points that matter: the peaks, the ends of the cycles, past T_max), and
the first wrong value is reported with the values around it, so an off-by-one shows as the
same numbers shifted. The known mistakes (``course_utils.checks`` names the one that best
matches the learner's results): t off by one, a full or a quarter cosine wave instead of
half, cos instead of (1 + cos)/2, the rate rising again after T_max (torch's
CosineAnnealingLR does) or reaching η_min a step early, an amplitude that is not halved or is
halved per half-cycle, a cycle of step_size instead of 2·step_size steps, the whole rate
halved instead of its amplitude; and for early stopping: patience off by one, ≤ instead of <
(a tie is not an improvement), min_delta ignored, applied the wrong way or defaulting to
other than 0 (gains of 1e-5 count), the previous loss instead of the best one, a count that
never resets, the first loss counted as bad, and the index of the best loss returned, or the
count of losses, instead of the index at which to stop.
"""

import math

import numpy as np

from ... import schedules
from ...checks import Case, Index, Mutant, Number, check_function, make_case
from ...validation import as_float_array, nonnegative, positive_int

__all__ = [
    "check_cosine_lr",
    "check_triangular2_lr",
    "check_should_stop",
    "cosine_lr",
    "triangular2_lr",
    "should_stop",
]


# ---------------------------------------------------------------------------------------------
# The reference solutions
# ---------------------------------------------------------------------------------------------


def cosine_lr(t, lr, T_max, eta_min=0):
    r"""The rate after t steps of cosine annealing from η to η_min over T_max steps.

    $\eta_t = \eta_{\min} + \tfrac12(\eta - \eta_{\min})(1 + \cos(\pi t / T_{\max}))$ for
    $t \le T_{\max}$, and $\eta_{\min}$ after that.
    """
    return schedules.cosine(lr, T_max, eta_min)(t)


def triangular2_lr(t, base_lr, max_lr, step_size):
    r"""The rate after t steps of Smith's triangular2 cycle (torch's CyclicLR, "triangular2").

    With the cycle $c = \lfloor 1 + t / (2S) \rfloor$ and $x = |t/S - 2c + 1|$ (S = step_size):
    $\eta_t = \eta_{base} + (\eta_{max} - \eta_{base}) \max(0, 1 - x) / 2^{c - 1}$.
    """
    return schedules.cyclic(base_lr, max_lr, step_size, mode="triangular2")(t)


def should_stop(val_losses, patience, min_delta=0):
    r"""The index of the loss at which early stopping ends training, or None.

    Walk through the losses keeping the best so far (at first +∞). A loss improves when it is
    below best − min_delta: it becomes the best and the count of bad losses resets to 0;
    otherwise the count grows by 1. Return the index i at which the count reaches
    ``patience``; None if it never does. This is ``schedules.EarlyStopping`` fed the losses.
    """
    losses = as_float_array("val_losses", val_losses)
    if losses.ndim != 1:
        raise ValueError(f"val_losses must be a 1-D list of losses, got shape {losses.shape}")
    stopper = schedules.EarlyStopping(positive_int("patience", patience), min_delta)
    nonnegative("min_delta", min_delta)
    for index, loss in enumerate(losses):
        if stopper.step(loss):
            return index
    return None


# ---------------------------------------------------------------------------------------------
# The checks
# ---------------------------------------------------------------------------------------------


def check_cosine_lr(fn):
    r"""Check ``fn(t, lr, T_max, eta_min=0) -> float``: cosine annealing, held at η_min."""
    __tracebackhide__ = True
    _check_curves(fn, cosine_lr, _COSINE_SETTINGS, _COSINE_MUTANTS, ("lr", "eta_min"))


def check_triangular2_lr(fn):
    r"""Check ``fn(t, base_lr, max_lr, step_size) -> float``: the triangle halved every cycle."""
    __tracebackhide__ = True
    _check_curves(fn, triangular2_lr, _TRIANGULAR2_SETTINGS, _TRI_MUTANTS, ("base_lr", "max_lr"))


def check_should_stop(fn):
    r"""Check ``fn(val_losses, patience, min_delta=0) -> int or None``: early stopping."""
    __tracebackhide__ = True
    check_function(
        fn,
        "should_stop",
        reference=should_stop,
        cases=[Case(label, (losses,), kwargs) for label, losses, kwargs in _STOP_CASES],
        answer=Index(
            "Return the index of the loss at which to stop (an int), or None when training "
            "should go on."
        ),
        mutants=_STOP_MUTANTS,
        explain=_explain_stop,
    )


# ---------------------------------------------------------------------------------------------
# A schedule is checked as curves: one case per step t of each setting
# ---------------------------------------------------------------------------------------------


def _check_curves(fn, reference, settings, mutants, rates):
    """A schedule's check: one case per step t of each setting ``(label, hyperparameters, steps
    t, how to call)``; the answer, one learning rate, is compared to 1e-9 (a formula written
    differently rounds differently) and, where it is 0, to 1e-12 of the setting's largest rate,
    the largest of its hyperparameters ``rates``."""
    __tracebackhide__ = True
    check_function(
        fn,
        reference.__name__,
        reference=reference,
        cases=[
            make_case(label, reference, (t,), hyperparameters, call)
            for label, hyperparameters, steps, call in settings
            for t in steps
        ],
        answer=Number(
            tolerances={np.float64: (1e-9, 1e-12)},
            scale=lambda arguments: max(arguments[name] for name in rates),
            zero_d=True,
        ),
        mutants=mutants,
        explain=_around,
        refuse=_not_finite,
    )


def _not_finite(rate, arguments):
    """nan or inf, refused whatever the reference gives."""
    try:
        finite = np.ndim(rate) != 0 or math.isfinite(rate)
    except TypeError:  # not a number: the answer says what is wrong
        return None
    return None if finite else (f"returned {float(rate)}", "A learning rate must be finite.")


def _around(failing, comparisons):
    """'For t = 0, 1, 2, 3 it should give 0.1, 0.0976, ... but gives 0.0976, ...': the values
    around the wrong one on its curve, so an off-by-one shows as the same numbers shifted;
    nothing where they differ only beyond the 4 digits shown."""
    curve = [
        comparison for comparison in comparisons if comparison.case.label == failing.case.label
    ]
    start = max(0, next(k for k, comparison in enumerate(curve) if comparison is failing) - 1)
    shown = curve[start : start + 4]
    ts = ", ".join(str(comparison.arguments["t"]) for comparison in shown)
    should = ", ".join(f"{comparison.expected:.4g}" for comparison in shown)
    gives = ", ".join(f"{comparison.got:.4g}" for comparison in shown)
    return "" if should == gives else f"For t = {ts} it should give {should} but gives {gives}."


# ---------------------------------------------------------------------------------------------
# Cosine annealing: settings and known mistakes
# ---------------------------------------------------------------------------------------------

# (label, the hyperparameters after t, the steps t to try, how to call); settings without
# eta_min rely on its default.
_COSINE_SETTINGS = (
    ("to the default eta_min, by position", {"lr": 0.1, "T_max": 10}, range(15), "positional"),
    ("to eta_min = 0.1", {"lr": 1.0, "T_max": 7, "eta_min": 0.1}, range(10), "keyword"),
    ("T_max = 1", {"lr": 0.05, "T_max": 1, "eta_min": 0.01}, [0, 1, 2, 3], "keyword"),
    (
        "a long one, by position",
        {"lr": 0.3, "T_max": 100, "eta_min": 0.003},
        [0, 1, 2, 25, 50, 75, 99, 100, 101, 150, 200, 1000],
        "positional",
    ),
    ("eta_min = lr", {"lr": 0.2, "T_max": 4, "eta_min": 0.2}, range(6), "keyword"),
    (
        "NumPy integer steps",
        {"lr": 2e-3, "T_max": 30},
        [np.int64(t) for t in (0, 5, 10, 15, 29, 30, 45, 60)],
        "keyword",
    ),
)


def _half_cosine(lr, eta_min, fraction):
    return eta_min + (lr - eta_min) * (1 + math.cos(math.pi * fraction)) / 2


def _cosine_mutant(shape):
    """A cosine schedule held at η_min after T_max, with ``shape(t, lr, T_max, eta_min)``."""

    def lr_at(t, lr, T_max, eta_min):
        return eta_min if t >= T_max else shape(t, lr, T_max, eta_min)

    return lr_at


_COSINE_MUTANTS = (
    Mutant(
        lambda t, lr, T_max, eta_min: _half_cosine(lr, eta_min, t / T_max),
        "after T_max your rate climbs back up the cosine, as torch's CosineAnnealingLR does; "
        "this exercise holds it at eta_min for t ≥ T_max (use min(t, T_max)).",
    ),
    Mutant(
        lambda t, lr, T_max, eta_min: (
            eta_min if t >= T_max - 1 else _half_cosine(lr, eta_min, t / T_max)
        ),
        "you switch to eta_min one step early: cosine_lr(T_max − 1, ...) is still above "
        "eta_min; the cosine reaches eta_min at t = T_max itself.",
    ),
    Mutant(
        lambda t, lr, T_max, eta_min: 0.0 if t >= T_max else _half_cosine(lr, eta_min, t / T_max),
        "after T_max your rate drops to 0; it must stay at eta_min.",
    ),
    Mutant(
        _cosine_mutant(lambda t, lr, T, m: m + (lr - m) * math.cos(math.pi * t / T)),
        "you used cos(πt/T_max) where the formula has (1 + cos(πt/T_max))/2: cos runs from 1 "
        "to −1, so the rate would fall below eta_min; (1 + cos)/2 runs from 1 to 0.",
    ),
    Mutant(
        _cosine_mutant(lambda t, lr, T, m: m + (lr - m) * (1 + math.cos(math.pi * t / T))),
        "the factor (1 + cos(πt/T_max)) is not halved: it runs from 2 to 0, so your rate starts "
        "at 2η − eta_min. Multiply by ½.",
    ),
    Mutant(
        _cosine_mutant(lambda t, lr, T, m: _half_cosine(lr, m, (t + 1) / T)),
        "your schedule is one step ahead: cosine_lr(0, ...) must be lr itself (t counts the "
        "steps taken so far, from 0); use t, not t + 1.",
    ),
    Mutant(
        _cosine_mutant(lambda t, lr, T, m: _half_cosine(lr, m, (t - 1) / T)),
        "your schedule is one step behind: cosine_lr(1, ...) must already be below lr; use t, "
        "not t − 1.",
    ),
    Mutant(
        _cosine_mutant(lambda t, lr, T, m: _half_cosine(lr, m, 2 * t / T)),
        "your rate makes a full cosine wave over T_max steps (down and back up); it must make "
        "half a wave, from lr down to eta_min: cos(πt/T_max), not cos(2πt/T_max).",
    ),
    Mutant(
        _cosine_mutant(lambda t, lr, T, m: _half_cosine(lr, m, t / (2 * T))),
        "your rate makes only a quarter of a cosine wave over T_max steps, so it is still "
        "halfway up at T_max; use cos(πt/T_max), not cos(πt/(2·T_max)).",
    ),
    Mutant(
        _cosine_mutant(lambda t, lr, T, m: m + lr * (1 + math.cos(math.pi * t / T)) / 2),
        "scale the difference lr − eta_min, not lr: eta_min + (lr − eta_min)(1 + cos)/2. Yours "
        "starts at lr + eta_min.",
    ),
    Mutant(
        _cosine_mutant(lambda t, lr, T, m: m + (lr - m) * (1 - math.cos(math.pi * t / T)) / 2),
        "your rate rises from eta_min to lr; it must fall: use 1 + cos(πt/T_max), not 1 − cos.",
    ),
    Mutant(
        _cosine_mutant(lambda t, lr, T, m: _half_cosine(lr, m, t // T)),
        "t // T_max is integer division (0 for every t < T_max); use t / T_max.",
    ),
    Mutant(
        _cosine_mutant(lambda t, lr, T, m: lr - (lr - m) * t / T),
        "your rate falls in a straight line; the exercise asks for the cosine shape "
        "eta_min + (lr − eta_min)(1 + cos(πt/T_max))/2.",
    ),
)


# ---------------------------------------------------------------------------------------------
# triangular2: settings and known mistakes
# ---------------------------------------------------------------------------------------------

# (label, the hyperparameters after t, the steps t to try, how to call)
_TRIANGULAR2_SETTINGS = (
    (
        "five cycles, by position",
        {"base_lr": 0.001, "max_lr": 0.01, "step_size": 4},
        range(41),
        "positional",
    ),
    ("step_size = 1", {"base_lr": 0.0, "max_lr": 1.0, "step_size": 1}, range(9), "keyword"),
    ("three cycles", {"base_lr": 0.1, "max_lr": 0.6, "step_size": 5}, range(31), "keyword"),
    (
        "base_lr = max_lr, by position",
        {"base_lr": 0.02, "max_lr": 0.02, "step_size": 2},
        range(6),
        "positional",
    ),
    (
        "long cycles",
        {"base_lr": 0.01, "max_lr": 0.1, "step_size": 50},
        [0, 1, 49, 50, 51, 99, 100, 101, 150, 199, 200, 250, 1000],
        "keyword",
    ),
    (
        "NumPy integer steps, by position",
        {"base_lr": 1e-4, "max_lr": 3e-3, "step_size": 3},
        [np.int64(t) for t in range(25)],
        "positional",
    ),
)


def _smith(t, base_lr, max_lr, step_size, scale=lambda cycle, t: 1 / 2 ** (cycle - 1)):
    """Smith's triangle with an amplitude scale(cycle, t); step_size may be a float here."""
    cycle = math.floor(1 + t / (2 * step_size))
    x = abs(t / step_size - 2 * cycle + 1)
    return base_lr + (max_lr - base_lr) * max(0.0, 1 - x) * scale(cycle, t)


def _tri_mutant(shift=0, phase=0, period=1.0, base=None, scale=None):
    """triangular2 with t shifted (by ``shift`` steps and ``phase`` step sizes), step_size
    scaled by ``period``, base_lr replaced by ``base`` or another amplitude ``scale``."""

    def lr_at(t, base_lr, max_lr, step_size):
        changes = {} if scale is None else {"scale": scale(step_size)}
        base_lr = base_lr if base is None else base
        t = t + shift + phase * step_size
        return _smith(t, base_lr, max_lr, period * step_size, **changes)

    return lr_at


def _whole_rate_halved(t, base_lr, max_lr, step_size):
    cycle = math.floor(1 + t / (2 * step_size))
    return _smith(t, base_lr, max_lr, step_size, scale=lambda c, t: 1.0) / 2 ** (cycle - 1)


def _without_abs(t, base_lr, max_lr, step_size):
    cycle = math.floor(1 + t / (2 * step_size))
    x = t / step_size - 2 * cycle + 1
    return base_lr + (max_lr - base_lr) * max(0.0, 1 - x) / 2 ** (cycle - 1)


def _integer_division(t, base_lr, max_lr, step_size):
    cycle = math.floor(1 + t / (2 * step_size))
    x = abs(t // step_size - 2 * cycle + 1)
    return base_lr + (max_lr - base_lr) * max(0.0, 1 - x) / 2 ** (cycle - 1)


_TRI_MUTANTS = (
    Mutant(
        _tri_mutant(scale=lambda S: lambda cycle, t: 1.0),
        "the height of the triangle never shrinks (that is mode 'triangular'); in triangular2 "
        "the amplitude max_lr − base_lr is halved every cycle: multiply it by 1/2^(cycle − 1).",
    ),
    Mutant(
        _tri_mutant(scale=lambda S: lambda cycle, t: 1 / 2**cycle),
        "the amplitude is halved one cycle too early: the first cycle must reach max_lr, so "
        "scale by 1/2^(cycle − 1) with cycle = 1 in the first cycle.",
    ),
    Mutant(
        _tri_mutant(scale=lambda S: lambda cycle, t: 1 / 2 ** (t // S)),
        "you halve the amplitude every step_size steps, i.e. every half cycle; a cycle is "
        "2·step_size steps (step_size up, then step_size down), halved once per cycle.",
    ),
    Mutant(
        _tri_mutant(period=0.5),
        "your cycle lasts step_size steps; step_size is half a cycle: the rate rises for "
        "step_size steps and falls for step_size more, so cycle = ⌊1 + t/(2·step_size)⌋.",
    ),
    Mutant(
        _tri_mutant(period=2.0),
        "your rate rises for 2·step_size steps; it must peak after step_size steps, since "
        "step_size is half a cycle: x = |t/step_size − 2·cycle + 1|.",
    ),
    Mutant(
        _tri_mutant(shift=1),
        "your schedule is one step ahead: triangular2_lr(0, ...) must be base_lr (t counts the "
        "steps taken so far, from 0); use t, not t + 1.",
    ),
    Mutant(
        _tri_mutant(shift=-1),
        "your schedule is one step behind: triangular2_lr(1, ...) must already be above "
        "base_lr; use t, not t − 1.",
    ),
    Mutant(
        _whole_rate_halved,
        "you halve the whole rate, base_lr included; halve only the amplitude "
        "max_lr − base_lr, so the rate still returns to base_lr at the end of every cycle.",
    ),
    Mutant(
        _tri_mutant(phase=1),
        "your cycle starts at the peak; it must start at base_lr and reach max_lr after "
        "step_size steps.",
    ),
    Mutant(
        _without_abs,
        "the absolute value in x = |t/step_size − 2·cycle + 1| is missing: without it the "
        "rate overshoots max_lr in the first half of each cycle.",
    ),
    Mutant(
        _tri_mutant(scale=lambda S: lambda cycle, t: 1 / cycle),
        "the amplitude must halve every cycle (1, ½, ¼, ...: 1/2^(cycle − 1)); yours shrinks "
        "like 1/cycle (1, ½, ⅓, ...).",
    ),
    Mutant(
        _integer_division,
        "t // step_size is integer division, which makes the rate jump in steps; use "
        "t / step_size.",
    ),
    Mutant(
        _tri_mutant(base=0.0),
        "your function ignores base_lr: the triangle must go from base_lr up to max_lr.",
    ),
)


# ---------------------------------------------------------------------------------------------
# Early stopping: cases and known mistakes
# ---------------------------------------------------------------------------------------------


def _noisy_curve(seed, n=60):
    """A validation curve that falls, bottoms out and rises, with noise: rounded to 4 digits."""
    rng = np.random.default_rng(seed)
    epochs = np.arange(n)
    curve = 0.3 + 1.5 * np.exp(-epochs / 8) + 0.004 * epochs + 0.02 * rng.normal(size=n)
    return [round(float(loss), 4) for loss in curve]


# (label, val_losses, keyword arguments after val_losses); min_delta absent = its default
_STOP_CASES = (
    ("a U-shaped curve", [1.0, 0.8, 0.7, 0.65, 0.66, 0.67, 0.7, 0.75, 0.8], {"patience": 3}),
    ("patience 1", [1.0, 0.8, 0.7, 0.65, 0.66, 0.67, 0.7, 0.75, 0.8], {"patience": 1}),
    (
        "an improvement resets the count",
        [1.0, 0.9, 0.95, 0.97, 0.85, 0.9, 0.91, 0.92, 0.93],
        {"patience": 3},
    ),
    ("steady progress", [2.0, 1.5, 1.2, 1.0, 0.9, 0.85, 0.82, 0.8], {"patience": 2}),
    ("a plateau of equal losses", [1.0, 0.5, 0.5, 0.5, 0.5, 0.5], {"patience": 3}),
    (
        "worse than the best but better than the last",
        [1.0, 0.5, 0.9, 0.8, 0.7, 0.6, 0.55, 0.52],
        {"patience": 3},
    ),
    (
        "min_delta: small gains do not count",
        [1.0, 0.75, 0.5, 0.3, 0.2, 0.15, 0.12, 0.1],
        {"patience": 2, "min_delta": 0.25},
    ),
    (
        "a gain of exactly min_delta",
        [1.0, 0.5, 0.25, 0.125, 0.0625],
        {"patience": 2, "min_delta": 0.25},
    ),
    (
        "min_delta and a slow rise",
        [0.9, 0.8, 0.79, 0.785, 0.8, 0.81, 0.82],
        {"patience": 3, "min_delta": 0.02},
    ),
    ("stops at the last loss", [3.0, 2.0, 2.5, 2.6], {"patience": 2}),
    ("patience longer than the run", [1.0, 1.1, 1.2], {"patience": 5}),
    ("the first loss is the best", [1.0, 1.2, 1.3, 1.4], {"patience": 3}),
    ("one loss", [0.7], {"patience": 1}),
    ("tiny gains still count", [1.0, 0.99999, 0.99998, 0.99997, 0.99996], {"patience": 1}),
    ("no losses yet", [], {"patience": 2}),
    ("a noisy curve, patience 5", _noisy_curve(0), {"patience": 5}),
    ("a noisy curve, min_delta 0.01", _noisy_curve(1), {"patience": 10, "min_delta": 0.01}),
    ("a noisy curve, patience 3", _noisy_curve(2), {"patience": 3}),
)


def _stop_rule(improves, *, first_is_bad=False, best_follows_any_drop=False):
    """The early-stopping loop with its parts swappable: one function for many mutants.

    ``improves(loss, best, previous)`` decides an improvement; yields the count of losses
    without improvement after each loss.
    """

    def counts(val_losses):
        best, previous, bad = math.inf, math.inf, 0
        if first_is_bad and val_losses:
            best = previous = val_losses[0]
        for loss in val_losses:
            if improves(loss, best, previous):
                best, bad = loss, 0
            else:
                bad += 1
                if best_follows_any_drop and loss < best:
                    best = loss
            previous = loss
            yield bad

    return counts


def _improves(loss, best, previous, min_delta):
    return loss < best - min_delta


def _stop_mutant(threshold=0, **options):
    """should_stop with a changed rule; ``threshold`` shifts the patience (1: one too late)."""

    def stop(val_losses, patience, min_delta):
        improves = options.get("improves", _improves)
        rest = {k: v for k, v in options.items() if k != "improves"}
        bad_counts = _stop_rule(lambda *args: improves(*args, min_delta), **rest)(val_losses)
        for index, bad in enumerate(bad_counts):
            if bad >= patience + threshold:
                return index
        return None

    return stop


def _never_resets(val_losses, patience, min_delta):
    best, bad = math.inf, 0
    for index, loss in enumerate(val_losses):
        if loss < best - min_delta:
            best = loss
        else:
            bad += 1
            if bad >= patience:
                return index
    return None


def _best_index(val_losses, patience, min_delta):
    stop = should_stop(val_losses, patience, min_delta)
    return None if stop is None else stop - patience


def _shifted(shift):
    def stop(val_losses, patience, min_delta):
        index = should_stop(val_losses, patience, min_delta)
        return None if index is None else index + shift

    return stop


_STOP_MUTANTS = (
    Mutant(
        _stop_mutant(threshold=1),
        "patience is off by one: stop when the count of losses without improvement reaches "
        "patience (count ≥ patience), not when it exceeds it.",
    ),
    Mutant(
        _stop_mutant(threshold=-1),
        "patience is off by one: you stop one loss too early. Stop when the count of losses "
        "without improvement reaches patience.",
    ),
    Mutant(
        _stop_mutant(improves=lambda loss, best, previous, min_delta: loss <= best - min_delta),
        "an improvement must beat the best by more than min_delta: loss < best − min_delta, "
        "strictly; a gain of exactly min_delta does not count (you wrote ≤).",
    ),
    Mutant(
        _stop_mutant(improves=lambda loss, best, previous, min_delta: loss < best + min_delta),
        "min_delta is applied the wrong way: an improvement must beat the best by more than "
        "min_delta, loss < best − min_delta (you wrote + min_delta).",
    ),
    Mutant(
        _stop_mutant(
            improves=lambda loss, best, previous, min_delta: loss < best * (1 - min_delta)
        ),
        "min_delta is an absolute amount: loss < best − min_delta, not best·(1 − min_delta).",
    ),
    Mutant(
        _stop_mutant(improves=lambda loss, best, previous, min_delta: loss < previous),
        "you compare each loss with the one before it; compare it with the best loss so far. "
        "A loss that is better than the last one but worse than the best is no improvement.",
    ),
    Mutant(
        _never_resets,
        "the count of losses without improvement must restart at 0 whenever a loss improves; "
        "yours keeps counting from before.",
    ),
    Mutant(
        _stop_mutant(best_follows_any_drop=True),
        "you update the best loss whenever a loss is lower, even when it did not beat the best "
        "by more than min_delta; update it only on an improvement (as EarlyStopping does).",
    ),
    Mutant(
        _stop_mutant(first_is_bad=True),
        "the first loss counts as a loss without improvement; it always improves on the start "
        "best = +∞ (or: start the loop at the second loss when best = val_losses[0]).",
    ),
    Mutant(
        _shifted(1),
        "you return the number of losses seen (index + 1); return the index of the loss at "
        "which to stop, counting from 0.",
    ),
    Mutant(
        _shifted(-1),
        "you return the index before the loss at which the count reaches patience; return "
        "that loss's own index.",
    ),
    Mutant(
        _best_index,
        "you return the index of the best loss; return the index at which patience runs out "
        "(patience losses after the best).",
    ),
)


def _explain_stop(failing, comparisons):
    """Where the best loss was and why that is the answer, in one sentence."""
    losses = failing.arguments["val_losses"]
    stopper = schedules.EarlyStopping(failing.arguments["patience"], failing.arguments["min_delta"])
    for index, loss in enumerate(losses):
        if stopper.step(loss):
            return (
                f"(The best loss, {stopper.best:g}, is at index {stopper.best_step}; the "
                f"{stopper.patience} losses after it do not beat it by more than "
                f"min_delta, so the count reaches patience at index {index}.)"
            )
    if not losses:
        return "(With no losses there is nothing to stop on.)"
    return (
        f"(The count of losses without improvement never reaches patience; it ends at "
        f"{stopper.bad_steps}.)"
    )
