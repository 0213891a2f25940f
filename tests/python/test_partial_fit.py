"""partial_fit: one epoch per call from the current weights; the classifier's classes are given
on the first call (scikit-learn's rule) and may include labels the first batches lack."""

import numpy as np
import pytest

import mlpcpp
from conftest import blobs


def test_classes_are_required_first_and_honoured():
    X, y = blobs(n=300, classes=3)
    clf = mlpcpp.MLPClassifier(hidden_layer_sizes=(16,), learning_rate_init=0.01, random_state=0)
    first = y < 2  # the first batch shows classes 0 and 1 only
    clf.partial_fit(X[first], y[first], classes=[2, 0, 1])
    np.testing.assert_array_equal(clf.classes_, [0, 1, 2])
    assert clf.predict_proba(X).shape == (300, 3)
    for _ in range(30):
        clf.partial_fit(X, y)
    assert clf.n_iter_ == 31 and len(clf.loss_curve_) == 31
    assert clf.t_ == first.sum() + 30 * 300
    assert clf.score(X, y) > 0.9
    assert clf.loss_curve_[-1] < clf.loss_curve_[1]


def test_string_classes_and_unknown_labels():
    X, y = blobs(n=120, classes=2)
    labels = np.array(["no", "yes"])[y]
    clf = mlpcpp.MLPClassifier(random_state=0)
    clf.partial_fit(X, labels, classes=["yes", "no", "maybe"])
    np.testing.assert_array_equal(clf.classes_, ["maybe", "no", "yes"])
    bad = labels.astype(object)
    bad[3] = "perhaps"
    with pytest.raises(ValueError, match="label 'perhaps' is not one of the model's classes"):
        clf.partial_fit(X, bad)
    with pytest.raises(ValueError, match="not the same as on last call"):
        clf.partial_fit(X, labels, classes=["no", "yes"])


def test_partial_fit_after_fit_continues_and_fit_starts_over():
    X, y = blobs(n=200)
    clf = mlpcpp.MLPClassifier(max_iter=5, random_state=0)
    import warnings

    from sklearn.exceptions import ConvergenceWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
        first = clf.coefs_[0].copy()
        clf.partial_fit(X, y)
        assert clf.n_iter_ == 6
        assert not np.array_equal(clf.coefs_[0], first)
        clf.fit(X, y)  # a new model, the same as the first fit
    np.testing.assert_array_equal(clf.coefs_[0], first)
    assert clf.n_iter_ == 5


def test_the_regressor_keeps_its_target_scaling():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(400, 3))
    y = 1000 + 50 * X[:, 0]
    reg = mlpcpp.MLPRegressor(hidden_layer_sizes=(16,), learning_rate_init=0.01, random_state=0)
    for start in range(0, 400, 40):
        reg.partial_fit(X[start:start + 40], y[start:start + 40])
    for _ in range(20):
        reg.partial_fit(X, y)
    assert reg.score(X, y) > 0.95
    with pytest.raises(ValueError, match="classes is for classifiers"):
        reg.partial_fit(X, y, classes=[1, 2])
