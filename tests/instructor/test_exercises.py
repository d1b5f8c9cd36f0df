"""The clean-room contract: each exercise's test cell depends only on the notebook's setup cells
and its own solution cell(s), so that grading can run each exercise alone."""

import builtins
import json
import re
import symtable

import pytest

from course_utils.instructor import exercises, release
from course_utils.policy import NUMPY, Policy, check_source

COURSE = release.course_notebooks()
# the kinds of exercise in DESIGN.md, each a solution cell's `exercise:<kind>` tag
KINDS = ("implement", "predict", "debug", "derive", "challenge", "concept", "build")
IDS = [path.stem for path in COURSE]


@pytest.fixture(scope="module")
def course():
    return {path.stem: exercises.read_source(path) for path in COURSE}


def _bound(source):
    table = symtable.symtable(source, "<cell>", "exec")
    return {s.get_name() for s in table.get_symbols() if s.is_assigned() or s.is_imported()}


def _free(source):
    """The names ``source`` reads without binding them itself, in any of its scopes."""
    table = symtable.symtable(source, "<cell>", "exec")
    free, stack = set(), [table]
    while stack:
        scope = stack.pop()
        stack += scope.get_children()
        for symbol in scope.get_symbols():
            if symbol.is_referenced() and (scope is table or symbol.is_global()):
                free.add(symbol.get_name())
    return free - _bound(source)


def test_adagrad_is_read_as_its_setup_and_one_exercise(course):
    notebook = course["07_adagrad"]
    assert "import numpy as np" in notebook.setup and "%matplotlib" not in notebook.setup
    assert {"np", "optim", "check_adagrad_update"} <= set(notebook.setup_names)
    exercise = notebook.exercises[0]
    assert (exercise.name, exercise.grade_id, exercise.solution_ids) == (
        "adagrad_update",
        "test_adagrad_update",
        ("adagrad_update",),
    )
    assert exercise.points == 3 and exercise.kind == "debug"
    assert notebook.max_score == sum(e.points for e in notebook.exercises) == 6
    assert exercise.check == "check_adagrad_update" and exercise.policy == NUMPY
    assert "### BEGIN HIDDEN TESTS" in exercise.test and "def adagrad_update" in exercise.solution


def test_the_capstone_exercises_that_use_torch_are_graded_with_torch(course):
    by_name = {e.name: e for e in course["12_training_a_network"].exercises}
    for name in ("train", "quick_train", "training_recipe"):
        assert "torch" in by_name[name].policy.imports and "torch" in by_name[name].policy.names
    assert "torch" not in by_name["what_to_report"].policy.imports


@pytest.mark.parametrize("stem", IDS)
def test_every_notebook_has_setup_cells_and_checked_exercises(course, stem):
    notebook = course[stem]
    assert notebook.setup.strip() and notebook.exercises
    for exercise in notebook.exercises:
        assert exercise.check in notebook.setup_names, f"{exercise.name}: its check is not set up"
        assert exercise.points > 0 and isinstance(exercise.policy, Policy)
        assert exercise.kind in KINDS, f"{exercise.name}: tag its solution cell exercise:<kind>"


@pytest.mark.parametrize("stem", IDS)
def test_test_cells_read_only_the_setup_and_their_own_solutions(course, stem):
    """Statically: every name a test cell reads is its own, the setup's, or its solution's."""
    notebook = course[stem]
    for exercise in notebook.exercises:
        known = set(notebook.setup_names) | _bound(exercise.solution) | set(dir(builtins))
        assert _free(exercise.test) <= known, (
            f"{exercise.name} reads {_free(exercise.test) - known}"
        )


@pytest.mark.parametrize("stem", IDS)
def test_worked_solutions_follow_their_policy(course, stem):
    notebook = course[stem]
    for exercise in notebook.exercises:
        violations = check_source(exercise.solution, exercise.policy, reserved=notebook.setup_names)
        assert violations == [], f"{exercise.name}: {[str(v) for v in violations]}"


def _notebook(cells):
    return {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


def _code(source, grade_id=None, **nbgrader):
    metadata = {"nbgrader": {"grade_id": grade_id, **nbgrader}} if grade_id else {}
    return {"cell_type": "code", "source": source, "metadata": metadata, "outputs": []}


def test_a_submission_gives_only_its_solution_cells(tmp_path):
    source = tmp_path / "90_tiny.ipynb"
    source.write_text(
        json.dumps(
            _notebook(
                [
                    {
                        **_code("%matplotlib inline\nimport numpy as np"),
                        "metadata": {"tags": ["setup"]},
                    },
                    _code("def a(x):\n    return x", "a", solution=True),
                    _code("def b(x):\n    return x", "b", solution=True),
                    _code("assert a(1) == b(1)", "test_ab", grade=True, points=2),
                    _code("def c(x):\n    return x", "c", solution=True),
                    _code("assert c(1) == 1", "test_c", grade=True, points=1),
                ]
            )
        )
    )
    notebook = exercises.read_source(source)
    assert notebook.setup == "import numpy as np" and notebook.max_score == 3
    assert [e.solution_ids for e in notebook.exercises] == [("a", "b"), ("c",)]

    submitted = tmp_path / "submitted.ipynb"
    cells = [_code("print('mine')"), _code("A", "a"), _code("B", "b"), _code("C1", "c")]
    submitted.write_text(json.dumps(_notebook([*cells, _code("C2", "c")])))
    found = exercises.solutions(submitted, notebook)
    assert found["test_ab"] == "A\nB"
    assert "`c` appears 2 times" in found["test_c"].message

    submitted.write_text(json.dumps(_notebook([_code("A", "a")])))
    assert "`b` is missing" in exercises.solutions(submitted, notebook)["test_ab"].message
    for text in ("{not json", "[]", '{"cells": 3}'):
        submitted.write_text(text)
        with pytest.raises(exercises.Unreadable, match="not a valid notebook file"):
            exercises.solutions(submitted, notebook)


# ---------------------------------------------------------------------------------------------
# In the clean room itself
# ---------------------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_every_exercise_passes_alone_with_its_worked_solution_and_fails_as_released(
    course, released
):
    from course_utils.instructor import cleanroom

    tasks, expected, stubbed = [], [], []
    for path in COURSE:
        notebook = course[path.stem]
        own_stubs = _solutions_with_their_own_stub(path)
        blanks = exercises.solutions(released / path.name, notebook)
        for exercise in notebook.exercises:
            for kind, solution in (
                ("worked", exercise.solution),
                ("released", blanks[exercise.grade_id]),
            ):
                assert isinstance(solution, str), f"{path.stem}: {solution}"
                tasks.append(
                    cleanroom.Task(
                        key=f"{path.stem}/{exercise.name}/{kind}",
                        setup=notebook.setup,
                        solution=solution,
                        test=exercise.test,
                        allowed_names=tuple(exercise.policy.names),
                        allowed_imports=tuple(exercise.policy.imports),
                        timeout=120.0,
                    )
                )
                expected.append(kind == "worked")
                stubbed.append(bool(own_stubs & set(exercise.solution_ids)))
    with cleanroom.Pool(sandbox=cleanroom.sandbox_problem() is None) as pool:
        outcomes = pool.run(tasks)
    wrong = [
        f"{task.key}: {outcome.message or 'passed'}"
        for task, outcome, want in zip(tasks, outcomes, expected, strict=True)
        if outcome.passed != want
    ]
    assert not wrong
    # A blank fails in its check: on nbgrader's stub, or on the exercise's own starting point
    # (broken code, a name set to None), with the check's message, never an unexpected error.
    for task, outcome, own in zip(tasks, outcomes, stubbed, strict=True):
        if task.key.endswith("/released"):
            assert ("NotImplementedError" in outcome.message) != own, (task.key, outcome.message)
            assert not re.search(r"\b(NameError|SyntaxError)\b", outcome.message), task.key


def _solutions_with_their_own_stub(path):
    """The grade ids of the solution cells that declare their own stub (``downhill.stub``)."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return {
        cell["metadata"]["nbgrader"]["grade_id"]
        for cell in cells
        if "stub" in cell["metadata"].get("downhill", {})
    }
