"""Lesson 11's figures: the range test and early stopping."""

import numpy as np
import pytest

from course_utils.lessons.choosing_the_learning_rate import demos, figures


def test_range_test_figure_marks_four_rates():
    result = demos.digits_range_test()
    ax = figures.range_test(result).axes[0]
    assert ax.get_xscale() == "log" and len(ax.lines) == 2 + 4
    assert (
        ax.lines[3]
        .get_label()
        .startswith(f"suggested: minimum / 10, η = {result.suggested_lr:.2g}")
    )
    with pytest.raises(TypeError, match="lr_range_test"):
        figures.range_test(result.lrs)


def test_early_stopping_figure_marks_best_and_stop():
    full = demos.overfitting_run(epochs=400)
    stopped = demos.overfitting_run(epochs=400, patience=50)
    ax = figures.early_stopping(full, stopped.epochs).axes[0]
    labels = [line.get_label() for line in ax.lines]
    assert labels[:2] == ["training loss", "validation loss"]
    assert labels[2] == f"best epoch, {int(np.argmin(full.val_losses))}"
    assert labels[3] == f"early stopping ends the run, epoch {stopped.epochs}"
