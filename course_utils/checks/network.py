r"""Checks for lessons 11 and 12: a training recipe that works, and filter normalization.

- ``check_training_choice(make_optimizer, epochs, batch_size)`` (lesson 11) trains the
  lesson's network, ``network.mlp(64, (128,), 10, seed=s)`` on ``data.load_digits``, for
  seeds s = 0 and 1 with ``network.fit(..., per="step", seed=s)``, where
  ``make_optimizer(model, total_steps)`` returns ``(optimizer, scheduler or None)``, and
  passes when the final test accuracy reaches ``TARGET_ACCURACY`` with both seeds within
  ``EPOCH_BUDGET`` epochs. When it does not, the message says which way to go.
- ``check_filter_normalize(fn)`` (lesson 12) compares ``fn(direction, weights)`` with
  ``loss_slices.filter_normalize`` on matrices, convolution filters, biases, float32 and a
  filter of zeros, and names the usual mistakes (the whole array rescaled at once, columns
  instead of rows, the weights' norm left out, biases or scalars not zeroed, ...).
"""

import math

import numpy as np

from .. import loss_slices
from .feedback import Case, CheckFailed, Mutant, check_function, describe_error, with_article

__all__ = ["check_training_choice", "check_filter_normalize", "EPOCH_BUDGET", "TARGET_ACCURACY"]

EPOCH_BUDGET = 6
TARGET_ACCURACY = 0.97
BATCH_SIZES = (16, 512)  # smallest and largest allowed: tiny batches make grading slow
SEEDS = (0, 1)


def check_training_choice(make_optimizer, epochs, batch_size):
    """Train the lesson's network with your recipe on two seeds; pass at ≥ 97 % test accuracy."""
    __tracebackhide__ = True
    import torch

    from .. import data, network
    from ..training import DivergenceError

    epochs, batch_size = _budget(epochs, batch_size)
    if not callable(make_optimizer):
        raise TypeError(f"make_optimizer must be your function, got {make_optimizer!r}")
    X_train, X_test, y_train, y_test = data.load_digits(dtype=np.float32)
    total_steps = epochs * math.ceil(len(X_train) / batch_size)
    accuracies, train_losses = [], []
    for seed in SEEDS:
        model = network.mlp(64, (128,), 10, seed=seed)
        optimizer, scheduler = _recipe(make_optimizer, model, total_steps, torch)
        try:
            history = network.fit(
                model,
                optimizer,
                X_train,
                y_train,
                X_test,
                y_test,
                epochs=epochs,
                batch_size=batch_size,
                schedule=scheduler,
                per="step",
                seed=seed,
                progress=False,
            )
        except DivergenceError as error:
            raise CheckFailed(
                f"Training diverged with seed {seed}: {str(error).split(' — ')[0]}. The "
                "learning rate (or a schedule's peak) is too large for this network."
            ) from None
        except ValueError as error:  # e.g. OneCycleLR stepped past its total_steps
            raise CheckFailed(
                f"Training stopped with seed {seed}: {error}. Build the schedule for the "
                f"whole run: total_steps (here {total_steps}) is passed to make_optimizer."
            ) from None
        accuracies.append(history.test_accuracy[-1])
        train_losses.append(history.train_loss[-1])
    shown = " and ".join(f"{a:.2%}" for a in accuracies)
    if min(accuracies) < TARGET_ACCURACY:
        raise CheckFailed(
            f"Final test accuracy {shown} (seeds {SEEDS[0]} and {SEEDS[1]}) after {epochs} "
            f"epochs; both must reach {TARGET_ACCURACY:.0%}. {_advice(max(train_losses))}"
        )
    print(
        f"✔ your recipe reaches {shown} test accuracy (seeds {SEEDS[0]} and {SEEDS[1]}) in "
        f"{epochs} epochs of batches of {batch_size}."
    )


def _budget(epochs, batch_size):
    for name, value in (("EPOCHS", epochs), ("BATCH_SIZE", batch_size)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            raise CheckFailed(f"{name} must be a whole number, got {value!r}.")
    if not 1 <= epochs <= EPOCH_BUDGET:
        raise CheckFailed(
            f"EPOCHS must be between 1 and the budget of {EPOCH_BUDGET}, got {epochs}."
        )
    low, high = BATCH_SIZES
    if not low <= batch_size <= high:
        raise CheckFailed(f"BATCH_SIZE must be between {low} and {high}, got {batch_size}.")
    return int(epochs), int(batch_size)


def _recipe(make_optimizer, model, total_steps, torch):
    """(optimizer, scheduler) from the learner's function, or a CheckFailed saying what is off."""
    try:
        result = make_optimizer(model, total_steps)
    except Exception as error:
        what, hint = describe_error(error, "make_optimizer", "(model, total_steps)")
        raise CheckFailed(f"make_optimizer {what}." + (f" {hint}" if hint else "")) from None
    if not (isinstance(result, tuple) and len(result) == 2):
        # the type, not the repr: an optimizer's repr runs over many lines
        size = f" of {len(result)}" if isinstance(result, (tuple, list)) else ""
        raise CheckFailed(
            f"make_optimizer returned {with_article(result)}{size}; it must return a "
            "pair (optimizer, scheduler), with None as the scheduler for a constant rate."
        )
    optimizer, scheduler = result
    if not isinstance(optimizer, torch.optim.Optimizer):
        raise CheckFailed(
            f"The first value make_optimizer returned is {type(optimizer).__name__}, not a "
            "torch.optim optimizer such as torch.optim.Adam(model.parameters(), lr=...)."
        )
    given = {id(p) for group in optimizer.param_groups for p in group["params"]}
    if given != {id(p) for p in model.parameters()}:
        raise CheckFailed(
            "The optimizer does not hold the parameters of the model passed to make_optimizer: "
            "build it on model.parameters() of that model."
        )
    lr_scheduler = torch.optim.lr_scheduler
    if scheduler is not None and not isinstance(scheduler, lr_scheduler.LRScheduler):
        raise CheckFailed(
            f"The second value make_optimizer returned is {type(scheduler).__name__}; it must "
            "be a torch.optim.lr_scheduler scheduler on that optimizer, or None."
        )
    if scheduler is not None and scheduler.optimizer is not optimizer:
        raise CheckFailed("The scheduler drives a different optimizer: build it on yours.")
    if isinstance(scheduler, lr_scheduler.ReduceLROnPlateau):
        raise CheckFailed("ReduceLROnPlateau needs a metric each epoch; choose a step schedule.")
    return optimizer, scheduler


def _advice(train_loss):
    if train_loss > 0.05:
        return (
            f"The training loss is still {train_loss:.3f}: the network has not finished "
            "learning. Try a larger learning rate, an adaptive optimizer, or a schedule that "
            "spends the budget well (one-cycle, cosine)."
        )
    return (
        f"The training loss is already {train_loss:.4f}, so the network fits the training set; "
        "the test accuracy is what is short. Try ending at a smaller learning rate (a schedule "
        "that anneals to near 0), or weight decay (AdamW)."
    )


# ---------------------------------------------------------------------------------------------
# Filter normalization (lesson 12)
# ---------------------------------------------------------------------------------------------


def check_filter_normalize(fn):
    r"""Check ``fn(direction, weights) -> direction``: $d_i \leftarrow d_i\,\lVert w_i\rVert /
    \lVert d_i\rVert$ for each filter (first-axis slice) i; zeros for a bias."""
    __tracebackhide__ = True
    check_function(
        fn,
        "filter_normalize",
        reference=loss_slices.filter_normalize,
        cases=_filter_cases(seed=120),
        outputs=("direction",),
        mutants=_FILTER_MUTANTS,
    )


def _filter_cases(seed):
    rng = np.random.default_rng(seed)

    def pair(shape, dtype=np.float64, scale=1.0):
        d = np.round(rng.normal(size=shape), 2).astype(dtype)
        w = np.round(scale * rng.normal(size=shape), 2).astype(dtype)
        return d, w

    cases = [
        Case("a Linear layer's (3, 4) weight matrix", pair((3, 4), scale=2.0)),
        Case("a tall (5, 2) matrix", pair((5, 2), scale=0.3)),
        Case("a (4, 4) matrix", pair((4, 4), scale=5.0)),
        Case("convolution filters (2, 3, 2, 2)", pair((2, 3, 2, 2))),
        Case("one filter (1, 6)", pair((1, 6), scale=3.0)),
        Case("a bias (4,)", pair((4,))),
        Case("float32 (3, 5)", pair((3, 5), np.float32, scale=2.0)),
        Case("float32 bias (3,)", pair((3,), np.float32)),
    ]
    d, w = pair((3, 3), scale=2.0)
    d[1] = 0.0
    cases.append(Case("a filter of the direction that is all zeros", (d, w)))
    cases.append(Case("a scalar parameter, shape ()", tuple(np.asarray(a) for a in pair(()))))
    return cases


def _filter_norms(array, axis=None):
    """Norms of the first-axis slices (axis=None) or along ``axis``, kept for broadcasting."""
    axes = tuple(range(1, array.ndim)) if axis is None else (axis,)
    return np.sqrt(np.sum(array * array, axis=axes, keepdims=True))


def _rescaled(direction, factor):
    with np.errstate(all="ignore"):
        return (direction * factor).astype(direction.dtype, copy=False)


def _normalize_with(scale, bias=None):
    """A mutant: matrices get ``scale(d, w)``, biases get ``bias(d, w)`` (reference's zeros)."""

    def normalize(direction, weights):
        if direction.ndim < 2:
            return np.zeros_like(direction) if bias is None else bias(direction, weights)
        return _rescaled(direction, scale(direction, weights))

    return normalize


_FILTER_MUTANTS = [
    Mutant(
        _normalize_with(lambda d, w: np.linalg.norm(w) / np.linalg.norm(d)),
        "you rescaled the whole array at once (‖d‖ and ‖w‖ over all entries); filter "
        "normalization gives each filter (each row, each slice along the first axis) the "
        "norm of the same filter of the weights.",
    ),
    Mutant(
        _normalize_with(lambda d, w: _filter_norms(w, axis=0) / _filter_norms(d, axis=0)),
        "you normalized along the first axis (columns); a filter is a slice along the first "
        "axis, so take the norms over all the other axes: axis=tuple(range(1, d.ndim)).",
    ),
    Mutant(
        _normalize_with(lambda d, w: 1 / _filter_norms(d)),
        "each filter has norm 1: you divided by ‖d_i‖ but did not multiply by ‖w_i‖.",
    ),
    Mutant(
        _normalize_with(lambda d, w: _filter_norms(d) / _filter_norms(w)),
        "the ratio is upside down: multiply by ‖w_i‖ / ‖d_i‖, not ‖d_i‖ / ‖w_i‖.",
    ),
    Mutant(
        _normalize_with(lambda d, w: _filter_norms(w) ** 2 / _filter_norms(d) ** 2),
        "you used squared norms (sums of squares) without the square root.",
    ),
    Mutant(
        _normalize_with(lambda d, w: w),
        "you multiplied d by w entry by entry; filter normalization rescales each filter as "
        "a whole, by the ratio of two norms.",
    ),
    Mutant(
        _normalize_with(lambda d, w: _filter_norms(w) / _filter_norms(d), bias=lambda d, w: d),
        "a bias (fewer than two axes, a scalar too) must get a direction of zeros, not d itself.",
    ),
    Mutant(
        _normalize_with(
            lambda d, w: _filter_norms(w) / _filter_norms(d),
            bias=lambda d, w: _rescaled(d, np.linalg.norm(w) / np.linalg.norm(d)),
        ),
        "a bias (fewer than two axes, a scalar too) must get a direction of zeros, not be rescaled "
        "like a filter.",
    ),
    Mutant(
        _normalize_with(lambda d, w: _filter_norms(w) / _filter_norms(d)),
        "a filter of zeros came out as NaN (0/0): leave filters whose norm is 0 at zero, "
        "e.g. with np.divide(..., where=norm > 0) or by skipping them.",
    ),
]
