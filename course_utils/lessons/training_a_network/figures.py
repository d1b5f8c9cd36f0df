r"""The capstone's key figure.

``12_comparison``: validation accuracy per epoch of four optimizers, each at the learning rate
it won on validation from a grid of three (``demos.tune``), on the digits.
"""

import numpy as np

from ... import data
from ...figures import figure, new_figure
from . import demos, loop


def _one_thread():
    import torch

    torch.set_num_threads(1)  # tiny matrices: threads cost more than they save


@figure("12_comparison")
def comparison():
    """The fair race of lesson 12 (seed 0, 4 epochs, batches of 32), each at its tuned η."""
    _one_thread()
    digits = demos.as_tensors(data.load_digits(dtype=np.float32))
    runs = demos.tune(loop.train, digits)
    curves = {
        f"{name}, η = {lr:g}": runs[name, lr] for name, (lr, _) in demos.best_rates(runs).items()
    }
    ax = new_figure(7.5, 4.2).subplots()
    demos.race_curves(curves, "Each optimizer at its best η (chosen on validation)", ax=ax)
    return ax.figure
