"""The learner's workbook: the blank exercises, in a folder of the learner's own, and a report.

``python -m course_utils lab`` opens JupyterLab on ``workbook/`` (in the current folder),
making it on the first run from the released student versions (``instructor.release``:
solutions replaced by stubs, hidden tests removed). After that the workbook is the learner's:
nothing in it is ever overwritten. A lesson added to the course later is copied in; a lesson
whose release has changed since the workbook got it arrives *beside* the learner's copy, as
``NN_name.release-<id>.ipynb``, so no work is lost. ``RELEASES`` (a JSON file in the
workbook) remembers which release of each lesson the workbook holds.

``python -m course_utils progress [FOLDER]`` checks a learner's own notebooks with the visible
checks only, each exercise in the same clean room and under the same policy as grading (the
source notebook's setup cells, the learner's solution cells, the visible part of the source's
test cell), and prints one line per exercise and ``N of M exercises pass``.
"""

import hashlib
import json
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .checks import NOT_WRITTEN

__all__ = ["WORKBOOK", "RELEASES", "update", "open_lab", "Line", "progress", "report"]

WORKBOOK = Path("workbook")
RELEASES = ".releases.json"


def update(folder=WORKBOOK, notebooks=None):
    """Make or top up the workbook at ``folder``; return the paths it wrote (none: up to date).

    A lesson the workbook lacks is copied in; a lesson whose release changed goes beside the
    learner's copy; the learner's notebooks themselves are never written.
    """
    from .instructor import release

    folder = Path(folder)
    manifest_path = folder / RELEASES
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else {}
    written = []
    with tempfile.TemporaryDirectory(prefix="downhill-release-") as fresh:
        for released in release.release(fresh, notebooks):
            text = released.read_text(encoding="utf-8")
            release_id = hashlib.sha256(text.encode()).hexdigest()[:8]
            target = folder / released.name
            if target.exists() and manifest.get(released.stem) == release_id:
                continue
            if target.exists():
                target = folder / f"{released.stem}.release-{release_id}.ipynb"
            if not target.exists():
                folder.mkdir(parents=True, exist_ok=True)
                target.write_text(text, encoding="utf-8")
                written.append(target)
            manifest.setdefault(released.stem, release_id)
        figures = Path(fresh, "figures")
        if figures.is_dir():
            shutil.copytree(figures, folder / "figures", dirs_exist_ok=True)
    if written:
        manifest_path.write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    return written


def open_lab(folder=WORKBOOK, extra_arguments=()):
    """Top up the workbook, then replace this process with JupyterLab showing its first lesson."""
    folder = Path(folder)
    for path in update(folder):
        print(f"added {path}")
    first = sorted(folder.glob("00_*.ipynb"))
    command = [sys.executable, "-m", "jupyter", "lab", *map(str, first[:1]), *extra_arguments]
    os.execv(sys.executable, command)


@dataclass(frozen=True)
class Line:
    """One exercise of a learner's notebook, as ``progress`` reports it."""

    notebook: str
    exercise: str
    kind: str
    passed: bool
    message: str

    def __str__(self):
        mark = "✔" if self.passed else "✘"
        return f"{self.notebook}  {self.exercise}  ({self.kind})  {mark} {self.message}"


def progress(folder=WORKBOOK, *, sources=None, timeout=30, sandbox=None):
    """One ``Line`` per exercise of the course notebooks found in ``folder``, in course order.

    ``sources`` is the folder of the source notebooks (default: the course's); ``sandbox``
    (default: where one can be made) runs each exercise in bubblewrap, as grading does.
    """
    from .instructor import cleanroom, exercises, release

    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(
            f"no workbook at {folder}: `python -m course_utils lab` makes one, or name the "
            "folder of your notebooks"
        )
    if sandbox is None:
        sandbox = cleanroom.sandbox_problem() is None
    planned, tasks = [], []
    for source in release.course_notebooks(sources):
        mine = folder / source.name
        if not mine.exists():
            continue
        notebook = exercises.read_source(source)
        try:
            answers = exercises.solutions(mine, notebook)
        except exercises.Unreadable as error:
            answers = dict.fromkeys(
                (exercise.grade_id for exercise in notebook.exercises),
                exercises.Problem(str(error)),
            )
        for exercise in notebook.exercises:
            answer = answers[exercise.grade_id]
            refused = exercises.refusal(answer, exercise, notebook)
            planned.append((source.stem, exercise, refused))
            if refused is None:
                tasks.append(exercises.task(notebook, exercise, answer, timeout, visible_only=True))
    with cleanroom.Pool(sandbox=sandbox) as pool:
        outcomes = iter(pool.run(tasks))
    lines = []
    for stem, exercise, refused in planned:
        outcome = None if refused is not None else next(outcomes)
        passed = outcome is not None and outcome.passed
        message = refused or (_pass_line(outcome) if passed else _failure(outcome))
        lines.append(Line(stem, exercise.name, _kind(exercise), passed, message))
    return lines


def report(lines):
    """The lines ``progress`` prints, ending with ``N of M exercises pass``."""
    passed = sum(line.passed for line in lines)
    return [*map(str, lines), f"{passed} of {len(lines)} exercises pass"]


def _kind(exercise):
    return exercise.kind or "exercise"


def _pass_line(outcome):
    lines = [line for line in outcome.output.splitlines() if line.startswith("✔")]
    return lines[-1].lstrip("✔ ").strip() if lines else "passes its check"


def _failure(outcome):
    message = outcome.message.splitlines()[0] if outcome.message else "failed"
    if "NotImplementedError" in message and NOT_WRITTEN not in message:  # a check of its own
        return f"the exercise {NOT_WRITTEN}"
    return message
