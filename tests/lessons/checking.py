"""What the lessons' tests assert: a right function passes its check with one line, a wrong one
fails with words of its diagnosis, in a message without a traceback; a question's right option
passes and each wrong one has feedback of its own; a derived number passes, a wrong one is
diagnosed; a lesson's figure is registered, titled and labelled."""

import json

import pytest

from course_utils.checks import CheckFailed
from course_utils.instructor import release


def passes(check, fn, capsys):
    """``check(fn)`` passes, printing one line; returns it."""
    check(fn)
    out = capsys.readouterr().out
    assert out.startswith("✔ ") and out.count("\n") == 1, out
    return out


def fails(check, fn, *words):
    """``check(fn)`` fails with each of ``words`` in its message; returns the message."""
    with pytest.raises(CheckFailed) as caught:
        check(fn)
    message = str(caught.value)
    for word in words:
        assert word in message, f"{word!r} not in: {message}"
    return message


def cell_text(notebook, cell_id):
    """The text of a course notebook's cell (by its id), lines joined and spaces collapsed: for
    the tests that hold a lesson's prompt to what its check does."""
    path = next(p for p in release.course_notebooks() if p.name == notebook)
    cell = next(c for c in json.loads(path.read_text())["cells"] if c["id"] == cell_id)
    return " ".join("".join(cell["source"]).split())


def check_tests(check, right, wrong, *, line=None, shown=()):
    """A check's two table tests: each function of ``right`` passes ``check`` with one line
    (exactly ``line`` where given); each ``(fn, diagnosis)`` of ``wrong`` fails it with
    ``diagnosis`` and each of ``shown`` in the message, with no traceback and nothing printed.

    Assign them to the names pytest collects, e.g. ``test_right_rules_pass_with_one_line,
    test_wrong_rules_fail_with_the_right_diagnosis = check_tests(check, RIGHT, WRONG)``.
    """

    @pytest.mark.parametrize("fn", right, ids=_names(right))
    def test_right(fn, capsys):
        out = passes(check, fn, capsys)
        assert "matches the reference" in out and (line is None or out == line), out

    @pytest.mark.parametrize(("fn", "diagnosis"), wrong, ids=_names(fn for fn, _ in wrong))
    def test_wrong(fn, diagnosis, capsys):
        with pytest.raises(CheckFailed) as caught:
            check(fn)
        message = str(caught.value)
        for words in (diagnosis, *shown):
            assert words in message, f"{words!r} not in: {message}"
        assert "Traceback" not in message and 'File "' not in message
        assert caught.value._render_traceback_() == [f"CheckFailed: {message}"]
        assert capsys.readouterr().out == ""

    return test_right, test_wrong


def seed_tests(check, seed):
    """A debug exercise's table test: each ``(fn, left, fixed)`` of ``seed`` (the seed's rule,
    and each partly fixed version of it) fails ``check`` with all the words of ``left`` (the
    errors that remain) in its message and none of ``fixed`` (those already fixed).

    Assign it to a name pytest collects, e.g.
    ``test_the_seed_and_each_partial_fix_name_the_errors_left = seed_tests(check, SEED)``.
    """

    @pytest.mark.parametrize(("fn", "left", "fixed"), seed, ids=_names(row[0] for row in seed))
    def test_seed(fn, left, fixed):
        message = fails(check, fn, *left)
        assert not any(words in message for words in fixed), message

    return test_seed


NOT_AN_OPTION = (None, "e", "Z", True, 2, 0.1)


def question_tests(questions):
    """The table test of a lesson's questions (``course_utils.checks.question``): each row
    ``(check, right, wrong)``, or ``(check, right, wrong, said)`` for a prediction. The right
    option passes with one line, ``✔ 'b' is right.``; each wrong option (``wrong``: a list, or a
    dict of each to words its feedback must hold) fails with ``Not 'a'.``, its words and a
    message of its own; an answer that is no option is asked for one of exactly these options.
    ``said``: words every message holds (what a prediction's experiment found).

    Assign it to a name pytest collects, e.g.
    ``test_questions_pass_the_right_option_and_explain_each_wrong_one = question_tests(QUESTIONS)``.
    """
    rows = [(*row, "")[:4] for row in questions]

    @pytest.mark.parametrize(
        ("check", "right", "wrong", "said"), rows, ids=_names(row[0] for row in rows)
    )
    def test_questions(check, right, wrong, said, capsys):
        line = passes(check, right, capsys)
        assert line.startswith(f"✔ {right!r} is right.") and said in line, line
        wrong = wrong if isinstance(wrong, dict) else dict.fromkeys(wrong, "")
        messages = {option: fails(check, option, words, said) for option, words in wrong.items()}
        feedback = set()
        for option, message in messages.items():
            assert message.startswith(f"Not {option!r}. "), message
            feedback.add(message.removeprefix(f"Not {option!r}. "))
        assert len(feedback) == len(messages), f"two options share their feedback: {messages}"
        options = sorted({right, *wrong}, key=str)
        allowed = ", ".join(map(repr, options[:-1])) + f" or {options[-1]!r}"
        name = check.__name__.removeprefix("check_")
        for answer in NOT_AN_OPTION:
            fails(check, answer, f"Set {name} to one of {allowed}; it is {answer!r}.")
        if isinstance(right, str) and right.upper() != right:  # meant, but graded exactly
            fails(
                check, right.upper(), f"Set {name} to {right!r}, exactly; it is {right.upper()!r}."
            )
        assert capsys.readouterr().out == ""

    return test_questions


NOT_A_NUMBER = (None, "1", True, [1.0])


def number_tests(check, right, wrong):
    """A derived number's two table tests (``course_utils.checks.numeric``): each value of
    ``right`` passes ``check`` with one line, ``✔ name = value is right.``; each ``(value,
    words)`` of ``wrong`` fails it with ``words`` in a message without a traceback, and so does
    what is not one number, asked for one.

    Assign them to the names pytest collects, e.g. ``test_the_right_value_passes,
    test_each_mistake_is_named = number_tests(check, RIGHT, WRONG)``.
    """
    name = check.__name__.removeprefix("check_")
    refused = [(answer, f"Set {name} to one number; it is {answer!r}.") for answer in NOT_A_NUMBER]

    @pytest.mark.parametrize("value", right)
    def test_right(value, capsys):
        out = passes(check, value, capsys)
        assert out.startswith(f"✔ {name} = {float(value):.6g} is right. "), out

    @pytest.mark.parametrize(("value", "words"), [*wrong, *refused])
    def test_wrong(value, words, capsys):
        message = fails(check, value, words)
        assert "Traceback" not in message and 'File "' not in message
        assert capsys.readouterr().out == ""

    return test_right, test_wrong


def mutant_rows(mutants):
    """A check's own mutants as rows of ``check_tests``' wrong table: each must be named."""
    return [(mutant.fn, "Likely cause: " + mutant.diagnosis) for mutant in mutants]


def no_cause_named(check, fn):
    """``fn`` fails ``check`` with no likely cause: no known mistake explains it."""
    with pytest.raises(CheckFailed) as excinfo:
        check(fn)
    assert "Likely cause" not in str(excinfo.value)


def registered_titled_and_labelled(name, make, panels):
    """``make`` is the figure registered as ``name``; it draws ``panels`` axes, each with a
    title and both axis labels."""
    import course_utils.figures

    assert course_utils.figures._REGISTRY[name] is make
    fig = make()
    assert len(fig.axes) == panels
    for ax in fig.axes:
        assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()


def _names(functions):
    return [getattr(fn, "__name__", repr(fn)) for fn in functions]
