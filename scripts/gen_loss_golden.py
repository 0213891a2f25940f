#!/usr/bin/python3
"""Writes tests/fixtures/loss_golden.txt: loss values and gradients from PyTorch for tests/nn/test_loss.cpp.

Every case has fixed inputs (literal arrays or a seeded numpy generator), evaluated in float64 with
torch.nn.functional's loss (reduction='mean') and differentiated with autograd. Run from anywhere:

    /usr/bin/python3 scripts/gen_loss_golden.py

It needs torch and numpy (Debian: python3-torch python3-numpy) and rewrites the file byte for byte
the same on every run with the same torch.

File format, one record per case:
    case LABEL SPEC ROWS COLS FLOAT
    p    ROWS*COLS numbers, row-major
    y    ROWS*COLS numbers, or ROWS class indices for cross_entropy / nll
    loss one number
    grad ROWS*COLS numbers: d loss / d p
SPEC is what mlp::parse_loss reads; FLOAT is 1 when the inputs are exact in float32 and the values
moderate, so the float build can be checked against the same numbers. Numbers are Python repr,
which reads back to the same double.
"""

import os

import numpy as np
import torch
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "loss_golden.txt")


def torch_loss(spec, p, y):
    name, _, param = spec.partition(":")
    if name in ("ce", "crossentropy"):
        name = "cross_entropy"
    if name == "l1":
        name = "mae"
    if name == "mse":
        return F.mse_loss(p, y)
    if name == "mae":
        return F.l1_loss(p, y)
    if name == "huber":
        return F.huber_loss(p, y, delta=float(param) if param else 1.0)
    if name == "smooth_l1":
        return F.smooth_l1_loss(p, y, beta=float(param) if param else 1.0)
    if name == "bce":
        return F.binary_cross_entropy(p, y)
    if name == "bce_with_logits":
        return F.binary_cross_entropy_with_logits(p, y)
    if name == "cross_entropy":
        return F.cross_entropy(p, y.long())
    if name == "nll":
        return F.nll_loss(p, y.long())
    raise ValueError(spec)


def f32(a):
    """The nearest float32 values, as float64: inputs the float build sees exactly."""
    return np.asarray(a, dtype=np.float32).astype(np.float64)


def cases():
    rng = np.random.default_rng(20240611)
    out = []

    def add(label, spec, p, y, float_ok):
        p = np.asarray(p, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64).reshape(-1)
        out.append((label, spec, p, y, float_ok))

    # mse: the tutorial's single output is the 4x1 case.
    add("mse_5x3", "mse", f32(rng.normal(size=(5, 3))), f32(rng.normal(size=15)), 1)
    add("mse_4x1", "mse", f32(rng.normal(size=(4, 1))), f32(rng.normal(size=4)), 1)
    add("mse_1x1", "mse", [[0.75]], [-1.5], 1)

    # mae: elements with p == y have gradient 0 (torch's sign(0) = 0).
    p = f32(rng.normal(size=(5, 3)))
    y = f32(rng.normal(size=15))
    y[[0, 4, 7, 14]] = p.reshape(-1)[[0, 4, 7, 14]]
    add("mae_5x3_ties", "mae", p, y, 1)
    add("l1_4x1", "l1", f32(rng.normal(size=(4, 1))), f32(rng.normal(size=4)), 1)
    add("mae_1x1_tie", "mae", [[0.5]], [0.5], 1)

    # huber / smooth_l1: some elements exactly at |p - y| = delta (dyadic, so exact in float too).
    def kinked(rows, cols, scale, delta, at):
        p = f32(rng.normal(size=(rows, cols)) * scale)
        y = f32(rng.normal(size=rows * cols) * scale)
        for k, (i, sign) in enumerate(at):
            y[i] = 0.25 * (k + 1) - 0.5
            p.reshape(-1)[i] = y[i] + sign * delta
        return p, y

    for name in ("huber", "smooth_l1"):
        p, y = kinked(5, 3, 1.5, 1.0, [(1, 1), (6, -1), (11, 1)])
        add(f"{name}_5x3_kinks", name, p, y, 1)
        p, y = kinked(4, 2, 0.6, 0.25, [(0, -1), (5, 1)])
        add(f"{name}_4x2_param_kinks", f"{name}:0.25", p, y, 1)
        add(f"{name}_3x2_param", f"{name}:2.5", f32(rng.normal(size=(3, 2)) * 3), f32(rng.normal(size=6) * 3), 1)
        add(f"{name}_1x1_outside", f"{name}:0.5", [[-2.0]], [1.0], 1)

    # bce: probabilities; hard and soft targets; p exactly 0 and 1 hit the log clamp at -100 and
    # the gradient's max(p (1 - p), 1e-12).
    add("bce_5x3", "bce", f32(rng.uniform(0.02, 0.98, size=(5, 3))), f32(rng.integers(0, 2, size=15)), 1)
    add("bce_4x2_soft", "bce", f32(rng.uniform(0.05, 0.95, size=(4, 2))), f32(rng.uniform(0, 1, size=8)), 1)
    add("bce_2x4_edges", "bce", [[0.0, 0.0, 1.0, 1.0], [0.0, 1.0, 0.5, 1.0]],
        [0.0, 1.0, 0.0, 1.0, 0.25, 0.75, 1.0, 0.5], 1)
    add("bce_2x3_tiny", "bce", [[1e-300, 1e-13, 1 - 1e-13], [1e-6, 1 - 2**-40, 0.3]],
        [1.0, 0.0, 1.0, 0.5, 0.0, 0.3], 0)
    add("bce_1x1", "bce", [[0.25]], [1.0], 1)

    # bce_with_logits: logits up to |x| = 1e4, where exp overflows unless done stably.
    add("bce_with_logits_5x3", "bce_with_logits", f32(rng.normal(size=(5, 3)) * 3),
        f32(rng.integers(0, 2, size=15)), 1)
    add("bce_with_logits_2x4_huge", "bce_with_logits", [[1e4, -1e4, 1e4, -1e4], [800.0, -800.0, 40.0, -40.0]],
        [1.0, 0.0, 0.0, 1.0, 0.25, 0.75, 1.0, 0.0], 1)
    add("bce_with_logits_1x1", "bce_with_logits", [[0.0]], [0.5], 1)

    # cross_entropy: logits (rows, classes), one class index per row.
    add("cross_entropy_5x3", "cross_entropy", f32(rng.normal(size=(5, 3)) * 2), rng.integers(0, 3, size=5), 1)
    add("ce_6x4", "ce", f32(rng.normal(size=(6, 4))), rng.integers(0, 4, size=6), 1)
    add("cross_entropy_4x1", "crossentropy", f32(rng.normal(size=(4, 1))), [0, 0, 0, 0], 1)
    add("cross_entropy_3x4_huge", "cross_entropy",
        [[1e4, -1e4, 0.0, 1e4], [-1e4, -1e4, -1e4, -1e4], [1e4, 9999.0, -1e4, 9998.5]], [1, 2, 0], 1)
    add("cross_entropy_1x2", "cross_entropy", [[0.0, 0.0]], [1], 1)

    # nll: log-probabilities (any values: nll just picks -p[target]).
    logp = torch.log_softmax(torch.tensor(rng.normal(size=(5, 3)) * 2), dim=1).numpy()
    add("nll_5x3", "nll", logp, rng.integers(0, 3, size=5), 0)
    add("nll_4x2", "nll", f32(rng.normal(size=(4, 2))), [1, 0, 0, 1], 1)
    add("nll_1x1", "nll", [[-0.5]], [0], 1)
    return out


def fmt(values):
    return " ".join(repr(float(v)) for v in np.asarray(values).reshape(-1))


def main():
    lines = [
        "# Loss golden values for tests/nn/test_loss.cpp. Generated by scripts/gen_loss_golden.py",
        f"# with torch {torch.__version__.split('+')[0]}, float64; do not edit by hand.",
        "# case LABEL SPEC ROWS COLS FLOAT / p ... / y ... / loss V / grad ...",
    ]
    for label, spec, p, y, float_ok in cases():
        pt = torch.tensor(p, dtype=torch.float64, requires_grad=True)
        yt = torch.tensor(y, dtype=torch.float64)
        if spec.split(":")[0] not in ("cross_entropy", "ce", "crossentropy", "nll"):
            yt = yt.reshape(pt.shape)
        loss = torch_loss(spec, pt, yt)
        loss.backward()
        lines += [
            f"case {label} {spec} {p.shape[0]} {p.shape[1]} {float_ok}",
            "p " + fmt(p),
            "y " + fmt(y),
            "loss " + repr(loss.item()),
            "grad " + fmt(pt.grad.numpy()),
        ]
    with open(OUT, "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
