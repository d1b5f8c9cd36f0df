"""What the lessons' check tests assert: a right function passes with one line, a wrong one
fails with words of its diagnosis, in a message without a traceback."""

import pytest

from course_utils.checks import CheckFailed


def passes(check, fn, capsys):
    """``check(fn)`` passes, printing one line."""
    check(fn)
    out = capsys.readouterr().out
    assert out.startswith("✔") and out.count("\n") == 1, out


def fails(check, fn, *words):
    """``check(fn)`` fails with each of ``words`` in its message; returns the message."""
    with pytest.raises(CheckFailed) as caught:
        check(fn)
    message = str(caught.value)
    for word in words:
        assert word in message, f"{word!r} not in: {message}"
    return message


def rule_tests(right, wrong):
    """An update-rule lesson's two tests: each ``(check, fn)`` of ``right`` passes with one
    line; each ``(check, fn, diagnosis)`` of ``wrong`` fails with ``diagnosis`` in the message.

    Assign them to the names pytest collects: ``test_right_rules_pass_with_one_line,
    test_wrong_rules_fail_with_the_right_diagnosis = rule_tests(RIGHT, WRONG)``.
    """

    @pytest.mark.parametrize(("check", "fn"), right, ids=lambda x: getattr(x, "__name__", ""))
    def test_right_rules_pass_with_one_line(check, fn, capsys):
        check(fn)
        out = capsys.readouterr().out
        assert out.count("\n") == 1 and out.startswith("✔ ") and "matches the reference" in out

    @pytest.mark.parametrize(
        ("check", "fn", "diagnosis"), wrong, ids=[fn.__name__ for _, fn, _ in wrong]
    )
    def test_wrong_rules_fail_with_the_right_diagnosis(check, fn, diagnosis, capsys):
        with pytest.raises(CheckFailed) as excinfo:
            check(fn)
        message = str(excinfo.value)
        assert diagnosis in message
        assert "Traceback" not in message and 'File "' not in message
        assert excinfo.value._render_traceback_() == [f"CheckFailed: {message}"]
        assert capsys.readouterr().out == ""

    return test_right_rules_pass_with_one_line, test_wrong_rules_fail_with_the_right_diagnosis


def no_cause_named(check, fn):
    """``fn`` fails ``check`` with no likely cause: no known mistake explains it."""
    with pytest.raises(CheckFailed) as excinfo:
        check(fn)
    assert "Likely cause" not in str(excinfo.value)
