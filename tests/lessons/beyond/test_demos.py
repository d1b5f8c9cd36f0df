"""Lesson 13's demos: SGD with any batch, and the slice pictures."""

import numpy as np
import pytest
import torch
from matplotlib.figure import Figure

from course_utils import network
from course_utils.lessons.beyond import demos

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def test_train_sgd_with_the_full_batch_is_torch_optims_sgd(small_digits):
    model, run = demos.train_sgd(small_digits, lr=0.1, batch_size=None, epochs=3, hidden=(8,))
    assert run.epochs == 3 and run.steps == 3
    twin = network.mlp(64, (8,), 10, seed=0)
    optimizer = torch.optim.SGD(twin.parameters(), lr=0.1, momentum=0.9)
    X_train, y_train = small_digits.train
    for _ in range(3):  # three full-batch steps, in any order of examples
        loss = torch.nn.functional.cross_entropy(twin(torch.tensor(X_train)), torch.tensor(y_train))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    for a, b in zip(model.parameters(), twin.parameters(), strict=True):
        torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-6)


def test_slice_pictures_draw_and_refuse_mismatched_curves():
    alphas = np.linspace(-1, 1, 5)
    ax = demos.slice_curves(alphas, {"a": alphas**2}, marks={0: "here"}, log=False)
    assert ax.get_lines()[0].get_ydata().tolist() == (alphas**2).tolist()
    with pytest.raises(ValueError, match="shape"):
        demos.slice_curves(alphas, {"a": alphas[:3]})
    grid = np.add.outer(alphas**2, alphas**2) + 0.01
    fig = demos.contour_panels(alphas, {"one": grid, "two": 2 * grid}, fig=Figure(), radius=0.5)
    assert [ax.get_title() for ax in fig.axes] == ["one", "two"]


def test_a_title_sits_above_the_names_of_the_marked_points():
    alphas = np.linspace(-0.5, 1.5, 21)
    ax = demos.slice_curves(
        alphas, {"loss": np.exp(alphas)}, marks={0: "last weights", 1: "SWA"}, title="A title"
    )
    renderer = ax.figure.canvas.get_renderer()
    ax.figure.draw(renderer)
    names = [label for child in ax.child_axes for label in child.get_xticklabels()]
    assert [name.get_text() for name in names] == ["last weights", "SWA"]
    title = ax.title.get_window_extent(renderer)
    assert all(title.y0 > name.get_window_extent(renderer).y1 for name in names)
