#!/usr/bin/env python3
"""The on-paper scaling of data-parallel training (docs/benchmarks.md), from measured
step times. Input: a CSV `network,batch,ms_per_step` (network: hidden widths as 256x128) (scripts/bench_distributed.sh writes it:
one process, this machine's 2 threads, at batches 128 ... 2). A "machine" is this 2-core box.

Per step, N machines with a global batch of 128 (strong scaling, what --batch-size means) take

    T(N) = t(128 / N) + C(N),   C(N) = 2 (N - 1) / N * S / bw + 2 (N - 1) * alpha

t(b): the measured step at b rows (forward, backward and the whole optimizer step, which every
machine repeats); C(N): a ring all-reduce of the S = 4 P gradient bytes, over links of bandwidth
bw with a per-message latency alpha. No overlap is counted (the input layer holds most of the
gradient and its sum can only start when backward ends); "overlap bound" is max(t, C) instead of
t + C. Weak scaling keeps 128 rows per machine (a global batch of 128 N, another optimization):
its throughput gain is N t(128) / (t(128) + C(N)).

The measured steps are noisy on a shared machine, so t(b) is the least-squares line a + c b
through them: a is what every machine repeats whatever its share (the optimizer step over all
parameters, per-step overheads, small products' inefficiency), c the cost of a row. The strong
scaling limit is then t(128) / (a + C(N)).
"""
import csv
import sys

LINKS = [("10 Gbit/s", 10e9 / 8 * 0.8, 20e-6), ("100 Gbit/s", 100e9 / 8 * 0.8, 5e-6)]  # 80% of nominal; TCP / RDMA latency
MACHINES = [1, 2, 4, 8, 16, 32, 64]
GLOBAL = 128


def parameters(widths):
    sizes = [784] + widths + [10]
    return sum(sizes[i] * sizes[i + 1] + sizes[i + 1] for i in range(len(sizes) - 1))


def main(path):
    steps = {}
    for row in csv.DictReader(open(path)):
        steps.setdefault(row["network"], {})[int(row["batch"])] = float(row["ms_per_step"]) / 1e3
    for net, measured in steps.items():
        widths = [int(w) for w in net.split("x")]
        p = parameters(widths)
        s = 4 * p
        print(f"### 784-{'-'.join(map(str, widths))}-10: {p:,} parameters, {s / 1e6:.1f} MB of float32 gradients\n")
        print("measured step (one machine, 2 threads): " +
              ", ".join(f"batch {b}: {measured[b] * 1e3:.3f} ms" for b in sorted(measured, reverse=True)))
        bs = sorted(measured)
        mb = sum(bs) / len(bs)
        mt = sum(measured[b] for b in bs) / len(bs)
        c = sum((b - mb) * (measured[b] - mt) for b in bs) / sum((b - mb) ** 2 for b in bs)
        a = max(mt - c * mb, 0.0)
        t = {b: a + c * b for b in bs}
        print(f"fitted: t(b) = {a * 1e3:.3f} ms + b x {c * 1e6:.2f} µs\n")
        for link, bw, alpha in LINKS:
            print(f"{link} (bandwidth {bw * 8 / 1e9:.0f} Gbit/s effective, latency {alpha * 1e6:.0f} µs):\n")
            print("| machines | rows each | compute | all-reduce | speedup | overlap bound | weak-scaling gain |")
            print("| --- | --- | --- | --- | --- | --- | --- |")
            best = (0, 1)
            for n in MACHINES:
                b = GLOBAL // n
                comm = 0 if n == 1 else 2 * (n - 1) / n * s / bw + 2 * (n - 1) * alpha
                step = t[b] + comm
                speed = t[GLOBAL] / step
                bound = t[GLOBAL] / max(t[b], comm)
                weak = n * t[GLOBAL] / (t[GLOBAL] + comm)
                best = max(best, (speed, n))
                print(f"| {n} | {b} | {t[b] * 1e3:.3f} ms | {comm * 1e3:.3f} ms | {speed:.2f}x | {bound:.2f}x | {weak:.1f}x |")
            limit = t[GLOBAL] / (a + 2 * s / bw)
            print(f"\nstrong scaling peaks at {best[1]} machines ({best[0]:.2f}x); with unlimited machines the step "
                  f"tends to a + 2S/bw, a speedup of {limit:.2f}x at most\n")


if __name__ == "__main__":
    main(sys.argv[1])
