"""Shared helpers of the Python module's tests (pytest; run by CTest with PYTHONPATH set to the
built module, MLP_BINARY to the mlp command)."""

import os
import shutil

import numpy as np
import pytest

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures")


def read_csv(path):
    """A numeric CSV with a header: (features, last column)."""
    table = np.loadtxt(path, delimiter=",", skiprows=1)
    return np.ascontiguousarray(table[:, :-1]), table[:, -1]


@pytest.fixture(scope="session")
def digits():
    X, y = read_csv(os.path.join(DATA, "defaults", "digits_train.csv"))
    X_test, y_test = read_csv(os.path.join(DATA, "defaults", "digits_test.csv"))
    return X, y.astype(np.int64), X_test, y_test.astype(np.int64)


@pytest.fixture(scope="session")
def mlp_binary():
    """The mlp command CTest passes in MLP_BINARY (else one on PATH)."""
    path = os.environ.get("MLP_BINARY") or shutil.which("mlp")
    if not path or not os.path.exists(path):
        pytest.fail("set MLP_BINARY to the mlp command (CTest does)")
    return path


def blobs(n=200, features=4, classes=3, seed=0):
    """Separable gaussian blobs: X (n, features) float64, integer labels."""
    rng = np.random.RandomState(seed)
    y = np.arange(n) % classes
    centers = rng.normal(scale=4.0, size=(classes, features))
    X = centers[y] + rng.normal(size=(n, features))
    return X, y
