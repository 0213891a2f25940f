"""Ctrl-C (SIGINT) during a long fit stops it with KeyboardInterrupt, soon, and leaves the
estimator as it was: its previous model, or unfitted. The GIL is released while training, so
another Python thread runs meanwhile."""

import os
import signal
import threading
import time
import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning, NotFittedError

import mlpcpp


def long_data():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(4000, 50)).astype(np.float32)
    y = (X[:, 0] + rng.normal(size=4000) > 0).astype(int)
    return X, y


def long_fit():
    # Hundreds of epochs without early stopping: tens of seconds if nothing stops it.
    return mlpcpp.MLPClassifier(hidden_layer_sizes=(256, 256), batch_size=32, max_iter=500, tol=0,
                                n_iter_no_change=500, random_state=0)


def interrupt_after(seconds):
    timer = threading.Timer(seconds, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    return timer


def test_ctrl_c_stops_fit_and_keeps_the_previous_model():
    X, y = long_data()
    clf = long_fit()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.set_params(max_iter=1).fit(X, y)
    before = clf.predict_proba(X[:50])
    params_before = clf.get_params()
    clf.set_params(max_iter=500)

    # A Python thread counts while fit runs: it only can when fit has released the GIL.
    ticks = []
    stop = threading.Event()

    def count():
        while not stop.is_set():
            ticks.append(1)
            time.sleep(0.01)

    counter = threading.Thread(target=count)
    counter.start()
    timer = interrupt_after(1.0)
    start = time.monotonic()
    try:
        with pytest.raises(KeyboardInterrupt):
            clf.fit(X, y)
    finally:
        timer.cancel()
        stop.set()
        counter.join()
    elapsed = time.monotonic() - start
    assert elapsed < 10, f"fit went on for {elapsed:.1f} s after Ctrl-C"
    assert len(ticks) > 20, "another thread could not run during fit: the GIL was held"
    # The estimator still holds its previous model and predicts with it.
    np.testing.assert_array_equal(clf.predict_proba(X[:50]), before)
    assert clf.n_iter_ == 1
    assert clf.get_params()["hidden_layer_sizes"] == params_before["hidden_layer_sizes"]


def test_ctrl_c_leaves_an_unfitted_estimator_unfitted_and_usable():
    X, y = long_data()
    clf = long_fit()
    timer = interrupt_after(0.5)
    try:
        with pytest.raises(KeyboardInterrupt):
            clf.fit(X, y)
    finally:
        timer.cancel()
    with pytest.raises(NotFittedError):
        clf.predict(X)
    assert not [k for k in vars(clf) if k.endswith("_")]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.set_params(max_iter=1, hidden_layer_sizes=(8,)).fit(X, y)
    assert clf.predict(X).shape == (4000,)


def test_ctrl_c_during_partial_fit_leaves_the_model_unchanged():
    X, y = long_data()
    X = np.repeat(X, 100, axis=0)  # one epoch of 400000 rows: seconds, long enough to interrupt
    y = np.repeat(y, 100)
    clf = mlpcpp.MLPClassifier(hidden_layer_sizes=(256, 256), batch_size=32, random_state=0)
    clf.partial_fit(X[:64], y[:64], classes=[0, 1])
    before = clf.predict_proba(X[:50])
    timer = interrupt_after(0.5)
    try:
        with pytest.raises(KeyboardInterrupt):
            clf.partial_fit(X, y)
    finally:
        timer.cancel()
    np.testing.assert_array_equal(clf.predict_proba(X[:50]), before)
    assert clf.n_iter_ == 1 and len(clf.loss_curve_) == 1
