"""What the lessons' tests of the capstone share: a slice of its data, and one torch thread."""

import numpy as np
import pytest


@pytest.fixture(scope="module")
def one_torch_thread():
    """torch on one thread while a test module runs: the networks' matrices are tiny, and a
    second thread costs more than it saves, much more on a busy machine."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def small_digits():
    """A ``data.Digits`` of 200 training, 100 validation and 100 test images (float32)."""
    from course_utils import data

    return data.load_digits(dtype=np.float32).head(200, 100, 100)
