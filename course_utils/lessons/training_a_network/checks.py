r"""The check of the training-a-network lesson: a training recipe that works.

``check_training_choice(make_optimizer, epochs, batch_size)`` trains the lesson's network,
``network.mlp(64, (128,), 10, seed=s)`` on ``data.load_digits``'s training set, for seeds
s = 0 and 1, with the lesson's loop (``loop.train``: batches in the order
``default_rng(s).permutation``, the scheduler stepped after each optimizer step), where
``make_optimizer(model, total_steps)`` returns ``(optimizer, scheduler or None)``. It passes
when the final validation accuracy reaches ``TARGET_ACCURACY`` with both seeds within
``EPOCH_BUDGET`` epochs; the test set is never read. When it does not, the message says
which way to go, from the training loss after each epoch: a smaller rate when the loss ends
above its start or rises, more epochs or a larger rate while it still falls, and a better
finish once the training set is fit. A challenge, not a table of cases: it speaks with the
engine's ``passed`` and ``CheckFailed``. Choosing the optimizer and the schedule is the
exercise, so its solution may use torch (``torch.optim`` and its schedulers included), NumPy
and ``math``.
"""

import math
import typing

import numpy as np

from ...checks import CheckFailed, describe_error, graded_on, passed, with_article
from ...policy import Policy

__all__ = ["check_training_choice", "EPOCH_BUDGET", "TARGET_ACCURACY"]

EPOCH_BUDGET = 6
TARGET_ACCURACY = 0.96
LOW_LOSS = 0.05  # a training loss below this: the network fits the training set
BATCH_SIZES = (16, 512)  # smallest and largest allowed: tiny batches make grading slow
SEEDS = (0, 1)
RECIPE = Policy(
    imports=("torch", "numpy", "math"), names=("torch", "np", "math"), label="torch, NumPy and math"
)


@graded_on(RECIPE)
def check_training_choice(make_optimizer, epochs, batch_size):
    """Train the lesson's network with your recipe on two seeds; pass at ≥ 96 % validation
    accuracy."""
    __tracebackhide__ = True
    import torch

    from ... import data, network
    from . import loop

    epochs, batch_size = _budget(epochs, batch_size)
    if not callable(make_optimizer):
        raise TypeError(f"make_optimizer must be your function, got {make_optimizer!r}")
    digits = data.Digits(*(torch.as_tensor(part) for part in data.load_digits(dtype=np.float32)))
    total_steps = epochs * math.ceil(len(digits.y_train) / batch_size)
    accuracies, runs = [], []
    # one torch thread: on matrices this small, more threads only wait on each other
    with network.torch_threads(1):
        for seed in SEEDS:
            model = network.mlp(64, (128,), 10, seed=seed)
            optimizer, scheduler = _recipe(make_optimizer, model, total_steps, torch)
            run = _Run(optimizer, scheduler, [network.evaluate(model, *digits.train)[0]], [])
            hook = optimizer.register_step_pre_hook(
                lambda opt, args, kwargs, rates=run.rates: rates.append(opt.param_groups[0]["lr"])
            )
            rng = np.random.default_rng(seed)
            try:
                # epoch by epoch, with the same rng and scheduler: the same run as one call
                for _ in range(epochs):
                    per_epoch = loop.train(
                        model, optimizer, scheduler, *digits.train, *digits.val, 1, batch_size,
                        rng,
                    )  # fmt: skip
                    run.losses.append(network.evaluate(model, *digits.train)[0])
            except ValueError as error:  # e.g. OneCycleLR stepped past its total_steps
                raise CheckFailed(
                    f"Training stopped with seed {seed}: {error}. Build the schedule for the "
                    f"whole run: total_steps (here {total_steps}) is passed to make_optimizer."
                ) from None
            finally:
                hook.remove()
            loss = run.losses[-1]
            if not math.isfinite(loss) or loss > 1e6 * run.losses[0]:
                raise CheckFailed(
                    f"Training diverged with seed {seed}: the training loss ended at {loss:.3g}. "
                    "The learning rate (or a schedule's peak) is too large for this network."
                )
            accuracies.append(per_epoch[-1])
            runs.append(run)
    shown = " and ".join(f"{a:.2%}" for a in accuracies)
    if min(accuracies) < TARGET_ACCURACY:
        raise CheckFailed(
            f"Final validation accuracy {shown} (seeds {SEEDS[0]} and {SEEDS[1]}) after {epochs} "
            f"epoch{'s' * (epochs != 1)}; both must reach {TARGET_ACCURACY:.0%}. "
            + _advice(runs, epochs, torch)
        )
    passed(
        f"your recipe reaches {shown} validation accuracy (seeds {SEEDS[0]} and {SEEDS[1]}) in "
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


class _Run(typing.NamedTuple):
    """One seed's run: its optimizer and scheduler, the training loss at the start and after
    each epoch, and the learning rate at each optimizer step."""

    optimizer: object
    scheduler: object
    losses: list
    rates: list


def _advice(runs, epochs, torch):
    """Which way to go: from a run whose loss rose, if any, else the one that ended highest."""

    def rises(run):
        return [k for k in range(len(run.losses) - 1) if run.losses[k + 1] > run.losses[k]]

    run = max(runs, key=lambda r: (bool(rises(r)) and r.losses[-1] > LOW_LOSS, r.losses[-1]))
    start, final, rose = run.losses[0], run.losses[-1], rises(run)
    one_cycle = isinstance(run.scheduler, torch.optim.lr_scheduler.OneCycleLR)
    momentum_hint = (
        " OneCycleLR also cycles SGD's momentum between 0.85 and 0.95 unless you pass "
        "cycle_momentum=False."
        if one_cycle and run.scheduler.cycle_momentum and isinstance(run.optimizer, torch.optim.SGD)
        else ""
    )
    if final > start or (rose and final > LOW_LOSS):
        where = (
            f"ended at {final:.3f}, above the {start:.3f} it started at"
            if final > start
            else f"rose during epoch {rose[0] + 1} "
            f"({run.losses[rose[0]]:.3f} to {run.losses[rose[0] + 1]:.3f})"
        )
        rate = "the schedule's peak rate" if run.scheduler is not None else "the learning rate"
        return f"The training loss {where}: {rate} is too large; try a smaller one.{momentum_hint}"
    if final > LOW_LOSS:
        options = []
        if epochs < EPOCH_BUDGET:
            options.append(f"more epochs (the budget allows up to {EPOCH_BUDGET})")
        options.append("a larger learning rate")
        if isinstance(run.optimizer, torch.optim.SGD):
            options.append("an adaptive optimizer such as Adam")
        if run.scheduler is None:
            options.append("a schedule that spends the budget well (one-cycle, cosine)")
        joint = ", or " if len(options) > 2 else " or "
        listed = ", ".join(options[:-1]) + (joint if len(options) > 1 else "") + options[-1]
        return (
            f"The training loss is still {final:.3f} and falling: the network has not finished "
            f"learning. Try {listed}."
        )
    fits = (
        f"The training loss is already {final:.4f}, so the network fits the training set; "
        "the validation accuracy is what is short."
    )
    if run.scheduler is not None and run.rates and run.rates[-1] <= 0.01 * max(run.rates):
        return (
            f"{fits} Your schedule already anneals to near 0: try another peak rate or batch "
            f"size, or weight decay (AdamW).{momentum_hint}"
        )
    return (
        f"{fits} Try ending at a smaller learning rate (a schedule that anneals to near 0), or "
        "weight decay (AdamW)."
    )
