r"""Learning-rate schedules: the learning rate as a plain function of the step count.

A schedule is a function ``lr(t)`` of the step count t = 0, 1, 2, ... (nanoGPT style). It
equals the learning rate that ``torch.optim.lr_scheduler`` gives after t calls of
``scheduler.step()``, so ``lr(0)`` is the rate of the first update::

    lr = cosine(0.1, T_max=100)
    for t in range(100):
        opt.lr = lr(t)
        opt.step(grads)

torch computes most schedules recursively, each value from the one before; here each is its
closed form, written in the docstring (η is the learning rate, t the step count). Rules driven
by a measured metric need memory, so they are classes: ``ReduceLROnPlateau`` and
``EarlyStopping``.
"""

import math

from course_utils.validation import (
    as_float_array,
    choice,
    in_range,
    nonnegative,
    nonnegative_int,
    positive,
    positive_int,
)

__all__ = [
    "Schedule",
    "constant",
    "step_decay",
    "exponential",
    "cosine",
    "cosine_warm_restarts",
    "cyclic",
    "one_cycle",
    "linear_warmup",
    "ReduceLROnPlateau",
    "EarlyStopping",
]


class Schedule:
    """A learning rate as a function of the step count, ``lr(t) -> float``.

    ``repr`` is the call that made it (``cosine(lr=0.1, T_max=100, eta_min=0.0)``) and
    ``__name__`` the factory's name, so plots can label curves. ``last_step`` is the largest t
    the schedule is defined for (None: every t ≥ 0).
    """

    def __init__(self, lr_at, name, params, last_step=None):
        self._lr_at = lr_at
        self.__name__ = name
        self.params = params
        self.last_step = last_step

    def __call__(self, t):
        t = nonnegative_int("t", t)
        if self.last_step is not None and t > self.last_step:
            raise ValueError(f"t must be an integer in [0, {self.last_step}] for {self!r}, got {t}")
        return float(self._lr_at(t))

    def __repr__(self):
        args = ", ".join(f"{key}={value!r}" for key, value in self.params.items())
        return f"{self.__name__}({args})"


def constant(lr):
    r"""The same rate at every step: $\eta_t = \eta$."""
    lr = nonnegative("lr", lr)
    return Schedule(lambda t: lr, "constant", {"lr": lr})


def step_decay(lr, step_size, gamma=0.1):
    r"""Multiply the rate by γ every ``step_size`` steps (torch's StepLR).

    $\eta_t = \eta \, \gamma^{\lfloor t / \text{step\_size} \rfloor}$
    """
    lr = nonnegative("lr", lr)
    step_size = positive_int("step_size", step_size)
    gamma = positive("gamma", gamma)
    params = {"lr": lr, "step_size": step_size, "gamma": gamma}
    return Schedule(lambda t: _scaled(lr, gamma, t // step_size), "step_decay", params)


def exponential(lr, gamma):
    r"""Multiply the rate by γ at every step (torch's ExponentialLR); γ > 1 makes it grow.

    $\eta_t = \eta \, \gamma^{t}$
    """
    lr = nonnegative("lr", lr)
    gamma = positive("gamma", gamma)
    return Schedule(lambda t: _scaled(lr, gamma, t), "exponential", {"lr": lr, "gamma": gamma})


def _scaled(lr, gamma, count):
    """η·γ^count; inf once a growing rate passes the largest float, as torch's repeated
    multiplication gives, rather than Python's OverflowError."""
    try:
        return lr * gamma**count
    except OverflowError:
        return math.inf if lr > 0 else 0.0


def _cosine_anneal(lr, eta_min, t, period):
    r"""$\eta_{\min} + \tfrac12(\eta - \eta_{\min})(1 + \cos(\pi t / T))$, the shared half-wave."""
    return eta_min + (lr - eta_min) * (1 + math.cos(math.pi * t / period)) / 2


def _lr_and_floor(lr, eta_min):
    lr = nonnegative("lr", lr)
    eta_min = nonnegative("eta_min", eta_min)
    if eta_min > lr:
        raise ValueError(f"eta_min must be ≤ lr = {lr}, got {eta_min}")
    return lr, eta_min


def cosine(lr, T_max, eta_min=0.0):
    r"""Half a cosine wave from η down to η_min over T_max steps (torch's CosineAnnealingLR).

    $\eta_t = \eta_{\min} + \tfrac12 (\eta - \eta_{\min})
    \left(1 + \cos\left(\pi \, \min(t, T_{\max}) / T_{\max}\right)\right)$

    For t > T_max the rate stays at η_min. torch's scheduler does not: its recursion follows
    the cosine back up, reaching η again at t = 2 T_max; the two agree for t ≤ T_max.
    """
    lr, eta_min = _lr_and_floor(lr, eta_min)
    T_max = positive_int("T_max", T_max)
    params = {"lr": lr, "T_max": T_max, "eta_min": eta_min}
    return Schedule(lambda t: _cosine_anneal(lr, eta_min, min(t, T_max), T_max), "cosine", params)


def cosine_warm_restarts(lr, T_0, T_mult=1, eta_min=0.0):
    r"""Cosine annealing restarted at η every cycle; the i-th cycle lasts T_i = T_0 T_mult^i
    steps (SGDR, torch's CosineAnnealingWarmRestarts).

    $\eta_t = \eta_{\min} + \tfrac12 (\eta - \eta_{\min})
    \left(1 + \cos\left(\pi \, T_{cur} / T_i\right)\right)$

    where $T_{cur}$ counts the steps since the last restart.
    """
    lr, eta_min = _lr_and_floor(lr, eta_min)
    T_0 = positive_int("T_0", T_0)
    T_mult = positive_int("T_mult", T_mult)

    def lr_at(t):
        if T_mult == 1:
            return _cosine_anneal(lr, eta_min, t % T_0, T_0)
        steps_into_cycle, cycle_length = t, T_0
        while steps_into_cycle >= cycle_length:
            steps_into_cycle -= cycle_length
            cycle_length *= T_mult
        return _cosine_anneal(lr, eta_min, steps_into_cycle, cycle_length)

    params = {"lr": lr, "T_0": T_0, "T_mult": T_mult, "eta_min": eta_min}
    return Schedule(lr_at, "cosine_warm_restarts", params)


CYCLIC_MODES = ("triangular", "triangular2", "exp_range")


def cyclic(base_lr, max_lr, step_size_up, mode="triangular", gamma=1.0, *, step_size_down=None):
    r"""Triangle waves between base_lr and max_lr (Smith 2017; torch's CyclicLR).

    A cycle is $S = S_{up} + S_{down}$ steps; $S_{down}$ defaults to $S_{up}$. With cycle
    number $c = \lfloor 1 + t/S \rfloor$, position $x = 1 + t/S - c \in [0, 1)$ and
    $r = S_{up}/S$:

    $h_t = x / r$ if $x \le r$, else $(1 - x)/(1 - r)$

    $\eta_t = \eta_{base} + (\eta_{max} - \eta_{base}) \, h_t \, s_t$

    where the amplitude scale $s_t$ is 1 (triangular), $2^{-(c-1)}$ (triangular2: halved every
    cycle) or $\gamma^{t}$ (exp_range).
    """
    base_lr = nonnegative("base_lr", base_lr)
    max_lr = nonnegative("max_lr", max_lr)
    if max_lr < base_lr:
        raise ValueError(f"max_lr must be ≥ base_lr = {base_lr}, got {max_lr}")
    step_size_up = positive_int("step_size_up", step_size_up)
    if step_size_down is None:
        step_size_down = step_size_up
    step_size_down = positive_int("step_size_down", step_size_down)
    mode = choice("mode", mode, CYCLIC_MODES)
    gamma = in_range("gamma", gamma, 0.0, 1.0, low_closed=False, high_closed=True)
    # torch's float arithmetic, step for step, so the values agree to the last bits
    cycle_length = float(step_size_up + step_size_down)
    up_fraction = step_size_up / cycle_length

    def lr_at(t):
        cycle = math.floor(1 + t / cycle_length)
        x = 1.0 + t / cycle_length - cycle
        height = x / up_fraction if x <= up_fraction else (1 - x) / (1 - up_fraction)
        if mode == "triangular":
            scale = 1.0
        elif mode == "triangular2":
            scale = 1 / (2.0 ** (cycle - 1))
        else:
            scale = gamma**t
        return base_lr + (max_lr - base_lr) * height * scale

    params = {"base_lr": base_lr, "max_lr": max_lr, "step_size_up": step_size_up, "mode": mode}
    if mode == "exp_range":
        params["gamma"] = gamma
    if step_size_down != step_size_up:
        params["step_size_down"] = step_size_down
    return Schedule(lr_at, "cyclic", params)


def one_cycle(max_lr, total_steps, pct_start=0.3, div_factor=25.0, final_div_factor=1e4):
    r"""Warm up from η_max/d to η_max, then anneal far below the start (Smith's 1cycle;
    torch's OneCycleLR with anneal_strategy="cos", three_phase=False).

    With $\eta_0 = \eta_{max}/d$, $\eta_{\min} = \eta_0 / d_{final}$, $T$ = total_steps and
    the peak step $T_p = p\,T - 1$ (p = pct_start):

    $\eta_t = \eta_{max} + \tfrac12(\eta_0 - \eta_{max})(1 + \cos(\pi\, t / T_p))$
    for $t \le T_p$

    $\eta_t = \eta_{\min} + \tfrac12(\eta_{max} - \eta_{\min})
    (1 + \cos(\pi\, (t - T_p) / (T - 1 - T_p)))$ otherwise.

    Defined for 0 ≤ t ≤ total_steps, like torch (which raises past total_steps); lr(T - 1) is
    η_min and lr(T), the rate after the last scheduler step, is torch's value one step past it.
    """
    max_lr = nonnegative("max_lr", max_lr)
    total_steps = positive_int("total_steps", total_steps)
    pct_start = in_range("pct_start", pct_start, 0.0, 1.0, high_closed=True)
    div_factor = positive("div_factor", div_factor)
    final_div_factor = positive("final_div_factor", final_div_factor)
    initial_lr = max_lr / div_factor
    min_lr = initial_lr / final_div_factor
    peak_step = float(pct_start * total_steps) - 1  # torch's phase boundary, a float
    last_step = total_steps - 1
    if peak_step in (0.0, last_step):
        # torch divides by zero here (a phase of zero length)
        raise ValueError(
            f"pct_start * total_steps must differ from 1 and from total_steps, got "
            f"pct_start={pct_start}, total_steps={total_steps}"
        )

    def anneal(start, end, fraction):
        return end + (start - end) / 2.0 * (math.cos(math.pi * fraction) + 1)

    def lr_at(t):
        if t <= peak_step:
            return anneal(initial_lr, max_lr, t / peak_step)
        return anneal(max_lr, min_lr, (t - peak_step) / (last_step - peak_step))

    params = {
        "max_lr": max_lr,
        "total_steps": total_steps,
        "pct_start": pct_start,
        "div_factor": div_factor,
        "final_div_factor": final_div_factor,
    }
    return Schedule(lr_at, "one_cycle", params, last_step=total_steps)


def linear_warmup(lr, warmup_steps, after=None, start_factor=None):
    r"""Ramp linearly up to η over W = warmup_steps steps, then hand over to ``after``
    (torch's LinearLR(start_factor=f, end_factor=1, total_iters=W), followed by ``after`` in a
    SequentialLR with milestones=[W]).

    $\eta_t = \eta \left(f + (1 - f)\, t / W\right)$ for $t < W$;
    $\eta_t = \text{after}(t - W)$ for $t \ge W$ (η itself when there is no ``after``).

    The default $f = 1/(W + 1)$ gives $\eta_t = \eta\,(t + 1)/(W + 1)$, nanoGPT's warm-up.
    ``after`` is any schedule; usually ``after(0)`` is η, e.g.
    ``linear_warmup(0.1, 10, after=cosine(0.1, T_max=90))``.
    """
    lr = nonnegative("lr", lr)
    warmup_steps = positive_int("warmup_steps", warmup_steps)
    if start_factor is None:
        start_factor = 1 / (warmup_steps + 1)
    start_factor = in_range(
        "start_factor", start_factor, 0.0, 1.0, low_closed=False, high_closed=True
    )
    if after is not None and not callable(after):
        raise TypeError(f"after must be a schedule lr(t) or None, got {after!r}")

    def lr_at(t):
        if t >= warmup_steps and after is not None:
            return after(t - warmup_steps)
        return lr * (start_factor + (1.0 - start_factor) * min(warmup_steps, t) / warmup_steps)

    params = {"lr": lr, "warmup_steps": warmup_steps, "start_factor": start_factor}
    after_last_step = getattr(after, "last_step", None)
    if after is not None:
        params["after"] = after
    last_step = None if after_last_step is None else warmup_steps + after_last_step
    return Schedule(lr_at, "linear_warmup", params, last_step=last_step)


def _metric(value):
    """A measured metric as a float. NaN and ±inf pass and compare as in torch (a NaN never
    improves), so a diverging loss counts as a bad step instead of crashing the loop."""
    array = as_float_array("metric", value, allow_nonfinite=True)
    if array.ndim != 0:
        raise ValueError(f"metric must be a single number, got an array of shape {array.shape}")
    return float(array)


def _improves(metric, best, mode, threshold, threshold_mode):
    """Whether ``metric`` beats ``best`` by more than the threshold (torch's rule)."""
    if mode == "min":
        bar = best * (1 - threshold) if threshold_mode == "rel" else best - threshold
        return metric < bar
    bar = best * (1 + threshold) if threshold_mode == "rel" else best + threshold
    return metric > bar


class ReduceLROnPlateau:
    r"""Cut the rate by ``factor`` when the metric has not improved for more than ``patience``
    steps (torch's ReduceLROnPlateau, same arguments and arithmetic).

    A step improves when (mode "min") metric < best·(1 − threshold) (threshold_mode "rel") or
    metric < best − threshold ("abs"); mode "max" mirrors it. When ``bad_steps`` exceeds
    ``patience``: η ← max(factor·η, min_lr), skipped when that changes η by ≤ eps; then
    ``cooldown`` steps pass in which bad steps are not counted.

    ``step(metric)`` returns the rate to use next; ``lr``, ``best``, ``bad_steps`` and
    ``cooldown_left`` show the state.
    """

    def __init__(
        self,
        lr,
        factor=0.1,
        patience=10,
        threshold=1e-4,
        cooldown=0,
        min_lr=0.0,
        mode="min",
        threshold_mode="rel",
        eps=1e-8,
    ):
        self.lr = nonnegative("lr", lr)
        self.factor = in_range("factor", factor, 0.0, 1.0, low_closed=False)
        self.patience = nonnegative_int("patience", patience)
        self.threshold = nonnegative("threshold", threshold)
        self.cooldown = nonnegative_int("cooldown", cooldown)
        self.min_lr = nonnegative("min_lr", min_lr)
        self.mode = choice("mode", mode, ("min", "max"))
        self.threshold_mode = choice("threshold_mode", threshold_mode, ("rel", "abs"))
        self.eps = nonnegative("eps", eps)
        self.best = math.inf if mode == "min" else -math.inf
        self.bad_steps = 0
        self.cooldown_left = 0

    def step(self, metric):
        """Record this step's metric; return the learning rate for the next step."""
        metric = _metric(metric)
        if _improves(metric, self.best, self.mode, self.threshold, self.threshold_mode):
            self.best = metric
            self.bad_steps = 0
        else:
            self.bad_steps += 1
        if self.cooldown_left > 0:
            self.cooldown_left -= 1
            self.bad_steps = 0
        if self.bad_steps > self.patience:
            reduced = max(self.lr * self.factor, self.min_lr)
            if self.lr - reduced > self.eps:  # tiny cuts are noise, not a decision
                self.lr = reduced
            self.cooldown_left = self.cooldown
            self.bad_steps = 0
        return self.lr

    def __repr__(self):
        return (
            f"ReduceLROnPlateau(lr={self.lr!r}, factor={self.factor!r}, "
            f"patience={self.patience!r}, best={self.best!r}, bad_steps={self.bad_steps!r})"
        )


class EarlyStopping:
    r"""Stop when the metric has not improved for ``patience`` steps in a row.

    A step improves when metric < best − min_delta (mode "min"; mode "max": metric > best +
    min_delta). ``step(metric)`` returns True once ``bad_steps`` ≥ patience: time to stop.
    ``best`` is the best metric so far and ``best_step`` the 0-based index of the ``step``
    call that saw it (None before the first call).

    Note the off-by-one against ReduceLROnPlateau, whose patience counts the bad steps it
    tolerates: EarlyStopping(p) stops where ReduceLROnPlateau(patience=p − 1,
    threshold=min_delta, threshold_mode="abs") would first cut the rate.
    """

    def __init__(self, patience, min_delta=0.0, mode="min"):
        self.patience = positive_int("patience", patience)
        self.min_delta = nonnegative("min_delta", min_delta)
        self.mode = choice("mode", mode, ("min", "max"))
        self.best = math.inf if mode == "min" else -math.inf
        self.best_step = None
        self.bad_steps = 0
        self.steps = 0

    def step(self, metric):
        """Record this step's metric; return True when training should stop."""
        metric = _metric(metric)
        if _improves(metric, self.best, self.mode, self.min_delta, "abs"):
            self.best = metric
            self.best_step = self.steps
            self.bad_steps = 0
        else:
            self.bad_steps += 1
        self.steps += 1
        return self.bad_steps >= self.patience

    def __repr__(self):
        return (
            f"EarlyStopping(patience={self.patience!r}, min_delta={self.min_delta!r}, "
            f"best={self.best!r}, best_step={self.best_step!r}, bad_steps={self.bad_steps!r})"
        )
