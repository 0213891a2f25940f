"""Golden training trajectories from PyTorch, for tests/train/test_training_golden.cpp.

Small networks (several layer sizes) trained in float64 with rows in order and a partial last
batch (10 rows, batch 4: batches of 4, 4 and 2), for every optimizer and schedule, on regression,
multi-class and binary classification. After every optimizer step the script records all
parameters, in mlp.cpp's flat layout (per layer: weight (out, in) row-major, then bias).

Run with Debian's PyTorch:  /usr/bin/python3 scripts/gen_training_golden.py > tests/fixtures/training_golden.txt
"""
import numpy as np
import torch

torch.set_default_dtype(torch.float64)

ROWS, BATCH, EPOCHS = 10, 4, 8  # 3 steps per epoch, 24 steps

ACTIVATIONS = {"tanh": torch.nn.Tanh, "relu": torch.nn.ReLU, "sigmoid": torch.nn.Sigmoid, "gelu": torch.nn.GELU}


def make_data(task, inputs, outputs, rng):
    x = rng.uniform(-2, 2, size=(ROWS, inputs))
    if task == "regression":
        y = np.stack([np.sin(x[:, 0] * (k + 1)) + 0.5 * x[:, -1] for k in range(outputs)], axis=1)
    elif task == "multiclass":
        y = (np.arange(ROWS) % outputs).astype(np.float64).reshape(-1, 1)
    else:
        y = (x[:, 0] + x[:, -1] > 0).astype(np.float64).reshape(-1, 1)
    return x, y


def make_model(sizes, hidden, rng):
    layers = []
    for i in range(len(sizes) - 1):
        lin = torch.nn.Linear(sizes[i], sizes[i + 1])
        with torch.no_grad():
            bound = 1 / np.sqrt(sizes[i])
            lin.weight.copy_(torch.from_numpy(rng.uniform(-bound, bound, size=(sizes[i + 1], sizes[i]))))
            lin.bias.copy_(torch.from_numpy(rng.uniform(-bound, bound, size=sizes[i + 1])))
        layers.append(lin)
        if i + 2 < len(sizes):
            layers.append(ACTIVATIONS[hidden]())
    return torch.nn.Sequential(*layers)


def flat(model):
    return np.concatenate([p.detach().numpy().ravel() for p in model.parameters()])


def make_optimizer(spec, params):
    name, opts = spec
    cls = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam, "adamw": torch.optim.AdamW,
           "rmsprop": torch.optim.RMSprop, "adagrad": torch.optim.Adagrad}[name]
    kwargs = dict(opts)
    if "beta1" in kwargs or "beta2" in kwargs:
        kwargs["betas"] = (kwargs.pop("beta1", 0.9), kwargs.pop("beta2", 0.999))
    return cls(params, **kwargs)


def make_schedule(spec, warmup, opt, total_steps):
    if spec is None:
        return None
    name, opts = spec
    S = torch.optim.lr_scheduler
    if name == "step":
        s = S.StepLR(opt, **opts)
    elif name == "multistep":
        s = S.MultiStepLR(opt, **opts)
    elif name == "exponential":
        s = S.ExponentialLR(opt, **opts)
    elif name == "cosine":
        s = S.CosineAnnealingLR(opt, **opts)
    elif name == "onecycle":
        s = S.OneCycleLR(opt, total_steps=total_steps, **opts)
    elif name == "plateau":
        s = S.ReduceLROnPlateau(opt, **opts)
    else:
        raise ValueError(name)
    if warmup:
        w = S.LinearLR(opt, start_factor=warmup[1], total_iters=warmup[0])
        s = S.SequentialLR(opt, [w, s], milestones=[warmup[0]])
    return s


def spec_text(spec):
    if spec is None:
        return "none"
    name, opts = spec
    parts = []
    for k, v in opts.items():
        if isinstance(v, bool):
            v = int(v)
        if isinstance(v, (list, tuple)):
            v = "/".join(str(e) for e in v)
        parts.append(f"{k}={v!r}" if isinstance(v, float) else f"{k}={v}")
    return name + (" " + " ".join(parts) if parts else "")


def run(case, task, sizes, hidden, loss_name, opt_spec, sched_spec=None, warmup=None, seed=0):
    rng = np.random.RandomState(seed)
    x, y = make_data(task, sizes[0], sizes[-1], rng)
    model = make_model(sizes, hidden, rng)
    loss_fn = {"mse": torch.nn.MSELoss(), "cross_entropy": torch.nn.CrossEntropyLoss(),
               "bce_with_logits": torch.nn.BCEWithLogitsLoss(), "huber": torch.nn.HuberLoss()}[loss_name]
    opt = make_optimizer(opt_spec, model.parameters())
    steps_per_epoch = (ROWS + BATCH - 1) // BATCH
    sched = make_schedule(sched_spec, warmup, opt, EPOCHS * steps_per_epoch)
    print(f"case {case}")
    print(f"task {task}")
    print("sizes " + " ".join(str(s) for s in sizes))
    print(f"hidden {hidden}")
    print(f"loss {loss_name}")
    print("optimizer " + spec_text(opt_spec))
    print("schedule " + spec_text(sched_spec))
    print("warmup " + (f"{warmup[0]} {warmup[1]!r}" if warmup else "none"))
    print(f"epochs {EPOCHS} batch {BATCH}")
    print("x " + " ".join(repr(float(v)) for v in x.ravel()))
    print("y " + " ".join(repr(float(v)) for v in y.ravel()))
    print("init " + " ".join(repr(float(v)) for v in flat(model)))
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    if task == "multiclass":
        yt = yt.view(-1).long()
    step = 0
    for epoch in range(EPOCHS):
        total = 0.0
        for i in range(0, ROWS, BATCH):
            xb, yb = xt[i:i + BATCH], yt[i:i + BATCH]
            opt.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
            total += loss.item() * len(xb)
            step += 1
            lr = opt.param_groups[0]["lr"]
            print(f"step {step} lr {lr!r} " + " ".join(repr(float(v)) for v in flat(model)))
            if sched is not None and sched_spec[0] == "onecycle":
                sched.step()
        if sched is not None and sched_spec[0] == "plateau":
            sched.step(total / ROWS)
        elif sched is not None and sched_spec[0] != "onecycle":
            sched.step()
    print("end")


REG = dict(task="regression", sizes=[3, 5, 4, 2], hidden="tanh", loss_name="mse")
optimizers = [
    ("sgd_plain", ("sgd", dict(lr=0.05))),
    ("sgd_momentum", ("sgd", dict(lr=0.05, momentum=0.9))),
    ("sgd_dampening", ("sgd", dict(lr=0.05, momentum=0.8, dampening=0.3, weight_decay=0.01))),
    ("sgd_nesterov", ("sgd", dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.001))),
    ("adam", ("adam", dict(lr=0.01))),
    ("adam_wd_amsgrad", ("adam", dict(lr=0.01, beta1=0.8, beta2=0.99, eps=1e-6, weight_decay=0.01, amsgrad=True))),
    ("adamw", ("adamw", dict(lr=0.01))),
    ("adamw_amsgrad", ("adamw", dict(lr=0.01, weight_decay=0.1, amsgrad=True))),
    ("rmsprop", ("rmsprop", dict(lr=0.01))),
    ("rmsprop_momentum_centered", ("rmsprop", dict(lr=0.005, alpha=0.9, momentum=0.5, centered=True, weight_decay=0.01))),
    ("adagrad", ("adagrad", dict(lr=0.05))),
    ("adagrad_decay", ("adagrad", dict(lr=0.05, lr_decay=0.01, weight_decay=0.01, initial_accumulator_value=0.1))),
]
for name, spec in optimizers:
    run(name, **REG, opt_spec=spec)

SGDM = ("sgd", dict(lr=0.05, momentum=0.9))
schedules = [
    ("sched_step", ("step", dict(step_size=2, gamma=0.5)), None),
    ("sched_multistep", ("multistep", dict(milestones=[2, 5], gamma=0.3)), None),
    ("sched_exponential", ("exponential", dict(gamma=0.8)), None),
    ("sched_cosine", ("cosine", dict(T_max=5, eta_min=0.001)), None),
    ("sched_warmup_cosine", ("cosine", dict(T_max=6)), (2, 0.25)),
    ("sched_warmup_step", ("step", dict(step_size=2, gamma=0.5)), (3, 0.1)),
    ("sched_onecycle", ("onecycle", dict(max_lr=0.1)), None),
    ("sched_onecycle_linear_3phase", ("onecycle", dict(max_lr=0.1, anneal_strategy="linear", three_phase=True)), None),
    ("sched_plateau", ("plateau", dict(factor=0.5, patience=1, threshold=0.05)), None),
]
for name, spec, warmup in schedules:
    run(name, **REG, opt_spec=SGDM, sched_spec=spec, warmup=warmup)
run("sched_onecycle_adam", **REG, opt_spec=("adam", dict(lr=0.01)), sched_spec=("onecycle", dict(max_lr=0.02)))
# One-cycle switches on the momentum of an optimizer built with momentum 0 (torch cycles the
# 'momentum' key whenever the optimizer has one).
run("sched_onecycle_sgd_momentum0", **REG, opt_spec=("sgd", dict(lr=0.05)), sched_spec=("onecycle", dict(max_lr=0.1)))
run("sched_onecycle_rmsprop_momentum0", **REG, opt_spec=("rmsprop", dict(lr=0.01)),
    sched_spec=("onecycle", dict(max_lr=0.01)))

run("multiclass_adam", task="multiclass", sizes=[4, 6, 5, 3], hidden="relu", loss_name="cross_entropy",
    opt_spec=("adam", dict(lr=0.01)), seed=1)
run("multiclass_sgd_cosine", task="multiclass", sizes=[4, 7, 3], hidden="gelu", loss_name="cross_entropy",
    opt_spec=("sgd", dict(lr=0.1, momentum=0.9, nesterov=True)), sched_spec=("cosine", dict(T_max=8)), seed=2)
run("binary_rmsprop", task="binary", sizes=[3, 5, 1], hidden="sigmoid", loss_name="bce_with_logits",
    opt_spec=("rmsprop", dict(lr=0.01, momentum=0.3)), seed=3)
run("regression_huber_adamw", task="regression", sizes=[2, 8, 8, 1], hidden="relu", loss_name="huber",
    opt_spec=("adamw", dict(lr=0.01)), sched_spec=("exponential", dict(gamma=0.9)), seed=4)
