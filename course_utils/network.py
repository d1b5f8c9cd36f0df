"""Training a real torch network: the capstone's loop, for any optimizer and schedule.

``fit`` trains a classifier with shuffled mini-batches and evaluates it on the training set and
a validation set after every epoch; it returns a ``runs.Run``. It takes either kind of
optimizer the course has met:

- a ``torch.optim`` optimizer, with an optional ``torch.optim.lr_scheduler`` scheduler;
- a ``course_utils.optim`` optimizer built on ``numpy_parameters(model)``: NumPy arrays that
  share memory with the model's tensors, so the course's own update rules train the torch
  model in place; the schedule is then an ``lr(t)`` function from ``course_utils.schedules``.

A schedule steps once per mini-batch (``per="step"``) or once per epoch (``per="epoch"``).
Progress shows as a tqdm bar (a widget in Jupyter, plain text elsewhere). torch is imported
inside the functions, so importing this module stays cheap.
"""

import contextlib
import time

import numpy as np

from . import data, optim
from .runs import ON_DIVERGENCE, Run, raise_or_return, runaway_ending, runaway_limit
from .validation import choice, nonnegative_int, positive_int

__all__ = ["mlp", "numpy_parameters", "fit", "fit_mlp", "evaluate", "torch_threads"]


def mlp(n_inputs=64, hidden=(128,), n_classes=10, seed=0, dtype=None):
    """A multi-layer perceptron: Linear → ReLU → … → Linear, initialised from ``seed``."""
    import torch

    n_inputs = positive_int("n_inputs", n_inputs)
    n_classes = positive_int("n_classes", n_classes)
    hidden = [positive_int("hidden[i]", width) for width in hidden]
    torch.manual_seed(nonnegative_int("seed", seed))
    widths = [n_inputs, *hidden]
    layers = []
    for width_in, width_out in zip(widths[:-1], widths[1:], strict=True):
        layers += [torch.nn.Linear(width_in, width_out), torch.nn.ReLU()]
    layers.append(torch.nn.Linear(widths[-1], n_classes))
    model = torch.nn.Sequential(*layers)
    return model.to(dtype) if dtype is not None else model


def numpy_parameters(model):
    """The model's parameters as NumPy arrays sharing their memory: updating one updates both."""
    return [parameter.detach().numpy() for parameter in model.parameters()]


def evaluate(model, X, y):
    """``(mean cross-entropy, accuracy)`` of ``model`` on tensors X, y, without gradients."""
    import torch

    with torch.no_grad():
        logits = model(X)
        loss = torch.nn.functional.cross_entropy(logits, y).item()
        accuracy = (logits.argmax(dim=1) == y).double().mean().item()
    return loss, accuracy


def fit(
    model,
    optimizer,
    X_train,
    y_train,
    X_val,
    y_val,
    *,
    epochs,
    batch_size=32,
    schedule=None,
    per="step",
    seed=0,
    progress=True,
    label=None,
    threads=1,
    on_divergence="raise",
):
    """Train ``model`` with mini-batches of ``batch_size``; return the ``runs.Run``.

    ``optimizer`` is a torch.optim optimizer on ``model.parameters()`` or a course_utils.optim
    optimizer on ``numpy_parameters(model)``. ``schedule`` is a torch scheduler on that
    optimizer, or (for either optimizer) an ``lr(t)`` function. Data are NumPy arrays or
    tensors; examples are shuffled from ``seed`` each epoch. ``threads`` torch threads do the
    arithmetic: for a network this small, one thread is fastest (more only wait on each
    other), and a busy machine hurts several threads far more than one.

    The run counts epochs: ``losses[e]`` and ``accuracies[e]`` are measured on the training
    set after e epochs (e = 0: before training), ``val_losses[e]`` and ``val_accuracies[e]`` on
    the validation set (X_val, y_val), ``seconds[e]`` is the training time until then and
    ``lrs[e]`` the learning rate at the start of epoch e + 1; ``step_losses`` and ``step_lrs``
    hold every mini-batch's loss and learning rate. A loss that runs away (inf, nan, or a
    million times its start) stops training with a ``DivergenceError`` that names the step
    (``on_divergence="stop"``: the run so far, with status "diverged").
    """
    import torch
    from tqdm.auto import tqdm

    epochs = positive_int("epochs", epochs)
    threads = positive_int("threads", threads)
    batch_size = positive_int("batch_size", batch_size)
    per = choice("per", per, ("step", "epoch"))
    rng = np.random.default_rng(nonnegative_int("seed", seed))
    choice("on_divergence", on_divergence, ON_DIVERGENCE)
    dtype = next(model.parameters()).dtype
    X_train, X_val = (torch.as_tensor(X, dtype=dtype) for X in (X_train, X_val))
    y_train, y_val = (torch.as_tensor(y, dtype=torch.long) for y in (y_train, y_val))
    parameters = list(model.parameters())
    step_optimizer, get_lr, set_lr = _driver(model, optimizer)
    scheduler_step = _scheduler(schedule, set_lr)
    records = {name: [] for name in _RECORDS}

    def record(seconds):
        measured = (*evaluate(model, X_train, y_train), *evaluate(model, X_val, y_val), seconds)
        for name, value in zip(_RECORDS, measured, strict=True):
            records[name].append(value)

    with torch_threads(threads):
        record(0.0)
        limit = runaway_limit(records["losses"][0])
        lrs, step_losses, step_lrs, ending = [], [], [], None
        started = time.perf_counter()
        bar = tqdm(range(epochs), desc=label or "training", unit="epoch", disable=not progress)
        for epoch in bar:
            if per == "epoch":
                scheduler_step(epoch)
            first_step = len(step_lrs)
            for batch_numpy in data.batch_indices(len(X_train), batch_size, rng):
                batch = torch.from_numpy(batch_numpy)
                if per == "step":
                    scheduler_step(len(step_losses))
                loss = torch.nn.functional.cross_entropy(model(X_train[batch]), y_train[batch])
                step_losses.append(loss.item())
                step_lrs.append(get_lr())
                ending = runaway_ending(step_losses[-1], limit, get_lr(), len(step_losses) - 1)
                if ending:
                    break
                for parameter in parameters:  # model.zero_grad(), without its module walk
                    parameter.grad = None
                loss.backward()
                step_optimizer()
            if ending:
                break
            lrs.append(step_lrs[first_step])
            record(time.perf_counter() - started)
            bar.set_postfix(
                loss=f"{records['losses'][-1]:.3f}", acc=f"{records['val_accuracies'][-1]:.3f}"
            )
        bar.close()
    run = Run(
        unit="epoch",
        label=label,
        lrs=np.array(lrs),
        step_losses=np.array(step_losses),
        step_lrs=np.array(step_lrs),
        **{name: np.array(values) for name, values in records.items()},
        **(ending or {}),
    )
    return raise_or_return(run, on_divergence)


# What fit measures after each epoch, in the order it measures them.
_RECORDS = ("losses", "accuracies", "val_losses", "val_accuracies", "seconds")


def fit_mlp(digits, make_optimizer, *, hidden=(128,), seed=0, **options):
    """A fresh ``mlp`` trained on ``digits`` by ``fit``; returns ``(model, run)``.

    ``digits`` is a ``data.Digits`` (what ``data.load_digits`` returns): the network trains on
    ``digits.train`` and is evaluated on ``digits.val`` after every epoch; the test set is not
    touched. The network is ``mlp(digits.n_features, hidden, digits.n_classes, seed)``;
    ``make_optimizer(model)`` returns ``(optimizer, schedule or None)`` for it; ``fit``
    shuffles with the same ``seed`` and takes the ``options`` (epochs, batch_size, progress,
    ...).
    """
    if not callable(make_optimizer):
        raise TypeError(
            "make_optimizer must be a function model -> (optimizer, schedule or None), "
            f"got {make_optimizer!r}"
        )
    if not isinstance(digits, data.Digits):
        raise TypeError(
            "digits must be a data.Digits, as data.load_digits returns it, got "
            f"{type(digits).__name__}"
        )
    model = mlp(digits.n_features, hidden, digits.n_classes, seed=seed)
    optimizer, schedule = make_optimizer(model)
    run = fit(model, optimizer, *digits.train, *digits.val, schedule=schedule, seed=seed, **options)
    return model, run


@contextlib.contextmanager
def torch_threads(threads):
    """Run with ``threads`` torch threads, then restore the setting."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def _driver(model, optimizer):
    """``(step, get_lr, set_lr)`` for a torch or a course_utils optimizer on ``model``."""
    import torch

    if isinstance(optimizer, torch.optim.Optimizer):

        def set_lr(lr):
            for group in optimizer.param_groups:
                group["lr"] = lr

        return optimizer.step, lambda: optimizer.param_groups[0]["lr"], set_lr
    if isinstance(optimizer, optim.Optimizer):
        parameters = list(model.parameters())
        if len(optimizer.params) != len(parameters) or any(
            array.ctypes.data != tensor.data_ptr()
            for array, tensor in zip(optimizer.params, parameters, strict=True)
        ):
            raise ValueError(
                "the course_utils optimizer must be built on numpy_parameters(model), "
                "so that its in-place updates change the model"
            )

        def step():
            # autograd's gradients have their parameters' shapes and dtypes: no checks needed
            optimizer._step([tensor.grad.numpy() for tensor in parameters])

        def set_lr(lr):
            optimizer.lr = lr

        return step, lambda: optimizer.lr, set_lr
    raise TypeError(
        "optimizer must be a torch.optim optimizer or a course_utils.optim optimizer, "
        f"got {type(optimizer).__name__}"
    )


def _scheduler(schedule, set_lr):
    """A function of the step (or epoch) count that advances the schedule."""
    from torch.optim.lr_scheduler import LRScheduler

    if schedule is None:
        return lambda count: None
    if isinstance(schedule, LRScheduler):
        # torch's scheduler already set the first lr when it was made; step it after that.
        return lambda count: schedule.step() if count > 0 else None
    if callable(schedule):
        return lambda count: set_lr(schedule(count))
    raise TypeError(f"schedule must be a torch scheduler or a function lr(t), got {schedule!r}")
