"""The clean room: the Task/Outcome contract, and a red team at the runtime level.

The red-team tasks import what the static policy would refuse (``os``, ``time``, ``socket``):
the point is what the sandbox and the limits do once such code runs anyway. Each must fail its
task with a clear message, leave no trace outside the sandbox, and leave the pool working.
"""

import socket
import uuid
from pathlib import Path

import psutil
import pytest

from course_utils.instructor import sandbox
from course_utils.instructor.cleanroom import (
    PRELOAD,
    SAFE_BUILTINS,
    Outcome,
    Pool,
    Task,
    sandbox_problem,
)

SETUP = "import math\nimport numpy as np\n"
DOUBLE = "def double(x):\n    print('doubling', x)\n    return 2 * x\n"
DOUBLE_TEST = "assert double(2) == 4, 'double(2) should be 4'\nprint('checked')"
FAST_START = ("numpy",)  # workers start in 0.1 s; a setup imports the rest itself
PROBLEM = sandbox_problem()
needs_sandbox = pytest.mark.skipif(PROBLEM is not None, reason=f"no sandbox here: {PROBLEM}")


def task(solution, test="pass", *, key="basic", setup=SETUP, **options):
    return Task(key=key, setup=setup, solution=solution, test=test, **options)


HONEST = task(DOUBLE, DOUBLE_TEST)


def run_one(pool, *args, **options):
    [outcome] = pool.run([task(*args, **options)])
    return outcome


def assert_pool_still_works(pool):
    [outcome] = pool.run([HONEST])
    assert outcome.passed, outcome.message


def started_pool(jobs, sandboxed=True):
    if sandboxed and PROBLEM is not None:
        pytest.skip(f"no sandbox here: {PROBLEM}")
    with Pool(jobs=jobs, sandbox=sandboxed, preload=FAST_START) as started:
        yield started


@pytest.fixture(scope="module")
def pool():
    """One sandboxed worker: tasks run one after another, on the same worker."""
    yield from started_pool(1)


@pytest.fixture(scope="module")
def two_workers():
    yield from started_pool(2)


@pytest.fixture(scope="module")
def plain_pool():
    yield from started_pool(1, sandboxed=False)


def descendants():
    return {child.pid for child in psutil.Process().children(recursive=True)}


def test_a_sandbox_can_be_made_here():
    assert sandbox_problem() is None


# --- the contract ---------------------------------------------------------------------------


def test_honest_tasks_pass_and_outcomes_keep_the_order_of_the_tasks(two_workers):
    tasks = []
    for value in range(12):
        key = "odd" if value % 2 else "even"
        expected = 2 * value if value % 3 else 2 * value + 1  # every third task fails
        test = f"assert double({value}) == {expected}, 'double({value}) should be {expected}'"
        tasks.append(task(DOUBLE, test, key=key))
    outcomes = two_workers.run(tasks)
    assert len(outcomes) == len(tasks)
    for value, outcome in enumerate(outcomes):
        assert isinstance(outcome, Outcome)
        assert outcome.passed == bool(value % 3)
        expected = 2 * value if value % 3 else 2 * value + 1
        assert outcome.message == ("" if value % 3 else f"double({value}) should be {expected}")
        assert outcome.output == f"doubling {value}\n"
        assert isinstance(outcome.seconds, float) and 0 < outcome.seconds < 5


def test_output_holds_what_solution_and_test_printed(pool):
    outcome = run_one(pool, DOUBLE + "print('defined')", DOUBLE_TEST)
    assert outcome == Outcome(True, "", "defined\ndoubling 2\nchecked\n", outcome.seconds)


def test_a_check_failure_is_reported_as_is_and_never_with_the_tests_code(pool):
    setup = SETUP + "from course_utils.checks import CheckFailed\n"
    test = "raise CheckFailed('double(3) returned 5, expected 6: did you add instead?')"
    outcome = run_one(pool, DOUBLE, test, setup=setup, key="checks")
    assert outcome.message == "double(3) returned 5, expected 6: did you add instead?"
    hidden = "HIDDEN_EXPECTATION = 17\nassert double(2) == HIDDEN_EXPECTATION"
    outcome = run_one(pool, DOUBLE, hidden)
    assert not outcome.passed
    assert "HIDDEN_EXPECTATION" not in outcome.message and "Traceback" not in outcome.message
    assert outcome.message == "AssertionError (a test failed without a message)"


def test_other_exceptions_name_their_type_and_where_they_came_from(pool):
    outcome = run_one(pool, "def double(x):\n    return x + 'a'\n", "double(1)")
    assert outcome.message == "TypeError: unsupported operand type(s) for +: 'int' and 'str'"
    outcome = run_one(pool, "def double(x)\n    return 2 * x\n", DOUBLE_TEST)
    assert outcome.message.startswith("the solution cell raised SyntaxError: expected ':'")
    outcome = run_one(pool, "raise KeyError('w')", DOUBLE_TEST)
    assert outcome.message == "the solution cell raised KeyError: 'w'"


def test_the_solution_sees_only_the_allowed_names_and_the_test_sees_the_solutions(pool):
    setup = SETUP + "SECRET = 42\nhelper = abs\n"
    outcome = run_one(pool, "value = SECRET", setup=setup, key="names")
    assert outcome.message == "the solution cell raised NameError: name 'SECRET' is not defined"
    solution = "value = helper(-3) + np.sqrt(4) + math.floor(1.5)\nnp = None"
    test = "assert value == 6 and np.sqrt(9) == 3 and SECRET == 42"  # np: the setup's
    outcome = run_one(
        pool, solution, test, setup=setup, key="names", allowed_names=("np", "math", "helper")
    )
    assert outcome.passed, outcome.message


def test_a_solution_cannot_redefine_what_the_test_relies_on(pool):
    setup = SETUP + "def check(fn):\n    assert fn(2) == 4, 'double(2) should be 4'\n"
    wrong = "def double(x):\n    return x\n\n\n"
    tampering = "check = lambda fn: None\nabs = lambda x: 0.0\n"
    outcome = run_one(pool, wrong + tampering, "check(double)\nassert abs(-1) == 1", setup=setup)
    assert not outcome.passed and outcome.message == "double(2) should be 4"


def test_the_solution_gets_safe_builtins_and_imports_only_what_it_may(pool):
    for solution, message in [
        ("open('x', 'w')", "NameError: name 'open' is not defined"),
        ("getattr(np, 'sum')", "NameError: name 'getattr' is not defined"),
        ("exit()", "NameError: name 'exit' is not defined"),
        ("import os", "ImportError: the solution may not import 'os'"),
        ("__import__('subprocess')", "ImportError: the solution may not import 'subprocess'"),
        ("from . import x", "ImportError: the solution may not import ''"),
    ]:
        outcome = run_one(pool, solution)
        assert outcome.message.startswith(f"the solution cell raised {message}"), outcome.message
    outcome = run_one(pool, "import numpy.linalg\nfrom math import pi\nclass A:\n    pass\n")
    assert outcome.passed, outcome.message


def test_safe_builtins_leave_out_what_the_static_policy_refuses():
    refused = {"open", "exec", "eval", "compile", "getattr", "setattr", "delattr", "globals"}
    refused |= {"locals", "vars", "input", "breakpoint", "help", "exit", "quit", "memoryview"}
    assert not refused & set(SAFE_BUILTINS)
    assert {"__loader__", "__spec__"}.isdisjoint(SAFE_BUILTINS)  # the import machinery
    assert {"print", "range", "len", "abs", "isinstance", "__build_class__"} <= set(SAFE_BUILTINS)
    guarded = SAFE_BUILTINS["__import__"]
    assert guarded("numpy.linalg").__name__ == "numpy"
    with pytest.raises(ImportError, match="may not import 'os'"):
        guarded("os")
    with pytest.raises(ImportError):
        guarded("numpyx")


def test_a_task_checks_its_fields():
    assert task("x = 1", allowed_names=["np"]).allowed_names == ("np",)
    with pytest.raises(TypeError, match="Task.solution"):
        Task("k", SETUP, None, "pass")
    with pytest.raises(ValueError, match="Task.key"):
        Task("", SETUP, "x = 1", "pass")
    with pytest.raises(ValueError, match="Task.timeout"):
        task("x = 1", timeout=0)
    with pytest.raises(TypeError, match="Task.allowed_imports"):
        task("x = 1", allowed_imports="os")


def test_the_pool_contract(pool):
    assert pool.run([]) == []
    with pytest.raises(TypeError, match="Task objects"):
        pool.run(["x = 1"])
    with Pool(jobs=1, sandbox=False, preload=FAST_START) as short_lived:
        pass
    with pytest.raises(RuntimeError, match="closed"):
        short_lived.run([HONEST])
    with pytest.raises(ValueError, match="jobs"):
        Pool(jobs=0)


def test_a_setup_runs_once_per_worker_and_every_task_forks_from_it(pool):
    setup = SETUP + "import os\nSETUP_PID = os.getpid()\n"
    test = "import os\nprint(SETUP_PID, os.getpid())"
    outcomes = pool.run([task("", test, setup=setup, key="forks")] * 3)
    pids = [outcome.output.split() for outcome in outcomes]
    assert len({setup_pid for setup_pid, _ in pids}) == 1  # the same setup, once
    assert len({task_pid for _, task_pid in pids}) == 3  # a fresh process each time


def test_a_failing_setup_fails_the_tasks_of_its_key_only(pool):
    broken = task(DOUBLE, DOUBLE_TEST, setup=SETUP + "1 / 0\n", key="broken")
    outcomes = pool.run([broken, HONEST, broken])
    assert outcomes[0].message == (
        "the notebook's setup cells failed: ZeroDivisionError: division by zero"
    )
    assert outcomes[1].passed and outcomes[2] == outcomes[0]


def test_one_keys_setup_never_changes_what_another_keys_tests_see(pool):
    strict = task("", setup=SETUP + "np.seterr(all='raise')\n", key="strict")
    relaxed = task("", "assert np.geterr()['divide'] != 'raise'", key="relaxed")
    assert all(outcome.passed for outcome in pool.run([strict, relaxed]))


# --- the red team ---------------------------------------------------------------------------


@needs_sandbox
@pytest.mark.parametrize("folder", [sandbox.COURSE_ROOT, Path.home()], ids=["course", "home"])
def test_writing_outside_the_scratch_folder_fails_and_leaves_no_trace(pool, folder):
    target = folder / f"cleanroom-{uuid.uuid4().hex}.npy"
    outcome = run_one(pool, f"np.save({str(target)!r}, np.zeros(3))")
    assert not outcome.passed
    # read-only where the folder is bound; a folder made only to reach a bind (the course
    # folder of a clone under /tmp, inside the private scratch) is not the task's to write
    assert "Read-only file system" in outcome.message or "Permission denied" in outcome.message
    assert not target.exists()


@needs_sandbox
def test_files_in_the_private_tmp_stay_there_and_go_with_the_task(pool):
    target = f"/tmp/cleanroom-{uuid.uuid4().hex}.npy"
    written = run_one(pool, f"np.save({target!r}, np.zeros(3))", f"assert np.load({target!r}).size")
    assert written.passed, written.message
    assert not Path(target).exists()  # not on the host
    later = run_one(pool, "", f"import os\nassert not os.path.exists({target!r})")
    assert later.passed, later.message  # nor in the next task


@needs_sandbox
def test_the_course_folder_cannot_be_read_and_the_worker_really_is_in_bwrap(pool):
    readme = sandbox.COURSE_ROOT / "README.md"
    outcome = run_one(pool, f"np.loadtxt({str(readme)!r}, dtype=str)")
    assert not outcome.passed and "not found" in outcome.message
    look = (
        "import os\n"
        f"seen = sorted(os.listdir({str(sandbox.COURSE_ROOT)!r}))\n"
        f"notebooks = os.path.exists({str(sandbox.COURSE_ROOT / 'notebooks')!r})\n"
        "init = os.read(os.open('/proc/1/comm', os.O_RDONLY), 100).decode().strip()\n"
    )
    test = "print(*seen)\nassert not notebooks and init == 'bwrap'"
    outcome = run_one(pool, look, test, allowed_imports=("os",))
    assert outcome.passed, outcome.message
    assert set(outcome.output.split()) <= {"course_utils", ".venv"}  # what Python needs


@needs_sandbox
def test_there_is_no_network_not_even_the_hosts_loopback(pool):
    with socket.create_server(("127.0.0.1", 0)) as server:
        server.settimeout(0.2)
        port = server.getsockname()[1]
        solution = f"import socket\nsocket.create_connection(('127.0.0.1', {port}), timeout=2)"
        outcome = run_one(pool, solution, allowed_imports=("socket",))
        assert not outcome.passed
        assert "ConnectionRefusedError" in outcome.message
        with pytest.raises(TimeoutError):
            server.accept()


@needs_sandbox
def test_a_fork_bomb_is_contained_and_cleaned_up(pool):
    before = descendants()
    bomb = "import os\nwhile True:\n    os.fork()\n"
    outcome = run_one(pool, bomb, allowed_imports=("os",), timeout=5)
    assert not outcome.passed
    assert outcome.message == "started more processes or threads than a task may"
    assert outcome.seconds < 3
    assert descendants() == before
    if sandbox.runs_as_root():
        assert not [p for p in psutil.process_iter(["uids"]) if p.info["uids"].real == 65534]
    assert_pool_still_works(pool)


def test_endless_loops_and_sleeps_time_out(pool):
    endless = [("while True:\n    pass", ()), ("import time\ntime.sleep(1e6)", ("time",))]
    for solution, imports in endless:
        outcome = run_one(pool, solution, allowed_imports=imports, timeout=0.3)
        assert outcome.message == "took longer than 0.3 s"
        assert 0.3 <= outcome.seconds < 2.3
    assert_pool_still_works(pool)


def test_ten_gigabytes_are_refused(pool):
    outcome = run_one(pool, "big = np.ones(10 * 2**30 // 8)")
    assert outcome.message == "used more than 2048 MB of memory"
    assert_pool_still_works(pool)


def test_a_hundred_megabytes_of_output_are_cut(pool):
    outcome = run_one(pool, "print('x' * 100_000_000)")
    assert outcome.message == "printed more than 64 kB of output"
    assert 10_000 <= len(outcome.output) < 10_200
    assert "output cut" in outcome.output.splitlines()[-1]
    outcome = run_one(pool, "for i in range(10**6):\n    print(i)")
    assert outcome.message == "printed more than 64 kB of output"
    assert_pool_still_works(pool)


def test_a_hundred_megabyte_exception_message_is_cut(pool):
    outcome = run_one(pool, "raise ValueError('y' * 100_000_000)")
    assert outcome.message.startswith("the solution cell raised ValueError: yyy")
    assert outcome.message.endswith("(message cut)") and len(outcome.message) < 1100


def test_patching_numpy_never_reaches_the_next_task(pool):
    patch = "np.allclose = lambda *a, **k: True"
    test = "assert not np.allclose(1, 2), 'np.allclose is patched'"
    patched, next_one = pool.run([task(patch), task("", test)])
    assert patched.passed and next_one.passed, next_one.message


def test_exiting_fails_the_task_and_the_worker_survives(pool):
    exits = [
        ("exit()", (), "the solution cell raised NameError: name 'exit' is not defined"),
        ("raise SystemExit(0)", (), "the solution cell raised SystemExit: 0"),
        ("import os\nos._exit(3)", ("os",), "exited (status 3) before its test cell finished"),
        ("import os\nos._exit(0)", ("os",), "the task's process ended without reporting"),
        ("import os\nos.kill(os.getpid(), 11)", ("os",), "killed by signal 11 (SIGSEGV)"),
    ]
    for solution, imports, message in exits:
        outcome = run_one(pool, solution, DOUBLE_TEST, allowed_imports=imports)
        assert not outcome.passed and message in outcome.message
    assert_pool_still_works(pool)


def test_a_forged_report_is_not_believed(pool):
    forge = (
        "import os, json, struct\n"
        "fake = json.dumps({'token': 'guess', 'passed': True, 'message': ''}).encode()\n"
        "for fd in range(3, 64):\n"
        "    try:\n"
        "        os.write(fd, struct.pack('>I', len(fake)) + fake)\n"
        "    except OSError:\n"
        "        pass\n"
    )
    outcome = run_one(
        pool, forge, "assert False, 'the real test fails'", allowed_imports=("os", "json", "struct")
    )
    assert outcome.message == "the real test fails"


KILL_PARENT = "import os\nos.kill(os.getppid(), 9)"
KILL_WORKER = (
    "import os\n"
    "stat = os.read(os.open(f'/proc/{os.getppid()}/stat', os.O_RDONLY), 500)\n"
    "os.kill(int(stat.rsplit(b')', 1)[1].split()[1]), 9)\n"
)


@needs_sandbox
def test_killing_its_worker_fails_the_task_and_later_tasks_still_run(pool):
    for solution in (KILL_PARENT, KILL_WORKER):
        outcome = run_one(pool, solution, allowed_imports=("os",))
        assert not outcome.passed
        if sandbox.runs_as_root():  # the task runs as another user than its worker
            assert outcome.message.endswith("PermissionError: [Errno 1] Operation not permitted")
        assert_pool_still_works(pool)


def test_without_a_sandbox_a_killed_worker_is_replaced(plain_pool):
    for solution in (KILL_PARENT, KILL_WORKER):
        outcome = run_one(plain_pool, solution, allowed_imports=("os",))
        assert outcome.message == "the task stopped the process that was grading it"
        assert_pool_still_works(plain_pool)


def test_without_a_sandbox_tasks_run_the_same(plain_pool, pool):
    tasks = [
        HONEST,
        task(DOUBLE, "assert double(2) == 5, 'no'"),
        task("while True:\n    pass", timeout=0.3),
        task("import os", DOUBLE_TEST),
    ]
    plain = [(o.passed, o.message, o.output) for o in plain_pool.run(tasks)]
    assert plain == [(o.passed, o.message, o.output) for o in pool.run(tasks)]


def test_the_sandbox_command_hides_the_course_and_home_and_has_no_network():
    command = sandbox.bwrap_command(["python"], env={"HOME": "/tmp"})
    bound = {command[i + 1] for i, part in enumerate(command) if part == "--ro-bind"}
    assert not {str(sandbox.COURSE_ROOT), str(Path.home()), "/", "/work"} & bound
    assert str(sandbox.COURSE_UTILS_DIR) in bound or any(
        str(sandbox.COURSE_UTILS_DIR).startswith(path + "/") for path in bound
    )
    assert {"--die-with-parent", "--new-session", "--clearenv"} <= set(command)
    assert "--unshare-net" in command or "--unshare-all" in command
    assert command[command.index("/tmp") - 1] == "--tmpfs"
    assert command[-2:] == ["--", "python"]


@needs_sandbox
@pytest.mark.slow
@pytest.mark.parametrize("preload", [PRELOAD, FAST_START], ids=["preloaded", "imported"])
def test_a_torch_setup_works_in_forked_tasks(preload):
    setup = (
        "import numpy as np\nimport torch\nimport matplotlib.pyplot as plt\n"
        "torch.manual_seed(0)\nmodel = torch.nn.Linear(20, 1, dtype=torch.float64)\n"
    )
    solution = "def mse(y, t):\n    return float(np.mean((np.asarray(y) - np.asarray(t)) ** 2))\n"
    test = (
        "x = torch.randn(256, 20, dtype=torch.float64)\n"
        "y = model(x)\n"
        "loss = torch.nn.functional.mse_loss(y, torch.zeros_like(y))\n"
        "loss.backward()\n"
        "assert abs(mse(y.detach().numpy(), np.zeros((256, 1))) - loss.item()) < 1e-12\n"
        "product = torch.randn(300, 300) @ torch.randn(300, 300)\n"
        "figure, axes = plt.subplots()\naxes.plot([1, 2])\nfigure.savefig('plot.png')\n"
        "print(torch.get_num_threads(), tuple(model.weight.grad.shape))\n"
    )
    with Pool(jobs=1, preload=preload) as pool:
        outcomes = pool.run([task(solution, test, setup=setup, key="torch", timeout=30)] * 3)
    assert [(o.passed, o.message, o.output) for o in outcomes] == [(True, "", "1 (1, 20)\n")] * 3
