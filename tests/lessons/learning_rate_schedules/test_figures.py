"""Lesson 10's figures: the experiments they run, the gallery, the range test, early stopping."""

import numpy as np
import pytest

from course_utils.lessons.learning_rate_schedules import demos, figures

# ---------------------------------------------------------------------------------------------
# The experiments
# ---------------------------------------------------------------------------------------------


def test_overfitting_run_turns_up_and_early_stopping_finds_the_turn():
    full = figures.overfitting_run(epochs=600)
    best = int(np.argmin(full.val_losses))
    assert 50 < best < 500 and full.val_losses[-1] > 1.5 * full.val_losses[best]
    stopped = figures.overfitting_run(epochs=600, patience=50)
    assert stopped.epochs == stopped.stopped_at == best + 50 and stopped.status == "stopped"


def test_steepest_lr_on_the_lessons_range_test_lies_below_the_suggestion():
    result = figures.digits_range_test()[0]
    assert demos.steepest_lr(result) < result.suggested_lr < result.lrs[-1]


# ---------------------------------------------------------------------------------------------
# The figures
# ---------------------------------------------------------------------------------------------


def test_gallery_shows_four_families():
    fig = figures.gallery()
    assert [ax.get_title() for ax in fig.axes][:2] == ["Decay", "Warm restarts (SGDR)"]
    assert sum(len(ax.lines) for ax in fig.axes) == 10


def test_range_test_figure_marks_four_rates():
    result = figures.digits_range_test()[0]
    fig = figures.range_test(result)
    ax = fig.axes[0]
    assert ax.get_xscale() == "log" and len(ax.lines) == 2 + 4
    with pytest.raises(TypeError, match="lr_range_test"):
        figures.range_test(result.lrs)


def test_early_stopping_figure_marks_best_and_stop():
    full = figures.overfitting_run(epochs=400)
    stopped = figures.overfitting_run(epochs=400, patience=50)
    ax = figures.early_stopping(full, stopped).axes[0]
    labels = [line.get_label() for line in ax.lines]
    assert labels[:2] == ["training loss", "validation loss"]
    assert labels[2] == f"best epoch, {int(np.argmin(full.val_losses))}"
    assert labels[3].endswith(f"epoch {stopped.epochs}")
