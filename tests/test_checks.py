"""The check machinery on a toy exercise: what a learner sees for each kind of failure."""

import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from course_utils.checks import (
    Case,
    CheckFailed,
    Mutant,
    Number,
    Shown,
    check_function,
    make_case,
    numeric,
    prefer_yours,
    question,
)


def shrink(w, grad, lr=0.5):
    """The toy exercise's reference: w ← w − η·g, returning (w, g)."""
    return w - lr * grad, grad.copy()


def _cases():
    rng = np.random.default_rng(0)
    w, grad = rng.standard_normal(4), rng.standard_normal(4)
    return [
        make_case("by keyword", shrink, (w, grad), {"lr": 0.1}, "keyword"),
        make_case("by position", shrink, (w, grad), {"lr": 0.2}, "positional"),
        make_case("float32", shrink, (w.astype(np.float32), grad.astype(np.float32)), {"lr": 0.3}),
        make_case("the default", shrink, (w, grad), {"lr": 0.5}, "defaults"),
    ]


_MUTANTS = (
    Mutant(lambda w, grad, lr: (w + lr * grad, grad), "UPHILL"),
    Mutant(lambda w, grad, lr: (w - grad, grad), "NO LR"),
    # agrees with the no-lr learner on the first case only: must lose to "NO LR"
    Mutant(lambda w, grad, lr: (w - grad if lr == 0.1 else w, grad), "ONLY ON CASE 1"),
)


def check_shrink(fn):
    __tracebackhide__ = True
    check_function(
        fn, "shrink", reference=shrink, cases=_cases(), outputs=("w", "grad"), mutants=_MUTANTS
    )


def _failure(fn):
    with pytest.raises(CheckFailed) as excinfo:
        check_shrink(fn)
    return str(excinfo.value)


def test_success_prints_exactly_one_line(capsys):
    check_shrink(shrink)
    out = capsys.readouterr().out
    assert out == "✔ shrink matches the reference on 4 cases.\n"


def test_make_case_passes_hyperparameters_as_asked():
    w, grad = np.ones(2), np.zeros(2)
    assert make_case("", shrink, (w, grad), {"lr": 0.1}).kwargs == {"lr": 0.1}
    positional = make_case("", shrink, (w, grad), {"lr": 0.1}, "positional")
    assert positional.args[2:] == (0.1,) and positional.kwargs == {}
    assert make_case("", shrink, (w, grad), {"lr": 0.5}, "defaults").kwargs == {}
    assert make_case("", shrink, (w, grad), {"lr": 0.4}, "defaults").kwargs == {"lr": 0.4}


def test_wrong_values_name_the_output_the_case_the_value_and_the_matching_mutant():
    message = _failure(lambda w, grad, lr=0.5: (w + lr * grad, grad))
    assert message.startswith("shrink returned a wrong `w` on case 1 of 4, by keyword: ")
    assert "shrink(w, grad, lr=0.1) with float64 arrays of shape (4,)" in message
    assert "w[0] should be" in message and "Likely cause: UPHILL" in message


def test_the_mutant_agreeing_on_most_cases_wins():
    assert _failure(lambda w, grad, lr=0.5: (w - grad, grad)).endswith("Likely cause: NO LR")


def test_an_ignored_argument_is_diagnosed_without_a_mutant_for_it():
    message = _failure(lambda w, grad, lr=0.5: (w - 0.5 * grad, grad.copy()))
    assert message.endswith("Likely cause: your function ignores `lr`: it computes as if lr=0.5, "
                            "whatever value it is given.")  # fmt: skip


def test_no_likely_cause_when_no_mutant_matches():
    message = _failure(lambda w, grad, lr=0.5: (w - lr * grad, 2 * grad))
    assert "wrong `grad`" in message and "Likely cause" not in message


def test_a_function_argument_is_shown_by_its_text():
    square = Shown("lambda w: w**2", lambda w: w**2)
    assert square(3.0) == 9.0 and repr(square) == "lambda w: w**2"
    case = Case("a function argument", (square, 2.0))
    with pytest.raises(CheckFailed, match=r"apply\(lambda w: w\*\*2, 2\.0\)"):
        check_function(
            lambda f, x: f(x) + 1,
            "apply",
            reference=lambda f, x: f(x),
            cases=[case],
            answer=Number("f(x)"),
        )


def test_a_wrong_default_is_read_off_the_signature():
    message = _failure(lambda w, grad, lr=0.05: (w - lr * grad, grad.copy()))
    assert "on case 4 of 4, the default: shrink(w, grad) with" in message
    assert "your default for `lr` is 0.05 but the exercise's is 0.5" in message


def test_an_exception_is_reported_in_one_line_with_the_learners_line():
    def broken(w, grad, lr=0.5):
        step = lr * grad
        return w - step[10], grad

    message = _failure(broken)
    assert message.startswith("shrink raised IndexError: index 10 is out of bounds")
    assert "`return w - step[10], grad`" in message and "\n" not in message


def test_a_signature_mismatch_shows_the_exercises_signature():
    message = _failure(lambda w, grad, learning_rate=0.5: (w, grad))
    assert "unexpected keyword argument 'lr'" in message
    assert "The exercise's signature is shrink(w, grad, lr=0.5)." in message


@pytest.mark.parametrize(
    ("fn", "expected"),
    [
        (lambda w, grad, lr=0.5: None, "returned None on case 1 of 4, by keyword: "),
        (lambda w, grad, lr=0.5: w - lr * grad, "returned a single ndarray"),
        (lambda w, grad, lr=0.5: (w - lr * grad,), "returned 1 value on case 1 of 4"),
        (lambda w, grad, lr=0.5: (list(w - lr * grad), grad), "returned a list as `w`"),
        (lambda w, grad, lr=0.5: [w - lr * grad, grad.copy()], "Return a tuple of 2: `return w,"),
        (lambda w, grad, lr=0.5: ((w - lr * grad)[:, None], grad + 0), "with shape (4, 1)"),
        (lambda w, grad, lr=0.5: ((w - lr * grad).astype(np.float32), grad + 0), "as float32"),
    ],
)
def test_malformed_results_are_named(fn, expected):
    assert expected in _failure(fn)


def test_float32_inputs_must_give_float32_results():
    message = _failure(lambda w, grad, lr=0.5: (np.float64(1) * w - lr * grad, grad + 0))
    assert "returned `w` as float64 instead of float32 on case 3 of 4, float32" in message
    assert "np.float64(...)" in message


def test_a_torch_tensor_is_refused_with_the_way_back():
    torch = pytest.importorskip("torch")
    message = _failure(lambda w, grad, lr=0.5: (torch.from_numpy(w - lr * grad), grad + 0))
    assert "returned a torch tensor as `w`" in message and ".detach().numpy()" in message


@pytest.mark.parametrize("arg", ["w", "grad"])
def test_changing_an_input_in_place_is_caught(arg):
    def in_place(w, grad, lr=0.5):
        result = w - lr * grad, grad.copy()
        {"w": w, "grad": grad}[arg][0] += 1.0
        return result

    message = _failure(in_place)
    assert f"changed its input `{arg}` in place" in message
    assert f"write `{arg} = ...` rather than `{arg} *= ...`" in message


def test_returning_an_input_itself_is_caught():
    message = _failure(lambda w, grad, lr=0.5: (w - lr * grad, grad))
    assert "returned its input `grad` itself as the new `grad`" in message


def test_float32_tolerance_is_looser_than_float64():
    def off_by(relative, dtype):
        def fn(w, grad, lr=0.5):
            w = w - lr * grad
            return (w * w.dtype.type(1 + relative) if w.dtype == dtype else w), grad.copy()

        return fn

    with pytest.raises(CheckFailed, match="case 1 of 4"):
        check_shrink(off_by(2e-6, np.float64))
    check_shrink(off_by(2e-6, np.float32))
    with pytest.raises(CheckFailed, match="case 3 of 4"):
        check_shrink(off_by(2e-5, np.float32))


def test_a_function_is_required():
    with pytest.raises(TypeError, match=r"check_shrink\(shrink\)"):
        check_shrink(shrink(np.ones(2), np.ones(2)))


def test_the_failure_renders_cleanly_for_ipython_and_pytest():
    message = _failure(lambda w, grad, lr=0.5: (w + lr * grad, grad))
    assert "Traceback" not in message and 'File "' not in message
    with pytest.raises(CheckFailed) as excinfo:
        check_shrink(lambda w, grad, lr=0.5: (w + lr * grad, grad))
    assert isinstance(excinfo.value, AssertionError)
    assert excinfo.value._render_traceback_() == [f"CheckFailed: {message}"]
    assert excinfo.value.__suppress_context__
    shown = excinfo.traceback.filter(excinfo)
    assert all("course_utils" not in str(entry.path) for entry in shown)


def test_ipython_shows_the_message_and_no_traceback():
    pytest.importorskip("IPython")
    # In a fresh interpreter: an IPython shell would stay installed in this one.
    cell = "check_sgd_update(lambda w, grad, lr: w + lr * grad)"
    script = (
        "from IPython.core.interactiveshell import InteractiveShell\n"
        "from course_utils.lessons.gradient_descent import check_sgd_update\n"
        "shell = InteractiveShell.instance()\n"
        "shell.user_ns['check_sgd_update'] = check_sgd_update\n"
        f"assert not shell.run_cell({cell!r}).success\n"
    )
    root = str(Path(__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": root}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("CheckFailed: sgd_update returned a wrong `w` on case 1 of 11")
    assert done.stdout.count("\n") == 1 and "Traceback" not in done.stdout


def sign_name(x):
    """A toy exercise whose answer is a label."""
    return "positive" if x > 0 else "negative" if x < 0 else "zero"


def check_sign_name(fn):
    __tracebackhide__ = True
    cases = [make_case(f"x = {x}", sign_name, (x,), {}) for x in (2.0, -1.0, 0.0)]
    mutants = (Mutant(lambda x: "positive" if x >= 0 else "negative", "ZERO IS NOT POSITIVE"),)
    check_function(
        fn, "sign_name", reference=sign_name, cases=cases, outputs=("name",), mutants=mutants
    )


def test_labels_are_compared_by_equality(capsys):
    check_sign_name(sign_name)
    assert capsys.readouterr().out == "✔ sign_name matches the reference on 3 cases.\n"
    with pytest.raises(CheckFailed) as excinfo:
        check_sign_name(lambda x: "positive" if x >= 0 else "negative")
    message = str(excinfo.value)
    assert (
        "on case 3 of 3, x = 0.0: sign_name(0.0): name should be 'zero' but is 'positive'"
        in message
    )
    assert message.endswith("Likely cause: ZERO IS NOT POSITIVE")
    with pytest.raises(CheckFailed, match="returned an int as `name`.*such as 'positive'"):
        check_sign_name(lambda x: 1)


def test_a_label_outside_the_allowed_ones_is_refused_with_the_list():
    def check(fn):
        cases = [make_case(f"x = {x}", sign_name, (x,), {}) for x in (2.0, -1.0, 0.0)]
        labels = ("positive", "negative", "zero")
        check_function(
            fn, "sign_name", reference=sign_name, cases=cases, outputs=("name",), labels=labels
        )

    check(sign_name)
    with pytest.raises(CheckFailed) as excinfo:
        check(lambda x: sign_name(x).capitalize())
    message = str(excinfo.value)
    assert message.startswith("sign_name returned 'Positive' as `name` on case 1 of 3, x = 2.0")
    assert message.endswith("Return exactly one of 'positive', 'negative', 'zero'.")
    with pytest.raises(CheckFailed, match="Return a string, one of 'positive', 'negative'"):
        check(lambda x: 1)


# A toy exercise whose reference gives inf: 1/x, with x = 0 among the inputs.


def reciprocal(x):
    with np.errstate(divide="ignore"):
        return 1.0 / x


def check_reciprocal(fn, mutants=()):
    __tracebackhide__ = True
    x = np.array([2.0, 0.0, -4.0])
    cases = [make_case("with a zero", reciprocal, (x,), {})]
    check_function(
        fn, "reciprocal", reference=reciprocal, cases=cases, outputs=("y",), mutants=mutants
    )


def test_inf_matches_only_the_same_inf():
    check_reciprocal(lambda x: np.divide(1.0, x, where=True))
    with pytest.raises(CheckFailed, match=r"y\[1\] should be inf but is 1e\+300"):
        check_reciprocal(lambda x: 1.0 / np.where(x == 0, 1e-300, x))
    with pytest.raises(CheckFailed, match="should be inf but is -inf"):
        check_reciprocal(lambda x: 1.0 / np.where(x == 0, -0.0, x))


def test_a_mutant_giving_inf_does_not_explain_a_finite_result():
    mutants = (Mutant(lambda x: 1.0 / (x - 2.0), "INF WHERE X IS 2"),)
    with pytest.raises(CheckFailed) as excinfo:
        check_reciprocal(lambda x: np.where(x == 2.0, 0.0, reciprocal(x)), mutants)
    assert "Likely cause" not in str(excinfo.value)


def test_parameters_in_another_order_are_named_when_a_case_passes_them_by_position():
    message = _failure(lambda grad, w, lr=0.5: (w - lr * grad, grad.copy()))
    assert message.startswith("shrink returned a wrong `w` and `grad` on case 1 of 4")
    assert message.endswith(
        "Likely cause: your parameters are in the order (grad, w, lr) but the exercise's are "
        "(w, grad, lr), and this case passes them by position."
    )


def test_stricter_tolerances_catch_float64_computed_in_float32():
    def in_float32(w, grad, lr=0.5):
        w32 = w.astype(np.float32) - np.float32(lr) * grad.astype(np.float32)
        return w32.astype(w.dtype), grad.copy()

    check_shrink(in_float32)  # the default float64 tolerance, 1e-6, lets it through
    with pytest.raises(CheckFailed) as excinfo:
        check_function(
            in_float32,
            "shrink",
            reference=shrink,
            cases=_cases(),
            outputs=("w", "grad"),
            tolerances={np.float64: (1e-10, 1e-12)},
        )
    message = str(excinfo.value)
    assert "on case 1 of 4" in message
    assert message.endswith(
        "Likely cause: your results are right to only about 7 digits, as when float64 is "
        "computed in float32: keep float64 inputs in float64."
    )


def test_values_are_shown_with_as_many_digits_as_tell_them_apart():
    def off(w, grad, lr=0.5):
        return (w - lr * grad) * (1 + 1e-8), grad.copy()

    tolerances = {np.float64: (1e-10, 1e-12)}
    with pytest.raises(CheckFailed) as excinfo:
        check_function(
            off, "shrink", reference=shrink, cases=_cases(), outputs=("w", "grad"),
            tolerances=tolerances,
        )  # fmt: skip
    should, but = re.search(r"should be (\S+) but is (\S+?)\. ", str(excinfo.value)).groups()
    assert should != but and f"{float(should):.7g}" == f"{float(but):.7g}"
    assert float(but) == pytest.approx(float(should) * (1 + 1e-8), rel=3e-9)


def test_a_python_float_for_a_float32_scalar_is_named():
    inputs = (np.array(1.5, np.float32), np.array(0.5, np.float32))
    cases = [make_case("a 0-d float32 array", shrink, inputs, {"lr": 0.1})]
    with pytest.raises(CheckFailed, match=r"float\(...\) and .item\(\) give a Python float"):
        check_function(
            lambda w, grad, lr=0.5: (float(w - lr * grad), grad.copy()),
            "shrink", reference=shrink, cases=cases, outputs=("w", "grad"),
        )  # fmt: skip


# Number: where the answer is one number


def total(values):
    return float(np.sum(values))


_TOTAL_CASES = [make_case("three values", total, (np.array([1.0, 2.0, 3.0]),), {})]


def check_total(fn):
    __tracebackhide__ = True
    check_function(fn, "total", reference=total, cases=_TOTAL_CASES, answer=Number("ADD THEM UP."))


def test_an_array_for_one_number_is_refused_naming_the_shape_the_case_and_the_hint():
    with pytest.raises(CheckFailed) as excinfo:
        check_total(lambda values: np.cumsum(values))
    assert str(excinfo.value) == (
        "total returned a NumPy array of shape (3,) instead of one number on case 1 of 1, "
        "three values: total(values) with float64 arrays of shape (3,). ADD THEM UP."
    )


def test_one_number_may_be_a_python_or_numpy_scalar_and_errors_are_reported(capsys):
    check_total(total)
    check_total(lambda values: np.float32(values.sum()))
    assert capsys.readouterr().out.count("✔ total matches the reference on 1 cases.") == 2
    with pytest.raises(CheckFailed, match="raised IndexError"):
        check_total(lambda values: values[7])
    with pytest.raises(TypeError, match=r"check_total\(total\)"):
        check_total(3.0)


def test_one_number_runs_on_copies():
    def in_place(values):
        values *= 2
        return float(values.sum())

    with pytest.raises(CheckFailed, match="changed its input `values` in place"):
        check_total(in_place)
    assert _TOTAL_CASES[0].args[0].tolist() == [1.0, 2.0, 3.0]


# --- questions: concept, predict, derive -------------------------------------------------------

STEEPEST = question(
    "steepest",
    correct="b",
    why="−∇L is the direction of steepest descent.",
    wrong={"a": "∇L points uphill.", "c": "A coordinate axis is steepest only by chance."},
)


def test_a_right_option_passes_with_its_reason(capsys):
    STEEPEST("b")
    assert capsys.readouterr().out == "✔ 'b' is right. −∇L is the direction of steepest descent.\n"


@pytest.mark.parametrize(
    "answer, message",
    [
        ("a", "Not 'a'. ∇L points uphill."),
        ("c", "Not 'c'. A coordinate axis is steepest only by chance."),
        (None, "Set steepest to one of 'a', 'b' or 'c'; it is None."),
        ("B", "Set steepest to 'b', exactly; it is 'B'."),  # what was meant, as graded
        (" b", "Set steepest to 'b', exactly; it is ' b'."),
        ("e", "Set steepest to one of 'a', 'b' or 'c'; it is 'e'."),
        (True, "Set steepest to one of 'a', 'b' or 'c'; it is True."),
    ],
)
def test_each_wrong_option_gets_its_own_feedback(answer, message):
    with pytest.raises(CheckFailed) as excinfo:
        STEEPEST(answer)
    assert str(excinfo.value) == message


def test_a_prediction_is_graded_on_the_experiments_outcome(capsys):
    ran = []

    def experiment():
        ran.append(True)
        return "diverges", "The run blew up at step 7."

    check = question("fate", correct=experiment, why="η > 2/λmax.", wrong={"converges": "No."})
    check("diverges")
    assert ran and "The run blew up at step 7. η > 2/λmax." in capsys.readouterr().out
    with pytest.raises(CheckFailed, match=r"^Not 'converges'. The run blew up at step 7. No.$"):
        check("converges")
    assert STEEPEST.__name__ == "check_steepest" and check.policy.label


HINT = "Balance |1 − ηλmin| and |1 − ηλmax|."
ETA_STAR = numeric(
    "eta_star",
    value=lambda: 2 / 11,
    why="It balances the slowest and the fastest direction.",
    mistakes=((0.1, "that is 1/λmax."), (0.2, "that is 2/λmax, the edge of divergence.")),
    hint=HINT,
)


@pytest.mark.parametrize(
    "answer, message",
    [
        (0.1, "eta_star = 0.1 is not right. Likely cause: that is 1/λmax."),
        (0.2, "eta_star = 0.2 is not right. Likely cause: that is 2/λmax, the edge of divergence."),
        (
            0.18,  # 1 % off: rounded, not wrong
            "eta_star = 0.18 is close, but not within 0.1%: keep more digits, or write the exact "
            "expression (a fraction, a power) and let Python compute it.",
        ),
        (0.5, "eta_star = 0.5 is too large. Balance |1 − ηλmin| and |1 − ηλmax|."),
        (0.01, "eta_star = 0.01 is too small. Balance |1 − ηλmin| and |1 − ηλmax|."),
        ("0.18", "Set eta_star to one number; it is '0.18'."),
        (True, "Set eta_star to one number; it is True."),
        (
            np.nan,
            "eta_star is nan: it must be a finite number. Balance |1 − ηλmin| and |1 − ηλmax|.",
        ),
    ],
)
def test_a_derived_number_names_the_mistake_it_is_near(answer, message):
    with pytest.raises(CheckFailed) as excinfo:
        ETA_STAR(answer)
    assert str(excinfo.value) == message


def test_a_derived_number_passes_within_its_tolerance_as_any_real_type(capsys):
    for answer in (2 / 11, np.float32(2 / 11), 0.18185):
        ETA_STAR(answer)
    assert capsys.readouterr().out.count("✔ eta_star = 0.18") == 3
    with pytest.raises(CheckFailed):
        ETA_STAR(0.1825)  # outside rtol = 1e-3


# --- prefer_yours: the learner's function drives the lesson once it passes ---------------------


def test_a_passing_function_is_used_and_said_so(capsys):
    def mine(w, grad, lr=0.5):
        return w - lr * grad, grad.copy()

    assert prefer_yours(mine, check_shrink, shrink) is mine
    assert capsys.readouterr().out == "The cells below use your shrink: it passes its check.\n"


@pytest.mark.parametrize(
    "body, reason",
    [
        ("raise NotImplementedError()", "it is not written yet"),
        (
            "return w + lr * grad, grad.copy()",
            "shrink returned a wrong `w` on case 1 of 4, by keyword",
        ),
    ],
)
def test_a_failing_function_falls_back_to_the_reference_in_one_line(capsys, body, reason):
    namespace = {}
    exec(f"def mine(w, grad, lr=0.5):\n    {body}\n", namespace)
    assert prefer_yours(namespace["mine"], check_shrink, shrink) is shrink
    out = capsys.readouterr().out
    assert out == (
        f"The cells below use the course's shrink: yours does not pass its check yet ({reason}).\n"
    )
