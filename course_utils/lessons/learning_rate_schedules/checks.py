r"""Checks for lesson 10's exercises: two schedules to write, a prediction, a derived rate, and
the two recall questions.

- ``check_cosine_lr(fn)``: ``cosine_lr(t, lr, T_max, eta_min=0)``, the rate after t steps of
  cosine annealing, $\eta_{\min} + \tfrac12(\eta - \eta_{\min})(1 + \cos(\pi t / T_{\max}))$,
  held at $\eta_{\min}$ for $t \ge T_{\max}$ (``course_utils.schedules.cosine``);
- ``check_triangular2_lr(fn)``: ``triangular2_lr(t, base_lr, max_lr, step_size)``, Smith's
  triangle wave whose height halves every cycle (``schedules.cyclic(..., "triangular2")``);
- ``check_cosine_past_t_max(answer)``: the prediction of what torch's CosineAnnealingLR does
  after T_max; the check runs torch's scheduler and grades on what it does;
- ``check_one_cycle_rate(value)``: the rate of ``one_cycle(0.1, total_steps=100)`` at t = 50;
- ``check_recall_annealing`` and ``check_recall_cycle_momentum``: the recall questions.

A schedule is checked as curves: one case for every t of several settings (short ones step by
step, long ones at the points that matter: the peaks, the ends of the cycles, past T_max), and
the first wrong value is reported with the values around it, so an off-by-one shows as the
same numbers shifted. The known mistakes (``course_utils.checks`` names the one that best
matches the learner's results): t off by one, a full or a quarter cosine wave instead of
half, cos instead of (1 + cos)/2, the rate rising again after T_max (torch's
CosineAnnealingLR does) or reaching η_min a step early, an amplitude that is not halved or is
halved per half-cycle, a cycle of step_size instead of 2·step_size steps, the whole rate
halved instead of its amplitude.
"""

import math

import numpy as np

from ... import schedules
from ...checks import Mutant, Number, check_function, make_case, numeric, question

__all__ = [
    "check_cosine_lr",
    "check_triangular2_lr",
    "check_cosine_past_t_max",
    "check_one_cycle_rate",
    "check_recall_annealing",
    "check_recall_cycle_momentum",
    "cosine_lr",
    "triangular2_lr",
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
        "the amplitude max_lr − base_lr is halved every cycle: multiply it by 1/2^(cycle − 1) "
        "with cycle = 1 in the first cycle (i.e. 1/2^c for c = t // (2·step_size)).",
    ),
    Mutant(
        _tri_mutant(scale=lambda S: lambda cycle, t: 1 / 2**cycle),
        "the amplitude is halved one cycle too early: the first cycle must reach max_lr, so "
        "scale by 1/2^(cycle − 1) with cycle = 1 in the first cycle (i.e. 1/2^c for "
        "c = t // (2·step_size)).",
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
        "the amplitude must halve every cycle (1, ½, ¼, ...: 1/2^c for c = t // (2·step_size)); "
        "yours shrinks like 1/cycle (1, ½, ⅓, ...).",
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
# The prediction, the derived rate and the recall questions
# ---------------------------------------------------------------------------------------------


def _torch_cosine_at_twice_t_max():
    """Run torch's CosineAnnealingLR(T_max=100, eta_min=0.001) from η = 0.1 for 200 steps."""
    from torch.optim import lr_scheduler

    from .demos import torch_lrs

    rates = torch_lrs(lambda opt: lr_scheduler.CosineAnnealingLR(opt, 100, 0.001), 201, 0.1)
    option = {0.001: "a", 0.0: "b", 0.1: "c"}.get(round(float(rates[200]), 6), "d")
    return option, f"torch's rate at t = 200 was {rates[200]:.4g} (at t = 100: {rates[100]:.4g})."


check_cosine_past_t_max = question(
    "cosine_past_t_max",
    correct=_torch_cosine_at_twice_t_max,
    why=(
        "CosineAnnealingLR computes each rate from the one before, and that recursion follows "
        "the cosine back up after T_max: an unasked-for restart, back at η at t = 2·T_max."
    ),
    wrong={
        "a": "That is what our schedules.cosine does (it holds eta_min); torch's recursion "
        "keeps following the cosine, up again.",
        "b": "Nothing in the formula goes below eta_min; torch's rate rises after T_max.",
        "d": "torch raises no error and gives no warning: the rate just climbs back.",
    },
)


def _one_cycle(t, max_lr=0.1, total=100, peak=29, final=0.1 / 25 / 1e4, start=0.1 / 25):
    """one-cycle's rate at t, with the peak step and the final rate as parameters (mistakes)."""
    if t <= peak:
        return max_lr + (start - max_lr) * (1 + math.cos(math.pi * t / peak)) / 2
    return final + (max_lr - final) * (1 + math.cos(math.pi * (t - peak) / (total - 1 - peak))) / 2


check_one_cycle_rate = numeric(
    "one_cycle_rate",
    value=lambda: schedules.one_cycle(0.1, total_steps=100)(50),
    why="The peak is at T_p = 0.3·100 − 1 = 29; step 50 is 21 of the 70 annealing steps in, "
    "so η = η_min + ½(0.1 − η_min)(1 + cos(0.3π)) ≈ 0.0794.",
    mistakes=(
        (lambda: _one_cycle(50, peak=30), "the peak is at T_p = p·T − 1 = 29, not at p·T = 30."),
        (
            lambda: _one_cycle(50, total=101, peak=30),
            "the peak is at T_p = 29 and the annealing phase has T − 1 − T_p = 70 steps.",
        ),
        (
            lambda: 0.1 - (0.1 - 0.1 / 25 / 1e4) * 21 / 70,
            "the annealing is a half cosine (torch's anneal_strategy='cos'), not a straight line.",
        ),
        (
            lambda: _one_cycle(50, final=0.1 / 25),
            "the rate anneals to η_min = η_0 / final_div_factor = 0.004 / 10⁴, far below the "
            "starting rate 0.004.",
        ),
        (
            lambda: schedules.cosine(0.1, 100)(50),
            "that is plain cosine annealing over the whole run; one-cycle warms up first and "
            "anneals over the 70 steps after its peak.",
        ),
    ),
    rtol=1e-3,
    hint="Find the peak step T_p first, then how far step 50 is into the annealing phase.",
)

check_recall_annealing = question(
    "recall_annealing",
    correct="b",
    why=(
        "SGD's noisy steps keep it bouncing around the minimum at a distance set by η, its "
        "noise floor; lowering η lowers that floor, so an annealed run settles closer."
    ),
    wrong={
        "a": "The gradient does not grow; with a smaller η each step is smaller, which is "
        "exactly what lets SGD settle.",
        "c": "A schedule changes the step size, not the loss: the landscape is the same.",
        "d": "Decaying schedules never raise η; restarts do, on purpose, to explore.",
    },
)

check_recall_cycle_momentum = question(
    "recall_cycle_momentum",
    correct="c",
    why=(
        "By default CyclicLR (and OneCycleLR) also cycle the optimizer's momentum, opposite to "
        "the rate: on plain SGD that switches momentum on (0.9 down to 0.8). Pass "
        "cycle_momentum=False to keep the optimizer you asked for."
    ),
    wrong={
        "a": "The default cycle_momentum=True also cycles momentum: plain SGD gets momentum "
        "0.9, then down to 0.8 as the rate rises.",
        "b": "torch raises no error: it silently switches momentum on.",
        "d": "The momentum is not fixed: it cycles between 0.9 and 0.8, opposite to the rate.",
    },
)
