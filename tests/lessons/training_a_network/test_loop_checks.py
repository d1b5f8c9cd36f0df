"""The training-loop checks (build and debug): the right loop passes, each bug is named."""

import contextlib

import numpy as np
import pytest
import torch

from course_utils.checks import CheckFailed
from course_utils.lessons.training_a_network import check_quick_train, check_train, loop

pytestmark = pytest.mark.usefixtures("one_torch_thread")

F = torch.nn.functional


def make_loop(
    shuffle=True,
    zero_grad=True,
    scheduler_first=False,
    eval_mode=True,
    train_mode=True,
    schedule_per_epoch=False,
    zero_after_backward=False,
    same_order=False,
    returns="accuracy",
    drop_last=False,
    torch_shuffle=False,
    no_grad=True,
):
    """A training loop with the given bugs switched on (all off: the reference loop)."""

    def train(model, optimizer, scheduler, X_train, y_train, X_val, y_val, epochs, batch_size, rng):
        accuracies = []
        once = rng.permutation(len(X_train)) if same_order else None
        for _ in range(epochs):
            if train_mode:
                model.train()
            if not shuffle:
                order = np.arange(len(X_train))
            else:
                order = once if same_order else rng.permutation(len(X_train))
            order = torch.randperm(len(X_train)) if torch_shuffle else torch.as_tensor(order)
            stop = len(X_train) - batch_size + 1 if drop_last else len(X_train)
            for start in range(0, stop, batch_size):
                batch = order[start : start + batch_size]
                loss = F.cross_entropy(model(X_train[batch]), y_train[batch])
                if zero_grad and not zero_after_backward:
                    optimizer.zero_grad()
                loss.backward()
                if zero_after_backward:
                    optimizer.zero_grad()
                if scheduler is not None and scheduler_first and not schedule_per_epoch:
                    scheduler.step()
                optimizer.step()
                if scheduler is not None and not scheduler_first and not schedule_per_epoch:
                    scheduler.step()
            if scheduler is not None and schedule_per_epoch:
                scheduler.step()
            if eval_mode:
                model.eval()
            with torch.no_grad() if no_grad else contextlib.nullcontext():
                logits = model(X_val)
            accuracy = (logits.argmax(dim=1) == y_val).float().mean()
            if returns == "tensor":
                accuracies.append(accuracy.detach())
            elif returns == "ndarray":
                accuracies.append(accuracy.detach().numpy())
            else:
                accuracy = accuracy.item()
                accuracies.append(accuracy if returns == "accuracy" else 1 - accuracy)
        return accuracies

    return train


def test_the_reference_and_a_faithful_loop_pass(capsys):
    check_train(loop.train)
    check_train(make_loop())
    check_quick_train(loop.quick_train)
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 3 and all(line.startswith("✔") for line in out)
    assert out[2].startswith("✔ quick_train has no bug left")


@pytest.mark.parametrize(
    ("bug", "message"),
    [
        ({"shuffle": False}, r"no shuffling: .*rng\.permutation\(len\(X_train\)\)"),
        ({"same_order": True}, "the same order every epoch"),
        ({"zero_grad": False}, r"pile up .*optimizer\.zero_grad\(\)"),
        ({"zero_after_backward": True}, "steps with no gradient"),
        ({"scheduler_first": True}, r"scheduler\.step\(\) comes before optimizer\.step\(\)"),
        ({"schedule_per_epoch": True}, "once per epoch"),
        ({"eval_mode": False}, r"evaluates in training mode: call model\.eval\(\)"),
        ({"returns": "error"}, "not the validation accuracy after each epoch"),
        (
            {"drop_last": True},
            r"32 examples in all, not 2 epochs × 20: each epoch's last partial batch is dropped, "
            r"and range\(0, len\(X_train\), batch_size\) keeps it\.$",
        ),
        ({"torch_shuffle": True}, r"order does not come from rng\.permutation"),
        ({"no_grad": False}, r"evaluates with gradients on: .*torch\.no_grad\(\)\.$"),
        ({"returns": "tensor"}, r"returns Tensor values, not floats: take each with \.item\(\)"),
        ({"returns": "ndarray"}, "returns ndarray values, not floats"),
    ],
)
def test_each_bug_alone_is_named(bug, message):
    with pytest.raises(CheckFailed, match=f"^train runs, but [^;]*{message}") as failure:
        check_train(make_loop(**bug))
    assert "things are wrong" not in str(failure.value)
    assert str(failure.value).count(" but ") == 1


def test_a_loop_that_never_returns_to_training_mode_is_named():
    with pytest.raises(CheckFailed, match=r"call model\.train\(\) at the start of every epoch"):
        check_train(make_loop(train_mode=False))


def test_the_colleagues_four_bugs_are_all_listed():
    broken = make_loop(shuffle=False, zero_grad=False, scheduler_first=True, eval_mode=False)
    with pytest.raises(CheckFailed) as failure:
        check_quick_train(broken)
    message = str(failure.value)
    assert message.startswith("quick_train runs, but 4 things are wrong: (1) no shuffling")
    for named in ("(2) it evaluates in training mode", "(3) the gradients pile up", "(4) sched"):
        assert named in message
    assert "\n" not in message


def test_two_bugs_left_are_both_listed_and_only_they():
    with pytest.raises(CheckFailed, match=r"2 things are wrong: \(1\) no shuffling.*\(2\) sched"):
        check_quick_train(make_loop(shuffle=False, scheduler_first=True))


def test_a_loop_that_cannot_take_no_scheduler_is_told_so():
    def always_steps(model, optimizer, scheduler, X_train, y_train, X_val, y_val, epochs,
                     batch_size, rng):  # fmt: skip
        scheduler.step()

    with pytest.raises(CheckFailed, match="scheduler=None.*step it only when it is not"):
        check_train(always_steps)


@pytest.mark.parametrize(
    ("result", "message"),
    [
        (None, "returns nothing"),
        (0.5, "returns float, not a list of"),
        ([0.5], "returns 1 values for 2 epochs"),
    ],
)
def test_what_a_loop_returns_is_checked(result, message):
    def returns(model, optimizer, scheduler, *data, epochs, batch_size, rng):
        loop.train(model, optimizer, scheduler, *data, epochs, batch_size, rng)
        return result

    def positional(model, optimizer, scheduler, X_train, y_train, X_val, y_val, epochs,
                   batch_size, rng):  # fmt: skip
        return returns(model, optimizer, scheduler, X_train, y_train, X_val, y_val,
                       epochs=epochs, batch_size=batch_size, rng=rng)  # fmt: skip

    with pytest.raises(CheckFailed, match=message):
        check_train(positional)


def test_a_wrong_signature_is_reported_in_one_line():
    with pytest.raises(CheckFailed, match="train raised TypeError") as failure:
        check_train(lambda model, optimizer: [])
    assert "\n" not in str(failure.value)


def test_a_check_runs_fast():
    import time

    check_train(loop.train)  # warm up torch.optim
    started = time.process_time()
    check_train(loop.train)
    with pytest.raises(CheckFailed):
        check_quick_train(make_loop(shuffle=False, zero_grad=False))
    assert time.process_time() - started < 0.5
