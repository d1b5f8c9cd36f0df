r"""Checks for lesson 11's exercises: a challenge run, early stopping, two retrieval questions.

- ``check_challenge_lr(lr)``: the challenge. Softmax regression on the digits, SGD at the
  constant rate ``lr`` (weight decay 0.01, batches of 32) for ``CHALLENGE_EPOCHS`` epochs
  must end with a validation loss at most ``CHALLENGE_TARGET``; the check runs it;
- ``check_small_peak(answer)``: the prediction of which ends lower on validation, a constant
  rate of 0.25 or cosine annealing from 0.25; the check runs both;
- ``check_should_stop(fn)``: ``should_stop(val_losses, patience, min_delta=0)``, the index of
  the loss at which early stopping ends training, or None (``schedules.EarlyStopping``);
- ``check_recall_range_test`` and ``check_recall_validation``: the recall questions.

The known mistakes of early stopping (``course_utils.checks`` names the one that best
matches the learner's results): patience off by one, ≤ instead of < (a tie is not an
improvement), min_delta ignored, applied the wrong way or defaulting to other than 0 (gains
of 1e-5 count), the previous loss instead of the best one, a count that never resets, the
first loss counted as bad, and the index of the best loss returned, or the count of losses,
instead of the index at which to stop.
"""

import math
import numbers

import numpy as np

from ... import schedules
from ...checks import Case, CheckFailed, Index, Mutant, check_function, passed, question
from ...validation import as_float_array, nonnegative, positive_int
from .demos import BATCH_SIZE, digits, sgd_run

__all__ = [
    "CHALLENGE_EPOCHS",
    "CHALLENGE_TARGET",
    "check_challenge_lr",
    "check_small_peak",
    "check_should_stop",
    "check_recall_range_test",
    "check_recall_validation",
    "should_stop",
]


# ---------------------------------------------------------------------------------------------
# The reference solution
# ---------------------------------------------------------------------------------------------


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

# The challenge: a validation loss this low after this many epochs at a constant rate. Rates
# from about 0.45 to 1.4 reach it; the range test's suggestion (0.47) just does.
CHALLENGE_EPOCHS, CHALLENGE_TARGET = 3, 0.21
_CHALLENGE_CENTRE = 0.8  # the middle of that window, on a log scale: which way to move


def check_challenge_lr(lr):
    r"""Run the challenge at the constant rate ``lr``: pass when the validation loss after
    ``CHALLENGE_EPOCHS`` epochs is at most ``CHALLENGE_TARGET``, else say which way to move."""
    __tracebackhide__ = True
    if isinstance(lr, (bool, np.bool_)) or not isinstance(
        lr, (numbers.Real, np.integer, np.floating)
    ):
        raise CheckFailed(f"Set challenge_lr to one number, a learning rate; it is {lr!r}.")
    lr = float(lr)
    if not (math.isfinite(lr) and lr > 0):
        raise CheckFailed(f"challenge_lr must be a positive, finite rate; it is {lr}.")
    run, _ = sgd_run(lr, CHALLENGE_EPOCHS)
    if run.status == "diverged":
        raise CheckFailed(
            f"At η = {lr:.3g} the run diverged ({run.ending}). Choose a smaller rate: read "
            "the range test for where the loss still falls."
        )
    val_loss = float(run.val_losses[-1])
    said = f"At η = {lr:.3g} the validation loss after {CHALLENGE_EPOCHS} epochs is {val_loss:.4f}"
    if val_loss <= CHALLENGE_TARGET:
        passed(f"{said}, at most {CHALLENGE_TARGET}: challenge met.")
        return
    if lr < _CHALLENGE_CENTRE / 10:
        advice = "Far too slow: choose a rate ten times larger or more."
    elif lr < _CHALLENGE_CENTRE:
        advice = "Choose a larger rate, nearer where the range test's loss falls fastest."
    else:
        advice = (
            "Too noisy for a constant rate: choose a smaller one, near where the range test's "
            "loss falls fastest or a tenth of where it is lowest."
        )
    raise CheckFailed(f"{said}, above {CHALLENGE_TARGET}. {advice}")


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


def _small_peak_race():
    """Ten epochs at η = 0.25, constant and cosine-annealed: which ends lower on validation."""
    steps = 10 * math.ceil(len(digits().X_train) / BATCH_SIZE)
    ends = {}
    for label, schedule in (
        ("constant", schedules.constant(0.25)),
        ("cosine", schedules.cosine(0.25, steps)),
    ):
        run, _ = sgd_run(0.25, 10, schedule=schedule)
        ends[label] = float(run.val_losses[-1])
    gap = ends["cosine"] - ends["constant"]
    option = "c" if abs(gap) < 5e-4 else ("a" if gap < 0 else "b")
    return option, (
        f"After ten epochs the validation loss was {ends['constant']:.4f} at the constant rate "
        f"and {ends['cosine']:.4f} with cosine annealing."
    )


check_small_peak = question(
    "small_peak",
    correct=_small_peak_race,
    why=(
        "At a small rate what limits SGD is how far ten epochs of small steps get, not the "
        "noise floor; annealing shrinks the steps further, so it slows the run down."
    ),
    wrong={
        "a": "Annealing pays when the noise floor is what stops you, at a high rate; at 0.25 "
        "the steps are already small, and shrinking them further costs progress.",
        "c": "Cosine's rate falls from 0.25 to 0 over the run, so every step after the first "
        "is smaller than the constant run's, and it ends clearly higher.",
        "d": "Neither diverges: 0.25 is about half the range test's suggestion.",
    },
)


check_recall_range_test = question(
    "recall_range_test",
    correct="b",
    why=(
        "As a constant rate, take about a tenth of the minimum or the steepest descent: at the "
        "minimum the loss is about to blow up, and the smoothed curve lags behind the raw one. "
        "The minimum itself serves as the peak of a schedule that anneals, such as one-cycle."
    ),
    wrong={
        "a": "At the minimum the loss is already about to blow up (the smoothed curve lags the "
        "raw one). As a constant rate it trains badly; as the peak of one-cycle it is fine.",
        "c": "Where the test stopped the loss blows up: far too large for any use.",
        "d": "The start of the range is where the loss does not move yet: far too small.",
    },
)

check_recall_validation = question(
    "recall_validation",
    correct="c",
    why=(
        "Every choice (η, schedule, when to cut or stop) is made on the validation loss, so its "
        "best value is optimistic: chosen because it was low. The test set, used once, gives "
        "the honest figure."
    ),
    wrong={
        "a": "The training loss keeps falling while the model overfits: it cannot tell when to "
        "stop or which rate generalises.",
        "b": "Then the test set has been used for choosing, and the figure you report is "
        "optimistic: nothing is left to check the choice on.",
        "d": "Choosing on the validation loss makes its best value optimistic: it was picked "
        "because it was low. Report the test loss, looked at once.",
    },
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
