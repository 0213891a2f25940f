#!/usr/bin/python3
"""The exporters' end-to-end tests, run by CTest (tests/CMakeLists.txt):

  export_test.py MLP WORK prepare          trains every model of MODELS on generated data and
                                           writes `mlp predict`'s outputs for 1,000 test rows
  export_test.py MLP WORK c NAME           the C export, compiled (gcc and clang, -std=c99 -Wall
                                           -Wextra -pedantic -Werror) with c_driver.c, against them
  export_test.py MLP WORK onnx NAME ORT    the ONNX export: the python3-onnx checker, ONNX Runtime
                                           (onnxruntime-node in ORT) against them, and the model
                                           re-imported with `mlp import`, predicting the same

Outputs agree when |a - b| <= 1e-5 * max(|b|, the column's root mean square): relative, with the
column's typical size as the floor for values near zero. Classes agree except where mlp's two
largest probabilities are within 1e-5. Exit 77 (skipped) when a tool the test needs is missing.
"""
import csv
import json
import os
import shutil
import subprocess
import sys

np = None  # numpy, imported by main (listing the models needs none)

HERE = os.path.dirname(os.path.abspath(__file__))
SKIP = 77
RTOL = 1e-5
TRAIN_ROWS, TEST_ROWS = 400, 1000

# name: (data, train flags). Together: every activation, batch norm (+ dropout), regression with
# standardized targets (two of them), string classes (3, and 2 with one output), text input
# columns with missing cells and unseen categories, f32 and f64, each loss's probabilities.
MODELS = {
    "regression_relu": ("regression", ["--hidden", "16,8", "--target", "price,cost"]),
    "regression_f64": ("regression", ["--hidden", "12", "--activation", "tanh", "--dtype", "f64", "--target", "price"]),
    "classes_softmax": ("classes", ["--hidden", "16"]),
    "binary_logits": ("binary", ["--hidden", "8"]),
    "binary_bce_sigmoid": ("binary", ["--hidden", "8", "--loss", "bce", "--scale", "none"]),
    "mixed_columns": ("mixed", ["--hidden", "16", "--activation", "selu"]),
    "mixed_columns_f64": ("mixed", ["--hidden", "8", "--dtype", "f64", "--scale", "minmax"]),
    "batch_norm_dropout": ("regression", ["--hidden", "16,16", "--activation", "relu,elu", "--batch-norm", "--dropout", "0.1",
                                          "--target", "price"]),
    "batch_norm_f64": ("classes", ["--hidden", "8,8", "--activation", "gelu,silu", "--batch-norm", "--dtype", "f64"]),
    "activations_a": ("regression", ["--hidden", "8,8,8,8", "--activation", "leaky_relu:0.2,elu:0.5,selu,celu:2", "--target", "price"]),
    "activations_b": ("classes", ["--hidden", "8,8,8,8", "--activation", "gelu,gelu_tanh,sigmoid,tanh"]),
    "activations_c": ("regression", ["--hidden", "8,8,8,8", "--activation", "hard_sigmoid,hard_tanh,relu6,softplus:2:10",
                                     "--target", "price"]),
    "activations_d": ("binary", ["--hidden", "8,8,8,8", "--activation", "softsign,silu,mish,hard_swish"]),
    "activations_e": ("classes", ["--hidden", "8,8,8,8", "--activation", "log_sigmoid,softmax,log_softmax,identity",
                                  "--loss", "nll"]),
    "activations_f64": ("regression", ["--hidden", "8,8,8,8", "--activation", "mish,softplus,gelu_tanh,log_sigmoid",
                                       "--dtype", "f64", "--output-activation", "softsign", "--target", "cost"]),
}

# Test rows far out (x25) run through the activations' tails and clamps; not for the model
# without feature scaling, whose float32 sums of raw features in the thousands round differently
# in every summation order.
NEAR_ONLY = {"binary_bce_sigmoid"}
NUMERIC = ["x0", "x1", "x2", "x3"]
CITIES = ["Oslo", "Paris", "Rome", "S\u00e3o Paulo", "ab\"c??/", "x,y", "Lima"]  # the last two unseen in training


def fail(message):
    print("FAIL: " + message)
    sys.exit(1)


def run(cmd, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if r.returncode != 0:
        fail("%s exited %d: %s%s" % (" ".join(cmd), r.returncode, r.stdout[-2000:], r.stderr[-2000:]))
    return r.stdout


def make_table(kind, rows, seed, test, far=True):
    """Rows of a CSV: the header, then values (strings; "" is missing)."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(rows, 4)) * [1.0, 2.0, 0.5, 10.0] + [0.0, 5.0, -1.0, 100.0]
    if test and far:
        far = rng.random(rows) < 0.05
        x[far] *= 25
    z = (x - [0.0, 5.0, -1.0, 100.0]) / [1.0, 2.0, 0.5, 10.0]
    header = list(NUMERIC)
    columns = [[repr(float(v)) for v in x[:, j]] for j in range(4)]
    if kind == "mixed":
        city = rng.choice(CITIES[:5] if not test else CITIES, size=rows)
        size = rng.choice(["S", "M", "L"], size=rows)
        for j in range(4):  # missing numbers
            columns[j] = ["" if rng.random() < 0.05 else v for v in columns[j]]
        city = ["" if rng.random() < 0.05 else c for c in city]
        header += ["city", "size"]
        columns += [list(city), list(size)]
        z[:, 0] += np.array([CITIES.index(c) % 3 - 1 if c else 0 for c in city])
    s = z[:, 0] + 0.5 * z[:, 1] * z[:, 2] - 0.3 * np.tanh(z[:, 3])
    if kind == "regression":
        header += ["price", "cost"]
        columns += [[repr(float(v)) for v in 1000 + 200 * s], [repr(float(v)) for v in 5 - 2 * z[:, 1] + z[:, 3] ** 2]]
    elif kind in ("classes", "mixed"):
        header.append("species")
        columns.append([["setosa", "versicolor", "virginica"][int(k)] for k in np.digitize(s, [-0.5, 0.5])])
    else:
        header.append("churn")
        columns.append(["yes" if v > 0 else "no" for v in s])
    return header, [list(r) for r in zip(*columns)]


def write_csv(path, header, rows):
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)


def read_csv(path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def prepare(mlp, work):
    for name, (kind, flags) in MODELS.items():
        d = os.path.join(work, name)
        os.makedirs(d, exist_ok=True)
        header, train = make_table(kind, TRAIN_ROWS, 1, False)
        write_csv(os.path.join(d, "train.csv"), header, train)
        header, test = make_table(kind, TEST_ROWS, 2, True, name not in NEAR_ONLY)
        features = [h for h in header if h in NUMERIC or h in ("city", "size")]
        write_csv(os.path.join(d, "test.csv"), features, [r[: len(features)] for r in test])
        if kind == "regression" and "--target" in flags:
            targets = flags[flags.index("--target") + 1].split(",")
            ignore = [h for h in ("price", "cost") if h not in targets]
            flags = flags + (["--ignore", ",".join(ignore)] if ignore else [])
        run([mlp, "train", os.path.join(d, "train.csv"), "-o", os.path.join(d, "model.safetensors"), "--epochs", "15",
             "--early-stopping", "0", "-q"] + flags)
        run([mlp, "predict", os.path.join(d, "model.safetensors"), os.path.join(d, "test.csv"), "-o",
             os.path.join(d, "expected.csv")])
    print("trained %d models" % len(MODELS))


def model_info(mlp, d):
    return json.loads(run([mlp, "info", os.path.join(d, "model.safetensors"), "--json"]))


def expected(d):
    """mlp predict's outputs: (classes or None, outputs as an array, the header)."""
    header, rows = read_csv(os.path.join(d, "expected.csv"))
    if header[0] == "class":
        return [r[0] for r in rows], np.array([[float(v) for v in r[1:]] for r in rows]), header
    return None, np.array([[float(v) for v in r] for r in rows]), header


def compare(what, got, want):
    got, want = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
    if got.shape != want.shape:
        fail("%s: shape %s, mlp predict's %s" % (what, got.shape, want.shape))
    floor = np.maximum(np.sqrt((want ** 2).mean(axis=0)), 1e-12)
    err = np.abs(got - want) / np.maximum(np.abs(want), floor)
    worst = np.unravel_index(np.argmax(err), err.shape)
    print("%s: largest relative difference %.3g (row %d, column %d: %r vs %r)"
          % (what, err[worst], worst[0], worst[1], got[worst], want[worst]))
    if not np.all(err <= RTOL):
        fail("%s: %d values differ from mlp predict's by more than %g" % (what, int(np.sum(err > RTOL)), RTOL))


def compare_classes(what, got, names, classes, probs):
    top2 = np.sort(probs, axis=1)[:, -2:]
    for r, (g, c) in enumerate(zip(got, classes)):
        if names[g] != c and top2[r, 1] - top2[r, 0] > 1e-5:
            fail("%s: row %d: class %s, mlp predict's %s" % (what, r, names[g], c))


def test_rows(d):
    header, rows = read_csv(os.path.join(d, "test.csv"))
    return header, rows


def check_c(mlp, work, name):
    d = os.path.join(work, name)
    info = model_info(mlp, d)
    real = "double" if info["dtype"] == "F64" else "float"
    cdir = os.path.join(d, "c")
    os.makedirs(cdir, exist_ok=True)
    run([mlp, "export", os.path.join(d, "model.safetensors"), "-o", os.path.join(cdir, "model.c")])
    header, rows = test_rows(d)
    text = [h for h in header if h in ("city", "size")]
    numeric = [h for h in header if h not in text]
    lines = []
    for r in rows:
        values = dict(zip(header, r))
        fields = [values[h] if values[h] != "" else "nan" for h in numeric] + [values[h] for h in text]
        lines.append("\t".join(fields))
    stdin = "\n".join(lines) + "\n"
    classes, want, out_header = expected(d)
    compilers = [c for c in ("gcc", "clang") if shutil.which(c)]
    if not compilers:
        print("SKIP: no C compiler (gcc, clang)")
        sys.exit(SKIP)
    for cc in compilers:
        exe = os.path.join(cdir, "driver_" + cc)
        run([cc, "-std=c99", "-Wall", "-Wextra", "-pedantic", "-Werror", "-O2", "-DREAL=" + real, "-I", cdir,
             os.path.join(cdir, "model.c"), os.path.join(HERE, "c_driver.c"), "-o", exe, "-lm"])
        out = run([exe], input=stdin)
        got = np.array([[float(v) for v in line.split(",")] for line in out.splitlines()])
        compare("C export (%s, %s)" % (cc, real), got[:, 1:], want)
        if classes is not None:
            names = [h[len("prob_"):] for h in out_header[1:]]
            compare_classes("C export (%s)" % cc, got[:, 0].astype(int), names, classes, want)
    print("PASS: C export of %s" % name)


def onnx_inputs(d, f64):
    header, rows = test_rows(d)
    text = [h for h in header if h in ("city", "size")]
    numeric = [h for h in header if h not in text]
    feats = []
    for r in rows:
        values = dict(zip(header, r))
        feats += [float(values[h]) if values[h] != "" else None for h in numeric]
    inputs = {"features": {"type": "float64" if f64 else "float32", "dims": [len(rows), len(numeric)], "data": feats}}
    if text:
        cats = []
        for r in rows:
            values = dict(zip(header, r))
            cats += [values[h] for h in text]
        inputs["categories"] = {"type": "string", "dims": [len(rows), len(text)], "data": cats}
    return inputs


def check_onnx(mlp, work, name, ort_dir):
    try:
        import onnx
    except ImportError:
        print("SKIP: python3-onnx is not installed (scripts/setup.sh installs it)")
        sys.exit(SKIP)
    if not shutil.which("node") or not os.path.isdir(os.path.join(ort_dir, "node_modules", "onnxruntime-node")):
        print("SKIP: node or onnxruntime-node (in %s) is missing (scripts/setup.sh, and the Export.OnnxRuntime test, install them)"
              % ort_dir)
        sys.exit(SKIP)
    d = os.path.join(work, name)
    path = os.path.join(d, "model.onnx")
    run([mlp, "export", os.path.join(d, "model.safetensors"), "-o", path])
    model = onnx.load(path)
    onnx.checker.check_model(model, full_check=True)
    print("onnx.checker: %s passes (opset %s, IR %d)" % (name, [(o.domain or "ai.onnx", o.version) for o in model.opset_import],
                                                        model.ir_version))
    f64 = model.graph.input[0].type.tensor_type.elem_type == onnx.TensorProto.DOUBLE
    with open(os.path.join(d, "inputs.json"), "w") as f:
        json.dump(onnx_inputs(d, f64), f)
    out_path = os.path.join(d, "ort.json")
    run(["node", os.path.join(HERE, "ort_run.js"), ort_dir, path, os.path.join(d, "inputs.json"), out_path])
    with open(out_path) as f:
        out = json.load(f)
    classes, want, out_header = expected(d)
    if classes is None:
        got = np.array(out["predictions"]["data"]).reshape(out["predictions"]["dims"])
        compare("ONNX Runtime", got, want)
    else:
        got = np.array(out["probabilities"]["data"]).reshape(out["probabilities"]["dims"])
        compare("ONNX Runtime", got, want)
        names = [h[len("prob_"):] for h in out_header[1:]]
        compare_classes("ONNX Runtime", np.array(out["label"]["data"], dtype=int), names, classes, want)
    # Re-import: a model file predicting as the original.
    back = os.path.join(d, "reimported.safetensors")
    run([mlp, "import", path, "-o", back])
    run([mlp, "predict", back, os.path.join(d, "test.csv"), "-o", os.path.join(d, "reimported.csv")])
    rh, rrows = read_csv(os.path.join(d, "reimported.csv"))
    if rh != out_header:
        fail("re-imported model's columns %s, the original's %s" % (rh, out_header))
    if classes is not None:
        compare_classes("re-imported", [out_header[1:].index("prob_" + r[0]) for r in rrows], names, classes, want)
        rrows = [r[1:] for r in rrows]
    compare("re-imported model", np.array([[float(v) for v in r] for r in rrows]), want)
    print("PASS: ONNX export of %s" % name)


def main():
    if len(sys.argv) < 4:
        print(__doc__)
        return 2
    mlp, work, mode = sys.argv[1:4]
    if mode == "list":
        print(";".join(MODELS), end="")
        return 0
    global np
    import numpy
    np = numpy
    if mode == "prepare":
        prepare(mlp, work)
    elif mode == "c":
        check_c(mlp, work, sys.argv[4])
    elif mode == "onnx":
        check_onnx(mlp, work, sys.argv[4], sys.argv[5])
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
