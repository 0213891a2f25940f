#!/usr/bin/python3
"""Writes tests/fixtures/metrics_golden.txt: regression and classification metrics from scikit-learn
for tests/train/test_metrics.cpp.

Every case has fixed inputs (literal arrays or a seeded numpy generator), rounded to float32 so the
float build sees exactly the same numbers, and evaluated by sklearn.metrics in float64. Run from
anywhere:

    /usr/bin/python3 scripts/gen_metrics_golden.py

It needs scikit-learn and numpy (Debian: python3-sklearn python3-numpy) and rewrites the file byte
for byte the same on every run with the same versions.

File format, one record per case (numbers are Python repr, which reads back to the same double):
    case LABEL regression ROWS COLS
    pred     ROWS*COLS numbers, row-major
    target   ROWS*COLS numbers
    mse V / rmse V / mae V / r2 V          (r2 may be nan)

    case LABEL classification ROWS COLS TOPK
    probs     ROWS*COLS numbers, row-major (COLS == 1: P(class 1))
    labels    ROWS class indices
    predicted ROWS class indices: argmax (first maximum), or p > 0.5 for one column
    classes N / k N
    accuracy V / top_k_accuracy V / precision V / recall V / f1 V
    log_loss V       eps = float64 eps (what sklearn 1.2's eps='auto' uses for float64 input)
    log_loss_f32 V   eps = float32 eps (what eps='auto' uses for float32 input), float64 arithmetic
    confusion CLASSES*CLASSES counts, row = true class, col = predicted
"""

import os
import warnings

import numpy as np
import sklearn
from sklearn.metrics import (accuracy_score, confusion_matrix, log_loss, mean_absolute_error,
                             mean_squared_error, precision_recall_fscore_support, r2_score,
                             top_k_accuracy_score)

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "metrics_golden.txt")


def f32(a):
    """The nearest float32 values, as float64: inputs the float build sees exactly."""
    return np.asarray(a, dtype=np.float32).astype(np.float64)


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def nums(values):
    return " ".join(repr(float(v)) for v in np.asarray(values).reshape(-1))


def regression(label, pred, target):
    pred = f32(pred)
    target = f32(target)
    if pred.ndim == 1:
        pred = pred[:, None]
        target = target[:, None]
    rows, cols = pred.shape
    mse = mean_squared_error(target, pred)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # r2 with one row: UndefinedMetricWarning, nan
        r2 = r2_score(target, pred)
    return [
        f"case {label} regression {rows} {cols}",
        "pred " + nums(pred),
        "target " + nums(target),
        f"mse {float(mse)!r}",
        f"rmse {float(np.sqrt(mse))!r}",
        f"mae {float(mean_absolute_error(target, pred))!r}",
        f"r2 {float(r2)!r}",
    ]


def classification(label, probs, labels, top_k):
    probs = f32(probs)
    if probs.ndim == 1:
        probs = probs[:, None]
    labels = np.asarray(labels, dtype=np.int64)
    rows, cols = probs.shape
    classes = 2 if cols == 1 else cols
    k = min(top_k, classes)
    all_labels = np.arange(classes)
    if cols == 1:
        score = probs[:, 0]
        predicted = (score > 0.5).astype(np.int64)
    else:
        score = probs
        predicted = np.argmax(probs, axis=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # k >= n_classes: UndefinedMetricWarning, a perfect score
        if cols == 2:
            # sklearn takes a binary problem's scores as one column; for k >= 2 every row is a hit.
            top_k_acc = top_k_accuracy_score(labels, score[:, 1], k=k, labels=all_labels)
            assert k == 2, "a 2-column case needs top_k >= 2 (sklearn ranks binary scores by threshold)"
        else:
            top_k_acc = top_k_accuracy_score(labels, score, k=k, labels=all_labels)
    precision, recall, f1, _ = precision_recall_fscore_support(labels, predicted, average="macro", zero_division=0)
    return [
        f"case {label} classification {rows} {cols} {top_k}",
        "probs " + nums(probs),
        "labels " + nums(labels),
        "predicted " + " ".join(str(int(v)) for v in predicted),
        f"classes {classes}",
        f"k {k}",
        f"accuracy {float(accuracy_score(labels, predicted))!r}",
        f"top_k_accuracy {float(top_k_acc)!r}",
        f"log_loss {float(log_loss(labels, score, labels=all_labels))!r}",
        f"log_loss_f32 {float(log_loss(labels, score, eps=float(np.finfo(np.float32).eps), labels=all_labels))!r}",
        f"precision {float(precision)!r}",
        f"recall {float(recall)!r}",
        f"f1 {float(f1)!r}",
        "confusion " + " ".join(str(int(v)) for v in confusion_matrix(labels, predicted, labels=all_labels).reshape(-1)),
    ]


def cases():
    rng = np.random.default_rng(20240612)
    out = []

    # ---- regression
    target = rng.normal(size=(20, 3)) * [1.0, 10.0, 0.1] + [0.0, 5.0, -2.0]
    out.append(regression("multi_output_20x3", target + rng.normal(size=(20, 3)) * [0.5, 3.0, 0.2], target))
    t = rng.normal(size=12)
    out.append(regression("single_output_12x1", t + rng.normal(scale=0.3, size=12), t))
    # Column 1 is constant and missed (r2 0 for it), column 2 constant and hit exactly (r2 1).
    target = rng.normal(size=(10, 3))
    target[:, 1] = 2.5
    target[:, 2] = -1.25
    pred = target + rng.normal(scale=0.4, size=(10, 3))
    pred[:, 2] = -1.25
    out.append(regression("constant_columns_10x3", pred, target))
    target = rng.normal(size=(6, 2))
    out.append(regression("perfect_6x2", target, target))
    # Worse than predicting the mean: negative r2.
    t = rng.normal(size=8)
    out.append(regression("negative_r2_8x1", -t, t))
    out.append(regression("one_row_1x2", [[0.5, -1.0]], [[1.5, 2.0]]))

    # ---- classification
    probs = softmax(rng.normal(size=(30, 4)) * 1.5)
    labels = rng.integers(0, 4, size=30)
    out.append(classification("multiclass_30x4_top2", probs, labels, 2))
    out.append(classification("multiclass_30x4_top3", probs, labels, 3))
    out.append(classification("multiclass_30x4_top9", probs, labels, 9))
    # Class 2 occurs among the labels but is never predicted: precision 0 for it.
    probs = softmax(rng.normal(size=(12, 3)))
    probs[:, 2] *= 0.1
    probs /= probs.sum(axis=1, keepdims=True)
    labels = np.array([0, 1, 2, 2, 0, 1, 2, 0, 1, 1, 2, 0])
    out.append(classification("never_predicted_12x3", probs, labels, 1))
    # Class 3 occurs neither among the labels nor the predictions: left out of the macro average.
    probs = softmax(rng.normal(size=(10, 4)))
    probs[:, 3] = 0.0
    probs /= probs.sum(axis=1, keepdims=True)
    labels = rng.integers(0, 3, size=10)
    out.append(classification("absent_class_10x4", probs, labels, 2))
    # Ties: equal scores rank the higher class index first in top-k (sklearn's reversed stable argsort),
    # so top-1 (5/8) differs from the accuracy (2/8); first-index-wins would give top-2 4/8, not 6/8.
    probs = np.array([[0.25, 0.25, 0.25, 0.25]] * 4 + [[0.4, 0.4, 0.1, 0.1]] * 2 + [[0.1, 0.3, 0.3, 0.3]] * 2)
    labels = np.array([0, 2, 3, 3, 1, 1, 3, 1])
    out.append(classification("ties_8x4_top1", probs, labels, 1))
    out.append(classification("ties_8x4_top2", probs, labels, 2))
    # Rows that do not sum to 1: log_loss renormalizes each row.
    probs = rng.uniform(0.05, 1.0, size=(7, 3))
    out.append(classification("unnormalized_7x3", probs, rng.integers(0, 3, size=7), 2))
    # Binary, one column P(class 1); p == 0.5 predicts class 0 (p > 0.5).
    p = rng.uniform(size=16)
    p[[3, 9]] = 0.5
    labels = (rng.uniform(size=16) < p).astype(np.int64)
    labels[3], labels[9] = 0, 0  # so p >= 0.5 would lose two rows of accuracy
    out.append(classification("binary_16x1_top1", p, labels, 1))
    out.append(classification("binary_16x1_top5", p, labels, 5))
    # Binary as two columns.
    q = rng.uniform(size=9)
    out.append(classification("binary_9x2", np.stack([1 - q, q], axis=1), rng.integers(0, 2, size=9), 2))
    # Perfect one-hot predictions: probabilities exactly 0 and 1, clipped inside log_loss.
    labels = np.array([0, 2, 1, 1, 0, 2])
    out.append(classification("perfect_onehot_6x3", np.eye(3)[labels], labels, 1))
    # Confidently wrong: every true class has probability exactly 0.
    labels = np.array([0, 1, 2, 0, 1])
    out.append(classification("wrong_onehot_5x3", np.eye(3)[(labels + 1) % 3], labels, 2))
    # Binary, exactly 0 and 1, half of them wrong.
    out.append(classification("binary_exact_6x1", [0.0, 1.0, 1.0, 0.0, 1.0, 0.0], [0, 1, 0, 1, 1, 0], 1))
    # Every label the same class: macro averages over the classes present among labels and predictions.
    out.append(classification("one_class_5x3", softmax(rng.normal(size=(5, 3))), [1, 1, 1, 1, 1], 2))
    return out


def main():
    lines = [
        "# Metrics golden values for tests/train/test_metrics.cpp. Generated by scripts/gen_metrics_golden.py",
        f"# with scikit-learn {sklearn.__version__}, numpy {np.__version__}, float64; do not edit by hand.",
    ]
    for case in cases():
        lines.extend(case)
    with open(OUT, "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
