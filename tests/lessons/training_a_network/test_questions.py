"""The capstone's questions: the right option passes, each wrong one has its own feedback."""

from course_utils.lessons.training_a_network import (
    check_fair_race,
    check_large_init,
    check_what_to_report,
)

from ..checking import question_tests

QUESTIONS = [
    (check_large_init, "b", ["a", "c", "d"]),
    (check_what_to_report, "c", ["a", "b", "d"]),
    (check_fair_race, "d", ["a", "b", "c"]),
]

test_the_right_option_passes_and_every_wrong_one_is_explained = question_tests(QUESTIONS)
