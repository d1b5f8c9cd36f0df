"""The static policy: honest solutions in every ordinary style pass; every way out is refused,
with a message that names the line and the rule."""

import linecache
import math

import numpy as np
import pytest

from course_utils.policy import NUMPY, Policy, PolicyError, check_source, enforce, ipython_lines

SETUP_NAMES = ("check_adagrad_update", "optim", "np", "torch", "plotting", "rng")
TORCH = Policy(
    imports=("torch", "numpy", "math"),
    names=("torch", "np", "math"),
    forbidden=("torch.optim",),
    label="torch without torch.optim",
)

HONEST = {
    "the worked solution": """
def adagrad_update(w, grad, sum_sq, lr=1e-2, eps=1e-10):
    ### BEGIN SOLUTION
    sum_sq = sum_sq + grad**2
    w = w - lr * grad / (np.sqrt(sum_sq) + eps)
    return w, sum_sq
    ### END SOLUTION
""",
    "a helper, np.square, in place on copies": """
def _step(g, s, lr, eps):
    return lr * g / (np.sqrt(s) + eps)


def adagrad_update(w, grad, sum_sq, lr=1e-2, eps=1e-10):
    s = sum_sq.copy()
    s += np.square(grad)
    new_w = w.copy()
    new_w -= _step(grad, s, lr, eps)
    return new_w, s
""",
    "loops and math over the entries": """
import math

import numpy as np


def adagrad_update(w, grad, sum_sq, lr=1e-2, eps=1e-10):
    new_w, new_s = np.empty_like(w), np.empty_like(sum_sq)
    for i in np.ndindex(w.shape):
        new_s[i] = sum_sq[i] + grad[i] * grad[i]
        new_w[i] = w[i] - lr * grad[i] / (math.sqrt(new_s[i]) + eps)
    return new_w, new_s
""",
    "comprehensions, a nested function, a lambda, a constant": """
EPS_FLOOR = 0.0
square = lambda x: x * x


def adagrad_update(w, grad, sum_sq, lr=1e-2, eps=1e-10):
    def scaled(g, s):
        return g / (np.sqrt(s) + max(eps, EPS_FLOOR))

    total = sum(square(v) for v in [grad])
    s = sum_sq + total
    flat = [float(x) for x in s.ravel()]
    assert len(flat) == s.size, f"{len(flat)} != {s.size}"
    return w - lr * scaled(grad, s), s
""",
    "a class without dunder methods, try/except, a walrus": """
class Accumulator:
    def add(self, total, g):
        self.last = g
        return total + g**2


def adagrad_update(w, grad, sum_sq, lr=1e-2, eps=1e-10):
    try:
        s = Accumulator().add(sum_sq, grad)
    except FloatingPointError as error:
        raise ValueError(f"bad gradient: {error}") from error
    if (denominator := np.sqrt(s) + eps) is not None:
        return w - lr * grad / denominator, s
""",
    "numpy and math functions by their full names": """
def cosine_lr(t, lr, T_max, eta_min=0):
    t = min(t, T_max)
    return eta_min + (lr - eta_min) * (1 + math.cos(math.pi * t / T_max)) / 2


def norms(d):
    return np.linalg.norm(d, axis=tuple(range(1, d.ndim)), keepdims=True)


rng_free = np.random.default_rng(0).normal(size=3)
""",
    "from-imports of allowed names": """
from math import sqrt
from numpy import linalg as la
from numpy.linalg import norm


def f(x):
    return sqrt(2.0) * norm(x) + la.norm(x)
""",
}

HONEST_TORCH = """
import math


def make_optimizer(model, total_steps):
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=0.01)
    return opt, torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.01, total_steps=total_steps)
"""


@pytest.mark.parametrize("source", HONEST.values(), ids=list(HONEST))
def test_honest_solutions_pass(source):
    assert check_source(source, NUMPY, reserved=SETUP_NAMES) == []


def test_a_training_recipe_may_use_torch_where_its_policy_says_so():
    policy = Policy(imports=("torch", "numpy", "math"), names=("torch", "np", "math"))
    assert check_source(HONEST_TORCH, policy, reserved=SETUP_NAMES) == []


# (source, rule, words the message must hold, its line)
REFUSED = {
    "imports course_utils": (
        "from course_utils.optim import adagrad_update",
        "import",
        "line 1 imports course_utils.optim, which this exercise does not allow: it is graded "
        "on NumPy alone",
        1,
    ),
    "imports the module": ("import course_utils.optim as o", "import", "course_utils.optim", 1),
    "uses the notebook's optim": (
        "def adagrad_update(w, grad, sum_sq, lr=1e-2, eps=1e-10):\n"
        "    # the reference, please\n"
        "    return optim.adagrad_update(w, grad, sum_sq, lr, eps)",
        "name",
        "line 3 uses `optim`, which this exercise does not allow: it is graded on NumPy alone",
        3,
    ),
    "optim smuggled in as a default": (
        "def f(w, o=optim):\n    return o.adagrad_update(w)",
        "name",
        "`optim`",
        1,
    ),
    "__import__ and getattr with split strings": (
        "def f(w):\n    m = __import__('course' + '_utils.optim', fromlist=['x'])\n"
        "    return getattr(m, 'adagrad' + '_update')(w)",
        "dunder",
        "`__import__`: names with a double underscore",
        2,
    ),
    "getattr alone": ("x = getattr(np, 'sq' + 'rt')", "name", "uses `getattr`, which no", 1),
    "torch.optim.Adagrad": (
        "import torch\n\ndef f(w):\n    return torch.optim.Adagrad([w])",
        "import",
        "imports torch",
        1,
    ),
    "torch without importing it": ("x = torch.optim.Adagrad", "name", "uses `torch`", 1),
    "replaces the check": (
        "check_adagrad_update = lambda f: None",
        "shadow",
        "redefines `check_adagrad_update`, which the notebook's setup defines",
        1,
    ),
    "replaces a builtin": (
        "def abs(x):\n    return 0.0",
        "shadow",
        "redefines `abs`, one of Python's builtins",
        1,
    ),
    "patches builtins.abs": (
        "import builtins\nbuiltins.abs = lambda x: 0.0",
        "import",
        "imports builtins",
        1,
    ),
    "an input transformer": (
        "get_ipython().input_transformers_post.append(lambda lines: ['pass\\n'])",
        "name",
        "uses `get_ipython`, which no exercise may use",
        1,
    ),
    "patches numpy": (
        "np.allclose = lambda *a, **k: True",
        "module-attribute",
        "assigns to `np.allclose`, an attribute of a module",
        1,
    ),
    "augments math": ("math.pi += 1", "module-attribute", "`math.pi`", 1),
    "deletes from numpy": ("del np.sqrt", "module-attribute", "deletes `np.sqrt`", 1),
    "numpy under another name": ("m = np\nm.sqrt = abs", "module-value", "module `np`", 1),
    "a submodule as a value": ("la = np.linalg", "module-value", "`np.linalg`", 1),
    "np.load": ("x = np.load('answers.npy')", "door", "`np.load`, a door to files", 1),
    "np.savez": ("np.savez('x', a=1)", "door", "np.savez", 1),
    "np.fromfile": ("x = np.fromfile('/etc/passwd')", "door", "np.fromfile", 1),
    "np.memmap": ("x = np.memmap('f')", "door", "np.memmap", 1),
    "np.ctypeslib": ("x = np.ctypeslib.as_array", "door", "np.ctypeslib", 1),
    "np.lib.format": ("x = np.lib.format.open_memmap", "door", "np.lib.format", 1),
    "an os module inside numpy": ("np.lib.npyio.os.system('ls')", "door", "np.lib.npyio", 1),
    "an array's tofile": ("np.zeros(3).tofile('x')", "door", "`.tofile`", 1),
    "from numpy import load": ("from numpy import load", "door", "imports numpy.load", 1),
    "numpy's private parts": ("x = np._core.umath", "private", "`np._core`, a private part", 1),
    "a frame": (
        "def f():\n    g = (x for x in [1])\n    return g.gi_frame",
        "introspection",
        "`.gi_frame`, which looks into running code",
        3,
    ),
    "exec": ("exec('x = 1')", "name", "uses `exec`, which no exercise may use", 1),
    "eval": ("y = eval('1')", "name", "`eval`", 1),
    "compile": ("c = compile('1', 'f', 'eval')", "name", "`compile`", 1),
    "open": ("text = open('/etc/passwd').read()", "name", "uses `open`", 1),
    "globals": ("g = globals()", "name", "`globals`", 1),
    "vars": ("v = vars()", "name", "`vars`", 1),
    "setattr": ("setattr(np, 'pi', 3)", "name", "`setattr`", 1),
    "type builds a class": ("A = type('A', (), {})", "name", "`type`", 1),
    "a dunder method": (
        "class Always:\n    def __eq__(self, other):\n        return True",
        "dunder",
        "`__eq__`",
        2,
    ),
    "a dunder in a string": ("x = '{0.__class__}'.format(1)", "dunder", "a string", 1),
    "a metaclass": ("class A(metaclass=M):\n    pass", "metaclass", "metaclass", 1),
    "a star import": ("from numpy import *", "import", "with `*`", 1),
    "a relative import": ("from . import optim", "import", "relative", 1),
    "os": ("import os\nos.system('ls')", "import", "imports os", 1),
    "subprocess": ("import subprocess", "import", "imports subprocess", 1),
    "a magic": ("def f(x):\n    return x\n%timeit f(1)", "ipython", "`%timeit f(1)`", 3),
    "a shell line": ("!rm -rf ~", "ipython", "IPython command", 1),
    "redefines np": ("np = None", "shadow", "redefines `np`", 1),
    "global rebinding": (
        "def f():\n    global check_adagrad_update\n    check_adagrad_update = print",
        "shadow",
        "`check_adagrad_update`",
        3,
    ),
    "not python": ("def f(:\n    pass", "syntax", "is not valid Python", 1),
}


@pytest.mark.parametrize("case", REFUSED.values(), ids=list(REFUSED))
def test_every_way_out_is_refused_with_its_line_and_rule(case):
    source, rule, words, line = case
    violations = check_source(source, NUMPY, reserved=SETUP_NAMES)
    assert violations, "refused nothing"
    first = violations[0]
    assert (first.rule, first.line) == (rule, line), [str(v) for v in violations]
    assert words in str(first)


def test_the_torch_optimizer_is_refused_where_the_exercise_is_the_optimizer():
    for source, words in [
        ("def f(m):\n    return torch.optim.SGD(m.parameters(), lr=0.1)", "`torch.optim.SGD`"),
        ("from torch.optim import Adagrad", "imports torch.optim"),
        ("from torch import optim", "torch.optim"),
        ("import torch.optim.lr_scheduler as s", "torch.optim.lr_scheduler"),
    ]:
        (violation,) = check_source(source, TORCH)
        assert violation.rule == "forbidden" and words in str(violation)
        assert "graded on torch without torch.optim" in str(violation)
    ok = "def f(x):\n    x = torch.tensor(x, requires_grad=True)\n    (x**2).sum().backward()\n"
    assert check_source(ok + "    return x.grad", TORCH) == []


def test_enforce_raises_the_first_violation_and_counts_the_others():
    with pytest.raises(PolicyError) as caught:
        enforce("import os\nx = eval('1')", NUMPY, first_line=5)
    assert str(caught.value) == (
        "line 5 imports os, which this exercise does not allow: it is graded on NumPy alone "
        "(and 1 more)"
    )
    assert [v.line for v in caught.value.violations] == [5, 6]
    enforce("x = np.sqrt(2.0)")  # nothing to refuse: returns


def test_a_cell_may_call_its_own_check_but_not_redefine_it():
    source = HONEST["the worked solution"] + "\ncheck_adagrad_update(adagrad_update)\n"
    also = ("check_adagrad_update",)
    assert check_source(source, NUMPY, reserved=SETUP_NAMES, also=also) == []
    (violation,) = check_source(source, NUMPY, reserved=SETUP_NAMES)
    assert "uses `check_adagrad_update`" in str(violation)
    (violation,) = check_source("check_adagrad_update = print", also=also, reserved=also)
    assert violation.rule == "shadow"


def test_reimporting_the_setups_modules_under_their_names_is_allowed():
    assert check_source("import numpy as np\nimport math", NUMPY, reserved=SETUP_NAMES) == []
    (violation,) = check_source("import math as np", NUMPY, reserved=SETUP_NAMES)
    assert violation.rule == "shadow"


def test_ipython_lines_are_found_only_where_the_source_is_not_python():
    assert ipython_lines("%matplotlib inline\nimport numpy as np") == [1]
    assert ipython_lines('x = """\n%s\n"""') == []


# ---------------------------------------------------------------------------------------------
# The visible checks apply the same policy to the notebook cell that defined the function
# ---------------------------------------------------------------------------------------------


def _from_a_cell(source, name, **names):
    """``name`` defined as a notebook cell defines it: in ``__main__``, its source kept where
    IPython keeps a cell's (``linecache``, under a name that is no file on disk)."""
    filename = f"/nonexistent/ipykernel/{abs(hash(source))}.py"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    namespace = {"__name__": "__main__", "np": np, "math": math, **names}
    exec(compile(source, filename, "exec"), namespace)
    return namespace[name]


def test_a_check_passes_an_honest_cell_and_refuses_one_that_uses_the_reference(capsys):
    from course_utils import optim
    from course_utils.checks import CheckFailed
    from course_utils.lessons.adagrad import check_adagrad_update

    honest = _from_a_cell(HONEST["a helper, np.square, in place on copies"], "adagrad_update")
    check_adagrad_update(honest)
    assert capsys.readouterr().out.startswith("✔")
    cheat = _from_a_cell(REFUSED["uses the notebook's optim"][0], "adagrad_update", optim=optim)
    with pytest.raises(CheckFailed, match=r"line 3 uses `optim`, which this exercise does not"):
        check_adagrad_update(cheat)
    check_adagrad_update(optim.adagrad_update)  # from a module, not a cell: not read


def test_a_check_that_wraps_the_learners_function_still_reads_its_cell():
    """check_sgd_epoch calls the learner's function through a wrapper; the cell it reads is
    still the learner's, so the notebook refuses what grading refuses (exercise 1's function)."""
    from course_utils.checks import CheckFailed
    from course_utils.lessons.stochastic_gradient_descent import check_sgd_epoch

    source = (
        "def sgd_epoch(w, X, y, lr, rng):\n"
        "    for i in rng.permutation(len(X)):\n"
        "        w = w - lr * per_example_gradients(w, X[i:i + 1], y[i:i + 1])[0]\n"
        "    return w\n"
    )
    reused = _from_a_cell(source, "sgd_epoch", per_example_gradients=None)
    with pytest.raises(CheckFailed, match=r"line 3 uses `per_example_gradients`, which this"):
        check_sgd_epoch(reused)


def test_a_lesson_declares_a_wider_policy_where_its_exercise_needs_one():
    from course_utils.lessons.adagrad import check_adagrad_update
    from course_utils.lessons.training_a_network import check_training_choice

    assert getattr(check_adagrad_update, "policy", NUMPY) == NUMPY
    assert "torch" in check_training_choice.policy.imports
    assert "torch" in check_training_choice.policy.names
    refused = _from_a_cell(
        "import os\n\ndef make_optimizer(model, total_steps):\n    return None, None",
        "make_optimizer",
    )
    from course_utils.checks import CheckFailed

    with pytest.raises(CheckFailed, match="line 1 imports os"):
        check_training_choice(refused, 1, 32)
