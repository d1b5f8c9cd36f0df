"""The update-rule checks' shared machinery (``course_utils.rule_checks``) with each lesson's
table: every mutant is caught and named, and the cases cover what tells the mistakes apart.

The learner-style right and wrong rules live with each lesson's tests, in
tests/lessons/<lesson>/test_checks.py; this file also checks that, together, they cover every
rule and many mistakes.
"""

import inspect

import numpy as np
import pytest
from lessons.adagrad import test_checks as adagrad_tests
from lessons.adam import test_checks as adam_tests
from lessons.gradient_descent import test_checks as gradient_descent_tests
from lessons.momentum import test_checks as momentum_tests
from lessons.rmsprop import test_checks as rmsprop_tests

from course_utils import optim, rule_checks
from course_utils.checks import CheckFailed
from course_utils.lessons.adagrad import check_adagrad_update
from course_utils.lessons.adam import check_adam_update
from course_utils.lessons.gradient_descent import check_sgd_update
from course_utils.lessons.momentum import check_momentum_update
from course_utils.lessons.rmsprop import check_rmsprop_update

CHECKS = {
    optim.sgd_update: check_sgd_update,
    optim.momentum_update: check_momentum_update,
    optim.adagrad_update: check_adagrad_update,
    optim.rmsprop_update: check_rmsprop_update,
    optim.adam_update: check_adam_update,
}
# each lesson's learner-style rules, in tables of (fn, diagnosis) for the lesson's check
LESSON_TESTS = {
    check_sgd_update: gradient_descent_tests,
    check_momentum_update: momentum_tests,
    check_adagrad_update: adagrad_tests,
    check_rmsprop_update: rmsprop_tests,
    check_adam_update: adam_tests,
}
WRONG = [(check, *row) for check, tests in LESSON_TESTS.items() for row in tests.WRONG]
MORE_WRONG = [(check, *row) for check, tests in LESSON_TESTS.items() for row in tests.MORE_WRONG]


def _recorded(monkeypatch, check):
    """What `check` hands to check_function: its cases, outputs and mutants."""
    seen = {}
    monkeypatch.setattr(rule_checks, "check_function", lambda fn, name, **kw: seen.update(kw))
    check(None)
    return seen


def test_the_wrong_rules_cover_every_rule_and_many_mistakes():
    assert len(WRONG) >= 25 and len(MORE_WRONG) >= 30
    assert {check for check, _, _ in WRONG} == set(CHECKS.values())
    assert {check for check, _, _ in MORE_WRONG} == set(CHECKS.values())
    functions = [fn for _, fn, _ in WRONG + MORE_WRONG]
    assert len(functions) == len(set(functions))


# ---------------------------------------------------------------------------------------------
# The cases and mutants themselves
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("rule", CHECKS, ids=lambda rule: rule.__name__)
def test_every_mutant_is_caught_and_named(rule, monkeypatch):
    mutants = _recorded(monkeypatch, CHECKS[rule])["mutants"]
    monkeypatch.undo()
    signature = inspect.signature(rule)
    for mutant in mutants:

        def learner(*args, _mutant=mutant, **kwargs):
            bound = signature.bind(*args, **kwargs)
            bound.apply_defaults()
            return _mutant.fn(**bound.arguments)

        learner.__signature__ = signature
        with pytest.raises(CheckFailed) as excinfo:
            CHECKS[rule](learner)
        assert str(excinfo.value).endswith(f"Likely cause: {mutant.diagnosis}")


@pytest.mark.parametrize("rule", CHECKS, ids=lambda rule: rule.__name__)
def test_cases_cover_shapes_dtypes_calls_and_stay_finite(rule, monkeypatch):
    cases = _recorded(monkeypatch, CHECKS[rule])["cases"]
    signature = inspect.signature(rule)
    shapes, dtypes, styles = set(), set(), set()
    for case in cases:
        result = rule(*case.args, **case.kwargs)
        assert all(
            np.isfinite(a).all() for a in (result if isinstance(result, tuple) else [result])
        )
        bound = signature.bind(*case.args, **case.kwargs)
        shapes.add(case.args[0].shape)
        dtypes.add(case.args[0].dtype)
        styles.add("defaults" if len(bound.arguments) < len(signature.parameters) else "")
        styles.add("keyword" if case.kwargs else "positional")
    assert {(), (1,), (3, 4), (2, 3, 2)} <= shapes
    assert dtypes == {np.dtype(np.float32), np.dtype(np.float64)}
    assert {"keyword", "positional"} <= styles
    if any(p.default is not inspect.Parameter.empty for p in signature.parameters.values()):
        assert "defaults" in styles


@pytest.mark.parametrize(
    ("rule", "name", "expected"),
    [
        (optim.adam_update, "t", {1, 2, 3, 4, 5, 1000}),
        (optim.adam_update, "eps", {1e-8, 0.1}),
        (optim.adagrad_update, "eps", {1e-10, 0.1}),
        (optim.rmsprop_update, "eps", {1e-8, 0.1}),
        (optim.momentum_update, "nesterov", {True, False}),
        (optim.momentum_update, "momentum", {0.0, 0.9}),
    ],
)
def test_cases_include_the_values_that_tell_mistakes_apart(rule, name, expected, monkeypatch):
    signature = inspect.signature(rule)
    found = set()
    for case in _recorded(monkeypatch, CHECKS[rule])["cases"]:
        bound = signature.bind(*case.args, **case.kwargs)
        bound.apply_defaults()
        found.add(bound.arguments[name])
    assert expected <= found


@pytest.mark.parametrize(
    ("rule", "state"),
    [
        (optim.adagrad_update, "sum_sq"),
        (optim.rmsprop_update, "sq_avg"),
        (optim.adam_update, "v"),
    ],
)
def test_a_large_eps_case_starts_from_a_nonzero_state(rule, state, monkeypatch):
    # there √G + ε, √(G + ε), √(G + ε²) and √G all differ, and so do αG + g² and G + g²
    signature = inspect.signature(rule)
    found = False
    for case in _recorded(monkeypatch, CHECKS[rule])["cases"]:
        bound = signature.bind(*case.args, **case.kwargs)
        bound.apply_defaults()
        found |= bound.arguments["eps"] >= 0.1 and bool(np.all(bound.arguments[state] > 0))
    assert found


# ---------------------------------------------------------------------------------------------
# The seed formulas: every combination of their errors, each named by what remains
# ---------------------------------------------------------------------------------------------


def test_seed_step_puts_the_seed_errors_into_the_step():
    w, g, sq = np.array([1.0, -2.0]), np.array([0.5, -0.25]), np.array([4.0, 0.25])
    lr, eps = 0.1, 0.01
    expected = {
        (): w - lr * g / (np.sqrt(sq) + eps),
        ("root",): w - lr * g / (sq + eps),
        ("eps",): w - lr * g / np.sqrt(sq) + eps,
        ("root", "eps"): w - lr * g / sq + eps,
        ("accumulator", "root", "eps"): w - lr * g / sq + eps,  # others are not the step's
    }
    for errors, want in expected.items():
        np.testing.assert_array_equal(rule_checks.seed_step(errors)(w, g, sq, lr, eps), want)


def test_seed_mutants_cover_every_combination_of_two_or_more_largest_first():
    built = []
    errors = {"a": "error A", "b": "error B", "c": "error C", "d": "error D"}
    mutants = rule_checks.seed_mutants(lambda chosen: built.append(chosen) or chosen, errors)
    assert len(mutants) == 11 == len(set(built))  # 1 of four, 4 of three, 6 of two
    assert [len(chosen) for chosen in built] == [4, 3, 3, 3, 3, 2, 2, 2, 2, 2, 2]
    assert mutants[0].diagnosis == (
        "this is still the seed's formula, with all four of its errors: (1) error A; "
        "(2) error B; (3) error C; (4) error D."
    )
    assert (
        mutants[-1].diagnosis == "two of the seed's four errors remain: (1) error C; (2) error D."
    )


def test_adaptive_mutants_are_the_steps_the_states_then_the_seeds_combinations():
    def factory(update=lambda sq, grad: sq + grad**2, **wrong):
        return rule_checks.adaptive_mutant("sq", update, **wrong)

    mutants = rule_checks.adaptive_mutants(
        factory, "the sum", seed_update=lambda sq, grad: sq + grad, seed_error="G adds g", code="sq"
    )
    shared = rule_checks.step_mutants(factory, "G", "g") + rule_checks.state_mutants(
        factory, "the sum"
    )
    assert [m.diagnosis for m in mutants[: len(shared)]] == [m.diagnosis for m in shared]
    seeds = mutants[len(shared) :]
    assert [m.diagnosis.split(":")[0] for m in seeds] == [
        "this is still the seed's formula, with all three of its errors",
        *["two of the seed's three errors remain"] * 3,
    ]
    assert "(1) G adds g; (2) the square root is missing" in seeds[0].diagnosis
    assert "`… / sq + eps` adds eps to w" in seeds[0].diagnosis
    w, g, sq, lr, eps = (
        np.array([1.0, -2.0]),
        np.array([0.5, 1.5]),
        np.array([4.0, 0.25]),
        0.1,
        0.01,
    )
    expected = [  # all three; G + g with no root; G + g with ε on w; no root and ε on w
        w - lr * g / (sq + g) + eps,
        w - lr * g / (sq + g + eps),
        w - lr * g / np.sqrt(sq + g) + eps,
        w - lr * g / (sq + g**2) + eps,
    ]
    for mutant, want in zip(seeds, expected, strict=True):
        new_w, new_sq = mutant.fn(w, g, lr=lr, eps=eps, sq=sq)
        np.testing.assert_allclose(new_w, want)


@pytest.mark.parametrize(
    ("check", "seeds"),
    [(check_adagrad_update, 4), (check_rmsprop_update, 4), (check_adam_update, 11)],
    ids=["adagrad", "rmsprop", "adam"],
)
def test_each_debug_check_names_every_combination_of_the_seed_errors(check, seeds, monkeypatch):
    mutants = _recorded(monkeypatch, check)["mutants"]
    named = [
        m for m in mutants if "of the seed's" in m.diagnosis or "the seed's formula" in m.diagnosis
    ]
    assert len(named) == seeds  # each is caught and named by test_every_mutant_is_caught_and_named
