"""Errors reach Python as ValueError or TypeError with messages a user can act on: the library's
own for bad options and data, scikit-learn's for malformed arrays."""

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

import mlpcpp
from mlpcpp import _mlpcpp
from conftest import blobs

X, Y = blobs(n=60)


@pytest.mark.parametrize(
    "params, message",
    [
        ({"activation": "bogus"}, "unknown activation 'bogus'"),
        ({"loss": "mse"}, "loss mse is a regression loss"),
        ({"dropout": 1.5}, "dropout"),
        ({"solver": "lbfgs"}, "solver 'lbfgs' is not supported"),
        ({"scale": "log"}, "unknown scaler 'log'|scal"),
        ({"hidden_layer_sizes": (10, 0)}, "hidden_layer_sizes must be positive integers"),
        ({"batch_size": "big"}, "batch_size must be 'auto' or an integer"),
        ({"dtype": "int8"}, "dtype must be 'float32', 'float64' or 'bfloat16'"),
        ({"max_iter": 0}, "max_iter must be an integer >= 1"),
        ({"validation_fraction": 1.0, "early_stopping": True}, "validation_fraction must be in"),
        ({"n_threads": 0}, "n_threads must be None or an integer >= 1"),
        ({"random_state": -1}, "random_state must be in"),
    ],
)
def test_bad_parameters_are_value_errors_at_fit(params, message):
    clf = mlpcpp.MLPClassifier(max_iter=2, **params) if "max_iter" not in params else mlpcpp.MLPClassifier(**params)
    with pytest.raises(ValueError, match=message):
        clf.fit(X, Y)
    assert not hasattr(clf, "classes_")  # a failed fit leaves it unfitted


def test_the_library_s_messages_come_through():
    with pytest.raises(ValueError, match="classification needs at least 2 classes, the labels have 1 class"):
        mlpcpp.MLPClassifier().fit(X, np.zeros(len(X)))
    with pytest.raises(ValueError, match=r"a validation split of 0\.5\d* of 1 rows leaves no training or no validation rows"):
        mlpcpp.MLPRegressor(early_stopping=True, validation_fraction=0.5).fit(X[:1], Y[:1].astype(float))


def test_malformed_inputs():
    clf = mlpcpp.MLPClassifier(max_iter=2).fit(X, Y)
    with pytest.raises(ValueError, match="X has 3 features, but MLPClassifier is expecting 4 features"):
        clf.predict(X[:, :3])
    with pytest.raises(ValueError, match="Input X contains NaN"):
        clf.predict(np.full((2, 4), np.nan))
    with pytest.raises(ValueError, match="Expected 2D array"):
        clf.predict(X[0])
    with pytest.raises(NotFittedError):
        mlpcpp.MLPRegressor().predict(X)
    with pytest.raises(ValueError, match="Unknown label type"):
        mlpcpp.MLPClassifier().fit(X, np.linspace(0, 1, len(X)))


def test_the_binding_checks_what_it_is_given():
    # The layer under the estimators: its own TypeError and ValueError.
    with pytest.raises(TypeError, match="numpy array or a list"):
        _mlpcpp.Pipeline.fit("features", np.zeros(3), {})
    with pytest.raises(ValueError, match="C-contiguous"):
        _mlpcpp.Pipeline.fit(np.asfortranarray(X), Y.astype(float), {})
    with pytest.raises(TypeError, match="dtype complex128"):
        _mlpcpp.Pipeline.fit(X.astype(complex), Y.astype(float), {})
    with pytest.raises(ValueError, match="unknown option 'epoch'"):
        _mlpcpp.Pipeline.fit(X, Y.astype(float), {"epoch": 3})
    with pytest.raises(ValueError, match="y: row 2: missing label"):
        _mlpcpp.Pipeline.fit(X[:3], np.array([0.0, np.nan, 1.0]), {})
