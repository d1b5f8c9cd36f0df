r"""The capstone's training loop, the one the learner builds in Exercise 1.

``train(model, optimizer, scheduler, X_train, y_train, X_val, y_val, epochs, batch_size, rng)``
trains ``model`` in place and returns the validation accuracy after each epoch. Each epoch it
puts the model in training mode, visits the training set in the order
``rng.permutation(len(X_train))`` cut into batches of ``batch_size``, and for each batch
computes the mean cross-entropy of the model's logits, clears the old gradients, backpropagates,
steps the optimizer and then (if there is one) the scheduler; then it puts the model in
evaluation mode and measures its accuracy on the validation set without gradients.

Data are torch tensors: float features, int64 labels. torch is imported inside the function.
"""

__all__ = ["train", "quick_train"]


def train(model, optimizer, scheduler, X_train, y_train, X_val, y_val, epochs, batch_size, rng):
    """Train ``model`` for ``epochs`` epochs; return the validation accuracy after each one."""
    import torch

    val_accuracies = []
    for _ in range(epochs):
        model.train()
        order = torch.as_tensor(rng.permutation(len(X_train)))
        for start in range(0, len(X_train), batch_size):
            batch = order[start : start + batch_size]
            loss = torch.nn.functional.cross_entropy(model(X_train[batch]), y_train[batch])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            if scheduler is not None:
                scheduler.step()
        model.eval()
        with torch.no_grad():
            predictions = model(X_val).argmax(dim=1)
        val_accuracies.append((predictions == y_val).float().mean().item())
    return val_accuracies


def quick_train(
    model, optimizer, scheduler, X_train, y_train, X_val, y_val, epochs, batch_size, rng
):
    """The colleague's loop of Exercise 2, repaired: the same loop as ``train``."""
    return train(
        model, optimizer, scheduler, X_train, y_train, X_val, y_val, epochs, batch_size, rng
    )
