r"""Lesson 11: the experiments behind choosing η on validation data.

- ``digits()``: the lesson's data, ``data.load_digits()``: train / validation / test;
- ``digits_range_test(digits=None)``: Smith's LR range test for softmax regression on the
  digits' training set;
- ``steepest_lr(result)``: where the smoothed loss of a range test falls fastest;
- ``sgd_run(lr, epochs, split=None, schedule=None)``: softmax regression trained by SGD,
  watched on the validation set (the challenge's run, at a constant rate);
- ``overfitting_problem()`` and ``overfitting_run()``: a polynomial fit to a few noisy
  points, whose validation loss falls and then rises: the case for early stopping;
- ``patience_explorer(run, stop_rule)``: a patience slider over that run's losses, showing
  where a stopping rule (the learner's ``should_stop``) ends it.

Notation as in the notebook: η the learning rate, t the step count. Plain NumPy: no torch;
matplotlib and ipywidgets are imported inside the functions.
"""

import numpy as np

from ... import data, models, optim, plotting, schedules, training, widgets
from ...validation import nonnegative, nonnegative_int, positive, positive_int

__all__ = [
    "WEIGHT_DECAY",
    "BATCH_SIZE",
    "digits",
    "digits_range_test",
    "steepest_lr",
    "sgd_run",
    "overfitting_problem",
    "overfitting_run",
    "stop_with_patience",
    "patience_explorer",
]

# Every digits run of the lesson: softmax regression, SGD with this weight decay and batch size.
WEIGHT_DECAY, BATCH_SIZE = 0.01, 32

_DIGITS = []  # load_digits once per process: importing scikit-learn costs a second


def digits():
    """``data.load_digits()`` (train / validation / test), loaded once and shared."""
    if not _DIGITS:
        _DIGITS.append(data.load_digits())
    return _DIGITS[0]


def digits_range_test(split=None, seed=0):
    """The notebook's range test on the training set of ``split`` (default ``digits()``):
    softmax regression, SGD with weight decay 0.01, η from 1e-4 to 100 over 150 steps.
    Returns the ``Run`` of ``training.lr_range_test``."""
    X_train, y_train = (digits() if split is None else split).train
    return training.lr_range_test(
        models.SoftmaxRegression(X_train.shape[1], 10),
        X_train,
        y_train,
        "sgd",
        min_lr=1e-4,
        max_lr=100.0,
        steps=150,
        batch_size=BATCH_SIZE,
        seed=seed,
        weight_decay=WEIGHT_DECAY,
    )


def steepest_lr(result):
    r"""The rate at which the smoothed loss of a range test falls fastest per decade of η.

    That is $\arg\min_\eta\, d\bar L / d\log_{10}\eta$ (central differences), looked for only
    up to the minimum of $\bar L$: beyond it the loss is already climbing.
    """
    if not (isinstance(result, training.Run) and result.smoothed_losses is not None):
        raise TypeError(f"result must be what training.lr_range_test returns, got {result!r}")
    lowest = int(np.argmin(result.smoothed_losses))
    slope = np.gradient(result.smoothed_losses, np.log10(result.lrs))
    return float(result.lrs[int(np.argmin(slope[: max(lowest, 1) + 1]))])


def sgd_run(lr, epochs, split=None, schedule=None, per="step"):
    """Softmax regression on the training set of ``split`` (default ``digits()``), SGD at rate
    ``lr`` (weight decay 0.01, batches of 32, the default shuffling seed) for ``epochs``
    epochs, following ``schedule`` (per step or per epoch) if one is given. Returns
    ``(run, model)``: the ``Run`` carries the validation losses, the model its trained weights.
    A diverging run stops and says so instead of raising."""
    split = digits() if split is None else split
    X_train, y_train = split.train
    X_val, y_val = split.val
    model = models.SoftmaxRegression(X_train.shape[1], 10)
    run = training.train(
        model,
        X_train,
        y_train,
        optim.SGD(model.params, lr=positive("lr", lr), weight_decay=WEIGHT_DECAY),
        positive_int("epochs", epochs),
        BATCH_SIZE,
        schedule=schedule,
        per=per,
        on_divergence="stop",
        X_val=X_val,
        y_val=y_val,
    )
    return run, model


def overfitting_problem(n_train=20, n_val=200, degree=15, noise=0.3, seed=0):
    r"""A polynomial regression that overfits: ``(X_train, y_train, X_val, y_val)``.

    x is uniform on [−1, 1] and y = sin(πx) + noise·N(0, 1); each row of X holds the powers
    x, x², …, x^degree (a ``models.LinearRegression(degree)`` adds the constant). With many
    powers and few points the model can thread every training point; trained long enough it
    does, and its loss on fresh points (the validation set) rises again.
    """
    n_train = positive_int("n_train", n_train)
    n_val = positive_int("n_val", n_val)
    degree = positive_int("degree", degree)
    noise = nonnegative("noise", noise)
    rng = np.random.default_rng(nonnegative_int("seed", seed))

    def sample(n):
        x = rng.uniform(-1.0, 1.0, n)
        y = np.sin(np.pi * x) + noise * rng.normal(size=n)
        return np.vander(x, degree + 1, increasing=True)[:, 1:], y

    X_train, y_train = sample(n_train)
    X_val, y_val = sample(n_val)
    return X_train, y_train, X_val, y_val


def overfitting_run(epochs=600, lr=0.03, patience=None):
    """The notebook's overfitting run: ``overfitting_problem()`` fit by full-batch Adam.

    Returns the ``Run`` (with ``patience``, it stops early on the validation loss).
    """
    X_train, y_train, X_val, y_val = overfitting_problem()
    model = models.LinearRegression(X_train.shape[1])
    return training.train(
        model,
        X_train,
        y_train,
        optim.Adam(model.params, lr=lr),
        epochs=epochs,
        batch_size=len(X_train),
        X_val=X_val,
        y_val=y_val,
        patience=patience,
    )


def stop_with_patience(val_losses, patience):
    """``schedules.EarlyStopping(patience)`` fed ``val_losses``: the index where it stops, or
    None (the reference for ``should_stop``, which the explorer can use in its place)."""
    stopper = schedules.EarlyStopping(positive_int("patience", patience))
    for index, loss in enumerate(val_losses):
        if stopper.step(loss):
            return index
    return None


def patience_explorer(run=None, stop_rule=stop_with_patience, patience=5):
    """A patience slider over a run's training and validation losses (default: the
    overfitting run, 600 epochs), marking the best epoch and where ``stop_rule(val_losses,
    patience)`` ends the run; the title says how far that is from the best validation loss.

    ``stop_rule`` is any function with ``should_stop``'s first two parameters (the lesson
    passes the learner's); the run's losses are read, never retrained, so a redraw is cheap.
    """
    import ipywidgets

    run = overfitting_run() if run is None else run
    if not (isinstance(run, training.Run) and run.val_losses is not None):
        raise TypeError(f"run must be a training.Run with validation losses, got {run!r}")
    if not callable(stop_rule):
        raise TypeError(f"stop_rule must be a function like should_stop, got {stop_rule!r}")
    epochs, best = len(run.val_losses) - 1, int(np.argmin(run.val_losses))

    fig, ax = widgets.demo_figure(figsize=(9.0, 4.0))
    ax.plot(run.losses, color=plotting.COLORS[0], label="training loss")
    ax.plot(run.val_losses, color=plotting.COLORS[1], linestyle="--", label="validation loss")
    ax.axvline(best, color=plotting.COLORS[2], linestyle=":", label=f"best epoch, {best}")
    stop_line = ax.axvline(0, color=plotting.COLORS[3], linewidth=2, label="stopped")
    top = 1.1 * float(np.max(run.val_losses[1:]))  # epoch 0, before any training, is off the top
    ax.set(xlim=(0, epochs), ylim=(0, top), xlabel="epoch", ylabel="loss")
    ax.legend(loc="upper right", fontsize=10)
    title = fig.suptitle("", fontsize=13)

    def update(patience):
        stop = stop_rule(list(run.val_losses), patience)
        end = epochs if stop is None else int(stop)
        stop_line.set_xdata([end, end])
        kept = float(np.min(run.val_losses[: end + 1]))  # the best weights seen so far
        words = "never stops" if stop is None else f"stops at epoch {end}"
        title.set_text(
            f"patience {patience}: {words}; the weights kept have validation loss {kept:.4f} "
            f"(best of all: {run.val_losses[best]:.4f})"
        )
        return stop

    slider = ipywidgets.IntSlider(
        value=positive_int("patience", patience),
        min=1,
        max=100,
        description="patience",
        style={"description_width": "initial"},
        layout=ipywidgets.Layout(width="400px"),
    )
    return widgets.Demo(fig, update, {"patience": slider}, animated=[stop_line, title])
