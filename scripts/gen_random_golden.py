"""Golden sequences from numpy's legacy generator, for tests/core/test_random.cpp.

Run with Debian's numpy:  /usr/bin/python3 scripts/gen_random_golden.py > tests/fixtures/random_golden.txt
Each line: `<call> <seed> <arguments> : <values...>`, numbers printed with repr (round-trip).
"""
import numpy as np


def line(call, seed, arg, values):
    print(f"{call} {seed} {arg} : " + " ".join(repr(v) for v in values))


for seed in (0, 1, 42, 99, 12345, 4294967295):
    np.random.seed(seed)
    line("rand", seed, 1000, [float(v) for v in np.random.rand(1000)])
    np.random.seed(seed)
    line("randn", seed, 1001, [float(v) for v in np.random.randn(1001)])
    for n in (1, 2, 10, 100, 1000) + ((70000,) if seed == 42 else ()):
        np.random.seed(seed)
        line("permutation", seed, n, [int(v) for v in np.random.permutation(n)])
    np.random.seed(seed)
    values = list(range(37))
    np.random.shuffle(values)
    line("shuffle", seed, 37, values)
    np.random.seed(seed)
    line("randint", seed, 1000, [int(np.random.randint(0, 1000)) for _ in range(200)])
    # A mixed stream: the calls share one state, as in the tutorial's rand(4, 2), rand(4), rand(1, 4).
    np.random.seed(seed)
    mixed = [float(v) for v in np.random.rand(3)] + [float(v) for v in np.random.randn(3)]
    mixed += [float(v) for v in np.random.permutation(5)] + [float(v) for v in np.random.rand(2)]
    line("mixed", seed, 0, mixed)
