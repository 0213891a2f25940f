"""scikit-learn's parameters mean what they mean there (docs/python.md has the table): the
architecture, solvers, stopping rules, batch size, regularization, and mlp.cpp's own additions."""

import io
import json
import warnings
from contextlib import redirect_stdout

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

import mlpcpp
from mlpcpp import _mlpcpp
from conftest import blobs


def training(estimator):
    return json.loads(estimator._model.info_json())


def test_the_architecture_and_scikit_learn_s_weight_orientation():
    X, y = blobs(n=90, features=5, classes=3)
    clf = mlpcpp.MLPClassifier(hidden_layer_sizes=(7, 4), activation="logistic", max_iter=3).fit(X, y)
    assert [w.shape for w in clf.coefs_] == [(5, 7), (7, 4), (4, 3)]
    assert [b.shape for b in clf.intercepts_] == [(7,), (4,), (3,)]
    assert clf.n_layers_ == 4 and clf.n_outputs_ == 3
    info = training(clf)
    assert info["architecture"]["hidden_activations"] == ["sigmoid"]
    one = mlpcpp.MLPClassifier(hidden_layer_sizes=6, max_iter=1).fit(X, y)
    assert [w.shape for w in one.coefs_] == [(5, 6), (6, 3)]
    both = mlpcpp.MLPClassifier(hidden_layer_sizes=(6, 6), activation="relu,tanh", max_iter=1).fit(X, y)
    assert training(both)["architecture"]["hidden_activations"] == ["relu", "tanh"]
    binary = mlpcpp.MLPClassifier(max_iter=1).fit(X, y % 2)
    assert binary.coefs_[-1].shape == (100, 1) and binary.n_outputs_ == 2
    assert binary.predict_proba(X).shape == (90, 2)


@pytest.mark.parametrize("solver", ["adam", "sgd", "adamw", "rmsprop", "adagrad"])
def test_every_solver_learns(solver):
    X, y = blobs(n=300)
    clf = mlpcpp.MLPClassifier(solver=solver, learning_rate_init=0.01, max_iter=60, random_state=0).fit(X, y)
    assert training(clf)["training"]["optimizer"] == solver
    assert clf.score(X, y) > 0.9


def test_batch_size_auto_is_min_200_n():
    X, y = blobs(n=1000)
    assert training(mlpcpp.MLPClassifier(max_iter=1).fit(X, y))["training"]["batch_size"] == 200
    assert training(mlpcpp.MLPClassifier(max_iter=1).fit(X[:50], y[:50]))["training"]["batch_size"] == 50
    with pytest.warns(UserWarning, match="clipped"):
        clf = mlpcpp.MLPClassifier(batch_size=500, max_iter=1).fit(X[:50], y[:50])
    assert training(clf)["training"]["batch_size"] == 50


def test_stopping_on_the_training_loss_as_scikit_learn():
    # tol larger than any improvement: no epoch counts, and scikit-learn stops once more than
    # n_iter_no_change epochs in a row failed to improve, keeping the last weights.
    X, y = blobs(n=200)
    clf = mlpcpp.MLPClassifier(tol=10.0, n_iter_no_change=4, max_iter=100, random_state=0).fit(X, y)
    assert clf.n_iter_ == 6  # epoch 1, then 5 without improvement
    assert clf.best_loss_ == min(clf.loss_curve_)
    assert clf.validation_scores_ is None and clf.best_validation_score_ is None
    assert training(clf)["training"]["best_epoch"] == 6
    with pytest.warns(ConvergenceWarning, match="Maximum iterations \\(3\\) reached"):
        mlpcpp.MLPClassifier(max_iter=3).fit(X, y)


def test_early_stopping_on_a_validation_score():
    X, y = blobs(n=400)
    clf = mlpcpp.MLPClassifier(early_stopping=True, validation_fraction=0.25, n_iter_no_change=3, max_iter=200,
                               random_state=0).fit(X, y)
    assert len(clf.validation_scores_) == clf.n_iter_ < 200
    assert clf.best_validation_score_ == max(clf.validation_scores_) > 0.9
    assert clf.best_loss_ is None
    reg = mlpcpp.MLPRegressor(early_stopping=True, max_iter=200, random_state=0).fit(X, X[:, 0] * 3)
    assert reg.best_validation_score_ == max(reg.validation_scores_) > 0.9  # r2


def test_alpha_shrinks_the_weights():
    X, y = blobs(n=200)
    # SGD: the decay alpha / batch_size = 1 takes 1% of each weight per step (lr 0.01).
    plain = mlpcpp.MLPClassifier(solver="sgd", learning_rate_init=0.01, alpha=0, max_iter=50, random_state=0).fit(X, y)
    shrunk = mlpcpp.MLPClassifier(solver="sgd", learning_rate_init=0.01, alpha=200, max_iter=50, random_state=0).fit(X, y)
    assert np.linalg.norm(shrunk.coefs_[0]) < 0.8 * np.linalg.norm(plain.coefs_[0])


def test_random_state_shuffle_dtype_dropout_batch_norm_loss_and_threads():
    X, y = blobs(n=200)
    a = mlpcpp.MLPClassifier(max_iter=5, random_state=1).fit(X, y)
    b = mlpcpp.MLPClassifier(max_iter=5, random_state=1).fit(X, y)
    c = mlpcpp.MLPClassifier(max_iter=5, random_state=2).fit(X, y)
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))
    assert not np.array_equal(a.predict_proba(X), c.predict_proba(X))
    assert not np.array_equal(
        a.predict_proba(X), mlpcpp.MLPClassifier(max_iter=5, random_state=1, shuffle=False).fit(X, y).predict_proba(X)
    )
    f64 = mlpcpp.MLPClassifier(max_iter=2, dtype="float64").fit(X, y)
    assert f64._model.dtype == "float64" and training(f64)["dtype"] == "F64"
    # bfloat16 products train a float32 model (in float32, with a warning, where the CPU has none).
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        bf16 = mlpcpp.MLPClassifier(max_iter=5, random_state=1, dtype="bfloat16").fit(X, y)
    native = _mlpcpp.bf16_products()
    assert [str(w.message) for w in caught if "bfloat16" in str(w.message)] == (
        [] if native else ["dtype='bfloat16': no bfloat16 products on this CPU (they need avx512_bf16); training in float32"]
    )
    assert bf16._model.dtype == "float32" and training(bf16)["dtype"] == "F32"
    assert training(bf16)["training"]["dtype"] == ("bf16" if native else "f32")
    np.testing.assert_allclose(bf16.predict_proba(X), a.predict_proba(X), atol=0.05)
    with pytest.raises(ValueError, match="bfloat16"):
        mlpcpp.MLPClassifier(max_iter=2, dtype="float16").fit(X, y)
    arch = training(mlpcpp.MLPClassifier(max_iter=2, dropout=0.2, batch_norm=True).fit(X, y))["architecture"]
    assert arch["dropout"] == 0.2 and arch["batch_norm"] is True
    assert training(mlpcpp.MLPClassifier(max_iter=2, loss="nll").fit(X, y))["loss"] == "nll"
    assert training(mlpcpp.MLPRegressor(max_iter=2, loss="mae").fit(X, y * 1.0))["loss"] == "mae"
    before = _mlpcpp.threads()
    mlpcpp.MLPClassifier(max_iter=2, n_threads=1).fit(X, y).predict(X)
    assert _mlpcpp.threads() == before


def test_features_are_not_scaled_unless_asked_and_targets_are_standardized():
    # As scikit-learn's MLP: no feature scaling by default (put a StandardScaler before it, or
    # ask for the library's: scale="standard", the mlp command's default).
    X, y = blobs(n=200)
    X = X * 1000 + 5000
    raw = mlpcpp.MLPClassifier(max_iter=30, random_state=0).fit(X, y)
    assert training(raw)["preprocessing"]["scale"] == "none"
    scaled = mlpcpp.MLPClassifier(max_iter=30, random_state=0, scale="standard").fit(X, y)
    assert training(scaled)["preprocessing"]["scale"] == "standard"
    assert scaled.score(X, y) > raw.score(X, y)
    reg = mlpcpp.MLPRegressor(max_iter=2).fit(X, y * 100.0)
    assert training(reg)["preprocessing"]["target_scale"]  # regression targets are standardized all the same


def test_multi_output_regression_and_verbose():
    X, _ = blobs(n=200)
    Y = np.column_stack([X[:, 0], -X[:, 1], X[:, 2] * 10])
    out = io.StringIO()
    with redirect_stdout(out):
        reg = mlpcpp.MLPRegressor(max_iter=3, verbose=True, random_state=0).fit(X, Y)
    assert reg.predict(X).shape == (200, 3)
    assert out.getvalue().splitlines()[0].startswith("Iteration 1, loss = ")
    assert len(out.getvalue().splitlines()) == 3


def test_predict_log_proba():
    X, y = blobs(n=60)
    clf = mlpcpp.MLPClassifier(max_iter=3).fit(X, y)
    np.testing.assert_allclose(np.exp(clf.predict_log_proba(X)), clf.predict_proba(X))
