"""Pickling goes through the model file's bytes: a fitted estimator comes back predicting the
same, with its fitted attributes, and can go on training; copies are independent."""

import copy
import pickle

import numpy as np
import pytest

import mlpcpp
from conftest import blobs


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_a_fitted_classifier_round_trips(dtype):
    X, y = blobs()
    labels = np.array(["ant", "bee", "cat"])[y]
    clf = mlpcpp.MLPClassifier(hidden_layer_sizes=(16, 8), max_iter=20, random_state=0, dtype=dtype).fit(X, labels)
    data = pickle.dumps(clf)
    assert b"__metadata__" in data  # the safetensors model file travels inside
    back = pickle.loads(data)
    assert back is not clf and back._model is not clf._model
    np.testing.assert_array_equal(back.predict_proba(X), clf.predict_proba(X))
    np.testing.assert_array_equal(back.predict(X), clf.predict(X))
    np.testing.assert_array_equal(back.classes_, clf.classes_)
    assert back.loss_curve_ == clf.loss_curve_ and back.n_iter_ == clf.n_iter_
    assert back.get_params() == clf.get_params()
    for a, b in zip(back.coefs_, clf.coefs_):
        np.testing.assert_array_equal(a, b)


def test_a_fitted_regressor_round_trips_and_trains_on():
    X, _ = blobs()
    y = X @ np.array([1.0, -2.0, 0.5, 3.0]) + 10
    reg = mlpcpp.MLPRegressor(max_iter=30, random_state=1).fit(X, y)
    epochs = reg.n_iter_
    back = pickle.loads(pickle.dumps(reg, protocol=pickle.HIGHEST_PROTOCOL))
    np.testing.assert_array_equal(back.predict(X), reg.predict(X))
    # Further training from the unpickled state matches further training of the original.
    reg.partial_fit(X, y)
    back.partial_fit(X, y)
    np.testing.assert_allclose(back.predict(X), reg.predict(X), rtol=1e-6)
    assert back.n_iter_ == reg.n_iter_ == epochs + 1


def test_an_unfitted_estimator_round_trips():
    clf = mlpcpp.MLPClassifier(hidden_layer_sizes=(7,), dropout=0.1)
    back = pickle.loads(pickle.dumps(clf))
    assert back.get_params() == clf.get_params()
    assert "_model" not in back.__dict__


def test_deepcopy_is_independent():
    X, y = blobs()
    clf = mlpcpp.MLPClassifier(max_iter=10, random_state=0).fit(X, y)
    twin = copy.deepcopy(clf)
    before = clf.predict_proba(X)
    twin.partial_fit(X, y)
    np.testing.assert_array_equal(clf.predict_proba(X), before)
    assert not np.array_equal(twin.predict_proba(X), before)
