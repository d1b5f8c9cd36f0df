r"""The checks of the capstone's training loop: the build (``train``) and the debug
(``quick_train``) exercises, both with the contract of ``loop.train``.

A training loop is checked by watching it run, not by a table of cases: the check trains a
tiny *probe* (one linear layer on a few examples) with a *probe optimizer* (SGD that also
records what it is asked to do), and reads off each thing the contract asks for:

- the order of the training examples, epoch by epoch (``rng.permutation(len(X_train))``
  each epoch, cut into batches of ``batch_size``): no shuffling, the same order every epoch,
  or another random stream are each named;
- the mode of the model at each forward pass: training batches in training mode
  (``model.train()``), validation in evaluation mode (``model.eval()``);
- the gradient at each ``optimizer.step()``: that of the batch's mean cross-entropy, or the
  sum of several batches' (``optimizer.zero_grad()`` missing), or zero (cleared after
  ``backward``);
- the learning rate at each step, under a schedule that halves it every step: the schedule's
  rate at that step, or the next one (``scheduler.step()`` before ``optimizer.step()``), or
  stepped once per epoch, or never; and ``scheduler=None`` handled;
- the evaluation: in evaluation mode, without gradients (``torch.no_grad()``);
- what it returns: the validation accuracy after each epoch as floats, as the reference
  computes it, and the weights it ends at.

Every problem found is named in one message, so a debug exercise's check lists each bug that
remains. The solution may use torch, NumPy and math (``RECIPE``).
"""

import contextlib
import io
import warnings

import numpy as np

from ... import network
from ...checks import CheckFailed, describe_error, graded_on, passed
from .checks import RECIPE
from .loop import train as reference_train

__all__ = ["check_train", "check_quick_train"]

SIGNATURE = "(model, optimizer, scheduler, X_train, y_train, X_val, y_val, epochs, batch_size, rng)"
VAL_ID = 1000  # validation examples carry ids from here; training ones from 0
# (n_train, n_val, epochs, batch_size, with a schedule): the last batch of the first is partial
CASES = ((20, 12, 2, 8, True), (15, 9, 3, 5, False))
LR, DECAY = 0.5, 0.5  # the probe schedule: lr_t = LR·DECAY**t, so every step's rate differs


def _probe(n_train, n_val, n_features=3, n_classes=3, seed=0):
    """A probe model and its data: features after an id column that the model never sees."""
    import torch

    class Probe(torch.nn.Module):
        """One linear layer that writes down every forward pass: mode, gradients on, ids."""

        def __init__(self):
            super().__init__()
            self.linear = torch.nn.Linear(n_features, n_classes)
            self.log = []

        def forward(self, x):
            ids = tuple(int(i) for i in x[:, 0].round())
            self.log.append((self.training, torch.is_grad_enabled(), ids))
            return self.linear(x[:, 1:])

    rng = np.random.default_rng(seed)
    model = Probe()
    with torch.no_grad():
        for parameter in model.parameters():
            parameter.copy_(torch.as_tensor(rng.normal(size=parameter.shape)))

    def examples(n, first_id):
        features = rng.normal(size=(n, n_features))
        X = np.column_stack([first_id + np.arange(n), features]).astype(np.float32)
        return torch.as_tensor(X), torch.as_tensor(rng.integers(0, n_classes, size=n))

    return model, (*examples(n_train, 0), *examples(n_val, VAL_ID))


def _probe_optimizer(model, X_train, y_train):
    """SGD that records, at each step, its rate and whether the gradient is the right one."""
    import torch

    class ProbeSGD(torch.optim.SGD):
        def __init__(self):
            super().__init__(model.parameters(), lr=LR)
            self.lrs, self.gradients = [], []

        def step(self, closure=None):
            self.lrs.append(self.param_groups[0]["lr"])
            self.gradients.append(_gradient_kind(model, X_train, y_train))
            return super().step(closure)

    return ProbeSGD()


def _gradient_kind(model, X_train, y_train):
    """'right', 'zero', 'none' or 'wrong': the gradient now in the model against that of the
    mean cross-entropy of the last training batch it saw, at the present weights."""
    import torch

    parameters = list(model.parameters())
    if any(p.grad is None for p in parameters):
        return "none"
    batches = [ids for training, grad, ids in model.log if grad and min(ids) < VAL_ID]
    if not batches:
        return "wrong"
    ids = torch.as_tensor(batches[-1])
    with torch.enable_grad():
        logits = model.linear(X_train[ids][:, 1:])
        loss = torch.nn.functional.cross_entropy(logits, y_train[ids])
        expected = torch.autograd.grad(loss, parameters)
    got = [p.grad for p in parameters]
    if all(torch.allclose(g, e, rtol=1e-4, atol=1e-6) for g, e in zip(got, expected, strict=True)):
        return "right"
    if all(not g.any() for g in got):
        return "zero"
    return "wrong"


def _run(fn, n_train, n_val, epochs, batch_size, scheduled):
    """Run ``fn`` on a fresh probe: (what it returned, model, optimizer, training ids)."""
    import torch

    model, (X_train, y_train, X_val, y_val) = _probe(n_train, n_val)
    optimizer = _probe_optimizer(model, X_train, y_train)
    scheduler = (
        torch.optim.lr_scheduler.LambdaLR(optimizer, lambda t: DECAY**t) if scheduled else None
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch warns of a scheduler stepped first: we say it
        result = fn(model, optimizer, scheduler, X_train, y_train, X_val, y_val, epochs,
                    batch_size, np.random.default_rng(0))  # fmt: skip
    return result, model, optimizer


def _expected_order(n_train, epochs):
    """The order of the training examples in each epoch of the reference loop."""
    rng = np.random.default_rng(0)
    return [rng.permutation(n_train) for _ in range(epochs)]


def _order_problems(log, n_train, epochs, batch_size):
    """What is wrong with the order of the training batches, as a list of sentences."""
    batches = [ids for training, grad, ids in log if grad and min(ids) < VAL_ID]
    seen = np.array([i for ids in batches for i in ids])
    if len(seen) != epochs * n_train:
        cause = "each epoch must visit every training example once"
        if len(seen) == epochs * (n_train - n_train % batch_size) and n_train % batch_size:
            cause = (
                "each epoch's last partial batch is dropped, and range(0, len(X_train), "
                "batch_size) keeps it"
            )
        return [
            f"it trains on {len(seen)} examples in all, not {epochs} epochs × {n_train}: {cause}"
        ]
    sizes = [len(ids) for ids in batches]
    expected_sizes = [min(batch_size, n_train - s) for s in range(0, n_train, batch_size)]
    if sizes != expected_sizes * epochs:
        return [f"its batches hold {sizes[:4]}… examples, not batch_size = {batch_size}"]
    epochs_seen = seen.reshape(epochs, n_train)
    if all(np.array_equal(order, np.arange(n_train)) for order in epochs_seen):
        return [
            "no shuffling: every epoch visits the examples in the data's order; draw "
            "order = rng.permutation(len(X_train)) at the start of each epoch"
        ]
    expected = _expected_order(n_train, epochs)
    if all(np.array_equal(a, b) for a, b in zip(epochs_seen, expected, strict=True)):
        return []
    if all(np.array_equal(order, epochs_seen[0]) for order in epochs_seen):
        return [
            "the same order every epoch: draw a new rng.permutation(len(X_train)) at the "
            "start of each epoch, not once before the loop"
        ]
    return [
        "the examples' order does not come from rng.permutation(len(X_train)), drawn once per "
        "epoch from the rng passed in, so that rng does not decide the run"
    ]


def _mode_problems(log):
    problems = []
    evaluations = [(training, grad) for training, grad, ids in log if min(ids) >= VAL_ID]
    trainings = [training for training, grad, ids in log if grad and min(ids) < VAL_ID]
    if not evaluations:
        problems.append("it never evaluates the model on X_val")
    elif any(training for training, _ in evaluations):
        problems.append(
            "it evaluates in training mode: call model.eval() before measuring the validation "
            "accuracy (dropout and batch norm behave differently there)"
        )
    if any(grad for _, grad in evaluations):
        problems.append(
            "it evaluates with gradients on: measure the validation accuracy under torch.no_grad()"
        )
    if not all(trainings):
        problems.append(
            "some training batches run in evaluation mode: call model.train() at the start "
            "of every epoch, since the evaluation left the model in eval mode"
        )
    return problems


def _gradient_problems(kinds):
    if all(kind == "right" for kind in kinds):
        return []
    if kinds and kinds[0] == "right":
        return [
            "the gradients pile up from batch to batch: call optimizer.zero_grad() before "
            "loss.backward() for every batch"
        ]
    if "zero" in kinds or "none" in kinds:
        return [
            "the optimizer steps with no gradient: zero the gradients before loss.backward(), "
            "not between backward() and optimizer.step()"
        ]
    return [
        "the optimizer steps with a gradient other than that of the batch's loss: use "
        "loss = torch.nn.functional.cross_entropy(model(X_batch), y_batch), then backward()"
    ]


def _schedule_problems(lrs, n_steps, epochs, scheduled):
    if not scheduled:
        return []
    expected = LR * DECAY ** np.arange(n_steps)
    lrs = np.array(lrs)
    if len(lrs) == n_steps and np.allclose(lrs, expected):
        return []
    if len(lrs) == n_steps and np.allclose(lrs, expected * DECAY):
        return [
            "scheduler.step() comes before optimizer.step(): each step then uses the next "
            "step's rate and the schedule's first rate is never used; step the scheduler after "
            "the optimizer"
        ]
    if len(lrs) and np.allclose(lrs, LR):
        return ["the scheduler is never stepped: call scheduler.step() after each optimizer.step()"]
    if len(np.unique(lrs)) == epochs:
        return [
            "the scheduler steps once per epoch: here it must step once per batch, after each "
            "optimizer.step()"
        ]
    return ["the learning rate does not follow the schedule: one scheduler.step() per batch"]


def _diagnose(fn, name):
    """Every problem with ``fn`` on the probe runs, as sentences; [] when it is right."""
    import torch

    problems = []
    for n_train, n_val, epochs, batch_size, scheduled in CASES:
        try:
            result, model, optimizer = _run(fn, n_train, n_val, epochs, batch_size, scheduled)
        except Exception as error:
            what, hint = describe_error(error, name, SIGNATURE)
            if not scheduled and isinstance(error, AttributeError) and "None" in str(error):
                hint = "scheduler may be None (a constant rate): step it only when it is not"
            raise CheckFailed(
                f"{name} {what} (a run of {epochs} epochs"
                f"{', with a schedule' if scheduled else ', scheduler=None'})."
                + (f" {hint}" if hint else "")
            ) from None
        order = _order_problems(model.log, n_train, epochs, batch_size)
        # when the batches are already wrong, judge the schedule on the steps the loop took
        n_steps = len(optimizer.lrs) if order else epochs * -(-n_train // batch_size)
        found = [
            *order,
            *_mode_problems(model.log),
            *_gradient_problems(optimizer.gradients),
            *_schedule_problems(optimizer.lrs, n_steps, epochs, scheduled),
        ]
        problems += [problem for problem in found if problem not in problems]
        if problems:
            continue
        expected, reference_model, _ = _run(
            reference_train, n_train, n_val, epochs, batch_size, scheduled
        )
        problems += _result_problems(result, expected, epochs)
        if not problems and not all(
            torch.allclose(a, b, rtol=1e-5, atol=1e-6)
            for a, b in zip(model.parameters(), reference_model.parameters(), strict=True)
        ):
            problems.append("it ends at other weights than the reference loop does")
    return problems


def _result_problems(result, expected, epochs):
    if result is None:
        return ["it returns nothing: return the list of validation accuracies"]
    try:
        values = [float(value) for value in result]
    except (TypeError, ValueError):
        return [f"it returns {type(result).__name__}, not a list of {epochs} numbers"]
    if len(values) != epochs:
        return [f"it returns {len(values)} values for {epochs} epochs: one per epoch"]
    kinds = sorted({type(value).__name__ for value in result if not isinstance(value, float)})
    if kinds:
        return [f"it returns {' and '.join(kinds)} values, not floats: take each with .item()"]
    if not np.allclose(values, expected, rtol=1e-6, atol=1e-6):
        shown = ", ".join(f"{v:.3f}" for v in values)
        right = ", ".join(f"{v:.3f}" for v in expected)
        return [
            f"it returns {shown}, not the validation accuracy after each epoch ({right}): "
            "the fraction of X_val whose largest logit is the label"
        ]
    return []


def _check_loop(fn, name, what):
    __tracebackhide__ = True
    if not callable(fn):
        raise TypeError(f"fn must be your function itself, e.g. check_{name}({name}); got {fn!r}")
    # one torch thread: on matrices this small, more threads only wait on each other
    with contextlib.redirect_stdout(io.StringIO()), network.torch_threads(1):
        problems = _diagnose(fn, name)
    if not problems:
        passed(
            f"{name} {what}: shuffled batches, zero_grad, backward, step, then the schedule; "
            "validation accuracy in eval mode after each epoch."
        )
        return
    if len(problems) == 1:
        raise CheckFailed(f"{name} runs, but {problems[0]}.")
    listed = "; ".join(f"({k}) {problem}" for k, problem in enumerate(problems, 1))
    raise CheckFailed(f"{name} runs, but {len(problems)} things are wrong: {listed}.")


@graded_on(RECIPE)
def check_train(fn):
    """Train a tiny probe with your loop and compare each part of it with the contract."""
    __tracebackhide__ = True
    _check_loop(fn, "train", "trains as the contract says")


@graded_on(RECIPE)
def check_quick_train(fn):
    """Run the repaired loop on a tiny probe; name every bug that remains."""
    __tracebackhide__ = True
    _check_loop(fn, "quick_train", "has no bug left")
