r"""One result for every loop that descends or trains: a ``Run``.

``training.descend``, ``training.train``, ``training.lr_range_test``, ``regression.sgd`` and
``network.fit`` all return a ``Run``, with the same field names everywhere; a field that a loop
has nothing for is None (``descend`` has no validation set, ``train`` no points in a plane).

A run ends in one of three ways, its ``status``:

- ``"finished"``: every step (or epoch) it was asked for ran;
- ``"diverged"``: the loss became inf or nan, or grew past ``RUNAWAY_FACTOR`` times its
  starting size (or 1, if that is larger); ``diverged_at`` says after how many steps;
- ``"stopped"``: a stopping rule ended it early (patience, the range test's explosion);
  ``stopped_at`` says after how many steps or epochs.

``reason`` says why in words, with what to try, for people to read; code reads ``status``,
``diverged_at`` and ``stopped_at``. A loop told to raise on divergence (the default) raises a
``DivergenceError``, which carries the run up to that point as ``error.run``.
"""

from dataclasses import dataclass

import numpy as np

__all__ = [
    "RUNAWAY_FACTOR",
    "STATUSES",
    "ON_DIVERGENCE",
    "Run",
    "DivergenceError",
    "runaway_limit",
    "within_limit",
    "divergence_reason",
    "runaway_ending",
    "stopped_ending",
    "raise_or_return",
]

# A loss this many times its starting size (or 1, if that is larger) counts as diverged:
# a working run never climbs that far, and stopping early keeps plots readable.
RUNAWAY_FACTOR = 1e6

STATUSES = ("finished", "diverged", "stopped")

# What a loop does when its run diverges: raise a DivergenceError, or return the run so far.
ON_DIVERGENCE = ("raise", "stop")


def runaway_limit(initial_loss):
    """The largest |loss| a run that started at ``initial_loss`` may reach; elementwise.

    ``RUNAWAY_FACTOR`` × max(1, |initial loss|).
    """
    return RUNAWAY_FACTOR * np.maximum(1.0, np.abs(initial_loss))


def within_limit(loss, limit):
    """Whether a run whose loss is ``loss`` has not diverged: |loss| ≤ limit; elementwise.

    The one divergence rule of the course. inf and nan are never within the limit.
    """
    return abs(loss) <= limit


def divergence_reason(loss, limit, lr):
    """What went wrong with a loss outside the limit, and what to try: one line to read."""
    if np.isnan(loss):
        what = "loss became nan"
    elif np.isinf(loss):
        what = "loss became inf"
    else:
        what = f"loss blew up to {loss:.3g} (limit {limit:.3g})"
    return f"{what} — try a smaller learning rate (lr={lr:g} now)"


def runaway_ending(loss, limit, lr, steps):
    """None while ``loss`` is within the limit; else the ``Run`` fields of a run that
    diverged after ``steps`` optimizer steps, at learning rate ``lr``."""
    if within_limit(loss, limit):
        return None
    return {
        "status": "diverged",
        "diverged_at": steps,
        "reason": divergence_reason(loss, limit, lr),
    }


def stopped_ending(count, reason):
    """The ``Run`` fields of a run that a stopping rule ended after ``count`` steps or
    epochs, for ``reason``."""
    return {"status": "stopped", "stopped_at": count, "reason": reason}


@dataclass(repr=False, eq=False, kw_only=True)
class Run:
    r"""What a loop recorded while it descended or trained, and how it ended.

    The loop counts in ``unit``: "step" (``descend``, ``sgd``, ``lr_range_test``) or "epoch"
    (``train``, ``fit``). ``losses[k]`` is the loss after k of them: ``losses[0]`` is the loss
    before the first step. In the range test it is the mini-batch loss measured before step
    k + 1; elsewhere the loss on the whole training set (or the whole landscape).

    How it ended: ``status`` ("finished", "diverged" or "stopped"); ``diverged_at``, the number
    of optimizer steps taken when the loss ran away (in every loop: a loss is seen to run away
    at a step); ``stopped_at``, the steps or epochs (``unit``) after which a stopping rule
    ended the run, so ``losses[stopped_at]`` is its last record; ``reason``, one line for
    people to read, with advice. Each is None where it does not apply.

    What was recorded, None where the loop records no such thing:

    - ``label``: the run's name in plots;
    - ``lrs``: the learning rate of each step (unit "step": ``lrs[k]`` is that of step k + 1)
      or of the first step of each epoch (unit "epoch");
    - ``points``: the weights after each step, on a two-weight landscape (``points[0]`` is the
      start);
    - ``val_losses``, ``accuracies``, ``val_accuracies``: per epoch like ``losses``, on the
      validation set and as the fraction classified right;
    - ``step_losses``, ``step_lrs``: in mini-batch training, the loss of each step's batch
      (measured before its update) and its learning rate;
    - ``seconds``: the training time until each record (0 for the first);
    - ``smoothed_losses``: the range test's moving average of ``losses``.
    """

    losses: np.ndarray
    unit: str = "step"
    status: str = "finished"
    diverged_at: int | None = None
    stopped_at: int | None = None
    reason: str | None = None
    label: str | None = None
    lrs: np.ndarray | None = None
    points: np.ndarray | None = None
    val_losses: np.ndarray | None = None
    accuracies: np.ndarray | None = None
    val_accuracies: np.ndarray | None = None
    step_losses: np.ndarray | None = None
    step_lrs: np.ndarray | None = None
    seconds: np.ndarray | None = None
    smoothed_losses: np.ndarray | None = None

    @property
    def steps(self):
        """How many optimizer steps the run recorded: one per entry of ``step_lrs`` (mini-batch
        training), else of ``lrs``, else one between each two losses."""
        recorded = self.step_lrs if self.step_lrs is not None else self.lrs
        return len(self.losses) - 1 if recorded is None else len(recorded)

    @property
    def epochs(self):
        """How many epochs the run completed; None for a run that counts steps."""
        return len(self.losses) - 1 if self.unit == "epoch" else None

    @property
    def final_loss(self):
        """The last recorded loss."""
        return float(self.losses[-1])

    @property
    def best_accuracy(self):
        """The highest validation accuracy of any epoch; None without a validation set."""
        return None if self.val_accuracies is None else float(np.max(self.val_accuracies))

    def seconds_to(self, accuracy):
        """Training time until the validation accuracy first reached ``accuracy`` (None if
        it never did)."""
        for seconds, reached in zip(self.seconds, self.val_accuracies, strict=True):
            if reached >= accuracy:
                return float(seconds)
        return None

    @property
    def suggested_lr(self):
        """A range test's suggestion: a tenth of the rate where the smoothed loss was lowest,
        a safe start; None for a run that is not a range test."""
        if self.smoothed_losses is None:
            return None
        return self.lrs[int(np.argmin(self.smoothed_losses))] / 10

    @property
    def ending(self):
        """How the run ended, in a few words: "diverged at step 12", "stopped at epoch 30",
        "ran all 100 steps"."""
        if self.status == "diverged":
            within = f" (epoch {len(self.losses)})" if self.unit == "epoch" else ""
            return f"diverged at step {self.diverged_at}{within}"
        if self.status == "stopped":
            return f"stopped at {self.unit} {self.stopped_at}"
        count = self.epochs if self.unit == "epoch" else self.steps
        return f"ran all {count} {self.unit}{'' if count == 1 else 's'}"

    def __repr__(self):
        name = f" {self.label!r}" if self.label else ""
        parts = [self.ending]
        if np.isfinite(self.losses[-1]):
            parts.append(f"final loss {self.final_loss:.4g}")
        if self.val_losses is not None:
            parts.append(f"validation loss {self.val_losses[-1]:.4g}")
        if self.val_accuracies is not None:
            parts.append(f"validation accuracy {self.val_accuracies[-1]:.4f}")
        return f"<Run{name}: {', '.join(parts)}>"


class DivergenceError(RuntimeError):
    """A run diverged. ``str(error)`` says when, why and what to try; ``error.run`` holds the
    ``Run`` up to that point."""

    def __init__(self, run):
        super().__init__(f"{run.ending}: {run.reason}")
        self.run = run

    def _render_traceback_(self):
        # IPython shows this instead of a traceback: the learner needs the advice, not our stack.
        return [str(self)]


def raise_or_return(run, on_divergence):
    """``run``, or a ``DivergenceError`` carrying it if it diverged and ``on_divergence`` is
    "raise"."""
    if run.status == "diverged" and on_divergence == "raise":
        raise DivergenceError(run)
    return run
