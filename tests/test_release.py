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
    """Lines that only solutions or hidden tests hold (a line also shown elsewhere is no secret)."""
    secret, public = set(), set()
    for cell in source_notebook.cells:
        hidden_parts = SOLUTION.findall(cell.source) + HIDDEN.findall(cell.source)
        shown = HIDDEN.sub("", SOLUTION.sub("", cell.source))
        public.update(line.strip() for line in shown.splitlines())
        for part in hidden_parts:
            secret.update(line.strip() for line in part.splitlines())
    return {line for line in secret - public if len(line) > 6}


@pytest.fixture(scope="module")
def released(tmp_path_factory):
    out = tmp_path_factory.mktemp("release")
    release.release(out, COURSE)
    return out


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


@pytest.mark.parametrize("notebook", COURSE, ids=[path.stem for path in COURSE])
def test_release_locks_graded_cells_and_stubs_solutions(notebook, released):
    student = nbformat.read(released / notebook.name, as_version=4)
    graded = [c for c in student.cells if c.metadata.get("nbgrader", {}).get("grade")]
    solutions = [c for c in student.cells if c.metadata.get("nbgrader", {}).get("solution")]
    assert graded, f"{notebook.name} has no graded exercise"
    assert all(not c.metadata.get("editable", True) for c in graded)
    assert all("raise NotImplementedError()" in c.source for c in solutions)


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
