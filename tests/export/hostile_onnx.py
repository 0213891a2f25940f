#!/usr/bin/python3
"""Corrupt and hostile ONNX files (CTest Export.HostileOnnx): `mlp import` must refuse each with
exit status 1, one line on stderr ("mlp: error: FILE: ..." with the expected words in it), and no
model file written. The files are made with python3-onnx's helpers from a small valid MLP.

  hostile_onnx.py MLP WORK
"""
import os
import subprocess
import sys

SKIP = 77


def fail(message):
    print("FAIL: " + message)
    sys.exit(1)


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        return 2
    mlp, work = sys.argv[1:]
    try:
        import numpy as np
        import onnx
        from onnx import TensorProto, helper, numpy_helper
    except ImportError as e:
        print("SKIP: python3-onnx is not installed: %s (scripts/setup.sh installs it)" % e)
        return SKIP
    os.makedirs(work, exist_ok=True)
    F = TensorProto.FLOAT

    def mlp_model(nodes=None, initializers=None, inputs=None, outputs=None, metadata=None):
        w = numpy_helper.from_array(np.arange(12, dtype=np.float32).reshape(3, 4) / 10, "w")
        b = numpy_helper.from_array(np.zeros(3, dtype=np.float32), "b")
        g = helper.make_graph(
            nodes if nodes is not None else [helper.make_node("Gemm", ["x", "w", "b"], ["h"], transB=1),
                                             helper.make_node("Relu", ["h"], ["y"])],
            "g", inputs if inputs is not None else [helper.make_tensor_value_info("x", F, ["N", 4])],
            outputs if outputs is not None else [helper.make_tensor_value_info("y", F, ["N", 3])],
            initializers if initializers is not None else [w, b])
        m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])
        m.ir_version = 8
        for k, v in (metadata or {}).items():
            helper.set_model_props(m, {k: v})
        return m.SerializeToString()

    valid = mlp_model()
    huge = TensorProto(name="w", data_type=F, dims=[1 << 40, 1 << 40])
    huge.raw_data = b"\0" * 16
    big = TensorProto(name="w", data_type=F, dims=[1000000, 1000000])
    negative = TensorProto(name="w", data_type=F, dims=[3, -4])
    external = TensorProto(name="w", data_type=F, dims=[3, 4], data_location=TensorProto.EXTERNAL)
    external.external_data.add(key="location", value="/etc/passwd")
    ints = numpy_helper.from_array(np.ones((3, 4), dtype=np.int64), "w")
    b = numpy_helper.from_array(np.zeros(3, dtype=np.float32), "b")
    relu_loop = [helper.make_node("Gemm", ["x", "w", "b"], ["h"], transB=1), helper.make_node("Identity", ["h"], ["h"])]
    cases = {  # name: (bytes, words the message must hold)
        "empty": (b"", "not an ONNX model"),
        "garbage": (bytes(range(256)) * 4, "not an ONNX model"),
        "truncated": (valid[: len(valid) // 2], "not an ONNX model"),
        "text": (b"hello, this is not a model\n", "not an ONNX model"),
        "huge_dimensions": (mlp_model(initializers=[huge, b], inputs=[helper.make_tensor_value_info("x", F, ["N", "F"])]),
                            "overflow"),
        "large_dimensions_no_data": (mlp_model(initializers=[big, b]), "holds 0 values"),
        "negative_dimension": (mlp_model(initializers=[negative, b]), "negative dimension"),
        "external_data": (mlp_model(initializers=[external, b]), "external file"),
        "int64_weights": (mlp_model(initializers=[ints, b]), "INT64"),
        "string_input": (mlp_model(inputs=[helper.make_tensor_value_info("x", TensorProto.STRING, ["N", 4])]), "STRING"),
        "unsupported_operator": (mlp_model(nodes=[helper.make_node("Gemm", ["x", "w", "b"], ["h"], transB=1),
                                                  helper.make_node("Cos", ["h"], ["y"], name="cosine")]), "Cos"),
        "not_an_mlp": (mlp_model(nodes=[helper.make_node("Conv", ["x", "w"], ["y"], name="conv1")]), "Conv"),
        "weight_not_constant": (mlp_model(nodes=[helper.make_node("Gemm", ["x", "x", "b"], ["y"], transB=1)]), "not a constant"),
        "wrong_width": (mlp_model(inputs=[helper.make_tensor_value_info("x", F, ["N", 5])]), "takes 4 inputs"),
        "two_inputs": (mlp_model(inputs=[helper.make_tensor_value_info("x", F, ["N", 4]),
                                         helper.make_tensor_value_info("z", F, ["N", 4])]), "2 inputs"),
        "loop": (mlp_model(nodes=relu_loop, outputs=[helper.make_tensor_value_info("y", F, ["N", 3])]), "loops"),
        "bad_description": (mlp_model(metadata={"mlp.description": "{not json"}), "description"),
        "description_mismatch": (mlp_model(metadata={"mlp.description": '{"architecture": {"sizes": [4, 1000000000]}}'}),
                                 "do not match"),
    }
    for name, (data, words) in cases.items():
        path = os.path.join(work, name + ".onnx")
        out = os.path.join(work, name + ".safetensors")
        with open(path, "wb") as f:
            f.write(data)
        if os.path.exists(out):
            os.remove(out)
        r = subprocess.run([mlp, "import", path, "-o", out], capture_output=True, text=True, timeout=60)
        lines = r.stderr.splitlines()
        print("%s: exit %d: %s" % (name, r.returncode, r.stderr.strip()))
        if r.returncode != 1:
            fail("%s: exit status %d, not 1" % (name, r.returncode))
        if len(lines) != 1 or not lines[0].startswith("mlp: error: " + path + ": "):
            fail("%s: stderr is not one 'mlp: error: FILE: ...' line: %r" % (name, r.stderr))
        if words not in lines[0]:
            fail("%s: the message does not say %r" % (name, words))
        if os.path.exists(out):
            fail("%s: a model file was written" % name)
    # The valid one imports.
    path = os.path.join(work, "valid.onnx")
    with open(path, "wb") as f:
        f.write(valid)
    r = subprocess.run([mlp, "import", path, "-o", os.path.join(work, "valid.safetensors")], capture_output=True, text=True)
    if r.returncode != 0:
        fail("the valid model does not import: " + r.stderr)
    print("PASS: %d hostile files refused, each in one line" % len(cases))
    return 0


if __name__ == "__main__":
    sys.exit(main())
