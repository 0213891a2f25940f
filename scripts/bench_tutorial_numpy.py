"""Times the training loop of ../shared/reference/tutorial.py (numpy), for scripts/bench.sh.

Runs the script's own source in three parts: the set-up (numpy's import, the data, the weights),
the training loop (from `for epoch in range(EPOCHS):` up to the first `print(`), timed, and the
rest (the prints, silenced). That is the span `mlp demo` reports as "trained 1000 epochs in ...".
Prints the best and the median of RUNS runs: numpy_tutorial_train_us BEST MEDIAN
Run: /usr/bin/python3 scripts/bench_tutorial_numpy.py PATH/TO/tutorial.py [RUNS=7]
"""
import contextlib
import io
import statistics
import sys
import time


def main():
    path = sys.argv[1]
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 7
    source = open(path).read()
    start = source.index("for epoch in range(EPOCHS):")
    end = source.index("\nprint(", start)
    setup, loop, rest = source[:start], source[start:end], source[end:]
    setup_code, loop_code, rest_code = (compile(s, path, "exec") for s in (setup, loop, rest))
    times = []
    for _ in range(runs):
        scope = {"__name__": "__tutorial__"}
        exec(setup_code, scope)
        t = time.perf_counter()
        exec(loop_code, scope)
        times.append(time.perf_counter() - t)
        with contextlib.redirect_stdout(io.StringIO()):
            exec(rest_code, scope)
    print(f"numpy_tutorial_train_us {min(times) * 1e6:.0f} {statistics.median(times) * 1e6:.0f}")


if __name__ == "__main__":
    main()
