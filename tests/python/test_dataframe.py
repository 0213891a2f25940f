"""pandas DataFrames are tables: columns go to the library by name; text, categorical and boolean
columns are encoded there (one-hot, imputation), as `mlp train` does with a CSV file."""

import numpy as np
import pytest

import mlpcpp

pd = pytest.importorskip("pandas")


def customers(n=400, seed=0):
    rng = np.random.RandomState(seed)
    city = rng.choice(["Lisbon", "Oslo", "Rome"], size=n)
    age = rng.randint(18, 80, size=n).astype(float)
    plan = pd.Categorical(rng.choice(["basic", "premium"], size=n))
    member = rng.rand(n) < 0.5
    churn = np.where((city == "Oslo") ^ (age > 50), "churn", "stay")
    frame = pd.DataFrame({"age": age, "city": city, "plan": plan, "member": member})
    frame.loc[::17, "age"] = np.nan  # gaps: imputed with the training mean
    frame.loc[5::23, "city"] = None  # and the most frequent city
    return frame, churn


def test_a_mixed_dataframe_trains_and_predicts_by_column_name():
    X, y = customers()
    clf = mlpcpp.MLPClassifier(hidden_layer_sizes=(32,), learning_rate_init=0.01, max_iter=150, random_state=0).fit(X, y)
    assert clf.n_features_in_ == 4
    assert list(clf.feature_names_in_) == ["age", "city", "plan", "member"]
    assert clf._model.sizes[0] == 1 + 3 + 2 + 1  # age, 3 cities, 2 plans, member
    assert clf.score(X, y) > 0.9
    # An unseen category is all zeros (as OneHotEncoder(handle_unknown='ignore')), not an error.
    fresh = X.head(3).copy()
    fresh["city"] = ["Paris", "Oslo", None]
    assert clf.predict(fresh).shape == (3,)


def test_columns_in_another_order_are_refused_as_scikit_learn_does():
    X, y = customers()
    clf = mlpcpp.MLPClassifier(max_iter=3).fit(X, y)
    with pytest.raises(ValueError, match="feature names"):
        clf.predict(X[["city", "age", "plan", "member"]])


def test_a_numeric_dataframe_trains_as_its_array_does():
    rng = np.random.RandomState(1)
    X = pd.DataFrame(rng.normal(size=(200, 3)), columns=["a", "b", "c"])
    y = X["a"] * 2 - X["b"] + rng.normal(scale=0.1, size=200)
    from_frame = mlpcpp.MLPRegressor(max_iter=20, random_state=0).fit(X, y)
    from_array = mlpcpp.MLPRegressor(max_iter=20, random_state=0).fit(X.to_numpy(), y.to_numpy())
    np.testing.assert_array_equal(from_frame.predict(X), from_array.predict(X.to_numpy()))


def test_unsupported_columns_are_type_errors():
    X = pd.DataFrame({"when": pd.date_range("2024-01-01", periods=10), "x": np.arange(10.0)})
    with pytest.raises(TypeError, match="column 'when' has dtype datetime64"):
        mlpcpp.MLPRegressor(max_iter=2).fit(X, np.arange(10.0))
