"""What the lessons' tests assert: a right function passes its check with one line, a wrong one
fails with words of its diagnosis, in a message without a traceback; a lesson's figure is
registered, titled and labelled."""

import pytest

from course_utils.checks import CheckFailed


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
