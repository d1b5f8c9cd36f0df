r"""Lesson 11's key figure.

``12_comparison``: training loss and validation accuracy per epoch of the five optimizers, each with
no schedule, one-cycle and cosine, on the digits (``demos.compare``).
"""

import numpy as np

from ... import data
from ...figures import figure, new_figure
from . import demos


def _one_thread():
    import torch

    torch.set_num_threads(1)  # tiny matrices: threads cost more than they save


@figure("12_comparison")
def comparison():
    """The 15 runs of lesson 11 (seed 0, 6 epochs, batches of 32)."""
    _one_thread()
    runs = demos.compare(data.load_digits(dtype=np.float32), progress=False)
    return demos.comparison_curves(runs, fig=new_figure(13.8, 7.5))
