r"""Lesson 13's key figure.

``13_sharp_flat``: the training loss on a plane of two filter-normalized random directions
around a flatter (small-batch) and a sharper (full-batch) solution.
"""

import numpy as np

from ... import data
from ...figures import figure, new_figure
from . import demos, loss_slices


def _one_thread():
    import torch

    torch.set_num_threads(1)  # tiny matrices: threads cost more than they save


# The grid of lesson 13: α, β from −1 to 1 in filter-normalized units.
SLICE_ALPHAS = np.linspace(-1.0, 1.0, 17)


def sharp_and_flat_grids(digits, alphas=SLICE_ALPHAS, seeds=(1, 2)):
    """``{label: (model, run, Z)}``: each recipe of ``demos.SHARP_AND_FLAT``
    trained from seed 0, and its training loss on the plane of two filter-normalized random
    directions drawn from ``seeds``."""
    result = {}
    for label, recipe in demos.SHARP_AND_FLAT.items():
        model, run = demos.train_sgd(digits, **recipe)
        weights = loss_slices.weights_of(model)
        dx, dy = (loss_slices.random_direction(weights, np.random.default_rng(s)) for s in seeds)
        grid = loss_slices.loss_grid(model, weights, dx, dy, *digits.train, alphas)
        result[label] = (model, run, grid)
    return result


@figure("13_sharp_flat")
def sharp_flat():
    """Training-loss contours around the small-batch and the full-batch solution."""
    _one_thread()
    grids = sharp_and_flat_grids(data.load_digits(dtype=np.float32))
    panels = {
        f"{label}\nvalidation accuracy {run.val_accuracies[-1]:.1%}": grid
        for label, (_, run, grid) in grids.items()
    }
    fig = demos.contour_panels(SLICE_ALPHAS, panels, fig=new_figure(10.5, 5.4), radius=0.5)
    fig.suptitle("Training loss around two solutions (filter-normalized directions)")
    return fig
