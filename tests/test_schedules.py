"""course_utils.schedules against torch.optim.lr_scheduler, in float64, to 1e-10 relative."""

import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch.optim import lr_scheduler

from course_utils import schedules
from course_utils.schedules import (
    EarlyStopping,
    ReduceLROnPlateau,
    constant,
    cosine,
    cosine_warm_restarts,
    cyclic,
    exponential,
    linear_warmup,
    one_cycle,
    step_decay,
)

RTOL = 1e-10


def torch_optimizer(lr=1.0):
    weight = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    return torch.optim.SGD([weight], lr=lr)


def torch_lrs(make_scheduler, steps, lr=1.0):
    """The optimizer's lr after 0, 1, ..., steps calls of scheduler.step()."""
    optimizer = torch_optimizer(lr)
    scheduler = make_scheduler(optimizer)
    lrs = [optimizer.param_groups[0]["lr"]]
    for _ in range(steps):
        optimizer.step()  # the documented order: optimizer first, then scheduler
        scheduler.step()
        lrs.append(optimizer.param_groups[0]["lr"])
    return np.array(lrs)


def our_lrs(schedule, steps):
    return np.array([schedule(t) for t in range(steps + 1)])


def assert_matches(schedule, make_scheduler, steps, lr=1.0):
    np.testing.assert_allclose(
        our_lrs(schedule, steps), torch_lrs(make_scheduler, steps, lr), rtol=RTOL, atol=0
    )


def test_constant_is_constant():
    lr = constant(0.3)
    assert [lr(t) for t in (0, 1, 10**9)] == [0.3, 0.3, 0.3]


@pytest.mark.parametrize(
    "lr, step_size, gamma", [(0.1, 1, 0.1), (0.5, 7, 0.5), (1.0, 30, 0.1), (0.01, 3, 0.97)]
)
def test_step_decay_matches_torch(lr, step_size, gamma):
    assert_matches(
        step_decay(lr, step_size, gamma),
        lambda opt: lr_scheduler.StepLR(opt, step_size=step_size, gamma=gamma),
        steps=300,
        lr=lr,
    )


@pytest.mark.parametrize("lr, gamma", [(0.1, 0.9), (1.0, 0.99), (1e-5, 1.05), (0.3, 1.0)])
def test_exponential_matches_torch(lr, gamma):
    assert_matches(
        exponential(lr, gamma), lambda opt: lr_scheduler.ExponentialLR(opt, gamma), 300, lr
    )


def test_a_growing_rate_becomes_inf_past_the_largest_float_as_in_torch():
    assert exponential(0.1, 1.5)(10_000) == math.inf
    assert step_decay(0.1, 2, 10.0)(10_000) == math.inf
    assert exponential(0.0, 1.5)(10_000) == 0.0


@pytest.mark.parametrize(
    "lr, T_max, eta_min", [(0.1, 1, 0.0), (0.1, 7, 0.0), (1.0, 100, 0.01), (0.05, 400, 1e-4)]
)
def test_cosine_matches_torch_up_to_T_max(lr, T_max, eta_min):
    assert_matches(
        cosine(lr, T_max, eta_min),
        lambda opt: lr_scheduler.CosineAnnealingLR(opt, T_max, eta_min),
        steps=T_max,
        lr=lr,
    )


def test_cosine_stays_at_eta_min_after_T_max_where_torch_rises():
    lr, T_max, eta_min = 0.1, 20, 0.001
    ours = our_lrs(cosine(lr, T_max, eta_min), 3 * T_max)
    theirs = torch_lrs(
        lambda opt: lr_scheduler.CosineAnnealingLR(opt, T_max, eta_min), 3 * T_max, lr
    )
    assert np.all(ours[T_max:] == eta_min)
    assert theirs[2 * T_max] == pytest.approx(lr)  # torch climbs back to the start


@pytest.mark.parametrize("T_0", [1, 5, 10])
@pytest.mark.parametrize("T_mult", [1, 2, 3])
@pytest.mark.parametrize("eta_min", [0.0, 0.02])
def test_cosine_warm_restarts_matches_torch(T_0, T_mult, eta_min):
    assert_matches(
        cosine_warm_restarts(0.1, T_0, T_mult, eta_min),
        lambda opt: lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0, T_mult, eta_min),
        steps=400,
        lr=0.1,
    )


def test_cosine_warm_restarts_restarts_where_sgdr_says():
    lr = cosine_warm_restarts(1.0, T_0=10, T_mult=2)
    restarts = [t for t in range(1, 200) if lr(t) > lr(t - 1)]
    assert restarts == [10, 30, 70, 150]
    assert all(lr(t) == 1.0 for t in [0, *restarts])


@pytest.mark.parametrize("mode", ["triangular", "triangular2", "exp_range"])
@pytest.mark.parametrize("step_size_up, step_size_down", [(1, None), (5, None), (4, 9), (10, 3)])
def test_cyclic_matches_torch(mode, step_size_up, step_size_down):
    base_lr, max_lr, gamma = 0.01, 0.1, 0.995
    assert_matches(
        cyclic(base_lr, max_lr, step_size_up, mode, gamma, step_size_down=step_size_down),
        lambda opt: lr_scheduler.CyclicLR(
            opt,
            base_lr,
            max_lr,
            step_size_up,
            step_size_down,
            mode,
            gamma,
            cycle_momentum=False,
        ),
        steps=300,
    )


def test_cyclic_triangular2_halves_each_cycle():
    lr = cyclic(0.0, 1.0, step_size_up=5, mode="triangular2")
    assert [lr(5), lr(15), lr(25)] == [1.0, 0.5, 0.25]
    assert lr(10) == lr(20) == 0.0


@pytest.mark.parametrize(
    "total_steps, kwargs",
    [
        (100, {}),
        (300, {}),
        (250, {"pct_start": 0.1, "div_factor": 10.0, "final_div_factor": 100.0}),
        (37, {"pct_start": 0.5}),
        (50, {"pct_start": 0.95, "div_factor": 3.0}),
        (10, {"pct_start": 0.05}),  # peak step −0.5: no warm-up phase
        (20, {"pct_start": 0.0}),
        (1, {}),
    ],
)
def test_one_cycle_matches_torch(total_steps, kwargs):
    max_lr = 0.4
    torch_kwargs = {"pct_start": 0.3, **kwargs}  # torch insists on a float pct_start
    assert_matches(
        one_cycle(max_lr, total_steps, **kwargs),
        lambda opt: lr_scheduler.OneCycleLR(
            opt, max_lr, total_steps, cycle_momentum=False, **torch_kwargs
        ),
        steps=total_steps,
    )


def test_one_cycle_shape():
    lr = one_cycle(1.0, total_steps=100, pct_start=0.3, div_factor=25.0, final_div_factor=1e4)
    lrs = our_lrs(lr, 99)
    assert lrs[0] == pytest.approx(1 / 25)
    assert np.argmax(lrs) == 29 and lrs[29] == pytest.approx(1.0)
    assert lrs[99] == pytest.approx(1 / 25 / 1e4)


def test_one_cycle_refuses_steps_past_total_steps_like_torch():
    lr = one_cycle(0.1, total_steps=10)
    lr(10)
    with pytest.raises(ValueError, match=r"t must be an integer in \[0, 10\]"):
        lr(11)
    with pytest.raises(ValueError):
        torch_lrs(lambda opt: lr_scheduler.OneCycleLR(opt, 0.1, 10, cycle_momentum=False), 11)


@pytest.mark.parametrize("total_steps, pct_start", [(10, 0.1), (4, 0.25), (8, 1.0), (1, 1.0)])
def test_one_cycle_refuses_zero_length_phases(total_steps, pct_start):
    with pytest.raises(ValueError, match="pct_start"):
        one_cycle(0.1, total_steps, pct_start=pct_start)


@pytest.mark.parametrize("warmup_steps, start_factor", [(1, 0.5), (5, 0.1), (40, 0.05), (10, 1.0)])
def test_linear_warmup_alone_matches_torch_linear_lr(warmup_steps, start_factor):
    assert_matches(
        linear_warmup(0.1, warmup_steps, start_factor=start_factor),
        lambda opt: lr_scheduler.LinearLR(opt, start_factor, total_iters=warmup_steps),
        steps=3 * warmup_steps + 10,
        lr=0.1,
    )


def test_linear_warmup_default_is_nanogpt_warmup():
    lr, W = 0.6, 9
    warm = linear_warmup(lr, W)
    expected = [lr * (t + 1) / (W + 1) for t in range(W + 1)] + [lr] * 5
    np.testing.assert_allclose(our_lrs(warm, W + 5), expected, rtol=1e-15)


AFTER_WARMUP = {
    "cosine": (
        lambda: cosine(0.1, 60, 0.001),
        lambda opt: lr_scheduler.CosineAnnealingLR(opt, 60, 0.001),
    ),
    "exponential": (
        lambda: exponential(0.1, 0.97),
        lambda opt: lr_scheduler.ExponentialLR(opt, 0.97),
    ),
    "step_decay": (
        lambda: step_decay(0.1, 7, 0.5),
        lambda opt: lr_scheduler.StepLR(opt, 7, 0.5),
    ),
    "warm_restarts": (
        lambda: cosine_warm_restarts(0.1, 5, 2),
        lambda opt: lr_scheduler.CosineAnnealingWarmRestarts(opt, 5, 2),
    ),
}


@pytest.mark.parametrize("after", AFTER_WARMUP)
@pytest.mark.parametrize("warmup_steps", [1, 10])
def test_linear_warmup_then_schedule_matches_torch_sequential_lr(after, warmup_steps):
    ours, theirs = AFTER_WARMUP[after]
    start_factor = 1 / (warmup_steps + 1)

    def make_scheduler(opt):
        warm = lr_scheduler.LinearLR(opt, start_factor, total_iters=warmup_steps)
        return lr_scheduler.SequentialLR(opt, [warm, theirs(opt)], milestones=[warmup_steps])

    assert_matches(linear_warmup(0.1, warmup_steps, after=ours()), make_scheduler, steps=60, lr=0.1)


def test_linear_warmup_hands_over_at_warmup_steps():
    lr = linear_warmup(0.1, 4, after=constant(0.05))
    assert [lr(3), lr(4)] == [pytest.approx(0.08), 0.05]


def test_linear_warmup_inherits_last_step_of_one_cycle():
    lr = linear_warmup(0.1, 5, after=one_cycle(0.1, 20))
    assert lr.last_step == 25
    lr(25)
    with pytest.raises(ValueError, match="t must be"):
        lr(26)


ALL_SCHEDULES = [
    constant(0.1),
    step_decay(0.1, 10),
    exponential(0.1, 0.9),
    cosine(0.1, 10),
    cosine_warm_restarts(0.1, 10),
    cyclic(0.01, 0.1, 5),
    one_cycle(0.1, 50),
    linear_warmup(0.1, 5, after=cosine(0.1, 10)),
]


@pytest.mark.parametrize("schedule", ALL_SCHEDULES, ids=repr)
def test_step_count_accepts_numpy_integers_and_returns_a_float(schedule):
    for t in (np.int64(3), np.int32(3), np.uint8(3), np.array(3)):
        value = schedule(t)
        assert type(value) is float and value == schedule(3)


@pytest.mark.parametrize("schedule", ALL_SCHEDULES, ids=repr)
@pytest.mark.parametrize(
    "t, error", [(-1, ValueError), (1.0, TypeError), (True, TypeError), ("3", TypeError)]
)
def test_step_count_is_validated(schedule, t, error):
    with pytest.raises(error, match=r"\bt\b"):
        schedule(t)


def test_schedules_describe_themselves_for_plot_labels():
    lr = cosine(0.1, T_max=100)
    assert lr.__name__ == "cosine"
    assert repr(lr) == "cosine(lr=0.1, T_max=100, eta_min=0.0)"
    assert repr(cyclic(0.01, 0.1, 4, step_size_down=6)) == (
        "cyclic(base_lr=0.01, max_lr=0.1, step_size_up=4, mode='triangular', step_size_down=6)"
    )
    assert repr(linear_warmup(0.1, 4, after=lr)).endswith(
        "after=cosine(lr=0.1, T_max=100, eta_min=0.0))"
    )


BAD_ARGUMENTS = [
    (constant, {"lr": -0.1}, ValueError, "lr"),
    (constant, {"lr": "0.1"}, TypeError, "lr"),
    (constant, {"lr": math.nan}, ValueError, "lr"),
    (step_decay, {"lr": 0.1, "step_size": 0}, ValueError, "step_size"),
    (step_decay, {"lr": 0.1, "step_size": 2.5}, TypeError, "step_size"),
    (step_decay, {"lr": 0.1, "step_size": 2, "gamma": 0.0}, ValueError, "gamma"),
    (exponential, {"lr": 0.1, "gamma": -0.9}, ValueError, "gamma"),
    (exponential, {"lr": -1.0, "gamma": 0.9}, ValueError, "lr"),
    (cosine, {"lr": 0.1, "T_max": 0}, ValueError, "T_max"),
    (cosine, {"lr": 0.1, "T_max": 10, "eta_min": -0.1}, ValueError, "eta_min"),
    (cosine, {"lr": 0.1, "T_max": 10, "eta_min": 0.2}, ValueError, "eta_min"),
    (cosine_warm_restarts, {"lr": 0.1, "T_0": 0}, ValueError, "T_0"),
    (cosine_warm_restarts, {"lr": 0.1, "T_0": 5, "T_mult": 0}, ValueError, "T_mult"),
    (cosine_warm_restarts, {"lr": 0.1, "T_0": 5, "T_mult": 1.5}, TypeError, "T_mult"),
    (cyclic, {"base_lr": 0.1, "max_lr": 0.01, "step_size_up": 5}, ValueError, "max_lr"),
    (cyclic, {"base_lr": -0.1, "max_lr": 0.1, "step_size_up": 5}, ValueError, "base_lr"),
    (cyclic, {"base_lr": 0.0, "max_lr": 0.1, "step_size_up": 0}, ValueError, "step_size_up"),
    (
        cyclic,
        {"base_lr": 0.0, "max_lr": 0.1, "step_size_up": 5, "step_size_down": 0},
        ValueError,
        "step_size_down",
    ),
    (cyclic, {"base_lr": 0.0, "max_lr": 0.1, "step_size_up": 5, "mode": "tri"}, ValueError, "mode"),
    (
        cyclic,
        {"base_lr": 0.0, "max_lr": 0.1, "step_size_up": 5, "mode": "exp_range", "gamma": 0.0},
        ValueError,
        "gamma",
    ),
    (cyclic, {"base_lr": 0.0, "max_lr": 0.1, "step_size_up": 5, "gamma": 1.5}, ValueError, "gamma"),
    (one_cycle, {"max_lr": -0.1, "total_steps": 10}, ValueError, "max_lr"),
    (one_cycle, {"max_lr": 0.1, "total_steps": 0}, ValueError, "total_steps"),
    (one_cycle, {"max_lr": 0.1, "total_steps": 10, "pct_start": 1.2}, ValueError, "pct_start"),
    (one_cycle, {"max_lr": 0.1, "total_steps": 10, "div_factor": 0}, ValueError, "div_factor"),
    (
        one_cycle,
        {"max_lr": 0.1, "total_steps": 10, "final_div_factor": -1},
        ValueError,
        "final_div_factor",
    ),
    (linear_warmup, {"lr": 0.1, "warmup_steps": 0}, ValueError, "warmup_steps"),
    (
        linear_warmup,
        {"lr": 0.1, "warmup_steps": 5, "start_factor": 0.0},
        ValueError,
        "start_factor",
    ),
    (
        linear_warmup,
        {"lr": 0.1, "warmup_steps": 5, "start_factor": 1.5},
        ValueError,
        "start_factor",
    ),
    (linear_warmup, {"lr": 0.1, "warmup_steps": 5, "after": 0.1}, TypeError, "after"),
    (ReduceLROnPlateau, {"lr": -0.1}, ValueError, "lr"),
    (ReduceLROnPlateau, {"lr": 0.1, "factor": 1.0}, ValueError, "factor"),
    (ReduceLROnPlateau, {"lr": 0.1, "factor": 0.0}, ValueError, "factor"),
    (ReduceLROnPlateau, {"lr": 0.1, "patience": -1}, ValueError, "patience"),
    (ReduceLROnPlateau, {"lr": 0.1, "threshold": -1e-4}, ValueError, "threshold"),
    (ReduceLROnPlateau, {"lr": 0.1, "cooldown": 1.5}, TypeError, "cooldown"),
    (ReduceLROnPlateau, {"lr": 0.1, "min_lr": -1.0}, ValueError, "min_lr"),
    (ReduceLROnPlateau, {"lr": 0.1, "mode": "minimum"}, ValueError, "mode"),
    (ReduceLROnPlateau, {"lr": 0.1, "threshold_mode": "relative"}, ValueError, "threshold_mode"),
    (EarlyStopping, {"patience": 0}, ValueError, "patience"),
    (EarlyStopping, {"patience": 3, "min_delta": -0.1}, ValueError, "min_delta"),
    (EarlyStopping, {"patience": 3, "mode": "low"}, ValueError, "mode"),
]


@pytest.mark.parametrize(
    "factory, kwargs, error, name",
    BAD_ARGUMENTS,
    ids=[f"{f.__name__}-{name}-{i}" for i, (f, _, _, name) in enumerate(BAD_ARGUMENTS)],
)
def test_bad_arguments_are_refused_by_name(factory, kwargs, error, name):
    with pytest.raises(error, match=rf"^{name}\b"):
        factory(**kwargs)


# Small integers make plateaus and ties, the cases where the bookkeeping goes wrong.
metric_sequences = st.lists(
    st.one_of(st.integers(0, 5).map(float), st.floats(-10, 10, allow_nan=False)),
    min_size=1,
    max_size=60,
)


@settings(max_examples=150, deadline=None, derandomize=True)
@given(
    metrics=metric_sequences,
    mode=st.sampled_from(["min", "max"]),
    threshold_mode=st.sampled_from(["rel", "abs"]),
    threshold=st.sampled_from([0.0, 1e-4, 0.1, 1.0]),
    factor=st.sampled_from([0.1, 0.5, 0.9]),
    patience=st.integers(0, 4),
    cooldown=st.integers(0, 3),
    min_lr=st.sampled_from([0.0, 0.05]),
)
def test_reduce_lr_on_plateau_matches_torch(
    metrics, mode, threshold_mode, threshold, factor, patience, cooldown, min_lr
):
    kwargs = dict(
        mode=mode,
        threshold_mode=threshold_mode,
        threshold=threshold,
        factor=factor,
        patience=patience,
        cooldown=cooldown,
        min_lr=min_lr,
    )
    ours = ReduceLROnPlateau(1.0, **kwargs)
    optimizer = torch_optimizer(1.0)
    theirs = lr_scheduler.ReduceLROnPlateau(optimizer, **kwargs)
    for metric in metrics:
        returned = ours.step(metric)
        theirs.step(metric)
        assert returned == ours.lr == optimizer.param_groups[0]["lr"]
        assert ours.best == theirs.best
        assert ours.bad_steps == theirs.num_bad_epochs
        assert ours.cooldown_left == theirs.cooldown_counter


def test_reduce_lr_on_plateau_by_hand():
    plateau = ReduceLROnPlateau(1.0, factor=0.5, patience=2, min_lr=0.2)
    lrs = [plateau.step(m) for m in [5, 4, 4, 4, 4, 3, 3, 3, 3, 3, 3, 3]]
    assert lrs == [1.0, 1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.2]


def test_reduce_lr_on_plateau_skips_cuts_smaller_than_eps_like_torch():
    ours = ReduceLROnPlateau(1e-7, factor=0.5, patience=0)
    optimizer = torch_optimizer(1e-7)
    theirs = lr_scheduler.ReduceLROnPlateau(optimizer, factor=0.5, patience=0)
    for _ in range(6):
        ours.step(1.0)
        theirs.step(1.0)
        assert ours.lr == optimizer.param_groups[0]["lr"]
    assert ours.lr == 1.25e-8  # the next cut, to 6.25e-9, would change lr by less than eps


def test_reduce_lr_on_plateau_takes_nan_and_tensors_like_torch():
    ours = ReduceLROnPlateau(1.0, patience=1)
    optimizer = torch_optimizer(1.0)
    theirs = lr_scheduler.ReduceLROnPlateau(optimizer, patience=1)
    for metric in [1.0, math.nan, math.nan, 0.5, math.inf, 0.2]:
        ours.step(torch.tensor(metric, dtype=torch.float64))
        theirs.step(metric)
        assert ours.lr == optimizer.param_groups[0]["lr"]
    assert ours.best == theirs.best == 0.2


@pytest.mark.parametrize(
    "metric, error", [([1.0, 2.0], ValueError), ("1.0", TypeError), (None, TypeError)]
)
def test_metric_must_be_one_number(metric, error):
    for rule in (ReduceLROnPlateau(0.1), EarlyStopping(3)):
        with pytest.raises(error, match="metric"):
            rule.step(metric)


@settings(max_examples=150, deadline=None, derandomize=True)
@given(
    metrics=metric_sequences,
    patience=st.integers(1, 5),
    min_delta=st.sampled_from([0.0, 0.01, 0.5, 2.0]),
    mode=st.sampled_from(["min", "max"]),
)
def test_early_stopping_stops_where_torch_plateau_first_cuts(metrics, patience, min_delta, mode):
    """EarlyStopping(p) ≡ the first cut of ReduceLROnPlateau(patience=p-1, abs threshold)."""
    stopper = EarlyStopping(patience, min_delta, mode)
    optimizer = torch_optimizer(1.0)
    plateau = lr_scheduler.ReduceLROnPlateau(
        optimizer,
        mode=mode,
        factor=0.5,
        patience=patience - 1,
        threshold=min_delta,
        threshold_mode="abs",
    )
    for metric in metrics:
        stop = stopper.step(metric)
        plateau.step(metric)
        cut = optimizer.param_groups[0]["lr"] < 1.0
        assert stop == cut
        assert stopper.best == plateau.best
        if stop:
            assert stopper.bad_steps == patience
            break
        assert stopper.bad_steps == plateau.num_bad_epochs


def test_early_stopping_by_hand():
    stopper = EarlyStopping(patience=3, min_delta=0.1)
    assert stopper.best_step is None
    decisions = [stopper.step(m) for m in [1.0, 0.8, 0.75, 0.85, 0.79]]
    assert decisions == [False, False, False, False, True]
    assert (stopper.best, stopper.best_step, stopper.bad_steps) == (0.8, 1, 3)
    assert stopper.step(0.1) is False  # a real improvement resets the count
    assert (stopper.best, stopper.best_step, stopper.bad_steps) == (0.1, 5, 0)


def test_early_stopping_max_mode_tracks_accuracy():
    stopper = EarlyStopping(patience=2, mode="max")
    assert [stopper.step(a) for a in [0.5, 0.7, 0.7, 0.6]] == [False, False, False, True]
    assert (stopper.best, stopper.best_step) == (0.7, 1)


def test_module_does_not_import_torch_at_import_time():
    code = "import sys, course_utils.schedules; sys.exit('torch' in sys.modules)"
    root = Path(schedules.__file__).parents[1]
    assert subprocess.run([sys.executable, "-c", code], cwd=root).returncode == 0
