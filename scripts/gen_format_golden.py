"""Golden strings for mlp::format_numpy and mlp::format_repr (tests/core/test_format.cpp).

Run with Debian's numpy:  /usr/bin/python3 scripts/gen_format_golden.py > tests/fixtures/format_golden.txt
Blocks: `array ROWS COLS VECTOR` / the values (repr) / the lines numpy prints / `end`;
and `repr VALUE STRING` lines.
"""
import numpy as np

arrays = [
    [[1.45194929, -0.1474136], [1.43685721, -0.44933811]],
    [[1.0, 2.5, -3.0]],
    [[164.86371082]],
    [[0.03498444]],
    [[1e-5, 1.5]],
    [[123456789.0, 2.0]],
    [[1.0, 1000.5]],
    [[0.0, 0.0]],
    [[float("nan"), 1.25], [float("-inf"), 2.0]],
    [[float("inf"), -1e-7]],
    [[-0.0, 3.14159265358979]],
    [[2.0 / 3.0, 1.0 / 7.0, 100.0 / 3.0]],
    [[1.5e300, -2.5e-300]],
]
for a in arrays:
    arr = np.array(a, dtype=np.float64)
    for vector in (False, True):
        if vector and arr.shape[0] != 1:
            continue
        shown = arr[0] if vector else arr
        print(f"array {arr.shape[0]} {arr.shape[1]} {int(vector)}")
        print(" ".join(repr(float(v)) for v in arr.ravel()))
        print(str(shown))
        print("end")

for v in [0.01857474128461772, 1e-05, 0.0001, 1e16, 1.2345e16, 123.0, -0.0, 0.1, 1 / 3, 5e-324,
          1.7976931348623157e308, 100.0, 123456789012345.6, 1e15, -2.5e-7]:
    print(f"repr {v!r} {v!r}")
