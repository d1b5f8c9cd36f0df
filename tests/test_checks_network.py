"""check_training_choice and check_filter_normalize: right recipes pass, wrong ones are named."""

import numpy as np
import pytest
import torch

from course_utils.checks.feedback import CheckFailed
from course_utils.checks.network import (
    EPOCH_BUDGET,
    check_filter_normalize,
    check_training_choice,
)

# ---------------------------------------------------------------------------------------------
# check_training_choice (lesson 11)
# ---------------------------------------------------------------------------------------------


@pytest.fixture(autouse=True, scope="module")
def _one_thread():
    # Tiny matrices: a second thread costs more than it saves, and much more on a busy machine.
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def adam_one_cycle(model, total_steps):
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=1e-2, total_steps=total_steps, cycle_momentum=False
    )
    return optimizer, scheduler


def adamw_one_cycle(model, total_steps):
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-2, weight_decay=0.05)
    return optimizer, torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=1e-2, total_steps=total_steps, pct_start=0.25, cycle_momentum=False
    )


@pytest.mark.parametrize("recipe", [adam_one_cycle, adamw_one_cycle])
def test_good_recipes_pass(recipe, capsys):
    check_training_choice(recipe, EPOCH_BUDGET, 32)
    assert capsys.readouterr().out.startswith("✔ your recipe reaches 9")


def test_too_slow_a_recipe_fails_and_says_the_network_is_still_learning():
    def slow(model, total_steps):
        return torch.optim.SGD(model.parameters(), lr=0.01), None

    with pytest.raises(CheckFailed, match=r"training loss is still .*larger learning rate"):
        check_training_choice(slow, 3, 64)


def test_a_diverging_recipe_is_named():
    def huge(model, total_steps):
        return torch.optim.SGD(model.parameters(), lr=1e4), None

    with pytest.raises(CheckFailed, match="diverged .*too large"):
        check_training_choice(huge, 2, 32)


@pytest.mark.parametrize(
    ("epochs", "batch_size", "message"),
    [
        (EPOCH_BUDGET + 1, 32, "budget"),
        (0, 32, "EPOCHS must be between"),
        (2.5, 32, "whole number"),
        (2, 4, "BATCH_SIZE must be between"),
        (2, True, "whole number"),
    ],
)
def test_the_budget_is_enforced(epochs, batch_size, message):
    with pytest.raises(CheckFailed, match=message):
        check_training_choice(adam_one_cycle, epochs, batch_size)


@pytest.mark.parametrize(
    ("recipe", "message"),
    [
        (lambda model, steps: torch.optim.Adam(model.parameters()), "returned an Adam; it must"),
        (
            lambda model, steps: [torch.optim.Adam(model.parameters()), None],
            "returned a list of 2; it must return a pair",
        ),
        (
            lambda model, steps: (torch.optim.Adam(model.parameters(), lr=-1.0), None),
            "make_optimizer raised ValueError: Invalid learning rate: -1.0 .line",
        ),
        (lambda model, steps: ("adam", None), "not a torch.optim optimizer"),
        (
            lambda model, steps: (torch.optim.Adam(torch.nn.Linear(2, 2).parameters()), None),
            "does not hold the parameters",
        ),
        (
            lambda model, steps: (torch.optim.Adam(model.parameters()), 0.01),
            "lr_scheduler scheduler",
        ),
        (
            lambda model, steps: (
                torch.optim.Adam(model.parameters()),
                torch.optim.lr_scheduler.StepLR(torch.optim.SGD(model.parameters()), 5),
            ),
            "different optimizer",
        ),
    ],
)
def test_malformed_recipes_are_explained(recipe, message):
    with pytest.raises(CheckFailed, match=message) as failure:
        check_training_choice(recipe, 1, 256)
    assert "\n" not in str(failure.value)


def test_a_one_cycle_too_short_for_the_run_is_reported():
    def short(model, total_steps):
        optimizer = torch.optim.Adam(model.parameters())
        scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, 1e-2, total_steps=3)
        return optimizer, scheduler

    with pytest.raises(CheckFailed, match="Training stopped .*total steps is 3.*total_steps"):
        check_training_choice(short, 1, 256)


# ---------------------------------------------------------------------------------------------
# check_filter_normalize (lesson 12)
# ---------------------------------------------------------------------------------------------


def _row_norms(a):
    return np.sqrt(np.sum(a * a, axis=tuple(range(1, a.ndim)), keepdims=True))


def normalize_textbook(direction, weights):
    if direction.ndim < 2:
        return np.zeros_like(direction)
    d_norm, w_norm = _row_norms(direction), _row_norms(weights)
    safe = np.where(d_norm > 0, d_norm, 1)
    return direction / safe * w_norm


def normalize_loop(direction, weights):
    out = np.zeros_like(direction)
    if direction.ndim >= 2:
        for i in range(direction.shape[0]):
            norm = np.linalg.norm(direction[i])
            if norm > 0:
                out[i] = direction[i] * (np.linalg.norm(weights[i]) / norm)
    return out


def normalize_reshaped(direction, weights):
    if direction.ndim < 2:
        return direction * 0
    d = direction.reshape(len(direction), -1)
    w = weights.reshape(len(weights), -1)
    d_norm = np.linalg.norm(d, axis=1, keepdims=True)
    scale = np.divide(
        np.linalg.norm(w, axis=1, keepdims=True),
        d_norm,
        where=d_norm != 0,
        out=np.zeros_like(d_norm),
    )
    return (d * scale).reshape(direction.shape)


@pytest.mark.parametrize("fn", [normalize_textbook, normalize_loop, normalize_reshaped])
def test_correct_filter_normalizations_pass(fn, capsys):
    check_filter_normalize(fn)
    assert capsys.readouterr().out.startswith("✔ filter_normalize matches")


def _norm_all(d, w):
    return d * (np.linalg.norm(w) / np.linalg.norm(d)) if d.ndim > 1 else np.zeros_like(d)


def _columns(d, w):
    if d.ndim < 2:
        return np.zeros_like(d)
    return d * np.linalg.norm(w, axis=0, keepdims=True) / np.linalg.norm(d, axis=0, keepdims=True)


def _unit(d, w):
    return d / _row_norms(d) if d.ndim > 1 else np.zeros_like(d)


def _upside_down(d, w):
    return d * _row_norms(d) / _row_norms(w) if d.ndim > 1 else np.zeros_like(d)


def _squared(d, w):
    return d * _row_norms(w) ** 2 / _row_norms(d) ** 2 if d.ndim > 1 else np.zeros_like(d)


def _elementwise(d, w):
    return d * w if d.ndim > 1 else np.zeros_like(d)


def _bias_kept(d, w):
    return d * _row_norms(w) / _row_norms(d) if d.ndim > 1 else d.copy()


def _bias_rescaled(d, w):
    if d.ndim > 1:
        return d * _row_norms(w) / _row_norms(d)
    return d * np.linalg.norm(w) / np.linalg.norm(d)


def _nan_on_zero_filters(d, w):
    return d / _row_norms(d) * _row_norms(w) if d.ndim > 1 else np.zeros_like(d)


def _in_place(d, w):
    if d.ndim < 2:
        d[...] = 0
        return d
    d *= _row_norms(w) / np.where(_row_norms(d) > 0, _row_norms(d), 1)
    return d


def _float64(d, w):
    return normalize_textbook(d.astype(np.float64), w.astype(np.float64))


def _scalar_rescaled(d, w):
    if d.ndim == 1:  # a bias; but a scalar (ndim 0) must get zero too
        return np.zeros_like(d)
    return normalize_textbook(d, w) if d.ndim > 1 else d * np.abs(w) / np.abs(d)


@pytest.mark.parametrize(
    ("fn", "message"),
    [
        (_norm_all, "whole array at once"),
        (_columns, "along the first axis .columns."),
        (_unit, "did not multiply by ‖w_i‖"),
        (_upside_down, "upside down"),
        (_squared, "squared norms"),
        (_elementwise, "entry by entry"),
        (_bias_kept, "zeros, not d itself"),
        (_bias_rescaled, "not be rescaled"),
        (_nan_on_zero_filters, "NaN"),
        (_in_place, "changed its input `direction` in place"),
        (_float64, "float64 instead of float32"),
        (_scalar_rescaled, "case 10 of 10, a scalar parameter, shape"),
    ],
)
def test_wrong_filter_normalizations_are_caught_and_named(fn, message):
    with np.errstate(all="ignore"), pytest.raises(CheckFailed, match=message):
        check_filter_normalize(fn)
