"""safetensors files for tests/formats/test_safetensors.cpp, written by hand with struct + json.

Run with Debian's numpy and PyTorch:  /usr/bin/python3 scripts/gen_safetensors_fixtures.py
(Debian has no python3-safetensors, so this script lays the files out as the format
description and the reference writer, huggingface/safetensors tensor.rs, do.)

- tests/fixtures/safetensors_reference.safetensors: every byte-sized common dtype, a scalar and an
  empty tensor, metadata; laid out exactly as the reference writer would (tensors sorted by
  dtype alignment, largest first, then name; compact JSON with "__metadata__" first; header
  padded with spaces to a multiple of 8). BF16 bytes come from torch.
- tests/fixtures/safetensors_legacy.safetensors: numpy F32/F64 data only, laid out as another writer
  might: pretty-printed JSON whose key order is not the data order, "__metadata__" last, header
  padded to 4 bytes only (legal: padding is optional).
"""
import json
import os
import struct
import sys

import numpy as np
import torch

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..",
                                                          "tests", "fixtures")

# The reference's Dtype enum order (ascending alignment); its writer sorts by it, descending.
RANK = ["BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3", "F8_E8M0", "I16", "U16", "F16", "BF16",
        "I32", "U32", "F32", "C64", "F64", "I64", "U64"]


def reference_file(tensors, metadata):
    """tensors: {name: (dtype, shape, bytes)}; the bytes the reference writer produces."""
    order = sorted(tensors, key=lambda n: (-RANK.index(tensors[n][0]), n.encode("utf-8")))
    header = {}
    if metadata:
        header["__metadata__"] = dict(sorted(metadata.items()))
    offset = 0
    for name in order:
        dtype, shape, data = tensors[name]
        header[name] = {"dtype": dtype, "shape": list(shape),
                        "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
    text = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    return struct.pack("<Q", len(text)) + text + b"".join(tensors[n][2] for n in order)


def np_tensor(dtype, array):
    array = np.asarray(array)  # not ascontiguousarray: it turns a scalar into shape (1,)
    assert array.dtype.byteorder in ("<", "=", "|")
    return (dtype, array.shape, array.tobytes(order="C"))


def write(name, content):
    path = os.path.join(OUT, name)
    with open(path, "wb") as f:
        f.write(content)
    print(f"wrote {path} ({len(content)} bytes)")


brain = torch.tensor([1.0, -3.140625, 0.0078125], dtype=torch.bfloat16)  # exact in bfloat16
reference = {
    "weight": np_tensor("F32", (np.arange(6, dtype=np.float32) * 0.5 - 1).reshape(2, 3)),
    "bias": np_tensor("F64", np.array([0.1, -0.2, 3.0], dtype=np.float64)),
    "half": np_tensor("F16", np.array([1.0, -2.5, 65504.0, 2.0**-24, np.inf], dtype=np.float16)),
    "brain": ("BF16", (3,), brain.view(torch.int16).numpy().astype("<i2").tobytes()),
    "steps": np_tensor("I64", np.array(1000, dtype=np.int64)),  # shape [] (a scalar)
    "labels": np_tensor("I32", np.array([-1, 0, 7, 2147483647], dtype=np.int32)),
    "small": np_tensor("I16", np.array([-32768, 123], dtype=np.int16)),
    "tiny": np_tensor("I8", np.array([-128, 0, 127], dtype=np.int8)),
    "pixels": np_tensor("U8", np.array([[0, 1], [128, 255]], dtype=np.uint8)),
    "mask": np_tensor("BOOL", np.array([True, False, True])),
    "ids": np_tensor("U32", np.array([0, 4294967295], dtype=np.uint32)),
    "hashes": np_tensor("U64", np.array([18446744073709551615], dtype=np.uint64)),
    "empty": np_tensor("F32", np.zeros((0, 3), dtype=np.float32)),
}
write("safetensors_reference.safetensors",
      reference_file(reference, {"format": "pt", "note": "caf\u00e9"}))

# Legacy layout: data order z_weight, nothing (0 bytes), a_bias, scalar; keys written by name.
z_weight = np.array([[1.5, -2.0], [0.25, 8.0]], dtype=np.float32)
nothing = np.zeros((0,), dtype=np.float64)
a_bias = np.array([-0.5, 1e-3], dtype=np.float64)
scalar = np.array(2.5, dtype=np.float64)
blobs = [("z_weight", "F32", z_weight), ("nothing", "F64", nothing), ("a_bias", "F64", a_bias),
         ("scalar", "F64", scalar)]
entries = {}
data = b""
for name, dtype, array in blobs:
    raw = array.astype(array.dtype.newbyteorder("<")).tobytes()
    entries[name] = {"dtype": dtype, "shape": list(array.shape),
                     "data_offsets": [len(data), len(data) + len(raw)]}
    data += raw
header = {name: entries[name] for name in sorted(entries)}
header["__metadata__"] = {"source": "numpy"}
text = json.dumps(header, indent=2).encode("utf-8")
text += b" " * ((4 - len(text) % 4) % 4)
if len(text) % 8 == 0:  # make sure the header is not 8-aligned, to exercise that case
    text += b"    "
write("safetensors_legacy.safetensors", struct.pack("<Q", len(text)) + text + data)
