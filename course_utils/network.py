"""Training a real torch network: the capstone's loop, for any optimizer and schedule.

``fit`` trains a classifier with shuffled mini-batches and evaluates it on a test set after
every epoch. It takes either kind of optimizer the course has met:

- a ``torch.optim`` optimizer, with an optional ``torch.optim.lr_scheduler`` scheduler;
- a ``course_utils.optim`` optimizer built on ``numpy_parameters(model)``: NumPy arrays that
  share memory with the model's tensors, so the course's own update rules train the torch
  model in place; the schedule is then an ``lr(t)`` function from ``course_utils.schedules``.

A schedule steps once per mini-batch (``per="step"``) or once per epoch (``per="epoch"``).
Progress shows as a tqdm bar (a widget in Jupyter, plain text elsewhere). torch is imported
inside the functions, so importing this module stays cheap.
"""

import contextlib
import math
import time
from dataclasses import dataclass, field

import numpy as np

from . import data, optim
from .training import DivergenceError
from .validation import choice, nonnegative_int, positive_int

__all__ = ["mlp", "numpy_parameters", "fit", "evaluate", "FitHistory"]


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


@dataclass(repr=False)
class FitHistory:
    """Per epoch (index 0 is before training): losses, test accuracy, learning rate, time."""

    train_loss: list = field(default_factory=list)
    test_loss: list = field(default_factory=list)
    test_accuracy: list = field(default_factory=list)
    lr: list = field(default_factory=list)
    seconds: list = field(default_factory=list)

    @property
    def epochs(self):
        return len(self.train_loss) - 1

    @property
    def best_accuracy(self):
        return max(self.test_accuracy)

    def seconds_to(self, accuracy):
        """Training time until the test accuracy first reached ``accuracy`` (None if never)."""
        for seconds, reached in zip(self.seconds, self.test_accuracy, strict=True):
            if reached >= accuracy:
                return seconds
        return None

    def __repr__(self):
        return (
            f"<FitHistory: {self.epochs} epochs, final test accuracy "
            f"{self.test_accuracy[-1]:.4f}, best {self.best_accuracy:.4f}>"
        )


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
    X_test,
    y_test,
    *,
    epochs,
    batch_size=32,
    schedule=None,
    per="step",
    seed=0,
    progress=True,
    label=None,
    threads=1,
):
    """Train ``model`` with mini-batches of ``batch_size``; return its ``FitHistory``.

    ``optimizer`` is a torch.optim optimizer on ``model.parameters()`` or a course_utils.optim
    optimizer on ``numpy_parameters(model)``. ``schedule`` is a torch scheduler on that
    optimizer, or (for either optimizer) an ``lr(t)`` function. Data are NumPy arrays or
    tensors; examples are shuffled from ``seed`` each epoch. A loss that becomes NaN or inf
    stops training with a ``DivergenceError`` that names the step. ``threads`` torch threads
    do the arithmetic: for a network this small, one thread is fastest (more only wait on
    each other), and a busy machine hurts several threads far more than one.
    """
    import torch
    from tqdm.auto import tqdm

    epochs = positive_int("epochs", epochs)
    threads = positive_int("threads", threads)
    batch_size = positive_int("batch_size", batch_size)
    per = choice("per", per, ("step", "epoch"))
    rng = np.random.default_rng(nonnegative_int("seed", seed))
    dtype = next(model.parameters()).dtype
    X_train, X_test = (torch.as_tensor(X, dtype=dtype) for X in (X_train, X_test))
    y_train, y_test = (torch.as_tensor(y, dtype=torch.long) for y in (y_train, y_test))
    parameters = list(model.parameters())
    step_optimizer, get_lr, set_lr = _driver(model, optimizer)
    scheduler_step = _scheduler(schedule, set_lr)

    with _torch_threads(threads):
        history = FitHistory()
        scheduler_step(0)  # so the "before training" record shows the first step's lr
        _record(history, model, X_train, y_train, X_test, y_test, get_lr(), 0.0)
        started, step = time.perf_counter(), 0
        bar = tqdm(range(epochs), desc=label or "training", unit="epoch", disable=not progress)
        for epoch in bar:
            if per == "epoch":
                scheduler_step(epoch)
            lr_this_epoch = get_lr() if per == "epoch" else None
            for batch_numpy in data.batch_indices(len(X_train), batch_size, rng):
                batch = torch.from_numpy(batch_numpy)
                if per == "step":
                    scheduler_step(step)
                    lr_this_epoch = lr_this_epoch if lr_this_epoch is not None else get_lr()
                loss = torch.nn.functional.cross_entropy(model(X_train[batch]), y_train[batch])
                if not math.isfinite(loss.item()):
                    raise DivergenceError(
                        f"diverged at step {step} (epoch {epoch + 1}): the loss became "
                        f"{loss.item()} — try a smaller learning rate (lr={get_lr():.3g} now)",
                        history,
                    )
                for parameter in parameters:  # model.zero_grad(), without its module walk
                    parameter.grad = None
                loss.backward()
                step_optimizer()
                step += 1
            elapsed = time.perf_counter() - started
            _record(history, model, X_train, y_train, X_test, y_test, lr_this_epoch, elapsed)
            bar.set_postfix(
                loss=f"{history.train_loss[-1]:.3f}", acc=f"{history.test_accuracy[-1]:.3f}"
            )
        bar.close()
        return history


@contextlib.contextmanager
def _torch_threads(threads):
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
            optimizer.step([tensor.grad.numpy() for tensor in parameters])

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


def _record(history, model, X_train, y_train, X_test, y_test, lr, seconds):
    train_loss, _ = evaluate(model, X_train, y_train)
    test_loss, test_accuracy = evaluate(model, X_test, y_test)
    history.train_loss.append(train_loss)
    history.test_loss.append(test_loss)
    history.test_accuracy.append(test_accuracy)
    history.lr.append(lr)
    history.seconds.append(seconds)
