"""descend, train and lr_range_test: the loops equal hand-written ones, each returns a Run, and
runs that blow up stop with a structured status and a useful message."""

import re

import numpy as np
import pytest
import torch

from course_utils import data, landscapes, optim, schedules
from course_utils.landscapes import Landscape
from course_utils.models import LinearRegression, SoftmaxRegression
from course_utils.runs import RUNAWAY_FACTOR, Run
from course_utils.training import DivergenceError, descend, descender, lr_range_test, train

BOWL = landscapes.quadratic_bowl(condition_number=10.0, angle=0.4)
ROSENBROCK = landscapes.rosenbrock()


# ---------------------------------------------------------------------------------------------
# descend
# ---------------------------------------------------------------------------------------------


def _manual_path(landscape, start, steps, update):
    """Run a pure update rule by hand: update(w, grad, t) -> w."""
    w = np.array(start, dtype=np.float64)
    points = [w]
    for t in range(1, steps + 1):
        w = update(w, landscape.grad(w), t)
        points.append(w)
    return np.array(points)


def _with_state(rule, n_state):
    """Wrap a stateful pure rule as update(w, grad, t), keeping its state between calls."""
    state = [np.zeros(2) for _ in range(n_state)]

    def update(w, grad, t):
        w, *state[:] = rule(w, grad, *state, t)
        return w

    return update


MANUAL_RULES = {
    "sgd": (1e-3, lambda w, g, t: optim.sgd_update(w, g, lr=1e-3)),
    "momentum": (
        1e-3,
        _with_state(lambda w, g, v, t: optim.momentum_update(w, g, v, lr=1e-3, momentum=0.9), 1),
    ),
    "nesterov": (
        1e-3,
        _with_state(
            lambda w, g, v, t: optim.momentum_update(w, g, v, lr=1e-3, momentum=0.9, nesterov=True),
            1,
        ),
    ),
    "adagrad": (0.3, _with_state(lambda w, g, s, t: optim.adagrad_update(w, g, s, lr=0.3), 1)),
    "rmsprop": (0.01, _with_state(lambda w, g, s, t: optim.rmsprop_update(w, g, s, lr=0.01), 1)),
    "adam": (0.05, _with_state(lambda w, g, m, v, t: optim.adam_update(w, g, m, v, t, lr=0.05), 2)),
    # AdamW: decoupled decay w ← (1 − ηλ)w first, then the Adam step (λ = 0.01, its default).
    "adamw": (
        0.05,
        _with_state(
            lambda w, g, m, v, t: optim.adam_update(w * (1 - 0.05 * 0.01), g, m, v, t, lr=0.05), 2
        ),
    ),
}


@pytest.mark.parametrize("name", list(MANUAL_RULES))
def test_descend_equals_a_manual_loop_with_the_pure_update_rule(name):
    lr, rule = MANUAL_RULES[name]
    run = descend(ROSENBROCK, optimizer=name, steps=60, lr=lr)
    expected = _manual_path(ROSENBROCK, ROSENBROCK.start, 60, rule)
    np.testing.assert_allclose(run.points, expected, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(run.losses, ROSENBROCK(expected), rtol=1e-12)
    np.testing.assert_array_equal(run.lrs, np.full(60, lr))
    assert run.status == "finished" and run.reason is None
    assert run.diverged_at is None and run.stopped_at is None


def test_a_descent_is_a_run_with_one_more_point_than_steps_and_a_label():
    run = descend(BOWL, [1.0, -0.5], "momentum", steps=25, lr=0.02)
    assert isinstance(run, Run) and run.unit == "step" and run.epochs is None
    assert run.points.shape == (26, 2) and run.losses.shape == (26,)
    assert run.lrs.shape == (25,) and run.steps == 25 and run.final_loss == run.losses[-1]
    np.testing.assert_array_equal(run.points[0], [1.0, -0.5])
    assert run.label == "Momentum, lr=0.02" and run.ending == "ran all 25 steps"
    assert "ran all 25 steps" in repr(run)
    for field in ("val_losses", "step_losses", "accuracies", "seconds", "smoothed_losses"):
        assert getattr(run, field) is None  # what a descent does not record
    assert run.suggested_lr is None and run.best_accuracy is None
    assert descend(BOWL, steps=3, lr=0.1, label="mine").label == "mine"


def test_start_defaults_to_the_landscape_start_and_is_not_modified():
    start = np.array([1.0, 1.0])
    descend(BOWL, start, steps=5, lr=0.1)
    np.testing.assert_array_equal(start, [1.0, 1.0])
    np.testing.assert_array_equal(descend(BOWL, steps=1, lr=0.1).points[0], BOWL.start)
    np.testing.assert_array_equal(
        descend("rosenbrock", steps=1, lr=1e-4).points[0], ROSENBROCK.start
    )


def test_an_optimizer_class_and_hyperparameters_are_accepted():
    by_class = descend(ROSENBROCK, optimizer=optim.Adam, steps=30, lr=0.05, betas=(0.8, 0.99))
    by_name = descend(ROSENBROCK, optimizer="adam", steps=30, lr=0.05, betas=(0.8, 0.99))
    np.testing.assert_array_equal(by_class.points, by_name.points)
    assert by_class.label == "Adam, lr=0.05"
    # "momentum" presets momentum=0.9, but an explicit value wins.
    slow = descend(BOWL, optimizer="momentum", steps=20, lr=0.01, momentum=0.5)
    rule = _with_state(lambda w, g, v, t: optim.momentum_update(w, g, v, 0.01, momentum=0.5), 1)
    np.testing.assert_allclose(slow.points, _manual_path(BOWL, BOWL.start, 20, rule), rtol=1e-13)


def test_a_schedule_sets_the_learning_rate_before_each_step():
    schedule = schedules.cosine(0.1, T_max=40)
    run = descend(BOWL, optimizer="sgd", steps=40, schedule=schedule)
    np.testing.assert_array_equal(run.lrs, [schedule(t) for t in range(40)])
    expected = _manual_path(
        BOWL, BOWL.start, 40, lambda w, g, t: optim.sgd_update(w, g, lr=schedule(t - 1))
    )
    np.testing.assert_allclose(run.points, expected, rtol=1e-13, atol=1e-15)
    assert "cosine" in run.label


def test_descend_matches_torch_sgd_with_a_step_scheduler():
    w = torch.tensor(BOWL.start, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([w], lr=0.15, momentum=0.9)
    scheduler = torch.optim.lr_scheduler.StepLR(opt, step_size=10, gamma=0.5)
    torch_points = [w.detach().clone().numpy()]
    for _ in range(30):
        opt.zero_grad()
        BOWL.torch_loss(w).backward()
        opt.step()
        scheduler.step()
        torch_points.append(w.detach().clone().numpy())
    ours = descend(
        BOWL, optimizer="momentum", steps=30, schedule=schedules.step_decay(0.15, 10, gamma=0.5)
    )
    np.testing.assert_allclose(ours.points, np.array(torch_points), rtol=1e-10, atol=1e-12)


# --- divergence -------------------------------------------------------------------------------

REASON = re.compile(
    r"^(loss became inf|loss became nan|loss blew up to \S+ \(limit \S+\))"
    r" — try a smaller learning rate \(lr=\S+ now\)$"
)


def test_a_diverging_run_raises_one_clear_line_that_carries_the_run():
    # λmax = 10, so any lr > 2/λmax = 0.2 diverges; at 0.5 the error grows 4× per step.
    with pytest.raises(DivergenceError) as caught:
        descend(BOWL, optimizer="sgd", steps=100, lr=0.5)
    run = caught.value.run
    assert run.status == "diverged" and 0 < run.diverged_at == run.steps < 100
    assert run.stopped_at is None and REASON.match(run.reason)
    assert "loss blew up" in run.reason and "(lr=0.5 now)" in run.reason
    message = str(caught.value)
    assert message == f"diverged at step {run.diverged_at}: {run.reason}"
    assert isinstance(caught.value, RuntimeError)
    assert caught.value._render_traceback_() == [message]
    assert run.losses[-1] > RUNAWAY_FACTOR * run.losses[0]
    assert np.all(run.losses[:-1] <= RUNAWAY_FACTOR * max(1.0, run.losses[0]))


def test_overflow_is_reported_as_inf():
    with pytest.raises(DivergenceError, match=r"^diverged at step 1: loss became inf — "):
        descend(BOWL, steps=10, lr=1e300)


def test_a_nan_loss_is_reported_as_nan():
    # f = x − log x + y²: a step past x = 0 leaves the domain of the logarithm.
    log_barrier = Landscape(
        name="log barrier",
        formula=r"x - \log x + y^2",
        f=lambda x, y: x - np.log(x) + y**2,
        df=lambda x, y: (1 - 1 / x, 2 * y),
        d2f=lambda x, y: (1 / x**2, 0.0, 2.0),
        minima=[[1.0, 0.0]],
        window=((0.1, 4.0), (-2.0, 2.0)),
        start=[3.0, 1.0],
    )
    run = descend(log_barrier, steps=10, lr=10.0, on_divergence="stop")
    assert run.status == "diverged" and REASON.match(run.reason)
    assert run.reason.startswith("loss became nan") and np.isnan(run.losses[-1])


def test_on_divergence_stop_returns_the_truncated_run():
    run = descend(BOWL, steps=100, lr=0.5, on_divergence="stop")
    assert run.status == "diverged" and run.ending == f"diverged at step {run.diverged_at}"
    assert len(run.points) == len(run.losses) == run.steps + 1 == run.diverged_at + 1
    assert run.ending in repr(run)


def test_a_converging_run_is_not_flagged():
    run = descend(BOWL, steps=200, lr=0.19)  # just inside 2/λmax = 0.2
    assert run.status == "finished" and run.diverged_at is None
    assert run.losses[-1] < 1e-6


# --- patience ---------------------------------------------------------------------------------


def test_patience_stops_when_the_loss_has_not_improved_for_k_steps():
    # Momentum overshoots: the loss goes up and down, so "not improved" happens early on.
    run = descend(BOWL, optimizer="momentum", steps=2000, lr=0.1, patience=4)
    assert run.status == "stopped" and run.stopped_at == run.steps < 2000
    best = int(np.argmin(run.losses))
    assert run.steps == best + 4 and run.ending == f"stopped at step {best + 4}"
    assert np.all(run.losses[best + 1 :] >= run.losses[best])
    assert run.reason == (
        f"the loss has not improved for 4 steps (best {run.losses[best]:.4g} at step {best})"
    )


def test_min_delta_stops_once_progress_is_too_small():
    patient = descend(BOWL, steps=3000, lr=0.05, patience=10)
    tolerant = descend(BOWL, steps=3000, lr=0.05, patience=10, min_delta=1e-6)
    assert tolerant.steps < patient.steps
    gains = -np.diff(tolerant.losses[-11:])
    assert np.all(gains <= 1e-6)


def test_no_patience_runs_every_step():
    assert descend(BOWL, steps=50, lr=0.05).steps == 50


# --- descender: descend, checked once, for a demo ------------------------------------------------


def test_descender_runs_what_descend_runs_with_the_changes_asked_for():
    settings = {"betas": (0.8, 0.99)}
    descend_at = descender(ROSENBROCK, None, "adam", 40, **settings)
    for start, lr in ((None, 0.01), (None, 0.3), ([0.5, 0.5], 0.01)):
        ours = descend_at(start, lr=lr)
        theirs = descend(ROSENBROCK, start, "adam", 40, lr=lr, **settings)
        np.testing.assert_array_equal(ours.points, theirs.points)
        assert ours.label == theirs.label == f"Adam, lr={lr:g}"
    diverged = descender(BOWL, steps=100)(lr=0.5)
    assert diverged.status == "diverged"  # returned, not raised: a demo shows it


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"optimizer": "adamm"}, ValueError, "optimizer must be one of"),
        ({"steps": 0}, ValueError, "steps"),
        ({"start": [np.nan, 0.0]}, ValueError, "start contains NaN"),
        ({"betas": (0.9, 1.5)}, ValueError, "betas[1]"),
    ],
)
def test_descender_checks_its_arguments_once_up_front(kwargs, error, words):
    with pytest.raises(error, match=re.escape(words)):
        descender(ROSENBROCK, **{"optimizer": "adam", **kwargs})


# --- bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"optimizer": "adamm"}, ValueError, "optimizer must be one of 'sgd'"),
        ({"optimizer": 42}, TypeError, "optimizer must be one of"),
        ({"optimizer": torch.optim.Adam}, TypeError, "optimizer"),
        ({"steps": 0}, ValueError, "steps"),
        ({"steps": 2.5}, TypeError, "steps"),
        ({"lr": -0.1}, ValueError, "lr"),
        ({"start": [1.0, 2.0, 3.0]}, ValueError, "start must be a pair"),
        ({"start": [np.nan, 0.0]}, ValueError, "start contains NaN"),
        ({"start": "origin"}, TypeError, "start"),
        ({"on_divergence": "ignore"}, ValueError, "on_divergence must be one of"),
        ({"patience": 0}, ValueError, "patience"),
        ({"schedule": 0.1}, TypeError, "schedule must be a function"),
        ({"schedule": schedules.constant(0.1), "lr": 0.1}, ValueError, "not both"),
        ({"momentum": -1}, ValueError, "momentum"),
    ],
)
def test_descend_refuses_bad_input_by_name(kwargs, error, words):
    with pytest.raises(error, match=re.escape(words)):
        descend(BOWL, **{"steps": 5, **kwargs})


def test_descend_refuses_something_that_is_not_a_landscape():
    with pytest.raises(TypeError, match="landscape must be a Landscape"):
        descend(lambda w: w @ w, [1.0, 1.0])
    with pytest.raises(ValueError, match="name must be one of"):
        descend("bowl", [1.0, 1.0])


# ---------------------------------------------------------------------------------------------
# train
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def regression_data():
    return data.make_regression(n=103, n_features=3, noise=0.1, seed=0)


@pytest.fixture
def digits_like():
    return data.make_classification(n=150, n_classes=3, n_features=4, seed=1)


def test_train_equals_a_manual_minibatch_loop(regression_data):
    X, y = regression_data
    model = LinearRegression(3)
    run = train(model, X, y, optim.SGD(model.params, lr=0.05), epochs=4, batch_size=16, seed=3)

    w, b = np.zeros(3), np.zeros(1)
    rng = np.random.default_rng(3)
    batch_losses = []
    for _ in range(4):
        for X_batch, y_batch in data.minibatches(X, y, 16, rng):
            residual = X_batch @ w + b - y_batch
            batch_losses.append(np.mean(residual**2))
            grad_w = 2 * X_batch.T @ residual / len(y_batch)
            grad_b = 2 * residual.sum(keepdims=True) / len(y_batch)
            w, b = optim.sgd_update(w, grad_w, 0.05), optim.sgd_update(b, grad_b, 0.05)
    np.testing.assert_allclose(model.params[0], w, rtol=1e-12)
    np.testing.assert_allclose(model.params[1], b, rtol=1e-12)
    np.testing.assert_allclose(run.step_losses, batch_losses, rtol=1e-12)
    assert len(run.step_losses) == run.steps == 4 * 7  # ceil(103 / 16) = 7 batches per epoch


def test_train_matches_torch_adam_on_softmax_regression(digits_like):
    X, y = digits_like
    model = SoftmaxRegression(4, 3)
    train(model, X, y, optim.Adam(model.params, lr=0.05), epochs=3, batch_size=32, seed=7)

    W = torch.zeros(4, 3, dtype=torch.float64, requires_grad=True)
    b = torch.zeros(3, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.Adam([W, b], lr=0.05)
    rng = np.random.default_rng(7)
    for _ in range(3):
        for X_batch, y_batch in data.minibatches(X, y, 32, rng):
            opt.zero_grad()
            logits = torch.from_numpy(X_batch) @ W + b
            torch.nn.functional.cross_entropy(logits, torch.from_numpy(y_batch)).backward()
            opt.step()
    np.testing.assert_allclose(model.params[0], W.detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(model.params[1], b.detach().numpy(), rtol=1e-10, atol=1e-12)


def test_full_batch_training_reaches_least_squares(regression_data):
    X, y = regression_data
    model = LinearRegression(3)
    run = train(model, X, y, optim.SGD(model.params, lr=0.3), epochs=300, batch_size=len(X))
    design = np.column_stack([X, np.ones(len(X))])
    solution = np.linalg.lstsq(design, y, rcond=None)[0]
    np.testing.assert_allclose(np.concatenate(model.params), solution, rtol=1e-9)
    assert np.all(np.diff(run.losses) <= 1e-15)  # full-batch GD on a convex bowl: monotone


def test_a_training_run_records_per_epoch_and_per_step(digits_like):
    X, y = digits_like
    model = SoftmaxRegression(4, 3)
    X_val, y_val = X[:30], y[:30]
    run = train(model, X, y, optim.SGD(model.params, lr=0.5), 5, 40, X_val=X_val, y_val=y_val)
    assert isinstance(run, Run) and run.unit == "epoch" and run.epochs == 5
    assert run.losses.shape == run.val_losses.shape == (6,)
    assert run.lrs.shape == (5,) and run.step_lrs.shape == run.step_losses.shape == (20,)
    assert run.losses[0] == pytest.approx(np.log(3))  # zero weights: uniform guesses
    assert run.losses[-1] == pytest.approx(model.loss(X, y))
    assert run.val_losses[-1] == pytest.approx(model.loss(X_val, y_val))
    assert run.status == "finished" and run.points is None
    assert "ran all 5 epochs" in repr(run) and "validation loss" in repr(run)


def test_no_validation_set_means_no_validation_losses(regression_data):
    model = LinearRegression(3)
    run = train(model, *regression_data, optim.SGD(model.params, lr=0.1), 2, 50)
    assert run.val_losses is None


def test_a_schedule_runs_per_step_or_per_epoch(regression_data):
    X, y = regression_data
    schedule = schedules.exponential(0.1, gamma=0.9)
    model = LinearRegression(3)
    per_step = train(model, X, y, optim.SGD(model.params, lr=1.0), 3, 25, schedule=schedule)
    np.testing.assert_allclose(per_step.step_lrs, [schedule(t) for t in range(15)])
    model = LinearRegression(3)
    opt = optim.SGD(model.params, lr=1.0)
    per_epoch = train(model, X, y, opt, 3, 25, schedule=schedule, per="epoch")
    np.testing.assert_allclose(per_epoch.step_lrs, np.repeat([schedule(e) for e in range(3)], 5))
    np.testing.assert_allclose(per_epoch.lrs, [schedule(e) for e in range(3)])


def test_reduce_on_plateau_is_fed_the_monitored_loss_each_epoch(digits_like):
    X, y = digits_like
    model = SoftmaxRegression(4, 3)
    plateau = schedules.ReduceLROnPlateau(2.0, factor=0.5, patience=0, threshold=0.05)
    run = train(
        model, X, y, optim.SGD(model.params, lr=123.0), 8, 50, schedule=plateau, per="epoch"
    )
    replay = schedules.ReduceLROnPlateau(2.0, factor=0.5, patience=0, threshold=0.05)
    expected = [2.0] + [replay.step(loss) for loss in run.losses[1:-1]]
    np.testing.assert_allclose(run.lrs, expected)
    assert run.lrs[-1] < 2.0  # it did cut the rate
    with pytest.raises(ValueError, match="per='epoch'"):
        train(model, X, y, optim.SGD(model.params), 1, 50, schedule=plateau)


def test_patience_stops_training_on_the_validation_loss(digits_like):
    X, y = digits_like
    model = SoftmaxRegression(4, 3)
    run = train(
        model, X[30:], y[30:], optim.Adam(model.params, lr=0.3), 200, 16,
        X_val=X[:30], y_val=y[:30], patience=3,
    )  # fmt: skip
    assert run.status == "stopped" and run.stopped_at == run.epochs < 200
    best = int(np.argmin(run.val_losses))
    assert run.epochs == best + 3 and run.ending == f"stopped at epoch {best + 3}"
    assert run.reason.startswith("the loss has not improved for 3 epochs")


def test_a_diverging_training_run_stops_with_the_step_and_epoch(regression_data):
    X, y = regression_data
    model = LinearRegression(3)
    with pytest.raises(DivergenceError) as caught:
        train(model, X, y, optim.SGD(model.params, lr=3.0), epochs=10, batch_size=16)
    message = str(caught.value)
    assert re.match(r"^diverged at step \d+ \(epoch 1\): loss (blew up|became inf)", message)
    assert message.endswith("try a smaller learning rate (lr=3 now)")
    model = LinearRegression(3)
    run = train(model, X, y, optim.SGD(model.params, lr=3.0), 10, 16, on_divergence="stop")
    assert str(DivergenceError(run)) == message and run.status == "diverged"
    assert run.epochs == 0 and len(run.lrs) == run.epochs  # the unfinished epoch is not counted
    assert run.diverged_at == run.steps - 1  # the updates made before the loss ran away
    assert run.step_losses[-1] > RUNAWAY_FACTOR * run.losses[0]


@pytest.mark.parametrize(
    ("change", "error", "words"),
    [
        ({"optimizer": optim.SGD}, TypeError, "optimizer must be an optimizer built on"),
        ({"optimizer": "sgd"}, TypeError, "optimizer must be an optimizer built on"),
        ({"optimizer": optim.SGD([np.zeros(3), np.zeros(1)], lr=0.1)}, ValueError, "model.params"),
        ({"epochs": 0}, ValueError, "epochs"),
        ({"batch_size": 0}, ValueError, "batch_size"),
        ({"per": "batch"}, ValueError, "per must be one of"),
        ({"seed": -1}, ValueError, "seed"),
        ({"X_val": np.zeros((5, 3))}, ValueError, "both X_val and y_val"),
        ({"on_divergence": "warn"}, ValueError, "on_divergence"),
        ({"schedule": "cosine"}, TypeError, "schedule must be a function"),
        ({"X": np.zeros((103, 2))}, ValueError, "X must have shape (n, 3)"),
        ({"y": np.zeros(50)}, ValueError, "y must have shape (103,)"),
        ({"model": object()}, TypeError, "model must have params"),
    ],
)
def test_train_refuses_bad_input_by_name(regression_data, change, error, words):
    X, y = regression_data
    model = LinearRegression(3)
    arguments = {"model": model, "X": X, "y": y, "optimizer": optim.SGD(model.params, lr=0.1)}
    arguments |= {"epochs": 1, "batch_size": 10, **change}
    with pytest.raises(error, match=re.escape(words)):
        train(**arguments)


# ---------------------------------------------------------------------------------------------
# lr_range_test
# ---------------------------------------------------------------------------------------------


def test_lr_range_test_grows_the_rate_exponentially_and_stops_at_the_explosion(regression_data):
    X, y = regression_data
    model = LinearRegression(3)
    model.params[0][...] = [0.5, -0.5, 0.1]
    before = [param.copy() for param in model.params]
    result = lr_range_test(model, X, y, "sgd", min_lr=1e-5, max_lr=100.0, steps=80, batch_size=20)

    ratio = (100.0 / 1e-5) ** (1 / 79)
    np.testing.assert_allclose(result.lrs, 1e-5 * ratio ** np.arange(len(result.lrs)))
    assert len(result.lrs) < 80  # SGD on this problem diverges well before lr = 100
    assert result.smoothed_losses[-1] > 4 * result.smoothed_losses.min()
    assert result.status == "stopped" and result.stopped_at == len(result.lrs) - 1
    assert result.reason.startswith("the smoothed loss passed 4 × its lowest")
    # the smoothed loss is the bias-corrected moving average of the recorded losses
    average, smoothed = 0.0, []
    for s, loss in enumerate(result.losses):
        average = 0.98 * average + 0.02 * loss
        smoothed.append(average / (1 - 0.98 ** (s + 1)))
    np.testing.assert_allclose(result.smoothed_losses, smoothed, rtol=1e-12)
    assert result.suggested_lr == result.lrs[np.argmin(result.smoothed_losses)] / 10
    for param, original in zip(model.params, before, strict=True):
        np.testing.assert_array_equal(param, original)  # the model is left as it was


def test_lr_range_test_refuses_bad_ranges(regression_data):
    X, y = regression_data
    with pytest.raises(ValueError, match="max_lr must be larger than min_lr"):
        lr_range_test(LinearRegression(3), X, y, min_lr=1.0, max_lr=0.1)
    with pytest.raises(ValueError, match="steps"):
        lr_range_test(LinearRegression(3), X, y, steps=1)
    with pytest.raises(ValueError, match="smoothing"):
        lr_range_test(LinearRegression(3), X, y, smoothing=1.0)


def test_descend_feeds_reduce_on_plateau_the_loss_after_each_step():
    plateau = schedules.ReduceLROnPlateau(0.1, factor=0.5, patience=2)
    run = descend(BOWL, optimizer="momentum", steps=80, schedule=plateau)
    replay = schedules.ReduceLROnPlateau(0.1, factor=0.5, patience=2)
    expected = [0.1] + [replay.step(loss) for loss in run.losses[1:-1]]
    np.testing.assert_allclose(run.lrs, expected)
    assert run.lrs[-1] < 0.1
    assert run.label == "Momentum, ReduceLROnPlateau"
