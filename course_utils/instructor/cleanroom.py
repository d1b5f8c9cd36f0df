"""The clean room: each graded exercise of each submission scored in a fresh, sandboxed process.

nbgrader grades inside the learner's kernel, so whatever ran there (a patched ``np.allclose``,
a redefined check, a global left over) can change what the hidden tests see. Here a ``Task``
is one exercise of one submission: the SOURCE notebook's setup cells (trusted), the learner's
solution cell(s) of that exercise (already accepted by the static policy,
``course_utils.policy``) and the SOURCE test cell (visible check and hidden tests, trusted).
Nothing else of the submission runs. A task passes when its test cell runs to the end.

How a task runs (``Pool``):

- **Fresh processes, cheaply.** A pool starts ``jobs`` long-lived workers once, each inside
  its own bubblewrap sandbox (``sandbox.py``) with numpy, ``course_utils``, torch and pyplot
  imported (``PRELOAD``). For each setup (a notebook's; ``Task.key`` names it, e.g.
  ``"07_adagrad"``), a worker forks a *setup process* that runs the setup cells once and
  keeps their namespace; every task with that setup is then run in a process forked from it.
  The task's process starts with the setup done and no import to pay, and nothing the
  learner's code does (patching numpy, writing files, leaving processes) survives it: the
  next task forks from the untouched setup again. Different setups live in different
  processes, so one notebook's global settings (a torch default dtype, numpy's error state)
  never reach another's tests: a task's outcome does not depend on which worker ran it, or
  after what.
- **Namespaces.** The solution runs in ``{"__builtins__": SAFE_BUILTINS, **allowed}`` where
  ``allowed`` holds the setup's values of ``Task.allowed_names`` (numpy and math by
  default); its imports are limited to numpy, math and ``Task.allowed_imports``. The test
  runs in a copy of the setup's namespace plus the names the solution defined that neither
  the setup nor the builtins already have: a redefined check or ``abs`` never reaches it.
- **Limits** (in the task's process, see ``sandbox.confine_task``): ``Task.timeout`` seconds
  of wall-clock time for solution and test together (the worker kills the task's processes
  after that), as much CPU time, ``memory_mb`` of memory beyond the setup's, ``output_kb`` of
  output (and of any file), a bounded number of processes; a private scratch folder, emptied
  after each task.
- **Outcomes.** ``Outcome.message`` is a plain sentence or the exception's type and message
  (an ``AssertionError`` / ``CheckFailed`` message as is), never a traceback nor the test's
  code; ``Outcome.output`` is what the solution and the test printed, cut to about 10 kB.
- The worker talks to the pool over its stdin/stdout, in length-prefixed JSON frames; a task's
  process reports to its setup process over a pipe, with a token only that process knows.
  Nothing coming out of a sandbox is ever unpickled.

``Pool(sandbox=False)`` (``grade --no-sandbox``) runs the same workers, forks and limits as
plain processes, for machines where bubblewrap cannot run: only the static policy and the
limits then stand between the learner's code and the machine (and as root, the process limit
does not hold). ``sandbox_problem()`` says why a sandbox cannot be made, or None.

``DaskPool(address)`` runs the same tasks on a Dask distributed cluster: tasks are sent in
batches of consecutive tasks with the same setup, and each Dask worker process keeps a
``Pool(jobs=1)`` of its own, started on its first batch, so setups are cached there too.
Every Dask worker machine needs the same Python environment (requirements.txt installed,
course_utils importable).

Untrusted code that gets past the static policy can still do, inside its own task's process,
anything Python can (including lying about its own result); the sandbox and the limits make
sure that it cannot reach anything else: other tasks, the course folder, the network, the
machine.
"""

import atexit
import builtins
import contextlib
import errno
import hashlib
import importlib
import io
import json
import math
import os
import queue
import secrets
import select
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import time
from collections import OrderedDict
from dataclasses import asdict, dataclass

from . import sandbox as _sandbox
from .sandbox import sandbox_problem

__all__ = ["SAFE_BUILTINS", "DaskPool", "Outcome", "Pool", "Task", "sandbox_problem"]

ALWAYS_IMPORTABLE = ("numpy", "math")
# What a worker imports before any setup: a setup process forked from it then starts with
# these (and shares their memory with the other setups) instead of importing them again.
PRELOAD = ("numpy", "course_utils", "torch", "matplotlib.pyplot")
MESSAGE_CHARS = 1000  # of an Outcome's message
OUTPUT_CHARS = 10_000  # of an Outcome's output
_FRAME_HEADER = struct.Struct(">I")
_FRAME_LIMIT = 64 << 20  # a frame from the pool (a task's sources)
_REPORT_LIMIT = 1 << 20  # a frame from a task's process
_HOST_MARGIN_SECONDS = 10.0  # beyond setup_timeout + timeout before the pool gives up on a worker


# --- what the grading code hands in and gets back ----------------------------------------


@dataclass(frozen=True)
class Task:
    """One exercise of one submission; see the module docstring for how it runs."""

    key: str  # names the setup (e.g. "07_adagrad"); a worker runs each setup once
    setup: str  # trusted: the source notebook's setup cells (IPython magics removed)
    solution: str  # the learner's solution cell(s), accepted by the static policy
    test: str  # trusted: the source test cell (visible check + hidden tests)
    allowed_names: tuple = ("np", "math")  # copied from the setup's namespace for the solution
    timeout: float = 10.0  # seconds for solution + test together
    allowed_imports: tuple = ALWAYS_IMPORTABLE  # modules (and submodules) it may import

    def __post_init__(self):
        for name in ("key", "setup", "solution", "test"):
            if not isinstance(getattr(self, name), str):
                raise TypeError(f"Task.{name} must be a str, got {type(getattr(self, name))}")
        if not self.key:
            raise ValueError("Task.key must not be empty")
        for name in ("allowed_names", "allowed_imports"):
            value = getattr(self, name)
            if isinstance(value, str) or not all(isinstance(item, str) for item in value):
                raise TypeError(f"Task.{name} must be a sequence of names, got {value!r}")
            object.__setattr__(self, name, tuple(value))
        if isinstance(self.timeout, bool) or not isinstance(self.timeout, (int, float)):
            raise TypeError(f"Task.timeout must be a number of seconds, got {self.timeout!r}")
        if not (math.isfinite(self.timeout) and self.timeout > 0):
            raise ValueError(
                f"Task.timeout must be a positive number of seconds, got {self.timeout}"
            )


@dataclass(frozen=True)
class Outcome:
    """What happened to one task."""

    passed: bool  # the test cell ran to the end without an exception
    message: str  # "" when passed; else what failed, in one or two plain lines
    output: str  # what the solution and the test printed, cut to about 10 kB
    seconds: float


def _failed(message, seconds=0.0, output=""):
    return Outcome(passed=False, message=message, output=output, seconds=seconds)


# --- the builtins a solution sees --------------------------------------------------------

_REFUSED_BUILTINS = frozenset(
    {
        "open", "exec", "eval", "compile", "__import__", "getattr", "setattr", "delattr",
        "globals", "locals", "vars", "input", "breakpoint", "help", "exit", "quit",
        "memoryview", "copyright", "credits", "license",
    }
)  # fmt: skip
# Of the double-underscore entries, only these: __loader__ and __spec__ would hand out the
# import machinery.
_KEPT_DUNDERS = frozenset({"__build_class__", "__name__", "__debug__"})
_real_import = builtins.__import__


def _import_guard(allowed):
    """An ``__import__`` that imports only ``allowed`` modules and their submodules."""
    allowed = tuple(sorted(set(ALWAYS_IMPORTABLE) | set(allowed)))

    def guarded_import(name, globals=None, locals=None, fromlist=(), level=0):
        if level != 0 or not any(name == top or name.startswith(top + ".") for top in allowed):
            raise ImportError(
                f"the solution may not import {name!r} (it may import {', '.join(allowed)})"
            )
        return _real_import(name, globals, locals, fromlist, level)

    return guarded_import


SAFE_BUILTINS = {
    name: value
    for name, value in vars(builtins).items()
    if name not in _REFUSED_BUILTINS and (not name.startswith("__") or name in _KEPT_DUNDERS)
}
SAFE_BUILTINS["__import__"] = _import_guard(ALWAYS_IMPORTABLE)


# --- length-prefixed JSON frames over pipes ----------------------------------------------


def _write_all(fd, data):
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _send(fd, message):
    payload = json.dumps(message).encode()
    _write_all(fd, _FRAME_HEADER.pack(len(payload)) + payload)


class _FrameReader:
    """Reads frames from a pipe; ``receive`` gives the next message, or None at end of file."""

    def __init__(self, fd, limit=_FRAME_LIMIT):
        self.fd = fd
        self._limit = limit
        self._buffer = bytearray()

    def _read(self, deadline):
        if deadline is not None:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([self.fd], [], [], remaining)[0]:
                raise TimeoutError
        chunk = os.read(self.fd, 1 << 16)
        self._buffer += chunk
        return bool(chunk)

    def receive(self, deadline=None):
        """The next message; None at end of file; TimeoutError past ``deadline`` (monotonic)."""
        while len(self._buffer) < _FRAME_HEADER.size:
            if not self._read(deadline):
                return None
        (size,) = _FRAME_HEADER.unpack_from(self._buffer)
        if size > self._limit:
            raise ValueError(f"a frame of {size} bytes is over the limit of {self._limit}")
        end = _FRAME_HEADER.size + size
        while len(self._buffer) < end:
            if not self._read(deadline):
                return None
        payload = bytes(self._buffer[_FRAME_HEADER.size : end])
        del self._buffer[:end]
        return json.loads(payload)


# --- inside a worker: the process of one task ---------------------------------------------


def _exception_text(exc):
    name = type(exc).__name__
    try:
        text = str(exc)
    except BaseException:
        text = "(its message could not be shown)"
    if len(text) > MESSAGE_CHARS:
        text = text[:MESSAGE_CHARS] + " … (message cut)"
    if isinstance(exc, AssertionError):
        return text or f"{name} (a test failed without a message)"
    return f"{name}: {text}" if text else name


def _describe_failure(exc, phase, limits):
    """The message of a task whose ``phase`` ("solution" or "test") raised ``exc``."""
    if isinstance(exc, MemoryError):
        return f"used more than {limits['memory_mb']} MB of memory"
    if isinstance(exc, OSError) and exc.errno == errno.EFBIG:
        return f"wrote more than {limits['output_kb']} kB (output or a file)"
    if isinstance(exc, OSError) and exc.errno == errno.EAGAIN:
        return "started more processes or threads than a task may"
    text = _exception_text(exc)
    return f"the solution cell raised {text}" if phase == "solution" else text


def _run_cells(namespace, task, limits):
    """Run the solution then the test, as the module docstring says; ``(passed, message)``."""
    allowed = {name: namespace[name] for name in task["allowed_names"] if name in namespace}
    solution_builtins = dict(SAFE_BUILTINS, __import__=_import_guard(task["allowed_imports"]))
    solution_globals = {"__builtins__": solution_builtins, **allowed}
    try:
        exec(compile(task["solution"], "<solution>", "exec"), solution_globals)
    except BaseException as exc:
        return False, _describe_failure(exc, "solution", limits)
    # Only the solution's own new names reach the test: a solution that redefines a name the
    # setup made (the check itself) or a builtin (abs) must not change what the test sees.
    test_globals = dict(namespace)
    test_globals.update(
        (name, value)
        for name, value in solution_globals.items()
        if name not in namespace and name not in SAFE_BUILTINS and name != "__builtins__"
    )
    try:
        exec(compile(task["test"], "<test>", "exec"), test_globals)
    except BaseException as exc:
        return False, _describe_failure(exc, "test", limits)
    return True, ""


def _text_stream(fd):
    # Line-buffered, so what a task printed before it was killed is still there.
    return io.TextIOWrapper(
        open(fd, "wb", closefd=False),
        encoding="utf-8",
        errors="backslashreplace",
        line_buffering=True,
        write_through=True,
    )


def _task_process(namespace, task, limits, report_fd, output_fd, token, private_fds):
    """The forked process of one task: confine itself, run the cells, report. Never returns."""
    me = os.getpid()
    passed, message = False, "the task's process could not start"
    try:
        os.setpgid(0, 0)  # a group of its own: the worker kills it whole
        _sandbox.die_with_parent()
        for fd in private_fds:  # the worker's channels: not for learners' code
            os.close(fd)
        os.dup2(output_fd, 1)
        os.dup2(output_fd, 2)
        os.close(output_fd)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.close(null)
        sys.stdin = None
        sys.stdout, sys.stderr = _text_stream(1), _text_stream(2)
        _sandbox.confine_task(
            seconds=task["timeout"],
            memory_mb=limits["memory_mb"],
            file_kb=limits["output_kb"],
            user=None if limits["user"] is None else tuple(limits["user"]),
        )
        workdir = tempfile.mkdtemp(prefix="task-", dir=limits["scratch"])
        os.chdir(workdir)
        passed, message = _run_cells(namespace, task, limits)
    except BaseException as exc:  # our own preparation failed: say so
        message = f"the task's process could not start: {_exception_text(exc)}"
    finally:
        # Processes the learner's code forked come here too: only the task's own reports.
        if os.getpid() == me:
            with contextlib.suppress(BaseException):
                sys.stdout.flush()
                sys.stderr.flush()
            with contextlib.suppress(BaseException):
                _send(report_fd, {"token": token, "passed": passed, "message": message})
        os._exit(0)


def _read_output(output_fd, limits):
    """``(text, reached the cap)`` of what a task printed."""
    cap = limits["output_kb"] << 10
    size = os.fstat(output_fd).st_size
    data = os.pread(output_fd, min(size, cap), 0)
    text = data.decode("utf-8", errors="replace")
    if size >= cap:
        shown = min(len(text), OUTPUT_CHARS)
        text = text[:shown] + (
            f"\n… [output cut: more than {limits['output_kb']} kB printed; "
            f"the first {shown} characters shown]"
        )
    elif len(text) > OUTPUT_CHARS:
        text = text[:OUTPUT_CHARS] + (
            f"\n… [output cut: {len(text)} characters printed; the first {OUTPUT_CHARS} shown]"
        )
    return text, size >= cap


def _await_task(pid, report_fd, deadline):
    """Wait for the task's process to end or its deadline; ``(report bytes, timed out)``."""
    ended = os.pidfd_open(pid)
    watched, report, timed_out = [report_fd, ended], bytearray(), False
    try:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                os.kill(pid, signal.SIGKILL)
                timed_out = True
                break
            ready = select.select(watched, [], [], remaining)[0]
            if report_fd in ready:
                chunk = os.read(report_fd, 1 << 16)
                if not chunk:
                    watched.remove(report_fd)
                elif len(report) < _REPORT_LIMIT:
                    report += chunk
            if ended in ready:
                break
    finally:
        os.close(ended)
    return report, timed_out


def _drain(fd, into):
    os.set_blocking(fd, False)
    with contextlib.suppress(BlockingIOError):
        while len(into) < _REPORT_LIMIT and (chunk := os.read(fd, 1 << 16)):
            into += chunk


def _parse_report(data, token):
    """``(passed, message)`` of the task's own report, or None if there is none.

    Learners' code can write to the report pipe too: only the frame with the token counts.
    """
    offset = 0
    while offset + _FRAME_HEADER.size <= len(data):
        (size,) = _FRAME_HEADER.unpack_from(data, offset)
        start, offset = offset + _FRAME_HEADER.size, offset + _FRAME_HEADER.size + size
        if offset > len(data):
            return None
        try:
            report = json.loads(bytes(data[start:offset]))
        except ValueError:
            continue
        if isinstance(report, dict) and report.get("token") == token:
            return report.get("passed") is True, str(report.get("message", ""))
    return None


def _ending_message(status, timeout):
    """Why a task's process ended without a report, from its wait status."""
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        if number == signal.SIGXCPU:
            return f"took longer than {timeout:g} s (of CPU time)"
        try:
            name = f" ({signal.Signals(number).name})"
        except ValueError:
            name = ""
        return f"the task's process was killed by signal {number}{name}"
    code = os.WEXITSTATUS(status)
    if code == 0:
        return "the task's process ended without reporting a result"
    return f"the task's process exited (status {code}) before its test cell finished"


def _run_task(namespace, task, limits, private_fds):
    """Fork the task's process from this setup process, supervise it, clean up after it."""
    token = secrets.token_hex(16)
    report_read, report_write = os.pipe()
    output_fd = os.memfd_create("task-output")
    scratch = limits["scratch"]
    kept = set(os.listdir(scratch))
    sys.stdout.flush()
    sys.stderr.flush()
    started = time.monotonic()
    pid = os.fork()
    if pid == 0:
        os.close(report_read)
        _task_process(namespace, task, limits, report_write, output_fd, token, private_fds)
    os.close(report_write)
    report, timed_out = _await_task(pid, report_read, started + task["timeout"])
    seconds = time.monotonic() - started
    _sandbox.kill_group(pid)  # before reaping it: till then, no other process can get its id
    _, status = os.waitpid(pid, 0)
    _sandbox.kill_leftovers()
    _drain(report_read, report)
    os.close(report_read)
    output, output_capped = _read_output(output_fd, limits)
    os.close(output_fd)
    _sandbox.clear_scratch(scratch, kept)
    genuine = _parse_report(report, token)
    if timed_out:
        passed, message = False, f"took longer than {task['timeout']:g} s"
    elif output_capped:
        passed, message = False, f"printed more than {limits['output_kb']} kB of output"
    elif genuine is not None and os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0:
        passed, message = genuine
    else:
        passed, message = False, _ending_message(status, task["timeout"])
    return {"passed": passed, "message": message, "output": output, "seconds": seconds}


# --- inside a worker: setup processes and the worker itself -------------------------------


def _quiet_thread_pools():
    """Keep torch single-threaded before forking: a forked child can't use a parent's threads."""
    torch = sys.modules.get("torch")
    if torch is not None:
        torch.set_num_threads(1)


def _setup_process(key, setup, limits, requests, replies, private_fds):
    """Run setup cells once, then the tasks sent here, each forked from here. Never returns."""
    status = 0
    try:
        _sandbox.die_with_parent()
        _sandbox.become_subreaper()
        namespace = {"__name__": "__main__", "__builtins__": builtins}
        try:
            exec(compile(setup, f"<setup of {key}>", "exec"), namespace)
            _quiet_thread_pools()
        except BaseException as exc:
            _send(replies, {"setup_error": _exception_text(exc)})
            return
        _send(replies, {"ready": True})
        reader = _FrameReader(requests)
        while (task := reader.receive()) is not None:
            _send(replies, _run_task(namespace, task, limits, private_fds))
    except BaseException:
        status = 1
    finally:
        with contextlib.suppress(BaseException):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(status)


class _SetupProcess:
    def __init__(self, pid, requests, replies):
        self.pid = pid
        self.requests = requests
        self.replies = _FrameReader(replies)

    def close(self):
        for fd in (self.requests, self.replies.fd):
            with contextlib.suppress(OSError):
                os.close(fd)
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(self.pid, 0)


class _Worker:
    """Inside the sandbox: caches one setup process per setup, sends each task to its own."""

    def __init__(self, limits, host_fds, max_setups):
        self.limits = limits
        self.host_fds = host_fds
        self.max_setups = max_setups
        self.setups = OrderedDict()  # digest of a setup -> _SetupProcess or why it failed

    def _private_fds(self):
        fds = list(self.host_fds)
        for setup in self.setups.values():
            if isinstance(setup, _SetupProcess):
                fds += [setup.requests, setup.replies.fd]
        return fds

    def _start_setup(self, key, setup):
        task_requests, requests = os.pipe()
        replies, task_replies = os.pipe()
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            for fd in (*self._private_fds(), requests, replies):
                os.close(fd)
            private = [task_requests, task_replies]
            _setup_process(key, setup, self.limits, task_requests, task_replies, private)
        os.close(task_requests)
        os.close(task_replies)
        process = _SetupProcess(pid, requests, replies)
        answer = process.replies.receive()
        if answer is None or "setup_error" in answer:
            process.close()
            why = "it ended the process" if answer is None else answer["setup_error"]
            return f"the notebook's setup cells failed: {why}"
        return process

    def _setup_for(self, task):
        # By the setup's text, not its key: tasks with the same setup share it whatever
        # their keys, and a key reused for another setup never gets the wrong one.
        ident = hashlib.sha256(task["setup"].encode()).hexdigest()
        if ident in self.setups:
            self.setups.move_to_end(ident)
            return ident, self.setups[ident]
        while len(self.setups) >= self.max_setups:
            _, oldest = self.setups.popitem(last=False)
            if isinstance(oldest, _SetupProcess):
                oldest.close()
        self.setups[ident] = self._start_setup(task["key"], task["setup"])
        return ident, self.setups[ident]

    def run(self, task):
        ident, setup = self._setup_for(task)
        if isinstance(setup, str):
            return {"passed": False, "message": setup, "output": "", "seconds": 0.0}
        try:
            _send(setup.requests, task)
            reply = setup.replies.receive()
        except OSError:
            reply = None
        if reply is None:  # the task ended its setup process: start afresh next time
            del self.setups[ident]
            setup.close()
            message = "the task stopped the process that was grading it"
            return {"passed": False, "message": message, "output": "", "seconds": 0.0}
        return reply


def _serve(config_json):
    """A worker's main loop (``python -c``, inside the sandbox or not): tasks in, outcomes out."""
    config = json.loads(config_json)
    # The pool's channel moves off fds 0 and 1, so that nothing printed can corrupt it.
    host_in, host_out = os.dup(0), os.dup(1)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    os.dup2(2, 1)
    if not config["sandboxed"]:
        _sandbox.die_with_parent()  # (bwrap does it inside a sandbox)
    for module in config["preload"]:
        with contextlib.suppress(ImportError):  # a setup that needs it will say so itself
            importlib.import_module(module)
    _quiet_thread_pools()
    worker = _Worker(config["limits"], (host_in, host_out), config["max_setups"])
    _send(host_out, {"ready": True, "pid": os.getpid()})
    requests = _FrameReader(host_in)
    while (task := requests.receive()) is not None:
        _send(host_out, worker.run(task))


# --- in the grading process: the pool ------------------------------------------------------


class _WorkerLost(Exception):
    """The worker process ended, or stopped answering."""


class _WorkerProcess:
    """One worker, seen from the pool: its process, channel and log."""

    def __init__(self, argv, env, cwd, start_timeout):
        self._log = tempfile.TemporaryFile()
        self._process = subprocess.Popen(
            argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log,
            env=env,
            cwd=cwd,
            start_new_session=True,
        )
        self._reader = _FrameReader(self._process.stdout.fileno())
        try:
            hello = self._reader.receive(time.monotonic() + start_timeout)
        except TimeoutError:
            hello = None
        if not hello or not hello.get("ready"):
            self.kill()
            raise _WorkerLost(f"a grading worker did not start: {self.log_tail()}")

    def log_tail(self, chars=600):
        self._log.seek(0, os.SEEK_END)
        self._log.seek(max(0, self._log.tell() - chars))
        lines = self._log.read().decode(errors="replace").strip().splitlines()
        return lines[-1] if lines else f"exit status {self._process.poll()}"

    def alive(self):
        return self._process.poll() is None

    def request(self, task, deadline):
        try:
            _send(self._process.stdin.fileno(), asdict(task))
            reply = self._reader.receive(deadline)
        except TimeoutError:
            raise _WorkerLost("timeout") from None
        except (OSError, ValueError) as error:
            raise _WorkerLost(str(error)) from None
        if reply is None:
            raise _WorkerLost("ended")
        return reply

    def kill(self):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self._process.pid, signal.SIGKILL)
        self._process.wait()
        self._close_files()

    def close(self):
        with contextlib.suppress(OSError):
            self._process.stdin.close()  # the worker reads the end of its input, and ends
        try:
            self._process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.kill()
        self._close_files()

    def _close_files(self):
        for file in (self._process.stdin, self._process.stdout, self._log):
            with contextlib.suppress(OSError):
                file.close()


def _outcome_from(reply):
    return Outcome(
        passed=reply.get("passed") is True,
        message=str(reply.get("message", "")),
        output=str(reply.get("output", "")),
        seconds=float(reply.get("seconds", 0.0)),
    )


class _Batch:
    """The outcomes of one ``Pool.run`` call, filled in by the workers' threads."""

    def __init__(self, size):
        self.outcomes = [None] * size
        self._missing = size
        self._lock = threading.Lock()
        self.done = threading.Event()
        if size == 0:
            self.done.set()

    def deliver(self, index, outcome):
        with self._lock:
            self.outcomes[index] = outcome
            self._missing -= 1
            if self._missing == 0:
                self.done.set()


_STOP = object()


class _Slot(threading.Thread):
    """A thread owning one worker: it starts it (again, when lost) and feeds it tasks.

    bwrap's --die-with-parent follows the *thread* that started it, so each worker is started,
    and restarted, by its slot's thread, which lives as long as the pool.
    """

    def __init__(self, pool, tasks):
        super().__init__(daemon=True, name="cleanroom-slot")
        self._pool = pool
        self._tasks = tasks
        self.worker = None
        self.start_error = None
        self.started = threading.Event()

    def _start_worker(self):
        self.worker = None
        self.worker = self._pool._launch()

    def run(self):
        try:
            self._start_worker()
        except Exception as error:
            self.start_error = str(error)
        self.started.set()
        while (item := self._tasks.get()) is not _STOP:
            batch, index, task = item
            try:
                outcome = self._grade(task)
            except Exception as error:  # never lose a task: say what went wrong
                outcome = _failed(f"grading failed: {error}")
            batch.deliver(index, outcome)
        if self.worker is not None:
            self.worker.close()

    def _grade(self, task):
        setup = task.setup
        if setup in self._pool._hung_setups:  # don't wait that long once per submission
            return _failed(self._pool._hung_setups[setup])
        if self.worker is None or not self.worker.alive():
            if self.worker is not None:
                self.worker.kill()
            try:
                self._start_worker()
            except Exception as error:
                return _failed(f"could not start a grading process: {error}")
        started = time.monotonic()
        deadline = started + self._pool.setup_timeout + task.timeout + _HOST_MARGIN_SECONDS
        try:
            return _outcome_from(self.worker.request(task, deadline))
        except _WorkerLost as lost:
            seconds = time.monotonic() - started
            self.worker.kill()
            self.worker = None
            if str(lost) == "timeout":
                # The worker enforces the task's timeout itself: the setup must have hung.
                why = f"the notebook's setup cells took longer than {self._pool.setup_timeout:g} s"
                self._pool._hung_setups[setup] = why
            else:
                why = "the task stopped the process that was grading it"
            return _failed(why, seconds)


def _positive(name, value, kind=int):
    if isinstance(value, bool) or not isinstance(value, (int, float) if kind is float else int):
        raise TypeError(f"{name} must be a positive {kind.__name__}, got {value!r}")
    if not value > 0:
        raise ValueError(f"{name} must be positive, got {value}")
    return value


class Pool:
    """Long-lived grading workers, started once and reused: ``run(tasks)`` -> outcomes.

    ``jobs`` workers (default: one per CPU) run tasks at the same time. ``sandbox``: each
    worker inside bubblewrap (RuntimeError saying why, if it cannot be made here).
    ``memory_mb``: memory a task may use beyond its setup's; ``output_kb``: output (and any
    file) a task may write. ``setup_timeout``: seconds a setup may take before its worker is
    given up. ``max_setups``: setups a worker keeps (least recently used ones go).
    ``preload``: modules each worker imports once, before any setup (those not installed are
    skipped; fewer start a worker faster, and make setups that import the others slower and
    bigger: torch and pyplot take about 1.5 s, once per worker). ``hide``: more host
    folders never to show inside the sandbox (the course folder and $HOME never are).
    Use it as a context manager, or call ``close()``.
    """

    def __init__(
        self,
        jobs=None,
        *,
        sandbox=True,
        memory_mb=2048,
        output_kb=64,
        setup_timeout=120.0,
        start_timeout=60.0,
        max_setups=16,
        preload=PRELOAD,
        hide=(),
    ):
        self.jobs = _positive("jobs", jobs if jobs is not None else len(os.sched_getaffinity(0)))
        self.sandbox = bool(sandbox)
        self.memory_mb = _positive("memory_mb", memory_mb)
        self.output_kb = _positive("output_kb", output_kb)
        self.setup_timeout = _positive("setup_timeout", setup_timeout, float)
        self.start_timeout = _positive("start_timeout", start_timeout, float)
        self.max_setups = _positive("max_setups", max_setups)
        self.preload = tuple(preload)
        self.hide = tuple(str(path) for path in hide)
        if self.sandbox and (problem := sandbox_problem()):
            raise RuntimeError(f"cannot grade in a sandbox: {problem}")
        self._scratches = []
        self._hung_setups = {}  # setup -> why its tasks fail at once
        self._tasks = queue.SimpleQueue()
        self._closed = False
        self._slots = [_Slot(self, self._tasks) for _ in range(self.jobs)]
        for slot in self._slots:
            slot.start()
        for slot in self._slots:
            slot.started.wait()
        errors = [slot.start_error for slot in self._slots if slot.start_error]
        if errors:
            self.close()
            raise RuntimeError(errors[0])

    def _launch(self):
        """Start one worker process (in a slot's thread); ``_WorkerLost`` if it does not start."""
        if self.sandbox:
            scratch, cwd = "/tmp", "/"
            env = _sandbox.worker_environment(scratch)
        else:
            scratch = cwd = tempfile.mkdtemp(prefix="cleanroom-")
            self._scratches.append(scratch)
            env = _sandbox.worker_environment(scratch, path=os.environ.get("PATH"))
        limits = {
            "memory_mb": self.memory_mb,
            "output_kb": self.output_kb,
            "scratch": scratch,
            "user": _sandbox.sandbox_user() if self.sandbox else None,
        }
        config = {
            "sandboxed": self.sandbox,
            "limits": limits,
            "preload": list(self.preload),
            "max_setups": self.max_setups,
        }
        argv = [
            sys.executable,
            "-I",  # no PYTHON* variables, no user site, no current folder on sys.path
            "-B",
            "-c",
            "import sys; from course_utils.instructor.cleanroom import _serve; _serve(sys.argv[1])",
            json.dumps(config),
        ]
        if self.sandbox:
            argv = _sandbox.bwrap_command(argv, env=env, hide=self.hide)
        return _WorkerProcess(argv, env, cwd, self.start_timeout)

    def run(self, tasks):
        """Run every task; their outcomes in the same order. Thread-safe."""
        tasks = list(tasks)
        for task in tasks:
            if not isinstance(task, Task):
                raise TypeError(f"Pool.run takes Task objects, got {type(task).__name__}")
        if self._closed:
            raise RuntimeError("this Pool is closed")
        batch = _Batch(len(tasks))
        # Tasks with one setup one after another: a worker then finds it ready.
        order = {}
        for index, task in enumerate(tasks):
            order.setdefault(task.setup, []).append(index)
        for indices in order.values():
            for index in indices:
                self._tasks.put((batch, index, tasks[index]))
        batch.done.wait()
        return batch.outcomes

    def close(self):
        """Stop the workers (tasks already handed in finish first). Idempotent."""
        if self._closed:
            return
        self._closed = True
        for _ in self._slots:
            self._tasks.put(_STOP)
        for slot in self._slots:
            if slot.is_alive():
                slot.join()
        for scratch in self._scratches:
            _sandbox.clear_scratch(scratch, keep=())
            with contextlib.suppress(OSError):
                os.rmdir(scratch)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()


# --- on a Dask cluster ------------------------------------------------------------------------

_DASK_WORKER_POOL = None
_DASK_WORKER_POOL_OPTIONS = None
_DASK_WORKER_POOL_LOCK = threading.Lock()


def _close_dask_worker_pool():
    global _DASK_WORKER_POOL
    with _DASK_WORKER_POOL_LOCK:
        if _DASK_WORKER_POOL is not None:
            _DASK_WORKER_POOL.close()
            _DASK_WORKER_POOL = None


def _run_batch_on_dask_worker(tasks, options):
    """A Dask task: run ``tasks`` on this Dask worker process's own ``Pool(jobs=1)``."""
    global _DASK_WORKER_POOL, _DASK_WORKER_POOL_OPTIONS
    with _DASK_WORKER_POOL_LOCK:
        if _DASK_WORKER_POOL is not None and _DASK_WORKER_POOL_OPTIONS != options:
            _DASK_WORKER_POOL.close()
            _DASK_WORKER_POOL = None
        if _DASK_WORKER_POOL is None:
            _DASK_WORKER_POOL = Pool(jobs=1, **options)
            _DASK_WORKER_POOL_OPTIONS = options
            atexit.register(_close_dask_worker_pool)
        pool = _DASK_WORKER_POOL
    return pool.run(tasks)


_POOL_OPTIONS = frozenset(
    ("memory_mb", "output_kb", "setup_timeout", "start_timeout", "max_setups", "preload", "hide")
)


def _batches(tasks, batch_size):
    """``(indices, tasks)`` of consecutive tasks with one setup, at most ``batch_size`` each."""
    batches = []
    for index, task in enumerate(tasks):
        last = batches[-1] if batches else None
        if last and last[1][-1].setup == task.setup and len(last[0]) < batch_size:
            last[0].append(index)
            last[1].append(task)
        else:
            batches.append(([index], [task]))
    return batches


class DaskPool:
    """``Pool``'s ``run``/``close`` on a Dask distributed cluster at ``address``.

    Consecutive tasks with one setup (one submitted notebook, say) travel as one batch of
    at most ``batch_size``; each Dask worker process runs its batches on a ``Pool(jobs=1)`` of
    its own (``pool_options`` as for ``Pool``), so it caches setups like a local pool. The
    outcomes are the same as a local ``Pool``'s (but for ``seconds``).
    """

    def __init__(self, address, *, sandbox=True, batch_size=16, **pool_options):
        unknown = set(pool_options) - _POOL_OPTIONS
        if unknown:
            raise TypeError(f"DaskPool got unknown options: {', '.join(sorted(unknown))}")
        self.batch_size = _positive("batch_size", batch_size)
        self._options = {"sandbox": bool(sandbox), **pool_options}
        from distributed import Client

        self.client = Client(address, set_as_default=False)  # distributed.Client

    def run(self, tasks):
        """Run every task on the cluster; their outcomes in the same order."""
        tasks = list(tasks)
        for task in tasks:
            if not isinstance(task, Task):
                raise TypeError(f"DaskPool.run takes Task objects, got {type(task).__name__}")
        batches = _batches(tasks, self.batch_size)
        futures = self.client.map(
            _run_batch_on_dask_worker,
            [batch for _, batch in batches],
            options=self._options,
            pure=False,
        )
        outcomes = [None] * len(tasks)
        for (indices, _), results in zip(batches, self.client.gather(futures), strict=True):
            for index, outcome in zip(indices, results, strict=True):
                outcomes[index] = outcome
        return outcomes

    def close(self):
        self.client.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()
