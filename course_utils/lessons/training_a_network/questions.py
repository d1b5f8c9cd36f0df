"""The capstone's questions: a prediction before the initialisation experiment, and the two
retrieval questions before the recap. Each is a ``checks.question`` (feedback per wrong option)."""

from ...checks import question

__all__ = ["check_large_init", "check_what_to_report", "check_fair_race"]

check_large_init = question(
    "large_init",
    correct="b",
    why=(
        "Two layers each ten times too large make the logits about a hundred times too large: "
        "the softmax is saturated, the first loss is huge and so are the first gradients, so "
        "plain SGD's first steps are wild."
    ),
    wrong={
        "a": (
            "The scale of the weights sets the scale of the logits: ten times larger weights in "
            "two layers give logits about a hundred times larger, and a far larger first loss."
        ),
        "c": (
            "Larger weights do not carry more information: they saturate the softmax, so the "
            "first loss and the first gradients are huge, and the steps overshoot."
        ),
        "d": (
            "With ReLU a few units may die, but most still pass a signal; what changes first "
            "is the size of the logits, so the first loss is huge, not stuck at log 10."
        ),
    },
)

check_what_to_report = question(
    "what_to_report",
    correct="c",
    why=(
        "Every choice was made on validation, so its best score is biased upwards; the test "
        "set, untouched until now and measured once, is the fair estimate for new images."
    ),
    wrong={
        "a": (
            "The winner was picked because its validation score was highest, partly by luck: "
            "that score is biased upwards and no longer an estimate for new images."
        ),
        "b": (
            "Choosing the best of twelve on the test set turns the test set into a second "
            "validation set: its score is then biased upwards too."
        ),
        "d": (
            "The training accuracy measures how well the network fits images it has seen; it "
            "says least of all about new ones."
        ),
    },
)

check_fair_race = question(
    "fair_race",
    correct="d",
    why=(
        "Each optimizer's learning rate lives on its own scale: a race at hand-picked rates "
        "compares the picks. Tune η for each on validation with the same budget, then compare."
    ),
    wrong={
        "a": (
            "One rate per optimizer compares the rates as much as the optimizers: SGD at a "
            "rate ten times larger might well win."
        ),
        "b": (
            "Nothing here says SGD needs more epochs: it ran at a rate nobody tuned for it. "
            "Tune η for each optimizer first."
        ),
        "c": (
            "The test set is for the one final report, not for choosing: a race run on it "
            "spends it. And the rates are still untuned."
        ),
    },
)
