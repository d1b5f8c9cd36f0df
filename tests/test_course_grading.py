"""The whole course through nbgrader: solutions get full marks, blanks and cheats get zero."""

import ast

import nbformat
import pytest

from course_utils.instructor import grading, release

# Grading the whole course three times over takes minutes, not the default five.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(2400)]

COURSE = release.course_notebooks()


def _cheat(source_notebook_path):
    """Every exercise answered wrongly, with every check and reference in course_utils patched
    to agree: hidden tests that trusted the learner's kernel would give points for this."""
    notebook = nbformat.read(source_notebook_path, as_version=4)
    for cell in notebook.cells:
        if cell.metadata.get("nbgrader", {}).get("solution"):
            names = _defined_names(release_free_source(cell.source))
            cell.source = _PATCH + "".join(f"{name} = _wrong\n" for name in names)
    return nbformat.writes(notebook)


def release_free_source(source):
    return source.replace("### BEGIN SOLUTION", "").replace("### END SOLUTION", "")


def _defined_names(source):
    names = []
    for node in ast.parse(source).body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.append(node.name)
        elif isinstance(node, ast.Assign):
            names += [t.id for t in node.targets if isinstance(t, ast.Name)]
    return names


_PATCH = """\
import importlib, pkgutil
import course_utils
def _wrong(*args, **kwargs):
    return None
for _info in pkgutil.walk_packages(course_utils.__path__, "course_utils."):
    try:
        _module = importlib.import_module(_info.name)
    except Exception:
        continue
    for _name, _value in list(vars(_module).items()):
        if callable(_value) and not _name.startswith("__") and not isinstance(_value, type):
            setattr(_module, _name, _wrong)
for _name in list(globals()):
    if _name.startswith("check_"):
        globals()[_name] = _wrong
"""


@pytest.fixture(scope="module")
def graded_course(tmp_path_factory):
    out = tmp_path_factory.mktemp("course_release")
    release.release(out, COURSE)
    submissions = tmp_path_factory.mktemp("course_submissions")
    for student in ("solved", "blank", "cheat"):
        (submissions / student).mkdir()
    for notebook in COURSE:
        (submissions / "solved" / notebook.name).write_text(notebook.read_text())
        (submissions / "blank" / notebook.name).write_text((out / notebook.name).read_text())
        (submissions / "cheat" / notebook.name).write_text(_cheat(notebook))
    csv_path = submissions.parent / "course_grades.csv"
    grades = grading.grade(
        submissions,
        csv_path,
        autograded=submissions.parent / "autograded",
        notebooks=COURSE,
        jobs=2,
        progress=False,
    )
    return submissions.parent, {(g.student, g.notebook): g for g in grades}


@pytest.mark.parametrize("notebook", COURSE, ids=[p.stem for p in COURSE])
def test_worked_solutions_get_full_marks(graded_course, notebook):
    grade = graded_course[1][("solved", notebook.stem)]
    assert grade.error == "" and grade.max_score > 0 and grade.score == grade.max_score


@pytest.mark.parametrize("notebook", COURSE, ids=[p.stem for p in COURSE])
def test_blank_release_gets_zero_and_blocks_nothing_but_exercises(graded_course, notebook):
    folder, grades = graded_course
    grade = grades[("blank", notebook.stem)]
    assert grade.error == "" and grade.score == 0
    feedback = (folder / "feedback" / "blank" / f"{notebook.stem}.html").read_text()
    assert "NotImplementedError" in feedback


@pytest.mark.parametrize("notebook", COURSE, ids=[p.stem for p in COURSE])
def test_patching_course_utils_gains_no_points(graded_course, notebook):
    grade = graded_course[1][("cheat", notebook.stem)]
    assert grade.error == "" and grade.score == 0, grade


@pytest.mark.parametrize("notebook", COURSE, ids=[p.stem for p in COURSE])
def test_release_never_blocks_a_learner(graded_course, notebook):
    """Run with nothing solved, only the exercises' own cells may fail."""
    folder, _ = graded_course
    executed = nbformat.read(folder / "autograded" / "blank" / notebook.name, as_version=4)
    for index, cell in enumerate(executed.cells):
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type != "code" or meta.get("grade") or meta.get("solution"):
            continue
        errors = [output for output in cell.outputs if output.output_type == "error"]
        assert not errors, f"cell {index} fails with nothing solved: {errors[0].ename}"
