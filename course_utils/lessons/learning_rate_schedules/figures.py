r"""Lesson 10's key figures: the schedules side by side, the LR range test, early stopping.

- ``10_schedules``: every schedule of ``course_utils.schedules`` over 100 steps, in four
  families: decays, warm restarts, cyclic, one-cycle and warm-up;
- ``10_range_test``: Smith's LR range test for softmax regression on the digits, with the
  points people pick a learning rate from;
- ``10_early_stopping``: a polynomial that overfits: training loss falling, validation loss
  turning up, and where early stopping ends the run.

The notebook draws the last two from its own runs by passing them in; called without
arguments (as ``regenerate`` does) each function makes the same run itself.
"""

import numpy as np

from ... import data, models, optim, plotting, schedules, training
from ...figures import figure, new_figure
from ...validation import positive_int
from .demos import overfitting_problem, steepest_lr

__all__ = ["gallery", "range_test", "early_stopping", "digits_range_test", "overfitting_run"]


@figure("10_schedules")
def gallery(steps=100):
    """The schedules over ``steps`` steps at a peak rate of 0.1, one family per panel."""
    steps = positive_int("steps", steps)
    families = {
        "Decay": {
            "step_decay(step_size=25, γ=0.5)": schedules.step_decay(0.1, steps // 4, 0.5),
            "exponential(γ=0.97)": schedules.exponential(0.1, 0.97),
            f"cosine(T_max={steps})": schedules.cosine(0.1, steps),
        },
        "Warm restarts (SGDR)": {
            "T_0=25, T_mult=1": schedules.cosine_warm_restarts(0.1, steps // 4),
            "T_0=10, T_mult=2": schedules.cosine_warm_restarts(0.1, steps // 10, 2),
        },
        "Cyclic (base_lr=0.01, step_size_up=10)": {
            "triangular": schedules.cyclic(0.01, 0.1, steps // 10),
            "triangular2": schedules.cyclic(0.01, 0.1, steps // 10, "triangular2"),
            "exp_range(γ=0.98)": schedules.cyclic(0.01, 0.1, steps // 10, "exp_range", 0.98),
        },
        "One-cycle and warm-up": {
            f"one_cycle(total_steps={steps})": schedules.one_cycle(0.1, steps),
            "10 warm-up steps, then cosine": schedules.linear_warmup(
                0.1, 10, after=schedules.cosine(0.1, steps - 10)
            ),
        },
    }
    fig = new_figure(15.0, 9.0)
    axes = fig.subplots(2, 2)
    for ax, (title, family) in zip(axes.ravel(), families.items(), strict=True):
        plotting.schedule_curves(family, steps, ax=ax, title=title)
        ax.set_ylim(0, 0.11)
        ax.legend(loc="upper right", fontsize=11)
    fig.suptitle(f"Learning-rate schedules: lr(t) for t = 0, …, {steps - 1}", fontsize=19)
    return fig


def digits_range_test(seed=0):
    """The notebook's range test: softmax regression on the digits, SGD with weight decay
    0.01, η from 1e-4 to 100 over 150 steps. Returns (result, X_train, y_train)."""
    X_train, _, y_train, _ = data.load_digits()
    result = training.lr_range_test(
        models.SoftmaxRegression(64, 10),
        X_train,
        y_train,
        "sgd",
        min_lr=1e-4,
        max_lr=100.0,
        steps=150,
        seed=seed,
        weight_decay=0.01,
    )
    return result, X_train, y_train


@figure("10_range_test")
def range_test(result=None, ax=None):
    """Loss against η (log axis) in an LR range test, with the rates one might pick marked:
    the steepest descent, a tenth of the minimum (the suggestion), the minimum, where the
    test stopped, and a tenth of that."""
    if result is None:
        result = digits_range_test()[0]
    if not (isinstance(result, training.Run) and result.smoothed_losses is not None):
        raise TypeError(f"result must be what training.lr_range_test returns, got {result!r}")
    if ax is None:
        ax = new_figure(11.0, 5.5).subplots()
    fig = ax.figure
    lowest = result.lrs[int(np.argmin(result.smoothed_losses))]
    marks = {
        f"steepest descent, η = {steepest_lr(result):.2g}": (steepest_lr(result), 2),
        f"suggested: minimum / 10, η = {result.suggested_lr:.2g}": (result.suggested_lr, 0),
        f"minimum of the smoothed loss, η = {lowest:.2g}": (lowest, 1),
        f"stopped (blew up), η = {result.lrs[-1]:.2g}": (result.lrs[-1], 3),
    }
    ax.plot(result.lrs, result.losses, color=plotting.COLORS[5], linewidth=1, alpha=0.7)
    ax.plot(result.lrs, result.smoothed_losses, color=plotting.COLORS[6], label="smoothed loss")
    for label, (lr, color) in marks.items():
        ax.axvline(lr, color=plotting.COLORS[color], linestyle="--", label=label)
    ax.set_xscale("log")
    ax.set_ylim(0, 2.0 * result.smoothed_losses[0])
    ax.set_xlabel("learning rate η (log scale)")
    ax.set_ylabel("mini-batch loss")
    ax.set_title(f"LR range test: η grows ×{result.lrs[1] / result.lrs[0]:.3g} per step")
    ax.legend(loc="upper left", fontsize=11)
    return fig


def overfitting_run(epochs=600, lr=0.03, patience=None):
    """The notebook's overfitting run: ``overfitting_problem()`` fit by full-batch Adam.

    Returns the ``Run`` (with ``patience``, it stops early on the validation loss).
    """
    X_train, y_train, X_val, y_val = overfitting_problem()
    model = models.LinearRegression(X_train.shape[1])
    return training.train(
        model,
        X_train,
        y_train,
        optim.Adam(model.params, lr=lr),
        epochs=epochs,
        batch_size=len(X_train),
        X_val=X_val,
        y_val=y_val,
        patience=patience,
    )


@figure("10_early_stopping")
def early_stopping(history=None, stopped=None, ax=None):
    """Training and validation loss of a long run, with the best epoch and where early
    stopping (the run ``stopped``, trained with a patience) ended."""
    if history is None:
        history, stopped = overfitting_run(), overfitting_run(patience=50)
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
    if stopped is not None:
        ax.axvline(
            stopped.epochs,
            color=plotting.COLORS[3],
            linestyle="--",
            label=f"early stopping ends the run, epoch {stopped.epochs}",
        )
    ax.legend(loc="upper right")
    return fig
