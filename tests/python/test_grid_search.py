"""The estimators inside scikit-learn's tools: GridSearchCV over two parameters, a Pipeline with
a scaler, cross-validation, cloning."""

import numpy as np
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import mlpcpp
from conftest import blobs


def test_grid_search_over_two_parameters(digits):
    X, y, X_test, y_test = digits
    grid = GridSearchCV(
        mlpcpp.MLPClassifier(max_iter=30, random_state=0),
        {"hidden_layer_sizes": [(16,), (64,)], "learning_rate_init": [1e-3, 1e-2]},
        cv=3,
    )
    grid.fit(X, y)
    assert len(grid.cv_results_["params"]) == 4
    assert np.all(np.isfinite(grid.cv_results_["mean_test_score"]))
    assert grid.best_params_["hidden_layer_sizes"] in [(16,), (64,)]
    assert isinstance(grid.best_estimator_, mlpcpp.MLPClassifier)
    assert grid.best_estimator_.get_params()["learning_rate_init"] == grid.best_params_["learning_rate_init"]
    assert grid.score(X_test, y_test) > 0.9


def test_in_a_pipeline_with_a_scaler_and_cross_validated():
    X, _ = blobs(n=300, features=5)
    y = np.sin(X[:, 0]) + X[:, 1] * 2
    pipe = make_pipeline(StandardScaler(), mlpcpp.MLPRegressor(scale="none", max_iter=100, random_state=0))
    scores = cross_val_score(pipe, X, y, cv=3)
    assert scores.shape == (3,) and scores.mean() > 0.8
    grid = GridSearchCV(pipe, {"mlpregressor__alpha": [1e-4, 1e-2], "mlpregressor__solver": ["adam", "rmsprop"]}, cv=2)
    grid.fit(X, y)
    assert grid.best_score_ > 0.5


def test_clone_keeps_the_parameters_and_drops_the_model():
    X, y = blobs()
    clf = mlpcpp.MLPClassifier(hidden_layer_sizes=(5, 3), solver="sgd", momentum=0.5, batch_norm=True, max_iter=3).fit(X, y)
    twin = clone(clf)
    assert twin.get_params() == clf.get_params()
    assert not hasattr(twin, "classes_")
