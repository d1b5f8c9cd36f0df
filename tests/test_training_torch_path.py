"""training.torch_path: the same landscape, walked by a torch optimizer."""

import numpy as np
import pytest

from course_utils import landscapes
from course_utils.training import descend, torch_path


def test_torch_path_matches_the_course_optimizers():
    torch = pytest.importorskip("torch")
    valley = landscapes.rosenbrock()
    for name, make, settings_ in [
        ("adagrad", lambda p: torch.optim.Adagrad(p, lr=0.5), {"lr": 0.5}),
        (
            "rmsprop",
            lambda p: torch.optim.RMSprop(p, lr=0.01, alpha=0.9),
            {"lr": 0.01, "alpha": 0.9},
        ),
    ]:
        theirs = torch_path(valley, make, steps=40, start=[0.5, -0.5])
        ours = descend(valley, [0.5, -0.5], name, 40, **settings_).points
        assert theirs.shape == (41, 2) and theirs.dtype == np.float64
        np.testing.assert_allclose(theirs, ours, rtol=0, atol=1e-10)
    np.testing.assert_array_equal(
        torch_path("rosenbrock", lambda p: torch.optim.SGD(p, lr=0.0), 3)[-1], valley.start
    )


def test_torch_path_bad_input():
    with pytest.raises(TypeError, match="make_optimizer"):
        torch_path(landscapes.rosenbrock(), "adam", steps=3)
    with pytest.raises(ValueError, match="steps"):
        torch_path(landscapes.rosenbrock(), lambda p: None, steps=0)
    with pytest.raises(TypeError, match="landscape"):
        torch_path(42, lambda p: None, steps=3)
