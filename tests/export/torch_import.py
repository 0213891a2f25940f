#!/usr/bin/python3
"""PyTorch models into mlp (CTest Export.TorchImport): nn.Sequential MLPs with every activation
torch.onnx.export writes in a form mlp import reads (single operators and the primitive patterns
of GELU, tanh-GELU, SiLU, Mish, Softplus(beta), Softsign, LogSigmoid), batch normalization,
dropout, a Linear without bias, and a float64 model, exported by Debian's python3-torch at opset
17, imported with `mlp import`, and run by `mlp predict` on 1,000 rows: the outputs must equal
PyTorch's to 1e-5 (relative, as export_test.py compares).

  torch_import.py MLP WORK
"""
import csv
import os
import subprocess
import sys
import warnings

SKIP = 77
RTOL = 1e-5


def fail(message):
    print("FAIL: " + message)
    sys.exit(1)


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        return 2
    mlp, work = sys.argv[1:]
    try:
        import numpy as np
        import torch
        from torch import nn
    except ImportError as e:
        print("SKIP: PyTorch (python3-torch) is not installed: %s (scripts/setup.sh installs it)" % e)
        return SKIP
    warnings.filterwarnings("ignore")
    torch.manual_seed(0)
    os.makedirs(work, exist_ok=True)

    def bn(n):
        b = nn.BatchNorm1d(n)
        with torch.no_grad():  # running statistics and affine parameters as if trained
            b.running_mean.uniform_(-0.5, 0.5)
            b.running_var.uniform_(0.5, 2.0)
            b.weight.uniform_(0.5, 1.5)
            b.bias.uniform_(-0.2, 0.2)
        return b

    models = {
        "gelu_silu_dropout": nn.Sequential(nn.Linear(4, 16), nn.GELU(), nn.Linear(16, 8), nn.SiLU(), nn.Dropout(0.2),
                                           nn.Linear(8, 3)),
        "batch_norm_mish": nn.Sequential(nn.Linear(4, 12), bn(12), nn.Mish(), nn.Linear(12, 8), nn.LogSigmoid(),
                                         nn.Linear(8, 8), nn.Softplus(beta=2.0), nn.Linear(8, 6), nn.Hardswish(),
                                         nn.Linear(6, 2)),
        "activations_1": nn.Sequential(nn.Linear(4, 8), nn.GELU(approximate="tanh"), nn.Linear(8, 8), nn.ELU(0.5),
                                       nn.Linear(8, 8), nn.CELU(2.0), nn.Linear(8, 8), nn.SELU(), nn.Linear(8, 8),
                                       nn.LeakyReLU(0.2), nn.Linear(8, 2), nn.Softmax(dim=1)),
        "activations_2": nn.Sequential(nn.Linear(4, 8), nn.Hardtanh(), nn.Linear(8, 8), nn.ReLU6(), nn.Linear(8, 8),
                                       nn.Hardsigmoid(), nn.Linear(8, 8), nn.Softsign(), nn.Linear(8, 8), nn.Sigmoid(),
                                       nn.Linear(8, 8), nn.Tanh(), nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 8, bias=False),
                                       nn.Softplus(), nn.Linear(8, 3), nn.LogSoftmax(dim=1)),
        "float64": nn.Sequential(nn.Linear(4, 16), nn.Tanh(), nn.Linear(16, 16), bn(16), nn.ReLU(), nn.Linear(16, 2)).double(),
    }
    rng = np.random.default_rng(3)
    x = rng.normal(size=(1000, 4)) * 2
    data = os.path.join(work, "rows.csv")
    with open(data, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["a", "b", "c", "d"])
        w.writerows([[repr(float(v)) for v in row] for row in x])
    for name, model in models.items():
        model.eval()
        f64 = name == "float64"
        xt = torch.tensor(x, dtype=torch.float64 if f64 else torch.float32)
        with torch.no_grad():
            want = model(xt).double().numpy()
        path = os.path.join(work, name + ".onnx")
        torch.onnx.export(model, xt[:2], path, opset_version=17, input_names=["x"], output_names=["y"],
                          dynamic_axes={"x": {0: "N"}, "y": {0: "N"}})
        saved = os.path.join(work, name + ".safetensors")
        for cmd in ([mlp, "import", path, "-o", saved], [mlp, "predict", saved, data, "-o", os.path.join(work, name + ".csv")]):
            r = subprocess.run(cmd, capture_output=True, text=True)
            if r.returncode != 0:
                fail("%s: %s exited %d: %s" % (name, " ".join(cmd), r.returncode, r.stderr.strip()))
        with open(os.path.join(work, name + ".csv"), newline="") as f:
            got = np.array([[float(v) for v in row] for row in list(csv.reader(f))[1:]])
        if got.shape != want.shape:
            fail("%s: mlp predicts %s values, PyTorch %s" % (name, got.shape, want.shape))
        err = np.abs(got - want) / np.maximum(np.abs(want), np.maximum(np.sqrt((want ** 2).mean(axis=0)), 1e-12))
        print("%s: %s, largest relative difference from PyTorch %.3g" % (name, "float64" if f64 else "float32", err.max()))
        if err.max() > RTOL:
            fail("%s: %d outputs differ from PyTorch's by more than %g" % (name, int((err > RTOL).sum()), RTOL))
    print("PASS: %d PyTorch models imported" % len(models))
    return 0


if __name__ == "__main__":
    sys.exit(main())
