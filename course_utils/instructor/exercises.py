r"""A notebook's exercises, as the clean room grades them.

From a *source* notebook (nbgrader's source version, worked solutions and hidden tests in it)
``read_source`` takes:

- its **setup**: the code cells tagged ``setup`` (its locked imports), IPython commands such as
  ``%matplotlib inline`` removed, and the names they define;
- its **exercises**: each graded test cell (nbgrader ``grade: true`` with ``points``), with the
  solution cells since the previous graded test cell (nbgrader ``solution: true``, by
  ``grade_id``), the check its visible part calls first, and that check's ``policy``
  (``course_utils.policy.NUMPY`` unless the check declares another), read from the lesson
  package ``course_utils.lessons.<name>`` of the notebook ``NN_<name>``.

From a *submission*, ``solutions`` takes the learner's solution cells of each exercise,
matched by ``grade_id``, and nothing else: a cell missing or duplicated is a ``Problem`` that
scores that exercise 0, and a file that is not a notebook raises ``Unreadable``.

An exercise is then run as ``setup + solution + test`` (``Exercise.task``): the source's setup
and test cell, the learner's solution. The clean-room contract says that this is enough: a test
cell depends only on the setup cells and its own solution cell(s).
"""

import ast
import importlib
import json
import symtable
from dataclasses import dataclass
from pathlib import Path

from ..policy import NUMPY, check_source, ipython_lines

__all__ = [
    "Exercise",
    "Notebook",
    "Problem",
    "Unreadable",
    "read_source",
    "solutions",
    "refusal",
    "task",
    "SETUP_TAG",
]

SETUP_TAG = "setup"
_HIDDEN = "### BEGIN HIDDEN TESTS"


@dataclass(frozen=True)
class Exercise:
    """One graded test cell and its solution cells.

    ``name``: the first solution cell's ``grade_id`` (``adagrad_update``); ``grade_id``: the
    test cell's; ``solution_ids``: the solution cells' ``grade_id`` in order; ``solution``: the
    worked solution; ``test``: the whole test cell, hidden tests included; ``check``: the
    name of the check its visible part calls first (or None); ``policy``: what a solution may
    use.
    """

    name: str
    grade_id: str
    solution_ids: tuple
    solution: str
    test: str
    points: float
    check: str | None
    policy: object = NUMPY
    kind: str | None = None  # the solution cell's ``exercise:<kind>`` tag (implement, debug, ...)


@dataclass(frozen=True)
class Notebook:
    """A source notebook as the grader sees it: ``setup`` (Python), the names it defines, the
    exercises in order."""

    stem: str
    setup: str
    setup_names: tuple
    exercises: tuple

    @property
    def max_score(self):
        return sum(exercise.points for exercise in self.exercises)


@dataclass(frozen=True)
class Problem:
    """Why a submission's solution to one exercise cannot be graded (it scores 0)."""

    message: str


class Unreadable(ValueError):
    """The file is not a notebook the grader can read; the message says why, in one line."""


def read_source(path):
    """The setup and exercises of the source notebook at ``path``."""
    path = Path(path)
    cells = _code_cells(_load(path))
    setup = "\n".join(
        python_of(cell["source"]) for cell in cells if SETUP_TAG in cell["metadata"].get("tags", ())
    )
    exercises, pending = [], []
    for cell in cells:
        meta = _nbgrader(cell)
        if meta.get("solution") and not meta.get("grade"):
            pending.append(cell)
        elif meta.get("grade") and not meta.get("solution"):
            exercises.append(_exercise(path.stem, cell, pending))
            pending = []
    return Notebook(path.stem, setup, _defined(setup), tuple(exercises))


def solutions(path, notebook):
    """``{test grade_id: solution source or Problem}`` of the submission at ``path``.

    Raises ``Unreadable`` when the file is not a notebook (not JSON, no list of cells).
    """
    by_id = {}
    for cell in _code_cells(_load(Path(path))):
        grade_id = _nbgrader(cell).get("grade_id")
        if isinstance(grade_id, str):
            by_id.setdefault(grade_id, []).append(cell["source"])
    found = {}
    for exercise in notebook.exercises:
        parts = []
        for grade_id in exercise.solution_ids:
            copies = by_id.get(grade_id, [])
            if len(copies) != 1:
                how = "is missing" if not copies else f"appears {len(copies)} times"
                parts = Problem(
                    f"the solution cell `{grade_id}` {how} in this notebook; grading needs "
                    "exactly one, as released"
                )
                break
            parts.append(copies[0])
        found[exercise.grade_id] = parts if isinstance(parts, Problem) else "\n".join(parts)
    return found


def refusal(solution, exercise, notebook):
    """Why the learner's ``solution`` (or the ``Problem`` in its place) is not run, or None."""
    if isinstance(solution, Problem):
        return f"Not graded: {solution.message}."
    violations = check_source(
        solution, exercise.policy, reserved=notebook.setup_names, also=_allowed(exercise)
    )
    if violations:
        return f"Not run: {violations[0]}."
    return None


def task(notebook, exercise, solution, timeout, *, visible_only=False):
    """The clean room's ``Task`` for ``solution``: the source's setup, the learner's solution,
    the source's test cell (only its visible check, with ``visible_only``)."""
    from .cleanroom import Task

    return Task(
        key=notebook.stem,  # the setup's name: a worker runs each setup once
        setup=notebook.setup,
        solution=solution,
        test=visible_part(exercise.test) if visible_only else exercise.test,
        allowed_names=_allowed(exercise),
        allowed_imports=tuple(exercise.policy.imports),
        timeout=float(timeout),
    )


def _allowed(exercise):
    """The notebook's names a solution may use: its policy's, and its own check."""
    return tuple(exercise.policy.names) + ((exercise.check,) if exercise.check else ())


def python_of(source):
    """``source`` with its IPython command lines (``%matplotlib inline``) left out."""
    magic = set(ipython_lines(source))
    return "\n".join(line for k, line in enumerate(source.splitlines(), 1) if k not in magic)


def visible_part(test):
    """A test cell's source up to its hidden tests."""
    return test.split(_HIDDEN, 1)[0]


def _exercise(stem, cell, solution_cells):
    meta = _nbgrader(cell)
    if not solution_cells:
        raise ValueError(f"{stem}: the graded cell {meta.get('grade_id')!r} has no solution cell")
    ids = tuple(_nbgrader(c)["grade_id"] for c in solution_cells)
    check = _called_check(visible_part(cell["source"]))
    return Exercise(
        name=ids[0],
        grade_id=meta["grade_id"],
        solution_ids=ids,
        solution="\n".join(c["source"] for c in solution_cells),
        test=cell["source"],
        points=float(meta.get("points") or 0),
        check=check,
        policy=_policy(stem, check),
        kind=next(
            (
                tag.removeprefix("exercise:")
                for cell in solution_cells
                for tag in cell["metadata"].get("tags", ())
                if isinstance(tag, str) and tag.startswith("exercise:")
            ),
            None,
        ),
    )


def _called_check(visible):
    """The name of the function the first statement calls (``check_adagrad_update``)."""
    try:
        body = ast.parse(visible).body
    except SyntaxError:
        return None
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Call):
        func = body[0].value.func
        if isinstance(func, ast.Name):
            return func.id
    return None


def _policy(stem, check):
    """The policy the check declares (``check.policy``), from the notebook's lesson package."""
    lesson = stem.split("_", 1)[1] if "_" in stem else stem
    if check is None:
        return NUMPY
    package = f"course_utils.lessons.{lesson}"
    try:
        module = importlib.import_module(package)
    except ModuleNotFoundError as error:
        if error.name != package:
            raise
        return NUMPY  # a notebook outside the course (a test's): the default
    return getattr(getattr(module, check, None), "policy", NUMPY)


def _defined(setup):
    """The names the setup binds at its top level (imports, assignments, definitions)."""
    try:
        table = symtable.symtable(setup, "<setup>", "exec")
    except SyntaxError as error:
        raise ValueError(f"the setup cells are not valid Python: {error}") from None
    return tuple(
        sorted(s.get_name() for s in table.get_symbols() if s.is_assigned() or s.is_imported())
    )


def _load(path):
    try:
        notebook = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as error:
        why = str(error).strip().splitlines()[0][:120] if str(error).strip() else "unreadable"
        raise Unreadable(f"not a valid notebook file ({why}); not graded") from None
    if not isinstance(notebook, dict) or not isinstance(notebook.get("cells"), list):
        raise Unreadable("not a valid notebook file (it has no list of cells); not graded")
    return notebook


def _code_cells(notebook):
    """The code cells, each ``{"source": str, "metadata": dict}``; malformed ones skipped."""
    cells = []
    for cell in notebook["cells"]:
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        if isinstance(source, list) and all(isinstance(s, str) for s in source):
            source = "".join(source)
        metadata = cell.get("metadata")
        if isinstance(source, str):
            cells.append(
                {"source": source, "metadata": metadata if isinstance(metadata, dict) else {}}
            )
    return cells


def _nbgrader(cell):
    meta = cell["metadata"].get("nbgrader")
    return meta if isinstance(meta, dict) else {}
