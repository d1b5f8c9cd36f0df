r"""The check engine: every exercise's check is a table of data that ``check_function`` runs.

A check compares a learner's function with the reference solution on a list of cases. If all
agree it prints one line (``✔ adam_update matches the reference on 19 cases.``); otherwise it
raises ``CheckFailed``, an ``AssertionError`` whose message says in one or two plain sentences
what differs, on which call, and, where it can tell, why. IPython shows just that message (no
traceback, via ``_render_traceback_``), pytest hides our frames (``__tracebackhide__``), and
nbgrader still sees an error.

Writing a check
---------------
A lesson's checks live in ``course_utils/lessons/<lesson>/checks.py``; each is one call,

    def check_sgd_update(fn):
        __tracebackhide__ = True
        check_function(fn, "sgd_update", reference=optim.sgd_update, cases=_CASES,
                       outputs=("w",), mutants=_MUTANTS)

over three tables:

- **cases**: ``make_case(label, reference, inputs, hyperparameters, call)`` builds one call;
  ``call`` is ``"keyword"`` (hyperparameters by their contract names), ``"positional"`` or
  ``"defaults"`` (hyperparameters equal to the reference's defaults are left out, so a wrong
  default is caught). ``Case(label, args, kwargs)`` writes one directly. Seed the random
  inputs; cover shapes, float32, edge values and hyperparameters that tell the known mistakes
  apart. The expected values are the reference's.
  A function among the inputs (a gradient to descend) is wrapped in ``Shown(text, fn)`` so
  that messages show ``text`` instead of a lambda's address.
- **mutants**: the known mistakes, each a ``Mutant(fn, diagnosis)``. ``fn`` is called with
  every argument by its contract name (defaults filled in); ``diagnosis`` is the sentence
  shown after "Likely cause:" when the learner's results match the mutant's. One mutant per
  argument with a default is added for you: the reference with that argument stuck at its
  default ("your function ignores `eps`"), which is how hard-coded values show.
- **the answer**: what the function returns and how it is compared.
  ``outputs=("w", "velocity")`` (short for ``answer=Arrays("w", "velocity")``): NumPy arrays,
  one name meaning a single array, several a tuple in that order, each checked for its type,
  shape and dtype, then compared to a tolerance (``tolerances={np.float64: (rtol, atol)}``
  for stricter ones); a string output is a label, compared by equality (``labels=`` lists
  the allowed ones). For one answer rather than arrays: ``answer=Number(hint)`` (one real
  number at the precision of the inputs: a loss, a slope, a learning rate),
  ``answer=Label(labels)`` (one of a few strings) or ``answer=Index()`` (an int or None).

An update rule's check is shorter still: ``course_utils.rule_checks.check_rule`` draws its
cases from rows and adds the mistakes every rule can make.

Where the default words do not fit the exercise, three hooks (each optional):

- ``describe(case) -> str``: the call as the message shows it (default:
  ``adam_update(w, grad, m, v, 3, eps=0.1) with float64 arrays of shape (3, 4)``);
- ``explain(comparison, comparisons) -> str``: a sentence after what differs, e.g. the values
  around the wrong one on a curve (``comparison`` is the failing case's ``Comparison``,
  ``comparisons`` every case's);
- ``refuse(result, arguments) -> (what, hint) or None``: a result the exercise's words
  describe better than the answer's checks would ("returned one row too many"); called
  before them, on any result, with the case's arguments by name.

What a check does
-----------------
For each case, in order, it:

1. calls the learner's function on copies of the array and list arguments (the originals
   are kept to compare with), reporting an exception in one line: its type, message and the
   line of the learner's code that raised it;
2. fails if an input array or list was changed in place, if the ``refuse`` hook objects, or
   if the answer is malformed: nothing returned (a forgotten ``return``); for ``Arrays``,
   several outputs as anything but a tuple of the right length (not a list either: the
   graders unpack a tuple), or an output that is not a NumPy array (a list, a torch tensor),
   has the wrong shape, or the wrong dtype (float32 inputs must give float32, float64 inputs
   float64); for one answer, anything but one number, one allowed label or an index;
3. compares the values: ``|got − expected| ≤ rtol·|expected| + atol·scale``, with rtol, atol
   = 1e-6, 1e-9 in float64 and 1e-5, 1e-6 in float32 unless the check sets its own, and the
   scale the array's largest value (so tiny states are compared as strictly as large ones;
   ``Number(scale=...)`` can set another); a check whose reference is a few exact operations
   passes stricter tolerances, e.g. ``tolerances={np.float64: (1e-10, 1e-12)}``, so that
   float64 computed in float32 fails. nan matches nan, and inf only the same inf;
4. fails if a correct array output is one of the arrays it was given (results must be new).

Every case runs even after a wrong value, so that the diagnosis can use them all. The first
failing case is reported, unless a later one cannot call the function as the exercise's
signature says (a TypeError about its arguments): the signature is the first thing to fix.
For wrong values the likely cause is, in order: a default that differs from the exercise's
(read off the learner's signature) when that case relied on the defaults; parameters in another
order than the exercise's when that case passed them by position; else the mutant that agrees
with the learner on the failing case and on the most cases overall, if that is at least half of
them (the first listed wins a tie: a mutant that only happens to hit the failing value would
send the learner after the wrong bug); else, where the check set stricter tolerances, float64
results right only to the default tolerance (float32's precision) on every case.

A check that is not a table of cases (training a network to a target, a challenge run on the
learner's settings) still speaks with ``passed(text)`` and ``CheckFailed``.

Questions: concept, predict and derive exercises
------------------------------------------------
An answer that is a value, not a function, is checked against a table too:

- ``question(name, correct=, why=, wrong={option: feedback})`` for a multiple-choice
  question (concept) or a prediction (predict): the learner sets ``name`` to an option; a wrong
  option gets its own feedback, the right one ``why``. For a prediction, ``correct`` may be a
  function of no arguments that runs the experiment and returns ``(option, what_happened)``:
  the check then grades on the experiment's outcome and says what happened either way.
- ``numeric(name, value=, why=, mistakes=((value, diagnosis), ...), rtol=)`` for a number the
  learner derives: right within ``rtol``; a value near a named mistake gets its diagnosis, any
  other says too large or too small and ``hint``. ``value`` may be a function of no arguments
  (computed by the reference when the check runs).

After an exercise, ``prefer_yours(fn, check, reference)`` is what the lesson's later cells run:
the learner's function if it passes its check, else the reference, saying which in one line.

What a solution may use
-----------------------
Each exercise has a policy (``course_utils.policy``): by default its own definitions, NumPy,
``math`` and safe builtins, never ``course_utils``. Before its cases, a check reads the notebook
cell that defined the learner's function (where IPython keeps it) and raises ``CheckFailed``
naming the line and the rule if the cell breaks the policy, as grading would refuse it; a
function defined in a file or a module is not read. A check whose exercise allows more
declares it where it is written, and grading reads it from there (``check.policy``)::

    @graded_on(Policy(imports=("torch", "numpy", "math"), names=("torch", "np", "math"),
                      label="torch, NumPy and math"))
    def check_training_choice(make_optimizer, epochs, batch_size): ...
"""

import contextlib
import contextvars
import functools
import inspect
import io
import linecache
import numbers
import os
import sysconfig
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from . import validation
from .policy import NUMPY, PolicyError, enforce

__all__ = [
    "CheckFailed",
    "Case",
    "Mutant",
    "Shown",
    "Comparison",
    "Arrays",
    "Number",
    "Label",
    "Index",
    "make_case",
    "check_function",
    "graded_on",
    "follow_policy",
    "passed",
    "describe_error",
    "changed_inputs",
    "wrong_default",
    "show_both",
    "with_article",
    "question",
    "numeric",
    "prefer_yours",
]

_TOLERANCES = {np.dtype(np.float32): (1e-5, 1e-6), np.dtype(np.float64): (1e-6, 1e-9)}
_NUMBERS = "biuf"  # dtype kinds compared as numbers
_PACKAGE = os.path.dirname(os.path.abspath(__file__))
_LIBRARIES = tuple({sysconfig.get_paths()[key] for key in ("stdlib", "purelib", "platlib")})
_NO_RETURN = ("returned None", "Did you forget `return`?")


# A derived number this many tolerances off was rounded too early, not derived wrongly.
CLOSE = 30

# What every check says while the learner's function is still nbgrader's stub.
NOT_WRITTEN = "is not written yet: replace `raise NotImplementedError()` with your code"


class CheckFailed(AssertionError):
    """The learner's function disagrees with the reference; the message says how and why."""

    def _render_traceback_(self):
        # IPython shows these lines instead of a traceback: the message is the whole story.
        return [f"{type(self).__name__}: {self}"]


@dataclass(frozen=True)
class Case:
    """One call ``fn(*args, **kwargs)``; ``label`` says in a few words what it is for."""

    label: str
    args: tuple
    kwargs: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Mutant:
    """A known-wrong implementation (all arguments by contract name) and what it gets wrong."""

    fn: Callable
    diagnosis: str


class Shown:
    """A function passed to the learner's, shown in messages as ``text`` (``grad_rosenbrock``,
    ``lambda w: w**3``) rather than as a lambda's address."""

    def __init__(self, text, fn):
        self.text, self.fn = text, fn

    def __call__(self, *args):
        return self.fn(*args)

    def __repr__(self):
        return self.text


class Comparison(NamedTuple):
    """A case compared: its arguments by contract name (defaults filled in; not to be changed),
    the learner's answer and the reference's, as the answer reads them."""

    case: Case
    arguments: dict
    got: object
    expected: object


class Where(NamedTuple):
    """Which case failed: 'on case 3 of 17, large ε: adam_update(w, grad, m, v, 3, eps=0.1)'."""

    number: int
    total: int
    label: str
    call: str

    def __str__(self):
        return f"on case {self.number} of {self.total}, {self.label}: {self.call}"


def make_case(label, reference, inputs, hyperparameters, call="keyword"):
    """A ``Case`` that passes ``inputs`` by position and ``hyperparameters`` as ``call`` says.

    ``"keyword"``: by name; ``"positional"``: by position, in the reference's order, defaults
    filling any gap before the last one given; ``"defaults"``: by name, leaving out those equal
    to the reference's default.
    """
    validation.choice("call", call, ("keyword", "positional", "defaults"))
    parameters = list(inspect.signature(reference).parameters.values())
    if call == "positional":
        rest = parameters[len(inputs) :]
        given = [k for k, p in enumerate(rest) if p.name in hyperparameters]
        rest = rest[: given[-1] + 1] if given else []
        return Case(label, (*inputs, *(hyperparameters.get(p.name, p.default) for p in rest)))
    if call == "defaults":
        defaults = {p.name: p.default for p in parameters}
        hyperparameters = {k: v for k, v in hyperparameters.items() if defaults[k] != v}
    return Case(label, tuple(inputs), dict(hyperparameters))


def passed(text):
    """The one line a check prints when it passes: ``✔`` and ``text``."""
    print(f"✔ {text}")


def check_function(
    fn,
    name,
    *,
    reference,
    cases,
    outputs=(),
    answer=None,
    mutants=(),
    labels=(),
    tolerances=None,
    describe=None,
    explain=None,
    refuse=None,
):
    """Print one line if ``fn`` agrees with ``reference`` on every case, else raise CheckFailed.

    ``outputs``, ``labels``, ``tolerances``: the default answer, ``Arrays(*outputs,
    labels=labels, tolerances=tolerances)``; ``answer``: another (``Number``, ``Label``,
    ``Index``). ``describe``, ``explain``, ``refuse``: hooks, see the module's docstring.
    """
    __tracebackhide__ = True
    if not callable(fn):
        raise TypeError(f"fn must be your function itself, e.g. check_{name}({name}); got {fn!r}")
    if not _POLICY_APPLIED.get():
        follow_policy(fn, check=f"check_{name}")
    if answer is None:
        answer = Arrays(*outputs, labels=labels, tolerances=tolerances)
    signature = inspect.signature(reference)
    mutants = (*mutants, *_ignoring_arguments(signature, reference))
    comparisons = []  # a Comparison for each case compared
    failure = None  # (case number, (what, hint), or None for wrong values)
    for number, case in enumerate(cases, 1):
        arguments = _by_name(case, signature)
        expected = answer.read(_call(reference, case.args, case.kwargs))
        args, kwargs = _copy(case.args), _copy(case.kwargs)
        try:
            with np.errstate(all="ignore"):
                result = fn(*args, **kwargs)
        except NotImplementedError:  # the released stub, still in place
            raise CheckFailed(f"{name} {NOT_WRITTEN}.") from None
        except Exception as error:
            problem = describe_error(error, name, signature)
            if _about_arguments(error):  # the signature is the first thing to fix
                failure = None
        else:
            given = signature.bind(*args, **kwargs).arguments
            problem = (
                changed_inputs(case, given, signature)
                or (refuse(result, arguments) if refuse else None)
                or answer.malformed(result, expected)
            )
        if problem is None:
            got = answer.read(result)
            if answer.agree(got, expected, arguments):
                problem = answer.aliased(got, given)
            elif failure is None:
                failure = (number, None)
            comparisons.append(Comparison(case, arguments, got, expected))
        if problem is not None:
            failure = failure or (number, problem)
            break
    if failure is None:
        passed(f"{name} matches the reference on {len(cases)} cases.")
        return
    number, problem = failure
    case = cases[number - 1]
    call = describe(case) if describe else _describe(case, name, signature)
    where = Where(number, len(cases), case.label, call)
    if problem is not None:
        what, hint = problem
        raise CheckFailed(f"{name} {what} {where}." + (f" {hint}" if hint else "")) from None
    failing = comparisons[number - 1]
    message = answer.wrong(name, where, failing)
    extra = explain(failing, comparisons) if explain else ""
    cause = (
        wrong_default(fn, case, reference)
        or _reordered_parameters(fn, case, reference)
        or _matching_mutant(answer, failing, comparisons, mutants)
        or _imprecise(answer, failing, comparisons)
    )
    raise CheckFailed(
        message + (f" {extra}" if extra else "") + (f" Likely cause: {cause}" if cause else "")
    ) from None


# ---------------------------------------------------------------------------------------------
# Questions: an answer that is a value (concept, predict, derive)
# ---------------------------------------------------------------------------------------------


def question(name, *, correct, why, wrong):
    """The check of a multiple-choice question or a prediction: ``check(answer)`` passes when
    ``answer`` is the right option, else says why that option is wrong (``wrong[option]``).

    ``correct``: the right option (``"b"``), or, for a prediction, a function of no arguments
    that runs the experiment and returns ``(option, what_happened)``. ``why``: the sentence
    shown with the right answer. ``wrong``: feedback for every other option.
    """

    def check(answer):
        __tracebackhide__ = True
        right, happened = correct() if callable(correct) else (correct, "")
        options = sorted({right, *wrong}, key=str)
        if isinstance(answer, (bool, np.bool_)) or answer not in options:
            allowed = ", ".join(map(repr, options[:-1])) + f" or {options[-1]!r}"
            meant = answer.strip().lower() if isinstance(answer, str) else None
            if meant in options:  # the grader compares strings exactly, so say so now
                raise CheckFailed(f"Set {name} to {meant!r}, exactly; it is {answer!r}.")
            raise CheckFailed(f"Set {name} to one of {allowed}; it is {answer!r}.")
        said = f"{happened} " if happened else ""
        if answer != right:
            raise CheckFailed(f"Not {answer!r}. {said}{wrong[answer]}")
        passed(f"{answer!r} is right. {said}{why}")

    check.__name__ = check.__qualname__ = f"check_{name}"
    check.__doc__ = f"Check your answer `{name}` (one of the options)."
    check.policy = NUMPY
    return check


def numeric(name, *, value, why, mistakes=(), rtol=1e-3, hint=""):
    """The check of a derived number: ``check(answer)`` passes when ``answer`` is within
    ``rtol`` of ``value`` (a number, or a function of no arguments that computes it), else
    names the mistake it is near (``mistakes``: ``(value, diagnosis)`` pairs, values maybe
    functions too), says it was rounded too early (within ``CLOSE`` times ``rtol``) or says
    whether it is too large or too small, then ``hint``. Grading's hidden tests accept what
    this accepts: the same ``rtol``."""

    def check(answer):
        __tracebackhide__ = True
        if isinstance(answer, (bool, np.bool_)) or not isinstance(
            answer, (numbers.Real, np.integer, np.floating)
        ):
            raise CheckFailed(f"Set {name} to one number; it is {answer!r}.")
        answer = float(answer)

        def near(target):
            target = float(target() if callable(target) else target)
            return abs(answer - target) <= rtol * abs(target), target

        right, expected = near(value)
        if right:
            passed(f"{name} = {answer:.6g} is right. {why}")
            return
        if not np.isfinite(answer):
            raise CheckFailed(f"{name} is {answer}: it must be a finite number. {hint}".strip())
        for mistake, diagnosis in mistakes:
            if near(mistake)[0]:
                raise CheckFailed(f"{name} = {answer:.6g} is not right. Likely cause: {diagnosis}")
        if abs(answer - expected) <= CLOSE * rtol * abs(expected):  # rounded too early
            raise CheckFailed(
                f"{name} = {answer:.6g} is close, but not within {rtol:.1%}: keep more digits, "
                "or write the exact expression (a fraction, a power) and let Python compute it."
            )
        direction = "too large" if answer > expected else "too small"
        raise CheckFailed(f"{name} = {answer:.6g} is {direction}. {hint}".strip())

    check.rtol = rtol  # what grading's hidden tests must accept too
    check.__name__ = check.__qualname__ = f"check_{name}"
    check.__doc__ = f"Check your number `{name}`."
    check.policy = NUMPY
    return check


def prefer_yours(fn, check, reference):
    """``fn`` if it passes ``check``, else ``reference``; prints one line saying which.

    What a lesson runs after an exercise, so that the learner's own code drives it once it is
    right and a learner who is stuck is never blocked.
    """
    name = getattr(reference, "__name__", "function")
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            check(fn)
    except Exception as error:  # a failed check, or the stub's NotImplementedError
        reason = str(error).split(":")[0].split(". ")[0].strip().rstrip(".")
        reason = reason or type(error).__name__
        if isinstance(error, NotImplementedError) or NOT_WRITTEN in str(error):
            reason = "it is not written yet"
        print(
            f"The cells below use the course's {name}: yours does not pass its check yet "
            f"({reason})."
        )
        return reference
    print(f"The cells below use your {name}: it passes its check.")
    return fn


# ---------------------------------------------------------------------------------------------
# What a solution may use: the exercise's policy, applied to the learner's cell
# ---------------------------------------------------------------------------------------------

# True inside a check declared with ``graded_on``: its policy is applied already.
_POLICY_APPLIED = contextvars.ContextVar("policy_applied", default=False)


def graded_on(rules):
    """Declare what the solution of a check's exercise may use (``policy.Policy``); a check
    that declares nothing is graded on ``policy.NUMPY`` (NumPy, ``math``, safe builtins).

    The declared check carries ``rules`` as its ``policy`` (what grading reads) and applies
    them to the learner's function, its first argument, before anything else.
    """

    def declare(check):
        @functools.wraps(check)
        def checked(fn, *args, **kwargs):
            __tracebackhide__ = True
            follow_policy(fn, rules, check=check.__name__)
            applied = _POLICY_APPLIED.set(True)
            try:
                return check(fn, *args, **kwargs)
            finally:
                _POLICY_APPLIED.reset(applied)

        checked.policy = rules
        return checked

    return declare


def follow_policy(fn, rules=NUMPY, *, check=None):
    """Raise ``CheckFailed`` if the notebook cell that defined ``fn`` breaks ``rules``, as
    grading would refuse it (the cell may call ``check``, the exercise's check). The cell is
    read where IPython keeps it (``linecache``); a function from a file or a module, whose
    cell there is none, is not read."""
    __tracebackhide__ = True
    source = _cell_source(fn)
    if source is None:
        return
    try:
        enforce(source, rules, also=() if check is None else (check,))
    except PolicyError as error:
        raise CheckFailed(
            f"Not checked: {error}. Grading refuses this cell too, for 0 points."
        ) from None


def _cell_source(fn):
    """The source of the notebook cell that defined ``fn``, or None. A check that wraps the
    learner's function (``functools.wraps``) still reads the learner's cell."""
    fn = inspect.unwrap(fn)
    code = getattr(fn, "__code__", None)
    if code is None or getattr(fn, "__module__", None) != "__main__":
        return None
    kept = linecache.cache.get(code.co_filename)
    # IPython keeps each cell as (size, None, lines, name); a file's entry has its mtime.
    if kept is None or len(kept) != 4 or kept[1] is not None:
        return None
    return "".join(kept[2])


# ---------------------------------------------------------------------------------------------
# Calling and comparing
# ---------------------------------------------------------------------------------------------


def _copy(arguments):
    """Copies of the arrays and lists among ``arguments`` (a tuple or a dict); the rest as is."""

    def copied(value):
        if isinstance(value, np.ndarray):
            return value.copy()
        return list(value) if isinstance(value, list) else value

    if isinstance(arguments, dict):
        return {k: copied(v) for k, v in arguments.items()}
    return tuple(copied(v) for v in arguments)


def _call(fn, args, kwargs):
    with np.errstate(all="ignore"):
        return fn(*_copy(args), **_copy(kwargs))


def _by_name(case, signature):
    """The case's arguments, each by its contract name, defaults filled in."""
    bound = signature.bind(*case.args, **case.kwargs)
    bound.apply_defaults()
    return bound.arguments


def _close(got, expected, tolerance, scale=None):
    """Elementwise agreement: numbers within ``tolerance`` = (rtol, atol), atol relative to
    ``scale`` (default: the largest finite |expected|); nan matches nan, inf only the same inf;
    anything else (labels) by equality."""
    if got.dtype.kind not in _NUMBERS or expected.dtype.kind not in _NUMBERS:
        same_kind = got.dtype.kind == expected.dtype.kind
        return np.asarray(got == expected) if same_kind else np.zeros(expected.shape, bool)
    rtol, atol = tolerance
    got, expected = got.astype(np.float64), expected.astype(np.float64)
    if scale is None:
        finite = np.abs(expected[np.isfinite(expected)])
        scale = finite.max() if finite.size else 0.0
    with np.errstate(invalid="ignore"):
        near = np.abs(got - expected) <= rtol * np.abs(expected) + atol * scale
    # inf matches only the same inf: its tolerance rtol·inf would let any number through
    return (near & np.isfinite(expected)) | (got == expected) | (np.isnan(got) & np.isnan(expected))


def _tolerances(tolerances):
    return {**_TOLERANCES, **{np.dtype(k): v for k, v in (tolerances or {}).items()}}


# ---------------------------------------------------------------------------------------------
# Answers: how a result is read, refused when malformed, compared, and told apart
# ---------------------------------------------------------------------------------------------


class Arrays:
    """Results that are NumPy arrays, one per name in ``names``: one name means the function
    returns the array itself, several a tuple in that order. An output is an array (or a
    number) when the reference returns numbers, and a label (a string, compared by equality)
    when it returns a string; ``labels`` lists the allowed answers, any other string is refused
    with that list. ``tolerances``: ``{dtype: (rtol, atol)}`` in place of the defaults."""

    def __init__(self, *names, labels=(), tolerances=None):
        if not names:
            raise ValueError("name the outputs, e.g. Arrays('w', 'velocity')")
        self.names, self.labels, self.tolerances = names, tuple(labels), _tolerances(tolerances)

    def read(self, result):
        values = (result,) if len(self.names) == 1 else tuple(result)
        return tuple(np.asarray(value) for value in values)

    def malformed(self, result, expected):
        if result is None:
            return _NO_RETURN
        count, wanted = len(self.names), ", ".join(self.names)
        if count == 1 and isinstance(result, tuple):
            what = f"returned a tuple of {len(result)} value" + ("s" * (len(result) != 1))
            return what, f"It must return just the new {wanted}."
        if count > 1:
            if isinstance(result, list):
                return "returned a list", f"Return a tuple of {count}: `return {wanted}`."
            if not isinstance(result, tuple):
                what = f"returned a single {type(result).__name__}"
                return what, f"It must return {count} values: ({wanted})."
            if len(result) != count:
                what = f"returned {len(result)} value" + ("s" * (len(result) != 1))
                return what, f"It must return {count}: ({wanted})."
        values = (result,) if count == 1 else result
        for out, value, reference in zip(self.names, values, expected, strict=True):
            problem = self._wrong_kind(out, value, reference)
            if problem is not None:
                return problem
        return None

    def _wrong_kind(self, out, value, reference):
        if reference.dtype.kind == "U":
            problem = _not_a_label(value, self.labels, reference.item())
            return problem and (f"{problem[0]} as `{out}`", problem[1])
        if _from_torch(value):
            return f"returned a torch tensor as `{out}`", "Convert it with `.detach().numpy()`."
        if not isinstance(value, (np.ndarray, np.generic, numbers.Number)):
            return f"returned {with_article(value)} as `{out}`", "Return a NumPy array."
        shape, dtype = np.shape(value), np.asarray(value).dtype
        if shape != reference.shape:
            return f"returned `{out}` with shape {shape} instead of {reference.shape}", None
        if dtype != reference.dtype:
            hint = None
            if isinstance(value, float) and not isinstance(value, np.generic):
                hint = "Return a NumPy array: float(...) and .item() give a Python float (float64)."
            elif reference.dtype == np.float32:
                hint = (
                    "Keep float32 inputs in float32: NumPy does when they meet Python numbers, "
                    "so look for np.float64(...), np.array(...), .astype(float) or a NumPy "
                    "function of plain numbers, such as np.sqrt(2) or np.power(0.9, t), which "
                    "gives a float64 scalar."
                )
            return f"returned `{out}` as {dtype} instead of {reference.dtype}", hint
        return None

    def agree(self, got, expected, arguments, tolerances=None):
        tolerances = tolerances or self.tolerances
        return all(
            g.shape == e.shape and _close(g, e, tolerances.get(e.dtype, (0.0, 0.0))).all()
            for g, e in zip(got, expected, strict=True)
        )

    def aliased(self, got, given):
        for out, value in zip(self.names, got, strict=True):
            for arg, original in given.items():
                if isinstance(original, np.ndarray) and np.shares_memory(value, original):
                    return (
                        f"returned its input `{arg}` itself as the new `{out}`",
                        f"Return a new array (e.g. `{arg}.copy()`), so the caller's array and "
                        "the result stay independent.",
                    )
        return None

    def in_float64(self, comparison):
        return all(e.dtype == np.float64 for e in comparison.expected)

    def wrong(self, name, where, comparison):
        """'adam_update returned a wrong `m` on case 3 of 17, ...: m[0] should be 0.1 but is
        0.2.'"""
        close = [
            _close(g, e, self.tolerances.get(e.dtype, (0.0, 0.0)))
            for g, e in zip(comparison.got, comparison.expected, strict=True)
        ]
        wrong = [k for k, agree in enumerate(close) if not agree.all()]
        names = [f"`{self.names[k]}`" for k in wrong]
        listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        first = wrong[0]
        position = tuple(np.argwhere(~close[first])[0])
        out = self.names[first]
        at = f"{out}[{', '.join(map(str, position))}]" if position else out
        should, but = show_both(
            comparison.expected[first][position], comparison.got[first][position]
        )
        return f"{name} returned a wrong {listed} {where}: {at} should be {should} but is {but}."


class _Single:
    """One answer, not arrays: read as it comes, and when wrong the call is named first."""

    sentence = "it should be {should} but is {but}."

    def read(self, result):
        return result

    def aliased(self, got, given):
        return None

    def in_float64(self, comparison):
        return False

    def show(self, expected, got):
        return repr(expected), repr(got)

    def wrong(self, name, where, comparison):
        """'cosine_lr is wrong at cosine_lr(3, lr=0.1, T_max=10) on case 4 of 55, ...: it should
        be 0.09 but is 0.08.'"""
        should, but = self.show(comparison.expected, comparison.got)
        return (
            f"{name} is wrong at {where.call} on case {where.number} of {where.total}, "
            f"{where.label}: " + self.sentence.format(should=should, but=but)
        )


class Number(_Single):
    """One real number: a Python or NumPy scalar (a 0-d array too when ``zero_d``), compared at
    the precision of the inputs (float32 if an array argument is float32, else float64) with
    ``tolerances`` (``{dtype: (rtol, atol)}`` in place of the defaults) and atol relative to
    ``scale(arguments)`` (default: |expected|). ``hint`` says what to return when the result
    is an array or not a number."""

    def __init__(self, hint=None, *, tolerances=None, scale=None, zero_d=False):
        self.hint = hint or "Return one number, e.g. `return float(...)`."
        self.tolerances, self.scale, self.zero_d = _tolerances(tolerances), scale, zero_d

    def read(self, result):
        return float(np.asarray(result))

    def malformed(self, value, expected):
        if value is None:
            return _NO_RETURN
        if isinstance(value, (bool, np.bool_)):
            return f"returned {value!r}, a bool", self.hint
        if _from_torch(value):
            return "returned a torch tensor", "Return a number: convert it with `.item()`."
        if isinstance(value, np.ndarray):
            if self.zero_d and value.ndim == 0 and value.dtype.kind in "iuf":
                return None
            return f"returned a NumPy array of shape {value.shape} instead of one number", self.hint
        if isinstance(value, (numbers.Real, np.integer, np.floating)):
            return None
        return f"returned {with_article(value)}", self.hint

    def _dtype(self, arguments):
        arrays = [a for a in arguments.values() if isinstance(a, np.ndarray)]
        return np.dtype(np.float32 if any(a.dtype == np.float32 for a in arrays) else np.float64)

    def agree(self, got, expected, arguments, tolerances=None):
        tolerance = (tolerances or self.tolerances)[self._dtype(arguments)]
        scale = None if self.scale is None else self.scale(arguments)
        return bool(_close(np.asarray(got), np.asarray(expected), tolerance, scale))

    def in_float64(self, comparison):
        return self._dtype(comparison.arguments) == np.float64

    def show(self, expected, got):
        return show_both(np.asarray(expected), np.asarray(got))


class Label(_Single):
    """One of the strings ``labels`` (e.g. "minimum", "maximum"), compared by equality."""

    def __init__(self, labels):
        self.labels = tuple(labels)

    def malformed(self, value, expected):
        return _NO_RETURN if value is None else _not_a_label(value, self.labels, expected)

    def agree(self, got, expected, arguments, tolerances=None):
        return isinstance(got, str) and got == expected


class Index(_Single):
    """An index (an int) or None, compared by equality; ``hint`` says what to return."""

    sentence = "it should return {should}, not {but}."

    def __init__(self, hint="Return an index (an int), or None."):
        self.hint = hint

    def read(self, result):
        return None if result is None else int(result)

    def malformed(self, value, expected):
        if isinstance(value, (bool, np.bool_)):
            return f"returned {value!r}, a bool", self.hint
        if value is None or isinstance(value, (numbers.Integral, np.integer)):
            return None
        return f"returned {with_article(value)} ({value!r:.60})", self.hint

    def agree(self, got, expected, arguments, tolerances=None):
        return got == expected and (got is None) == (expected is None)


def _from_torch(value):
    return type(value).__module__.split(".")[0] == "torch"


def _not_a_label(value, labels, example):
    """``(what, hint)`` if ``value`` is not one of ``labels`` (any string if there are none)."""
    allowed = ", ".join(map(repr, labels))
    if isinstance(value, str):
        if not labels or value in labels:
            return None
        return f"returned {value!r}", f"Return exactly one of {allowed}."
    such_as = f"one of {allowed}" if labels else f"such as {example!r}"
    return f"returned {with_article(value)}", f"Return a string, {such_as}."


# ---------------------------------------------------------------------------------------------
# What can be wrong before the values are compared; each returns (what, hint) or None
# ---------------------------------------------------------------------------------------------


def describe_error(error, name, signature):
    """``(what, hint)`` for an exception the learner's ``name`` raised: its type, its first
    line and the learner's line that raised it; the hint gives the signature when the error
    is about arguments."""
    text = str(error).strip().splitlines()
    what = f"raised {type(error).__name__}" + (f": {text[0][:200]}" if text else "")
    frame = _learner_frame(error)
    if frame is not None:
        what += f" (line {frame.lineno}: `{frame.line}`)"
    hint = f"The exercise's signature is {name}{signature}." if _about_arguments(error) else None
    return what, hint


def _about_arguments(error):
    """A TypeError about the arguments: the function cannot be called as the exercise says."""
    return isinstance(error, TypeError) and "argument" in str(error)


def _learner_frame(error):
    """The deepest frame of the traceback in the learner's code (not ours, not a library's)."""
    for frame in reversed(traceback.extract_tb(error.__traceback__)):
        path = os.path.abspath(frame.filename)
        if frame.line and not path.startswith((_PACKAGE + os.sep, *_LIBRARIES)):
            return frame
    return None


def changed_inputs(case, given, signature):
    """``(what, hint)`` if the call changed an input array or list of ``case`` in place
    (``given`` holds the copies it was given), else None."""
    originals = signature.bind(*case.args, **case.kwargs).arguments
    for arg, original in originals.items():
        if isinstance(original, list) and given[arg] != original:
            return (
                f"changed the list `{arg}` it was given",
                f"Read `{arg}` without changing it: no .pop(), .sort(), .append() or "
                "assignments into it.",
            )
        if isinstance(original, np.ndarray) and not (
            given[arg].dtype == original.dtype
            and np.array_equal(given[arg], original, equal_nan=True)
        ):
            return (
                f"changed its input `{arg}` in place",
                f"Return a new array instead: write `{arg} = ...` rather than `{arg} *= ...`, "
                f"`{arg} += ...` or `{arg}[...] = ...`.",
            )
    return None


def with_article(value):
    """'a list', 'an int': the type of `value` with its article."""
    name = type(value).__name__
    return ("an " if name[0].lower() in "aeiou" else "a ") + name


# ---------------------------------------------------------------------------------------------
# Wrong values: why
# ---------------------------------------------------------------------------------------------


def show_both(expected, got):
    """Both as text: labels by repr, numbers to 7 significant digits or as many as differ."""
    if expected.dtype.kind not in _NUMBERS or got.dtype.kind not in _NUMBERS:
        return repr(expected.item()), repr(got.item())
    expected, got = float(expected), float(got)
    for digits in range(7, 18):
        shown = f"{expected:.{digits}g}", f"{got:.{digits}g}"
        if shown[0] != shown[1]:
            return shown
    return shown


def _imprecise(answer, failing, comparisons):
    """Float64 results within the default tolerance but not a stricter one a check set, on
    every case compared: a formula slightly off (ε scaled by η, say) is far off on some case,
    which float32 arithmetic would not be."""
    if answer.in_float64(failing) and all(
        answer.agree(comparison.got, comparison.expected, comparison.arguments, _TOLERANCES)
        for comparison in comparisons
    ):
        return (
            "your results are right to only about 7 digits, as when float64 is computed in "
            "float32: keep float64 inputs in float64."
        )
    return None


def wrong_default(fn, case, reference):
    """The first default the case relied on that the learner's signature sets differently."""
    signature = inspect.signature(reference)
    given = signature.bind(*case.args, **case.kwargs).arguments
    try:
        theirs = inspect.signature(fn).parameters
    except (TypeError, ValueError):  # builtins and some callables have no signature
        return None
    for parameter in signature.parameters.values():
        their = theirs.get(parameter.name)
        if (
            parameter.name not in given
            and their is not None
            and isinstance(their.default, numbers.Number)
            and their.default != parameter.default
        ):
            return (
                f"your default for `{parameter.name}` is {their.default!r} "
                f"but the exercise's is {parameter.default!r}."
            )
    return None


def _reordered_parameters(fn, case, reference):
    """The learner's parameters in another order, when the case passes some by position."""
    ours = list(inspect.signature(reference).parameters)
    try:
        theirs = list(inspect.signature(fn).parameters)
    except (TypeError, ValueError):
        return None
    by_position = ours[: len(case.args)]
    if not set(by_position) <= set(theirs) or theirs[: len(by_position)] == by_position:
        return None
    return (
        f"your parameters are in the order ({', '.join(theirs)}) but the exercise's are "
        f"({', '.join(ours)}), and this case passes them by position."
    )


def _matching_mutant(answer, failing, comparisons, mutants):
    """The diagnosis of the mutant agreeing with the learner on the failing case and on the
    most cases, at least half of them (the first listed wins a tie)."""

    def agrees(mutant, comparison):
        try:
            with np.errstate(all="ignore"):
                theirs = answer.read(mutant.fn(**_copy(comparison.arguments)))
            return answer.agree(comparison.got, theirs, comparison.arguments)
        except Exception:  # a mutant that cannot run on this case does not explain it
            return False

    best, best_score = None, len(comparisons) / 2 - 1e-9
    for mutant in mutants:
        if not agrees(mutant, failing):
            continue
        score = sum(agrees(mutant, comparison) for comparison in comparisons)
        if score > best_score:
            best, best_score = mutant.diagnosis, score
    return best


def _ignoring_arguments(signature, reference):
    """One mutant per argument with a default: the reference with that argument stuck at it."""
    return tuple(
        Mutant(
            _stuck(reference, p.name, p.default),
            f"your function ignores `{p.name}`: it computes as if {p.name}={p.default!r}, "
            "whatever value it is given.",
        )
        for p in signature.parameters.values()
        if p.default is not p.empty
    )


def _stuck(reference, name, value):
    return lambda **arguments: reference(**{**arguments, name: value})


def _describe(case, name, signature):
    """'adam_update(w, grad, m, v, 3, eps=0.1) with float64 arrays of shape (3, 4)'."""
    bound = signature.bind(*case.args, **case.kwargs).arguments
    shown = [arg if isinstance(v, np.ndarray) else _show(v) for arg, v in bound.items()]
    n_args = len(case.args)
    call = shown[:n_args] + [
        f"{k}={v}" for k, v in zip(list(bound)[n_args:], shown[n_args:], strict=True)
    ]
    text = f"{name}({', '.join(call)})"
    arrays = {arg: v for arg, v in bound.items() if isinstance(v, np.ndarray)}
    first = next(iter(arrays.values()), None)
    if first is not None and all(a.shape == first.shape for a in arrays.values()):
        text += f" with {first.dtype} arrays of shape {first.shape}"
    elif first is not None:  # e.g. w, X, y: one shape would describe only w
        text += " with " + ", ".join(f"{arg} {a.dtype} {a.shape}" for arg, a in arrays.items())
    return text


def _show(value):
    """An argument as a message shows it: a long list by its first values and its length."""
    if isinstance(value, list) and len(value) > 10:
        return f"[{', '.join(map(repr, value[:4]))}, ... ({len(value)} values)]"
    return repr(value)
