"""check_training_choice: right recipes pass, wrong ones are named."""

import pytest
import torch

from course_utils.checks import CheckFailed
from course_utils.lessons.training_a_network import EPOCH_BUDGET, check_training_choice

pytestmark = pytest.mark.usefixtures("one_torch_thread")


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


def constant(cls, lr, **kw):
    return lambda model, total_steps: (cls(model.parameters(), lr=lr, **kw), None)


def sgd_one_cycle(lr, **kw):
    def recipe(model, total_steps):
        optimizer = torch.optim.SGD(model.parameters(), lr=lr)
        return optimizer, torch.optim.lr_scheduler.OneCycleLR(optimizer, lr, total_steps, **kw)

    return recipe


@pytest.mark.parametrize(
    ("recipe", "epochs", "batch_size", "says", "never"),
    [  # a rate too large: the loss ends above its start, or rises between epochs
        (
            constant(torch.optim.Adam, 0.3),
            6,
            64,
            r"ended at 9\.376, above the 2\.388 it started at: the learning rate is too large; "
            r"try a smaller one\.$",
            "larger",
        ),
        (
            constant(torch.optim.Adam, 0.1),
            6,
            64,
            r"rose during epoch 2 \(0\.533 to 0\.835\): the learning rate is too large",
            "larger",
        ),
        (
            sgd_one_cycle(1.0),
            6,
            64,
            r"the schedule's peak rate is too large.* unless you pass cycle_momentum=False\.$",
            "larger",
        ),
        # still falling: more of the budget, no adaptive optimizer offered to Adam
        (
            constant(torch.optim.Adam, 0.001),
            2,
            64,
            r"still 1\.321 and falling.* more epochs \(the budget allows up to 6\), a larger",
            "adaptive",
        ),
        # the training set is fit and the schedule already anneals: no "anneal" advice
        (
            sgd_one_cycle(0.1),
            6,
            16,
            r"already 0\.0054.* already anneals to near 0.*cycle_momentum=False",
            "Try ending at a smaller",
        ),
    ],
)
def test_the_advice_goes_the_right_way(recipe, epochs, batch_size, says, never):
    with pytest.raises(CheckFailed, match=says) as failure:
        check_training_choice(recipe, epochs, batch_size)
    assert never not in str(failure.value)


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
