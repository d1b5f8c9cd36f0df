"""Downhill's speed benchmark: is the course fast enough that nobody waits?

Run it from the repository root (it takes five to seven minutes on two cores, half of it
nbgrader grading)::

    python benchmarks/run.py                       # all of it: a table of results and targets
    python benchmarks/run.py --json results.json   # ... and every number, as JSON
    python benchmarks/run.py --only adam capstone  # some of: adam capstone notebooks widgets
                                                   #   import grading
    python benchmarks/run.py --torch-threads 1     # torch on one thread in this process

What it measures, and the target where there is one:

- ``adam``: one ``course_utils.optim.Adam.step`` on 10M float32 parameters against
  ``torch.optim.Adam`` (its CPU default, the for-loop implementation), interleaved step by step
  in one run: the ratio of medians, reported with no target. ``optim`` is written to read like
  the maths, not to race torch. Both start from the same weights and see the same gradient, so
  the benchmark also reports how far apart their weights end.
- ``capstone``: the capstone's training loop (``network.fit``, lesson 11's
  ``network.mlp(64, (128,), 10)`` trained by ``course_utils.optim.Adam`` at η = 0.001 on
  batches of 32 from ``data.load_digits``) against scikit-learn's
  ``MLPClassifier(solver="adam")`` with the same width, learning rate, batch size and no
  regularisation, on the same split, each evaluated on the validation set after every epoch;
  after one untimed warm-up run each, seven runs alternate. The time until the validation
  accuracy first reaches 0.96 (ratio of medians) is reported with no target; the test set is
  looked at once, after the last epoch: the capstone's test accuracy should be ≥ 0.96.
- ``notebooks``: every notebook in ``notebooks/`` run top to bottom by nbclient in a fresh
  kernel, one after another: each ≤ 10 s from asking for a kernel to the end of the last cell
  (kernel start included), all together ≤ 60 s. Each kernel is then shut down gracefully, and
  that is timed apart and reported, not counted: nobody waits for it (nbval kills the kernel
  instead), and it is mostly Python unloading what the lesson imported. Each notebook's
  slowest cells are listed, so a slow lesson says where its time goes.
- ``widgets``: every lecture demo (each ``*_explorer`` in a lesson's
  ``course_utils.lessons.<lesson>.demos``), built with its notebook's arguments, then its controls
  moved across their ranges one at a time, as a dragged slider does: the median
  ``demo.last_redraw_ms`` of each demo should be ≤ 50 ms.
- ``import``: ``import course_utils`` in a fresh interpreter, median of several: ≤ 0.3 s; each
  submodule's import time is listed too.
- ``grading``: the same submissions (8 copies of the worked notebooks 07 and 09) graded by
  ``grading.grade`` (each exercise in a clean room, sandboxed where bubblewrap runs) and by
  nbgrader's autograde as grading was done before (a course directory per notebook, each file
  in a process of its own), two processes each, taking turns: notebooks per second of both and
  their ratio (no target), and the clean room's seconds per notebook, everything a ``grade``
  command does included (starting its workers, the setups, the CSV, the feedback): ≤ 2 s.

Timings move with whatever else the machine runs. The ratios compare against references
measured in the same run, interleaved, so that load slows both sides alike; for the absolute
timings (notebooks, redraws, import) the CPU time is reported next to the wall-clock time,
because a busy machine stretches the second but not the first. torch runs its small matrix
products on all cores, and on a busy two-core machine its threads wait for each other: the
capstone's epochs then take several times longer; ``--torch-threads 1`` shows the difference.
The README's Benchmarks section holds the latest results and the machine they came from.
"""

import argparse
import datetime
import importlib
import importlib.util
import inspect
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from functools import partial
from pathlib import Path

import numpy as np

REPOSITORY = Path(__file__).resolve().parent.parent

# Ratios against a reference, listed first in the table with no target: the course's optimizers
# are written to read like the maths, not to beat torch or scikit-learn.
REPORTED = (
    "adam_step_ratio_vs_torch",
    "capstone_time_to_target_ratio_vs_sklearn",
    "grading_throughput_ratio_vs_nbgrader",
)

# metric: (comparison, bound); the README's table lists the same.
TARGETS = {
    "capstone_test_accuracy": ("≥", 0.96),
    "slowest_notebook_seconds": ("≤", 10.0),
    "course_run_all_seconds": ("≤", 60.0),
    "slowest_widget_redraw_ms": ("≤", 50.0),
    "import_seconds": ("≤", 0.3),
    "grading_seconds_per_notebook": ("≤", 2.0),
}


def _median_ms(seconds):
    return 1000 * statistics.median(seconds)


def _take_turns(racers, rounds, warmup=0):
    """Call each of ``racers`` ({name: function}) ``rounds`` times, alternating who goes first
    (so neither always finds the caches warm); returns {name: [what each call returned]}.

    ``warmup`` rounds go first and are not returned: a first call pays one-time costs (lazy
    imports, first-use initialisation) that a learner pays once per session, not per run.
    """
    for _ in range(warmup):
        for racer in racers.values():
            racer()
    results = {name: [] for name in racers}
    for round_ in range(rounds):
        for name in list(racers) if round_ % 2 == 0 else reversed(list(racers)):
            results[name].append(racers[name]())
    return results


def _seconds(function):
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


# ---------------------------------------------------------------------------------------------
# Adam: course_utils.optim.Adam.step against torch.optim.Adam.step
# ---------------------------------------------------------------------------------------------


def adam_step(n=10_000_000, steps=15, seed=0):
    """Median milliseconds of one Adam step on ``n`` float32 parameters, ours and torch's.

    The two optimizers take turns (who goes first alternates) on copies of the same weights
    with the same gradient, so after the race their weights should agree to float32 rounding.
    """
    import torch

    from course_utils import optim

    rng = np.random.default_rng(seed)
    weights = rng.standard_normal(n, dtype=np.float32)
    grad = rng.standard_normal(n, dtype=np.float32)
    ours = optim.Adam([weights.copy()], lr=1e-3)
    tensor = torch.from_numpy(weights.copy()).requires_grad_()
    tensor.grad = torch.from_numpy(grad)
    theirs = torch.optim.Adam([tensor], lr=1e-3)

    seconds = _take_turns(
        {
            "ours": lambda: _seconds(lambda: ours.step([grad])),
            "torch": lambda: _seconds(theirs.step),
        },
        steps,
    )
    ours_ms, torch_ms = _median_ms(seconds["ours"]), _median_ms(seconds["torch"])
    return {
        "adam_parameters": n,
        "adam_step_ms": ours_ms,
        "torch_adam_step_ms": torch_ms,
        "adam_step_ratio_vs_torch": ours_ms / torch_ms,
        "adam_max_difference_vs_torch": float(
            np.max(np.abs(ours.params[0] - tensor.detach().numpy()))
        ),
    }


# ---------------------------------------------------------------------------------------------
# Capstone: network.fit against scikit-learn's MLPClassifier, time to a validation accuracy
# ---------------------------------------------------------------------------------------------


def _fit_capstone(digits, hidden, epochs, batch_size, lr, seed):
    """The capstone's loop: a torch MLP trained by course_utils.optim.Adam; its Run (evaluated
    on validation) and its test accuracy after the last epoch."""
    import torch

    from course_utils import network, optim

    model = network.mlp(64, (hidden,), 10, seed=seed)
    optimizer = optim.Adam(network.numpy_parameters(model), lr=lr)
    run = network.fit(
        model,
        optimizer,
        *digits.train,
        *digits.val,
        epochs=epochs,
        batch_size=batch_size,
        seed=seed,
        progress=False,
    )
    X_test, y_test = (torch.as_tensor(part) for part in digits.test)
    return run, network.evaluate(model, X_test, y_test)[1]


def _fit_sklearn(digits, hidden, epochs, batch_size, lr, seed):
    """scikit-learn's MLP, one ``partial_fit`` (one epoch) at a time, timed as ``fit`` times:
    its Run (evaluated on validation) and its test accuracy after the last epoch.

    The record before training is NaN: scikit-learn has no weights before its first epoch.
    """
    from sklearn.metrics import log_loss
    from sklearn.neural_network import MLPClassifier

    from course_utils.runs import Run

    (X_train, y_train), (X_val, y_val) = digits.train, digits.val
    classes = np.arange(10)
    model = MLPClassifier(
        (hidden,),
        solver="adam",
        alpha=0.0,
        batch_size=batch_size,
        learning_rate_init=lr,
        random_state=seed,
    )
    records = {"losses": [np.nan], "val_losses": [np.nan], "val_accuracies": [np.nan]}
    seconds = [0.0]
    started = time.perf_counter()
    for _ in range(epochs):
        model.partial_fit(X_train, y_train, classes=classes)
        seconds.append(time.perf_counter() - started)
        probabilities = model.predict_proba(X_val)
        records["losses"].append(model.loss_)
        records["val_losses"].append(log_loss(y_val, probabilities, labels=classes))
        records["val_accuracies"].append(np.mean(classes[probabilities.argmax(1)] == y_val))
    arrays = {name: np.array(values) for name, values in records.items()}
    run = Run(unit="epoch", lrs=np.full(epochs, lr), seconds=np.array(seconds), **arrays)
    return run, float(np.mean(model.predict(digits.X_test) == digits.y_test))


def capstone(repeats=7, epochs=15, target=0.96, hidden=128, batch_size=32, lr=1e-3, seed=0):
    """Time until the validation accuracy reaches ``target``: the capstone's loop and
    scikit-learn's; then each one's test accuracy, measured once after the last epoch.

    Both train for ``epochs`` epochs with Adam at learning rate ``lr`` on batches of
    ``batch_size``, once untimed to warm up, then ``repeats`` times, alternating who goes
    first. A side that never reaches the target gets None, and so does the ratio.
    """
    from course_utils import data

    digits = data.load_digits(dtype=np.float32)
    recipe = digits, hidden, epochs, batch_size, lr, seed
    histories = _take_turns(
        {"capstone": partial(_fit_capstone, *recipe), "sklearn": partial(_fit_sklearn, *recipe)},
        repeats,
        warmup=1,
    )

    summary = {}
    for name, results in histories.items():
        runs = [run for run, _ in results]
        times = [history.seconds_to(target) for history in runs]
        summary[name] = {
            "seconds_to_target": None if None in times else statistics.median(times),
            "seconds_to_target_each_run": times,
            "epochs_to_target": next(
                (epoch for epoch, a in enumerate(runs[0].val_accuracies) if a >= target), None
            ),
            "seconds_per_epoch": statistics.median(h.seconds[-1] / h.epochs for h in runs),
            "final_val_accuracy": runs[0].val_accuracies[-1],
            "test_accuracy": results[0][1],
        }
    ours, theirs = summary["capstone"]["seconds_to_target"], summary["sklearn"]["seconds_to_target"]
    return {
        "capstone_time_to_target_ratio_vs_sklearn": ours / theirs if ours and theirs else None,
        "capstone_test_accuracy": summary["capstone"]["test_accuracy"],
        "capstone_target_accuracy": target,
        "capstone_recipe": {"hidden": hidden, "epochs": epochs, "batch_size": batch_size, "lr": lr},
        "capstone_runs": summary,
    }


# ---------------------------------------------------------------------------------------------
# Notebooks: every lesson run headless, timed per notebook and per cell
# ---------------------------------------------------------------------------------------------


def _cell_seconds(cell):
    """How long a cell ran, from the timestamps nbclient records (None if it did not run)."""
    timing = cell.get("metadata", {}).get("execution", {})
    if "iopub.execute_input" not in timing or "shell.execute_reply" not in timing:
        return None
    started, ended = (
        datetime.datetime.fromisoformat(timing[key].replace("Z", "+00:00"))
        for key in ("iopub.execute_input", "shell.execute_reply")
    )
    return (ended - started).total_seconds()


def run_notebook(path, timeout=600, slowest=3):
    """Run one notebook in a fresh kernel from its folder; its seconds and slowest cells.

    Returns ``{"seconds", "start_seconds", "shutdown_seconds", "cpu_seconds", "slowest_cells",
    "error"}``. ``seconds`` runs from asking for a kernel until the last cell has finished:
    what a learner who opens the notebook and runs it all waits for, kernel start included
    (``start_seconds`` of it). The kernel's shutdown comes after and is timed on its own
    (``shutdown_seconds``, a graceful one, as ``jupyter execute`` does): nobody waits for it,
    and nbval, which runs the notebooks in the tests, kills the kernel instead. It is mostly
    Python unloading what the notebook imported (torch alone takes half a second).
    ``cpu_seconds`` is the CPU time the kernel used until the last cell, which a busy machine
    does not inflate (torch's threads add theirs up, so it can exceed ``seconds``);
    ``slowest_cells`` lists ``(cell index, seconds, first line)``; ``error`` is None or the
    error of the cell that failed (the run stops there).
    """
    import nbformat
    import psutil
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    path = Path(path)
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": path.parent}},
    )
    error = None
    started = time.perf_counter()
    with client.setup_kernel():
        kernel_ready = time.perf_counter()
        try:
            for index, cell in enumerate(notebook.cells):
                client.execute_cell(cell, index)
        except CellExecutionError as failure:
            error = f"cell {index}: {failure.ename}: {failure.evalue}"
        finished = time.perf_counter()
        user, system, children_user, children_system, *_ = psutil.Process(
            client.km.provisioner.pid
        ).cpu_times()
    shut_down = time.perf_counter()
    cells = [
        (index, cell_seconds, cell.source.strip().split("\n")[0][:70])
        for index, cell in enumerate(notebook.cells)
        if cell.cell_type == "code" and (cell_seconds := _cell_seconds(cell)) is not None
    ]
    return {
        "seconds": finished - started,
        "start_seconds": kernel_ready - started,
        "shutdown_seconds": shut_down - finished,
        "cpu_seconds": user + system + children_user + children_system,
        "slowest_cells": sorted(cells, key=lambda cell: -cell[1])[:slowest],
        "error": error,
    }


def notebooks(directory=REPOSITORY / "notebooks", timeout=600):
    """Every ``*.ipynb`` in ``directory``, in order, one at a time: seconds, slowest, total."""
    runs = {
        path.stem: run_notebook(path, timeout) for path in sorted(Path(directory).glob("*.ipynb"))
    }
    slowest = max(runs, key=lambda name: runs[name]["seconds"], default=None)
    return {
        "course_run_all_seconds": sum(run["seconds"] for run in runs.values()),
        "course_kernel_shutdown_seconds": sum(run["shutdown_seconds"] for run in runs.values()),
        "slowest_notebook": slowest,
        "slowest_notebook_seconds": runs[slowest]["seconds"] if slowest else None,
        "notebooks": runs,
    }


# ---------------------------------------------------------------------------------------------
# Widgets: each lecture demo's redraw after a control changes
# ---------------------------------------------------------------------------------------------


def _notebook_arguments():
    """Arguments of the demos that need some, as their notebooks pass them (built on demand)."""
    from course_utils import landscapes
    from course_utils.lessons.local_minima_and_saddle_points import basins

    return {
        "learning_rate_explorer": lambda: {
            "landscape": landscapes.quadratic_bowl(condition_number=10.0, angle=np.pi / 6),
            "steps": 50,
        },
        "basin_explorer": lambda: {
            "basin_map": basins.basin_map(landscapes.two_minima(), lr=0.05, steps=300),
            "start": (1.5, 1.5),
        },
        "momentum_explorer": lambda: {"condition_number": 100.0, "lr": 0.01, "momentum": 0.9},
    }


def demo_functions():
    """``{name: function}`` for every lecture demo: ``*_explorer`` in each lesson's demos."""
    from course_utils.lessons import LESSONS

    found = {}
    for lesson in LESSONS:
        module = f"course_utils.lessons.{lesson}.demos"
        if importlib.util.find_spec(module) is None:
            continue
        demos = importlib.import_module(module)
        for name, function in inspect.getmembers(demos, inspect.isfunction):
            if name.endswith("_explorer") and function.__module__ == demos.__name__:
                found[name] = function
    return found


def move(control, fraction):
    """Set a widget to the point ``fraction`` (0 to 1) along its range, as a user would."""
    if hasattr(control, "options") and hasattr(control, "index"):  # dropdowns, radio buttons
        control.index = round(fraction * (len(control.options) - 1))
    elif isinstance(control.value, bool):  # checkboxes, toggles: off in the first half
        control.value = fraction >= 0.5
    elif hasattr(control, "base"):  # FloatLogSlider: min and max are exponents
        control.value = control.base ** (control.min + fraction * (control.max - control.min))
    elif hasattr(control, "min") and hasattr(control, "max"):
        value = control.min + fraction * (control.max - control.min)
        control.value = round(value) if isinstance(control.value, int) else value
    else:
        raise TypeError(f"do not know how to move a {type(control).__name__}")


# Where each control is moved to, in turn: across the range, never twice in the same place.
FRACTIONS = (0.8, 0.2, 0.6, 0.4, 1.0, 0.0, 0.7, 0.3, 0.9, 0.1)


def redraws(demo, changes=8):
    """Milliseconds of each redraw as the controls move in turn (``changes`` moves in all).

    Returns two lists: ``demo.last_redraw_ms`` after each move (wall-clock time) and the CPU
    time of each move, which a busy machine does not inflate. A move that lands on the
    control's current value redraws nothing and is not counted; an error that the demo shows
    below its picture is raised here.
    """
    names = list(demo.controls)
    wall_ms, cpu_ms = [], []
    for change in range(changes):
        control = demo.controls[names[change % len(names)]]
        drawn = len(demo.redraw_ms)
        cpu_started = time.process_time()
        move(control, FRACTIONS[(change // len(names)) % len(FRACTIONS)])
        cpu_seconds = time.process_time() - cpu_started
        if demo.error is not None:
            raise demo.error
        if len(demo.redraw_ms) > drawn:
            wall_ms.append(demo.last_redraw_ms)
            cpu_ms.append(1000 * cpu_seconds)
    return wall_ms, cpu_ms


def widget_redraws(changes=8, names=None):
    """Each demo's build time and median and worst redraw, in ms (or the error it raised)."""
    arguments = _notebook_arguments()
    results = {}
    for name, function in demo_functions().items():
        if names is not None and name not in names:
            continue
        try:
            kwargs = arguments[name]() if name in arguments else {}
            started = time.perf_counter()
            demo = function(**kwargs)
            build_ms = 1000 * (time.perf_counter() - started)
            wall_ms, cpu_ms = redraws(demo, changes)
        except Exception as error:  # one broken demo must not hide the others' timings
            results[name] = {"error": f"{type(error).__name__}: {error}"}
            continue
        results[name] = {
            "build_ms": build_ms,
            "redraw_ms": statistics.median(wall_ms) if wall_ms else None,
            "worst_redraw_ms": max(wall_ms, default=None),
            "redraw_cpu_ms": statistics.median(cpu_ms) if cpu_ms else None,
            "redraws": len(wall_ms),
        }
    timed = {name: result for name, result in results.items() if result.get("redraw_ms")}
    return {
        "widget_redraw_ms": {name: result.get("redraw_ms") for name, result in results.items()},
        "slowest_widget_redraw_ms": max((r["redraw_ms"] for r in timed.values()), default=None),
        "slowest_widget_redraw_cpu_ms": max(
            (r["redraw_cpu_ms"] for r in timed.values()), default=None
        ),
        "widgets": results,
    }


# ---------------------------------------------------------------------------------------------
# Import time
# ---------------------------------------------------------------------------------------------


def import_seconds(module="course_utils", repeats=7):
    """Median seconds of ``import module`` in a fresh interpreter (its start-up not counted).

    Returns ``(wall-clock seconds, CPU seconds)``, each the median over ``repeats`` runs.
    """
    script = (
        "import time; started, cpu_started = time.perf_counter(), time.process_time(); "
        f"import {module}; "
        "print(time.perf_counter() - started, time.process_time() - cpu_started)"
    )
    runs = [
        subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, check=True
        ).stdout.split()
        for _ in range(repeats)
    ]
    return tuple(statistics.median(float(run[column]) for run in runs) for column in (0, 1))


def imports(repeats=7, module_repeats=3):
    """``import course_utils``, and each of its submodules on its own (wall-clock seconds)."""
    import course_utils

    wall, cpu = import_seconds("course_utils", repeats)
    return {
        "import_seconds": wall,
        "import_cpu_seconds": cpu,
        "module_import_seconds": {
            name: import_seconds(f"course_utils.{name}", module_repeats)[0]
            for name in course_utils.__all__
        },
    }


# ---------------------------------------------------------------------------------------------
# The report
# ---------------------------------------------------------------------------------------------


# ---------------------------------------------------------------------------------------------
# Grading: the clean room (python -m course_utils grade) against nbgrader's autograde
# ---------------------------------------------------------------------------------------------

# The old way, one file: nbgrader's autograde in a process of its own, on a course directory.
_AUTOGRADE_ONE = """
import sys
from nbgrader.apps import NbGraderAPI
from traitlets.config import Config
from course_utils.instructor import release
root, student, stem = sys.argv[1:]
release._put_environment_tools_on_path()
api = NbGraderAPI(config=release._config(Config(), root, 120))
ok = api.autograde(stem, student, force=True, create=True)["success"]
print(api.gradebook.find_submission(stem, student).score if ok else "nan")
"""


def _grade_clean_room(submissions, sources, jobs):
    """Scores from ``grading.grade``: every exercise in a clean room, sandboxed if possible."""
    import tempfile

    from course_utils.instructor import cleanroom, grading

    with tempfile.TemporaryDirectory(prefix="downhill-bench-") as out:
        grades = grading.grade(
            submissions,
            Path(out) / "grades.csv",
            notebooks=sources,
            jobs=jobs,
            progress=False,
            sandbox=cleanroom.sandbox_problem() is None,
        )
    return sorted(((g.student, g.notebook), g.score) for g in grades)


def _grade_nbgrader(submissions, sources, jobs):
    """Scores from nbgrader's autograde, as grading.py did before the clean room: a course
    directory per notebook, each file autograded in a process of its own, notebooks in
    parallel (``jobs`` at once), one notebook's files one after another."""
    import contextlib
    import shutil
    from concurrent.futures import ThreadPoolExecutor

    from course_utils.instructor import release

    def autograde_all(root, stem, files):
        scores = []
        for student, path in files:
            target = root / "submitted" / student / stem / f"{stem}.ipynb"
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, target)
            command = [sys.executable, "-c", _AUTOGRADE_ONE, str(root), student, stem]
            done = subprocess.run(command, capture_output=True, text=True, check=True)
            scores.append(((student, stem), float(done.stdout.split()[-1])))
        return scores

    by_stem = {}
    for path in sorted(Path(submissions).glob("*/*.ipynb")):
        by_stem.setdefault(path.stem, []).append((path.parent.name, path))
    with contextlib.ExitStack() as courses, ThreadPoolExecutor(jobs) as pool:
        running = []
        for stem, files in by_stem.items():
            source = next(s for s in sources if s.stem == stem)
            _, root = courses.enter_context(release.course_directory([source]))
            running.append(pool.submit(autograde_all, root, stem, files))
        return sorted(score for future in running for score in future.result())


def grading(copies=8, stems=("07_adagrad", "09_adam"), rounds=2, jobs=2, graders=None):
    """Notebooks graded per second: ``grading.grade`` (the clean room) against nbgrader's
    autograde (the old way), on the same ``copies`` submissions of each worked notebook in
    ``stems``, taking turns for ``rounds`` rounds, each side on ``jobs`` processes.

    ``graders``: ``{name: grader(submissions, sources, jobs) -> scores}`` in place of the two
    (the tests use it). Each round times everything a ``grade`` command does: reading the
    sources, starting its processes, grading, writing the CSV and the feedback.
    """
    import tempfile

    from course_utils.instructor import exercises, release

    graders = graders or {"clean_room": _grade_clean_room, "nbgrader": _grade_nbgrader}
    sources = [path for path in release.course_notebooks() if path.stem in stems]
    with tempfile.TemporaryDirectory(prefix="downhill-submissions-") as folder:
        for copy in range(copies):
            for source in sources:
                student = Path(folder, f"student{copy:03d}")
                student.mkdir(exist_ok=True)
                (student / source.name).write_bytes(source.read_bytes())
        files = copies * len(sources)
        timed = {name: partial(_timed, g, folder, sources, jobs) for name, g in graders.items()}
        runs = _take_turns(timed, rounds)
    seconds = {name: statistics.median(s for s, _ in results) for name, results in runs.items()}
    most = {source.stem: exercises.read_source(source).max_score for source in sources}
    full = {
        name: all(score == most[stem] for (_, stem), score in results[-1][1])
        for name, results in runs.items()
    }
    clean, old = seconds["clean_room"], seconds["nbgrader"]
    return {
        "grading_notebooks": files,
        "grading_seconds_per_notebook": clean / files,
        "grading_notebooks_per_second": files / clean,
        "nbgrader_notebooks_per_second": files / old,
        "grading_throughput_ratio_vs_nbgrader": old / clean,
        "grading_full_marks": full,
        "grading_runs": {name: [s for s, _ in results] for name, results in runs.items()},
    }


def _timed(grader, folder, sources, jobs):
    started = time.perf_counter()
    scores = grader(folder, sources, jobs)
    return time.perf_counter() - started, scores


def machine():
    """What the numbers were measured on."""
    import torch

    model = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        names = [line.split(":", 1)[1].strip() for line in cpuinfo.read_text().splitlines()
                 if line.startswith("model name")]  # fmt: skip
        model = names[0] if names else model
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "torch_threads": torch.get_num_threads(),
        "load_average": os.getloadavg() if hasattr(os, "getloadavg") else None,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "torch": torch.__version__,
        "system": platform.platform(),
    }


def targets_met(results):
    """``{metric: True/False}`` for every target whose metric was measured."""
    met = {}
    for metric, (comparison, bound) in TARGETS.items():
        value = results.get(metric)
        if value is not None:
            met[metric] = value <= bound if comparison == "≤" else value >= bound
    return met


def _number(value):
    if value is None:
        return "—"
    return f"{value:.3g}" if isinstance(value, float) else str(value)


def table(results):
    """The results as plain-text tables: the headline metrics first (each with its target, if
    it has one), then the details measured."""
    lines = [f"{'metric':<40} {'value':>10}  target   ok", "-" * 62]
    for metric in REPORTED:
        if metric in results:
            lines.append(f"{metric:<40} {_number(results[metric]):>10}  —")
    met = targets_met(results)
    for metric, (comparison, bound) in TARGETS.items():
        if metric in results:
            verdict = {True: "yes", False: "NO"}.get(met.get(metric), "—")
            value = _number(results[metric])
            lines.append(f"{metric:<40} {value:>10}  {comparison} {bound:<6g} {verdict}")
    if "notebooks" in results:
        lines += [
            "",
            f"{'notebook':<36} {'seconds':>7} {'start':>5} {'CPU s':>5} {'(shutdown)':>10}"
            "  slowest cells (index: s)",
        ]
        for name, run in results["notebooks"].items():
            cells = ", ".join(
                f"{index}: {seconds:.1f}" for index, seconds, _ in run["slowest_cells"]
            )
            failed = f"  FAILED: {run['error']}" if run["error"] else ""
            lines.append(
                f"{name:<36} {run['seconds']:>7.1f} {run['start_seconds']:>5.1f} "
                f"{run['cpu_seconds']:>5.1f} {run['shutdown_seconds']:>10.1f}  {cells}{failed}"
            )
        lines.append(
            f"{'all':<36} {results['course_run_all_seconds']:>7.1f} {'':>5} {'':>5} "
            f"{results['course_kernel_shutdown_seconds']:>10.1f}"
        )
    if "grading_runs" in results:
        lines += ["", f"grading {results['grading_notebooks']} notebooks, seconds per round:"]
        for name, seconds in results["grading_runs"].items():
            full = "" if results["grading_full_marks"][name] else "  NOT ALL FULL MARKS"
            lines.append(f"  {name:<12} {', '.join(f'{s:.1f}' for s in seconds)}{full}")
    if "widgets" in results:
        lines += ["", f"{'demo':<40} {'redraw ms':>10} {'CPU ms':>7} {'worst':>7} {'build ms':>9}"]
        for name, result in results["widgets"].items():
            if "error" in result:
                lines.append(f"{name:<40} {'FAILED':>10}  {result['error']}")
            else:
                wall, cpu, worst = (
                    _number(result[key])
                    for key in ("redraw_ms", "redraw_cpu_ms", "worst_redraw_ms")
                )
                lines.append(
                    f"{name:<40} {wall:>10} {cpu:>7} {worst:>7} {result['build_ms']:>9.0f}"
                )
    return "\n".join(lines)


# Each part of the benchmark, by the name ``--only`` takes, in the order they run.
PARTS = {
    "adam": adam_step,
    "capstone": capstone,
    "notebooks": notebooks,
    "widgets": widget_redraws,
    "import": imports,
    "grading": grading,
}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", metavar="FILE", help="also write every number to FILE")
    parser.add_argument("--only", nargs="+", choices=list(PARTS), default=list(PARTS))
    parser.add_argument(
        "--torch-threads",
        type=int,
        metavar="N",
        help="run torch (in this process: adam, capstone) on N threads instead of its default",
    )
    arguments = parser.parse_args(argv)
    if arguments.torch_threads:
        import torch

        torch.set_num_threads(arguments.torch_threads)

    results = {"machine": machine()}
    for name, part in PARTS.items():
        if name in arguments.only:
            print(f"running {name} …", file=sys.stderr, flush=True)
            results.update(part())
    results["load_average_after"] = os.getloadavg() if hasattr(os, "getloadavg") else None
    results["targets_met"] = targets_met(results)
    print(table(results))
    if arguments.json:
        Path(arguments.json).write_text(json.dumps(results, indent=2, default=str) + "\n")
    return results


if __name__ == "__main__":
    main()
