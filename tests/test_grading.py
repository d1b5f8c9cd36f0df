"""Auto-grading with nbgrader: real submissions, blank ones, cheats and pathological files."""

import csv

import nbformat
import psutil
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from course_utils.instructor import grading

pytestmark = pytest.mark.slow  # every test reads a real grading run (about a minute)

SOLUTION = {"grade": False, "grade_id": "double", "locked": False, "solution": True}
TEST = {"grade": True, "grade_id": "test_double", "locked": True, "points": 2, "solution": False}


def _cell(source, nbgrader=None):
    cell = new_code_cell(source)
    if nbgrader:
        cell.metadata["nbgrader"] = {"schema_version": 3, "task": False, **nbgrader}
    return cell


@pytest.fixture(scope="module")
def tiny_course(tmp_path_factory):
    """A one-exercise course: fast enough to throw every kind of bad submission at it."""
    folder = tmp_path_factory.mktemp("course")
    notebook = new_notebook(
        cells=[
            new_markdown_cell("# 90 · Tiny"),
            _cell(
                "def double(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION",
                SOLUTION,
            ),
            _cell(
                'assert double(2) == 4, "double(2) should be 4"\n'
                "### BEGIN HIDDEN TESTS\nassert double(-3.5) == -7.0\n### END HIDDEN TESTS",
                TEST,
            ),
            _cell("print('after the exercise')"),
        ],
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
        },
    )
    path = folder / "90_tiny.ipynb"
    nbformat.write(notebook, path)
    return path


def _submission(source_path, solution=None, test=None, drop_graded=False, edit=None):
    notebook = nbformat.read(source_path, as_version=4)
    for cell in notebook.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution") and solution is not None:
            cell.source = solution
        if meta.get("grade") and test is not None:
            cell.source = test
    if drop_graded:
        notebook.cells = [
            c for c in notebook.cells if not c.metadata.get("nbgrader", {}).get("grade")
        ]
    if edit:
        edit(notebook.cells)
    return nbformat.writes(notebook)


VISIBLE_TEST = 'assert double(2) == 4, "double(2) should be 4"'


def _duplicate_test_cell(cells):
    cells[2].source = VISIBLE_TEST
    cells.insert(3, nbformat.from_dict({**cells[2], "id": "copy-of-the-test"}))


def _rename_grade_ids(cells):
    cells[0].metadata["nbgrader"] = {"grade_id": ["not", "a", "name"]}
    cells[1].metadata.nbgrader["grade_id"] = "my_double"
    cells[2].metadata.nbgrader.update(grade_id="my_test", points=100)
    cells[2].source = VISIBLE_TEST


# Notebook edits nbgrader itself stops on; each file is graded as if its metadata were untouched.
EDITS = {
    "duplicates_test_cell": _duplicate_test_cell,
    "renames_grade_ids": _rename_grade_ids,
    "empty": lambda cells: cells.clear(),
}


PATHOLOGICAL = {
    "right": (None, 2, ""),
    "loops_forever": ("def double(x):\n    while True:\n        pass", 0, ""),
    "sys_exit": ("def double(x):\n    return 2 * x\nimport sys\nsys.exit(1)", 2, ""),
    "os_exit": ("import os\nos._exit(1)", 0, "kernel died"),
    "raises": ("def double(x):\n    raise ValueError('nope')", 0, ""),
    "prints_megabytes": ("def double(x):\n    return 2 * x\nprint('x' * 5_000_000)", 2, ""),
    "edits_test_cell": ("def double(x):\n    return 5", 0, ""),
    "deletes_test_cell": ("def double(x):\n    return 5", 0, ""),
    "not_json": (None, 0, "not a valid notebook"),
    "hard_codes_the_check": ("def double(x):\n    return 4 if x == 2 else 0", 0, ""),
    "duplicates_test_cell": (None, 2, ""),
    "renames_grade_ids": (None, 2, ""),
    "empty": (None, 0, ""),
    "empties_later_cells": (
        "def double(x):\n    return 5\n"
        "get_ipython().input_transformers_post.append(lambda lines: ['pass\\n'])",
        0,
        "",
    ),
    "breaks_the_gradebook": (
        "def double(x):\n    return 2 * x\nimport glob\n"
        "for path in ['../../../gradebook.db', *glob.glob('../../../*/*/*.ipynb')]:\n"
        "    open(path, 'w').write('garbage')",
        0,
        "nbgrader could not grade this file (sqlite3.DatabaseError",
    ),
    "starts_a_daemon": (
        "def double(x):\n    return 2 * x\nimport subprocess, sys\nsubprocess.Popen("
        "[sys.executable, '-c', 'import time; time.sleep(300)', 'downhill-leftover'],"
        " start_new_session=True)",
        2,
        "",
    ),
}


@pytest.fixture(scope="module")
def graded_tiny(tiny_course, tmp_path_factory):
    submissions = tmp_path_factory.mktemp("submissions")
    for student, (solution, _, _) in PATHOLOGICAL.items():
        (submissions / student).mkdir()
        text = _submission(
            tiny_course,
            solution,
            test="pass" if student == "edits_test_cell" else None,
            drop_graded=student == "deletes_test_cell",
            edit=EDITS.get(student),
        )
        if student == "not_json":
            text = "{this is not json"
        (submissions / student / "90_tiny.ipynb").write_text(text)
    (submissions / "right" / "99_unknown.ipynb").write_text(_submission(tiny_course))
    csv_path = submissions.parent / "grades.csv"
    grades = grading.grade(
        submissions, csv_path, timeout=5, notebooks=[tiny_course], progress=False
    )
    return submissions, csv_path, {(g.student, g.notebook): g for g in grades}


@pytest.mark.parametrize("student", PATHOLOGICAL)
def test_every_submission_is_graded_or_explained(graded_tiny, student):
    _, _, grades = graded_tiny
    _, score, error = PATHOLOGICAL[student]
    grade = grades[(student, "90_tiny")]
    assert (grade.score, grade.max_score) == (score, 2)
    assert error in grade.error if error else grade.error == ""


def test_unknown_notebook_gets_a_row_saying_so(graded_tiny):
    assert "not a course notebook" in graded_tiny[2][("right", "99_unknown")].error


def test_csv_has_one_row_per_file_and_feedback_per_student(graded_tiny):
    submissions, csv_path, grades = graded_tiny
    with open(csv_path, newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0])[:4] == ["student", "notebook", "score", "max_score"]
    assert len(rows) == len(grades)
    assert {
        "student": "right",
        "notebook": "90_tiny",
        "score": "2",
        "max_score": "2",
    }.items() <= rows[[r["student"] for r in rows].index("right")].items()
    feedback = csv_path.parent / "feedback" / "right" / "90_tiny.html"
    assert feedback.exists() and "double" in feedback.read_text()
    assert "HIDDEN TESTS" not in feedback.read_text() and "-3.5" not in feedback.read_text()


def test_feedback_on_a_failed_hidden_test_quotes_no_hidden_test(graded_tiny):
    _, csv_path, _ = graded_tiny
    feedback = (csv_path.parent / "feedback" / "hard_codes_the_check" / "90_tiny.html").read_text()
    assert "AssertionError" in feedback and "-3.5" not in feedback


def test_a_test_cell_kept_from_running_says_so_and_the_proof_never_shows(graded_tiny):
    _, csv_path, _ = graded_tiny
    feedback = csv_path.parent / "feedback"
    right = (feedback / "right" / "90_tiny.html").read_text()
    emptied = (feedback / "empties_later_cells" / "90_tiny.html").read_text()
    assert "did not run as written" in emptied and "did not run as written" not in right
    assert "downhill-ran-" not in right + emptied
    assert "after the exercise" in right  # the rest of the notebook still shows its outputs


def test_no_process_a_submission_started_outlives_its_grading(graded_tiny):
    processes = psutil.process_iter(["cmdline"])
    leftovers = [p for p in processes if "downhill-leftover" in (p.info["cmdline"] or [])]
    assert not leftovers


def test_grading_twice_gives_the_same_csv(graded_tiny, tiny_course):
    submissions, csv_path, _ = graded_tiny
    again = csv_path.parent / "again.csv"
    keep = {"right", "raises", "not_json"}
    for student_dir in submissions.iterdir():
        if student_dir.name not in keep:
            for file in student_dir.iterdir():
                file.unlink()
            student_dir.rmdir()
    grading.grade(submissions, again, timeout=5, notebooks=[tiny_course], progress=False)
    first = [line for line in csv_path.read_text().splitlines() if line.split(",")[0] in keep]
    assert again.read_text().splitlines()[1:] == first
