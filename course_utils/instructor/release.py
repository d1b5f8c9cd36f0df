"""Releasing the course to students with nbgrader, without a pre-made course directory.

The notebooks in ``notebooks/`` are nbgrader *source* versions: worked solutions between
``### BEGIN SOLUTION`` / ``### END SOLUTION`` and hidden tests between ``### BEGIN HIDDEN TESTS``
/ ``### END HIDDEN TESTS``. nbgrader's generate_assignment turns each into a student version:
solutions replaced by a stub, hidden tests removed, outputs cleared, test cells locked.

Every notebook is its own nbgrader assignment, so one broken submission never touches the
grades of another notebook. The course directory nbgrader wants is made in a temporary folder.
"""

import contextlib
import json
import logging
import os
import secrets
import shutil
import sys
import tempfile
from pathlib import Path

COURSE_ID = "downhill"
REPOSITORY = Path(__file__).resolve().parents[2]
NOTEBOOKS = REPOSITORY / "notebooks"
FIGURES = REPOSITORY / "figures"

# Markdown cells point at ../figures/ from notebooks/; a release keeps its figures beside the
# notebooks, in OUT/figures/.
_FIGURE_LINK, _RELEASED_FIGURE_LINK = "](../figures/", "](figures/"


def course_notebooks(folder=None):
    """The course's notebooks, in order, as paths."""
    folder = Path(folder) if folder is not None else NOTEBOOKS
    notebooks = sorted(folder.glob("[0-9][0-9]_*.ipynb"))
    if not notebooks:
        raise FileNotFoundError(f"no course notebooks (NN_name.ipynb) found in {folder}")
    return notebooks


@contextlib.contextmanager
def course_directory(notebooks, *, timeout=30):
    """A temporary nbgrader course holding each notebook as an assignment of its own.

    Yields ``(api, root)``: an ``NbGraderAPI`` whose gradebook knows every notebook's graded
    cells, and the course's root folder (``source/``, ``release/``, ``submitted/`` ...).
    """
    from nbgrader.apps import NbGraderAPI
    from traitlets.config import Config

    _put_environment_tools_on_path()
    with tempfile.TemporaryDirectory(prefix="downhill-course-") as root:
        Path(root, "exchange").mkdir()
        for notebook in notebooks:
            assignment = Path(root, "source", notebook.stem)
            assignment.mkdir(parents=True)
            shutil.copy(notebook, assignment / notebook.name)
        api = NbGraderAPI(config=_config(Config(), root, timeout))
        api.log.setLevel(logging.ERROR)
        for notebook in notebooks:
            result = api.generate_assignment(notebook.stem, force=True, create=True)
            if not result["success"]:
                raise RuntimeError(
                    f"nbgrader could not generate the student version of {notebook.name}:\n"
                    f"{result.get('error') or result.get('log')}"
                )
        yield api, Path(root)


def _put_environment_tools_on_path():
    """nbgrader runs the ``alembic`` command; find it even in a virtualenv that is not activated."""
    scripts = str(Path(sys.executable).parent)
    if scripts not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = scripts + os.pathsep + os.environ.get("PATH", "")


def _config(config, root, timeout):
    from nbconvert.preprocessors import ClearMetadataPreprocessor, CSSHTMLHeaderPreprocessor
    from nbgrader.preprocessors import (
        AssignLatePenalties,
        CheckCellMetadata,
        ClearHiddenTests,
        Execute,
        GetGrades,
        IgnorePattern,
        LimitOutput,
        SaveAutoGrades,
    )

    config.CourseDirectory.root = str(root)
    config.CourseDirectory.course_id = COURSE_ID
    config.CourseDirectory.db_url = f"sqlite:///{Path(root, 'gradebook.db')}"
    config.Exchange.root = str(Path(root, "exchange"))  # unused, but nbgrader checks it
    config.Execute.timeout = timeout
    config.Execute.interrupt_on_timeout = True
    # A learner who deletes a graded cell gets it back, marked, instead of breaking the grader.
    config.OverwriteCells.add_missing_cells = True
    # nbgrader's own list, with each test cell's run proved around Execute.
    config.Autograde.autograde_preprocessors = [
        _append_run_proof,
        Execute,
        _require_run_proof,
        IgnorePattern,
        ClearMetadataPreprocessor,
        LimitOutput,
        SaveAutoGrades,
        AssignLatePenalties,
        CheckCellMetadata,
    ]
    # Feedback goes back to students: it shows their results, not the hidden tests' code.
    config.GenerateFeedback.preprocessors = [
        GetGrades,
        ClearHiddenTests,
        _test_errors_without_traceback,
        CSSHTMLHeaderPreprocessor,
    ]
    config.LimitOutput.max_lines = 200
    config.LimitOutput.max_traceback = 40
    return config


def _test_cells(notebook):
    return [
        cell
        for cell in notebook.cells
        if cell.cell_type == "code"
        and cell.metadata.get("nbgrader", {}).get("grade")
        and not cell.metadata["nbgrader"].get("solution")
    ]


# A test cell that passes raises nothing, so a learner's code that keeps test cells from running
# (an IPython input transformer that empties them, a patched run_cell) would look like a pass.
# Each test cell therefore ends by printing a secret made for this file only when it is graded;
# a cell that neither failed nor printed it did not run as written, and earns no points.
def _append_run_proof(notebook, resources):
    resources["run_proof"] = f"downhill-ran-{secrets.token_hex(16)}"
    for cell in _test_cells(notebook):
        cell.source += f"\nprint({resources['run_proof']!r})"
    return notebook, resources


def _require_run_proof(notebook, resources):
    from nbformat.v4 import new_output

    proof = resources.pop("run_proof")
    for cell in _test_cells(notebook):
        cell.source = cell.source.removesuffix(f"\nprint({proof!r})")
        stdout = [out for out in cell.outputs if out.get("name") == "stdout" and proof in out.text]
        for output in stdout:
            output.text = output.text.replace(f"{proof}\n", "")
        cell.outputs = [out for out in cell.outputs if out.get("text", True) != ""]
        if not stdout and not any(out.output_type == "error" for out in cell.outputs):
            why = (
                "this test cell did not run as written: code earlier in the notebook changed how "
                "cells run (an input transformer, a patched run_cell?), so it earns no points"
            )
            error = new_output("error", ename="GradingError", evalue=why, traceback=[why])
            cell.outputs.append(error)
    return notebook, resources


def _test_errors_without_traceback(notebook, resources):
    """A failed test cell shows its error, not its traceback: the traceback quotes hidden tests."""
    for cell in notebook.cells:
        if cell.metadata.get("nbgrader", {}).get("grade"):
            for output in cell.get("outputs", []):
                if output.output_type == "error":
                    output.traceback = [f"{output.ename}: {output.evalue}"]
    return notebook, resources


def release(out, notebooks=None):
    """Write the student version of every course notebook to ``out``; return the paths."""
    out = Path(out)
    notebooks = list(notebooks) if notebooks is not None else course_notebooks()
    out.mkdir(parents=True, exist_ok=True)
    written = []
    with course_directory(notebooks) as (_, root):
        for notebook in notebooks:
            released = root / "release" / notebook.stem / notebook.name
            target = out / notebook.name
            student = json.loads(released.read_text(encoding="utf-8"))
            _give_stubs(student, json.loads(notebook.read_text(encoding="utf-8")))
            _drop_speaker_notes(student)
            target.write_text(_point_figures_beside(student))
            written.append(target)
    if FIGURES.is_dir():
        shutil.copytree(FIGURES, out / "figures", dirs_exist_ok=True)
    return written


# nbgrader replaces every solution with one stub. An exercise whose starting point is code to
# fix (debug) or a name to set (concept, derive) says what its learner starts from instead, in
# its solution cell's metadata: {"downhill": {"stub": "..."}}.
_NBGRADER_STUB = ("# YOUR CODE HERE", "raise NotImplementedError()")


def _give_stubs(student, source):
    """Put each solution cell's own stub (``downhill.stub``) where nbgrader put its default."""
    stubs = {
        cell["metadata"]["nbgrader"]["grade_id"]: cell["metadata"]["downhill"]["stub"]
        for cell in source["cells"]
        if "stub" in cell["metadata"].get("downhill", {})
    }
    for cell in student["cells"]:
        stub = stubs.get(cell["metadata"].get("nbgrader", {}).get("grade_id"))
        if stub is None:
            continue
        lines = "".join(cell["source"]).split("\n")
        for i, line in enumerate(lines[:-1]):
            indent = line[: len(line) - len(line.lstrip())]
            if (line.strip(), lines[i + 1].strip()) == _NBGRADER_STUB:
                lines[i : i + 2] = [indent + s if s else s for s in stub.rstrip("\n").split("\n")]
                break
        else:
            raise ValueError(f"no nbgrader stub to replace in {cell['metadata']['nbgrader']}")
        cell["source"] = "\n".join(lines)


def _drop_speaker_notes(student):
    """Speaker notes (cells with ``slide_type: notes``) are the lecturer's: what to ask the
    room, often with the answer. A student's copy has none; the worked solutions keep them."""
    student["cells"] = [
        cell
        for cell in student["cells"]
        if cell["metadata"].get("slideshow", {}).get("slide_type") != "notes"
    ]


def _point_figures_beside(notebook):
    for cell in notebook["cells"]:
        if cell["cell_type"] == "markdown":
            source = "".join(cell["source"])
            cell["source"] = source.replace(_FIGURE_LINK, _RELEASED_FIGURE_LINK)
    return json.dumps(notebook, indent=1, ensure_ascii=False) + "\n"
