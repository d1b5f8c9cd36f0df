r"""What an exercise's solution may use, read from its source before it runs.

Each exercise declares a ``Policy``: the modules its solution may import, the names of the
notebook it may use (module aliases such as ``np``), the parts of those modules it must not
touch, and a label for the messages ("NumPy alone"). ``check_source(source, policy)`` reads a
solution cell with Python's ``ast`` and ``symtable`` (nothing runs) and returns a
``Violation(line, rule, text)`` for each thing it refuses; ``enforce`` raises ``PolicyError``
with the first, phrased for a learner:

    line 3 uses `optim`, which this exercise does not allow: it is graded on NumPy alone

By default a solution has its own definitions, NumPy, ``math`` and the safe builtins
(``SAFE_BUILTINS``). Refused, whatever the policy:

- importing a module the policy does not list, anything of ``course_utils``, relative and
  ``*`` imports; using a name the cell does not define that is neither a safe builtin nor one
  of the policy's names (``optim.adagrad_update(...)``, even where the notebook imported
  ``optim``);
- any name, attribute or string with a double underscore; ``exec``, ``eval``, ``compile``,
  ``open``, ``getattr``, ``setattr``, ``delattr``, ``globals``, ``locals``, ``vars``,
  ``get_ipython``, ``breakpoint``, ``input``, ``type`` ...; metaclasses;
- assigning, augmenting or deleting an attribute of a module (``np.allclose = ...``), using a
  module as a value (``m = np``, so that no alias escapes this rule), a module's private
  parts (``np._core``), a path that reaches a module the policy does not allow
  (``np.lib.npyio.os``) or one of its ``forbidden`` parts (``torch.optim``);
- the libraries' doors to files, memory and compiled code (``np.load``, ``np.save*``,
  ``np.fromfile``, ``np.memmap``, ``np.ctypeslib``, ``np.lib.format``, ``.tofile``,
  ``torch.load`` ...) and the attributes that look into running code (``.gi_frame``,
  ``.f_back``, ``.f_globals`` ...);
- at the top of the cell, redefining a builtin, one of the policy's names or a ``reserved``
  name (the notebook's setup: its checks, its imports), since the test cell would see it;
- IPython commands (``%timeit``, ``!ls``).

Honest code passes in any ordinary style: helpers and nested functions, lambdas,
comprehensions, ``math.sqrt``, ``np.square``, in-place updates on copies, classes without
double-underscore methods, try/except, f-strings.
"""

import ast
import builtins
import importlib
import re
import symtable
import sys
import types
from dataclasses import dataclass

__all__ = [
    "Policy",
    "Violation",
    "PolicyError",
    "NUMPY",
    "SAFE_BUILTINS",
    "check_source",
    "enforce",
    "ipython_lines",
]

# The builtins a solution may use: values, containers, arithmetic, iteration, exceptions.
SAFE_BUILTINS = (
    "abs", "all", "any", "ascii", "bin", "bool", "bytearray", "bytes", "callable", "chr",
    "classmethod", "complex", "dict", "divmod", "enumerate", "filter", "float", "format",
    "frozenset", "hash", "hex", "id", "int", "isinstance", "issubclass", "iter", "len", "list",
    "map", "max", "min", "next", "object", "oct", "ord", "pow", "print", "property", "range",
    "repr", "reversed", "round", "set", "slice", "sorted", "staticmethod", "str", "sum",
    "super", "tuple", "zip", "NotImplemented", "Ellipsis",
    "ArithmeticError", "AssertionError", "AttributeError", "Exception", "FloatingPointError",
    "IndexError", "KeyError", "LookupError", "NotImplementedError", "OverflowError",
    "RuntimeError", "StopIteration", "TypeError", "ValueError", "ZeroDivisionError",
    "RuntimeWarning", "UserWarning", "Warning",
)  # fmt: skip

# Builtins no exercise may use, each named in its message.
REFUSED_BUILTINS = (
    "exec", "eval", "compile", "open", "getattr", "setattr", "delattr", "hasattr", "globals",
    "locals", "vars", "dir", "get_ipython", "breakpoint", "input", "exit", "quit", "help",
    "type", "memoryview",
)  # fmt: skip

# The libraries' doors to files, memory, pickles and compiled code, refused under any policy.
DOORS = (
    "numpy.load", "numpy.save", "numpy.savez", "numpy.savez_compressed", "numpy.savetxt",
    "numpy.fromfile", "numpy.memmap", "numpy.loadtxt", "numpy.genfromtxt", "numpy.fromregex",
    "numpy.DataSource", "numpy.ctypeslib", "numpy.f2py", "numpy.distutils", "numpy.testing",
    "numpy.tests", "numpy.conftest", "numpy.lib.format", "numpy.lib.npyio",
    "numpy.lib.stride_tricks.as_strided", "numpy.rec.fromfile", "numpy.ma.load",
    "numpy.ma.loads", "numpy.ma.dump", "numpy.ma.dumps", "numpy.ma.mrecords",
    "torch.load", "torch.save", "torch.from_file", "torch.hub", "torch.ops", "torch.classes",
    "torch.library", "torch.package", "torch.jit", "torch.compile", "torch.utils.cpp_extension",
    "torch.multiprocessing", "torch.distributed", "torch.serialization", "torch.backends",
    "torch.set_default_dtype", "torch.set_default_device", "torch.set_default_tensor_type",
)  # fmt: skip

# Attributes refused on any object: files, pointers, and frames of running code.
_DOOR_ATTRIBUTES = frozenset({"tofile", "dump", "ctypes", "from_file", "load_library"})
_INTROSPECTION = frozenset(
    {
        "gi_frame", "gi_code", "gi_yieldfrom", "cr_frame", "cr_code", "cr_await", "ag_frame",
        "ag_code", "ag_await", "f_back", "f_globals", "f_locals", "f_builtins", "f_code",
        "f_trace", "tb_frame", "tb_next", "co_code", "co_consts", "co_names", "func_globals",
        "mro",
    }
)  # fmt: skip

# The module each usual alias stands for, when a policy lets a solution use it.
MODULE_ALIASES = {"np": "numpy", "math": "math", "torch": "torch"}

# The rules, most telling first: on one line, a message names the first that applies.
_RULES = (
    "ipython", "syntax", "import", "door", "forbidden", "metaclass", "name", "dunder",
    "shadow", "module-attribute", "private", "introspection", "module-value",
)  # fmt: skip
_DUNDER = re.compile(r"__")
_MAGIC = re.compile(r"^\s*(%|!)")


@dataclass(frozen=True)
class Policy:
    """What a solution may use.

    ``imports``: modules it may import (their submodules too); ``names``: names of the notebook
    it may use without defining them (module aliases; see ``MODULE_ALIASES``); ``forbidden``:
    modules or attributes refused even under an allowed import (``"torch.optim"``); ``label``:
    what the exercise is graded on, as the messages say it ("NumPy alone").
    """

    imports: tuple = ("numpy", "math")
    names: tuple = ("np", "math")
    forbidden: tuple = ()
    label: str = "NumPy alone"


NUMPY = Policy()


@dataclass(frozen=True)
class Violation:
    """One thing a policy refuses: its line in the cell, a rule's id, and what it is."""

    line: int
    rule: str
    text: str

    def __str__(self):
        return f"line {self.line} {self.text}"


class PolicyError(Exception):
    """A solution uses what its exercise does not allow; ``violations`` lists everything."""

    def __init__(self, violations):
        self.violations = list(violations)
        first = self.violations[0]
        more = len(self.violations) - 1
        super().__init__(f"{first}" + (f" (and {more} more)" if more else ""))


def enforce(source, policy=NUMPY, *, reserved=(), also=(), first_line=1):
    """Raise ``PolicyError`` if ``source`` breaks ``policy``; see ``check_source``."""
    violations = check_source(source, policy, reserved=reserved, also=also, first_line=first_line)
    if violations:
        raise PolicyError(violations)


def check_source(source, policy=NUMPY, *, reserved=(), also=(), first_line=1):
    """Every ``Violation`` of ``policy`` in a solution cell's ``source``, in line order.

    ``reserved``: names the cell must not redefine at its top (the setup's), besides the
    builtins and the policy's names; ``also``: names of the notebook it may use besides the
    policy's (the exercise's own check, which a learner may call in the same cell);
    ``first_line``: the number of the source's first line.
    """
    violations, tree, python = _parse(source)
    if tree is not None:
        violations += _Reader(policy, python, frozenset(reserved), frozenset(also)).read(tree)
    offset, seen, kept = first_line - 1, set(), []
    for violation in sorted(violations, key=lambda v: (v.line, _RULES.index(v.rule))):
        if (violation.line, violation.rule) not in seen:  # one per rule and line
            seen.add((violation.line, violation.rule))
            kept.append(Violation(violation.line + offset, violation.rule, violation.text))
    return kept


def ipython_lines(source):
    """The numbers (from 1) of the lines of ``source`` that are IPython commands, not Python:
    ``%magic``, ``%%cell magic``, ``!shell``; none where ``source`` parses as Python."""
    try:
        ast.parse(source)
        return []
    except SyntaxError:
        return [k for k, line in enumerate(source.splitlines(), 1) if _MAGIC.match(line)]


def _parse(source):
    """``(violations, tree, source as Python)``: IPython lines become ``pass`` and are refused."""
    violations = []
    lines = source.splitlines()
    for number in ipython_lines(source):
        violations.append(Violation(number, "ipython", _command(lines[number - 1].strip())))
        indent = lines[number - 1][: len(lines[number - 1]) - len(lines[number - 1].lstrip())]
        lines[number - 1] = indent + "pass"
    python = "\n".join(lines)
    try:
        tree = ast.parse(python)
        symtable.symtable(python, "<cell>", "exec")
    except SyntaxError as error:
        why = error.msg or "a syntax error"
        violations.append(Violation(error.lineno or 1, "syntax", f"is not valid Python ({why})"))
        return violations, None, python
    return violations, tree, python


def _under(path, prefixes):
    return any(path == p or path.startswith(p + ".") for p in prefixes)


class _Reader:
    """One reading of one cell under one policy."""

    def __init__(self, policy, source, reserved, also):
        self.policy, self.source, self.reserved, self.also = policy, source, reserved, also
        self.violations = []
        self.modules = {n: MODULE_ALIASES[n] for n in policy.names if n in MODULE_ALIASES}

    def refuse(self, node, rule, text):
        self.violations.append(Violation(getattr(node, "lineno", 1), rule, text))

    def read(self, tree):
        parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                self.imports(node)
        for node in ast.walk(tree):
            self.dunders(node)
            if isinstance(node, ast.Attribute):
                self.attribute(node, parents.get(node))
            elif isinstance(node, ast.Name) and node.id in self.modules:
                parent = parents.get(node)
                if isinstance(node.ctx, ast.Load) and not (
                    isinstance(parent, ast.Attribute) and parent.value is node
                ):
                    self.module_as_value(node, node.id)
            elif isinstance(node, ast.Call) and _ipython_call(node):
                self.refuse(node, "ipython", _command(_ipython_call(node)))
            elif isinstance(node, ast.ClassDef) and node.keywords:
                self.refuse(
                    node, "metaclass", "gives a class keywords (a metaclass?): define a plain class"
                )
        self.names(tree)
        return self.violations

    # -- imports ---------------------------------------------------------------------------

    def imports(self, node):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                self.refuse(
                    node, "import", "imports from a relative path, which no exercise allows"
                )
                return
            module = node.module or ""
            if not self.import_allowed(node, module):
                return
            for alias in node.names:
                if alias.name == "*":
                    self.refuse(
                        node,
                        "import",
                        f"imports everything from {module} with `*`: import the names you use "
                        "one by one",
                    )
                    continue
                path = f"{module}.{alias.name}"
                if self.door_or_forbidden(node, path, f"imports {path}"):
                    continue
                value = _resolve(path)
                if isinstance(value, types.ModuleType):
                    if self.import_allowed(node, value.__name__, shown=path):
                        self.modules[alias.asname or alias.name] = path
                else:
                    self.builtin_reached(node, value, path)
            return
        for alias in node.names:
            if self.import_allowed(node, alias.name):
                if alias.asname:
                    self.modules[alias.asname] = alias.name
                else:
                    root = alias.name.split(".")[0]
                    self.modules[root] = root

    def import_allowed(self, node, module, shown=None):
        shown = shown or module
        if _DUNDER.search(module):
            return False  # refused as a double-underscore name
        if not _under(module, self.policy.imports) or _under(module, ("course_utils",)):
            self.refuse(
                node,
                "import",
                f"imports {shown}, which this exercise does not allow: it is graded on "
                f"{self.policy.label}",
            )
            return False
        return not self.door_or_forbidden(node, module, f"imports {shown}")

    def door_or_forbidden(self, node, path, doing):
        if _under(path, DOORS):
            self.refuse(
                node,
                "door",
                f"{doing}, a door to files, memory or compiled code, which no exercise may use",
            )
            return True
        if _under(path, self.policy.forbidden):
            self.refuse(
                node,
                "forbidden",
                f"{doing}, which this exercise does not allow: it is graded on {self.policy.label}",
            )
            return True
        return False

    # -- names -----------------------------------------------------------------------------

    def dunders(self, node):
        named = []
        if isinstance(node, ast.Name):
            named = [node.id]
        elif isinstance(node, ast.Attribute):
            named = [node.attr]
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            named = [node.name]
        elif isinstance(node, ast.arg):
            named = [node.arg]
        elif isinstance(node, ast.keyword):
            named = [node.arg or ""]
        elif isinstance(node, ast.alias):
            named = [node.name, node.asname or ""]
        elif isinstance(node, ast.ImportFrom):
            named = [node.module or ""]
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            named = node.names
        elif isinstance(node, (ast.ExceptHandler, ast.MatchAs, ast.MatchStar)):
            named = [node.name or ""]
        elif isinstance(node, ast.MatchMapping):
            named = [node.rest or ""]
        elif isinstance(node, ast.MatchClass):
            named = node.kwd_attrs
        elif isinstance(node, ast.Constant) and isinstance(node.value, (str, bytes)):
            text = node.value if isinstance(node.value, str) else node.value.decode("latin-1")
            if _DUNDER.search(text):
                self.refuse(
                    node,
                    "dunder",
                    "has a string with a double underscore, which an exercise may not use",
                )
            return
        for name in named:
            if _DUNDER.search(name):
                self.refuse(
                    node,
                    "dunder",
                    f"uses `{name}`: names with a double underscore are not allowed in an exercise",
                )

    def names(self, tree):
        """Free names the policy does not allow; top-level names that shadow the grader's."""
        table = symtable.symtable(self.source, "<cell>", "exec")
        defined, free = set(), set()
        top = table.get_symbols()
        for symbol in top:
            if symbol.is_assigned() or symbol.is_imported():
                defined.add(symbol.get_name())

        def visit(scope):
            for symbol in scope.get_symbols():
                name = symbol.get_name()
                if symbol.is_declared_global() and symbol.is_assigned():
                    defined.add(name)
                elif symbol.is_referenced() and symbol.is_global():
                    free.add(name)
            for child in scope.get_children():
                visit(child)

        for child in table.get_children():
            visit(child)
        free |= {s.get_name() for s in top if s.is_referenced()}
        free -= defined
        lines = _first_lines(tree)
        allowed = set(SAFE_BUILTINS) | set(self.policy.names) | self.also
        for name in sorted(free - allowed):
            line = lines["load"].get(name, 1)
            if _DUNDER.search(name):
                continue  # refused as a double-underscore name
            if name in REFUSED_BUILTINS:
                text = f"uses `{name}`, which no exercise may use"
            else:
                text = (
                    f"uses `{name}`, which this exercise does not allow: it is graded on "
                    f"{self.policy.label} and what this cell defines"
                )
            self.violations.append(Violation(line, "name", text))
        own_imports = {
            name for name, module in self.modules.items() if MODULE_ALIASES.get(name) == module
        }
        for name in sorted(defined):
            line = lines["store"].get(name, 1)
            if name in own_imports and name in lines["import"]:
                continue  # `import numpy as np` again: the same module under the same name
            if name in dir(builtins):
                text = f"redefines `{name}`, one of Python's builtins: give yours another name"
            elif name in self.policy.names or name in self.reserved:
                text = (
                    f"redefines `{name}`, which the notebook's setup defines: give yours "
                    "another name"
                )
            else:
                continue
            self.violations.append(Violation(line, "shadow", text))

    # -- attributes ------------------------------------------------------------------------

    def attribute(self, node, parent):
        if node.attr in _INTROSPECTION:
            self.refuse(
                node, "introspection", f"uses `.{node.attr}`, which looks into running code"
            )
            return
        if node.attr in _DOOR_ATTRIBUTES:
            self.refuse(
                node,
                "door",
                f"uses `.{node.attr}`, a door to files, memory or compiled code, which no "
                "exercise may use",
            )
            return
        chain = _chain(node)
        if chain is None or chain[0] not in self.modules:
            return
        shown = ".".join(chain)
        path = ".".join([self.modules[chain[0]], *chain[1:]])
        private = [k for k, name in enumerate(chain) if k and name.startswith("_")]
        if private:
            if not _DUNDER.search(chain[private[0]]):  # else refused as a double underscore
                self.refuse(
                    node,
                    "private",
                    f"uses `{'.'.join(chain[: private[0] + 1])}`, a private part of a library: "
                    "use its public names",
                )
            return
        if isinstance(node.ctx, (ast.Store, ast.Del)):
            doing = "deletes" if isinstance(node.ctx, ast.Del) else "assigns to"
            self.refuse(
                node,
                "module-attribute",
                f"{doing} `{shown}`, an attribute of a module: an exercise may not change a "
                "library",
            )
            return
        if self.door_or_forbidden(node, path, f"uses `{shown}`"):
            return
        value = _resolve(path)
        if isinstance(value, types.ModuleType):
            name = value.__name__
            if not _under(name, self.policy.imports) or _under(name, ("course_utils",)):
                self.refuse(
                    node,
                    "import",
                    f"reaches the module {name} through `{shown}`, which this exercise does not "
                    f"allow: it is graded on {self.policy.label}",
                )
                return
            if self.door_or_forbidden(node, name, f"uses `{shown}`"):
                return
            if not (isinstance(parent, ast.Attribute) and parent.value is node):
                self.module_as_value(node, shown)
        else:
            self.builtin_reached(node, value, shown)

    def module_as_value(self, node, shown):
        self.refuse(
            node,
            "module-value",
            f"uses the module `{shown}` itself as a value: use its functions by their full "
            f"names, e.g. `{shown}.something(...)`",
        )

    def builtin_reached(self, node, value, shown):
        for name in REFUSED_BUILTINS:
            if value is not None and value is getattr(builtins, name, None):
                self.refuse(
                    node, "name", f"uses `{shown}`, which is `{name}`, which no exercise may use"
                )


# How IPython writes a magic or a shell line in the code it runs: (method, how it was typed).
_IPYTHON_METHODS = {
    "run_line_magic": "%{}",
    "run_cell_magic": "%%{}",
    "system": "!{}",
    "getoutput": "!{}",
}


def _ipython_call(node):
    """``%timeit ...`` for ``get_ipython().run_line_magic('timeit', '...')``, else None."""
    func = node.func
    if not (
        isinstance(func, ast.Attribute)
        and func.attr in _IPYTHON_METHODS
        and isinstance(func.value, ast.Call)
        and isinstance(func.value.func, ast.Name)
        and func.value.func.id == "get_ipython"
    ):
        return None
    words = [a.value for a in node.args[:2] if isinstance(a, ast.Constant)]
    return _IPYTHON_METHODS[func.attr].format(" ".join(map(str, words)).strip())


def _command(typed):
    """The message for an IPython command ``typed`` in a solution cell."""
    shown = typed if len(typed) <= 40 else typed[:37] + "..."
    return f"is an IPython command (`{shown}`), which a graded cell cannot run: delete it"


def _chain(node):
    """``["np", "linalg", "norm"]`` for ``np.linalg.norm``; None unless rooted at a name."""
    names = []
    while isinstance(node, ast.Attribute):
        names.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    return [node.id, *reversed(names)]


_MISSING = object()


def _resolve(path):
    """The object at a dotted ``path`` (importing its first module), or None if there is none.

    Only modules already imported are read, plus the root of ``path``: reading the policy's
    own modules (numpy, math, torch) is what the solution would do itself.
    """
    parts = path.split(".")
    try:
        value = sys.modules.get(parts[0]) or importlib.import_module(parts[0])
    except Exception:  # an unknown or broken module: the solution will fail on its own
        return None
    for part in parts[1:]:
        try:
            value = getattr(value, part, _MISSING)
        except Exception:
            return None
        if value is _MISSING:
            return None
    return value


def _first_lines(tree):
    """The first line where each name is read, bound, or bound by an import."""
    lines = {"load": {}, "store": {}, "import": {}}
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            kind = "load" if isinstance(node.ctx, ast.Load) else "store"
            names = [(kind, node.id)]
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names = [("store", node.name)]
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            bound = [a.asname or a.name.split(".")[0] for a in node.names]
            names = [(kind, name) for name in bound for kind in ("store", "import")]
        else:
            continue
        for kind, name in names:
            known = lines[kind].get(name)
            lines[kind][name] = node.lineno if known is None else min(known, node.lineno)
    return lines
