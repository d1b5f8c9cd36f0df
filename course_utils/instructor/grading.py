"""Grading a class's submissions: every exercise in a clean room, after a static policy check.

``grade(submissions, csv_path)`` reads ``SUBMISSIONS/<student>/<notebook>.ipynb``. For each
exercise of each file (see ``exercises``: nbgrader's cells, points and grade ids, read from the
*source* notebooks), it takes only the learner's solution cell(s):

1. a solution cell missing or duplicated scores 0, saying which;
2. the exercise's policy (``course_utils.policy``) is checked on the source, outside any
   kernel; a refused cell scores 0 and the feedback names the rule and the line;
3. else a fresh, sandboxed process (``cleanroom``) runs the source's setup cells, the learner's
   solution and the source's test cell (visible check and hidden tests); the exercise's points
   are earned if the test cell ran to its end.

It writes one CSV row per file, ``student, notebook, score, max_score, error`` (``error`` only
where the file could not be graded), sorted, the same on every run, and feedback HTML per
student and notebook: each exercise's points and message (the check's diagnosis, or a hidden
test's assertion message), never a test's code.
"""

import csv
import html
import os
import re
from dataclasses import dataclass
from pathlib import Path

from ..validation import positive_int
from . import exercises, release

CSV_COLUMNS = ("student", "notebook", "score", "max_score", "error")
_STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]*$")


@dataclass(frozen=True)
class Result:
    """One exercise of one file: its name, points earned of its points, and what to tell."""

    exercise: str
    points: float
    max_points: float
    message: str = ""

    @property
    def passed(self):
        return self.points == self.max_points and not self.message


@dataclass(frozen=True)
class Grade:
    """One student's notebook: its score out of ``max_score``, what went wrong if it could not
    be graded (``error``), and each exercise's ``Result``."""

    student: str
    notebook: str
    score: float
    max_score: float
    error: str = ""
    results: tuple = ()

    def row(self):
        """The CSV row (``CSV_COLUMNS``), the scores as short numbers."""
        return {
            "student": self.student,
            "notebook": self.notebook,
            "score": f"{self.score:g}",
            "max_score": f"{self.max_score:g}",
            "error": self.error,
        }


def find_submissions(folder):
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
    notebooks=None,
    jobs=None,
    progress=True,
    sandbox=True,
    scheduler=None,
):
    """Grade every submission; write the CSV and the feedback; return the list of ``Grade``.

    ``timeout``: seconds per exercise; ``feedback``: the feedback folder (default: beside the
    CSV); ``notebooks``: the source notebooks (default: the course's); ``jobs``: exercises
    graded at once (default: one per CPU); ``sandbox``: run each exercise under bubblewrap
    (refused with the reason where no sandbox can be made); ``scheduler``: the address of a
    Dask distributed scheduler to send the exercises to instead of local processes.
    """
    from . import cleanroom

    timeout = positive_int("timeout", timeout)
    jobs = (os.cpu_count() or 1) if jobs is None else positive_int("jobs", jobs)
    if sandbox:
        problem = cleanroom.sandbox_problem()
        if problem:
            raise RuntimeError(
                f"no sandbox can be made here: {problem.rstrip('.')}. To grade without one "
                "(only submissions you trust), pass --no-sandbox (sandbox=False)."
            )
    sources = list(notebooks) if notebooks is not None else release.course_notebooks()
    by_stem = {path.stem: path for path in sources}
    csv_path = Path(csv_path)
    feedback = Path(feedback) if feedback is not None else csv_path.parent / "feedback"

    plans, tasks = _plan(find_submissions(submissions), by_stem, timeout)
    # What the learners' code must never see, besides the course folder and $HOME.
    hide = sorted(
        {
            str(Path(submissions).resolve()),
            str(csv_path.resolve().parent),
            str(feedback.resolve()),
            *(str(p.resolve().parent) for p in sources),
        }
    )
    outcomes = []
    with _progress(len(plans), progress) as bar:
        if tasks:
            if scheduler is not None:
                pool = cleanroom.DaskPool(scheduler, sandbox=sandbox, hide=hide)
            else:
                pool = cleanroom.Pool(jobs, sandbox=sandbox, hide=hide)
            with pool:
                outcomes = pool.run(tasks)
        bar.update(len(plans))
    grades = [_assemble(plan, outcomes) for plan in plans]
    _write_csv(csv_path, grades)
    for grade_ in grades:
        if grade_.max_score or grade_.results:
            _write_feedback(feedback / grade_.student / f"{grade_.notebook}.html", grade_)
    return grades


@dataclass(frozen=True)
class _Plan:
    """A file to grade: its grade so far (an error), or per exercise a Result or a task index."""

    student: str
    stem: str
    max_score: float = 0
    error: str = ""
    parts: tuple = ()  # (exercise, Result or index into the tasks)


def _plan(found, by_stem, timeout):
    read, plans, tasks = {}, [], []
    for student, stem, path in found:
        if stem not in by_stem:
            plans.append(_Plan(student, stem, 0, "not a course notebook; not graded"))
            continue
        if stem not in read:
            read[stem] = exercises.read_source(by_stem[stem])
        notebook = read[stem]
        if not _STUDENT_ID.match(student):
            why = "the student folder's name is not a valid id; not graded"
            plans.append(_Plan(student, stem, notebook.max_score, why))
            continue
        try:
            solutions = exercises.solutions(path, notebook)
        except exercises.Unreadable as error:
            plans.append(_Plan(student, stem, notebook.max_score, str(error)))
            continue
        parts = []
        for exercise in notebook.exercises:
            solution = solutions[exercise.grade_id]
            refused = exercises.refusal(solution, exercise, notebook)
            if refused is not None:
                parts.append((exercise, Result(exercise.name, 0, exercise.points, refused)))
                continue
            parts.append((exercise, len(tasks)))
            tasks.append(exercises.task(notebook, exercise, solution, timeout))
        plans.append(_Plan(student, stem, notebook.max_score, "", tuple(parts)))
    return plans, tasks


def _assemble(plan, outcomes):
    results = []
    for exercise, part in plan.parts:
        if isinstance(part, Result):
            results.append(part)
            continue
        outcome = outcomes[part]
        if outcome.passed:
            results.append(Result(exercise.name, exercise.points, exercise.points))
        else:
            message = outcome.message or "the test cell did not pass"
            results.append(Result(exercise.name, 0, exercise.points, message))
    score = sum(result.points for result in results)
    return Grade(plan.student, plan.stem, score, plan.max_score, plan.error, tuple(results))


def _write_csv(csv_path, grades):
    csv_path.parent.mkdir(parents=True, exist_ok=True)
    with open(csv_path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=CSV_COLUMNS)
        writer.writeheader()
        for grade_ in sorted(grades, key=lambda g: (g.student, g.notebook)):
            writer.writerow(grade_.row())


_PAGE = """<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>{title}</title>
<style>
body {{ font-family: sans-serif; max-width: 50rem; margin: 2rem auto; line-height: 1.5; }}
table {{ border-collapse: collapse; width: 100%; }}
th, td {{ border-bottom: 1px solid #ccc; padding: 0.4rem; text-align: left;
          vertical-align: top; }}
.passed {{ color: #1a7f37; }} .failed {{ color: #b35900; }}
</style></head>
<body>
<h1>{title}</h1>
<p>Score: <strong>{score:g} / {max_score:g}</strong></p>
{body}
</body>
</html>
"""


def _write_feedback(path, grade_):
    """One page: each exercise's points and message; nothing of the tests' code."""
    title = html.escape(f"{grade_.notebook} — feedback for {grade_.student}")
    if grade_.error:
        body = f"<p>{html.escape(grade_.error)}</p>"
    else:
        rows = []
        for result in grade_.results:
            if result.passed:
                said = '<span class="passed">✔ passed</span>'
            else:
                said = f'<span class="failed">✘ {html.escape(result.message)}</span>'
            rows.append(
                f"<tr><td><code>{html.escape(result.exercise)}</code></td>"
                f"<td>{result.points:g} / {result.max_points:g}</td><td>{said}</td></tr>"
            )
        body = (
            "<table>\n<tr><th>exercise</th><th>points</th><th>result</th></tr>\n"
            + "\n".join(rows)
            + "\n</table>"
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    page = _PAGE.format(title=title, score=grade_.score, max_score=grade_.max_score, body=body)
    path.write_text(page, encoding="utf-8")


def _progress(total, shown):
    from tqdm.auto import tqdm

    return tqdm(total=total, desc="grading", unit="notebook", disable=not shown)
