r"""Key figures of lessons 11 (training a network) and 12 (beyond).

- ``11_comparison``: training loss and test accuracy per epoch of the five optimizers, each
  with no schedule, one-cycle and cosine, on the digits (``demos.network.compare``);
- ``12_sharp_flat``: the training loss on a plane of two filter-normalized random directions
  around a flatter (small-batch) and a sharper (full-batch) solution.
"""

import numpy as np

from .. import data, loss_slices
from ..demos import network as demo
from . import figure, new_figure

# The grid of lesson 12: α, β from −1 to 1 in filter-normalized units.
SLICE_ALPHAS = np.linspace(-1.0, 1.0, 17)


def _one_thread():
    import torch

    torch.set_num_threads(1)  # tiny matrices: threads cost more than they save


@figure("11_comparison")
def comparison():
    """The 15 runs of lesson 11 (seed 0, 6 epochs, batches of 32)."""
    _one_thread()
    runs = demo.compare(data.load_digits(dtype=np.float32), progress=False)
    return demo.comparison_curves(runs, fig=new_figure(13.8, 7.5))


def sharp_and_flat_grids(digits, alphas=SLICE_ALPHAS, seeds=(1, 2)):
    """``{label: (model, history, Z)}``: each recipe of ``demos.network.SHARP_AND_FLAT``
    trained from seed 0, and its training loss on the plane of two filter-normalized random
    directions drawn from ``seeds``."""
    X_train, _, y_train, _ = digits
    result = {}
    for label, recipe in demo.SHARP_AND_FLAT.items():
        model, history = demo.train_sgd(digits, **recipe)
        weights = loss_slices.weights_of(model)
        dx, dy = (loss_slices.random_direction(weights, np.random.default_rng(s)) for s in seeds)
        grid = loss_slices.loss_grid(model, weights, dx, dy, X_train, y_train, alphas)
        result[label] = (model, history, grid)
    return result


@figure("12_sharp_flat")
def sharp_flat():
    """Training-loss contours around the small-batch and the full-batch solution."""
    _one_thread()
    grids = sharp_and_flat_grids(data.load_digits(dtype=np.float32))
    panels = {
        f"{label}\ntest accuracy {history.test_accuracy[-1]:.1%}": grid
        for label, (_, history, grid) in grids.items()
    }
    fig = demo.contour_panels(SLICE_ALPHAS, panels, fig=new_figure(10.5, 5.4), radius=0.5)
    fig.suptitle("Training loss around two solutions (filter-normalized directions)")
    return fig
