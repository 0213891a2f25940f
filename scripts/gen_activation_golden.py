#!/usr/bin/python3
"""Regenerate the activation golden files from PyTorch (torch.nn.functional + autograd, float64).

Run from the repository root with the system Python, which has Debian's python3-torch:

    /usr/bin/python3 scripts/gen_activation_golden.py

It (over)writes, deterministically:

  tests/fixtures/activation_golden.csv          activation,x,y,dy
      y = f(x) and dy = f'(x) by autograd, for every elementwise activation with PyTorch's
      default parameters plus leaky_relu:0.2, elu:0.5, celu:2 and softplus:2:10. `activation`
      is spelled the way mlp::parse_activation reads it. The inputs are a grid over [-60, 60]
      (step 0.25 on [-8, 8], step 1 beyond), each kink (0, +-1, +-3, 6, the softplus
      thresholds 20 and 5) with its floating-point neighbours and offsets of +-1e-9 and +-1e-6,
      and large inputs (+-30 ... +-1e4, including the points where exp overflows in float and
      in double).

  tests/fixtures/activation_softmax_golden.csv  activation,row,x,dout,y,din
      softmax and log_softmax over whole rows (one line per element, lines of one row share
      `row`): y = f(x) and din = the vector-Jacobian product for the upstream gradient dout.

Every number is printed with repr(), the shortest text that reads back as the same double.

Each input is evaluated as its own one-element tensor. That pins PyTorch's scalar CPU kernels:
its vectorised kernels disagree at some kinks (hardswish'(3) is 1.5 from the scalar kernel but
1.0 from the SIMD one, so the answer would depend on the tensor's length and the position).
Known PyTorch quirk kept as-is: hardsigmoid's backward multiplies by the float32 constant
1.0f/6.0f even in float64, so dy there is 0.1666666716337204 rather than 1/6; mlp.cpp uses 1/6
and its test allows for this difference.
"""

import math
import os

import torch
import torch.nn.functional as F

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "tests", "fixtures")

# (spec as parse_activation reads it, function of a float64 tensor)
ELEMENTWISE = [
    ("identity", lambda x: x),
    ("relu", F.relu),
    ("leaky_relu", F.leaky_relu),
    ("elu", F.elu),
    ("selu", F.selu),
    ("celu", F.celu),
    ("gelu", F.gelu),
    ("gelu_tanh", lambda x: F.gelu(x, approximate="tanh")),
    ("sigmoid", torch.sigmoid),
    ("tanh", torch.tanh),
    ("hard_sigmoid", F.hardsigmoid),
    ("hard_tanh", F.hardtanh),
    ("relu6", F.relu6),
    ("softplus", F.softplus),
    ("softsign", F.softsign),
    ("silu", F.silu),
    ("mish", F.mish),
    ("hard_swish", F.hardswish),
    ("log_sigmoid", F.logsigmoid),
    # Non-default parameters.
    ("leaky_relu:0.2", lambda x: F.leaky_relu(x, negative_slope=0.2)),
    ("elu:0.5", lambda x: F.elu(x, alpha=0.5)),
    ("celu:2", lambda x: F.celu(x, alpha=2.0)),
    ("softplus:2:10", lambda x: F.softplus(x, beta=2.0, threshold=10.0)),
]

KINKS = [0.0, 1.0, -1.0, 3.0, -3.0, 6.0, 20.0, 5.0]  # 20 = softplus threshold, 5 = 10 / beta 2
LARGE = [30.0, 40.0, 88.0, 89.0, 100.0, 709.0, 710.0, 745.0, 750.0, 1e3, 1e4]


def inputs():
    xs = set()
    xs.update(i * 0.25 for i in range(-32, 33))  # [-8, 8] step 0.25
    xs.update(float(i) for i in range(-60, 61))  # [-60, 60] step 1
    for k in KINKS:
        xs.update([k, math.nextafter(k, -math.inf), math.nextafter(k, math.inf)])
        xs.update(k + d for d in (-1e-6, -1e-9, 1e-9, 1e-6))
    xs.update(LARGE)
    xs.update(-v for v in LARGE)
    return sorted(xs)


def value_and_grad(f, x):
    t = torch.tensor([x], dtype=torch.float64, requires_grad=True)
    y = f(t)
    (g,) = torch.autograd.grad(y.sum(), t)
    return y.item(), g.item()


SOFTMAX_ROWS = [
    [1000.0, 0.0, -1000.0],
    [1.0, 2.0, 3.0],
    [-10000.0, 10000.0, 0.0, 5.0],
    [0.0, 0.0, 0.0, 0.0],
    [3.5],
    [-1.0, -0.5, 0.25, 2.0, 7.5],
    [100.0, 100.5, 99.0],
    [1e-3, -2e-3, 5e-4],
    [-745.0, -746.0, -700.0],
    [709.0, 710.0, 30.0, -30.0, 0.0, 1.0],
]
UPSTREAM = [0.3, -1.2, 0.5, 2.0, -0.7, 1.1]


def main():
    torch.set_num_threads(1)
    rows = ["activation,x,y,dy"]
    xs = inputs()
    for spec, f in ELEMENTWISE:
        for x in xs:
            y, dy = value_and_grad(f, x)
            rows.append(f"{spec},{x!r},{y!r},{dy!r}")
    with open(os.path.join(DATA, "activation_golden.csv"), "w") as out:
        out.write("\n".join(rows) + "\n")

    rows = ["activation,row,x,dout,y,din"]
    for spec, f in [("softmax", F.softmax), ("log_softmax", F.log_softmax)]:
        for r, values in enumerate(SOFTMAX_ROWS):
            x = torch.tensor([values], dtype=torch.float64, requires_grad=True)
            y = f(x, dim=1)
            g = torch.tensor([UPSTREAM[: len(values)]], dtype=torch.float64)
            (din,) = torch.autograd.grad(y, x, grad_outputs=g)
            for j in range(len(values)):
                rows.append(f"{spec},{r},{values[j]!r},{g[0, j].item()!r},"
                            f"{y[0, j].item()!r},{din[0, j].item()!r}")
    with open(os.path.join(DATA, "activation_softmax_golden.csv"), "w") as out:
        out.write("\n".join(rows) + "\n")


if __name__ == "__main__":
    main()
