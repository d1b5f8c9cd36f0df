"""Lesson 09's demos: Adam's variants against hand-written formulas, the race, the explorer."""

import numpy as np
import pytest
import torch

from course_utils import landscapes, optim, training
from course_utils.lessons.adam import demos
from course_utils.training import torch_path

BETA1, BETA2 = 0.9, 0.999


def _random_gradients(steps=40, shape=(2, 3), seed=0):
    return np.random.default_rng(seed).normal(size=(steps, *shape))


def _variant_path(grads, **settings):
    """The weights after each step of AdamVariant fed ``grads``, from w = 0."""
    w = np.zeros(grads.shape[1:], dtype=grads.dtype)
    opt = demos.AdamVariant([w], **settings)
    points = []
    for grad in grads:
        opt.step([grad])
        points.append(w.copy())
    return np.array(points)


def _by_hand(grads, lr, eps, step):
    """Adam's moments by hand, the step from ``step(m, v, t)``: the formulas of the lesson."""
    w, m, v, points = np.zeros(grads.shape[1:]), 0.0, 0.0, []
    for t, grad in enumerate(grads, start=1):
        m = BETA1 * m + (1 - BETA1) * grad
        v = BETA2 * v + (1 - BETA2) * grad**2
        w = w - lr * step(m, v, t)
        points.append(w)
    return np.array(points)


# ---------------------------------------------------------------------------------------------
# AdamVariant
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_the_default_variant_is_adam(dtype):
    grads = _random_gradients().astype(dtype)
    w = np.zeros((2, 3), dtype=dtype)
    reference = optim.Adam([w], lr=0.05, betas=(0.8, 0.99), eps=1e-6)
    expected = []
    for grad in grads:
        reference.step([grad])
        expected.append(w.copy())
    got = _variant_path(grads, lr=0.05, betas=(0.8, 0.99), eps=1e-6)
    assert got.dtype == dtype
    tolerance = 1e-12 if dtype == np.float64 else 1e-5
    np.testing.assert_allclose(got, np.array(expected), rtol=tolerance, atol=tolerance)


def test_eps_forms_follow_their_formulas():
    grads, lr, eps = _random_gradients(), 0.1, 0.3  # a large ε, so that the forms differ

    def corrected(m, v, t):
        return m / (1 - BETA1**t), v / (1 - BETA2**t)

    forms = {
        "outside": lambda m, v, t: corrected(m, v, t)[0] / (np.sqrt(corrected(m, v, t)[1]) + eps),
        "inside": lambda m, v, t: corrected(m, v, t)[0] / np.sqrt(corrected(m, v, t)[1] + eps),
        "hat": lambda m, v, t: np.sqrt(1 - BETA2**t) / (1 - BETA1**t) * m / (np.sqrt(v) + eps),
    }
    paths = {}
    for form, step in forms.items():
        paths[form] = _variant_path(grads, lr=lr, eps=eps, eps_form=form)
        np.testing.assert_allclose(paths[form], _by_hand(grads, lr, eps, step), rtol=1e-12)
    # the paper's ε̂ is ε·√(1 − β2ᵗ) in the outside form: it shrinks, so "hat" is ε grown early
    assert np.abs(paths["hat"] - paths["outside"]).max() > 0.05
    assert np.abs(paths["inside"] - paths["outside"]).max() > 0.05


def test_eps_on_the_weight_adds_eps_every_step():
    grads, lr, eps = _random_gradients(), 0.1, 1e-3
    got = _variant_path(grads, lr=lr, eps=eps, eps_form="weight")

    def without_eps(m, v, t):
        return (m / (1 - BETA1**t)) / np.sqrt(v / (1 - BETA2**t))

    drift = eps * np.arange(1, len(grads) + 1)[:, None, None]
    np.testing.assert_allclose(got, _by_hand(grads, lr, 0.0, without_eps) + drift, rtol=1e-12)


def test_the_copied_formula_is_literally_w_minus_lr_m_over_v_plus_eps():
    grads, lr, eps = _random_gradients(steps=10), 0.01, 1e-8
    w, m, v, expected = np.zeros((2, 3)), 0.0, 0.0, []
    for grad in grads:
        m = BETA1 * m + (1 - BETA1) * grad
        v = BETA2 * v + (1 - BETA2) * grad  # g, not g²
        w = w - lr * m / v + eps
        expected.append(w)
    got = _variant_path(grads, lr=lr, eps=eps, **demos.COPIED)
    np.testing.assert_allclose(got, np.array(expected), rtol=1e-12)


def test_first_steps_under_a_constant_gradient():
    t = np.arange(1, 21)
    grads = np.full(20, -2.5)  # a negative gradient: every step is +size
    expected = {
        "Adam: m̂ and v̂": np.ones(20),
        "no correction": (1 - BETA1**t) / np.sqrt(1 - BETA2**t),
        "only v̂ corrected": 1 - BETA1**t,
        "only m̂ corrected": 1 / np.sqrt(1 - BETA2**t),
    }
    for name, switches in demos.BIAS_CORRECTIONS.items():
        sizes = demos.step_sizes(demos.AdamVariant, grads, lr=1.0, eps=0.0, **switches)
        np.testing.assert_allclose(sizes, expected[name], rtol=1e-12, err_msg=name)


def test_no_root_makes_the_step_one_over_the_gradient():
    for grad in (1.0, 1e-3, -4.0):
        (size,) = demos.step_sizes(demos.AdamVariant, [grad], lr=1.0, eps=0.0, root=False)
        assert size == pytest.approx(-1 / grad, rel=1e-12)  # m̂/v̂ = g/g² on the first step


def test_with_beta1_zero_and_no_correction_of_v_it_is_rmsprop():
    grads = _random_gradients(steps=60)
    w = np.zeros((2, 3))
    rmsprop = optim.RMSprop([w], lr=0.02, alpha=0.95, eps=1e-8)
    expected = []
    for grad in grads:
        rmsprop.step([grad])
        expected.append(w.copy())
    got = _variant_path(grads, lr=0.02, betas=(0.0, 0.95), correct_v=False)
    np.testing.assert_allclose(got, np.array(expected), rtol=1e-12)


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"eps_form": "under"}, ValueError, "eps_form"),
        ({"betas": (0.9, 1.0)}, ValueError, "betas[1]"),
        ({"betas": 0.9}, TypeError, "betas"),
        ({"root": 1}, TypeError, "root"),
        ({"eps": -1e-8}, ValueError, "eps"),
        ({"lr": -0.1}, ValueError, "lr"),
    ],
)
def test_adam_variant_refuses_bad_settings(kwargs, error, words):
    with pytest.raises(error, match=words.replace("[", r"\[").replace("]", r"\]")):
        demos.AdamVariant([np.zeros(2)], **kwargs)


def test_a_broken_variant_reports_divergence_instead_of_warning():
    # no square: the sign of g cancels in m / v and every step goes the same way, uphill
    with np.errstate(all="raise"):
        run = training.descend(
            "saddle",
            (1.5, 0.0),
            demos.AdamVariant,
            50,
            lr=0.1,
            on_divergence="stop",
            **demos.COPIED,
        )
    assert run.status == "diverged"


# ---------------------------------------------------------------------------------------------
# step_sizes
# ---------------------------------------------------------------------------------------------


def test_step_sizes_of_sgd_are_minus_lr_times_the_gradient():
    grads = _random_gradients(steps=5, shape=(3,))
    np.testing.assert_allclose(demos.step_sizes("sgd", grads, lr=0.1), -0.1 * grads, rtol=1e-15)
    assert demos.step_sizes(optim.Adam, np.ones(4)).shape == (4,)


@pytest.mark.parametrize(
    ("grads", "error"), [(np.ones((2, 2, 2)), ValueError), ([], ValueError), ("g", TypeError)]
)
def test_step_sizes_refuses_bad_gradients(grads, error):
    with pytest.raises(error, match="grads"):
        demos.step_sizes("adam", grads)


def test_step_sizes_refuses_an_unknown_optimizer():
    with pytest.raises(ValueError, match="optimizer"):
        demos.step_sizes("adamax", np.ones(3))


# ---------------------------------------------------------------------------------------------
# The race
# ---------------------------------------------------------------------------------------------


def test_tuned_lrs_are_grid_values_for_every_optimizer_and_landscape():
    assert set(demos.TUNED_LRS) == set(demos.RACES)
    for row in demos.TUNED_LRS.values():
        assert set(row) == set(demos.RACE_OPTIMIZERS)
        for lr in row.values():
            assert lr in demos.LR_GRID


def test_tune_lr_reproduces_the_tuned_lrs_on_the_saddle():
    for optimizer in demos.RACE_OPTIMIZERS:
        lr = demos.tune_lr("saddle", optimizer)
        assert lr == demos.TUNED_LRS["saddle"][optimizer], optimizer


def test_tune_lr_prefers_the_lowest_loss_then_the_earliest_arrival():
    bowl = landscapes.quadratic_bowl(10.0)  # GD: fastest at η = 2/11, diverges above 2/10
    assert demos.tune_lr(bowl, "sgd", steps=50, grid=[0.01, 0.15, 0.5]) == 0.15
    round_bowl = landscapes.quadratic_bowl(1.0)  # η = 1 lands on the minimum in one step
    assert demos.tune_lr(round_bowl, "sgd", steps=100, grid=[0.9, 1.0]) == 1.0


def test_tune_lr_refuses_a_grid_that_always_diverges():
    bowl = landscapes.quadratic_bowl(10.0)
    with pytest.raises(ValueError, match="diverged"):
        demos.tune_lr(bowl, "sgd", steps=50, grid=[0.5, 1.0])
    with pytest.raises(ValueError, match="grid"):
        demos.tune_lr(bowl, "sgd", steps=50, grid=[-0.1, 0.1])


def test_race_runs_every_optimizer_at_its_tuned_lr():
    runs = demos.race("saddle")
    assert list(runs) == list(demos.RACE_OPTIMIZERS)
    for name, run in runs.items():
        assert run.steps == demos.RACES["saddle"]["steps"] and run.status == "finished"
        np.testing.assert_array_equal(run.points[0], demos.RACES["saddle"]["start"])
        assert run.lrs[0] == demos.TUNED_LRS["saddle"][name]
    assert runs["adam"].label == "Adam, η = 0.562"
    table = demos.race_table({"saddle": runs})
    assert table.count("\n") == len(runs) and "Nesterov" in table and "(η = 0.56)" in table
    with pytest.raises(ValueError, match="landscape"):
        demos.race("himmelblau")
    with pytest.raises(TypeError, match="results"):
        demos.race_table({})


@pytest.mark.slow
def test_the_course_adam_equals_torch_on_a_race():
    lr, setup = demos.TUNED_LRS["saddle"]["adam"], demos.RACES["saddle"]
    ours = training.descend("saddle", setup["start"], "adam", setup["steps"], lr=lr)
    theirs = torch_path(
        "saddle", lambda p: torch.optim.Adam(p, lr=lr), setup["steps"], setup["start"]
    )
    np.testing.assert_allclose(ours.points, theirs, rtol=0, atol=1e-10)


# ---------------------------------------------------------------------------------------------
# Weight decay
# ---------------------------------------------------------------------------------------------


def test_weight_decay_bowl_derivatives_match_autograd():
    bowl = demos.weight_decay_bowl((2.0, 30.0), (1.0, -0.5))
    w = torch.tensor([0.3, 0.7], dtype=torch.float64, requires_grad=True)
    bowl.torch_loss(w).backward()
    np.testing.assert_allclose(bowl.grad(w.detach().numpy()), w.grad.numpy(), rtol=1e-14)
    np.testing.assert_array_equal(bowl.hessian([0.0, 0.0]), [[2.0, 0.0], [0.0, 30.0]])
    assert bowl.min_value == 0.0 and np.array_equal(bowl.global_minimum, [1.0, -0.5])
    assert bowl.window == ((-1.0, 1.5), (-1.0, 1.5))  # the origin and the minimum in view
    with pytest.raises(ValueError, match=r"curvatures\[0\]"):
        demos.weight_decay_bowl((0.0, 1.0))
    with pytest.raises(TypeError, match="center"):
        demos.weight_decay_bowl(center=1.5)


@pytest.mark.parametrize(
    ("name", "torch_cls"), [("adam", torch.optim.Adam), ("adamw", torch.optim.AdamW)]
)
def test_adam_l2_and_adamw_equal_torch(name, torch_cls):
    bowl = demos.weight_decay_bowl()
    ours = training.descend(bowl, (0.0, 0.0), name, 300, lr=0.01, weight_decay=1.0)
    theirs = torch_path(bowl, lambda p: torch_cls(p, lr=0.01, weight_decay=1.0), 300, (0.0, 0.0))
    np.testing.assert_allclose(ours.points, theirs, rtol=0, atol=1e-10)


def test_adam_l2_and_adamw_end_apart():
    bowl = demos.weight_decay_bowl()
    l2 = training.descend(bowl, (0.0, 0.0), "adam", 2000, lr=0.01, weight_decay=1.0)
    decoupled = training.descend(bowl, (0.0, 0.0), "adamw", 2000, lr=0.01, weight_decay=1.0)
    # L2: the minimum of f + ½λ‖w‖², w_i = a_i c_i / (a_i + λ)
    np.testing.assert_allclose(l2.points[-1], [1.5 / 2, 150 / 101], rtol=1e-12)
    # decoupled: both weights alike, whatever their curvature, heading for the corner (1, 1)
    x, y = decoupled.points[-1]
    assert abs(x - y) < 1e-6 and 0.9 < x < 1.0


# ---------------------------------------------------------------------------------------------
# The explorer
# ---------------------------------------------------------------------------------------------


def test_adam_explorer_redraws_and_reports_divergence():
    demo = demos.adam_explorer("beale")
    first = bytes(demo.image.value)
    assert demo.result.lrs[0] == demos.TUNED_LRS["beale"]["adam"]
    assert demo.result.status == "finished"
    demo.set(lr=0.05, beta1=0.5, beta2=0.99)
    assert demo.result.lrs[0] == 0.05 and bytes(demo.image.value) != first
    assert len(demo.redraw_ms) == 2 and demo.error is None
    demo.set(lr=10.0, beta1=0.0, beta2=0.5)
    title = demo.figure.get_suptitle()
    assert demo.result.status == "diverged"
    assert title.startswith("Adam, η = 10, β1 = 0, β2 = 0.5: diverged at")


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"landscape": "himmelblau"}, ValueError, "landscape"),
        ({"lr": 100.0}, ValueError, "lr"),
        ({"beta1": 0.7}, ValueError, "beta1"),
        ({"beta2": "0.999"}, TypeError, "beta2"),
    ],
)
def test_adam_explorer_refuses_bad_settings(kwargs, error, words):
    with pytest.raises(error, match=words):
        demos.adam_explorer(**kwargs)
