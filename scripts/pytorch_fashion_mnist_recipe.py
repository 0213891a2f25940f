"""examples/fashion_mnist.sh's recipe in PyTorch on the CPU, timed end to end.

The same training as

  mlp train train-images-idx3-ubyte.gz --labels train-labels-idx1-ubyte.gz --hidden 256,128
    --activation relu --dropout 0.2 --optimizer adam --lr 0.001 --batch-size 128 --epochs 20
    --schedule cosine --scale standard --seed 1

with the library's semantics:
  - data: the IDX bytes as float values 0..255 (no division by 255; standard scaling makes it moot).
  - --scale standard: per pixel column, the mean and the population standard deviation (divided
    by n, not n - 1) of the training rows, accumulated in double; a column whose deviation is 0
    gets scale 1 (scikit-learn's rule); x' = (x - mean) / std computed in double, stored as float32.
    The test rows are scaled with the training rows' mean and std (src/data/scaler.cpp).
  - 784-256-128-10, Linear -> ReLU -> Dropout(0.2) for each hidden layer, no dropout after the
    output layer (model.h has_dropout); inverted dropout, off in evaluation (src/nn/dropout.cpp).
  - initialization: nn.Linear's default, U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for weights and biases
    (src/nn/init.cpp init_default).
  - softmax cross-entropy, mean over the batch (src/nn/loss.cpp).
  - Adam(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False)
    (include/mlp/train/optimizer.h AdamOptions).
  - --schedule cosine: CosineAnnealingLR(T_max=EPOCHS, eta_min=0), stepped once per epoch after the
    epoch's batches (src/pipeline/specs.cpp parse_schedule, src/train/trainer.cpp fit); epoch e (0-based) trains
    at 0.5 * lr * (1 + cos(pi * e / EPOCHS)).
  - batch 128, a fresh shuffle each epoch, the last, partial batch (96 rows) kept; no validation
    split for classification, no early stopping, the last epoch's weights.
The random streams (initialization, shuffles, dropout masks) are torch's, not the library's, so
the numbers agree in distribution, not bit for bit.

Run: /usr/bin/python3 scripts/pytorch_fashion_mnist_recipe.py [EPOCHS=20] [THREADS=2] [--seed 1]
Prints KEY VALUE lines. recipe_seconds: from before reading the data to the end of the final test
evaluation (load + scale + model setup + training + final evaluation), without the per-epoch
test evaluations, whose clock is paused. seconds_to_0.900: setup seconds (load, scale, model) plus
training seconds at the end of the first epoch whose test accuracy is >= 0.900 ("none" if none).
Needs Debian's packages python3-torch, python3-numpy and dataset-fashion-mnist.
"""
import argparse
import gzip
import time

import numpy as np
import torch

DATA = "/usr/share/datasets/fashion-mnist/"
TARGET = 0.900


def images(name):
    with gzip.open(DATA + name) as f:
        raw = f.read()
    assert int.from_bytes(raw[0:4], "big") == 0x0803, name
    rows, h, w = (int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(3))
    return np.frombuffer(raw, np.uint8, offset=16).reshape(rows, h * w).astype(np.float32)


def labels(name):
    with gzip.open(DATA + name) as f:
        raw = f.read()
    assert int.from_bytes(raw[0:4], "big") == 0x0801, name
    return np.frombuffer(raw, np.uint8, offset=8).astype(np.int64)


def standard_scaler(x):
    """Mean and population std per column in double; std 0 -> 1 (src/data/scaler.cpp).

    The pixels are integers 0..255, so the double sums of x and x * x are exact and
    E[x^2] - mean^2 agrees with the library's Welford recurrence to ~1e-10 (and is 30x faster
    than a two-pass computation in numpy)."""
    mean = x.mean(axis=0, dtype=np.float64)
    squares = np.einsum("ij,ij->j", x, x, dtype=np.float64) / len(x)
    std = np.sqrt(np.maximum(squares - mean * mean, 0.0))
    constant = ~((std > 0) & np.isfinite(std))
    std[constant] = 1.0
    return mean, std, int(constant.sum())


def transform(x, mean, std, chunk=4096):
    """(x - mean) / std in double, stored as float32, as Scaler::transform; in chunks of rows,
    which keeps the double temporaries in cache rather than faulting in hundreds of MB."""
    out = np.empty_like(x, dtype=np.float32)
    for i in range(0, len(x), chunk):
        out[i:i + chunk] = (x[i:i + chunk].astype(np.float64) - mean) / std
    return out


def accuracy(model, x, y):
    model.eval()
    with torch.no_grad():
        a = (model(x).argmax(1) == y).double().mean().item()
    model.train()
    return a


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("epochs", nargs="?", type=int, default=20)
    p.add_argument("threads", nargs="?", type=int, default=2)
    p.add_argument("--seed", type=int, default=1)
    args = p.parse_args()
    if args.epochs < 1 or args.threads < 1:
        p.error("EPOCHS and THREADS must be at least 1")

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    shuffle = torch.Generator().manual_seed(args.seed + 1)

    t0 = time.perf_counter()
    # ---- load and scale
    x_train = images("train-images-idx3-ubyte.gz")
    y_train = labels("train-labels-idx1-ubyte.gz")
    x_test = images("t10k-images-idx3-ubyte.gz")
    y_test = labels("t10k-labels-idx1-ubyte.gz")
    mean, std, constant = standard_scaler(x_train)  # constant: zero-variance columns, given scale 1
    x_train = torch.from_numpy(transform(x_train, mean, std))
    x_test = torch.from_numpy(transform(x_test, mean, std))
    y_train = torch.from_numpy(y_train)
    y_test = torch.from_numpy(y_test)
    t_loaded = time.perf_counter()

    # ---- model, loss, optimizer, schedule
    model = torch.nn.Sequential(
        torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Dropout(0.2),
        torch.nn.Linear(256, 128), torch.nn.ReLU(), torch.nn.Dropout(0.2),
        torch.nn.Linear(128, 10))
    loss_fn = torch.nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=args.epochs, eta_min=0)
    batch = 128
    n = len(x_train)
    setup_seconds = time.perf_counter() - t0  # load + scale + model

    print(f"torch_version {torch.__version__}")
    print(f"threads {torch.get_num_threads()}")
    print(f"seed {args.seed}")
    print(f"epochs {args.epochs}")
    print(f"load_scale_seconds {t_loaded - t0:.3f}")
    print(f"constant_columns {constant}")
    print(f"setup_seconds {setup_seconds:.3f}")

    # ---- train
    model.train()
    train_seconds = 0.0
    paused = 0.0  # per-epoch evaluation time, left out of every timing
    reached = None
    for epoch in range(1, args.epochs + 1):
        t = time.perf_counter()
        lr = optimizer.param_groups[0]["lr"]
        order = torch.randperm(n, generator=shuffle)
        total = 0.0
        for i in range(0, n, batch):
            idx = order[i:i + batch]
            optimizer.zero_grad()
            loss = loss_fn(model(x_train[idx]), y_train[idx])
            loss.backward()
            optimizer.step()
            total += loss.item() * len(idx)
        scheduler.step()
        seconds = time.perf_counter() - t
        train_seconds += seconds
        last = epoch == args.epochs
        te = time.perf_counter()
        acc = accuracy(model, x_test, y_test)
        if not last:  # the last epoch's evaluation is the final evaluation, and is counted
            paused += time.perf_counter() - te
        if reached is None and acc >= TARGET:
            reached = (epoch, setup_seconds + train_seconds)
        print(f"epoch {epoch}")
        print(f"epoch_lr {lr:.6g}")
        print(f"epoch_train_loss {total / n:.4f}")
        print(f"epoch_seconds {seconds:.3f}")
        print(f"epoch_test_accuracy {acc:.4f}", flush=True)
    end = time.perf_counter()

    print(f"train_seconds {train_seconds:.3f}")
    print(f"seconds_per_epoch {train_seconds / args.epochs:.3f}")
    print(f"test_accuracy {acc:.4f}")
    print(f"seconds_to_{TARGET:.3f} " + (f"{reached[1]:.3f}" if reached else "none"))
    print(f"epochs_to_{TARGET:.3f} " + (str(reached[0]) if reached else "none"))
    print(f"recipe_seconds {end - t0 - paused:.3f}")


if __name__ == "__main__":
    main()
