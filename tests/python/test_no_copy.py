"""float32 and float64 arrays reach the library without a copy: the address the library trained
from (a debugging hook of the binding, read from the library's FitPlan) is the array's own."""

import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

import mlpcpp
from mlpcpp import _mlpcpp
from conftest import blobs


def fitted_from(estimator, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        estimator.fit(X, y)
    return _mlpcpp._last_fit_features_address()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("model_dtype", ["float32", "float64"])
def test_c_contiguous_float_arrays_are_not_copied(dtype, model_dtype):
    X, y = blobs(n=100)
    X = np.ascontiguousarray(X, dtype=dtype)
    address = fitted_from(mlpcpp.MLPClassifier(max_iter=2, dtype=model_dtype), X, y)
    assert address == X.ctypes.data


def test_a_read_only_array_is_not_copied():
    X, y = blobs(n=100)
    X = X.astype(np.float32)
    X.setflags(write=False)
    assert fitted_from(mlpcpp.MLPRegressor(max_iter=2), X, y.astype(float)) == X.ctypes.data


def test_arrays_that_must_be_converted_are_copied():
    # The hook is no constant: other layouts and types are converted first, and it says so.
    X, y = blobs(n=100)
    fortran = np.asfortranarray(X)
    assert fitted_from(mlpcpp.MLPClassifier(max_iter=2), fortran, y) != fortran.ctypes.data
    ints = (X * 10).astype(np.int64)
    assert fitted_from(mlpcpp.MLPClassifier(max_iter=2), ints, y) != ints.ctypes.data
