"""The course as a learner meets it: lessons one can finish, exercises of many kinds, no
spoilers, and the learner's own code driving each lesson after its exercise."""

import ast
import collections
import json
import re

import pytest

from course_utils.instructor import exercises, release

COURSE = release.course_notebooks()
IDS = [path.stem for path in COURSE]
KINDS = ("implement", "predict", "debug", "derive", "challenge", "concept", "build")
DRIVING = ("implement", "build", "debug")  # kinds that leave the learner a function to use


@pytest.fixture(scope="module")
def course():
    return {path.stem: exercises.read_source(path) for path in COURSE}


def _cells(stem):
    return json.loads((COURSE[IDS.index(stem)]).read_text(encoding="utf-8"))["cells"]


def _source(cell):
    return "".join(cell["source"])


def _grade_id(cell):
    return cell["metadata"].get("nbgrader", {}).get("grade_id")


def test_the_course_asks_for_at_least_45_exercises_of_at_least_5_kinds(course):
    kinds = collections.Counter(
        exercise.kind for notebook in course.values() for exercise in notebook.exercises
    )
    assert sum(kinds.values()) >= 45, kinds
    several = [kind for kind in KINDS if kinds[kind] >= 3]
    assert len(several) >= 5, f"only {several} appear three times or more: {kinds}"


@pytest.mark.parametrize("stem", IDS[1:])
def test_every_lesson_asks_for_at_least_two_exercises(course, stem):
    assert len(course[stem].exercises) >= 2


@pytest.mark.parametrize("stem", IDS)
def test_a_lesson_has_at_most_50_cells_and_starts_with_a_time_estimate(stem):
    cells = _cells(stem)
    assert len(cells) <= 50
    assert re.search(r"About \d+ minutes", _source(cells[0])), "say how long the lesson takes"


def _reading(cell):
    """A code cell in the reading path: shown, and neither setup, exercise nor its test."""
    return (
        cell["cell_type"] == "code"
        and not cell["metadata"].get("jupyter", {}).get("source_hidden")
        and "setup" not in cell["metadata"].get("tags", [])
        and not _grade_id(cell)
    )


@pytest.mark.parametrize("stem", IDS)
def test_proofs_sit_out_of_the_reading_path(stem):
    """Every number a lesson states is asserted, but runs of asserts go to a collapsed cell:
    a cell the learner reads is short and states at most two claims."""
    for index, cell in enumerate(_cells(stem)):
        if not _reading(cell):
            continue
        tree = ast.parse(_source(cell))
        claims = sum(isinstance(node, ast.Assert) for node in ast.walk(tree))
        assert claims <= 2, f"cell {index} has {claims} asserts: collapse them into a proof cell"
        lines = len(_source(cell).strip().splitlines())
        assert lines <= 15, f"cell {index} has {lines} lines: split it at an idea"


@pytest.mark.parametrize("stem", IDS)
def test_a_folded_cell_says_what_it_proves_on_its_first_line(stem):
    """Folded, a cell shows only its first line (and on the site its summary): a comment."""
    for index, cell in enumerate(_cells(stem)):
        if cell["metadata"].get("jupyter", {}).get("source_hidden"):
            first = _source(cell).splitlines()[0]
            assert re.match(r"# (Proof|Check)\b", first), f"cell {index} starts {first!r}"


@pytest.mark.parametrize("stem", IDS[1:])
def test_a_lesson_ends_with_retrieval_questions_and_then_its_recap(course, stem):
    """Recall first, from memory, then the summary to check it against (the summary would
    otherwise hand over the answers); optional sections may follow."""
    cells = _cells(stem)
    recall = next(i for i, c in enumerate(cells) if _source(c).startswith("## ✏️ Recall"))
    recap = next(i for i, c in enumerate(cells) if _source(c).startswith("## Recap"))
    at = {_grade_id(c): i for i, c in enumerate(cells) if _grade_id(c)}
    where = {e.name: at[e.solution_ids[0]] for e in course[stem].exercises}
    questions = [e for e in course[stem].exercises if recall < where[e.name] < recap]
    assert len(questions) >= 2 and all(e.kind == "concept" for e in questions)
    assert max(where.values()) < recap, "no exercise after the recap"
    between = cells[recall + 1 : recap]
    assert all(c["cell_type"] == "markdown" or _grade_id(c) for c in between), (
        "nothing but the questions between the recall heading and the recap"
    )


@pytest.mark.parametrize("stem", IDS[1:])
def test_nothing_before_an_exercise_calls_its_function(course, stem):
    """No spoilers: the reference of `adagrad_update` is not called before the learner writes it."""
    cells = _cells(stem)
    for exercise in course[stem].exercises:
        first = min(i for i, c in enumerate(cells) if _grade_id(c) in exercise.solution_ids)
        for name in re.findall(r"^def (\w+)\(", exercise.solution, re.M):
            earlier = [
                i
                for i in range(first)
                if cells[i]["cell_type"] == "code" and re.search(rf"\b{name}\(", _source(cells[i]))
            ]
            assert not earlier, f"{name} is called in cell {earlier} before its exercise"


@pytest.mark.parametrize("stem", IDS[1:])
def test_the_learners_function_drives_the_cells_after_its_exercise(course, stem):
    cells = _cells(stem)
    later = "\n".join(_source(c) for c in cells if c["cell_type"] == "code")
    for exercise in course[stem].exercises:
        if exercise.kind not in DRIVING:
            continue
        names = re.findall(r"^def (\w+)\(", exercise.solution, re.M)
        assert any(re.search(rf"\b{n} = prefer_yours\(\s*{n}\b", later) for n in names), (
            f"after {exercise.name}, use it: `{names[0]} = prefer_yours({names[0]}, ...)`"
        )


@pytest.mark.slow
@pytest.mark.parametrize("stem", IDS)
def test_a_blank_workbook_runs_on_with_the_courses_references(released, stem):
    """A learner who skips every exercise can still run the whole lesson: only the check cells
    fail, and each cell after an exercise says it uses the course's function instead."""
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.read(released / f"{stem}.ipynb", as_version=4)
    client = NotebookClient(
        notebook, timeout=120, allow_errors=True, resources={"metadata": {"path": released}}
    )
    client.execute()
    for index, cell in enumerate(notebook.cells):
        errors = [out for out in cell.get("outputs", ()) if out.output_type == "error"]
        if cell.metadata.get("nbgrader", {}).get("grade"):
            assert errors, f"cell {index}: a blank exercise passed its check"
            assert errors[0].ename in ("CheckFailed", "NotImplementedError"), errors[0].ename
        else:
            assert not errors, f"cell {index}: {errors[0].ename}: {errors[0].evalue}"
        if cell.cell_type == "code" and "prefer_yours(" in cell.source:
            said = "".join(out.get("text", "") for out in cell.outputs)
            assert said.startswith("The cells below use the course's "), said


DERIVING = [  # the lessons with a derive exercise, read from the notebooks, so a new one counts
    path.stem
    for path in COURSE
    if any(e.kind == "derive" for e in exercises.read_source(path).exercises)
]


def test_several_lessons_ask_for_a_derived_number():
    assert len(DERIVING) >= 5, DERIVING


@pytest.mark.parametrize("stem", DERIVING)
def test_grading_accepts_every_derived_number_its_check_accepts(course, stem):
    """A number the visible check passes (within its ``rtol``) earns the points too: the
    hidden tests are no stricter, so a learner's ✔ is never a 0 in the gradebook."""
    notebook = course[stem]
    for exercise in (e for e in notebook.exercises if e.kind == "derive"):
        solved = {}
        exec(notebook.setup, solved)
        exec(exercise.solution, solved)
        name = re.search(r"check_\w+\((\w+)\)", exercise.test).group(1)
        rtol = solved[exercise.check].rtol
        for nudge in (1 + 0.999 * rtol, 1 - 0.999 * rtol):
            namespace = {**solved, name: solved[name] * nudge}
            exec(exercise.test, namespace)  # the visible check and the hidden tests
