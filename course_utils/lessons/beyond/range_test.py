r"""The learning-rate range test on a torch network, run by the course's own optimizers.

``training.lr_range_test`` (lesson 10) trains any model that offers ``params``, ``loss`` and
``loss_and_grads`` (the NumPy models of ``course_utils.models``). A torch classifier offers
them too once seen through ``numpy_parameters``: NumPy arrays that share memory with its
tensors, so the course's optimizers update the network in place, and autograd supplies the
gradients. ``lr_range_test_torch`` does exactly that, so lesson 12 runs Smith's test on the
real network with the code the learner already knows.
"""

import numpy as np

from ... import network, training

__all__ = ["lr_range_test_torch"]


def lr_range_test_torch(model, X, y, optimizer="sgd", **options):
    r"""``training.lr_range_test`` on a torch classifier trained with the mean cross-entropy.

    ``optimizer`` and ``options`` (min_lr, max_lr, steps, batch_size, seed, smoothing,
    stop_factor, hyperparameters) are those of ``training.lr_range_test``: the rate grows as
    $\eta_s = \eta_{\min}(\eta_{\max}/\eta_{\min})^{s/(\text{steps}-1)}$ until the smoothed
    loss explodes. The network's weights are restored afterwards. Returns the ``runs.Run``.
    """
    return training.lr_range_test(_CourseModel(model), X, y, optimizer, **options)


class _CourseModel:
    """A torch classifier with the course's model interface: params, loss, loss_and_grads."""

    def __init__(self, model):
        import torch

        if not isinstance(model, torch.nn.Module):
            raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
        self.model = model
        self.params = network.numpy_parameters(model)
        self._dtype = next(model.parameters()).dtype

    def loss(self, X, y):
        return self.loss_and_grads(X, y)[0]

    def loss_and_grads(self, X, y):
        import torch

        X = torch.as_tensor(np.asarray(X), dtype=self._dtype)
        y = torch.as_tensor(np.asarray(y), dtype=torch.long)
        self.model.zero_grad(set_to_none=False)
        loss = torch.nn.functional.cross_entropy(self.model(X), y)
        loss.backward()
        return loss.item(), [p.grad.numpy() for p in self.model.parameters()]

    def __repr__(self):
        return f"<the torch model {type(self.model).__name__} as a course model>"
