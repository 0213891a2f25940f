"""Small .npy files written by numpy itself, for tests/data/test_data_npy.cpp.

Run with Debian's numpy:  /usr/bin/python3 scripts/gen_npy_fixtures.py tests/fixtures/data_npy
Writes one file per case and manifest.txt, one line per file:
  FILE DTYPE ROWS COLS VALUE...   (the values row-major, as the reader should return them, repr)
"""
import os
import sys

import numpy as np

out = sys.argv[1] if len(sys.argv) > 1 else "tests/fixtures/data_npy"
os.makedirs(out, exist_ok=True)

cases = []  # (file name, array to save, expected 2-D array, how to save)


def add(name, array, version=None):
    expected = array.reshape(-1, 1) if array.ndim == 1 else np.ascontiguousarray(array)
    cases.append((name, array, expected, version))


grid = np.array([[-1.5, 0.0, 2.25], [3.0, -4.125, 1e-3]])
add("f4.npy", grid.astype("<f4"))
add("f8.npy", grid.astype("<f8"))
for code in ["i1", "u1", "i2", "u2", "i4", "u4", "i8", "u8"]:
    info = np.iinfo(np.dtype(code))
    add(f"{code}.npy", np.array([[info.min, 0, info.max], [1, 2, 3]], dtype=np.dtype(code)))
add("b1.npy", np.array([[True, False, True], [False, False, True]]))
add("f4_1d.npy", np.array([0.5, -1.0, 2.0, 7.0], dtype="<f4"))
c_order = np.arange(12, dtype="<f8").reshape(3, 4) / 8
add("f8_c.npy", c_order)
add("f8_fortran.npy", np.asfortranarray(c_order))
add("u1_fortran.npy", np.asfortranarray(np.arange(6, dtype="u1").reshape(2, 3)))
add("f8_big.npy", grid.astype(">f8"))
add("i4_big.npy", np.array([[-2, 70000], [5, -1]], dtype=">i4"))
add("f4_v2.npy", grid.astype("<f4"), version=(2, 0))
add("f4_v3.npy", grid.astype("<f4"), version=(3, 0))

with open(os.path.join(out, "manifest.txt"), "w") as manifest:
    for name, array, expected, version in cases:
        path = os.path.join(out, name)
        if version is None:
            np.save(path, array)
        else:
            with open(path, "wb") as f:
                np.lib.format.write_array(f, array, version=version)
        back = np.load(path)
        assert np.array_equal(back, array) and back.dtype == array.dtype, name
        dtype = np.dtype(array.dtype.newbyteorder("=")).name
        rows, cols = expected.shape
        values = " ".join(repr(float(v)) if expected.dtype.kind == "f" else str(int(v))
                          for v in expected.ravel())
        manifest.write(f"{name} {dtype} {rows} {cols} {values}\n")
