"""The capstone's questions: the right option passes, each wrong one has its own feedback."""

import pytest

from course_utils.checks import CheckFailed
from course_utils.lessons.training_a_network import (
    check_fair_race,
    check_large_init,
    check_what_to_report,
)

QUESTIONS = [(check_large_init, "b"), (check_what_to_report, "c"), (check_fair_race, "d")]


@pytest.mark.parametrize(("check", "right"), QUESTIONS)
def test_the_right_option_passes_and_every_wrong_one_is_explained(check, right, capsys):
    check(right)
    assert capsys.readouterr().out.startswith(f"✔ {right!r} is right.")
    messages = set()
    for option in "abcd":
        if option == right:
            continue
        with pytest.raises(CheckFailed, match=f"^Not {option!r}. ") as failure:
            check(option)
        messages.add(str(failure.value))
    assert len(messages) == 3


@pytest.mark.parametrize(("check", "right"), QUESTIONS)
def test_an_unanswered_question_asks_for_an_option(check, right):
    with pytest.raises(CheckFailed, match="one of 'a', 'b', 'c' or 'd'; it is None"):
        check(None)
