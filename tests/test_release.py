"""Student versions: nothing secret leaks, and nothing outside the exercises is blocked."""

import json
import re

import nbformat
import pytest

from course_utils.instructor import release

SOLUTION = re.compile(r"### BEGIN SOLUTION(.*?)### END SOLUTION", re.S)
HIDDEN = re.compile(r"### BEGIN HIDDEN TESTS(.*?)### END HIDDEN TESTS", re.S)
COURSE = release.course_notebooks()


def _secret_lines(source_notebook):
    """Lines that only solutions or hidden tests hold (a line also shown elsewhere, even inside
    a longer line, is no secret)."""
    secret, public = set(), []
    for cell in source_notebook.cells:
        hidden_parts = SOLUTION.findall(cell.source) + HIDDEN.findall(cell.source)
        # what the learner starts from is shown: a debug exercise's code, a question's name
        public.append(HIDDEN.sub("", SOLUTION.sub("", cell.source)))
        public.append(cell.metadata.get("downhill", {}).get("stub", ""))
        for part in hidden_parts:
            secret.update(line.strip() for line in part.splitlines())
    shown = "\n".join(public)
    return {line for line in secret if len(line) > 6 and line not in shown}


@pytest.mark.parametrize("notebook", COURSE, ids=[path.stem for path in COURSE])
def test_release_holds_no_solution_and_no_hidden_test(notebook, released):
    source = nbformat.read(notebook, as_version=4)
    text = (released / notebook.name).read_text(encoding="utf-8")
    student = json.loads(text)
    assert "BEGIN SOLUTION" not in text and "BEGIN HIDDEN TESTS" not in text
    leaked = sorted(line for line in _secret_lines(source) if json.dumps(line)[1:-1] in text)
    assert not leaked, f"{notebook.name}: the release shows {leaked}"
    for cell in student["cells"]:
        assert not cell.get("outputs") and not cell.get("execution_count")
    # speaker notes are the lecturer's, often with an exercise's answer
    notes = [c for c in student["cells"] if c["metadata"].get("slideshow", {}).get("slide_type")]
    assert all(c["metadata"]["slideshow"]["slide_type"] != "notes" for c in notes)
    kept = len(student["cells"]) + sum(
        c.metadata.get("slideshow", {}).get("slide_type") == "notes" for c in source.cells
    )
    assert kept == len(source.cells), "a release drops the speaker notes and nothing else"


@pytest.mark.parametrize("notebook", COURSE, ids=[path.stem for path in COURSE])
def test_release_locks_graded_cells_and_stubs_solutions(notebook, released):
    student = nbformat.read(released / notebook.name, as_version=4)
    graded = [c for c in student.cells if c.metadata.get("nbgrader", {}).get("grade")]
    solutions = [c for c in student.cells if c.metadata.get("nbgrader", {}).get("solution")]
    assert graded, f"{notebook.name} has no graded exercise"
    assert all(not c.metadata.get("editable", True) for c in graded)
    stubs = _stubs(nbformat.read(notebook, as_version=4))
    for cell in solutions:
        stub = stubs.get(cell.metadata.nbgrader.grade_id)
        if stub is None:
            assert "raise NotImplementedError()" in cell.source
        else:  # the exercise's own starting point, in one piece, where the solution was
            wanted = [line.strip() for line in stub.rstrip("\n").split("\n")]
            lines = [line.strip() for line in cell.source.split("\n")]
            assert any(lines[i : i + len(wanted)] == wanted for i in range(len(lines))), (
                f"{notebook.name}: the stub of {cell.metadata.nbgrader.grade_id} is not there"
            )
            assert "raise NotImplementedError()" not in cell.source


def _stubs(source):
    return {
        cell.metadata.nbgrader.grade_id: cell.metadata.downhill.stub
        for cell in source.cells
        if "stub" in cell.metadata.get("downhill", {})
    }


def test_an_exercise_starts_from_its_own_stub_indented_where_the_solution_was():
    source = {
        "cells": [
            _solution(
                "fix",
                "\n".join(
                    [
                        "def adagrad_update(w, grad, sum_sq, lr=1e-2, eps=1e-10):",
                        "    ### BEGIN SOLUTION",
                        "    sum_sq = sum_sq + grad**2",
                        "    ### END SOLUTION",
                        "    return w, sum_sq",
                    ]
                ),
                stub="sum_sq = sum_sq + grad\n",
            )
        ]
    }
    student = {
        "cells": [
            _solution(
                "fix",
                "\n".join(
                    [
                        "def adagrad_update(w, grad, sum_sq, lr=1e-2, eps=1e-10):",
                        "    # YOUR CODE HERE",
                        "    raise NotImplementedError()",
                        "    return w, sum_sq",
                    ]
                ),
            )
        ]
    }
    release._give_stubs(student, source)
    assert student["cells"][0]["source"].splitlines() == [
        "def adagrad_update(w, grad, sum_sq, lr=1e-2, eps=1e-10):",
        "    sum_sq = sum_sq + grad",
        "    return w, sum_sq",
    ]


def test_a_stub_with_nowhere_to_go_is_an_error():
    source = {"cells": [_solution("x", "x = 1", stub="x = None")]}
    with pytest.raises(ValueError, match="no nbgrader stub"):
        release._give_stubs({"cells": [_solution("x", "x = 2")]}, source)


def _solution(grade_id, source, stub=None):
    metadata = {"nbgrader": {"grade_id": grade_id, "solution": True}}
    if stub is not None:
        metadata["downhill"] = {"stub": stub}
    return {"cell_type": "code", "metadata": metadata, "source": source}


def test_release_keeps_figures_beside_the_notebooks(released):
    for notebook in released.glob("*.ipynb"):
        for cell in nbformat.read(notebook, as_version=4).cells:
            if cell.cell_type == "markdown":
                assert "](../figures/" not in cell.source
                for name in re.findall(r"\]\(figures/([^)]+)\)", cell.source):
                    assert (released / "figures" / name).exists(), name


def test_no_notebooks_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="no course notebooks"):
        release.course_notebooks(tmp_path)


def test_no_markdown_cell_carries_an_nbgrader_marker():
    # nbgrader acts on "BEGIN SOLUTION" and friends wherever they stand, prose included, so a
    # lesson that quotes one writes it with a no-break space (lesson 00 does).
    marker = re.compile(r"(BEGIN|END) (SOLUTION|HIDDEN TESTS)")
    for notebook in COURSE:
        for index, cell in enumerate(nbformat.read(notebook, as_version=4).cells):
            if cell.cell_type == "markdown":
                assert not marker.search(cell.source), f"{notebook.name}, cell {index}"
