"""Lesson 10's demos: torch comparisons, the experiments' helpers, the explorer."""

import numpy as np
import pytest
from torch.optim import lr_scheduler

from course_utils import schedules, training
from course_utils.lessons.learning_rate_schedules import demos

# ---------------------------------------------------------------------------------------------
# Holding schedules against torch
# ---------------------------------------------------------------------------------------------


def test_torch_lrs_records_the_rate_each_step_uses():
    lrs = demos.torch_lrs(lambda opt: lr_scheduler.StepLR(opt, 3, 0.5), 7, lr=0.8)
    np.testing.assert_allclose(lrs, [0.8, 0.8, 0.8, 0.4, 0.4, 0.4, 0.2], rtol=1e-15)
    assert lrs.dtype == np.float64


def test_torch_lrs_refuses_bad_input():
    with pytest.raises(TypeError, match="make_scheduler"):
        demos.torch_lrs("StepLR", 5, 0.1)
    with pytest.raises(ValueError, match="steps"):
        demos.torch_lrs(lambda opt: lr_scheduler.StepLR(opt, 3), 0, 0.1)
    with pytest.raises(ValueError, match="lr"):
        demos.torch_lrs(lambda opt: lr_scheduler.StepLR(opt, 3), 5, -0.1)


def test_max_relative_difference():
    assert demos.max_relative_difference([1.0, 2.0, 0.0], [1.0, 2.0, 0.0]) == 0.0
    assert demos.max_relative_difference([1.1, 2.0], [1.0, 2.0]) == pytest.approx(0.1)
    assert demos.max_relative_difference([1e-20], [0.0]) == np.inf  # 0 must stay exactly 0
    with pytest.raises(ValueError, match="equal length"):
        demos.max_relative_difference([1.0, 2.0], [1.0])


def test_torch_differences_of_every_schedule_are_tiny():
    pairs = {
        "cosine": (schedules.cosine(0.1, 50), lambda opt: lr_scheduler.CosineAnnealingLR(opt, 50)),
        "sgdr": (
            schedules.cosine_warm_restarts(0.1, 7, 2),
            lambda opt: lr_scheduler.CosineAnnealingWarmRestarts(opt, 7, 2),
        ),
        "one-cycle": (
            schedules.one_cycle(0.1, 50),
            lambda opt: lr_scheduler.OneCycleLR(opt, 0.1, 50, cycle_momentum=False),
        ),
    }
    differences = demos.torch_differences(pairs, 50, lr=0.1)
    assert list(differences) == ["cosine", "sgdr", "one-cycle"]
    assert max(differences.values()) < 1e-10


def test_torch_differences_see_a_real_difference():
    pairs = {
        "off": (schedules.exponential(0.1, 0.9), lambda opt: lr_scheduler.StepLR(opt, 1, 0.91))
    }
    assert demos.torch_differences(pairs, 10, lr=0.1)["off"] > 0.05
    with pytest.raises(TypeError, match="pair"):
        demos.torch_differences({"bad": schedules.constant(0.1)}, 10, lr=0.1)


# ---------------------------------------------------------------------------------------------
# The experiments' helpers
# ---------------------------------------------------------------------------------------------


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
# The explorer
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", demos.EXPLORER_SCHEDULES)
@pytest.mark.parametrize("warmup", [0, 20])
def test_every_explorer_schedule_is_defined_over_the_whole_run(name, warmup):
    schedule = demos.explorer_schedule(name, 160, 0.1, warmup=warmup, period=40)
    rates = np.array([schedule(t) for t in range(160)])
    assert np.all(rates >= 0) and 0.05 < rates.max() <= 0.1 * (1 + 1e-12)
    if warmup:
        assert rates[0] == pytest.approx(0.1 / 21)


def test_explorer_schedule_uses_its_controls():
    assert repr(demos.explorer_schedule("step decay", 100, 0.2, period=10, gamma=0.3)) == (
        "step_decay(lr=0.2, step_size=10, gamma=0.3)"
    )
    cyclic = demos.explorer_schedule("cyclic: exp_range", 100, 0.2, period=5, base_ratio=0.5)
    assert cyclic.params["mode"] == "exp_range" and cyclic.params["base_lr"] == 0.1
    assert demos.explorer_schedule("cosine", 90, 0.1).params["T_max"] == 30  # a third
    with pytest.raises(ValueError, match="name"):
        demos.explorer_schedule("linear", 100, 0.1)
    with pytest.raises(ValueError, match="warmup"):
        demos.explorer_schedule("cosine", 100, 0.1, warmup=100)


def test_explorer_redraws_every_schedule_and_shows_only_its_sliders():
    demo = demos.schedule_explorer()
    curve = demo.figure.axes[0].lines[0]
    for name, used in demos.EXPLORER_SCHEDULES.items():
        demo.set(name=name)
        assert demo.error is None, (name, demo.error)
        shown = {key for key in used if demo.controls[key].layout.display != "none"}
        hidden = {key for key in ("period", "gamma", "T_mult") if key not in used}
        assert shown == set(used)
        assert all(demo.controls[key].layout.display == "none" for key in hidden)
        schedule = demos.explorer_schedule(name, 160, demo.values["lr"], **_sliders(demo))
        np.testing.assert_allclose(
            curve.get_ydata(), [schedule(t) / demo.values["lr"] for t in range(160)]
        )
        assert demo.result.epochs == 20 and demo.result.status == "finished"
    assert bytes(demo.image.value[:4]) == b"\x89PNG"


def _sliders(demo):
    values = demo.values
    return {key: value for key, value in values.items() if key not in ("name", "lr")}


def test_explorer_anneals_below_the_noise_floor_and_says_so_in_its_title():
    demo = demos.schedule_explorer("constant", lr=0.1)
    constant = demo.result.losses[-1]
    demo.set(name="cosine", warmup=10, period=50)
    assert demo.result.losses[-1] < constant - 1e-3
    title = demo.figure._suptitle.get_text()
    assert title.startswith("cosine: peak η = 0.1, T_max = 50, 10 warm-up steps — ends ")
    assert title.endswith(" above")


def test_explorer_refuses_bad_arguments():
    with pytest.raises(ValueError, match="name"):
        demos.schedule_explorer("linear")
    with pytest.raises(ValueError, match="lr"):
        demos.schedule_explorer(lr=2.0)
