"""Lesson 06's helpers: momentum's rate on a quadratic, its optimal parameters, the explorer."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course_utils import landscapes, optim, training
from course_utils.lessons.momentum import demos

EIGENVALUES = (1.0, 100.0)


def _spectral_radius(lr, momentum, eigenvalues, nesterov):
    """The largest |eigenvalue| of the explicit step matrices on (w, v), one per curvature."""
    radius = 0.0
    for lam in eigenvalues:
        # v' = ρv + λw; heavy ball w' = w − ηv', Nesterov w' = w − η(λw + ρv')
        if nesterov:
            step = [[1 - lr * lam * (1 + momentum), -lr * momentum**2], [lam, momentum]]
        else:
            step = [[1 - lr * lam, -lr * momentum], [lam, momentum]]
        radius = max(radius, np.abs(np.linalg.eigvals(np.array(step))).max())
    return radius


def _late_contraction(lr, momentum, nesterov, steps=600):
    """‖w‖ per step over the second half of a long run, from the peaks of 20-step stretches."""
    w, velocity = np.array([1.0, 1.0]), np.zeros(2)
    sizes = [np.linalg.norm(w)]
    for _ in range(steps):
        w, velocity = optim.momentum_update(
            w, np.array(EIGENVALUES) * w, velocity, lr, momentum, nesterov
        )
        sizes.append(np.linalg.norm(w))
    sizes = np.array(sizes)
    half = steps // 2
    ratio = sizes[steps - 20 : steps + 1].max() / sizes[half - 20 : half + 1].max()
    return ratio ** (1 / (steps - half))


@pytest.mark.parametrize("nesterov", [False, True])
def test_convergence_rate_is_the_spectral_radius_of_the_step(nesterov):
    rng = np.random.default_rng(0)
    for _ in range(200):
        lr, momentum = rng.uniform(0, 0.05), rng.uniform(0, 0.99)
        eigenvalues = rng.uniform(0.1, 100, size=3)
        got = demos.convergence_rate(lr, momentum, eigenvalues, nesterov=nesterov)
        want = _spectral_radius(lr, momentum, eigenvalues, nesterov)
        # a double root moves by ~√(machine ε) under rounding, so compare to 1e-6
        assert got == pytest.approx(want, rel=1e-6, abs=1e-6)


@pytest.mark.parametrize(
    ("lr", "momentum", "nesterov"),
    [(0.01, 0.9, False), (0.005, 0.5, False), (0.012, 0.8, True), (0.02, 0.3, False)],
)
def test_convergence_rate_matches_a_measured_run(lr, momentum, nesterov):
    predicted = demos.convergence_rate(lr, momentum, EIGENVALUES, nesterov=nesterov)
    assert _late_contraction(lr, momentum, nesterov) == pytest.approx(predicted, rel=0.01)


def test_without_momentum_it_is_gradient_descent_and_swinging_modes_shrink_by_root_rho():
    lrs = np.linspace(0.001, 0.03, 30)
    gd = np.maximum(np.abs(1 - lrs * EIGENVALUES[0]), np.abs(1 - lrs * EIGENVALUES[1]))
    for nesterov in (False, True):
        got = demos.convergence_rate(lrs, 0.0, EIGENVALUES, nesterov=nesterov)
        np.testing.assert_allclose(got, gd, rtol=1e-12)
    # every η with (1 − √ρ)² < ηλ < (1 + √ρ)² for both curvatures: the rate is √ρ, whatever η
    inside = np.linspace(0.003, 0.037, 20)
    np.testing.assert_allclose(demos.convergence_rate(inside, 0.9, EIGENVALUES), np.sqrt(0.9))


def test_convergence_rate_broadcasts_a_grid_and_marks_the_stable_edges():
    lrs, momenta = np.geomspace(1e-4, 0.05, 7), np.linspace(0, 0.95, 5)
    grid = demos.convergence_rate(lrs[None, :], momenta[:, None], EIGENVALUES)
    assert grid.shape == (5, 7)
    assert grid[2, 3] == demos.convergence_rate(lrs[3], momenta[2], EIGENVALUES)
    assert isinstance(demos.convergence_rate(0.01, 0.9, EIGENVALUES), float)
    # heavy ball is stable while ηλmax < 2(1 + ρ); Nesterov while ηλmax < 2(1 + ρ)/(1 + 2ρ)
    for nesterov, edge in ((False, 2 * 1.9), (True, 2 * 1.9 / 2.8)):
        below = demos.convergence_rate(0.999 * edge / 100, 0.9, EIGENVALUES, nesterov=nesterov)
        above = demos.convergence_rate(1.001 * edge / 100, 0.9, EIGENVALUES, nesterov=nesterov)
        assert below < 1 < above


def test_optimal_parameters_give_the_fastest_rate():
    lr, momentum = demos.optimal_parameters(*EIGENVALUES)
    assert lr == pytest.approx(4 / 121, rel=1e-15)
    assert momentum == pytest.approx((9 / 11) ** 2, rel=1e-15)
    best = demos.convergence_rate(lr, momentum, EIGENVALUES)
    assert best == pytest.approx(9 / 11, rel=1e-7)
    lrs, momenta = np.geomspace(1e-3, 0.04, 400), np.linspace(0, 0.99, 400)
    grid = demos.convergence_rate(lrs[None, :], momenta[:, None], EIGENVALUES)
    assert grid.min() >= best - 1e-6  # no other (η, ρ) beats it
    # κ = 1: one step of size 1/λ lands on the minimum, with no momentum
    assert demos.optimal_parameters(4.0, 4.0) == (0.25, 0.0)


def test_the_optimal_run_converges_at_the_predicted_rate():
    lr, momentum = demos.optimal_parameters(*EIGENVALUES)
    # at the optimum the roots coincide: ‖w‖ ~ t·r^t, so the rate is measured late
    assert _late_contraction(lr, momentum, False, steps=800) == pytest.approx(9 / 11, rel=0.01)


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda: demos.convergence_rate(-0.1, 0.9, EIGENVALUES), ValueError, "lr must be in"),
        (lambda: demos.convergence_rate(0.1, 1.0, EIGENVALUES), ValueError, "momentum must be in"),
        (lambda: demos.convergence_rate(0.1, [0.5, -0.1], EIGENVALUES), ValueError, "momentum"),
        (lambda: demos.convergence_rate(0.1, 0.9, []), ValueError, "eigenvalues must be"),
        (lambda: demos.convergence_rate(0.1, 0.9, [[1.0, 2.0]]), ValueError, "1-D"),
        (lambda: demos.convergence_rate(0.1, 0.9, [-1.0, 2.0]), ValueError, "eigenvalues"),
        (lambda: demos.convergence_rate(0.1, 0.9, EIGENVALUES, nesterov=1), TypeError, "nesterov"),
        (lambda: demos.convergence_rate("0.1", 0.9, EIGENVALUES), TypeError, "lr"),
        (lambda: demos.convergence_rate(np.nan, 0.9, EIGENVALUES), ValueError, "lr"),
        (lambda: demos.optimal_parameters(0.0, 1.0), ValueError, "lambda_min must be > 0"),
        (lambda: demos.optimal_parameters(2.0, 1.0), ValueError, "lambda_max must be ≥"),
        (lambda: demos.optimal_parameters(1.0, None), TypeError, "lambda_max"),
    ],
)
def test_bad_input_names_the_argument(call, error, words):
    with pytest.raises(error, match=words):
        call()


@settings(max_examples=30, deadline=None)
@given(momentum=st.floats(allow_nan=False).filter(lambda m: not 0 <= m < 1))
def test_any_momentum_outside_0_1_is_refused(momentum):
    with pytest.raises(ValueError, match="momentum"):
        demos.convergence_rate(0.01, momentum, EIGENVALUES)


# ---------------------------------------------------------------------------------------------
# The explorer
# ---------------------------------------------------------------------------------------------

ipywidgets = pytest.importorskip("ipywidgets")


@pytest.fixture(scope="module")
def explorer():
    return demos.momentum_explorer()


def test_the_explorer_draws_torch_form_momentum_with_its_defaults(explorer):
    assert set(explorer.controls) == {"lr", "momentum", "nesterov"}
    assert explorer.values == {"lr": 0.01, "momentum": 0.9, "nesterov": False}
    explorer.set(lr=0.01, momentum=0.9, nesterov=False)
    bowl = landscapes.quadratic_bowl(100.0)
    want = training.descend(bowl, optimizer="momentum", steps=100, lr=0.01)
    np.testing.assert_array_equal(explorer.result.points, want.points)
    assert bytes(explorer.image.value).startswith(b"\x89PNG") and explorer.error is None
    title = explorer.figure.texts[0].get_text()
    assert "heavy ball" in title and "r = 0.949" in title


def test_each_setting_changes_the_picture_and_the_title(explorer):
    explorer.set(lr=0.01, momentum=0.9, nesterov=False)
    before = bytes(explorer.image.value)
    explorer.set(nesterov=True)
    assert bytes(explorer.image.value) != before
    assert explorer.figure.texts[0].get_text().startswith("Nesterov")
    explorer.set(momentum=0.0)  # Nesterov with ρ = 0 is plain gradient descent, not an error
    assert explorer.error is None and explorer.figure.texts[0].get_text().startswith("plain GD")


def test_a_diverging_setting_is_reported_in_the_title_not_raised(explorer):
    explorer.set(lr=0.03, momentum=0.9, nesterov=True)
    assert explorer.error is None
    assert explorer.result.status == "diverged"
    title = explorer.figure.texts[0]
    assert "diverged at step" in title.get_text()
    explorer.set(nesterov=False)  # heavy ball is stable at this η
    assert explorer.result.status == "finished" and "diverged" not in title.get_text()


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"lr": 0.5}, ValueError, "lr must be in"),
        ({"momentum": 1.0}, ValueError, "momentum must be in"),
        ({"condition_number": 0.5}, ValueError, "condition_number"),
        ({"steps": 0}, ValueError, "steps"),
        ({"nesterov": "yes"}, TypeError, "nesterov"),
        ({"condition_number": 1000.0, "lr": 0.01}, ValueError, "lr must be in"),
    ],
)
def test_the_explorer_refuses_bad_settings(kwargs, error, words):
    with pytest.raises(error, match=words):
        demos.momentum_explorer(**kwargs)


# ---------------------------------------------------------------------------------------------
# follow, measured_rate, and momentum with noisy gradients
# ---------------------------------------------------------------------------------------------


def test_follow_takes_the_path_of_training_descend():
    bowl = landscapes.quadratic_bowl(condition_number=100.0)
    run = training.descend(bowl, optimizer="momentum", steps=50, lr=0.01)
    path = demos.follow(bowl, optim.momentum_update, 0.01, steps=50, momentum=0.9)
    assert path.shape == (51, 2) and np.abs(path - run.points).max() < 1e-12
    halved = demos.follow(bowl, optim.momentum_update, lambda t: 0.01 if t < 10 else 0.005, 20)
    assert np.abs(halved[:11] - run.points[:11]).max() < 1e-12
    assert np.abs(halved[12] - run.points[12]).max() > 1e-6


def test_measured_rate_reads_a_geometric_decay():
    class Geometric:
        points = np.array([[0.9**t * np.cos(t), 0.0] for t in range(200)])

    assert abs(demos.measured_rate(Geometric, 50, 150) - 0.9) < 2e-3


@pytest.mark.parametrize(("lr", "momentum"), [(0.01, 0.0), (0.01, 0.9), (0.001, 0.9)])
def test_noisy_descent_settles_at_the_predicted_floor(lr, momentum):
    losses = demos.noisy_descent(optim.momentum_update, lr, momentum, steps=800, runs=250)
    assert losses.shape == (801,) and losses[0] == pytest.approx(5.5)
    assert losses[400:].mean() == pytest.approx(demos.noise_floor(lr, momentum), rel=0.05)


def test_the_floor_follows_the_effective_learning_rate():
    plain, same_lr, scaled = (
        demos.noise_floor(lr, momentum) for lr, momentum in ((0.01, 0), (0.01, 0.9), (0.001, 0.9))
    )
    assert 9 < same_lr / plain < 11 and scaled == pytest.approx(plain, rel=0.03)
    # with ηλ → 0 the floor is η/(1 − ρ) · d s²/4 exactly
    assert demos.noise_floor(1e-6, 0.5, (1.0, 2.0, 3.0), noise=2.0) == pytest.approx(
        2e-6 * 3 * 4 / 4, rel=1e-5
    )
    with pytest.raises(ValueError, match="stability edge"):
        demos.noise_floor(0.4, 0.9, (1.0, 10.0))


def test_follow_and_measured_rate_refuse_bad_input():
    bowl = landscapes.quadratic_bowl(condition_number=10.0)
    with pytest.raises(TypeError, match="rule must be an update rule"):
        demos.follow(bowl, "momentum", 0.01)
    run = training.descend(bowl, optimizer="momentum", steps=30, lr=0.01)
    with pytest.raises(ValueError, match="span ≤ first < last < 31"):
        demos.measured_rate(run, 10, 40)
