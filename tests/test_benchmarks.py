"""benchmarks/run.py on tiny sizes: each part measures what it says (no timing is asserted)."""

import importlib.util
import inspect
import json
import math
import time
from pathlib import Path

import ipywidgets
import nbformat
import numpy as np
import pytest

_PATH = Path(__file__).resolve().parent.parent / "benchmarks" / "run.py"
_spec = importlib.util.spec_from_file_location("benchmarks_run", _PATH)
bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)


@pytest.mark.slow
def test_adam_race_steps_both_optimizers_to_the_same_weights():
    result = bench.adam_step(n=1_200_000, steps=3)
    assert result["adam_max_difference_vs_torch"] < 1e-5  # one step of lr = 1e-3 would show
    assert result["adam_step_ratio_vs_torch"] == pytest.approx(
        result["adam_step_ms"] / result["torch_adam_step_ms"]
    )


@pytest.mark.slow
def test_capstone_race_times_both_sides_to_the_target_on_the_same_split():
    result = bench.capstone(repeats=1, epochs=2, target=0.5, hidden=16, batch_size=64, lr=1e-2)
    runs = result["capstone_runs"]
    for side in ("capstone", "sklearn"):
        assert runs[side]["epochs_to_target"] in (1, 2)
        assert 0 < runs[side]["seconds_to_target"] and 0.5 <= runs[side]["final_val_accuracy"]
        assert 0.5 <= runs[side]["test_accuracy"] <= 1
    assert result["capstone_time_to_target_ratio_vs_sklearn"] == pytest.approx(
        runs["capstone"]["seconds_to_target"] / runs["sklearn"]["seconds_to_target"]
    )
    assert result["capstone_test_accuracy"] == runs["capstone"]["test_accuracy"]


def test_take_turns_alternates_who_goes_first_and_drops_the_warmup_rounds():
    calls = []
    racers = {name: (lambda name=name: calls.append(name) or len(calls)) for name in "ab"}
    results = bench._take_turns(racers, rounds=3, warmup=1)
    assert calls == ["a", "b", "a", "b", "b", "a", "a", "b"]
    assert results == {"a": [3, 6, 7], "b": [4, 5, 8]}


def test_capstone_race_reports_a_target_never_reached_as_none():
    result = bench.capstone(repeats=1, epochs=1, target=1.01, hidden=8, batch_size=128)
    assert result["capstone_time_to_target_ratio_vs_sklearn"] is None
    assert result["capstone_runs"]["sklearn"]["epochs_to_target"] is None


def test_sklearn_history_is_timed_and_evaluated_every_epoch():
    from course_utils import data

    run, test_accuracy = bench._fit_sklearn(data.load_digits(dtype=np.float32), 8, 3, 64, 1e-2, 0)
    assert 0.5 < test_accuracy <= 1
    assert run.epochs == 3 and math.isnan(run.val_accuracies[0])
    assert run.seconds[0] == 0 and np.all(np.diff(run.seconds) > 0)
    assert run.val_accuracies[-1] > 0.5 and run.val_losses[-1] < run.val_losses[1]


@pytest.mark.slow
def test_notebook_runs_are_timed_cell_by_cell_and_a_failing_cell_is_reported(tmp_path):
    cells = ["x = 1", "import time\ntime.sleep(0.3)", "raise ValueError('boom')", "y = 2"]
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    nbformat.write(notebook, tmp_path / "01_tiny.ipynb")

    result = bench.notebooks(tmp_path)
    run = result["notebooks"]["01_tiny"]
    assert result["slowest_notebook"] == "01_tiny"
    assert result["course_run_all_seconds"] == result["slowest_notebook_seconds"] == run["seconds"]
    assert run["error"] == "cell 2: ValueError: boom"
    assert [cell[0] for cell in run["slowest_cells"]][0] == 1  # the sleep; cell 3 never ran
    assert 3 not in [cell[0] for cell in run["slowest_cells"]]
    assert run["slowest_cells"][0][1] >= 0.3 and run["cpu_seconds"] > 0
    # the kernel's start is inside the run's seconds; its shutdown comes after, timed apart
    assert 0 < run["start_seconds"] < run["seconds"] - 0.3
    assert run["shutdown_seconds"] > 0
    assert result["course_kernel_shutdown_seconds"] == run["shutdown_seconds"]


@pytest.mark.parametrize(
    ("control", "fraction", "expected"),
    [
        (ipywidgets.FloatSlider(value=0.5, min=-1.0, max=3.0), 0.75, 2.0),
        (ipywidgets.IntSlider(value=1, min=0, max=10), 0.26, 3),
        (ipywidgets.FloatLogSlider(value=1.0, base=10, min=-3, max=1), 0.5, 0.1),
        (ipywidgets.Dropdown(options=[("a", 10), ("b", 20), ("c", 30)], value=10), 1.0, 30),
        (ipywidgets.Checkbox(value=False), 0.9, True),
    ],
)
def test_move_sets_each_kind_of_control_along_its_range(control, fraction, expected):
    bench.move(control, fraction)
    assert control.value == pytest.approx(expected)


def test_move_refuses_a_control_without_a_range():
    with pytest.raises(TypeError, match="Text"):
        bench.move(ipywidgets.Text(value="a"), 0.5)


def _tiny_demo():
    from course_utils import widgets

    fig, ax = widgets.demo_figure(figsize=(2.0, 2.0))
    (line,) = ax.plot([], [])

    def update(slope, shown):
        line.set_data([0, 1], [0, slope if shown else 0])

    controls = {
        "slope": ipywidgets.FloatSlider(value=0.2, min=0.0, max=1.0),
        "shown": ipywidgets.Checkbox(value=True),
    }
    return widgets.Demo(fig, update, controls)


def test_redraws_move_every_control_and_skip_moves_that_change_nothing():
    demo = _tiny_demo()
    wall_ms, cpu_ms = bench.redraws(demo, changes=4)
    # slope → 0.8, shown → True (already: no redraw), slope → 0.2, shown → False
    assert len(wall_ms) == len(cpu_ms) == 3 and len(demo.redraw_ms) == 4
    assert demo.values == {"slope": 0.2, "shown": False}
    assert wall_ms == demo.redraw_ms[1:]


def test_widget_redraws_time_a_lesson_demo_and_report_a_broken_one(monkeypatch):
    from course_utils.lessons.gradient_descent import demos

    def broken_explorer():
        raise RuntimeError("no figure today")

    monkeypatch.setattr(
        bench,
        "demo_functions",
        lambda: {"learning_rate_explorer": demos.learning_rate_explorer, "b": broken_explorer},
    )
    result = bench.widget_redraws(changes=2)
    timed = result["widgets"]["learning_rate_explorer"]
    assert timed["redraws"] == 2 and timed["redraw_ms"] > 0 and timed["build_ms"] > 0
    assert result["widgets"]["b"] == {"error": "RuntimeError: no figure today"}
    assert result["widget_redraw_ms"] == {"learning_rate_explorer": timed["redraw_ms"], "b": None}
    assert result["slowest_widget_redraw_ms"] == timed["redraw_ms"]


def test_every_demo_that_needs_arguments_gets_its_notebooks_arguments():
    demos = bench.demo_functions()
    assert {"learning_rate_explorer", "basin_explorer", "adam_explorer"} <= set(demos)
    arguments = bench._notebook_arguments()
    for name, function in demos.items():
        required = [
            parameter.name
            for parameter in inspect.signature(function).parameters.values()
            if parameter.default is inspect.Parameter.empty
            and parameter.kind not in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD)
        ]
        assert not required or name in arguments, f"add {name}'s arguments to the benchmark"


def test_import_time_is_measured_in_a_fresh_interpreter():
    wall, cpu = bench.import_seconds("course_utils", repeats=1)
    assert wall > 0 and cpu >= 0


def test_targets_compare_in_the_right_direction():
    met = bench.targets_met(
        {"slowest_notebook_seconds": 9.0, "capstone_test_accuracy": 0.95, "import_seconds": None}
    )
    assert met == {"slowest_notebook_seconds": True, "capstone_test_accuracy": False}


def test_speed_ratios_against_torch_and_sklearn_are_reported_without_a_target():
    results = {"adam_step_ratio_vs_torch": 2.5, "capstone_time_to_target_ratio_vs_sklearn": 0.8}
    assert bench.targets_met(results) == {}
    rows = bench.table(results).splitlines()[2:]
    assert rows == [
        f"{'adam_step_ratio_vs_torch':<40} {'2.5':>10}  —",
        f"{'capstone_time_to_target_ratio_vs_sklearn':<40} {'0.8':>10}  —",
    ]


def test_main_runs_the_parts_asked_for_and_writes_json(monkeypatch, tmp_path, capsys):
    monkeypatch.setitem(bench.PARTS, "import", lambda: {"import_seconds": 0.5})
    monkeypatch.setitem(bench.PARTS, "adam", lambda: pytest.fail("adam was not asked for"))
    bench.main(["--only", "import", "--json", str(tmp_path / "results.json")])

    written = json.loads((tmp_path / "results.json").read_text())
    assert written["import_seconds"] == 0.5 and written["targets_met"] == {"import_seconds": False}
    assert written["machine"]["cores"] >= 1
    assert "import_seconds" in capsys.readouterr().out


def _full_marks(stem):
    from course_utils.instructor import exercises, release

    return exercises.read_source(release.NOTEBOOKS / f"{stem}.ipynb").max_score


def test_grading_race_reports_both_throughputs_and_their_ratio():
    graded = []

    def fake(seconds):
        def grader(submissions, sources, jobs):
            time.sleep(seconds)
            files = sorted(Path(submissions).glob("*/*.ipynb"))
            graded.append(len(files))
            return [((path.parent.name, path.stem), _full_marks(path.stem)) for path in files]

        return grader

    result = bench.grading(
        copies=2, rounds=2, graders={"clean_room": fake(0.01), "nbgrader": fake(0.05)}
    )
    assert graded == [4, 4, 4, 4] and result["grading_notebooks"] == 4
    runs = result["grading_runs"]
    assert [len(runs[side]) for side in ("clean_room", "nbgrader")] == [2, 2]
    assert result["grading_seconds_per_notebook"] == pytest.approx(
        np.median(runs["clean_room"]) / 4
    )
    assert result["grading_notebooks_per_second"] == pytest.approx(
        4 / np.median(runs["clean_room"])
    )
    assert result["grading_throughput_ratio_vs_nbgrader"] == pytest.approx(
        np.median(runs["nbgrader"]) / np.median(runs["clean_room"])
    )
    assert result["grading_throughput_ratio_vs_nbgrader"] > 1
    assert result["grading_full_marks"] == {"clean_room": True, "nbgrader": True}
    json.dumps(result)
    assert "grading_throughput_ratio_vs_nbgrader" in bench.table(result)
