r"""Checks for lesson 10's exercises: a cosine schedule, a triangular2 schedule, early stopping.

- ``check_cosine_lr(fn)``: ``cosine_lr(t, lr, T_max, eta_min=0)``, the rate after t steps of
  cosine annealing, $\eta_{\min} + \tfrac12(\eta - \eta_{\min})(1 + \cos(\pi t / T_{\max}))$,
  held at $\eta_{\min}$ for $t \ge T_{\max}$ (``course_utils.schedules.cosine``);
- ``check_triangular2_lr(fn)``: ``triangular2_lr(t, base_lr, max_lr, step_size)``, Smith's
  triangle wave whose height halves every cycle (``schedules.cyclic(..., "triangular2")``);
- ``check_should_stop(fn)``: ``should_stop(val_losses, patience, min_delta=0)``, the index of
  the loss at which early stopping ends training, or None (``schedules.EarlyStopping``).

A schedule is checked as a curve: the learner's function is called for every t of several
settings (short ones step by step, long ones at the points that matter: the peaks, the ends of
the cycles, past T_max), and the first wrong value is reported with the values around it, so
an off-by-one shows as the same numbers shifted. The likely cause is the known mistake
(a mutant) that agrees with the learner on the failing call and on the most calls overall
(at least half): t off by one, a full or a quarter cosine wave instead of half, cos instead
of (1 + cos)/2, the rate rising again after T_max (torch's CosineAnnealingLR does) or
reaching η_min a step early, an amplitude that is not halved or is halved per half-cycle, a
cycle of step_size instead of 2·step_size steps, the whole rate halved instead of its
amplitude; and for early stopping: patience off by one, ≤ instead of < (a tie is not an
improvement), min_delta ignored, applied the wrong way or defaulting to other than 0 (gains
of 1e-5 count), the previous loss instead of the
best one, a count that never resets, the first loss counted as bad, and the index of the
best loss returned, or the count of losses, instead of the index at which to stop.
"""

import inspect
import math
import numbers

import numpy as np

from .. import schedules
from ..validation import as_float_array, nonnegative, positive_int
from .feedback import Case, CheckFailed, Mutant, describe_error, show_both, wrong_default

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
    _check_schedule(fn, "cosine_lr", cosine_lr, _COSINE_SETTINGS, _COSINE_MUTANTS)


def check_triangular2_lr(fn):
    r"""Check ``fn(t, base_lr, max_lr, step_size) -> float``: the triangle halved every cycle."""
    __tracebackhide__ = True
    _check_schedule(fn, "triangular2_lr", triangular2_lr, _TRIANGULAR2_SETTINGS, _TRI_MUTANTS)


def check_should_stop(fn):
    r"""Check ``fn(val_losses, patience, min_delta=0) -> int or None``: early stopping."""
    __tracebackhide__ = True
    name = "should_stop"
    _callable(fn, name)
    signature = inspect.signature(should_stop)
    answers, failure = [], None
    for number, (label, losses, kwargs) in enumerate(_STOP_CASES, 1):
        call = f"{label}: should_stop({_show_list(losses)}, {_show_kwargs(kwargs)})"
        where = f"on case {number} of {len(_STOP_CASES)}, {call}"
        given = list(losses)
        try:
            got = fn(given, **kwargs)
        except Exception as error:
            what, hint = describe_error(error, name, signature)
            raise CheckFailed(f"{name} {what} {where}." + (f" {hint}" if hint else "")) from None
        if given != losses:
            raise CheckFailed(
                f"{name} changed the list `val_losses` it was given {where}. Read the losses "
                "without changing the list (no .pop(), .sort() or assignments into it)."
            )
        problem = _not_an_index(got)
        if problem:
            raise CheckFailed(f"{name} {problem} {where}.") from None
        expected = should_stop(losses, **kwargs)
        answers.append(((losses, kwargs), got))
        if got != expected and failure is None:
            failure = (where, (losses, kwargs), got, expected)
    if failure is None:
        print(f"✔ {name} matches the reference on {len(_STOP_CASES)} cases.")
        return
    where, case, got, expected = failure
    message = f"{name} returned {got!r} {where}; it should return {expected!r}."
    explain = _explain_stop(case, expected)
    losses, kwargs = case
    cause = wrong_default(fn, Case("", (losses,), kwargs), should_stop) or _likely_cause(
        _STOP_MUTANTS, case, got, answers, _stop_answer, _same_answer
    )
    raise CheckFailed(
        message + f" {explain}" + (f" Likely cause: {cause}" if cause else "")
    ) from None


# ---------------------------------------------------------------------------------------------
# Checking a schedule as a curve
# ---------------------------------------------------------------------------------------------


def _callable(fn, name):
    if not callable(fn):
        raise TypeError(f"fn must be your function itself, e.g. check_{name}({name}); got {fn!r}")


def _check_schedule(fn, name, reference, settings, mutants):
    """Compare ``fn(t, **setting)`` with the reference over each setting's steps t."""
    __tracebackhide__ = True
    _callable(fn, name)
    signature = inspect.signature(reference)
    mutants = (*mutants, *_ignoring_defaults(reference))
    calls = []  # ((t, kwargs, the setting's largest rate), learner's value) for every call
    failure = None  # (kwargs, steps, learner's curve, reference's curve, largest rate)
    for kwargs, steps, positional in settings:
        curve, wanted = [], [reference(t, **kwargs) for t in steps]
        for t in steps:
            args, by_name = _arguments(signature, t, kwargs, positional)
            try:
                value = fn(*args, **by_name)
            except Exception as error:
                what, hint = describe_error(error, name, signature)
                where = _call(name, t, kwargs)
                raise CheckFailed(
                    f"{name} {what} when called as {where}." + (f" {hint}" if hint else "")
                ) from None
            problem = _not_a_number(value)
            if problem:
                raise CheckFailed(f"{name} {problem} for {_call(name, t, kwargs)}.") from None
            curve.append(float(value))
        scale = max(abs(v) for v in wanted)
        calls.extend(((t, kwargs, scale), value) for t, value in zip(steps, curve, strict=True))
        if failure is None and not _curves_agree(curve, wanted, scale):
            failure = (kwargs, steps, curve, wanted, scale)
    if failure is None:
        print(f"✔ {name} matches the reference on {len(calls)} calls ({len(settings)} settings).")
        return
    kwargs, steps, curve, wanted, scale = failure
    index = next(k for k in range(len(steps)) if not _close(curve[k], wanted[k], scale))
    t = steps[index]
    should, but = show_both(np.asarray(wanted[index]), np.asarray(curve[index]))
    message = (
        f"{name} is wrong at {_call(name, t, kwargs)}: it should be {should} but is {but}."
        + _excerpt(steps, index, curve, wanted)
    )

    def mutant_rate(mutant, call):
        bound = signature.bind(call[0], **call[1])
        bound.apply_defaults()
        return float(mutant.fn(**bound.arguments))

    cause = wrong_default(fn, Case("", (t,), dict(kwargs)), reference) or _likely_cause(
        mutants, (t, kwargs, scale), curve[index], calls, mutant_rate, _same_rate
    )
    raise CheckFailed(message + (f" Likely cause: {cause}" if cause else "")) from None


def _arguments(signature, t, kwargs, positional):
    """(args, kwargs) for one call: everything by position, or t by position, the rest by name."""
    if not positional:
        return (t,), dict(kwargs)
    names = list(signature.parameters)[1:]
    return (t, *(kwargs[name] for name in names if name in kwargs)), {}


def _call(name, t, kwargs):
    return f"{name}({t}, {_show_kwargs(kwargs)})"


def _show_kwargs(kwargs):
    return ", ".join(f"{key}={value!r}" for key, value in kwargs.items())


def _not_a_number(value):
    """What is wrong with a schedule's return value, or None if it is one real number."""
    if value is None:
        return "returned None (did you forget `return`?)"
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value[()]
    if isinstance(value, (bool, np.bool_)):
        return f"returned {value!r}, a bool; return the learning rate, a number"
    if type(value).__module__.split(".")[0] == "torch":
        return "returned a torch tensor; return a Python float, e.g. float(...)"
    if isinstance(value, (numbers.Real, np.integer, np.floating)):
        if not math.isfinite(float(value)):
            return f"returned {float(value)}; a learning rate must be a finite number"
        return None
    if isinstance(value, np.ndarray):
        return f"returned an array of shape {value.shape}; return one number, e.g. float(...)"
    return f"returned {type(value).__name__} {value!r:.60}; return one number (a float)"


def _close(got, expected, scale):
    # rtol for rounding in a formula written differently; atol where the rate is exactly 0
    return abs(got - expected) <= 1e-9 * abs(expected) + 1e-12 * scale


def _curves_agree(curve, wanted, scale):
    return all(_close(g, w, scale) for g, w in zip(curve, wanted, strict=True))


def _excerpt(steps, index, curve, wanted):
    """' For t = 0, 1, 2, 3 it should give 0.1, 0.0976, ... but gives 0.0976, ...', or
    nothing where the values differ only beyond the 4 digits shown."""
    start = max(0, index - 1)
    shown = range(start, min(len(steps), start + 4))
    ts = ", ".join(str(steps[k]) for k in shown)
    should = ", ".join(f"{wanted[k]:.4g}" for k in shown)
    gives = ", ".join(f"{curve[k]:.4g}" for k in shown)
    return "" if should == gives else f" For t = {ts} it should give {should} but gives {gives}."


def _ignoring_defaults(reference):
    """One mutant per argument with a default: the reference with it stuck at that default."""
    return tuple(
        Mutant(
            lambda name=p.name, default=p.default, **arguments: reference(
                **{**arguments, name: default}
            ),
            f"your function ignores `{p.name}`: it computes as if {p.name}={p.default!r}, "
            "whatever value it is given.",
        )
        for p in inspect.signature(reference).parameters.values()
        if p.default is not p.empty
    )


def _same_rate(a, b, call):
    return _close(a, b, call[2])


def _likely_cause(mutants, failing_call, got, answers, answer_of, same):
    """The diagnosis of the mutant that agrees with the learner on the failing call and on
    the most calls overall (the first listed wins a tie), if that is at least half of them.

    A mutant that only happens to hit the failing value, and little else the learner returns,
    would send the learner after the wrong bug: then no cause is named.
    """
    best, best_score = None, 0.5 * len(answers) - 1e-9
    for mutant in mutants:
        if not _agrees(mutant, failing_call, got, answer_of, same):
            continue
        score = sum(_agrees(mutant, call, answer, answer_of, same) for call, answer in answers)
        if score > best_score:
            best, best_score = mutant.diagnosis, score
    return best


def _agrees(mutant, call, answer, answer_of, same):
    try:
        with np.errstate(all="ignore"):
            return same(answer_of(mutant, call), answer, call)
    except Exception:  # a mutant that cannot run on this call does not explain it
        return False


# ---------------------------------------------------------------------------------------------
# Cosine annealing: settings and known mistakes
# ---------------------------------------------------------------------------------------------

# (keyword arguments after t, the steps t to try, whether to pass them all by position);
# settings without eta_min rely on its default.
_COSINE_SETTINGS = (
    ({"lr": 0.1, "T_max": 10}, list(range(15)), True),
    ({"lr": 1.0, "T_max": 7, "eta_min": 0.1}, list(range(10)), False),
    ({"lr": 0.05, "T_max": 1, "eta_min": 0.01}, [0, 1, 2, 3], False),
    (
        {"lr": 0.3, "T_max": 100, "eta_min": 0.003},
        [0, 1, 2, 25, 50, 75, 99, 100, 101, 150, 200, 1000],
        True,
    ),
    ({"lr": 0.2, "T_max": 4, "eta_min": 0.2}, [0, 1, 2, 3, 4, 5], False),
    ({"lr": 2e-3, "T_max": 30}, [np.int64(t) for t in (0, 5, 10, 15, 29, 30, 45, 60)], False),
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

_TRIANGULAR2_SETTINGS = (
    ({"base_lr": 0.001, "max_lr": 0.01, "step_size": 4}, list(range(41)), True),
    ({"base_lr": 0.0, "max_lr": 1.0, "step_size": 1}, list(range(9)), False),
    ({"base_lr": 0.1, "max_lr": 0.6, "step_size": 5}, list(range(31)), False),
    ({"base_lr": 0.02, "max_lr": 0.02, "step_size": 2}, list(range(6)), True),
    (
        {"base_lr": 0.01, "max_lr": 0.1, "step_size": 50},
        [0, 1, 49, 50, 51, 99, 100, 101, 150, 199, 200, 250, 1000],
        False,
    ),
    ({"base_lr": 1e-4, "max_lr": 3e-3, "step_size": 3}, [np.int64(t) for t in range(25)], True),
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
    Mutant(
        lambda val_losses, patience, min_delta: should_stop(val_losses, patience, 0),
        "your function ignores `min_delta`: it computes as if min_delta=0, whatever value it "
        "is given.",
    ),
)


def _not_an_index(answer):
    """What is wrong with should_stop's answer, or None if it is an int or None."""
    if answer is None:
        return None
    if isinstance(answer, (bool, np.bool_)):
        return (
            f"returned {answer!r}; return the index of the loss at which to stop "
            "(an int), or None when training should go on"
        )
    if isinstance(answer, (numbers.Integral, np.integer)):
        return None
    return f"returned {type(answer).__name__} {answer!r:.60}; return an index (an int) or None"


def _show_list(values):
    if len(values) <= 10:
        return "[" + ", ".join(f"{v:g}" for v in values) + "]"
    return f"[{', '.join(f'{v:g}' for v in values[:4])}, ... ({len(values)} losses)]"


def _explain_stop(case, expected):
    """Where the best loss was and why that is the answer, in one sentence."""
    losses, kwargs = case
    stopper = schedules.EarlyStopping(kwargs["patience"], kwargs.get("min_delta", 0))
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


def _stop_answer(mutant, case):
    losses, kwargs = case
    return mutant.fn(list(losses), kwargs["patience"], kwargs.get("min_delta", 0))


def _same_answer(a, b, call):
    return a == b and (a is None) == (b is None)
