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
    """200 training and 100 validation images of ``data.load_digits``, in its order:
    ``(X_train, X_val, y_train, y_val)``."""
    from course_utils import data

    X_train, X_val, y_train, y_val = data.load_digits(dtype=np.float32)
    return X_train[:200], X_val[:100], y_train[:200], y_val[:100]
