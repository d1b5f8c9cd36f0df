"""course_utils.optim against torch.optim (float64, 1e-10) and against its own pure rules."""

import itertools
from functools import partial

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from course_utils import optim

SHAPES = [(5,), (3, 4), (1,)]
STEPS = 60

ALL_CLASSES = [optim.SGD, optim.Adagrad, optim.RMSprop, optim.Adam, optim.AdamW]
# hyperparameters that give every class all of its state
WITH_ALL_STATE = {
    optim.SGD: {"lr": 0.1, "momentum": 0.9, "weight_decay": 0.5},
    optim.Adagrad: {"lr": 0.1, "weight_decay": 0.5},
    optim.RMSprop: {"lr": 0.1, "momentum": 0.9, "centered": True, "weight_decay": 0.5},
    optim.Adam: {"lr": 0.1, "amsgrad": True, "weight_decay": 0.5},
    optim.AdamW: {"lr": 0.1, "amsgrad": True, "weight_decay": 0.5},
}


def _gradient(rng, params):
    """A gradient that depends on the weights (a quadratic pull plus noise), like a real loss."""
    return [0.7 * p + rng.normal(size=p.shape) for p in params]


def _run_both(ours_cls, torch_cls, hyper, dtype=np.float64, lr_change=None, seed=0):
    rng = np.random.default_rng(seed)
    ours = [rng.normal(size=shape).astype(dtype) for shape in SHAPES]
    theirs = [torch.tensor(p.copy(), requires_grad=True) for p in ours]
    opt_ours, opt_torch = ours_cls(ours, **hyper), torch_cls(theirs, **hyper)
    for step in range(STEPS):
        if lr_change and step == STEPS // 2:
            opt_ours.lr = lr_change
            for group in opt_torch.param_groups:
                group["lr"] = lr_change
        grads = _gradient(rng, ours)
        for tensor, grad in zip(theirs, grads, strict=True):
            tensor.grad = torch.tensor(grad)
        opt_ours.step(grads)
        opt_torch.step()
    return ours, [t.detach().numpy() for t in theirs]


def _grid(**options):
    names = list(options)
    return [
        dict(zip(names, values, strict=True)) for values in itertools.product(*options.values())
    ]


SGD_CONFIGS = [
    c
    for c in _grid(
        lr=[0.05, 0.3],
        momentum=[0, 0.5, 0.9],
        dampening=[0, 0.3],
        weight_decay=[0, 0.1],
        nesterov=[False, True],
    )
    if not (c["nesterov"] and (c["momentum"] == 0 or c["dampening"] != 0))
]
ADAGRAD_CONFIGS = _grid(
    lr=[0.01, 0.5],
    lr_decay=[0, 0.05],
    weight_decay=[0, 0.1],
    initial_accumulator_value=[0, 0.3],
    eps=[1e-10, 0.1],
)
RMSPROP_CONFIGS = _grid(
    lr=[0.01],
    alpha=[0.99, 0.5],
    eps=[1e-8, 0.1],
    weight_decay=[0, 0.1],
    momentum=[0, 0.9],
    centered=[False, True],
)
ADAM_CONFIGS = _grid(
    lr=[1e-3, 0.1],
    betas=[(0.9, 0.999), (0.5, 0.9), (0.0, 0.99)],
    eps=[1e-8, 0.1],
    weight_decay=[0, 0.1],
    amsgrad=[False, True],
)

CASES = (
    [(optim.SGD, torch.optim.SGD, c) for c in SGD_CONFIGS]
    + [(optim.Adagrad, torch.optim.Adagrad, c) for c in ADAGRAD_CONFIGS]
    + [(optim.RMSprop, torch.optim.RMSprop, c) for c in RMSPROP_CONFIGS]
    + [(optim.Adam, torch.optim.Adam, c) for c in ADAM_CONFIGS]
    + [(optim.AdamW, torch.optim.AdamW, c) for c in ADAM_CONFIGS]
)


@pytest.mark.parametrize(
    ("ours_cls", "torch_cls", "hyper"),
    CASES,
    ids=[f"{c[0].__name__}-{i}" for i, c in enumerate(CASES)],
)
def test_matches_torch_in_float64(ours_cls, torch_cls, hyper):
    ours, theirs = _run_both(ours_cls, torch_cls, hyper)
    for mine, reference in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(mine, reference, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize(
    ("ours_cls", "torch_cls"),
    [
        (optim.SGD, torch.optim.SGD),
        (optim.Adagrad, torch.optim.Adagrad),
        (optim.RMSprop, torch.optim.RMSprop),
        (optim.Adam, torch.optim.Adam),
        (optim.AdamW, torch.optim.AdamW),
    ],
)
def test_learning_rate_change_mid_run_matches_torch(ours_cls, torch_cls):
    hyper = {"lr": 0.05, "momentum": 0.9} if ours_cls is optim.SGD else {"lr": 0.05}
    ours, theirs = _run_both(ours_cls, torch_cls, hyper, lr_change=0.005)
    for mine, reference in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(mine, reference, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("cls", ALL_CLASSES)
def test_float32_stays_float32_and_tracks_torch(cls):
    hyper = {**WITH_ALL_STATE[cls], "lr": 0.01}
    rng = np.random.default_rng(1)
    ours = [rng.normal(size=(4, 3)).astype(np.float32)]
    theirs = [torch.tensor(ours[0].copy(), requires_grad=True)]
    opt_ours, opt_torch = cls(ours, **hyper), getattr(torch.optim, cls.__name__)(theirs, **hyper)
    for _ in range(20):
        grad = rng.normal(size=(4, 3)).astype(np.float32)
        theirs[0].grad = torch.tensor(grad)
        opt_ours.step([grad])
        opt_torch.step()
    assert ours[0].dtype == np.float32
    arrays = [value for value in opt_ours.state[0].values() if isinstance(value, np.ndarray)]
    assert all(array.dtype == np.float32 for array in arrays)
    np.testing.assert_allclose(ours[0], theirs[0].detach().numpy(), rtol=1e-5, atol=1e-6)


def test_defaults_are_torchs():
    w = [np.zeros(2)]
    assert optim.SGD(w).defaults["lr"] == 1e-3
    assert optim.Adagrad(w).defaults == {
        "lr": 1e-2,
        "lr_decay": 0.0,
        "weight_decay": 0.0,
        "initial_accumulator_value": 0.0,
        "eps": 1e-10,
    }
    rms = optim.RMSprop(w).defaults
    assert (rms["lr"], rms["alpha"], rms["eps"], rms["momentum"]) == (1e-2, 0.99, 1e-8, 0.0)
    adam = optim.Adam(w).defaults
    assert (adam["lr"], adam["betas"], adam["eps"], adam["weight_decay"]) == (
        1e-3,
        (0.9, 0.999),
        1e-8,
        0.0,
    )
    assert optim.AdamW(w).defaults["weight_decay"] == 1e-2


def test_none_gradient_skips_its_parameter_like_torch():
    frozen, moving = np.ones(3), np.ones(3)
    opt = optim.Adam([frozen, moving], lr=0.1)
    opt.step([None, np.ones(3)])
    assert np.all(frozen == 1) and np.all(moving < 1)
    assert opt.state[0]["step"] == 0 and opt.state[1]["step"] == 1


@pytest.mark.parametrize("cls", [optim.Adagrad, optim.RMSprop, optim.Adam, optim.AdamW])
def test_a_parameter_that_sits_out_steps_keeps_its_own_t_like_torch(cls):
    """t counts each parameter's own steps: a None gradient for a while makes its t fall behind
    (and a strided parameter is written in place like any other)."""
    rng = np.random.default_rng(5)
    ours = [rng.normal(size=5), rng.normal(size=(4, 3)).T, rng.normal(size=1)]
    theirs = [torch.tensor(p.copy(), requires_grad=True) for p in ours]
    hyper = {"lr": 0.05, "weight_decay": 0.1}
    if cls in (optim.Adam, optim.AdamW):
        hyper["amsgrad"] = True
    opt_ours = cls(ours, **hyper)
    opt_torch = getattr(torch.optim, cls.__name__)(theirs, **hyper)
    for step in range(30):
        grads = _gradient(rng, ours)
        if 10 <= step < 15:
            grads[1] = None  # the middle parameter sits out five steps
        for tensor, grad in zip(theirs, grads, strict=True):
            tensor.grad = None if grad is None else torch.tensor(grad)
        opt_ours.step(grads)
        opt_torch.step()
    assert [state["step"] for state in opt_ours.state] == [30, 25, 30]
    for mine, reference in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(mine, reference.detach().numpy(), rtol=1e-10, atol=1e-12)


def _state_copy(opt):
    return [
        {
            name: np.copy(value) if isinstance(value, np.ndarray) else value
            for name, value in state.items()
        }
        for state in opt.state
    ]


@pytest.mark.parametrize("cls", ALL_CLASSES)
def test_a_bad_gradient_changes_no_parameter_and_no_state(cls):
    params = [np.ones(3), np.ones(2)]
    opt = cls(params, **WITH_ALL_STATE[cls])
    opt.step([np.full(3, 0.5), np.full(2, 0.5)])
    params_before, state_before = [p.copy() for p in params], _state_copy(opt)
    with pytest.raises(ValueError, match=r"grads\[1\]"):
        opt.step([np.ones(3), np.ones(5)])
    for param, before in zip(params, params_before, strict=True):
        np.testing.assert_array_equal(param, before)
    for state, before in zip(opt.state, state_before, strict=True):
        assert state.keys() == before.keys()
        for name, value in state.items():
            np.testing.assert_array_equal(value, before[name])


@pytest.mark.parametrize("cls", ALL_CLASSES)
def test_step_does_not_modify_the_gradient(cls):
    grad = np.full(3, 2.0)
    opt = cls([np.ones(3)], **WITH_ALL_STATE[cls])
    for _ in range(3):
        opt.step([grad])
    assert np.all(grad == 2.0)


@pytest.mark.parametrize("cls", ALL_CLASSES)
def test_a_0d_parameter_with_momentum_and_weight_decay_matches_torch(cls):
    """grad + λw is a NumPy scalar for a 0-d parameter; the state must still update in place."""
    hyper = {"lr": 0.05, "weight_decay": 0.1}
    if cls is optim.SGD:
        hyper["momentum"] = 0.9
    ours, theirs = np.array(1.5), torch.tensor(1.5, dtype=torch.float64, requires_grad=True)
    opt_ours, opt_torch = (
        cls([ours], **hyper),
        getattr(torch.optim, cls.__name__)([theirs], **hyper),
    )
    for grad in np.linspace(-1.0, 2.0, 30):
        theirs.grad = torch.tensor(grad, dtype=torch.float64)
        opt_ours.step([np.array(grad)])
        opt_torch.step()
    np.testing.assert_allclose(ours, theirs.detach().numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("cls", ALL_CLASSES)
def test_the_parameter_itself_as_its_gradient_matches_torch(cls):
    """step([w]) for ½‖w‖²: updating w in place must not change the gradient mid-step."""
    hyper = WITH_ALL_STATE[cls]
    ours = np.array([1.0, -2.0, 3.0])
    theirs = torch.tensor(ours.copy(), requires_grad=True)
    opt_ours, opt_torch = (
        cls([ours], **hyper),
        getattr(torch.optim, cls.__name__)([theirs], **hyper),
    )
    for _ in range(20):
        theirs.grad = theirs.detach().clone()
        opt_ours.step([ours])
        opt_torch.step()
    np.testing.assert_allclose(ours, theirs.detach().numpy(), rtol=1e-10, atol=1e-12)


# ----- pure update rules ------------------------------------------------------------------


def _torch_steps(torch_cls, w, grads, **hyper):
    tensor = torch.tensor(np.array(w, dtype=np.float64), requires_grad=True)
    opt = torch_cls([tensor], **hyper)
    for grad in grads:
        tensor.grad = torch.tensor(grad)
        opt.step()
    return tensor.detach().numpy()


@pytest.fixture
def run():
    rng = np.random.default_rng(3)
    w = rng.normal(size=(3, 2))
    grads = [rng.normal(size=(3, 2)) for _ in range(25)]
    return w, grads


def test_sgd_update_is_torch_sgd(run):
    w, grads = run
    for grad in grads:
        w = optim.sgd_update(w, grad, lr=0.1)
    np.testing.assert_allclose(w, _torch_steps(torch.optim.SGD, run[0], grads, lr=0.1), rtol=1e-12)


@pytest.mark.parametrize("nesterov", [False, True])
def test_momentum_update_is_torch_sgd_with_momentum(run, nesterov):
    w, grads = run
    velocity = np.zeros_like(w)
    for grad in grads:
        w, velocity = optim.momentum_update(w, grad, velocity, lr=0.1, nesterov=nesterov)
    expected = _torch_steps(torch.optim.SGD, run[0], grads, lr=0.1, momentum=0.9, nesterov=nesterov)
    np.testing.assert_allclose(w, expected, rtol=1e-12)


def test_adagrad_update_is_torch_adagrad(run):
    w, grads = run
    sum_sq = np.zeros_like(w)
    for grad in grads:
        w, sum_sq = optim.adagrad_update(w, grad, sum_sq, lr=0.3)
    expected = _torch_steps(torch.optim.Adagrad, run[0], grads, lr=0.3)
    np.testing.assert_allclose(w, expected, rtol=1e-12)


def test_rmsprop_update_is_torch_rmsprop(run):
    w, grads = run
    sq_avg = np.zeros_like(w)
    for grad in grads:
        w, sq_avg = optim.rmsprop_update(w, grad, sq_avg, lr=0.01, alpha=0.9, eps=1e-3)
    expected = _torch_steps(torch.optim.RMSprop, run[0], grads, lr=0.01, alpha=0.9, eps=1e-3)
    np.testing.assert_allclose(w, expected, rtol=1e-12)


def test_adam_update_is_torch_adam(run):
    w, grads = run
    m, v = np.zeros_like(w), np.zeros_like(w)
    for t, grad in enumerate(grads, start=1):
        w, m, v = optim.adam_update(w, grad, m, v, t, lr=0.05, beta1=0.8, eps=0.1)
    expected = _torch_steps(torch.optim.Adam, run[0], grads, lr=0.05, betas=(0.8, 0.999), eps=0.1)
    np.testing.assert_allclose(w, expected, rtol=1e-12)


def test_adam_first_step_moves_every_weight_by_about_lr():
    """Bias correction makes the first step ±η whatever the gradient's scale."""
    grad = np.array([1e-6, -3.0, 250.0])
    w, _, _ = optim.adam_update(np.zeros(3), grad, np.zeros(3), np.zeros(3), t=1, lr=0.01)
    np.testing.assert_allclose(w, -0.01 * np.sign(grad), rtol=1e-2)


PURE_CALLS = {
    "sgd_update": lambda w, g: optim.sgd_update(w, g, 0.1),
    "momentum_update": lambda w, g: optim.momentum_update(w, g, w * 0 + 0.5, 0.1),
    "adagrad_update": lambda w, g: optim.adagrad_update(w, g, w * 0 + 0.5),
    "rmsprop_update": lambda w, g: optim.rmsprop_update(w, g, w * 0 + 0.5),
    "adam_update": lambda w, g: optim.adam_update(w, g, w * 0 + 0.1, w * 0 + 0.5, 3),
}


@pytest.mark.parametrize("name", PURE_CALLS)
def test_pure_rules_never_modify_inputs_and_keep_float32(name):
    w = np.arange(6, dtype=np.float32).reshape(2, 3)
    grad = np.ones((2, 3), dtype=np.float32)
    w_before, grad_before = w.copy(), grad.copy()
    result = PURE_CALLS[name](w, grad)
    new_w = result if isinstance(result, np.ndarray) else result[0]
    assert new_w is not w and new_w.dtype == np.float32
    assert np.array_equal(w, w_before) and np.array_equal(grad, grad_before)


# (pure rule with its hyperparameters, the class with the same ones, the class's names for the
# rule's state, in the rule's order)
RULES_AND_CLASSES = {
    "sgd": (partial(optim.sgd_update, lr=0.1), optim.SGD, {"lr": 0.1}, ()),
    "momentum": (
        partial(optim.momentum_update, lr=0.1, momentum=0.9),
        optim.SGD,
        {"lr": 0.1, "momentum": 0.9},
        ("velocity",),
    ),
    "nesterov": (
        partial(optim.momentum_update, lr=0.1, momentum=0.9, nesterov=True),
        optim.SGD,
        {"lr": 0.1, "momentum": 0.9, "nesterov": True},
        ("velocity",),
    ),
    "adagrad": (
        partial(optim.adagrad_update, lr=0.3, eps=1e-3),
        optim.Adagrad,
        {"lr": 0.3, "eps": 1e-3},
        ("sum_sq",),
    ),
    "rmsprop": (
        partial(optim.rmsprop_update, lr=0.01, alpha=0.9, eps=1e-3),
        optim.RMSprop,
        {"lr": 0.01, "alpha": 0.9, "eps": 1e-3},
        ("sq_avg",),
    ),
    "adam": (
        partial(optim.adam_update, lr=0.05, beta1=0.8, beta2=0.99, eps=1e-3),
        optim.Adam,
        {"lr": 0.05, "betas": (0.8, 0.99), "eps": 1e-3},
        ("exp_avg", "exp_avg_sq"),
    ),
}


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("shape", [(3, 2), ()])
@pytest.mark.parametrize("name", RULES_AND_CLASSES)
def test_classes_apply_the_pure_rules_step_for_step(name, shape, dtype):
    """The class without its options is the rule: the same weights and state at every step,
    to the last bit, because both run the same formula."""
    rule, cls, hyper, state_names = RULES_AND_CLASSES[name]
    rng = np.random.default_rng(7)
    w = rng.normal(size=shape).astype(dtype)
    state = [np.zeros(shape, dtype) for _ in state_names]
    param = w.copy()
    opt = cls([param], **hyper)
    for t in range(1, 16):
        grad = rng.normal(size=shape).astype(dtype)
        result = rule(w, grad, *state, t) if name == "adam" else rule(w, grad, *state)
        w, *state = result if state_names else (result,)
        opt.step([grad])
        np.testing.assert_array_equal(param, w)
        for state_name, value in zip(state_names, state, strict=True):
            np.testing.assert_array_equal(opt.state[0][state_name], value)
    assert param.dtype == dtype


# ----- bad input --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "error", "words"),
    [
        (lambda: optim.SGD([np.zeros(2)], lr=-0.1), ValueError, "lr"),
        (lambda: optim.SGD([np.zeros(2)], lr="0.1"), TypeError, "lr"),
        (lambda: optim.SGD([np.zeros(2)], lr=0.1, momentum=-1), ValueError, "momentum"),
        (lambda: optim.SGD([np.zeros(2)], lr=0.1, nesterov=True), ValueError, "Nesterov"),
        (
            lambda: optim.SGD([np.zeros(2)], momentum=0.9, dampening=0.1, nesterov=True),
            ValueError,
            "dampening",
        ),
        (lambda: optim.SGD(np.zeros(2)), TypeError, "list"),
        (lambda: optim.SGD([]), ValueError, "empty"),
        (lambda: optim.SGD([[1.0, 2.0]]), TypeError, "params[0]"),
        (lambda: optim.SGD([np.zeros(2, dtype=int)]), TypeError, "float"),
        (lambda: optim.Adagrad([np.zeros(2)], lr_decay=-1), ValueError, "lr_decay"),
        (lambda: optim.Adagrad([np.zeros(2)], eps=-1), ValueError, "eps"),
        (
            lambda: optim.Adagrad([np.zeros(2)], initial_accumulator_value=-1),
            ValueError,
            "initial_accumulator_value",
        ),
        (lambda: optim.RMSprop([np.zeros(2)], alpha=-0.1), ValueError, "alpha"),
        (lambda: optim.RMSprop([np.zeros(2)], alpha=1.5), ValueError, "alpha"),
        (lambda: optim.Adam([np.zeros(2)], betas=(1.0, 0.999)), ValueError, "betas[0]"),
        (lambda: optim.Adam([np.zeros(2)], betas=(0.9, -0.1)), ValueError, "betas[1]"),
        (lambda: optim.Adam([np.zeros(2)], betas=0.9), TypeError, "betas"),
        (lambda: optim.AdamW([np.zeros(2)], weight_decay=-0.01), ValueError, "weight_decay"),
        (lambda: optim.Adam([np.zeros(2)], eps=float("nan")), ValueError, "eps"),
    ],
)
def test_bad_hyperparameters_are_refused_with_a_message(make, error, words):
    with pytest.raises(error, match=words.replace("[", r"\[").replace("]", r"\]")):
        make()


def test_bad_gradients_are_refused():
    opt = optim.Adam([np.zeros(3)], lr=0.1)
    with pytest.raises(ValueError, match="1 parameters"):
        opt.step([np.zeros(3), np.zeros(3)])
    with pytest.raises(ValueError, match="shape"):
        opt.step([np.zeros(4)])
    with pytest.raises(TypeError, match="list"):
        opt.step(np.zeros(3))
    with pytest.raises(ValueError, match="lr"):
        opt.lr = -1


@pytest.mark.parametrize(
    ("call", "words"),
    [
        (lambda: optim.sgd_update([1.0, 2.0], [1.0], 0.1), "shape"),
        (lambda: optim.sgd_update(np.ones(2), np.ones(2), -0.1), "lr"),
        (lambda: optim.sgd_update(np.array([np.nan, 1.0]), np.ones(2), 0.1), "NaN"),
        (lambda: optim.sgd_update("w", np.ones(2), 0.1), "w"),
        (lambda: optim.momentum_update(np.ones(2), np.ones(2), np.ones(3), 0.1), "velocity"),
        (lambda: optim.momentum_update(np.ones(2), np.ones(2), np.ones(2), 0.1, 1.0), "momentum"),
        (
            lambda: optim.momentum_update(np.ones(2), np.ones(2), np.ones(2), 0.1, nesterov="yes"),
            "nesterov",
        ),
        (lambda: optim.adagrad_update(np.ones(2), np.ones(2), np.ones(2), eps=-1), "eps"),
        (lambda: optim.rmsprop_update(np.ones(2), np.ones(2), np.ones(2), alpha=1.2), "alpha"),
        (lambda: optim.adagrad_update(np.ones(2), np.ones(2), -np.ones(2)), "sum_sq holds"),
        (
            lambda: optim.rmsprop_update(np.ones(2), np.ones(2), np.array([0.1, -0.1])),
            "sq_avg holds",
        ),
        (lambda: optim.adam_update(np.ones(2), np.ones(2), np.ones(2), -np.ones(2), 1), "v holds"),
        (lambda: optim.adam_update(np.ones(2), np.ones(2), np.ones(2), np.ones(2), 0), "t"),
        (lambda: optim.adam_update(np.ones(2), np.ones(2), np.ones(2), np.ones(2), 1.5), "t"),
        (
            lambda: optim.adam_update(np.ones(2), np.ones(2), np.ones(2), np.ones(2), 1, beta1=1),
            "beta1",
        ),
        (
            lambda: optim.adam_update(np.ones(2), np.ones(2), np.ones(2), np.ones(2), 1, beta2=-1),
            "beta2",
        ),
    ],
)
def test_pure_rules_refuse_bad_input(call, words):
    with pytest.raises((ValueError, TypeError), match=words):
        call()


@given(lr=st.one_of(st.floats(max_value=-1e-12), st.just(float("inf")), st.just(float("nan"))))
def test_no_invalid_learning_rate_is_accepted(lr):
    with pytest.raises(ValueError, match="lr"):
        optim.Adam([np.zeros(2)], lr=lr)
    with pytest.raises(ValueError, match="lr"):
        optim.sgd_update(np.zeros(2), np.zeros(2), lr)


@given(beta=st.one_of(st.floats(min_value=1.0), st.floats(max_value=-1e-12)))
def test_no_invalid_beta_is_accepted(beta):
    with pytest.raises(ValueError, match="beta"):
        optim.adam_update(np.ones(2), np.ones(2), np.ones(2), np.ones(2), 1, beta1=beta)
