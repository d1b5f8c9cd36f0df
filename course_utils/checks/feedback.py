r"""The machinery behind every exercise check: run the learner's function, compare, explain.

A check compares a learner's function with the reference solution on a list of cases. If all
agree it prints one line (``✔ adam_update matches the reference on 17 cases.``); otherwise it
raises ``CheckFailed``, an ``AssertionError`` whose message says in one or two plain sentences
what differs, on which call, and, where it can tell, why. IPython shows just that message (no
traceback, via ``_render_traceback_``), pytest hides our frames (``__tracebackhide__``), and
nbgrader still sees an error.

Writing the check for a new exercise (in ``checks/<topic>.py``) takes three things:

- **cases**: ``make_case(label, reference, inputs, hyperparameters, call)`` builds one call;
  ``call`` is ``"keyword"`` (hyperparameters by their contract names), ``"positional"`` or
  ``"defaults"`` (hyperparameters equal to the reference's defaults are left out, so a wrong
  default is caught). Seed the random inputs; cover shapes, float32, edge values and
  hyperparameters that tell the known mistakes apart.
- **mutants**: known-wrong implementations, each a ``Mutant(fn, diagnosis)``. ``fn`` is called
  with every argument by its contract name (defaults filled in); ``diagnosis`` is the sentence
  shown after "Likely cause:" when the learner's results match the mutant's. One mutant per
  argument with a default is added for you: the reference with that argument stuck at its
  default ("your function ignores `eps`"), which is how hard-coded values show.
- **the check**: ``check_function(fn, "sgd_update", reference=sgd_update, cases=...,
  outputs=("w",), mutants=...)``. ``outputs`` names what the function returns: one name means
  a single value, several mean a tuple in that order. An output is an array (or a number)
  when the reference returns numbers, and a label (a string, compared by equality) when it
  returns a string; ``labels=("minimum", "maximum", ...)`` lists the allowed answers, and any
  other string is refused with that list.
- **one number**: where the answer is a single number (a slope, a loss), call
  ``refuse_arrays(fn, name, cases, hint)`` first: an array of the right values would otherwise
  fail only as a shape mismatch, and this says in the exercise's words what to return.

For each case, in order, a check:

1. calls the learner's function on copies of the array arguments (the originals are kept to
   compare with), reporting an exception in one line: its type, message and the line of the
   learner's code that raised it;
2. fails if an input array was changed in place, if nothing was returned (a forgotten
   ``return``), if several outputs come back as anything but a tuple of the right length (not
   a list either: the graders unpack a tuple), or if an output is not a NumPy array (a list,
   a torch tensor), has the wrong shape, or the wrong dtype (float32 inputs must give float32,
   float64 inputs float64);
3. compares the values: ``|got − expected| ≤ rtol·|expected| + atol·max|expected|``, with
   rtol, atol = 1e-6, 1e-9 in float64 and 1e-5, 1e-6 in float32 (atol is relative to the
   array's largest value, so tiny states are compared as strictly as large ones); a check
   whose reference is a few exact operations passes stricter ones, e.g.
   ``tolerances={np.float64: (1e-10, 1e-12)}``, so that float64 computed in float32 fails;
4. fails if a correct output is one of the arrays it was given (results must be new arrays).

Every case runs even after a wrong value, so that the diagnosis can use them all. The first
failing case is reported. For wrong values the likely cause is, in order: a default that
differs from the exercise's (read off the learner's signature) when that case relied on the
defaults; parameters in another order than the exercise's when that case passed them by
position; else the mutant that agrees with the learner on the failing case and on the most
cases overall (the first listed wins a tie); else, where the check set stricter tolerances,
float64 results right only to the default tolerance (float32's precision) on every case.
"""

import inspect
import numbers
import os
import sysconfig
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from .. import validation

__all__ = [
    "CheckFailed",
    "Case",
    "Mutant",
    "make_case",
    "check_function",
    "refuse_arrays",
    "describe_error",
    "changed_inputs",
    "wrong_default",
    "show_both",
    "with_article",
]

_TOLERANCES = {np.dtype(np.float32): (1e-5, 1e-6), np.dtype(np.float64): (1e-6, 1e-9)}
_NUMBERS = "biuf"  # dtype kinds compared as numbers
_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_LIBRARIES = tuple({sysconfig.get_paths()[key] for key in ("stdlib", "purelib", "platlib")})


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


def make_case(label, reference, inputs, hyperparameters, call="keyword"):
    """A ``Case`` that passes ``inputs`` by position and ``hyperparameters`` as ``call`` says.

    ``"keyword"``: by name; ``"positional"``: by position, in the reference's order, defaults
    filling any gap; ``"defaults"``: by name, leaving out those equal to the reference's default.
    """
    validation.choice("call", call, ("keyword", "positional", "defaults"))
    parameters = list(inspect.signature(reference).parameters.values())
    if call == "positional":
        rest = parameters[len(inputs) :]
        return Case(label, (*inputs, *(hyperparameters.get(p.name, p.default) for p in rest)))
    if call == "defaults":
        defaults = {p.name: p.default for p in parameters}
        hyperparameters = {k: v for k, v in hyperparameters.items() if defaults[k] != v}
    return Case(label, tuple(inputs), dict(hyperparameters))


def check_function(fn, name, *, reference, cases, outputs, mutants=(), labels=(), tolerances=None):
    """Print one line if ``fn`` agrees with ``reference`` on every case, else raise CheckFailed.

    ``labels``: for outputs that are strings, the allowed answers (empty: any string).
    ``tolerances``: ``{dtype: (rtol, atol)}`` in place of the defaults for those dtypes.
    """
    __tracebackhide__ = True
    if not callable(fn):
        raise TypeError(f"fn must be your function itself, e.g. check_{name}({name}); got {fn!r}")
    signature = inspect.signature(reference)
    mutants = (*mutants, *_ignoring_arguments(signature, reference))
    tolerances = {**_TOLERANCES, **{np.dtype(k): v for k, v in (tolerances or {}).items()}}
    compared = []  # (case, learner's outputs, reference's) for each case compared
    failure = None  # (case number, message; None for wrong values)
    for number, case in enumerate(cases, 1):
        expected = _outputs(_call(reference, case.args, case.kwargs), len(outputs))
        args, kwargs = _copy(case.args), _copy(case.kwargs)
        try:
            with np.errstate(all="ignore"):
                result = fn(*args, **kwargs)
        except Exception as error:
            problem = describe_error(error, name, signature)
        else:
            passed = signature.bind(*args, **kwargs).arguments
            problem = changed_inputs(case, passed, signature) or _malformed(
                result, expected, outputs, labels
            )
        if problem is None:
            got = _outputs(result, len(outputs))
            if _agree(got, expected, tolerances):
                problem = _aliased(got, passed, outputs)
            elif failure is None:
                failure = (number, None)
            compared.append((case, got, expected))
        if problem is not None:
            failure = failure or (number, problem)
            break
    if failure is None:
        print(f"✔ {name} matches the reference on {len(cases)} cases.")
        return
    number, problem = failure
    case = cases[number - 1]
    where = f"on case {number} of {len(cases)}, {_describe(case, name, signature)}"
    if problem is None:
        message = f"{name} returned a wrong " + _wrong_values(
            fn, compared[number - 1], compared, reference, outputs, mutants, where, tolerances
        )
    else:
        what, hint = problem
        message = f"{name} {what} {where}." + (f" {hint}" if hint else "")
    raise CheckFailed(message) from None


# ---------------------------------------------------------------------------------------------
# Calling and comparing
# ---------------------------------------------------------------------------------------------


def _copy(arguments):
    if isinstance(arguments, dict):
        return {k: v.copy() if isinstance(v, np.ndarray) else v for k, v in arguments.items()}
    return tuple(v.copy() if isinstance(v, np.ndarray) else v for v in arguments)


def _call(fn, args, kwargs):
    with np.errstate(all="ignore"):
        return fn(*_copy(args), **_copy(kwargs))


def _outputs(result, count):
    return (np.asarray(result),) if count == 1 else tuple(np.asarray(x) for x in result)


def _close(got, expected, tolerances=_TOLERANCES):
    """Elementwise agreement: numbers within the dtype's tolerance (nan matches nan, inf
    matches inf), anything else (labels) by equality."""
    if got.dtype.kind not in _NUMBERS or expected.dtype.kind not in _NUMBERS:
        same_kind = got.dtype.kind == expected.dtype.kind
        return np.asarray(got == expected) if same_kind else np.zeros(expected.shape, bool)
    rtol, atol = tolerances.get(expected.dtype, (0.0, 0.0))
    got, expected = got.astype(np.float64), expected.astype(np.float64)
    finite = np.abs(expected[np.isfinite(expected)])
    scale = finite.max() if finite.size else 0.0
    with np.errstate(invalid="ignore"):
        near = np.abs(got - expected) <= rtol * np.abs(expected) + atol * scale
    # inf matches only the same inf: its tolerance rtol·inf would let any number through
    return (near & np.isfinite(expected)) | (got == expected) | (np.isnan(got) & np.isnan(expected))


def _agree(got, expected, tolerances=_TOLERANCES):
    return all(
        g.shape == e.shape and _close(g, e, tolerances).all()
        for g, e in zip(got, expected, strict=True)
    )


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
    hint = None
    if isinstance(error, TypeError) and "argument" in str(error):
        hint = f"The exercise's signature is {name}{signature}."
    return what, hint


def _learner_frame(error):
    """The deepest frame of the traceback in the learner's code (not ours, not a library's)."""
    for frame in reversed(traceback.extract_tb(error.__traceback__)):
        path = os.path.abspath(frame.filename)
        if frame.line and not path.startswith((_PACKAGE + os.sep, *_LIBRARIES)):
            return frame
    return None


def changed_inputs(case, passed, signature):
    """``(what, hint)`` if the call changed an input array of ``case`` in place (``passed``
    holds the copies it was given), else None."""
    originals = signature.bind(*case.args, **case.kwargs).arguments
    for arg, original in originals.items():
        if isinstance(original, np.ndarray) and not (
            passed[arg].dtype == original.dtype
            and np.array_equal(passed[arg], original, equal_nan=True)
        ):
            return (
                f"changed its input `{arg}` in place",
                f"Return a new array instead: write `{arg} = ...` rather than `{arg} *= ...`, "
                f"`{arg} += ...` or `{arg}[...] = ...`.",
            )
    return None


def _malformed(result, expected, outputs, labels=()):
    if result is None:
        return "returned None", "Did you forget `return`?"
    wanted = ", ".join(outputs)
    if len(outputs) == 1 and isinstance(result, tuple):
        what = f"returned a tuple of {len(result)} value" + ("s" * (len(result) != 1))
        return what, f"It must return just the new {wanted}."
    if len(outputs) > 1:
        if isinstance(result, list):
            return "returned a list", f"Return a tuple of {len(outputs)}: `return {wanted}`."
        if not isinstance(result, tuple):
            what = f"returned a single {type(result).__name__}"
            return what, f"It must return {len(outputs)} values: ({wanted})."
        if len(result) != len(outputs):
            what = f"returned {len(result)} value" + ("s" * (len(result) != 1))
            return what, f"It must return {len(outputs)}: ({wanted})."
    for out, value, reference in zip(outputs, _values(result, len(outputs)), expected, strict=True):
        problem = _wrong_kind(out, value, reference, labels)
        if problem is not None:
            return problem
    return None


def _values(result, count):
    return (result,) if count == 1 else tuple(result)


def _wrong_kind(out, value, reference, labels=()):
    if reference.dtype.kind == "U":
        allowed = ", ".join(map(repr, labels))
        if isinstance(value, str):
            if not labels or value in labels:
                return None
            return f"returned {value!r} as `{out}`", f"Return exactly one of {allowed}."
        such_as = f"one of {allowed}" if labels else f"such as {reference.item()!r}"
        return f"returned {with_article(value)} as `{out}`", f"Return a string, {such_as}."
    if type(value).__module__.split(".")[0] == "torch":
        return f"returned a torch tensor as `{out}`", "Convert it back with `.detach().numpy()`."
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
                "so look for np.float64(...), np.array(...), .astype(float) or a NumPy function "
                "of plain numbers, e.g. np.power(beta1, t), which gives a float64 scalar."
            )
        return f"returned `{out}` as {dtype} instead of {reference.dtype}", hint
    return None


def with_article(value):
    """'a list', 'an int': the type of `value` with its article."""
    name = type(value).__name__
    return ("an " if name[0].lower() in "aeiou" else "a ") + name


def _aliased(got, passed, outputs):
    for out, value in zip(outputs, got, strict=True):
        for arg, given in passed.items():
            if isinstance(given, np.ndarray) and np.shares_memory(value, given):
                return (
                    f"returned its input `{arg}` itself as the new `{out}`",
                    f"Return a new array (e.g. `{arg}.copy()`), so the caller's array and "
                    "the result stay independent.",
                )
    return None


# ---------------------------------------------------------------------------------------------
# Wrong values: where, and why
# ---------------------------------------------------------------------------------------------


def _wrong_values(fn, failing, compared, reference, outputs, mutants, where, tolerances):
    """'`m` on case 3 of 17, ...: m[0] should be 0.1 but is 0.2. Likely cause: ...'."""
    case, got, expected = failing
    close = [_close(g, e, tolerances) for g, e in zip(got, expected, strict=True)]
    wrong = [k for k, agree in enumerate(close) if not agree.all()]
    names = [f"`{outputs[k]}`" for k in wrong]
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    first = wrong[0]
    position = tuple(np.argwhere(~close[first])[0])
    at = f"{outputs[first]}[{', '.join(map(str, position))}]" if position else outputs[first]
    should, but = show_both(expected[first][position], got[first][position])
    message = f"{listed} {where}: {at} should be {should} but is {but}."
    cause = (
        wrong_default(fn, case, reference)
        or _reordered_parameters(fn, case, reference)
        or _matching_mutant(failing, compared, reference, outputs, mutants, tolerances)
        or _imprecise(expected, compared)
    )
    return message + (f" Likely cause: {cause}" if cause else "")


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


def _imprecise(expected, compared):
    """Float64 results within the default tolerance but not a stricter one a check set, on
    every case compared: a formula slightly off (ε scaled by η, say) is far off on some case,
    which float32 arithmetic would not be."""
    if all(e.dtype == np.float64 for e in expected) and all(
        _agree(got, wanted) for _, got, wanted in compared
    ):
        return (
            "your results are right to only about 7 digits, as when float64 is computed in "
            "float32: keep float64 inputs in float64."
        )
    return None


def wrong_default(fn, case, reference):
    """The first default the case relied on that the learner's signature sets differently."""
    signature = inspect.signature(reference)
    passed = signature.bind(*case.args, **case.kwargs).arguments
    try:
        theirs = inspect.signature(fn).parameters
    except (TypeError, ValueError):  # builtins and some callables have no signature
        return None
    for parameter in signature.parameters.values():
        their = theirs.get(parameter.name)
        if (
            parameter.name not in passed
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


def _matching_mutant(failing, compared, reference, outputs, mutants, tolerances):
    """The diagnosis of the mutant agreeing with the learner on the failing case and on most."""
    signature = inspect.signature(reference)

    def agrees(mutant, run):
        case, got, _ = run
        try:
            with np.errstate(all="ignore"):
                theirs = _outputs(mutant.fn(**_arguments(case, signature)), len(outputs))
        except Exception:  # a mutant that cannot run on this case does not explain it
            return False
        return _agree(got, theirs, tolerances)

    best, best_score = None, 0
    for mutant in mutants:
        if not agrees(mutant, failing):
            continue
        score = sum(agrees(mutant, run) for run in compared)
        if score > best_score:
            best, best_score = mutant.diagnosis, score
    return best


def _arguments(case, signature):
    """Copies of the case's arguments, each by its contract name, defaults filled in."""
    bound = signature.bind(*_copy(case.args), **_copy(case.kwargs))
    bound.apply_defaults()
    return bound.arguments


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
    """'large ε: adam_update(w, grad, m, v, 3, eps=0.1) with float64 arrays of shape (3, 4)'."""
    bound = signature.bind(*case.args, **case.kwargs).arguments
    shown = [arg if isinstance(v, np.ndarray) else repr(v) for arg, v in bound.items()]
    n_args = len(case.args)
    call = shown[:n_args] + [
        f"{k}={v}" for k, v in zip(list(bound)[n_args:], shown[n_args:], strict=True)
    ]
    text = f"{case.label}: {name}({', '.join(call)})"
    arrays = {arg: v for arg, v in bound.items() if isinstance(v, np.ndarray)}
    first = next(iter(arrays.values()), None)
    if first is not None and all(a.shape == first.shape for a in arrays.values()):
        text += f" with {first.dtype} arrays of shape {first.shape}"
    elif first is not None:  # e.g. w, X, y: one shape would describe only w
        text += " with " + ", ".join(f"{arg} {a.dtype} {a.shape}" for arg, a in arrays.items())
    return text


# ---------------------------------------------------------------------------------------------
# One number, not an array
# ---------------------------------------------------------------------------------------------


def refuse_arrays(fn, name, cases, hint):
    """Fail if ``fn`` returns a NumPy array on any case where one number is asked for.

    ``check_function`` would only report a shape mismatch; this says in the exercise's words
    (``hint``, e.g. "return one float, e.g. `return float(...)`.") what to return. It stops at
    the first case that raises: ``check_function`` reports that one, with the line that raised.
    """
    __tracebackhide__ = True
    if not callable(fn):
        return  # check_function says what fn must be
    for case in cases:
        # copies: a function that changes its inputs must not spoil the case for check_function
        try:
            result = _call(fn, case.args, case.kwargs)
        except Exception:
            return
        if isinstance(result, np.ndarray):
            raise CheckFailed(
                f"{name} returned a NumPy array of shape {result.shape} instead of one number "
                f"on {case.label}; {hint}"
            )
