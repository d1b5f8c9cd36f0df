"""Lesson 10's demos: torch comparisons, the warm-up data, the explorer."""

import numpy as np
import pytest
import torch
from torch.optim import lr_scheduler

from course_utils import schedules
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
# The optimizer that only holds the rate, every torch twin, the plateau, the warm-up data
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "make",
    [
        lambda opt: lr_scheduler.StepLR(opt, 3, 0.5),
        lambda opt: lr_scheduler.CosineAnnealingWarmRestarts(opt, 4, T_mult=2),
        lambda opt: lr_scheduler.OneCycleLR(opt, 0.1, total_steps=30, cycle_momentum=False),
        lambda opt: lr_scheduler.CyclicLR(opt, 0.01, 0.1, 4, mode="exp_range", gamma=0.9),
    ],
)
def test_torch_lrs_on_the_rate_holder_equal_a_real_sgd(make):
    weight = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.SGD([weight], lr=0.1, momentum=0.9)
    scheduler = make(optimizer)
    real = []
    for _ in range(30):
        real.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    np.testing.assert_array_equal(demos.torch_lrs(make, 30, lr=0.1), real)


def test_torch_optimizer_holds_the_hyperparameters_a_scheduler_changes():
    opt = demos.torch_optimizer(0.1, momentum=0)
    assert isinstance(opt, torch.optim.Optimizer) and opt.param_groups[0]["momentum"] == 0
    lr_scheduler.CyclicLR(opt, 0.01, 0.1, step_size_up=10)  # cycle_momentum=True by default
    assert opt.param_groups[0]["momentum"] == 0.9 and opt.step() is None
    with pytest.raises(ValueError, match="lr"):
        demos.torch_optimizer(-1.0)


def test_torch_twins_cover_every_schedule_of_the_lesson_and_match():
    twins = demos.torch_twins(steps=60, lr=0.3)
    assert len(twins) == 10 and "one_cycle(total_steps=60)" in twins
    assert max(demos.torch_differences(twins, 60, lr=0.3).values()) < 1e-10
    with pytest.raises(ValueError, match="steps"):
        demos.torch_twins(steps=5)


@pytest.mark.parametrize("patience, factor", [(0, 0.5), (1, 0.5), (2, 0.1)])
def test_torch_plateau_rates_equal_ours(patience, factor):
    metrics = [5.0, 4.0, 4.0, 4.0, 3.0, 3.0002, 2.9999, 3.0, 3.0, 1.0, 1.0, 1.0, 1.0, 0.5]
    ours = schedules.ReduceLROnPlateau(1.0, factor=factor, patience=patience)
    rates = [1.0] + [ours.step(metric) for metric in metrics]
    theirs = demos.torch_plateau_rates(metrics, 1.0, factor=factor, patience=patience)
    np.testing.assert_array_equal(rates, theirs)
    assert theirs[-1] < 1.0


def test_warmup_problem_is_seeded_and_has_ten_classes():
    X, y = demos.warmup_problem()
    again, _ = demos.warmup_problem()
    np.testing.assert_array_equal(X, again)
    assert X.shape == (640, 8) and sorted(set(y.tolist())) == list(range(10))


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
