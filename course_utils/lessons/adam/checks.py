r"""The checks of lesson 09: Adam, with bias correction and ε outside the square root.

- ``check_adam_update(fn)`` (debug: the learner starts from the seed's w − η·m / v + ε)
  compares ``fn(w, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8) -> (w, m, v)``
  (t = 1 on the first step) with ``course_utils.optim.adam_update`` on seeded cases (see
  ``course_utils.rule_checks``): t = 1 and later steps, a late step, betas far from the
  defaults. It names whatever remains of the seed's four errors (v of g, no root, no bias
  correction, ε on the weight), every way of getting the bias correction wrong (none, one
  moment only, t off by one, β1 for β2, the power misplaced), ε in the wrong place, AMSGrad,
  AdamW's decay, and the state returned corrected or old;
- ``check_v_correction``: the derive, the factor 1/(1 − β2ᵗ) that corrects v at step 10;
- ``check_adam_without_momentum`` and ``check_adamw_decay``: the two recall questions before
  the recap.
"""

import numpy as np

from ... import optim
from ...checks import Mutant, numeric, question
from ...rule_checks import (
    SEED_EPS,
    SEED_ROOT,
    check_rule,
    right_step,
    seed_mutants,
    seed_step,
    step_mutants,
)

__all__ = [
    "check_adam_update",
    "check_v_correction",
    "check_adam_without_momentum",
    "check_adamw_decay",
]


def check_adam_update(fn):
    """Check ``fn(w, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8) -> (w, m, v)``."""
    __tracebackhide__ = True
    check_rule(fn, optim.adam_update, _ROWS, states=("m", "v"), seed=4, mutants=_MUTANTS)


# (label, shape, how to draw the arrays, how to call, hyperparameters): see rule_checks._cases
_ROWS = (
    ("", (3, 4), "run 5", "keyword", dict(lr=0.1, beta1=0.9, beta2=0.999, eps=1e-8)),
    ("defaults, tiny gradients", (5,), "tiny zero w", "defaults", dict(t=3)),
    ("first step, defaults", (4,), "float32 zero state", "defaults", dict(t=1)),
    ("by position", (1,), "", "positional", dict(t=2, lr=0.05, beta1=0.7, beta2=0.9, eps=1e-6)),
    ("a 0-d array", (), "", "keyword", dict(t=4, lr=0.1)),
    ("a 0-d array", (), "float32", "keyword", dict(t=1, lr=0.1, eps=0.1)),
    ("large ε", (3, 4), "", "keyword", dict(t=3, lr=0.1, eps=0.1)),
    ("float32", (3, 4), "float32", "keyword", dict(t=7, lr=0.01, beta1=0.85, beta2=0.99)),
    ("large ε, by position", (4,), "float32", "positional", dict(t=2, lr=0.1, eps=0.1)),
    ("zero gradient", (5,), "zero grad", "keyword", dict(t=6, lr=0.1)),
    ("all zero", (5,), "zero grad zero state", "keyword", dict(t=1, lr=0.1)),
    ("large gradients", (2, 3), "large", "keyword", dict(t=2, lr=0.1)),
    ("a late step", (5,), "", "keyword", dict(t=1000, lr=0.1, beta2=0.99)),
    ("betas far from the defaults", (5,), "", "keyword", dict(t=3, lr=0.2, beta1=0.5, beta2=0.6)),
    ("3-D arrays", (2, 3, 2), "", "keyword", dict(t=3, lr=0.1)),
)


def _moments(grad, m, v, beta1, beta2):
    return beta1 * m + (1 - beta1) * grad, beta2 * v + (1 - beta2) * grad**2


def _unsquared_moments(grad, m, v, beta1, beta2):
    return beta1 * m + (1 - beta1) * grad, beta2 * v + (1 - beta2) * grad


def _absolute_moments(grad, m, v, beta1, beta2):
    return beta1 * m + (1 - beta1) * grad, beta2 * v + (1 - beta2) * np.abs(grad)


def _moments_of_m(grad, m, v, beta1, beta2):
    m = beta1 * m + (1 - beta1) * grad
    return m, beta2 * v + (1 - beta2) * m**2


def _swapped_moments(grad, m, v, beta1, beta2):
    return (1 - beta1) * m + beta1 * grad, (1 - beta2) * v + beta2 * grad**2


def _bias(beta, power=lambda t: t):
    """The divisor 1 − βᵏ of a bias correction, β = ``beta`` ("beta1" or "beta2") and k =
    ``power(t)``, as a function of (beta1, beta2, t)."""
    return lambda beta1, beta2, t: 1 - {"beta1": beta1, "beta2": beta2}[beta] ** power(t)


def _no_bias(beta1, beta2, t):
    return 1


_M_BIAS, _V_BIAS = _bias("beta1"), _bias("beta2")  # the right corrections


def _adam(moments=_moments, m_bias=_M_BIAS, v_bias=_V_BIAS, step=right_step):
    """Adam with its moments, a bias correction (the divisor of m or v) or its step gone wrong."""

    def mutant(w, grad, m, v, t, lr, beta1, beta2, eps):
        m, v = moments(grad, m, v, beta1, beta2)
        m_hat, v_hat = m / m_bias(beta1, beta2, t), v / v_bias(beta1, beta2, t)
        return step(w, m_hat, v_hat, lr, eps), m, v

    return mutant


def _adam_betas_swapped(w, grad, m, v, t, lr, beta1, beta2, eps):
    return optim.adam_update(w, grad, m, v, t, lr, beta2, beta1, eps)


def _adam_paper_efficient(w, grad, m, v, t, lr, beta1, beta2, eps):
    m, v = _moments(grad, m, v, beta1, beta2)
    step_size = lr * np.sqrt(1 - beta2**t) / (1 - beta1**t)
    return w - step_size * m / (np.sqrt(v) + eps), m, v


def _adam_corrected_state(w, grad, m, v, t, lr, beta1, beta2, eps):
    m, v = _moments(grad, m, v, beta1, beta2)
    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    return right_step(w, m_hat, v_hat, lr, eps), m_hat, v_hat


def _adam_old_moments(w, grad, m, v, t, lr, beta1, beta2, eps):
    new_m, new_v = _moments(grad, m, v, beta1, beta2)
    return right_step(w, m / (1 - beta1**t), v / (1 - beta2**t), lr, eps), new_m, new_v


def _adam_corrected_before_update(w, grad, m, v, t, lr, beta1, beta2, eps):
    m, v = _moments(grad, m / (1 - beta1**t), v / (1 - beta2**t), beta1, beta2)
    return right_step(w, m, v, lr, eps), m, v


def _adam_unbracketed(w, grad, m, v, t, lr, beta1, beta2, eps):
    m, v = _moments(grad, m, v, beta1, beta2)
    return right_step(w, m / 1 - beta1**t, v / 1 - beta2**t, lr, eps), m, v


def _adam_amsgrad(w, grad, m, v, t, lr, beta1, beta2, eps):
    new_m, new_v = _moments(grad, m, v, beta1, beta2)
    v_max = np.maximum(v, new_v)
    return right_step(w, new_m / (1 - beta1**t), v_max / (1 - beta2**t), lr, eps), new_m, new_v


def _adamw(w, grad, m, v, t, lr, beta1, beta2, eps):
    new_w, m, v = optim.adam_update(w, grad, m, v, t, lr, beta1, beta2, eps)
    return new_w - lr * 0.01 * w, m, v  # torch.optim.AdamW's default weight_decay


_T_IS_THIS_STEP = "but t is already this step's number (1 on the first step)."


def _seed(errors):
    """Adam with the seed's ``errors`` among "square", "root", "bias" and "eps"."""
    moments = _unsquared_moments if "square" in errors else _moments
    bias = (_no_bias, _no_bias) if "bias" in errors else (_M_BIAS, _V_BIAS)
    return _adam(moments, *bias, step=seed_step(errors))


# The seed's w − η·m / v + ε: four errors.
_SEED_ERRORS = {
    "square": "v averages g, not g² (grad**2)",
    "root": SEED_ROOT.format(G="v̂"),
    "bias": "there is no bias correction (m̂ = m / (1 − β1ᵗ), v̂ = v / (1 − β2ᵗ))",
    "eps": SEED_EPS.format(G="v̂", code="v"),
}


def _off_by_one(m_shift, v_shift):
    """The mutant whose bias correction uses t + shift for m, for v or for both."""
    shifted = [name for name, shift in (("m̂", m_shift), ("v̂", v_shift)) if shift]
    sign = "+" if (m_shift or v_shift) > 0 else "−"
    where = "the bias correction" if len(shifted) == 2 else f"the bias correction of {shifted[0]}"
    return Mutant(
        _adam(
            m_bias=_bias("beta1", lambda t: t + m_shift),
            v_bias=_bias("beta2", lambda t: t + v_shift),
        ),
        f"t is off by one: {where} uses t {sign} 1, " + _T_IS_THIS_STEP,
    )


_MUTANTS = (
    Mutant(
        _adam(m_bias=_no_bias, v_bias=_no_bias),
        "there is no bias correction: step with m̂ = m / (1 − β1ᵗ) and v̂ = v / (1 − β2ᵗ).",
    ),
    Mutant(
        _adam(v_bias=_no_bias),
        "only m is bias-corrected: v needs it too, v̂ = v / (1 − β2ᵗ).",
    ),
    Mutant(
        _adam(m_bias=_no_bias),
        "only v is bias-corrected: m needs it too, m̂ = m / (1 − β1ᵗ).",
    ),
    _off_by_one(-1, -1),
    _off_by_one(1, 1),
    _off_by_one(-1, 0),
    _off_by_one(1, 0),
    _off_by_one(0, -1),
    _off_by_one(0, 1),
    Mutant(
        _adam(m_bias=_bias("beta1", lambda t: 1), v_bias=_bias("beta2", lambda t: 1)),
        "the bias correction lacks the power t: divide by 1 − β1ᵗ (1 - beta1**t), not 1 − β1.",
    ),
    Mutant(
        _adam(v_bias=_bias("beta1")),
        "v̂ is corrected with β1: v̂ = v / (1 − β2ᵗ), with β2 (m̂ = m / (1 − β1ᵗ) uses β1).",
    ),
    Mutant(
        _adam(m_bias=_bias("beta2")),
        "m̂ is corrected with β2: m̂ = m / (1 − β1ᵗ), with β1 (v̂ = v / (1 − β2ᵗ) uses β2).",
    ),
    Mutant(
        _adam(
            m_bias=lambda beta1, beta2, t: (1 - beta1) ** t,
            v_bias=lambda beta1, beta2, t: (1 - beta2) ** t,
        ),
        "the power is on (1 − β): the bias correction divides by 1 − βᵗ, 1 - beta1**t.",
    ),
    Mutant(
        _adam(
            m_bias=lambda beta1, beta2, t: 1 - beta1 * t,
            v_bias=lambda beta1, beta2, t: 1 - beta2 * t,
        ),
        "βᵗ is a power, beta1**t, not beta1*t: the bias correction divides by 1 − β1ᵗ.",
    ),
    Mutant(
        _adam_unbracketed,
        "`m / 1 - beta1**t` is (m / 1) − β1ᵗ, as Python reads it: write m / (1 - beta1**t) "
        "(and likewise for v).",
    ),
    *step_mutants(_adam, "v̂", "m̂"),
    Mutant(
        _adam_paper_efficient,
        "you folded the bias correction into the learning rate, η·√(1 − β2ᵗ) / (1 − β1ᵗ) · m / "
        "(√v + ε), as in the Adam paper's faster form; that puts ε before the correction. This "
        "exercise (like torch) divides by √v̂ + ε, with v̂ = v / (1 − β2ᵗ).",
    ),
    Mutant(
        _adam(_unsquared_moments), "v averages g instead of g²: v ← β2·v + (1 − β2)·g² (grad**2)."
    ),
    Mutant(
        _adam(_absolute_moments), "v averages |g| instead of g²: v ← β2·v + (1 − β2)·g² (grad**2)."
    ),
    Mutant(
        _adam(_moments_of_m),
        "v averages m² instead of g²: v ← β2·v + (1 − β2)·g², with the gradient itself.",
    ),
    Mutant(_adam_betas_swapped, "β1 and β2 are swapped: m uses β1 (0.9), v uses β2 (0.999)."),
    Mutant(
        _adam(_swapped_moments),
        "β and 1 − β are swapped: m ← β1·m + (1 − β1)·g keeps the fraction β1 of the old m "
        "(and likewise for v).",
    ),
    Mutant(
        _adam_corrected_state,
        "you return the bias-corrected m̂ and v̂ as the new state: return the plain averages "
        "m and v (the correction is redone at every step).",
    ),
    Mutant(
        _adam_corrected_before_update,
        "you bias-correct the m and v you were given, before the update: update them first, "
        "then step with m̂ = m / (1 − β1ᵗ) and v̂ = v / (1 − β2ᵗ).",
    ),
    Mutant(
        _adam_old_moments,
        "the step uses m and v from before this step's update: update them first, then "
        "bias-correct and step.",
    ),
    Mutant(
        _adam_amsgrad,
        "you divide by the larger of the old and new v, which is AMSGrad; Adam divides by √v̂ "
        "of this step's v.",
    ),
    Mutant(
        _adamw,
        "you added weight decay, w ← w − η·λ·w, as AdamW does; this exercise's Adam has none.",
    ),
    *seed_mutants(_seed, _SEED_ERRORS),
)


check_v_correction = numeric(
    "v_correction",
    value=1 / (1 - 0.999**10),
    why="v̂ = v / (1 − β2ᵗ) = v / (1 − 0.999¹⁰) ≈ 100.45 v: after 10 steps v has only about "
    "1 % of its weight, so it is 100 times too small.",
    mistakes=(
        (1 / (1 - 0.999), "the power t is missing: the divisor is 1 − β2ᵗ, with t = 10."),
        (
            100,
            "that rounds 1 − β2ᵗ to t·(1 − β2) = 0.01, its first-order approximation; "
            "keep the digits: 1 − 0.999¹⁰ = 0.00995.",
        ),
        (
            1 - 0.999**10,
            "that is the divisor 1 − β2ᵗ itself; v̂ = v / (1 − β2ᵗ), so the factor "
            "is its reciprocal.",
        ),
        (1 / (1 - 0.9**10), "that uses β1 = 0.9, m's rate; v's correction uses β2 = 0.999."),
        (1 / np.sqrt(1 - 0.999**10), "that is the factor on √v; the question asks for v itself."),
        (1 / (1 - 0.999**9), "t is off by one: step 10 divides by 1 − β2¹⁰."),
        (1 / (1 - 0.999**11), "t is off by one: step 10 divides by 1 − β2¹⁰."),
    ),
    hint="Write v after 10 steps of a constant g² as a sum, and compare it with g².",
)


check_adam_without_momentum = question(
    "adam_without_momentum",
    correct="c",
    why="With β1 = 0, m is just g; without the correction of v, v is RMSProp's moving average "
    "of g² (α = β2): the cells after Exercise 1 checked that the steps agree to the last digit.",
    wrong={
        "a": "Momentum is the β1 part, m; with β1 = 0 it is gone, and what is left divides g "
        "by √v.",
        "b": "AdaGrad divides by the root of a sum that only grows; Adam's v is a moving "
        "average, which forgets.",
        "d": "Bias correction of m does nothing when β1 = 0 (1 − 0ᵗ = 1), but v still "
        "divides the step: Adam stays adaptive, one step size per weight.",
    },
)


check_adamw_decay = question(
    "adamw_decay",
    correct="a",
    why="Adam + L2 puts λw into the gradient, so the decay is divided by √v̂ like the rest; "
    "AdamW shrinks the weight itself, w ← w − ηλw, the same for every weight.",
    wrong={
        "b": "They are different: on the badly scaled bowl (section 6) they ended in different "
        "places, Adam + L2 at the L2 minimum and AdamW with x = y.",
        "c": "It is the other way round: Adam + L2 divides the decay by √v̂ (it is part of the "
        "gradient); AdamW's decay ηλw bypasses m and v.",
        "d": "Both use the same λ; what differs is where the decay enters, in the gradient "
        "(L2) or on the weight (AdamW).",
    },
)
