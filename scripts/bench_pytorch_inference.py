"""PyTorch's batch inference throughput on the Fashion-MNIST MLP, for scripts/bench.sh.

The same network as ../shared/reference/pytorch_fashion_mnist.py (784-256-128-10, ReLU, float32,
2 threads), its default initialization; model(x_test) over the 10,000 test rows under no_grad,
the best of several passes. Prints: inference_rows_per_second N
Run: /usr/bin/python3 scripts/bench_pytorch_inference.py [THREADS=2]
"""
import gzip
import sys
import time

import numpy as np
import torch

DATA = "/usr/share/datasets/fashion-mnist/"


def main():
    threads = int(sys.argv[1]) if len(sys.argv) > 1 else 2
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    with gzip.open(DATA + "t10k-images-idx3-ubyte.gz") as f:
        x = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 784).astype(np.float32) / 255.0
    x_test = torch.from_numpy(x)
    model = torch.nn.Sequential(
        torch.nn.Linear(784, 256), torch.nn.ReLU(),
        torch.nn.Linear(256, 128), torch.nn.ReLU(),
        torch.nn.Linear(128, 10))
    model.eval()
    best = float("inf")
    with torch.no_grad():
        model(x_test)  # warm-up
        for _ in range(10):
            t = time.perf_counter()
            model(x_test)
            best = min(best, time.perf_counter() - t)
    print(f"inference_rows_per_second {len(x_test) / best:.0f}")


if __name__ == "__main__":
    main()
