#!/usr/bin/python3
"""Writes tests/fixtures/optimizer_golden.txt: parameters after every step of torch.optim's optimizers,
for tests/train/test_optimizer.cpp.

Each case runs one torch optimizer (foreach=False, float64) over a fixed 7-value parameter vector and
a fixed sequence of 25 gradient vectors (numpy's seeded generator); some cases change the learning
rate or the momentum (SGD's momentum, Adam's beta1) between steps, as a schedule would. All inputs
are rounded to float32 first, so the float build sees exactly the same numbers. Run from anywhere:

    /usr/bin/python3 scripts/gen_optimizer_golden.py

It needs torch and numpy (Debian: python3-torch python3-numpy) and rewrites the file byte for byte
the same on every run with the same torch.

File format, one record per case:
    case LABEL OPTIMIZER KEY=VALUE...   options that differ from mlp's defaults for OPTIMIZER
    init P...                           the starting parameters
    step LR MOMENTUM G... P...          one line per step: the lr (and the momentum, or '-' when
                                        unchanged) set before the step, the gradient, and the
                                        parameters after it
and, first, one line per optimizer with torch's defaults (SGD has none for lr):
    defaults OPTIMIZER KEY=VALUE...
Numbers are Python repr, which reads back to the same double.
"""

import inspect
import os

import numpy as np
import torch

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "optimizer_golden.txt")
N = 7
STEPS = 25

# (label, optimizer, options as mlp names them, schedule): schedule maps a step index to
# (lr, momentum or None) set before that step; None means no changes.
CASES = [
    ("sgd_plain", "sgd", {"lr": 0.1}, None),
    ("sgd_momentum", "sgd", {"lr": 0.05, "momentum": 0.9}, None),
    ("sgd_dampening", "sgd", {"lr": 0.05, "momentum": 0.9, "dampening": 0.5}, None),
    ("sgd_nesterov", "sgd", {"lr": 0.05, "momentum": 0.9, "nesterov": True}, None),
    ("sgd_weight_decay", "sgd", {"lr": 0.1, "weight_decay": 0.01}, None),
    ("sgd_all", "sgd", {"lr": 0.03, "momentum": 0.8, "nesterov": True, "weight_decay": 0.05}, None),
    ("sgd_scheduled", "sgd", {"lr": 0.05, "momentum": 0.9}, "cycle"),
    ("adam_default", "adam", {}, None),
    ("adam_lr", "adam", {"lr": 0.05}, None),
    ("adam_amsgrad", "adam", {"lr": 0.05, "amsgrad": True}, None),
    ("adam_weight_decay", "adam", {"lr": 0.05, "weight_decay": 0.1}, None),
    ("adam_amsgrad_weight_decay", "adam", {"lr": 0.02, "amsgrad": True, "weight_decay": 0.1}, None),
    ("adam_betas_eps", "adam", {"lr": 0.01, "beta1": 0.5, "beta2": 0.6, "eps": 1e-3}, None),
    ("adam_scheduled", "adam", {"lr": 0.05}, "cycle"),
    ("adamw_default", "adamw", {}, None),
    ("adamw_lr", "adamw", {"lr": 0.05, "weight_decay": 0.1}, None),
    ("adamw_amsgrad", "adamw", {"lr": 0.05, "amsgrad": True}, None),
    ("adamw_no_decay", "adamw", {"lr": 0.05, "weight_decay": 0.0}, None),
    ("adamw_scheduled", "adamw", {"lr": 0.05, "amsgrad": True}, "cycle"),
    ("rmsprop_default", "rmsprop", {}, None),
    ("rmsprop_momentum", "rmsprop", {"lr": 0.005, "momentum": 0.9}, None),
    ("rmsprop_centered", "rmsprop", {"lr": 0.005, "centered": True}, None),
    ("rmsprop_centered_momentum", "rmsprop", {"lr": 0.005, "centered": True, "momentum": 0.5}, None),
    ("rmsprop_weight_decay", "rmsprop", {"lr": 0.01, "weight_decay": 0.1}, None),
    ("rmsprop_alpha_eps", "rmsprop", {"lr": 0.01, "alpha": 0.9, "eps": 1e-4}, None),
    ("rmsprop_scheduled", "rmsprop", {"lr": 0.005, "momentum": 0.9}, "cycle"),
    ("adagrad_default", "adagrad", {}, None),
    ("adagrad_lr_decay", "adagrad", {"lr": 0.1, "lr_decay": 0.05}, None),
    ("adagrad_weight_decay", "adagrad", {"lr": 0.1, "weight_decay": 0.1}, None),
    ("adagrad_initial_accumulator", "adagrad", {"lr": 0.1, "initial_accumulator_value": 0.5}, None),
    ("adagrad_all", "adagrad",
     {"lr": 0.1, "lr_decay": 0.01, "weight_decay": 0.05, "initial_accumulator_value": 0.1, "eps": 1e-6}, None),
    ("adagrad_scheduled", "adagrad", {"lr": 0.1}, "lr_only"),
]


def f32(a):
    """The nearest float32 values, as float64: inputs the float build sees exactly."""
    return np.asarray(a, dtype=np.float32).astype(np.float64)


def make_torch(name, p, o):
    if name == "sgd":
        return torch.optim.SGD([p], lr=o["lr"], momentum=o.get("momentum", 0), dampening=o.get("dampening", 0),
                               weight_decay=o.get("weight_decay", 0), nesterov=o.get("nesterov", False),
                               foreach=False)
    if name in ("adam", "adamw"):
        cls = torch.optim.Adam if name == "adam" else torch.optim.AdamW
        kw = {}
        for k in ("lr", "eps", "weight_decay", "amsgrad"):
            if k in o:
                kw[k] = o[k]
        if "beta1" in o or "beta2" in o:
            kw["betas"] = (o.get("beta1", 0.9), o.get("beta2", 0.999))
        return cls([p], foreach=False, **kw)
    if name == "rmsprop":
        return torch.optim.RMSprop([p], foreach=False, **o)
    if name == "adagrad":
        return torch.optim.Adagrad([p], foreach=False, **o)
    raise ValueError(name)


def schedule(kind, base_lr, step):
    """The (lr, momentum) set before `step`: a one-cycle-like rise and fall, or None."""
    if kind is None:
        return None
    lr = base_lr * (0.5 + step / STEPS) if step < 10 else base_lr * (1.5 - (step - 10) / STEPS)
    if kind == "lr_only":
        return lr, None
    return lr, 0.95 if step < 10 else 0.85


def set_momentum(opt, m):
    group = opt.param_groups[0]
    if "betas" in group:
        group["betas"] = (m, group["betas"][1])
    else:
        group["momentum"] = m


TORCH_CLASSES = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam, "adamw": torch.optim.AdamW,
                 "rmsprop": torch.optim.RMSprop, "adagrad": torch.optim.Adagrad}
SKIP = {"params", "self", "foreach", "maximize", "capturable", "differentiable", "fused"}


def defaults_line(name):
    """torch's constructor defaults, in mlp's option names."""
    items = []
    for k, prm in inspect.signature(TORCH_CLASSES[name].__init__).parameters.items():
        if k in SKIP or prm.default is inspect.Parameter.empty or not isinstance(prm.default, (int, float, tuple)):
            continue  # SGD's lr is `required`, a sentinel object
        if k == "betas":
            items += [("beta1", prm.default[0]), ("beta2", prm.default[1])]
        else:
            items.append((k, prm.default))
    return f"defaults {name} " + " ".join(
        f"{k}={str(v).lower() if isinstance(v, bool) else text(v)}" for k, v in items)


def text(x):
    return repr(float(x))


def main():
    rng = np.random.RandomState(20240601)
    init = f32(rng.uniform(-2, 2, N))
    # Gradients of varied scale and sign, a few exact zeros (tests the 0/0 guards of eps).
    grads = f32(rng.randn(STEPS, N) * np.exp(rng.uniform(-3, 1, (STEPS, 1))))
    grads[3, 2] = 0.0
    grads[:4, 5] = 0.0
    lines = ["# Written by scripts/gen_optimizer_golden.py with torch " + torch.__version__ + "; do not edit."]
    lines += [defaults_line(name) for name in TORCH_CLASSES]
    for label, name, o, kind in CASES:
        p = torch.tensor(init, dtype=torch.float64, requires_grad=True)
        opt = make_torch(name, p, o)
        opts = " ".join(f"{k}={str(v).lower() if isinstance(v, bool) else text(v)}" for k, v in o.items())
        lines.append(f"case {label} {name} {opts}".rstrip())
        lines.append("init " + " ".join(text(v) for v in init))
        group = opt.param_groups[0]
        base_lr = group["lr"]
        for s in range(STEPS):
            lr, m = group["lr"], None
            change = schedule(kind, base_lr, s)
            if change is not None:
                lr, m = change
                group["lr"] = lr
                if m is not None:
                    set_momentum(opt, m)
            p.grad = torch.tensor(grads[s], dtype=torch.float64)
            opt.step()
            after = p.detach().numpy()
            lines.append(" ".join(["step", text(lr), "-" if m is None else text(m)] +
                                  [text(v) for v in grads[s]] + [text(v) for v in after]))
    with open(OUT, "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
