"""course_utils.runs: the one result type, its endings, and the one divergence rule."""

import numpy as np
import pytest

from course_utils import runs
from course_utils.runs import DivergenceError, Run


def test_the_divergence_rule_is_the_same_for_one_loss_and_for_many():
    assert runs.runaway_limit(2.0) == 2e6 and runs.runaway_limit(-0.5) == 1e6
    losses = np.array([1.0, 2e6, 2e6 + 1, np.inf, -np.inf, np.nan])
    limits = runs.runaway_limit(np.array([2.0] * 6))
    inside = runs.within_limit(losses, limits)
    np.testing.assert_array_equal(inside, [True, True, False, False, False, False])
    for loss, expected in zip(losses, inside, strict=True):
        assert runs.within_limit(float(loss), 2e6) == expected


@pytest.mark.parametrize(
    ("loss", "reason"),
    [
        (np.inf, "loss became inf"),
        (np.nan, "loss became nan"),
        (3e9, "loss blew up to 3e+09 (limit 1e+06)"),
    ],
)
def test_the_reason_says_what_happened_and_what_to_try(loss, reason):
    ending = runs.runaway_ending(loss, 1e6, 0.5, 12)
    assert ending == {
        "status": "diverged",
        "diverged_at": 12,
        "reason": f"{reason} — try a smaller learning rate (lr=0.5 now)",
    }
    assert runs.runaway_ending(10.0, 1e6, 0.5, 12) is None


def _run(**fields):
    return Run(**{"losses": np.array([4.0, 2.0, 1.0]), "lrs": np.array([0.1, 0.1]), **fields})


def test_a_run_says_how_it_ended_in_a_few_words():
    assert _run().ending == "ran all 2 steps" and _run().status == "finished"
    diverged = _run(**runs.runaway_ending(np.inf, 1e6, 0.1, 2))
    assert diverged.ending == "diverged at step 2"
    stopped = _run(**runs.stopped_ending(2, "the loss has not improved"))
    assert stopped.ending == "stopped at step 2" and stopped.reason == "the loss has not improved"
    one_epoch = {"unit": "epoch", "losses": np.array([3.0, 2.0]), "step_lrs": np.ones(7)}
    epochs = Run(**one_epoch, **runs.runaway_ending(np.inf, 1e6, 0.1, 6))
    assert epochs.epochs == 1 and epochs.steps == 7
    assert epochs.ending == "diverged at step 6 (epoch 2)"  # in the epoch it did not finish
    assert repr(_run(label="GD")) == "<Run 'GD': ran all 2 steps, final loss 1>"
    assert Run(losses=np.array([2.0, np.inf])).ending == "ran all 1 step"  # no rates recorded
    range_test = _run(lrs=np.array([0.1, 1.0, 10.0]))  # a rate for each loss it measured
    assert range_test.steps == 3 and range_test.ending == "ran all 3 steps"


def test_a_diverged_run_raises_when_asked_to_and_carries_itself():
    diverged = _run(**runs.runaway_ending(np.inf, 1e6, 0.1, 2))
    assert runs.raise_or_return(diverged, "stop") is diverged
    assert runs.raise_or_return(_run(), "raise").status == "finished"
    with pytest.raises(DivergenceError) as caught:
        runs.raise_or_return(diverged, "raise")
    assert caught.value.run is diverged
    assert str(caught.value) == (
        "diverged at step 2: loss became inf — try a smaller learning rate (lr=0.1 now)"
    )


def test_the_helpers_of_a_range_test_and_of_a_classifier():
    range_test = _run(smoothed_losses=np.array([4.0, 1.5, 3.0]), lrs=np.array([0.1, 1.0, 10.0]))
    assert range_test.suggested_lr == 0.1 and _run().suggested_lr is None
    classifier = Run(
        unit="epoch",
        losses=np.array([2.3, 0.5, 0.2]),
        val_accuracies=np.array([0.1, 0.9, 0.95]),
        seconds=np.array([0.0, 1.5, 3.0]),
    )
    assert classifier.best_accuracy == 0.95 and _run().best_accuracy is None
    assert classifier.seconds_to(0.9) == 1.5 and classifier.seconds_to(0.99) is None
