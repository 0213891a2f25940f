"""A mixed table for mlp's default settings: numeric and text columns with missing cells and a
binary text label, and scikit-learn's reference accuracy on it.

Writes tests/fixtures/mixed/train.csv (4000 rows) and tests/fixtures/mixed/test.csv (1000 rows): the split
is the files. Numeric columns miss about 5% of their cells, spelled "", "NA", "?" or "NaN"; text
columns miss about 5%, spelled "", "N/A" or "null". The label ("churn"/"stay") is a noisy nonlinear
function of the complete features, so no model reaches 1.0 (the best possible accuracy on the
noise-free probabilities is printed).

Then fits Pipeline(ColumnTransformer(SimpleImputer(mean) + StandardScaler on the numeric columns,
SimpleImputer(most_frequent) + OneHotEncoder(handle_unknown="ignore") on the text columns),
MLPClassifier(random_state=r)) for r = 0..4 on train.csv, as read back from the files, and writes
tests/fixtures/mixed/sklearn_reference.json: "accuracy" (the mean over the five seeds, the figure
tests/cli/test_cli_mixed_table.cpp compares `mlp train` defaults against), "accuracies" (one per seed).
Run with Debian's scikit-learn:  /usr/bin/python3 scripts/gen_mixed_table.py
"""
import csv
import json
import os
import warnings

import numpy as np
import sklearn
from sklearn.compose import ColumnTransformer
from sklearn.exceptions import ConvergenceWarning
from sklearn.impute import SimpleImputer
from sklearn.metrics import accuracy_score
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

warnings.filterwarnings("ignore", category=ConvergenceWarning)
OUT = os.path.join(os.path.dirname(__file__), "..", "tests", "fixtures", "mixed")
os.makedirs(OUT, exist_ok=True)

ROWS_TRAIN, ROWS_TEST = 4000, 1000
NUMERIC = ["age", "income", "tenure_months", "monthly_charge"]
TEXT = ["city", "plan", "color"]
MISSING = {"", "na", "n/a", "nan", "null", "?"}  # the spellings mlp reads as missing, any case

rng = np.random.default_rng(20240509)
n = ROWS_TRAIN + ROWS_TEST

# --- the complete table -------------------------------------------------------------------------
cities = np.array(["Lisbon", "Porto", "Madrid", "Berlin", "Oslo", "Rome"])
city = cities[rng.choice(6, size=n, p=[0.25, 0.15, 0.2, 0.2, 0.1, 0.1])]
plan = np.array(["basic", "standard", "premium"])[rng.choice(3, size=n, p=[0.5, 0.3, 0.2])]
color = np.array(["red", "green", "blue"])[rng.integers(0, 3, size=n)]
age = rng.integers(18, 81, size=n).astype(float)
income = np.round(np.exp(rng.normal(10.5, 0.5, size=n)), 2)
tenure = rng.integers(0, 73, size=n).astype(float)
charge = np.round(20 + 15 * (plan == "standard") + 40 * (plan == "premium") + rng.normal(0, 8, size=n), 2)

# A nonlinear score: short tenure churns, middle age stays, charges hurt low incomes more than
# high ones, a city and a plan matter, and the colour matters only with the premium plan.
z_income = (np.log(income) - 10.5) / 0.5
logit = (1.8 * np.exp(-tenure / 12.0)
         - 1.2 * np.exp(-((age - 45) / 12.0) ** 2)
         + 0.04 * (charge - 45) * (1.2 - np.tanh(z_income))
         + 0.8 * (city == "Berlin") - 0.6 * (city == "Oslo") + 0.3 * (city == "Madrid")
         - 0.5 * (plan == "premium")
         + 1.0 * ((plan == "premium") & (color == "red")) - 0.7 * ((plan == "premium") & (color == "blue"))
         + 0.8 * (z_income ** 2 - 1) * 0.5
         - 0.2)
p_churn = 1 / (1 + np.exp(-2.2 * logit))
label = np.where(rng.random(n) < p_churn, "churn", "stay")
bayes = float(np.mean(np.maximum(p_churn, 1 - p_churn)))


# --- cells as text, some missing ------------------------------------------------------------------
def number_text(v):
    return str(int(v)) if v == int(v) else f"{v:.2f}"


columns = {"age": age, "income": income, "tenure_months": tenure, "monthly_charge": charge,
           "city": city, "plan": plan, "color": color}
cells = {}
for name, values in columns.items():
    text = [number_text(v) if name in NUMERIC else str(v) for v in values]
    spellings = ["", "NA", "?", "NaN"] if name in NUMERIC else ["", "N/A", "null"]
    for i in np.flatnonzero(rng.random(n) < 0.05):
        text[i] = spellings[rng.integers(0, len(spellings))]
    cells[name] = text

header = NUMERIC + TEXT + ["label"]


def write(path, rows):
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        for i in rows:
            w.writerow([cells[c][i] for c in NUMERIC + TEXT] + [label[i]])


write(os.path.join(OUT, "train.csv"), range(ROWS_TRAIN))
write(os.path.join(OUT, "test.csv"), range(ROWS_TRAIN, n))


# --- scikit-learn on the files as written ---------------------------------------------------------
def read(path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    head, body = rows[0], rows[1:]
    x = np.empty((len(body), len(head) - 1), dtype=object)
    for i, row in enumerate(body):
        for j, cell in enumerate(row[:-1]):
            cell = cell.strip()
            if cell.lower() in MISSING:
                x[i, j] = np.nan
            else:
                x[i, j] = float(cell) if head[j] in NUMERIC else cell
    return head[:-1], x, np.array([row[-1] for row in body])


names, xtr, ytr = read(os.path.join(OUT, "train.csv"))
_, xte, yte = read(os.path.join(OUT, "test.csv"))
num_idx = [names.index(c) for c in NUMERIC]
txt_idx = [names.index(c) for c in TEXT]
xtr[:, num_idx] = xtr[:, num_idx].astype(float)
xte[:, num_idx] = xte[:, num_idx].astype(float)

accuracies = []
for seed in range(5):
    model = Pipeline([
        ("columns", ColumnTransformer([
            ("num", Pipeline([("impute", SimpleImputer(strategy="mean")), ("scale", StandardScaler())]), num_idx),
            ("cat", Pipeline([("impute", SimpleImputer(strategy="most_frequent")),
                              ("onehot", OneHotEncoder(handle_unknown="ignore"))]), txt_idx),
        ])),
        ("mlp", MLPClassifier(random_state=seed)),
    ]).fit(xtr, ytr)
    accuracies.append(float(accuracy_score(yte, model.predict(xte))))

reference = {
    "accuracy": float(np.mean(accuracies)),
    "accuracies": accuracies,
    "random_states": list(range(5)),
    "model": "Pipeline(ColumnTransformer(SimpleImputer(mean)+StandardScaler, "
             "SimpleImputer(most_frequent)+OneHotEncoder(handle_unknown='ignore')), MLPClassifier(random_state=r))",
    "sklearn_version": sklearn.__version__,
    "numpy_version": np.__version__,
    "rows_train": int(len(ytr)),
    "rows_test": int(len(yte)),
    "test_churn_fraction": float(np.mean(yte == "churn")),
    "bayes_accuracy_all_rows": bayes,
}
with open(os.path.join(OUT, "sklearn_reference.json"), "w") as f:
    json.dump(reference, f, indent=2)
    f.write("\n")
print(json.dumps(reference, indent=2))
