"""float32 and float64 arrays reach the library without a copy: the estimators hand the library
the caller's own array (recorded here by wrapping the Pipeline.fit they call), which the binding
views, and the library trains from the memory it is given (the C++ test
PipelineFit.AnArrayFrameIsTrainedOnWhereTheCallerKeepsIt: an array's encoding is the array itself)."""

import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

import mlpcpp
from mlpcpp import _estimators
from conftest import blobs


@pytest.fixture
def fitted_from(monkeypatch):
    """fitted_from(estimator, X, y): fits, and returns the address of the array given to the library."""
    seen = []
    real = _estimators.Pipeline

    class Recording:
        @staticmethod
        def fit(x, targets, options):
            seen.append(x.ctypes.data if isinstance(x, np.ndarray) else None)
            return real.fit(x, targets, options)

    monkeypatch.setattr(_estimators, "Pipeline", Recording)

    def fit(estimator, X, y):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            estimator.fit(X, y)
        return seen[-1]

    return fit


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("model_dtype", ["float32", "float64"])
def test_c_contiguous_float_arrays_are_not_copied(fitted_from, dtype, model_dtype):
    X, y = blobs(n=100)
    X = np.ascontiguousarray(X, dtype=dtype)
    address = fitted_from(mlpcpp.MLPClassifier(max_iter=2, dtype=model_dtype), X, y)
    assert address == X.ctypes.data


def test_a_read_only_array_is_not_copied(fitted_from):
    X, y = blobs(n=100)
    X = X.astype(np.float32)
    X.setflags(write=False)
    assert fitted_from(mlpcpp.MLPRegressor(max_iter=2), X, y.astype(float)) == X.ctypes.data


def test_arrays_that_must_be_converted_are_copied(fitted_from):
    # The record is no constant: other layouts and types are converted first, and it says so.
    X, y = blobs(n=100)
    fortran = np.asfortranarray(X)
    assert fitted_from(mlpcpp.MLPClassifier(max_iter=2), fortran, y) != fortran.ctypes.data
    ints = (X * 10).astype(np.int64)
    assert fitted_from(mlpcpp.MLPClassifier(max_iter=2), ints, y) != ints.ctypes.data
