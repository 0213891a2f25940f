#!/usr/bin/python3
"""Writes tests/fixtures/schedule_golden.txt: the learning rate (and, for one-cycle, the momentum)
that torch.optim.lr_scheduler sets at every step, for tests/train/test_schedule.cpp.

Each case builds a torch optimizer over one float64 parameter, wraps it in the scheduler (warm-up:
SequentialLR([LinearLR(start_factor, 1.0, epochs), SCHEDULE], milestones=[epochs]), or LinearLR
alone before no schedule), records the learning rate after construction and after every
scheduler.step() (ReduceLROnPlateau: step(metric) with a fixed metric sequence). Run from anywhere:

    /usr/bin/python3 scripts/gen_schedule_golden.py

It needs torch and numpy (Debian: python3-torch python3-numpy) and rewrites the file byte for byte
the same on every run with the same torch.

File format, one record per case:
    case LABEL SCHEDULE KEY=VALUE...  options that differ from mlp's defaults (milestones=5,12),
                                      warmup=E start_factor=F when warming up, and always
                                      base_lr=LR optimizer=NAME momentum=M|- steps=N
    metric M0 ... M(N-1)              plateau only: the metric passed to each step
    lr L0 ... LN                      after construction (start), then after every step
    momentum M0 ... MN                one-cycle with cycle_momentum only (beta1 for adam)
Numbers are Python repr, which reads back to the same double.
"""

import os
import warnings

import numpy as np
import torch
from torch.optim import lr_scheduler as S

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "schedule_golden.txt")

# SequentialLR's milestone step calls scheduler.step(0), which warns about the epoch argument; the
# schedulers warn when stepped before the optimizer. Neither changes a value.
warnings.filterwarnings("ignore", category=UserWarning)

# (label, schedule, options in mlp's names, extra): extra holds warmup/start_factor, base_lr,
# optimizer ('sgd' or 'adam'), momentum (SGD's), steps, and for plateau the metric kind.
CASES = [
    ("constant", "constant", {}, {"steps": 30}),
    ("step_3_half", "step", {"step_size": 3, "gamma": 0.5}, {"steps": 30}),
    ("step_1", "step", {"step_size": 1, "gamma": 0.9}, {"steps": 30, "base_lr": 0.05}),
    ("step_default_gamma", "step", {"step_size": 7}, {"steps": 35}),
    ("multistep", "multistep", {"milestones": [5, 12, 20], "gamma": 0.3}, {"steps": 30}),
    ("multistep_consecutive", "multistep", {"milestones": [1, 2, 3, 30]}, {"steps": 32}),
    ("multistep_none", "multistep", {"milestones": []}, {"steps": 30}),
    ("exponential", "exponential", {"gamma": 0.9}, {"steps": 40}),
    ("exponential_slow", "exponential", {"gamma": 0.99}, {"steps": 30, "base_lr": 3.0}),
    ("cosine_10", "cosine", {"t_max": 10}, {"steps": 45}),
    ("cosine_7_eta", "cosine", {"t_max": 7, "eta_min": 0.001}, {"steps": 40}),
    ("cosine_40", "cosine", {"t_max": 40, "eta_min": 0.01}, {"steps": 45, "base_lr": 0.5}),
    ("cosine_1", "cosine", {"t_max": 1, "eta_min": 0.02}, {"steps": 30}),
    ("warmup_only", "constant", {}, {"warmup": 6, "start_factor": 0.1, "steps": 30}),
    ("warmup_only_rounding", "constant", {}, {"warmup": 3, "start_factor": 0.5, "steps": 30}),  # ends at 0.0999..
    ("warmup_step", "step", {"step_size": 3, "gamma": 0.5}, {"warmup": 5, "start_factor": 0.1, "steps": 30}),
    ("warmup_multistep", "multistep", {"milestones": [4, 10], "gamma": 0.2}, {"warmup": 3, "steps": 30}),
    ("warmup_exponential", "exponential", {"gamma": 0.85},
     {"warmup": 4, "start_factor": 0.25, "steps": 30}),
    ("warmup_cosine", "cosine", {"t_max": 10, "eta_min": 1e-4}, {"warmup": 5, "start_factor": 0.01, "steps": 40}),
    ("warmup_cosine_eta", "cosine", {"t_max": 20, "eta_min": 0.03},
     {"warmup": 7, "start_factor": 0.3, "steps": 35, "base_lr": 0.3}),  # milestone lr 0.30000000000000004
    ("warmup_1_cosine", "cosine", {"t_max": 12}, {"warmup": 1, "start_factor": 0.5, "steps": 30}),
    ("warmup_full_factor", "exponential", {"gamma": 0.9}, {"warmup": 3, "start_factor": 1.0, "steps": 30}),
    ("onecycle_default", "onecycle", {}, {"steps": 100, "momentum": 0.9}),
    ("onecycle_adam", "onecycle", {"max_lr": 0.01, "total_steps": 60},
     {"steps": 60, "optimizer": "adam", "base_lr": 0.001}),
    ("onecycle_three_phase", "onecycle", {"max_lr": 0.5, "total_steps": 50, "three_phase": True},
     {"steps": 50, "momentum": 0.9}),
    ("onecycle_linear", "onecycle", {"max_lr": 0.2, "total_steps": 40, "cos_anneal": False},
     {"steps": 40, "momentum": 0.9}),
    ("onecycle_three_phase_linear_adam", "onecycle",
     {"max_lr": 0.03, "total_steps": 45, "three_phase": True, "cos_anneal": False, "pct_start": 0.4,
      "base_momentum": 0.8, "max_momentum": 0.9}, {"steps": 45, "optimizer": "adam"}),
    ("onecycle_no_momentum", "onecycle",
     {"max_lr": 1.0, "total_steps": 33, "cycle_momentum": False, "pct_start": 0.25, "div_factor": 10,
      "final_div_factor": 100}, {"steps": 33}),
    ("onecycle_pct0", "onecycle", {"max_lr": 0.1, "total_steps": 30, "pct_start": 0.0}, {"steps": 30, "momentum": 0.5}),
    ("plateau_min_rel", "plateau", {"patience": 2}, {"steps": 40, "metric": "down"}),
    ("plateau_min_abs", "plateau", {"patience": 1, "threshold": 0.05, "threshold_abs": True, "factor": 0.5},
     {"steps": 40, "metric": "down"}),
    ("plateau_max_rel", "plateau", {"mode_max": True, "patience": 3, "threshold": 0.01, "factor": 0.3},
     {"steps": 40, "metric": "up"}),
    ("plateau_max_abs", "plateau", {"mode_max": True, "patience": 0, "threshold": 0.02, "threshold_abs": True},
     {"steps": 40, "metric": "up"}),
    ("plateau_cooldown", "plateau", {"patience": 1, "cooldown": 3, "factor": 0.5}, {"steps": 40, "metric": "down"}),
    ("plateau_min_lr", "plateau", {"patience": 0, "factor": 0.5, "min_lr": 0.02}, {"steps": 40, "metric": "flat"}),
    ("plateau_eps", "plateau", {"patience": 0, "factor": 0.5, "eps": 0.02},  # 0.025 -> 0.0125 is skipped
     {"steps": 40, "metric": "flat"}),
]


def text(x):
    return repr(float(x))


def metrics(kind, n, rng):
    """Improves for a while, then stalls with noise: reductions, cooldowns and new bests."""
    k = np.arange(n)
    if kind == "flat":
        return np.full(n, 0.5)
    base = 1.0 / (1.0 + 0.3 * np.minimum(k, 12)) + 0.002 * np.maximum(k - 25, 0)
    noisy = base + 0.01 * rng.randn(n)
    return noisy if kind == "down" else 2.0 - noisy


def make_schedule(name, opt, o):
    if name == "step":
        return S.StepLR(opt, step_size=o["step_size"], gamma=o.get("gamma", 0.1))
    if name == "multistep":
        return S.MultiStepLR(opt, milestones=o["milestones"], gamma=o.get("gamma", 0.1))
    if name == "exponential":
        return S.ExponentialLR(opt, gamma=o.get("gamma", 0.9))
    if name == "cosine":
        return S.CosineAnnealingLR(opt, T_max=o.get("t_max", 10), eta_min=o.get("eta_min", 0))
    if name == "onecycle":
        return S.OneCycleLR(opt, max_lr=o.get("max_lr", 0.1), total_steps=o.get("total_steps", 100),
                            pct_start=o.get("pct_start", 0.3),
                            anneal_strategy="cos" if o.get("cos_anneal", True) else "linear",
                            cycle_momentum=o.get("cycle_momentum", True),
                            base_momentum=o.get("base_momentum", 0.85), max_momentum=o.get("max_momentum", 0.95),
                            div_factor=o.get("div_factor", 25.0), final_div_factor=o.get("final_div_factor", 1e4),
                            three_phase=o.get("three_phase", False))
    if name == "plateau":
        return S.ReduceLROnPlateau(opt, mode="max" if o.get("mode_max", False) else "min",
                                   factor=o.get("factor", 0.1), patience=o.get("patience", 10),
                                   threshold=o.get("threshold", 1e-4),
                                   threshold_mode="abs" if o.get("threshold_abs", False) else "rel",
                                   cooldown=o.get("cooldown", 0), min_lr=o.get("min_lr", 0), eps=o.get("eps", 1e-8))
    raise ValueError(name)


def option_text(k, v):
    if isinstance(v, bool):
        return f"{k}={str(v).lower()}"
    if isinstance(v, list):
        return f"{k}=" + ",".join(str(m) for m in v)
    if isinstance(v, int):
        return f"{k}={v}"
    return f"{k}={text(v)}"


def main():
    rng = np.random.RandomState(31337)
    lines = ["# Written by scripts/gen_schedule_golden.py with torch " + torch.__version__ + "; do not edit."]
    for label, name, o, extra in CASES:
        base_lr = extra.get("base_lr", 0.1)
        optimizer = extra.get("optimizer", "sgd")
        momentum = extra.get("momentum", 0.0)
        steps = extra["steps"]
        warmup = extra.get("warmup", 0)
        start_factor = extra.get("start_factor", 1.0 / 3)
        p = torch.zeros(1, dtype=torch.float64, requires_grad=True)
        if optimizer == "adam":
            opt = torch.optim.Adam([p], lr=base_lr, foreach=False)
        else:
            opt = torch.optim.SGD([p], lr=base_lr, momentum=momentum, foreach=False)
        group = opt.param_groups[0]
        # What the caller passes to start(): the optimizer's momentum (adam's beta1), none when 0.
        start_m = group["betas"][0] if "betas" in group else group["momentum"]
        start_m = "-" if start_m == 0 else text(start_m)
        if warmup:
            linear = S.LinearLR(opt, start_factor=start_factor, end_factor=1.0, total_iters=warmup)
            sched = linear if name == "constant" else S.SequentialLR(
                opt, [linear, make_schedule(name, opt, o)], milestones=[warmup])
        elif name == "constant":
            sched = None
        else:
            sched = make_schedule(name, opt, o)

        ms = metrics(extra["metric"], steps, rng) if "metric" in extra else None
        cycles = name == "onecycle" and o.get("cycle_momentum", True)

        def current_momentum():
            return group["betas"][0] if "betas" in group else group["momentum"]

        lrs, moms = [group["lr"]], [current_momentum()]
        for k in range(steps):
            opt.step()  # no gradient: changes nothing, keeps torch's step-order check quiet
            if sched is None:
                pass
            elif name == "plateau":
                sched.step(ms[k])
            else:
                sched.step()
            lrs.append(group["lr"])
            moms.append(current_momentum())

        head = [f"case {label} {name}"] + [option_text(k, v) for k, v in o.items()]
        if warmup:
            head += [f"warmup={warmup}", f"start_factor={text(start_factor)}"]
        head += [f"base_lr={text(base_lr)}", f"optimizer={optimizer}", f"momentum={start_m}", f"steps={steps}"]
        lines.append(" ".join(head))
        if ms is not None:
            lines.append("metric " + " ".join(text(m) for m in ms))
        lines.append("lr " + " ".join(text(v) for v in lrs))
        if cycles:
            lines.append("momentum " + " ".join(text(v) for v in moms))
    with open(OUT, "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
