"""Baselines for mlp's default settings: scikit-learn's MLPClassifier / MLPRegressor (defaults, with
StandardScaler) and LinearRegression on small real data sets that ship with scikit-learn.

Writes tests/fixtures/defaults/{name}_train.csv, {name}_test.csv (75/25 split, random_state=0) and
tests/fixtures/defaults/baseline.txt (`name task metric mlp_score linear_score`); tests/cli/test_cli_defaults.cpp
trains `mlp` with default settings on the same files and compares.
Run with Debian's scikit-learn:  /usr/bin/python3 scripts/gen_defaults_baseline.py
"""
import os
import warnings

import numpy as np
from sklearn import datasets
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LinearRegression
from sklearn.metrics import accuracy_score, r2_score
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

warnings.filterwarnings("ignore", category=ConvergenceWarning)
OUT = os.path.join(os.path.dirname(__file__), "..", "tests", "fixtures", "defaults")
os.makedirs(OUT, exist_ok=True)


def write_csv(path, names, x, y, label_names=None):
    with open(path, "w") as f:
        f.write(",".join(names + ["target"]) + "\n")
        for row, t in zip(x, y):
            label = label_names[int(t)] if label_names is not None else repr(float(t))
            f.write(",".join(repr(float(v)) for v in row) + "," + label + "\n")


lines = []
for name, loader, task, label_names in [
    ("breast_cancer", datasets.load_breast_cancer, "classification", ["malignant", "benign"]),
    ("wine", datasets.load_wine, "classification", None),
    ("digits", datasets.load_digits, "classification", None),
    ("diabetes", datasets.load_diabetes, "regression", None),
]:
    d = loader()
    x, y = d.data, d.target
    names = [f"f{i}" for i in range(x.shape[1])]
    xtr, xte, ytr, yte = train_test_split(x, y, test_size=0.25, random_state=0)
    write_csv(os.path.join(OUT, f"{name}_train.csv"), names, xtr, ytr, label_names)
    write_csv(os.path.join(OUT, f"{name}_test.csv"), names, xte, yte, label_names)
    if task == "classification":
        mlp = make_pipeline(StandardScaler(), MLPClassifier(random_state=0)).fit(xtr, ytr)
        score = accuracy_score(yte, mlp.predict(xte))
        lines.append(f"{name} classification accuracy {score!r} nan")
    else:
        mlp = make_pipeline(StandardScaler(), MLPRegressor(random_state=0)).fit(xtr, ytr)
        lin = LinearRegression().fit(xtr, ytr)
        lines.append(f"{name} regression r2 {r2_score(yte, mlp.predict(xte))!r} {r2_score(yte, lin.predict(xte))!r}")

with open(os.path.join(OUT, "baseline.txt"), "w") as f:
    f.write("\n".join(lines) + "\n")
print("\n".join(lines))
