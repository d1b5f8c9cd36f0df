r"""Lesson 11's key figures: the LR range test and early stopping.

- ``11_range_test``: Smith's LR range test for softmax regression on the digits, with the
  points people pick a learning rate from;
- ``11_early_stopping``: a polynomial that overfits: training loss falling, validation loss
  turning up, and where early stopping ends the run.

The notebook draws them from its own runs by passing them in; called without arguments (as
``regenerate`` does) each function makes the same run itself.
"""

import numpy as np

from ... import plotting, training
from ...figures import figure, new_figure
from .demos import digits_range_test, overfitting_run, steepest_lr

__all__ = ["range_test", "early_stopping"]


@figure("11_range_test")
def range_test(result=None, ax=None):
    """Loss against η (log axis) in an LR range test, with the rates one might pick marked:
    the steepest descent, a tenth of the minimum (the suggestion), the minimum, where the
    test stopped."""
    from matplotlib.ticker import NullLocator

    if result is None:
        result = digits_range_test()
    if not (isinstance(result, training.Run) and result.smoothed_losses is not None):
        raise TypeError(f"result must be what training.lr_range_test returns, got {result!r}")
    if ax is None:
        ax = new_figure(11.0, 5.5).subplots()
    fig = ax.figure
    lowest = result.lrs[int(np.argmin(result.smoothed_losses))]
    marks = {
        f"steepest descent, η = {steepest_lr(result):.2g}": (steepest_lr(result), 2, ":"),
        f"suggested: minimum / 10, η = {result.suggested_lr:.2g}": (result.suggested_lr, 0, "--"),
        f"minimum of the smoothed loss, η = {lowest:.2g}": (lowest, 1, "--"),
        f"stopped (blew up), η = {result.lrs[-1]:.2g}": (result.lrs[-1], 3, "-."),
    }
    ax.plot(result.lrs, result.losses, color=plotting.COLORS[5], linewidth=1, alpha=0.7)
    ax.plot(result.lrs, result.smoothed_losses, color=plotting.COLORS[6], label="smoothed loss")
    for label, (lr, color, style) in marks.items():
        ax.axvline(lr, color=plotting.COLORS[color], linestyle=style, label=label)
    ax.set_xscale("log")
    ax.xaxis.set_minor_locator(NullLocator())  # six decades need no minor ticks (a third faster)
    ax.set_ylim(0, 2.0 * result.smoothed_losses[0])
    ax.set_xlabel("learning rate η (log scale)")
    ax.set_ylabel("mini-batch loss")
    ax.set_title(f"LR range test: η grows ×{result.lrs[1] / result.lrs[0]:.3g} per step")
    ax.legend(loc="upper left", fontsize=11)
    return fig


@figure("11_early_stopping")
def early_stopping(history=None, stopped_at=None, ax=None):
    """Training and validation loss of a long run, with the best epoch and the epoch
    ``stopped_at`` where early stopping ended it (default: patience 50)."""
    if history is None:
        history, stopped_at = overfitting_run(), overfitting_run(patience=50).epochs
    if ax is None:
        ax = new_figure(11.0, 5.5).subplots()
    fig = ax.figure
    plotting.loss_curves(
        {"training loss": history.losses, "validation loss": history.val_losses},
        ax=ax,
        xlabel="epoch",
        title="A polynomial that overfits",
    )
    best = int(np.argmin(history.val_losses))
    ax.axvline(best, color=plotting.COLORS[2], linestyle=":", label=f"best epoch, {best}")
    if stopped_at is not None:
        ax.axvline(
            stopped_at,
            color=plotting.COLORS[3],
            linestyle="--",
            label=f"early stopping ends the run, epoch {stopped_at}",
        )
    ax.legend(loc="upper right")
    return fig
