"""Grading a class: each exercise in a clean room, after the static policy.

An honest corpus (correct solutions in many styles) gets full marks; a red-team corpus (every
attack of issue 16 and more) scores 0 on its exercise, with the message a learner should read,
and leaves no trace outside the sandbox; the CSV is the same on every run; the feedback never
shows a test's code; ``--scheduler`` gives the CSV a local run gives.
"""

import csv
import json
import re
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pytest

from course_utils.instructor import exercises, grading, release
from course_utils.instructor.cleanroom import sandbox_problem

from .test_dask import scheduler_address  # noqa: F401  (a local Dask cluster, torn down)

PROBLEM = sandbox_problem()
SANDBOX = PROBLEM is None
COURSE = {path.stem: path for path in release.course_notebooks()}
REPOSITORY = release.REPOSITORY
TRACE = f"downhill-trace-{uuid.uuid4().hex[:12]}"  # in every file an attack tries to leave

# ---------------------------------------------------------------------------------------------
# Submissions
# ---------------------------------------------------------------------------------------------


def _submission(stem, answers=None, edit=None):
    """The source notebook ``stem`` with the solution cells ``answers`` ({grade_id: source})
    replaced, as JSON text; ``edit(cells)`` may change the cells further."""
    notebook = json.loads(COURSE[stem].read_text(encoding="utf-8"))
    for cell in notebook["cells"]:
        grade_id = cell["metadata"].get("nbgrader", {}).get("grade_id")
        if answers and grade_id in answers:
            cell["source"] = answers[grade_id]
    if edit:
        edit(notebook["cells"])
    return json.dumps(notebook)


ADAGRAD_HEAD = "def adagrad_update(w, grad, sum_sq, lr=1e-2, eps=1e-10):\n"
WRONG_ADAGRAD = (
    ADAGRAD_HEAD + "    sum_sq = sum_sq + grad\n    return w - lr * grad / sum_sq, sum_sq\n"
)

# Correct solutions in different styles: each earns every point of its exercise.
HONEST = {
    "07_adagrad": {
        "adagrad_update": {
            "loops": ADAGRAD_HEAD + "    new_w, new_sum = w.copy(), sum_sq.copy()\n"
            "    for i in np.ndindex(w.shape):\n"
            "        new_sum[i] = sum_sq[i] + grad[i] * grad[i]\n"
            "        new_w[i] = w[i] - lr * grad[i] / (np.sqrt(new_sum[i]) + eps)\n"
            "    return new_w, new_sum\n",
            "helpers_and_square": "def _accumulate(total, g):\n"
            "    return total + np.square(g)\n\n\n"
            "def _scaled(g, total, eps):\n"
            "    return g / (np.sqrt(total) + eps)\n\n\n"
            + ADAGRAD_HEAD
            + "    total = _accumulate(sum_sq, grad)\n"
            "    return w - lr * _scaled(grad, total, eps), total\n",
            "in_place_on_copies": "import numpy as np\n\n\n"
            + ADAGRAD_HEAD
            + "    total = sum_sq.copy()\n    total += grad**2\n"
            "    step = np.sqrt(total)\n    step += eps\n"
            "    new_w = w.copy()\n    new_w -= lr * grad / step\n"
            "    return new_w, total\n",
            "comprehension_and_math": "import math\n\n\n"
            + ADAGRAD_HEAD
            + "    total = sum_sq + grad**2\n"
            "    roots = [math.sqrt(float(v)) for v in total.ravel()]\n"
            "    root = np.array(roots, dtype=total.dtype).reshape(total.shape)\n"
            "    return w - lr * grad / (root + eps), total\n",
            "calls_its_check_too": ADAGRAD_HEAD + "    sum_sq = sum_sq + grad**2\n"
            "    return w - lr * grad / (np.sqrt(sum_sq) + eps), sum_sq\n\n\n"
            "check_adagrad_update(adagrad_update)\n",
            "a_class_and_a_nested_function": "class AdaGrad:\n"
            "    def accumulate(self, total, g):\n"
            "        self.total = total + g * g\n"
            "        return self.total\n\n\n" + ADAGRAD_HEAD + "    def step(total):\n"
            "        return lr * grad / (np.sqrt(total) + eps)\n\n"
            "    total = AdaGrad().accumulate(sum_sq, grad)\n"
            "    try:\n        new_w = w - step(total)\n"
            "    except FloatingPointError as error:\n"
            "        raise ValueError(f'bad step: {error}') from error\n"
            "    return new_w, total\n",
        }
    },
    "09_adam": {
        "adam_update": {
            "bias_corrected": "def adam_update(w, grad, m, v, t, lr=1e-3, beta1=0.9, "
            "beta2=0.999, eps=1e-8):\n"
            "    m = beta1 * m + (1 - beta1) * grad\n"
            "    v = beta2 * v + (1 - beta2) * np.square(grad)\n"
            "    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)\n"
            "    return w - lr * m_hat / (np.sqrt(v_hat) + eps), m, v\n",
            "in_place_with_math": "import math\n\n\n"
            "def adam_update(w, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):\n"
            "    m, v, w = m.copy(), v.copy(), w.copy()\n"
            "    m *= beta1\n    m += (1 - beta1) * grad\n"
            "    v *= beta2\n    v += (1 - beta2) * grad * grad\n"
            "    first, second = 1 - math.pow(beta1, t), 1 - math.pow(beta2, t)\n"
            "    w -= lr * (m / first) / (np.sqrt(v / second) + eps)\n"
            "    return w, m, v\n",
        }
    },
    "10_learning_rate_schedules": {
        "cosine_lr": {
            "numpy_cos": "def cosine_lr(t, lr, T_max, eta_min=0):\n"
            "    phase = np.pi * min(t, T_max) / T_max\n"
            "    return float(eta_min + (lr - eta_min) * (1 + np.cos(phase)) / 2)\n",
        },
    },
    "11_choosing_the_learning_rate": {
        "should_stop": {
            "a_comprehension": "def should_stop(val_losses, patience, min_delta=0):\n"
            "    best, waited = float('inf'), 0\n"
            "    for index, loss in enumerate(val_losses):\n"
            "        better = loss < best - min_delta\n"
            "        best, waited = (loss, 0) if better else (best, waited + 1)\n"
            "        if waited >= patience:\n"
            "            return index\n"
            "    return None\n",
        },
    },
}

# Attacks on 07_adagrad: (solution cell, words its feedback must hold). Each scores 0.
ATTACKS = {
    "imports_the_reference": (
        "from course_utils.optim import adagrad_update",
        "line 1 imports course_utils.optim, which this exercise does not allow: it is graded "
        "on NumPy alone",
    ),
    "calls_the_notebooks_optim": (
        ADAGRAD_HEAD + "    return optim.adagrad_update(w, grad, sum_sq, lr, eps)",
        "line 2 uses `optim`, which this exercise does not allow",
    ),
    "import_and_getattr_with_split_strings": (
        ADAGRAD_HEAD + "    module = __import__('course' + '_utils.op' + 'tim', fromlist=['x'])\n"
        "    return getattr(module, 'adagrad' + '_update')(w, grad, sum_sq, lr, eps)",
        "line 2 uses `__import__`: names with a double underscore are not allowed",
    ),
    "torch_optim_adagrad": (
        "import torch\n\n\n" + ADAGRAD_HEAD + "    p = torch.tensor(w, requires_grad=True)\n"
        "    opt = torch.optim.Adagrad([p], lr=lr, eps=eps)\n"
        "    p.grad = torch.tensor(grad)\n    opt.step()\n"
        "    return p.detach().numpy(), sum_sq + grad**2",
        "line 1 imports torch, which this exercise does not allow",
    ),
    "replaces_the_check_and_abs": (
        WRONG_ADAGRAD + "check_adagrad_update = lambda f: None\n"
        "import builtins\nbuiltins.abs = lambda x: 0.0\n",
        "line 4 redefines `check_adagrad_update`, which the notebook's setup defines",
    ),
    "shadows_abs": (
        WRONG_ADAGRAD + "abs = lambda x: 0.0\n",
        "line 4 redefines `abs`, one of Python's builtins",
    ),
    "input_transformer": (
        WRONG_ADAGRAD + "get_ipython().input_transformers_post.append(\n"
        "    lambda lines: ['pass\\n' if line.startswith('assert') else line for line in lines]\n"
        ")\n",
        "line 4 uses `get_ipython`, which no exercise may use",
    ),
    "patches_numpy": (
        WRONG_ADAGRAD + "np.allclose = lambda *args, **kwargs: True\n",
        "line 4 assigns to `np.allclose`, an attribute of a module",
    ),
    "writes_files": (
        WRONG_ADAGRAD + "for folder in ['course_utils', 'notebooks', '~', '/tmp']:\n"
        f"    open(folder + '/{TRACE}', 'w').write('x')\n",
        "line 5 uses `open`, which no exercise may use",
    ),
    "writes_files_through_numpy": (
        WRONG_ADAGRAD + f"np.save('{REPOSITORY}/course_utils/{TRACE}', np.zeros(1))\n",
        "line 4 uses `np.save`, a door to files",
    ),
    "reads_the_hidden_tests": (
        ADAGRAD_HEAD + f"    text = open('{COURSE['07_adagrad']}').read()\n    return text",
        "line 2 uses `open`",
    ),
    "fork_bomb": ("import os\nwhile True:\n    os.fork()\n", "line 1 imports os"),
    "a_dunder_class": (
        "class Always:\n    def __eq__(self, other):\n        return True\n",
        "line 2 uses `__eq__`",
    ),
    "walks_the_frames": (
        ADAGRAD_HEAD + "    frames = (x for x in [0])\n"
        "    return frames.gi_frame.f_back.f_globals, sum_sq",
        "which looks into running code",
    ),
    "megabytes_of_output": (
        HONEST["07_adagrad"]["adagrad_update"]["loops"] + "\nprint('x' * 5_000_000)\n",
        "more than 64 kB",
    ),
    "sleeps_forever": ("while True:\n    pass\n", "took longer than"),
    "an_exception_with_a_huge_message": (
        ADAGRAD_HEAD + "    raise ValueError('spam ' * 2_000_000)",
        "ValueError: spam spam",
    ),
    "a_magic": (WRONG_ADAGRAD + "%load_ext autoreload\n", "line 4 is an IPython command"),
}

# The attacks that get past a disabled policy, run anyway: the clean room and the sandbox
# alone must still give 0 and leave nothing behind.
NUMPY_OS = "np.lib._npyio_impl.os"  # numpy's own handle on os, which the policy refuses
RUNTIME_ATTACKS = {
    "imports_the_reference": ATTACKS["imports_the_reference"][0],
    "calls_the_notebooks_optim": ATTACKS["calls_the_notebooks_optim"][0],
    "torch_optim_adagrad": ATTACKS["torch_optim_adagrad"][0],
    "import_and_getattr_with_split_strings": ATTACKS["import_and_getattr_with_split_strings"][0],
    "patches_numpy_for_the_test": ATTACKS["patches_numpy"][0],
    "writes_files_through_numpy": WRONG_ADAGRAD
    + "for folder in ['course_utils', 'notebooks', '~', '/tmp', '/work', '/root']:\n"
    f"    {NUMPY_OS}.system(f'touch {{folder}}/{TRACE} {REPOSITORY}/{{folder}}/{TRACE}')\n"
    f"np.save('{REPOSITORY}/course_utils/{TRACE}', np.zeros(1))\n",
    "reads_the_hidden_tests": ADAGRAD_HEAD
    + f"    return {NUMPY_OS}.popen('cat {COURSE['07_adagrad']}').read(), sum_sq\n",
    "fork_bomb": f"while True:\n    {NUMPY_OS}.fork()\n",
    "a_daemon": f"if {NUMPY_OS}.fork() == 0:\n    {NUMPY_OS}.setsid()\n"
    f"    {NUMPY_OS}.system('sleep 600; touch /tmp/{TRACE}')\n" + WRONG_ADAGRAD,
    "kills_its_worker": f"{NUMPY_OS}.kill({NUMPY_OS}.getppid(), 9)\n" + WRONG_ADAGRAD,
}


def _traces():
    """Every file an attack may have left where the grader could see it."""
    places = [REPOSITORY, REPOSITORY / "course_utils", REPOSITORY / "notebooks", Path.home()]
    places += [Path(tempfile.gettempdir()), Path("/tmp"), Path("/work")]
    return sorted(str(path) for place in places for path in place.glob(f"{TRACE}*"))


def _write(folder, student, stem, text):
    (folder / student).mkdir(parents=True, exist_ok=True)
    (folder / student / f"{stem}.ipynb").write_text(text, encoding="utf-8")


def _snapshot(folder):
    return sorted(
        (str(path.relative_to(folder)), path.read_bytes())
        for path in folder.rglob("*")
        if path.is_file()
    )


def _grade(submissions, out, **options):
    notebooks = sorted({COURSE[path.stem] for path in submissions.glob("*/*.ipynb")})
    started = time.perf_counter()
    grades = grading.grade(
        submissions,
        out / "grades.csv",
        notebooks=notebooks,
        jobs=2,
        timeout=10,
        progress=False,
        sandbox=SANDBOX,
        **options,
    )
    seconds = time.perf_counter() - started
    return {(g.student, g.notebook): g for g in grades}, seconds


# ---------------------------------------------------------------------------------------------
# The corpora, graded once
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    submissions = tmp_path_factory.mktemp("submissions")
    out = tmp_path_factory.mktemp("out")
    for stem, by_exercise in HONEST.items():
        for grade_id, styles in by_exercise.items():
            for style, source in styles.items():
                _write(
                    submissions,
                    f"honest-{grade_id}-{style}",
                    stem,
                    _submission(stem, {grade_id: source}),
                )
    for name, (source, _) in ATTACKS.items():
        _write(
            submissions,
            f"attack-{name}",
            "07_adagrad",
            _submission("07_adagrad", {"adagrad_update": source}),
        )
    _write(submissions, "worked", "07_adagrad", _submission("07_adagrad"))
    before = _snapshot(submissions)
    traces = _traces()
    grades, seconds = _grade(submissions, out)
    assert _snapshot(submissions) == before and _traces() == traces == []
    return submissions, out, grades, seconds


@pytest.mark.slow
@pytest.mark.parametrize(
    "student",
    [
        f"honest-{grade_id}-{style}"
        for by_exercise in HONEST.values()
        for grade_id, styles in by_exercise.items()
        for style in styles
    ],
)
def test_honest_solutions_in_any_style_earn_their_points(graded, student):
    grades = graded[2]
    (grade_,) = [g for (s, _), g in grades.items() if s == student]
    exercise = student.split("-")[1]
    (result,) = [r for r in grade_.results if r.exercise == exercise]
    assert result.passed and result.points == result.max_points > 0, result.message
    assert grade_.error == ""


@pytest.mark.slow
@pytest.mark.parametrize("attack", list(ATTACKS))
def test_every_attack_scores_zero_and_the_learner_reads_why(graded, attack):
    _, out, grades, _ = graded
    grade_ = grades[(f"attack-{attack}", "07_adagrad")]
    result = _adagrad(grade_)
    assert (result.points, result.max_points, grade_.error) == (0, 3, "")
    # the attack costs its own exercise only: the notebook's other (worked) exercises score
    assert grade_.score == grade_.max_score - 3
    assert ATTACKS[attack][1] in result.message
    assert len(result.message) < 1200  # a huge exception's message is cut
    feedback = (out / "feedback" / f"attack-{attack}" / "07_adagrad.html").read_text()
    assert "0 / 3" in feedback


@pytest.mark.slow
def test_the_worked_solution_scores_full_marks_within_two_seconds_a_notebook(graded):
    _, _, grades, seconds = graded
    worked = grades[("worked", "07_adagrad")]
    assert worked.score == worked.max_score >= 3 and _adagrad(worked).points == 3
    per_notebook = seconds / len(grades)
    print(f"graded {len(grades)} notebooks in {seconds:.1f} s: {per_notebook:.2f} s each")
    assert per_notebook <= 2.0


def _adagrad(grade_):
    """The result of 07's adagrad_update exercise in a notebook's grade."""
    (result,) = [r for r in grade_.results if r.exercise == "adagrad_update"]
    return result


def _hidden_lines(stem):
    notebook = exercises.read_source(COURSE[stem])
    for exercise in notebook.exercises:
        hidden = exercise.test.split("### BEGIN HIDDEN TESTS", 1)[1]
        yield from (line.strip() for line in hidden.splitlines() if len(line.strip()) > 12)


@pytest.mark.slow
def test_feedback_shows_points_and_messages_but_never_a_tests_code(graded):
    _, out, grades, _ = graded
    pages = list((out / "feedback").rglob("*.html"))
    assert len(pages) == len(grades)
    hidden = {stem: list(_hidden_lines(stem)) for stem in ("07_adagrad", "09_adam")}
    for page in pages:
        text = page.read_text()
        for line in hidden.get(page.stem, []):
            assert line not in text, f"{page}: {line}"
        assert "<script" not in text.replace("&lt;script", "")
    worked = (out / "feedback" / "worked" / "07_adagrad.html").read_text()
    assert "adagrad_update" in worked and "3 / 3" in worked and "✔" in worked


# ---------------------------------------------------------------------------------------------
# The same attacks with the static policy switched off: the clean room and sandbox hold alone
# ---------------------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.skipif(not SANDBOX, reason=f"no sandbox here: {PROBLEM}")
def test_without_the_policy_the_clean_room_and_sandbox_still_give_zero_and_no_trace(
    tmp_path, monkeypatch
):
    monkeypatch.setattr(exercises, "check_source", lambda *args, **kwargs: [])
    submissions = tmp_path / "submissions"
    for name, source in RUNTIME_ATTACKS.items():
        _write(
            submissions, name, "07_adagrad", _submission("07_adagrad", {"adagrad_update": source})
        )
    _write(submissions, "worked", "07_adagrad", _submission("07_adagrad"))
    before = _snapshot(submissions)
    grades, _ = _grade(submissions, tmp_path / "out")
    scores = {student: _adagrad(g).points for (student, _), g in grades.items()}
    assert scores == {**dict.fromkeys(RUNTIME_ATTACKS, 0), "worked": 3}
    time.sleep(1)  # a daemon that escaped would have had time to start writing
    assert _traces() == [] and _snapshot(submissions) == before
    assert not list((tmp_path / "out").rglob(f"{TRACE}*"))


# ---------------------------------------------------------------------------------------------
# A tiny course: files nbgrader stumbles on, the CSV, the command line
# ---------------------------------------------------------------------------------------------


def _cell(source, nbgrader=None, tags=None):
    metadata = {}
    if nbgrader:
        metadata["nbgrader"] = {"schema_version": 3, "task": False, "locked": False, **nbgrader}
    if tags:
        metadata["tags"] = tags
    return {
        "cell_type": "code",
        "execution_count": None,
        "metadata": metadata,
        "outputs": [],
        "source": source,
    }


SOLUTION = {"grade": False, "grade_id": "double", "solution": True}
TEST = {"grade": True, "grade_id": "test_double", "points": 2, "solution": False, "locked": True}
SETUP = {"grade": False, "grade_id": "setup", "solution": False, "locked": True}


@pytest.fixture(scope="module")
def tiny_course(tmp_path_factory):
    folder = tmp_path_factory.mktemp("course")
    notebook = {
        "cells": [
            _cell("%matplotlib inline\nimport math\n\nimport numpy as np", SETUP, ["setup"]),
            _cell(
                "def double(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION",
                SOLUTION,
            ),
            _cell(
                'assert double(2) == 4, "double(2) should be 4"\n'
                "### BEGIN HIDDEN TESTS\nassert double(-3.5) == -7.0, 'hidden: negative x'\n"
                "### END HIDDEN TESTS",
                TEST,
            ),
            _cell("print('after the exercise')"),
        ],
        "metadata": {
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path = folder / "90_tiny.ipynb"
    path.write_text(json.dumps(notebook))
    return path


def _tiny(course, solution=None, edit=None):
    notebook = json.loads(course.read_text())
    if solution is not None:
        notebook["cells"][1]["source"] = solution
    if edit:
        edit(notebook["cells"])
    return json.dumps(notebook)


def _duplicate_solution(cells):
    cells.insert(2, dict(cells[1], source="def double(x):\n    return 5"))


def _rename_grade_id(cells):
    cells[1]["metadata"]["nbgrader"]["grade_id"] = "my_double"


def _edit_test_cell(cells):
    cells[1]["source"] = "def double(x):\n    return 5"
    cells[2]["source"] = "pass"


# student: (notebook text or an edit, score, words of the error column, words of the feedback)
TINY = {
    "right": (None, 2, "", "✔"),
    "raises": ("def double(x):\n    raise ValueError('nope')", 0, "", "ValueError: nope"),
    "hard_codes_the_check": (
        "def double(x):\n    return 4 if x == 2 else 0",
        0,
        "",
        "hidden: negative x",
    ),
    "edits_the_test_cell": (_edit_test_cell, 0, "", "double(2) should be 4"),
    "deletes_the_test_cell": (lambda cells: cells.pop(2), 2, "", "✔"),
    "duplicates_the_solution": (_duplicate_solution, 0, "", "`double` appears 2 times"),
    "renames_the_grade_id": (_rename_grade_id, 0, "", "`double` is missing"),
    "empty": (lambda cells: cells.clear(), 0, "", "is missing"),
    "not_json": ("{this is not json", 0, "not a valid notebook file", "not a valid notebook"),
    "sys_exit": ("import sys\nsys.exit(0)", 0, "", "imports sys"),
}


@pytest.fixture(scope="module")
def graded_tiny(tiny_course, tmp_path_factory):
    submissions = tmp_path_factory.mktemp("tiny_submissions")
    for student, (given, _, _, _) in TINY.items():
        if isinstance(given, str) and given.startswith("{"):
            text = given
        elif callable(given):
            text = _tiny(tiny_course, edit=given)
        else:
            text = _tiny(tiny_course, given)
        _write(submissions, student, "90_tiny", text)
    _write(submissions, "right", "99_unknown", _tiny(tiny_course))
    csv_path = submissions.parent / "tiny.csv"
    grades = grading.grade(
        submissions, csv_path, notebooks=[tiny_course], timeout=5, progress=False, sandbox=SANDBOX
    )
    return submissions, csv_path, {(g.student, g.notebook): g for g in grades}


@pytest.mark.slow
@pytest.mark.parametrize("student", list(TINY))
def test_every_file_is_graded_or_explained(graded_tiny, student):
    _, csv_path, grades = graded_tiny
    _, score, error, said = TINY[student]
    grade_ = grades[(student, "90_tiny")]
    assert (grade_.score, grade_.max_score) == (score, 2)
    assert error in grade_.error if error else grade_.error == ""
    feedback = (csv_path.parent / "feedback" / student / "90_tiny.html").read_text()
    assert said in feedback and "-3.5" not in feedback


@pytest.mark.slow
def test_the_csv_has_one_row_per_file_and_is_the_same_on_every_run(graded_tiny, tiny_course):
    submissions, csv_path, grades = graded_tiny
    with open(csv_path, newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["student", "notebook", "score", "max_score", "error"]
    assert len(rows) == len(grades) == len(TINY) + 1
    assert {
        "student": "right",
        "notebook": "99_unknown",
        "score": "0",
        "max_score": "0",
    }.items() <= (
        rows[[(r["student"], r["notebook"]) for r in rows].index(("right", "99_unknown"))].items()
    )
    again = csv_path.parent / "again.csv"
    grading.grade(
        submissions, again, notebooks=[tiny_course], timeout=5, progress=False, sandbox=SANDBOX
    )
    assert again.read_bytes() == csv_path.read_bytes()


@pytest.mark.slow
def test_the_command_line_grades_and_says_where_the_csv_is(graded_tiny, tiny_course, tmp_path):
    submissions, csv_path, _ = graded_tiny
    out = tmp_path / "cli.csv"
    command = [sys.executable, "-m", "course_utils", "grade", str(submissions), "--out", str(out)]
    command += ["--notebooks", str(tiny_course.parent), "--timeout", "5", "--jobs", "2"]
    command += [] if SANDBOX else ["--no-sandbox"]
    result = subprocess.run(command, capture_output=True, text=True, cwd=REPOSITORY, timeout=300)
    assert result.returncode == 0, result.stderr
    assert f"-> {out}" in result.stdout and "not a course notebook" in result.stdout
    assert ("unsandboxed" in result.stdout) == (not SANDBOX)
    assert out.read_bytes() == csv_path.read_bytes()


@pytest.mark.slow
@pytest.mark.skipif(not SANDBOX, reason=f"no sandbox here: {PROBLEM}")
def test_a_dask_cluster_writes_the_csv_a_local_run_writes(
    graded_tiny,
    tiny_course,
    tmp_path,
    scheduler_address,  # noqa: F811
):
    submissions, csv_path, _ = graded_tiny
    out = tmp_path / "dask.csv"
    command = [sys.executable, "-m", "course_utils", "grade", str(submissions), "--out", str(out)]
    command += ["--notebooks", str(tiny_course.parent), "--timeout", "5"]
    command += ["--scheduler", scheduler_address]
    result = subprocess.run(command, capture_output=True, text=True, cwd=REPOSITORY, timeout=300)
    assert result.returncode == 0, result.stderr
    assert out.read_bytes() == csv_path.read_bytes()


def test_grading_refuses_without_a_sandbox_and_says_how_to_go_on(tmp_path, monkeypatch):
    from course_utils.instructor import cleanroom

    monkeypatch.setattr(cleanroom, "sandbox_problem", lambda: "bubblewrap is not installed.")
    (tmp_path / "submissions").mkdir()
    with pytest.raises(RuntimeError, match=r"bubblewrap is not installed.*--no-sandbox"):
        grading.grade(tmp_path / "submissions", tmp_path / "grades.csv", progress=False)


def test_a_student_folder_that_is_not_an_id_is_not_graded(tiny_course, tmp_path):
    submissions = tmp_path / "submissions"
    _write(submissions, "-rf", "90_tiny", _tiny(tiny_course))
    (grade_,) = grading.grade(
        submissions, tmp_path / "g.csv", notebooks=[tiny_course], progress=False, sandbox=False
    )
    assert grade_.error.startswith("the student folder's name is not a valid id")
    assert re.search(r"^-rf,90_tiny,0,2,", (tmp_path / "g.csv").read_text(), re.M)


def test_the_command_line_passes_its_options_and_says_when_nothing_was_sandboxed(
    tmp_path, monkeypatch, capsys
):
    from course_utils.__main__ import main

    given = {}
    monkeypatch.setattr(grading, "grade", lambda *args, **options: given.update(options) or [])
    argv = ["grade", str(tmp_path), "--out", str(tmp_path / "g.csv"), "--timeout", "7"]
    main([*argv, "--no-sandbox", "--scheduler", "tcp://127.0.0.1:8786"])
    assert given["sandbox"] is False and given["scheduler"] == "tcp://127.0.0.1:8786"
    assert given["timeout"] == 7 and "graded unsandboxed" in capsys.readouterr().out
    main(argv)
    assert given["sandbox"] is True and given["scheduler"] is None
    assert "unsandboxed" not in capsys.readouterr().out
