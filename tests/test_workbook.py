"""The learner's workbook: made once from the release, never overwritten, topped up beside."""

import json
import shutil

import pytest

from course_utils import workbook
from course_utils.instructor import release

pytestmark = pytest.mark.slow  # each update releases notebooks through nbgrader (seconds)

LESSONS = ("00_start_here", "07_adagrad")


@pytest.fixture
def sources(tmp_path):
    folder = tmp_path / "source"
    folder.mkdir()
    for stem in LESSONS:
        shutil.copy(release.NOTEBOOKS / f"{stem}.ipynb", folder)
    return folder


def _source_paths(folder):
    return release.course_notebooks(folder)


def test_the_first_update_writes_every_blank_lesson_and_the_figures(tmp_path, sources):
    book = tmp_path / "workbook"
    written = workbook.update(book, _source_paths(sources))
    assert sorted(path.name for path in written) == [f"{stem}.ipynb" for stem in LESSONS]
    adagrad = (book / "07_adagrad.ipynb").read_text()
    # the debug exercise starts from the seed's broken AdaGrad, not from a blank
    assert "sum_sq + grad" in adagrad and "BEGIN HIDDEN TESTS" not in adagrad
    assert "raise NotImplementedError()" in (book / "00_start_here.ipynb").read_text()
    assert (book / "figures" / "07_adagrad_vs_gd.png").exists()
    assert set(json.loads((book / workbook.RELEASES).read_text())) == set(LESSONS)


def test_a_second_update_changes_nothing_and_keeps_the_learners_work(tmp_path, sources):
    book = tmp_path / "workbook"
    workbook.update(book, _source_paths(sources))
    mine = book / "00_start_here.ipynb"
    mine.write_text(mine.read_text().replace("raise NotImplementedError()", "return 0.0"))
    before = mine.read_text()
    assert workbook.update(book, _source_paths(sources)) == []
    assert mine.read_text() == before


def test_a_new_release_of_a_lesson_goes_beside_the_learners_copy(tmp_path, sources):
    book = tmp_path / "workbook"
    workbook.update(book, _source_paths(sources))
    mine = (book / "07_adagrad.ipynb").read_text()
    source = sources / "07_adagrad.ipynb"
    notebook = json.loads(source.read_text())
    notebook["cells"][0]["source"] = ["# AdaGrad, corrected\n", *notebook["cells"][0]["source"]]
    source.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n")

    written = workbook.update(book, _source_paths(sources))
    assert len(written) == 1 and written[0].name.startswith("07_adagrad.release-")
    assert "AdaGrad, corrected" in written[0].read_text()
    assert (book / "07_adagrad.ipynb").read_text() == mine
    assert workbook.update(book, _source_paths(sources)) == []  # that release is there now


def test_a_lesson_added_to_the_course_is_copied_in(tmp_path, sources):
    book = tmp_path / "workbook"
    workbook.update(book, [sources / "00_start_here.ipynb"])
    written = workbook.update(book, _source_paths(sources))
    assert [path.name for path in written] == ["07_adagrad.ipynb"]


def _exercises(folder):
    from course_utils.instructor import exercises

    return [
        (path.stem, exercise.name)
        for path in _source_paths(folder)
        for exercise in exercises.read_source(path).exercises
    ]


def test_progress_passes_worked_solutions_and_not_blank_stubs(tmp_path, sources):
    expected = _exercises(sources)
    assert expected[:2] == [("00_start_here", "slope"), ("07_adagrad", "adagrad_update")]
    worked = workbook.progress(sources, sources=sources)
    assert [(line.notebook, line.exercise, line.passed) for line in worked] == [
        (*exercise, True) for exercise in expected
    ]
    assert workbook.report(worked)[-1] == f"{len(expected)} of {len(expected)} exercises pass"

    book = tmp_path / "workbook"
    workbook.update(book, _source_paths(sources))
    blank = {line.exercise: line for line in workbook.progress(book, sources=sources)}
    assert not any(line.passed for line in blank.values())
    assert blank["slope"].message.endswith(
        "is not written yet: replace `raise NotImplementedError()` with your code."
    )
    # the seed's AdaGrad fails its check, which names what is wrong; a question is unanswered
    assert "Likely cause" in blank["adagrad_update"].message
    assert all("Traceback" not in line.message for line in blank.values())


def test_progress_applies_the_policy_and_names_the_line(tmp_path, sources):
    book = tmp_path / "workbook"
    workbook.update(book, _source_paths(sources))
    mine = book / "07_adagrad.ipynb"
    notebook = json.loads(mine.read_text())
    for cell in notebook["cells"]:
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "adagrad_update":
            cell["source"] = ["from course_utils.optim import adagrad_update\n"]
    mine.write_text(json.dumps(notebook))
    (line,) = [
        line
        for line in workbook.progress(book, sources=sources)
        if line.exercise == "adagrad_update"
    ]
    assert not line.passed and "line 1 imports course_utils" in line.message


def test_the_progress_command_prints_a_line_per_exercise_and_a_total(sources, capsys):
    from course_utils.__main__ import main

    assert main(["progress", str(sources), "--notebooks", str(sources)]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed[1].startswith("07_adagrad  adagrad_update") and "✔" in printed[1]
    count = len(_exercises(sources))
    assert printed[-1] == f"{count} of {count} exercises pass"
