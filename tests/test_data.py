"""Data sets: seeded, shaped as documented, digits split and standardised without leakage;
mini-batches cover every example once per epoch."""

import numpy as np
import pytest

from course_utils import data

# --- make_regression ----------------------------------------------------------------------------


def test_regression_is_linear_plus_the_requested_noise():
    X, y, weights, bias = data.make_regression(n=2000, n_features=3, noise=0.1, return_params=True)
    assert X.shape == (2000, 3) and y.shape == (2000,) and X.dtype == y.dtype == np.float64
    residual = y - X @ weights - bias
    assert residual.std() == pytest.approx(0.1, rel=0.05)
    fitted, *_ = np.linalg.lstsq(np.column_stack([X, np.ones(len(X))]), y, rcond=None)
    np.testing.assert_allclose(fitted, [*weights, bias], atol=0.01)


def test_regression_without_noise_is_exact():
    X, y, weights, bias = data.make_regression(n=10, n_features=2, noise=0.0, return_params=True)
    np.testing.assert_allclose(y, X @ weights + bias, rtol=1e-15)


def test_regression_is_seeded():
    first, again, other = (data.make_regression(seed=s) for s in (3, 3, 4))
    np.testing.assert_array_equal(first[0], again[0])
    np.testing.assert_array_equal(first[1], again[1])
    assert not np.array_equal(first[1], other[1])


def test_float32_on_request():
    X, y = data.make_regression(dtype=np.float32)
    assert X.dtype == y.dtype == np.float32
    X, y = data.make_classification(dtype="float32")
    assert X.dtype == np.float32 and y.dtype == np.int64


# --- make_classification ------------------------------------------------------------------------


@pytest.mark.parametrize("n, n_classes, n_features", [(300, 2, 2), (301, 3, 2), (50, 5, 4)])
def test_classification_blobs_are_balanced_and_centred_on_a_circle(n, n_classes, n_features):
    X, y = data.make_classification(
        n=n, n_classes=n_classes, n_features=n_features, spread=0.01, seed=1
    )
    assert X.shape == (n, n_features) and y.shape == (n,) and y.dtype == np.int64
    counts = np.bincount(y, minlength=n_classes)
    assert len(counts) == n_classes and counts.max() - counts.min() <= 1
    assert not np.all(np.diff(y) >= 0)  # shuffled, not sorted by class
    for label in range(n_classes):
        centre = X[y == label].mean(axis=0)
        angle = 2 * np.pi * label / n_classes
        expected = np.zeros(n_features)
        expected[:2] = [2 * np.cos(angle), 2 * np.sin(angle)]
        np.testing.assert_allclose(centre, expected, atol=0.02)


def test_classification_is_seeded():
    X1, y1 = data.make_classification(seed=7)
    X2, y2 = data.make_classification(seed=7)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    assert not np.array_equal(X1, data.make_classification(seed=8)[0])


# --- load_digits --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def digits():
    return data.load_digits()


def test_digits_split_three_ways_stratified(digits):
    assert isinstance(digits, data.Digits) and len(digits) == 6
    assert digits.X_train.shape == (1077, 64)
    assert digits.X_val.shape == digits.X_test.shape == (360, 64)
    assert digits.n_features == 64 and digits.n_classes == 10
    for X, y in (digits.train, digits.val, digits.test):
        assert X.dtype == np.float64 and y.dtype == np.int64 and len(X) == len(y)
    train_share = np.bincount(digits.y_train) / len(digits.y_train)
    for y in (digits.y_val, digits.y_test):
        np.testing.assert_allclose(np.bincount(y) / len(y), train_share, atol=0.01)


def test_the_three_parts_share_no_image_and_cover_all(digits):
    from sklearn.datasets import load_digits

    raw = load_digits()
    rows = [tuple(np.round(x, 9)) for X in (digits.X_train, digits.X_val, digits.X_test) for x in X]
    assert len(rows) == len(raw.target) == 1797
    # the raw data hold a few duplicate images; the split must not add any
    assert len(set(rows)) == len({tuple(x) for x in raw.data})


def test_digits_are_standardised_with_training_statistics_only(digits):
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    assert all(np.all(np.isfinite(X)) for X in digits[:3])
    np.testing.assert_allclose(digits.X_train.mean(axis=0), 0.0, atol=1e-12)
    std = digits.X_train.std(axis=0)
    constant = std < 1e-12
    assert constant.any(), "the digits have always-blank pixels; the guard must be exercised"
    np.testing.assert_allclose(std[~constant], 1.0, rtol=1e-12)
    # The same stratified splits of the raw pixels, scaled by hand with the training statistics.
    raw = load_digits()
    raw_rest, raw_test, y_rest, raw_y_test = train_test_split(
        raw.data, raw.target, test_size=360, random_state=0, stratify=raw.target
    )
    raw_train, raw_val, raw_y_train, raw_y_val = train_test_split(
        raw_rest, y_rest, test_size=360, random_state=0, stratify=y_rest
    )
    for ours, theirs in zip(digits[3:], (raw_y_train, raw_y_val, raw_y_test), strict=True):
        np.testing.assert_array_equal(ours, theirs)
    mean, scale = raw_train.mean(axis=0), raw_train.std(axis=0)
    scale[scale == 0] = 1.0
    for X, raw_X in ((digits.X_val, raw_val), (digits.X_test, raw_test)):
        np.testing.assert_allclose(X, (raw_X - mean) / scale, rtol=1e-12, atol=1e-12)
        assert np.abs(X.mean(axis=0)).max() > 0.05  # not re-centred on its own statistics


def test_digits_split_is_seeded_sized_and_float32_on_request():
    a = data.load_digits(val_size=0.1, test_size=0.5, seed=1, dtype=np.float32)
    b = data.load_digits(val_size=0.1, test_size=0.5, seed=1, dtype=np.float32)
    c = data.load_digits(val_size=0.1, test_size=0.5, seed=2)
    assert a.X_train.dtype == np.float32 and a.X_train.shape == (718, 64)
    assert len(a.y_val) == 180 and len(a.y_test) == 899
    for x, y in zip(a, b, strict=True):
        np.testing.assert_array_equal(x, y)
    assert not np.array_equal(a.y_train, c.y_train)


def test_head_keeps_the_first_examples_of_each_part(digits):
    small = digits.head(20, 10)
    assert isinstance(small, data.Digits)
    assert [len(part) for part in small] == [20, 10, 0, 20, 10, 0]
    np.testing.assert_array_equal(small.X_val, digits.X_val[:10])
    np.testing.assert_array_equal(small.y_train, digits.y_train[:20])
    with pytest.raises(ValueError, match="^n_train must"):
        digits.head(0, 10)


# --- minibatches --------------------------------------------------------------------------------


def epoch_indices(n, batch_size, rng):
    """The example indices of one epoch, batch by batch (y holds each example's index)."""
    X = np.arange(2 * n).reshape(n, 2)
    return [y_batch for _, y_batch in data.minibatches(X, np.arange(n), batch_size, rng)]


@pytest.mark.parametrize("n, batch_size", [(10, 3), (10, 5), (10, 1), (10, 10), (10, 64), (1, 4)])
def test_every_example_once_per_epoch_and_last_batch_partial(n, batch_size):
    rng = np.random.default_rng(0)
    for _ in range(3):
        batches = epoch_indices(n, batch_size, rng)
        np.testing.assert_array_equal(np.sort(np.concatenate(batches)), np.arange(n))
        sizes = [len(batch) for batch in batches]
        full, leftover = divmod(n, batch_size)
        assert sizes == [batch_size] * full + ([leftover] if leftover else [])


def test_batches_pair_each_example_with_its_label():
    X = np.arange(20.0).reshape(10, 2)
    y = np.arange(10) * 10
    for X_batch, y_batch in data.minibatches(X, y, 4, np.random.default_rng(0)):
        np.testing.assert_array_equal(X_batch[:, 0] * 5, y_batch)


def test_order_is_seeded_and_changes_between_epochs():
    first = np.concatenate(epoch_indices(50, 8, np.random.default_rng(42)))
    again = np.concatenate(epoch_indices(50, 8, np.random.default_rng(42)))
    np.testing.assert_array_equal(first, again)
    rng = np.random.default_rng(42)
    epochs = [np.concatenate(epoch_indices(50, 8, rng)) for _ in range(3)]
    assert not np.array_equal(epochs[0], epochs[1])
    assert not np.array_equal(epochs[1], epochs[2])
    assert not np.array_equal(epochs[0], np.arange(50))  # shuffled


def test_minibatches_of_lists_and_torch_tensors():
    torch = pytest.importorskip("torch")
    batches = list(
        data.minibatches([[1, 2], [3, 4], [5, 6]], [0, 1, 2], 2, np.random.default_rng(0))
    )
    assert [len(y) for _, y in batches] == [2, 1]
    X = torch.arange(12.0).reshape(6, 2)
    for X_batch, y_batch in data.minibatches(X, torch.arange(6), 4, np.random.default_rng(0)):
        assert isinstance(X_batch, torch.Tensor)
        assert torch.equal(X_batch[:, 0], 2.0 * y_batch)


@pytest.mark.parametrize(
    "arguments, error, message",
    [
        ({"batch_size": 0}, ValueError, "batch_size must be an integer ≥ 1"),
        ({"batch_size": 2.0}, TypeError, "batch_size must be an integer"),
        ({"batch_size": True}, TypeError, "batch_size must be an integer"),
        ({"rng": 0}, TypeError, "rng must be a np.random.Generator"),
        ({"rng": None}, TypeError, "rng must be a np.random.Generator"),
        ({"y": np.zeros(4)}, ValueError, "X and y must hold the same number"),
        ({"X": np.zeros((0, 2)), "y": np.zeros(0)}, ValueError, "empty"),
        ({"X": 3.0}, ValueError, "X must have a first axis"),
    ],
)
def test_minibatches_reject_bad_arguments_at_the_call(arguments, error, message):
    call = {
        "X": np.zeros((5, 2)),
        "y": np.zeros(5),
        "batch_size": 2,
        "rng": np.random.default_rng(),
    }
    call.update(arguments)
    with pytest.raises(error, match=message):
        data.minibatches(**call)  # no iteration: the error comes before the first batch


# --- bad arguments to the data sets -------------------------------------------------------------


@pytest.mark.parametrize(
    "factory, arguments, error, argument",
    [
        (data.make_regression, {"n": 0}, ValueError, "n"),
        (data.make_regression, {"n": 10.5}, TypeError, "n"),
        (data.make_regression, {"n_features": 0}, ValueError, "n_features"),
        (data.make_regression, {"noise": -0.1}, ValueError, "noise"),
        (data.make_regression, {"noise": np.nan}, ValueError, "noise"),
        (data.make_regression, {"seed": -1}, ValueError, "seed"),
        (data.make_regression, {"dtype": np.int64}, ValueError, "dtype"),
        (data.make_regression, {"dtype": complex}, ValueError, "dtype"),
        (data.make_regression, {"dtype": "banana"}, TypeError, "dtype"),
        (data.make_classification, {"n_classes": 1}, ValueError, "n_classes"),
        (data.make_classification, {"n_features": 1}, ValueError, "n_features"),
        (data.make_classification, {"spread": 0.0}, ValueError, "spread"),
        (data.make_classification, {"separation": -1.0}, ValueError, "separation"),
        (data.make_classification, {"seed": "0"}, TypeError, "seed"),
        (data.load_digits, {"test_size": 0.0}, ValueError, "test_size"),
        (data.load_digits, {"val_size": 0.0}, ValueError, "val_size"),
        (data.load_digits, {"val_size": 0.5, "test_size": 0.5}, ValueError, "val_size"),
        (data.load_digits, {"test_size": 1.0}, ValueError, "test_size"),
        (data.load_digits, {"test_size": "25%"}, TypeError, "test_size"),
        (data.load_digits, {"seed": 1.5}, TypeError, "seed"),
        (data.load_digits, {"dtype": np.float16}, ValueError, "dtype"),
    ],
)
def test_bad_arguments_are_refused(factory, arguments, error, argument):
    with pytest.raises(error, match=f"^{argument} must"):
        factory(**arguments)


def test_import_pulls_in_no_heavy_library(imports_no_heavy_library):
    imports_no_heavy_library("course_utils.data")
