r"""Optimizers: the update rules of the course, as pure functions and as torch-shaped classes.

The pure functions are the reference solutions of the exercises. They share one interface:

    new_w, *new_state = rule(w, grad, *state, **hyperparameters)

- ``w`` and ``grad`` are NumPy arrays (or numbers) of the same shape; float32 stays float32,
  anything else is computed in float64;
- the state (velocity, sum of squares, moving averages) goes in and the new state comes out,
  so the caller owns it, as in optax; it starts at zeros;
- inputs are never modified: every call returns new arrays.

Notation, the same as in the notebooks: w the weights, g the gradient, η the learning rate
(``lr``), t the step number (1 on the first step), ε a small constant that keeps a division safe.

The classes ``SGD``, ``Adagrad``, ``RMSprop``, ``Adam`` and ``AdamW`` have torch.optim's names,
hyperparameters, defaults, validation and semantics (torch 2.13), and equal torch.optim's
results to 1e-10 in float64. They keep their state preallocated and update the parameters in
place (Adam in cache-sized blocks, on every core, for a large parameter, and every parameter of
a small network at once), which is what makes them fast; the math is the same as the pure
functions'::

    opt = Adam([w], lr=1e-2)
    for _ in range(100):
        opt.step([grad_of_loss(w)])   # w changes in place
    opt.lr = 1e-3                     # schedules drive the learning rate like this
"""

import os
from concurrent.futures import ThreadPoolExecutor
from functools import cache, partial

import numpy as np

from . import validation

__all__ = [
    "sgd_update",
    "momentum_update",
    "adagrad_update",
    "rmsprop_update",
    "adam_update",
    "Optimizer",
    "SGD",
    "Adagrad",
    "RMSprop",
    "Adam",
    "AdamW",
]


# ---------------------------------------------------------------------------------------------
# Pure update rules
# ---------------------------------------------------------------------------------------------


def _weights_and_gradient(w, grad):
    w = validation.as_float_array("w", w)
    grad = validation.as_float_array("grad", grad)
    validation.same_shape("w", w, grad=grad)
    return w, grad.astype(w.dtype, copy=False)


def _state(name, value, w, *, squares=False):
    value = validation.as_float_array(name, value)
    validation.same_shape("w", w, **{name: value})
    if squares and np.any(value < 0):
        # a sum or average of g² is never negative; √ of a negative entry would be a silent NaN
        raise ValueError(
            f"{name} holds squared gradients, so it must be ≥ 0 everywhere; "
            f"got a smallest entry of {value.min()}"
        )
    return value.astype(w.dtype, copy=False)


def sgd_update(w, grad, lr):
    r"""Plain gradient descent: $w \leftarrow w - \eta\, g$."""
    w, grad = _weights_and_gradient(w, grad)
    lr = validation.nonnegative("lr", lr)
    return w - lr * grad


def momentum_update(w, grad, velocity, lr, momentum=0.9, nesterov=False):
    r"""Heavy-ball momentum, in torch's form.

    $v \leftarrow \rho\, v + g$, then $w \leftarrow w - \eta\, v$;
    with Nesterov, $w \leftarrow w - \eta\,(g + \rho\, v)$ using the new $v$.

    ``velocity`` starts at zeros; returns ``(w, velocity)``.
    """
    w, grad = _weights_and_gradient(w, grad)
    velocity = _state("velocity", velocity, w)
    lr = validation.nonnegative("lr", lr)
    momentum = validation.in_range("momentum", momentum, 0.0, 1.0)
    if not isinstance(nesterov, (bool, np.bool_)):
        raise TypeError(f"nesterov must be True or False, got {nesterov!r}")

    velocity = momentum * velocity + grad
    step = grad + momentum * velocity if nesterov else velocity
    return w - lr * step, velocity


def adagrad_update(w, grad, sum_sq, lr=1e-2, eps=1e-10):
    r"""AdaGrad: each weight gets its own step size, shrinking as its gradients add up.

    $G \leftarrow G + g^2$, then $w \leftarrow w - \eta\, g / (\sqrt{G} + \varepsilon)$.

    ``sum_sq`` (G) starts at zeros; returns ``(w, sum_sq)``.
    """
    w, grad = _weights_and_gradient(w, grad)
    sum_sq = _state("sum_sq", sum_sq, w, squares=True)
    lr = validation.nonnegative("lr", lr)
    eps = validation.nonnegative("eps", eps)

    sum_sq = sum_sq + grad**2
    return w - lr * grad / (np.sqrt(sum_sq) + eps), sum_sq


def rmsprop_update(w, grad, sq_avg, lr=1e-2, alpha=0.99, eps=1e-8):
    r"""RMSProp: AdaGrad with a moving average instead of a sum, so steps do not fade away.

    $G \leftarrow \alpha\, G + (1 - \alpha)\, g^2$, then
    $w \leftarrow w - \eta\, g / (\sqrt{G} + \varepsilon)$.

    ``sq_avg`` (G) starts at zeros; returns ``(w, sq_avg)``.
    """
    w, grad = _weights_and_gradient(w, grad)
    sq_avg = _state("sq_avg", sq_avg, w, squares=True)
    lr = validation.nonnegative("lr", lr)
    alpha = validation.in_range("alpha", alpha, 0.0, 1.0)
    eps = validation.nonnegative("eps", eps)

    sq_avg = alpha * sq_avg + (1 - alpha) * grad**2
    return w - lr * grad / (np.sqrt(sq_avg) + eps), sq_avg


def adam_update(w, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    r"""Adam: momentum on the gradient, RMSProp on its square, both bias-corrected.

    $m \leftarrow \beta_1 m + (1 - \beta_1)\, g$,
    $v \leftarrow \beta_2 v + (1 - \beta_2)\, g^2$,
    $\hat m = m / (1 - \beta_1^t)$, $\hat v = v / (1 - \beta_2^t)$,
    $w \leftarrow w - \eta\, \hat m / (\sqrt{\hat v} + \varepsilon)$.

    ``m`` and ``v`` start at zeros; ``t`` is this step's number, 1 on the first step.
    Returns ``(w, m, v)``.
    """
    w, grad = _weights_and_gradient(w, grad)
    m = _state("m", m, w)
    v = _state("v", v, w, squares=True)
    t = validation.positive_int("t", t)
    lr = validation.nonnegative("lr", lr)
    beta1 = validation.in_range("beta1", beta1, 0.0, 1.0)
    beta2 = validation.in_range("beta2", beta2, 0.0, 1.0)
    eps = validation.nonnegative("eps", eps)

    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad**2
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


# ---------------------------------------------------------------------------------------------
# torch-shaped optimizer classes
# ---------------------------------------------------------------------------------------------


class Optimizer:
    """What every optimizer shares: the parameters, the learning rate, per-parameter state.

    Subclasses set ``defaults`` (validated hyperparameters), build each parameter's state in
    ``_init_state`` and write one step for one parameter, in place, in ``_update``.
    """

    def __init__(self, params, lr, **hyperparameters):
        self.params = _as_parameter_list(params)
        self.defaults = {"lr": validation.nonnegative("lr", lr), **hyperparameters}
        self.state = [self._init_state(param) for param in self.params]

    @property
    def lr(self):
        """The learning rate the next ``step`` uses; a schedule sets it before each step."""
        return self.defaults["lr"]

    @lr.setter
    def lr(self, value):
        self.defaults["lr"] = validation.nonnegative("lr", value)

    def step(self, grads):
        """Update every parameter in place from its gradient; a gradient of None skips it."""
        self._step_each(self._checked_grads(grads))

    def _step_each(self, grads):
        for param, grad, state in zip(self.params, grads, self.state, strict=True):
            if grad is not None:
                self._update(param, grad, state)

    def _checked_grads(self, grads):
        """The gradients as arrays of their parameters' shapes and dtypes (None stays None)."""
        if isinstance(grads, np.ndarray) or not isinstance(grads, (list, tuple)):
            raise TypeError(
                f"grads must be a list of arrays, one per parameter, got {type(grads).__name__}"
            )
        if len(grads) != len(self.params):
            raise ValueError(
                f"got {len(grads)} gradients for {len(self.params)} parameters; "
                "pass one gradient per parameter, in the same order"
            )
        checked = []
        for index, (param, grad) in enumerate(zip(self.params, grads, strict=True)):
            if grad is not None:
                grad = validation.as_float_array(f"grads[{index}]", grad, allow_nonfinite=True)
                validation.same_shape(f"params[{index}]", param, **{f"grads[{index}]": grad})
                grad = grad.astype(param.dtype, copy=False)
                if np.may_share_memory(grad, param):
                    # step([w]), the gradient of ½‖w‖²: w changes in place mid-step (AdamW
                    # decays it before reading g), so g must be a copy, as torch's p.grad is
                    # its own tensor
                    grad = grad.copy()
            checked.append(grad)
        return checked

    def _init_state(self, param):
        return {}

    def _update(self, param, grad, state):
        raise NotImplementedError

    def __repr__(self):
        settings = ", ".join(f"{name}={value!r}" for name, value in self.defaults.items())
        return f"{type(self).__name__}({settings})"


def _as_parameter_list(params):
    if isinstance(params, np.ndarray) or not isinstance(params, (list, tuple)):
        raise TypeError(
            "params must be a list of NumPy arrays, e.g. SGD([w], lr=0.1), "
            f"got {type(params).__name__}"
        )
    if not params:
        raise ValueError("params is an empty list: the optimizer has nothing to update")
    for index, param in enumerate(params):
        if not isinstance(param, np.ndarray) or param.dtype not in (np.float32, np.float64):
            raise TypeError(
                f"params[{index}] must be a float32 or float64 NumPy array (updated in place), "
                f"got {type(param).__name__} {getattr(param, 'dtype', '')}".rstrip()
            )
        if not param.flags.writeable:
            raise ValueError(f"params[{index}] is read-only; the optimizer updates it in place")
    return list(params)


# Large parameters. A step makes a dozen passes over each array; done block by block, every
# pass after the first finds its block in the L2 cache instead of main memory, which makes a
# large parameter's step about three times faster. NumPy lets go of Python's lock inside each
# ufunc, so threads working on separate blocks also run at the same time, one per core.
_BLOCK_BYTES = 256 * 1024  # per array: five arrays' blocks fit in a core's L2 cache
_PARALLEL_BYTES = 4 * 1024 * 1024  # below this, starting threads costs more than it saves


def _scratch(param):
    """Working memory for ``_for_each_block``, reused at every step; its shape sets the blocks.

    A small parameter is one block, and so is one that is not contiguous in memory (it cannot
    be cut without copying): the scratch is shaped like it. A large one gets a row of one
    block's length per thread.
    """
    length = max(1, _BLOCK_BYTES // param.itemsize)
    if param.size <= length or not param.flags.c_contiguous:
        return np.empty((1, *param.shape), param.dtype)
    threads = (os.cpu_count() or 1) if param.nbytes >= _PARALLEL_BYTES else 1
    return np.empty((threads, length), param.dtype)


@cache
def _thread_pool(threads, process_id):
    """Threads to update blocks on; a forked process (a new id) must not reuse its parent's."""
    return ThreadPoolExecutor(threads, thread_name_prefix="course_utils.optim")


def _for_each_block(update, scratch, *arrays):
    """``update(scratch_row, *blocks)`` for matching blocks of same-shaped ``arrays``.

    The blocks are views, so writing to one writes to its array (a strided gradient becomes a
    copy, which is harmless: it is only read). Thread i works on blocks i, i + threads, ...
    """
    size = arrays[0].size
    if scratch[0].size == size:
        update(scratch[0, ...], *arrays)
        return
    flat = [array.reshape(-1) for array in arrays]
    threads, length = scratch.shape

    def run(thread):
        for start in range(thread * length, size, threads * length):
            blocks = [array[start : start + length] for array in flat]
            update(scratch[thread, : len(blocks[0])], *blocks)

    if threads == 1:
        run(0)
    else:
        list(_thread_pool(threads, os.getpid()).map(run, range(threads)))


def _pack(params, states):
    """Move the state arrays of small parameters into one flat buffer per state name.

    Each parameter's ``state[name]`` becomes a view of its part of ``buffers[name]``, so the
    per-parameter path still finds its state there, and a step over every parameter at once
    works on the flat buffers (plus ``buffers["grad"]``, where the gradients are gathered).
    For a small network most of a step's time is NumPy's fixed cost per call, which this pays
    once instead of once per parameter. Returns ``(buffers, parts)``, ``parts[i]`` being
    parameter i's slice of every buffer, or None when there is nothing to gain or the
    parameters would not fit one cache-sized block of one dtype (those are updated one by one,
    in blocks).
    """
    dtype, total = params[0].dtype, sum(param.size for param in params)
    if len(params) < 2 or total * dtype.itemsize > _BLOCK_BYTES:
        return None
    if any(param.dtype != dtype for param in params):
        return None
    ends = np.cumsum([param.size for param in params]).tolist()
    parts = [slice(end - param.size, end) for param, end in zip(params, ends, strict=True)]
    arrays = [name for name, value in states[0].items() if isinstance(value, np.ndarray)]
    buffers = {name: np.empty(total, dtype) for name in [*arrays, "grad"]}
    for state, part in zip(states, parts, strict=True):
        for name in arrays:
            buffers[name][part] = state[name].reshape(-1)
            state[name] = buffers[name][part].reshape(state[name].shape)
    return buffers, parts


def _with_l2_penalty(grad, param, weight_decay):
    """L2 regularisation folded into the gradient: g + λw (a new array: never the caller's)."""
    return grad + weight_decay * param if weight_decay != 0 else grad


class SGD(Optimizer):
    r"""Stochastic gradient descent, optionally with momentum, as torch.optim.SGD.

    $g \leftarrow g + \lambda w$ (weight decay);
    $v \leftarrow g$ on the first step, then $v \leftarrow \rho v + (1 - \tau) g$ (dampening τ);
    $w \leftarrow w - \eta v$, or with Nesterov $w \leftarrow w - \eta (g + \rho v)$.
    """

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False):
        momentum = validation.nonnegative("momentum", momentum)
        dampening = validation.real("dampening", dampening)
        weight_decay = validation.nonnegative("weight_decay", weight_decay)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(
            params,
            lr,
            momentum=momentum,
            dampening=dampening,
            weight_decay=weight_decay,
            nesterov=bool(nesterov),
        )

    def _init_state(self, param):
        return {"velocity": None}

    def _update(self, param, grad, state):
        lr, momentum = self.defaults["lr"], self.defaults["momentum"]
        grad = _with_l2_penalty(grad, param, self.defaults["weight_decay"])
        if momentum != 0:
            velocity = state["velocity"]
            if velocity is None:
                # np.array, not grad.copy(): for a 0-d parameter grad + λw is a NumPy scalar,
                # whose copy is immutable, so the in-place updates below would be lost
                velocity = state["velocity"] = np.array(grad)
            else:
                velocity *= momentum
                velocity += (1 - self.defaults["dampening"]) * grad
            grad = grad + momentum * velocity if self.defaults["nesterov"] else velocity
        param -= lr * grad


class Adagrad(Optimizer):
    r"""AdaGrad, as torch.optim.Adagrad.

    $g \leftarrow g + \lambda w$; $\eta_t = \eta / (1 + (t - 1)\,\text{lr\_decay})$;
    $G \leftarrow G + g^2$ (G starts at ``initial_accumulator_value``);
    $w \leftarrow w - \eta_t\, g / (\sqrt{G} + \varepsilon)$.
    """

    def __init__(
        self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10
    ):
        super().__init__(
            params,
            lr,
            lr_decay=validation.nonnegative("lr_decay", lr_decay),
            weight_decay=validation.nonnegative("weight_decay", weight_decay),
            initial_accumulator_value=validation.nonnegative(
                "initial_accumulator_value", initial_accumulator_value
            ),
            eps=validation.nonnegative("eps", eps),
        )

    def _init_state(self, param):
        initial = self.defaults["initial_accumulator_value"]
        return {"step": 0, "sum_sq": np.full_like(param, initial)}

    def _update(self, param, grad, state):
        state["step"] += 1
        grad = _with_l2_penalty(grad, param, self.defaults["weight_decay"])
        decayed_lr = self.defaults["lr"] / (1 + (state["step"] - 1) * self.defaults["lr_decay"])
        sum_sq = state["sum_sq"]
        sum_sq += grad * grad
        param -= decayed_lr * grad / (np.sqrt(sum_sq) + self.defaults["eps"])


class RMSprop(Optimizer):
    r"""RMSProp, as torch.optim.RMSprop.

    $g \leftarrow g + \lambda w$; $G \leftarrow \alpha G + (1 - \alpha) g^2$;
    centered: $\bar g \leftarrow \alpha \bar g + (1 - \alpha) g$ and the denominator uses
    $G - \bar g^2$ (a variance) instead of $G$; $d = \sqrt{\cdot} + \varepsilon$;
    with momentum: $b \leftarrow \rho b + g / d$, $w \leftarrow w - \eta b$;
    without: $w \leftarrow w - \eta\, g / d$.
    """

    def __init__(
        self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False
    ):
        super().__init__(
            params,
            lr,
            alpha=validation.in_range("alpha", alpha, 0.0, 1.0, high_closed=True),
            eps=validation.nonnegative("eps", eps),
            weight_decay=validation.nonnegative("weight_decay", weight_decay),
            momentum=validation.nonnegative("momentum", momentum),
            centered=bool(centered),
        )

    def _init_state(self, param):
        state = {"step": 0, "sq_avg": np.zeros_like(param)}
        if self.defaults["momentum"] > 0:
            state["momentum_buffer"] = np.zeros_like(param)
        if self.defaults["centered"]:
            state["grad_avg"] = np.zeros_like(param)
        return state

    def _update(self, param, grad, state):
        alpha = self.defaults["alpha"]
        state["step"] += 1
        grad = _with_l2_penalty(grad, param, self.defaults["weight_decay"])
        sq_avg = state["sq_avg"]
        sq_avg *= alpha
        sq_avg += (1 - alpha) * grad * grad
        if self.defaults["centered"]:
            grad_avg = state["grad_avg"]
            grad_avg += (1 - alpha) * (grad - grad_avg)
            denom = np.sqrt(sq_avg - grad_avg * grad_avg) + self.defaults["eps"]
        else:
            denom = np.sqrt(sq_avg) + self.defaults["eps"]
        if self.defaults["momentum"] > 0:
            buffer = state["momentum_buffer"]
            buffer *= self.defaults["momentum"]
            buffer += grad / denom
            param -= self.defaults["lr"] * buffer
        else:
            param -= self.defaults["lr"] * grad / denom


class Adam(Optimizer):
    r"""Adam, as torch.optim.Adam (and AdamW with ``decoupled_weight_decay=True``).

    Weight decay: L2 $g \leftarrow g + \lambda w$, or decoupled $w \leftarrow (1 - \eta\lambda) w$;
    $m \leftarrow \beta_1 m + (1 - \beta_1) g$; $v \leftarrow \beta_2 v + (1 - \beta_2) g^2$;
    AMSGrad: $v_{\max} \leftarrow \max(v_{\max}, v)$ replaces $v$ below;
    $w \leftarrow w - \frac{\eta}{1 - \beta_1^t}\, m / (\sqrt{v} / \sqrt{1 - \beta_2^t}
    + \varepsilon)$, which is $w - \eta\, \hat m / (\sqrt{\hat v} + \varepsilon)$ written as
    torch computes it.

    The step works in place in preallocated buffers, so it allocates nothing per step. A large
    parameter is updated in cache-sized blocks, on every core (see ``_for_each_block``); the
    parameters of a small network share one flat buffer per state, so that one step is a dozen
    NumPy calls for all of them, not a dozen per parameter (see ``_pack``).
    """

    def __init__(
        self,
        params,
        lr=1e-3,
        betas=(0.9, 0.999),
        eps=1e-8,
        weight_decay=0,
        amsgrad=False,
        *,
        decoupled_weight_decay=False,
    ):
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise TypeError(f"betas must be a pair (beta1, beta2), got {betas!r}")
        for index, beta in enumerate(betas):
            validation.in_range(f"betas[{index}]", beta, 0.0, 1.0)
        super().__init__(
            params,
            lr,
            betas=(float(betas[0]), float(betas[1])),
            eps=validation.nonnegative("eps", eps),
            weight_decay=validation.nonnegative("weight_decay", weight_decay),
            amsgrad=bool(amsgrad),
            decoupled_weight_decay=bool(decoupled_weight_decay),
        )
        self._packed = _pack(self.params, self.state)

    def _init_state(self, param):
        state = {
            "step": 0,
            "exp_avg": np.zeros_like(param),
            "exp_avg_sq": np.zeros_like(param),
            "scratch": _scratch(param),
        }
        if self.defaults["amsgrad"]:
            state["max_exp_avg_sq"] = np.zeros_like(param)
        return state

    def step(self, grads):
        grads = self._checked_grads(grads)
        # all together only when every parameter takes this step, as each counts its own t
        every_one = all(grad is not None for grad in grads)
        in_step = len({state["step"] for state in self.state}) == 1
        if self._packed is None or not every_one or not in_step:
            self._step_each(grads)
            return
        buffers, parts = self._packed
        for param, grad, part in zip(self.params, grads, parts, strict=True):
            buffers["grad"][part] = self._with_weight_decay(param, grad).reshape(-1)
        for state in self.state:
            state["step"] += 1
        step = self._adam_step(**buffers, **self._bias_corrections(self.state[0]["step"]))
        for param, part in zip(self.params, parts, strict=True):
            param -= step[part].reshape(param.shape)

    def _update(self, param, grad, state):
        state["step"] += 1
        moments = [state["exp_avg"], state["exp_avg_sq"]]
        if self.defaults["amsgrad"]:
            moments.append(state["max_exp_avg_sq"])
        update = partial(self._update_block, **self._bias_corrections(state["step"]))
        _for_each_block(update, state["scratch"], param, grad, *moments)

    def _bias_corrections(self, t):
        beta1, beta2 = self.defaults["betas"]
        return {
            "step_size": self.defaults["lr"] / (1 - beta1**t),
            "bias_correction2_sqrt": (1 - beta2**t) ** 0.5,
        }

    def _update_block(
        self, scratch, param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq=None, **corrections
    ):
        """One step on one block of the parameter, in place; ``scratch`` is the block's size."""
        grad = self._with_weight_decay(param, grad)
        param -= self._adam_step(scratch, grad, exp_avg, exp_avg_sq, max_exp_avg_sq, **corrections)

    def _with_weight_decay(self, param, grad):
        """The gradient with L2 weight decay added; decoupled decay shrinks ``param`` instead."""
        lr, weight_decay = self.defaults["lr"], self.defaults["weight_decay"]
        if weight_decay == 0:
            return grad
        if self.defaults["decoupled_weight_decay"]:
            param *= 1 - lr * weight_decay
            return grad
        return _with_l2_penalty(grad, param, weight_decay)

    def _adam_step(
        self,
        scratch,
        grad,
        exp_avg,
        exp_avg_sq,
        max_exp_avg_sq=None,
        *,
        step_size,
        bias_correction2_sqrt,
    ):
        """Update the moments in place; return the step to subtract from w (held in scratch)."""
        beta1, beta2 = self.defaults["betas"]
        np.subtract(grad, exp_avg, out=scratch)  # m ← m + (1 − β1)(g − m), torch's lerp
        scratch *= 1 - beta1
        exp_avg += scratch
        exp_avg_sq *= beta2
        np.multiply(grad, grad, out=scratch)
        scratch *= 1 - beta2
        exp_avg_sq += scratch
        if max_exp_avg_sq is not None:
            second_moment = np.maximum(max_exp_avg_sq, exp_avg_sq, out=max_exp_avg_sq)
        else:
            second_moment = exp_avg_sq

        denom = np.sqrt(second_moment, out=scratch)
        denom /= bias_correction2_sqrt
        denom += self.defaults["eps"]
        np.divide(exp_avg, denom, out=denom)
        denom *= step_size
        return denom


class AdamW(Adam):
    r"""Adam with decoupled weight decay (Loshchilov & Hutter), as torch.optim.AdamW.

    $w \leftarrow (1 - \eta\lambda)\, w$ before the Adam step, instead of adding $\lambda w$ to
    the gradient; the default $\lambda$ is 0.01.
    """

    def __init__(
        self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False
    ):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, decoupled_weight_decay=True)
