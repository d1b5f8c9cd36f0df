"""DaskPool on a real (local) Dask cluster gives the outcomes a local Pool gives.

A scheduler and two single-threaded workers run as subprocesses on 127.0.0.1 only, and are
always torn down.
"""

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from course_utils.instructor.cleanroom import DaskPool, Pool, Task, sandbox_problem

pytestmark = pytest.mark.slow

SETUPS = {
    "07_adagrad": "import numpy as np\nSTEPS = 3\n",
    "08_rmsprop": "import math\nimport numpy as np\nDECAY = 0.9\n",
}
SOLUTION = "def accumulate(g, state):\n    return state + np.asarray(g) ** 2\n"
TESTS = [
    "assert np.allclose(accumulate([1.0, 2.0], np.zeros(2)), [1.0, 4.0])",
    "assert accumulate([3.0], np.ones(1))[0] == 10.0, 'accumulate([3], [1]) should be [10]'",
    "assert accumulate([1.0], np.zeros(1))[0] == 2.0, 'G + g: the square is missing'",  # fails
    "print('checked')\nassert accumulate(np.zeros(3), np.zeros(3)).shape == (3,)",
]
DASK = [sys.executable, "-m", "dask"]
FAST_START = ("numpy",)  # what the workers import before any setup


def _wait_for(path, process, seconds=60):
    give_up = time.monotonic() + seconds
    while not path.exists() or not path.read_text().strip():
        if process.poll() is not None or time.monotonic() > give_up:
            raise RuntimeError(f"the Dask scheduler did not start (status {process.poll()})")
        time.sleep(0.1)
    return json.loads(path.read_text())["address"]


@pytest.fixture(scope="module")
def scheduler_address(tmp_path_factory):
    if (problem := sandbox_problem()) is not None:
        pytest.skip(f"no sandbox here: {problem}")
    folder = tmp_path_factory.mktemp("dask")
    scheduler_file = folder / "scheduler.json"
    processes = []
    try:
        processes.append(
            subprocess.Popen(
                [*DASK, "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard"]
                + ["--scheduler-file", str(scheduler_file)],
                cwd=folder,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        address = _wait_for(scheduler_file, processes[0])
        assert address.startswith("tcp://127.0.0.1:")
        for name in ("a", "b"):
            worker_folder = Path(folder, name)
            worker_folder.mkdir()
            processes.append(
                subprocess.Popen(
                    [*DASK, "worker", "--scheduler-file", str(scheduler_file)]
                    + ["--host", "127.0.0.1", "--nworkers", "1", "--nthreads", "1"]
                    + ["--no-dashboard", "--local-directory", str(worker_folder)],
                    cwd=worker_folder,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
        yield address
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in reversed(processes):
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def test_dask_pool_gives_the_outcomes_of_a_local_pool(scheduler_address):
    tasks = [
        Task(key=key, setup=setup, solution=SOLUTION, test=test)
        for key, setup in SETUPS.items()
        for test in TESTS
    ]
    tasks.append(Task("07_adagrad", SETUPS["07_adagrad"], "while True:\n    pass", "", timeout=0.5))
    with Pool(jobs=2, preload=FAST_START) as pool:
        local = pool.run(tasks)
    with DaskPool(scheduler_address, batch_size=3, preload=FAST_START) as dask_pool:
        dask_pool.client.wait_for_workers(2, timeout=60)
        distributed = dask_pool.run(tasks)
        # (a lambda: Dask ships it by value; this test module is not importable there)
        pools = dask_pool.client.run(
            lambda: sys.modules["course_utils.instructor.cleanroom"]._DASK_WORKER_POOL is not None
        )
    assert len(pools) == 2 and any(pools.values())
    expected = [(o.passed, o.message, o.output) for o in local]
    assert [(o.passed, o.message, o.output) for o in distributed] == expected
    assert [passed for passed, _, _ in expected] == [True, True, False, True] * 2 + [False]
    assert expected[2][1] == "G + g: the square is missing"
    assert expected[-1][1] == "took longer than 0.5 s"
