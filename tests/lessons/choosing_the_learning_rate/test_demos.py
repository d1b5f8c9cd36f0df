"""Lesson 11's demos: the digits runs, the range test and its steepest descent, the
overfitting run; all plain NumPy, no torch."""

import subprocess
import sys

import numpy as np
import pytest

from course_utils import data, schedules, training
from course_utils.lessons.choosing_the_learning_rate import demos

# ---------------------------------------------------------------------------------------------
# The digits runs
# ---------------------------------------------------------------------------------------------


def test_digits_are_loaded_once_with_their_three_sets():
    split = demos.digits()
    assert demos.digits() is split and isinstance(split, data.Digits)
    assert (len(split.X_train), len(split.X_val), len(split.X_test)) == (1077, 360, 360)


def test_sgd_run_watches_the_validation_set_and_returns_the_model():
    run, model = demos.sgd_run(0.5, 2)
    assert run.status == "finished" and run.epochs == 2 and len(run.val_losses) == 3
    X_val, y_val = demos.digits().val
    assert model.loss_and_grads(X_val, y_val)[0] == pytest.approx(run.val_losses[-1])


def test_sgd_run_follows_a_schedule_and_stops_when_it_diverges():
    small = demos.digits().head(64, 32)
    cosine = schedules.cosine(1.0, 4)
    run, _ = demos.sgd_run(1.0, 2, small, schedule=cosine)  # 2 steps per epoch
    np.testing.assert_allclose(run.step_lrs, [cosine(t) for t in range(4)], rtol=1e-15)
    diverged, _ = demos.sgd_run(1e4, 3, small)
    assert diverged.status == "diverged"
    with pytest.raises(ValueError, match="lr"):
        demos.sgd_run(-1.0, 1, small)


def test_the_lessons_range_test_reads_as_the_notebook_says():
    result = demos.digits_range_test()
    lowest = result.lrs[int(np.argmin(result.smoothed_losses))]
    assert demos.steepest_lr(result) < result.suggested_lr < lowest < result.lrs[-1]
    assert 1.5 < 1.0 / result.suggested_lr < 3 and result.status == "stopped"


def test_the_lesson_does_not_import_torch():
    # torch costs over a second to import: the lesson, its checks and figures do without it
    code = (
        "import sys; import course_utils.lessons.choosing_the_learning_rate as lesson; "
        "from course_utils.lessons.choosing_the_learning_rate import figures; "
        "print('torch' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# ---------------------------------------------------------------------------------------------
# The experiments' helpers
# ---------------------------------------------------------------------------------------------


def test_overfitting_run_turns_up_and_early_stopping_finds_the_turn():
    full = demos.overfitting_run(epochs=600)
    best = int(np.argmin(full.val_losses))
    assert 50 < best < 500 and full.val_losses[-1] > 1.5 * full.val_losses[best]
    stopped = demos.overfitting_run(epochs=600, patience=50)
    assert stopped.epochs == stopped.stopped_at == best + 50 and stopped.status == "stopped"


def test_overfitting_problem_is_seeded_and_shaped():
    X_train, y_train, X_val, y_val = demos.overfitting_problem(n_train=10, n_val=30, degree=4)
    again = demos.overfitting_problem(n_train=10, n_val=30, degree=4)
    np.testing.assert_array_equal(X_train, again[0])
    assert X_train.shape == (10, 4) and X_val.shape == (30, 4) and y_val.shape == (30,)
    np.testing.assert_allclose(X_train[:, 1], X_train[:, 0] ** 2)  # the powers x, x², ...
    assert np.all(np.abs(X_train[:, 0]) <= 1)
    with pytest.raises(ValueError, match="degree"):
        demos.overfitting_problem(degree=0)


def test_steepest_lr_finds_the_fastest_fall():
    lrs = np.logspace(-4, 0, 41)
    smoothed = 2 - np.tanh(3 * (np.log10(lrs) + 2)) + 50 * np.maximum(np.log10(lrs) + 0.5, 0) ** 2
    result = training.Run(losses=smoothed, lrs=lrs, smoothed_losses=smoothed)
    assert demos.steepest_lr(result) == pytest.approx(1e-2)
    with pytest.raises(TypeError, match="lr_range_test"):
        demos.steepest_lr(lrs)


# ---------------------------------------------------------------------------------------------
# The patience explorer
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("patience", [1, 5, 50, 400])
def test_stop_with_patience_is_early_stopping_on_the_losses(patience):
    losses = demos.overfitting_run(epochs=450).val_losses
    stopped = demos.overfitting_run(epochs=450, patience=patience)
    want = stopped.epochs if stopped.status == "stopped" else None
    assert demos.stop_with_patience(list(losses), patience) == want


def test_patience_explorer_marks_where_the_learners_rule_stops():
    calls = []

    def rule(val_losses, patience):
        calls.append(patience)
        return demos.stop_with_patience(val_losses, patience)

    full = demos.overfitting_run(epochs=600)
    demo = demos.patience_explorer(full, rule, patience=5)
    stop_line = demo.figure.axes[0].lines[3]
    assert demo.result == 7 and list(stop_line.get_xdata()) == [7, 7]
    demo.controls["patience"].value = 50
    assert calls == [5, 50] and demo.result == 287 and list(stop_line.get_xdata()) == [287, 287]
    title = demo.figure._suptitle.get_text()
    assert title.startswith("patience 50: stops at epoch 287; the weights kept have validation")
    assert demo.controls["patience"].description == "patience" and "Picture: " in demo.alt.value


def test_patience_explorer_says_when_the_rule_never_stops():
    demo = demos.patience_explorer(demos.overfitting_run(epochs=100), patience=100)
    assert demo.result is None and "never stops" in demo.figure._suptitle.get_text()
    with pytest.raises(TypeError, match="stop_rule"):
        demos.patience_explorer(demos.overfitting_run(epochs=100), stop_rule=3)
    with pytest.raises(TypeError, match="run"):
        demos.patience_explorer([1.0, 2.0])
