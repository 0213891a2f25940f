#!/usr/bin/env python3
"""mlpcpp.MLPClassifier() against sklearn.neural_network.MLPClassifier() on digits, both with
their defaults: test accuracy and fit time, over several runs (random_state 0, 1, 2, ...).

    PYTHONPATH=build/python /usr/bin/python3 scripts/bench_python_digits.py [--runs 3]

The data: tests/fixtures/defaults/digits_train.csv and digits_test.csv (64 pixel columns, label last).
docs/python.md records the results.
"""

import argparse
import os
import sys
import time
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier as SkMLPClassifier

import mlpcpp

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "tests", "fixtures", "defaults")


def read(name):
    table = np.loadtxt(os.path.join(DATA, name), delimiter=",", skiprows=1)
    return np.ascontiguousarray(table[:, :-1]), table[:, -1].astype(np.int64)


def measure(make, X, y, X_test, y_test):
    model = make()
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    seconds = time.perf_counter() - start
    return model.score(X_test, y_test), seconds, model.n_iter_


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    X, y = read("digits_train.csv")
    X_test, y_test = read("digits_test.csv")
    print(f"digits: {X.shape[0]} training rows, {X_test.shape[0]} test rows, {X.shape[1]} features")
    print(f"numpy {np.__version__}, scikit-learn {__import__('sklearn').__version__}, mlpcpp {mlpcpp.__version__}")
    print("run  seed  sklearn acc  sklearn s  iters  ms/iter  mlpcpp acc  mlpcpp s  iters  ms/iter  speed-up  acc diff")
    rows = []
    for run in range(args.runs):
        sk = measure(lambda: SkMLPClassifier(random_state=run), X, y, X_test, y_test)
        ours = measure(lambda: mlpcpp.MLPClassifier(random_state=run), X, y, X_test, y_test)
        rows.append((sk, ours))
        print(
            f"{run + 1:>3}  {run:>4}  {sk[0]:>11.4f}  {sk[1]:>9.3f}  {sk[2]:>5}  {1000 * sk[1] / sk[2]:>7.2f}"
            f"  {ours[0]:>10.4f}  {ours[1]:>8.3f}  {ours[2]:>5}  {1000 * ours[1] / ours[2]:>7.2f}"
            f"  {sk[1] / ours[1]:>7.1f}x  {ours[0] - sk[0]:>+8.4f}"
        )
    sk_acc = np.mean([r[0][0] for r in rows])
    our_acc = np.mean([r[1][0] for r in rows])
    speedup = np.mean([r[0][1] for r in rows]) / np.mean([r[1][1] for r in rows])
    print(f"mean: sklearn accuracy {sk_acc:.4f}, mlpcpp accuracy {our_acc:.4f} (diff {our_acc - sk_acc:+.4f}); "
          f"mlpcpp fits {speedup:.1f}x faster")
    ok = abs(our_acc - sk_acc) <= 0.01 and speedup >= 3
    print("targets (accuracy within 0.01, at least 3x faster):", "met" if ok else "NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
