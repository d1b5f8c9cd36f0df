"""Auto-grading a class's submissions with nbgrader, robust to whatever students hand in.

``grade(submissions, csv_path)`` reads ``SUBMISSIONS/<student>/<notebook>.ipynb``, autogrades
each file with nbgrader's autograde (locked cells and hidden tests restored from the source
notebooks, deleted graded cells put back, a per-cell timeout), writes one CSV row per student and
notebook, and nbgrader's feedback HTML per student. Each submission is graded in a process of
its own, so one that hangs, kills its kernel or crashes nbgrader costs only its own row.
"""

import contextlib
import csv
import json
import os
import re
import shutil
import signal
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

from ..validation import positive_int
from . import release

CSV_COLUMNS = ("student", "notebook", "score", "max_score", "error")
_STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]*$")
_EXCEPTION_LINE = re.compile(r"^\s*([A-Za-z_][\w.]*(?:Error|Exception): .*)$", re.M)


@dataclass(frozen=True)
class Grade:
    """One student's notebook: its score out of ``max_score``, and what went wrong, if anything."""

    student: str
    notebook: str
    score: float
    max_score: float
    error: str = ""

    def row(self):
        """The CSV row: every field (``CSV_COLUMNS``), the scores as short numbers."""
        return asdict(self) | {"score": f"{self.score:g}", "max_score": f"{self.max_score:g}"}


def find_submissions(folder, notebooks):
    """``(student, notebook_stem, path)`` for every submitted file, sorted; unknown names too."""
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"no submissions folder at {folder}")
    found = []
    for student_dir in sorted(path for path in folder.iterdir() if path.is_dir()):
        for path in sorted(student_dir.glob("*.ipynb")):
            found.append((student_dir.name, path.stem, path))
    return found


def grade(
    submissions,
    csv_path,
    *,
    timeout=30,
    feedback=None,
    autograded=None,
    notebooks=None,
    jobs=None,
    progress=True,
):
    """Autograde every submission; write the CSV and feedback; return the list of ``Grade``.

    ``feedback`` (default: a ``feedback/`` folder beside the CSV) receives nbgrader's feedback
    HTML as ``<student>/<notebook>.html``, hidden tests' code left out; ``autograded``, if
    given, receives the executed notebooks (hidden tests included: for instructors only).
    Up to ``jobs`` notebooks (default: one per CPU) are graded at the same time, each in a
    course directory of its own.
    """
    from tqdm.auto import tqdm

    source_notebooks = list(notebooks) if notebooks is not None else release.course_notebooks()
    by_stem = {path.stem: path for path in source_notebooks}
    csv_path = Path(csv_path)
    folders = {
        "feedback": Path(feedback) if feedback is not None else csv_path.parent / "feedback",
        "autograded": Path(autograded) if autograded is not None else None,
    }
    jobs = (os.cpu_count() or 1) if jobs is None else positive_int("jobs", jobs)
    found = find_submissions(submissions, source_notebooks)
    grades = [
        Grade(student, stem, 0, 0, "not a course notebook; not graded")
        for student, stem, _ in found
        if stem not in by_stem
    ]
    files_by_notebook = {}
    for student, stem, path in found:
        if stem in by_stem:
            files_by_notebook.setdefault(stem, []).append((student, path))
    bar = tqdm(total=len(found), desc="grading", unit="notebook", disable=not progress)
    bar.update(len(grades))
    with contextlib.ExitStack() as courses, ThreadPoolExecutor(max(1, jobs)) as pool:
        # nbgrader's in-process steps change the working directory, so courses are made one
        # at a time; the grading itself runs in child processes, several at once.
        running = []
        for stem, files in files_by_notebook.items():
            api, root = courses.enter_context(
                release.course_directory([by_stem[stem]], timeout=timeout)
            )
            max_score = api.gradebook.find_assignment(stem).max_score
            # Read before any submission runs: a kernel can write anywhere in the course folder.
            exercises = _exercise_cells(root / "release" / stem / f"{stem}.ipynb")
            gradebook = (root / "gradebook.db").read_bytes()
            running.append(
                pool.submit(
                    _grade_notebook,
                    root,
                    stem,
                    (max_score, exercises, gradebook),
                    files,
                    timeout,
                    folders,
                    bar,
                )
            )
        for future in running:
            grades += future.result()
    bar.close()
    _write_csv(csv_path, grades)
    return grades


def _grade_notebook(root, stem, pristine, files, timeout, folders, bar):
    """Grade every student's copy of one notebook in its course directory ``root``.

    ``pristine`` is what was read before any submission ran: the notebook's maximum score, its
    released exercise cells and the gradebook's bytes, which every file starts from again, so
    a submission that overwrites the gradebook spoils no other student's grading.
    """
    max_score, exercises, gradebook = pristine
    grades = []
    for student, path in files:
        (root / "gradebook.db").write_bytes(gradebook)
        grades.append(
            _grade_in_child_process(root, student, stem, path, timeout, max_score, exercises)
        )
        for kind, suffix in (("feedback", "html"), ("autograded", "ipynb")):
            made = root / kind / student / stem / f"{stem}.{suffix}"
            if folders[kind] is not None and made.exists():
                (folders[kind] / student).mkdir(parents=True, exist_ok=True)
                shutil.copy(made, folders[kind] / student / f"{stem}.{suffix}")
        bar.update(1)
    return grades


def _write_csv(csv_path, grades):
    csv_path.parent.mkdir(parents=True, exist_ok=True)
    with open(csv_path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=CSV_COLUMNS)
        writer.writeheader()
        for grade_ in sorted(grades, key=lambda g: (g.student, g.notebook)):
            writer.writerow(grade_.row())


def _grade_in_child_process(root, student, stem, path, timeout, max_score, exercises):
    problem = _unreadable(path) or (
        None if _STUDENT_ID.match(student) else "the student folder's name is not a valid id"
    )
    if problem:
        return Grade(student, stem, 0, max_score, problem)
    target = root / "submitted" / student / stem / f"{stem}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    _write_with_released_metadata(path, exercises, target)

    # A fresh process group per file: a hung or killed grader takes its kernel down with it.
    worker = subprocess.Popen(
        [sys.executable, "-m", __name__, str(root), student, stem, str(timeout)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        start_new_session=True,
    )
    try:
        # Cells time out one by one; the whole notebook gets a generous overall limit on top.
        output, _ = worker.communicate(timeout=_overall_limit(target, timeout))
    except subprocess.TimeoutExpired:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.communicate()
        return Grade(student, stem, 0, max_score, "grading took too long and was stopped")
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(worker.pid, signal.SIGKILL)
    try:
        score, error = json.loads(output.strip().splitlines()[-1])
    except (IndexError, ValueError):
        return Grade(student, stem, 0, max_score, "nbgrader stopped unexpectedly on this file")
    return Grade(student, stem, score, max_score, error)


def _overall_limit(notebook_path, timeout):
    cells = len(json.loads(notebook_path.read_text(encoding="utf-8")).get("cells", []))
    return 120 + 2 * timeout * max(cells, 1)


def _unreadable(path):
    import nbformat

    try:
        nbformat.validate(nbformat.read(path, as_version=4))
    except Exception as error:  # nbformat raises several kinds for a broken file
        summary = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        return f"not a valid notebook file ({summary[:120]}); not graded"
    return None


def _exercise_cells(released_path):
    """The released notebook's nbgrader cells (solutions and tests), by ``grade_id``."""
    import nbformat

    return {
        cell.metadata.nbgrader["grade_id"]: cell
        for cell in nbformat.read(released_path, as_version=4).cells
        if "nbgrader" in cell.metadata
    }


def _write_with_released_metadata(path, released, target):
    """Copy a submission to ``target`` with the nbgrader metadata of the release, not its own.

    nbgrader stops on metadata it did not write: a renamed ``grade_id``, a duplicated graded
    cell, a test cell deleted together with its solution cell. So each released exercise cell
    keeps its released metadata on its last copy (the definition the kernel ends up with, as
    nbgrader picks), other cells lose theirs, and a missing test cell goes back after the
    exercise cell before it (at the end if there is none), where the learner's code has run.
    """
    import copy

    import nbformat
    from nbformat.corpus.words import generate_corpus_id

    notebook = nbformat.read(path, as_version=4)

    def released_id(cell):
        meta = cell.metadata.get("nbgrader")
        grade_id = meta.get("grade_id") if isinstance(meta, dict) else None
        return grade_id if isinstance(grade_id, str) and grade_id in released else None

    last_copy = {released_id(cell): index for index, cell in enumerate(notebook.cells)}
    for index, cell in enumerate(notebook.cells):
        grade_id = released_id(cell)
        cell.metadata.pop("nbgrader", None)
        if grade_id is not None and last_copy[grade_id] == index:
            cell.metadata["nbgrader"] = copy.deepcopy(released[grade_id].metadata["nbgrader"])

    position = None
    for grade_id, cell in released.items():
        if grade_id in last_copy:
            ids = [released_id(submitted) for submitted in notebook.cells]
            position = ids.index(grade_id) + 1
        elif cell.metadata["nbgrader"].get("grade"):
            restored = copy.deepcopy(cell)
            restored.id = generate_corpus_id()
            position = len(notebook.cells) if position is None else position
            notebook.cells.insert(position, restored)
            position += 1
    nbformat.write(notebook, target)


def _autograde_one(root, student, stem, timeout):
    """Autograde one file and make its feedback; return ``(score, error)``."""
    import logging

    from nbgrader.apps import NbGraderAPI
    from traitlets.config import Config

    release._put_environment_tools_on_path()
    api = NbGraderAPI(config=release._config(Config(), root, timeout))
    api.log.setLevel(logging.ERROR)
    outcome = api.autograde(stem, student, force=True, create=True)
    if not outcome["success"]:
        return 0, _first_error(outcome)
    score = api.gradebook.find_submission(stem, student).score
    feedback = api.generate_feedback(stem, student, force=True)
    return score, "" if feedback["success"] else "graded, but no feedback could be made"


def _first_error(outcome):
    text = outcome.get("log") or outcome.get("error") or ""
    if "DeadKernelError" in text or "Kernel died" in text:
        return "the notebook's kernel died (did it call sys.exit, os._exit or crash?); not graded"
    if "Timeout" in text or "timed out" in text:
        return "a cell ran past the time limit and could not be interrupted; not graded"
    # nbgrader's own error lines name only a temporary folder; its exception's line says why.
    exceptions = _EXCEPTION_LINE.findall(text)
    why = f" ({exceptions[0][:150]})" if exceptions else ""
    return f"nbgrader could not grade this file{why}; not graded"


def _adopt_orphans():
    """Make this process the parent of every process its kernel leaves behind (Linux only).

    A process the learner starts in a session of its own escapes the worker's process group;
    as a child subreaper the worker still inherits it when the kernel exits, and can stop it.
    """
    if sys.platform.startswith("linux"):
        import ctypes

        pr_set_child_subreaper = 36
        ctypes.CDLL(None).prctl(pr_set_child_subreaper, 1)


def _stop_leftover_processes():
    import psutil

    leftovers = psutil.Process().children(recursive=True)
    for process in leftovers:
        with contextlib.suppress(psutil.NoSuchProcess):
            process.kill()
    psutil.wait_procs(leftovers, timeout=5)


if __name__ == "__main__":
    # The worker process of _grade_in_child_process: grade one file, print its result as JSON,
    # and leave nothing the learner started running into the next file's grading.
    root_arg, student_arg, stem_arg, timeout_arg = sys.argv[1:]
    _adopt_orphans()
    result = _autograde_one(root_arg, student_arg, stem_arg, int(timeout_arg))
    _stop_leftover_processes()
    print(json.dumps(result))
