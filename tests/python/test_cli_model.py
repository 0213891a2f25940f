"""Models cross between the mlp command and Python: a model `mlp train` saved predicts through
mlpcpp.load exactly as `mlp predict` does (arrays and tables with text and missing cells), and a
model the estimators save is one `mlp predict` and `mlp info` read, with the same predictions."""

import csv
import json
import os
import subprocess
import warnings

import numpy as np
import pytest

import mlpcpp
from conftest import DATA, read_csv

DIGITS_TRAIN = os.path.join(DATA, "defaults", "digits_train.csv")
DIGITS_TEST = os.path.join(DATA, "defaults", "digits_test.csv")
DIABETES_TRAIN = os.path.join(DATA, "defaults", "diabetes_train.csv")
DIABETES_TEST = os.path.join(DATA, "defaults", "diabetes_test.csv")


def run(*args):
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def cli_predictions(mlp_binary, model, data, out, *extra):
    run(mlp_binary, "predict", str(model), data, "-o", str(out), *extra)
    with open(out, newline="") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def test_a_cli_classifier_predicts_identically(mlp_binary, tmp_path):
    model = tmp_path / "digits.safetensors"
    run(mlp_binary, "train", DIGITS_TRAIN, "-o", str(model), "--epochs", "5", "--seed", "3", "--quiet")
    header, rows = cli_predictions(mlp_binary, model, DIGITS_TEST, tmp_path / "p.csv")
    assert header[0] == "class" and len(header) == 11

    clf = mlpcpp.load(model)
    assert isinstance(clf, mlpcpp.MLPClassifier)
    assert list(clf.classes_) == list(range(10))
    assert clf.n_features_in_ == 64
    assert clf.hidden_layer_sizes == (100,) and clf.max_iter == 5 and clf.random_state == 3
    X_test, _ = read_csv(DIGITS_TEST)
    with warnings.catch_warnings():
        # The model has the CSV's column names, an array has none: scikit-learn's warning.
        warnings.simplefilter("ignore", UserWarning)
        predicted = clf.predict(X_test)
        proba = clf.predict_proba(X_test)
    assert [int(r[0]) for r in rows] == predicted.tolist()
    cli_proba = np.array([[float(v) for v in r[1:]] for r in rows])
    # The command prints each float32 probability at its own precision (9 significant digits).
    np.testing.assert_allclose(proba, cli_proba, rtol=1e-6, atol=1e-9)


def test_a_cli_regressor_predicts_identically(mlp_binary, tmp_path):
    model = tmp_path / "diabetes.safetensors"
    run(mlp_binary, "train", DIABETES_TRAIN, "-o", str(model), "--epochs", "5", "--dtype", "f64", "--quiet")
    header, rows = cli_predictions(mlp_binary, model, DIABETES_TEST, tmp_path / "p.csv")
    assert header == ["target"]
    reg = mlpcpp.load(model)
    assert isinstance(reg, mlpcpp.MLPRegressor)
    assert reg.dtype == "float64"
    X_test, _ = read_csv(DIABETES_TEST)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        predicted = reg.predict(X_test)
    assert predicted.shape == (X_test.shape[0],)
    # The command prints doubles so that they read back the same: equal to the last bit.
    assert predicted.tolist() == [float(r[0]) for r in rows]


def test_a_cli_model_of_a_mixed_table_predicts_identically_from_a_dataframe(mlp_binary, tmp_path):
    pd = pytest.importorskip("pandas")
    train, test = os.path.join(DATA, "mixed", "train.csv"), os.path.join(DATA, "mixed", "test.csv")
    model = tmp_path / "mixed.safetensors"
    run(mlp_binary, "train", train, "-o", str(model), "--epochs", "3", "--quiet")
    header, rows = cli_predictions(mlp_binary, model, test, tmp_path / "p.csv")
    clf = mlpcpp.load(model)
    assert sorted(clf.classes_) == ["churn", "stay"]
    assert list(clf.feature_names_in_) == ["age", "income", "tenure_months", "monthly_charge", "city", "plan", "color"]
    # pandas reads the gaps mlp reads as missing ("?" too); text columns stay text.
    frame = pd.read_csv(test, na_values=["?"]).drop(columns=["label"])
    predicted = clf.predict(frame)
    assert [r[0] for r in rows] == predicted.tolist()
    proba = clf.predict_proba(frame)
    np.testing.assert_allclose(proba, [[float(v) for v in r[1:]] for r in rows], rtol=1e-6, atol=1e-9)


def test_a_model_saved_from_python_is_read_by_the_cli(mlp_binary, tmp_path, digits):
    X, y, X_test, _ = digits
    clf = mlpcpp.MLPClassifier(hidden_layer_sizes=(32,), max_iter=5, random_state=0).fit(X, y)
    model = tmp_path / "py.safetensors"
    clf.save(model)
    info = json.loads(run(mlp_binary, "info", str(model), "--json"))
    assert info["architecture"]["sizes"] == [64, 32, 10]
    assert info["classes"] == [str(c) for c in range(10)]
    np.savetxt(tmp_path / "test.csv", X_test, delimiter=",", header=",".join(f"f{i}" for i in range(64)), comments="")
    _, rows = cli_predictions(mlp_binary, model, str(tmp_path / "test.csv"), tmp_path / "p.csv")
    assert [int(r[0]) for r in rows] == clf.predict(X_test).tolist()
    again = mlpcpp.load(model)
    np.testing.assert_array_equal(again.predict_proba(X_test), clf.predict_proba(X_test))


def test_load_names_a_missing_file_and_a_file_that_is_no_model(tmp_path):
    with pytest.raises(FileNotFoundError, match="nothing.safetensors"):
        mlpcpp.load(tmp_path / "nothing.safetensors")
    (tmp_path / "bad.safetensors").write_bytes(b"not a model")
    with pytest.raises(ValueError, match="bad.safetensors"):
        mlpcpp.load(tmp_path / "bad.safetensors")
