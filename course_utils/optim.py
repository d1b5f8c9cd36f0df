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

Each rule is written once, unchecked, in ``_sgd``, ``_momentum``, ``_adagrad``, ``_rmsprop`` and
``_adam``, from the pieces ``moving_average``, ``normalized_gradient``, ``bias_correction``
and ``_adam_step``. The public functions check their arguments and call them; the lessons'
variants and named mistakes (e.g. ``AdamVariant`` of lesson 09) are built from the same pieces.

The classes ``SGD``, ``Adagrad``, ``RMSprop``, ``Adam`` and ``AdamW`` have torch.optim's names,
hyperparameters, defaults, validation and semantics (torch 2.13), and equal torch.optim's
results to 1e-10 in float64. They apply the same rules, adding torch's options (weight decay,
dampening, centered, AMSGrad, ...) around them, and write the results back into the parameters
and their state::

    opt = Adam([w], lr=1e-2)
    for _ in range(100):
        opt.step([grad_of_loss(w)])   # w changes in place
    opt.lr = 1e-3                     # schedules drive the learning rate like this
"""

import numpy as np

from . import validation

__all__ = [
    "moving_average",
    "normalized_gradient",
    "bias_correction",
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
# The pieces and the rules, unchecked: callers have checked the arguments
# ---------------------------------------------------------------------------------------------


def moving_average(average, value, decay):
    r"""$\text{decay} \cdot \text{average} + (1 - \text{decay}) \cdot \text{value}$.

    An average over roughly the last $1/(1 - \text{decay})$ values, older ones counting less.
    """
    return decay * average + (1 - decay) * value


def normalized_gradient(grad, squares, eps):
    r"""$g / (\sqrt{G} + \varepsilon)$, weight by weight, G being squared gradients so far.

    G is AdaGrad's sum or RMSProp's and Adam's moving average: dividing by its root gives weights
    with large and with small gradients steps of about the same size. ε keeps the division safe
    while G is 0.
    """
    return grad / (np.sqrt(squares) + eps)


def bias_correction(beta, t):
    r"""$1 - \beta^t$: the total weight a moving average started at 0 has given its t values.

    Dividing the average by it undoes the pull towards the zero start.
    """
    return 1 - beta**t


def _sgd(w, grad, lr):
    r"""$w \leftarrow w - \eta\, g$."""
    return w - lr * grad


def _momentum(w, grad, velocity, lr, momentum, nesterov=False):
    r"""$v \leftarrow \rho v + g$, $w \leftarrow w - \eta v$ (Nesterov: $w - \eta (g + \rho v)$)."""
    velocity = momentum * velocity + grad
    step = grad + momentum * velocity if nesterov else velocity
    return w - lr * step, velocity


def _adagrad(w, grad, sum_sq, lr, eps):
    r"""$G \leftarrow G + g^2$, $w \leftarrow w - \eta\, g / (\sqrt{G} + \varepsilon)$."""
    sum_sq = sum_sq + grad**2
    return w - lr * normalized_gradient(grad, sum_sq, eps), sum_sq


def _rmsprop(w, grad, sq_avg, lr, alpha, eps):
    r"""$G \leftarrow \alpha G + (1 - \alpha) g^2$,
    $w \leftarrow w - \eta\, g / (\sqrt{G} + \varepsilon)$."""
    sq_avg = moving_average(sq_avg, grad**2, alpha)
    return w - lr * normalized_gradient(grad, sq_avg, eps), sq_avg


def _adam(w, grad, m, v, t, lr, beta1, beta2, eps):
    r"""$m \leftarrow \beta_1 m + (1 - \beta_1) g$, $v \leftarrow \beta_2 v + (1 - \beta_2) g^2$
    (``_adam_moments``), then $w \leftarrow w - \eta\, \hat m / (\sqrt{\hat v} + \varepsilon)$
    (``_adam_step``)."""
    m, v = _adam_moments(grad, m, v, beta1, beta2)
    return _adam_step(w, m, v, t, lr, beta1, beta2, eps), m, v


def _adam_moments(grad, m, v, beta1, beta2):
    r"""$m \leftarrow \beta_1 m + (1 - \beta_1) g$, $v \leftarrow \beta_2 v + (1 - \beta_2) g^2$."""
    return moving_average(m, grad, beta1), moving_average(v, grad**2, beta2)


def _adam_step(w, m, v, t, lr, beta1, beta2, eps):
    r"""$\hat m = m / (1 - \beta_1^t)$, $\hat v = v / (1 - \beta_2^t)$,
    $w \leftarrow w - \eta\, \hat m / (\sqrt{\hat v} + \varepsilon)$."""
    m_hat = m / bias_correction(beta1, t)
    v_hat = v / bias_correction(beta2, t)
    return w - lr * normalized_gradient(m_hat, v_hat, eps)


# ---------------------------------------------------------------------------------------------
# Pure update rules: the exercises' references, checked at the edge
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
    return _sgd(w, grad, validation.nonnegative("lr", lr))


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
    return _momentum(w, grad, velocity, lr, momentum, bool(nesterov))


def adagrad_update(w, grad, sum_sq, lr=1e-2, eps=1e-10):
    r"""AdaGrad: each weight gets its own step size, shrinking as its gradients add up.

    $G \leftarrow G + g^2$, then $w \leftarrow w - \eta\, g / (\sqrt{G} + \varepsilon)$.

    ``sum_sq`` (G) starts at zeros; returns ``(w, sum_sq)``.
    """
    w, grad = _weights_and_gradient(w, grad)
    sum_sq = _state("sum_sq", sum_sq, w, squares=True)
    lr = validation.nonnegative("lr", lr)
    eps = validation.nonnegative("eps", eps)
    return _adagrad(w, grad, sum_sq, lr, eps)


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
    return _rmsprop(w, grad, sq_avg, lr, alpha, eps)


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
    return _adam(w, grad, m, v, t, lr, beta1, beta2, eps)


# ---------------------------------------------------------------------------------------------
# torch-shaped optimizer classes
# ---------------------------------------------------------------------------------------------


class Optimizer:
    """What every optimizer shares: the parameters, the learning rate, per-parameter state.

    Subclasses set ``defaults`` (validated hyperparameters), build each parameter's state in
    ``_init_state`` and write one step for one parameter, in place, in ``_update``; ``step``
    has checked the gradient by then.
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
        """Update every parameter in place from its gradient; a gradient of None skips it.

        Every gradient is checked before any parameter changes, so a bad one changes nothing.
        """
        self._step(self._checked_grads(grads))

    def _step(self, grads):
        """``step`` for gradients that are already arrays of their parameters' shapes and
        dtypes, apart from them in memory: the loops of ``course_utils.training`` make theirs
        so, and skip the checks on every step."""
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


def _with_l2_penalty(grad, w, weight_decay):
    r"""L2 regularisation folded into the gradient: $g + \lambda w$ (skipped when λ = 0)."""
    return grad + weight_decay * w if weight_decay != 0 else grad


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
        if momentum == 0:
            param[...] = _sgd(param, grad, lr)
            return
        dampening = self.defaults["dampening"]
        if state["velocity"] is None:
            # torch's first velocity is g itself, undampened: ρ·0 + g
            state["velocity"], dampening = np.zeros_like(param), 0.0
        # torch dampens only the g that enters v; Nesterov, which reads g again, needs τ = 0
        param[...], state["velocity"][...] = _momentum(
            param,
            (1 - dampening) * grad,
            state["velocity"],
            lr,
            momentum,
            self.defaults["nesterov"],
        )


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
        param[...], state["sum_sq"][...] = _adagrad(
            param, grad, state["sum_sq"], decayed_lr, self.defaults["eps"]
        )


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
        lr, alpha, eps, momentum = (
            self.defaults[name] for name in ("lr", "alpha", "eps", "momentum")
        )
        state["step"] += 1
        grad = _with_l2_penalty(grad, param, self.defaults["weight_decay"])
        squares = state["sq_avg"]
        squares[...] = moving_average(squares, grad**2, alpha)
        if self.defaults["centered"]:
            # divide by the gradient's spread about its average, √(G − ḡ²), not by its size
            grad_avg = state["grad_avg"]
            grad_avg[...] = moving_average(grad_avg, grad, alpha)
            squares = squares - grad_avg**2
        normalized = normalized_gradient(grad, squares, eps)
        if momentum > 0:  # lesson 06's heavy ball, on RMSProp's normalized gradient
            param[...], state["momentum_buffer"][...] = _momentum(
                param, normalized, state["momentum_buffer"], lr, momentum
            )
        else:
            param[...] = _sgd(param, normalized, lr)


class Adam(Optimizer):
    r"""Adam, as torch.optim.Adam (and AdamW with ``decoupled_weight_decay=True``).

    Weight decay: L2 $g \leftarrow g + \lambda w$, or decoupled $w \leftarrow (1 - \eta\lambda) w$;
    $m \leftarrow \beta_1 m + (1 - \beta_1) g$; $v \leftarrow \beta_2 v + (1 - \beta_2) g^2$;
    AMSGrad: $v_{\max} \leftarrow \max(v_{\max}, v)$ replaces $v$ below;
    $\hat m = m / (1 - \beta_1^t)$, $\hat v = v / (1 - \beta_2^t)$,
    $w \leftarrow w - \eta\, \hat m / (\sqrt{\hat v} + \varepsilon)$.
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

    def _init_state(self, param):
        state = {"step": 0, "exp_avg": np.zeros_like(param), "exp_avg_sq": np.zeros_like(param)}
        if self.defaults["amsgrad"]:
            state["max_exp_avg_sq"] = np.zeros_like(param)
        return state

    def _update(self, param, grad, state):
        lr, (beta1, beta2), eps, weight_decay = (
            self.defaults[name] for name in ("lr", "betas", "eps", "weight_decay")
        )
        if self.defaults["decoupled_weight_decay"]:
            param *= 1 - lr * weight_decay  # AdamW: the decay bypasses Adam's per-weight scaling
        else:
            grad = _with_l2_penalty(grad, param, weight_decay)
        state["step"] += 1
        m, v = state["exp_avg"], state["exp_avg_sq"]
        m[...], v[...] = _adam_moments(grad, m, v, beta1, beta2)
        if self.defaults["amsgrad"]:
            # the largest v so far: no weight's step grows because its gradients got smaller
            v = np.maximum(state["max_exp_avg_sq"], v, out=state["max_exp_avg_sq"])
        param[...] = _adam_step(param, m, v, state["step"], lr, beta1, beta2, eps)


class AdamW(Adam):
    r"""Adam with decoupled weight decay (Loshchilov & Hutter), as torch.optim.AdamW.

    $w \leftarrow (1 - \eta\lambda)\, w$ before the Adam step, instead of adding $\lambda w$ to
    the gradient; the default $\lambda$ is 0.01.
    """

    def __init__(
        self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False
    ):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, decoupled_weight_decay=True)
