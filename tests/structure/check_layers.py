#!/usr/bin/python3
"""The library's layers include only layers below them (docs/architecture.md).

Usage: check_layers.py ROOT LAYER...   (the layers from the lowest up, as CMakeLists.txt lists them)
       check_layers.py --self-test LAYER...

Every file under ROOT/include/mlp/LAYER/ (installed headers) and ROOT/src/LAYER/ (sources and
private headers) is read for its #include "..." lines: "mlp/L/x.h" is layer L's installed header,
"L/x.h" layer L's private one. A file may include its own layer and those listed before it, and an
installed header may include no private one. Prints one line per violation and exits 1 if any.
"""
import os
import re
import sys
import tempfile

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def files_of(root, layers):
    for layer in layers:
        for kind, top in (("public", os.path.join(root, "include", "mlp", layer)),
                          ("private", os.path.join(root, "src", layer))):
            for folder, _, names in os.walk(top):
                for name in sorted(names):
                    if name.endswith((".h", ".cpp")):
                        yield layer, kind, os.path.join(folder, name)


def violations(root, layers):
    rank = {layer: i for i, layer in enumerate(layers)}
    found = []
    for layer, kind, path in files_of(root, layers):
        with open(path, encoding="utf-8") as f:
            text = f.read()
        for included in INCLUDE.findall(text):
            if os.path.exists(os.path.join(os.path.dirname(path), included)):
                continue  # a file beside it (proto.h)
            parts = included.split("/")
            if parts[0] == "mlp" and len(parts) == 2:
                target, target_kind = None, "public"  # mlp/mlp.h, the umbrella
            elif parts[0] == "mlp" and parts[1] in rank:
                target, target_kind = parts[1], "public"
            elif parts[0] in rank:
                target, target_kind = parts[0], "private"
            else:
                continue  # another library's header
            where = os.path.relpath(path, root)
            if target is None:
                found.append(f"{where}: includes {included}, the umbrella header; include the headers it needs")
            elif rank[target] > rank[layer]:
                found.append(f"{where}: layer {layer} includes {included} of layer {target}, above it")
            elif kind == "public" and target_kind == "private":
                found.append(f"{where}: an installed header includes the private {included}")
    return found


def self_test(layers):
    """The check finds an upward include, a private header in a public one, and passes a clean tree."""
    low, high = layers[0], layers[1]
    with tempfile.TemporaryDirectory() as root:
        def write(rel, text):
            os.makedirs(os.path.dirname(os.path.join(root, rel)), exist_ok=True)
            with open(os.path.join(root, rel), "w", encoding="utf-8") as f:
                f.write(text)
        write(f"include/mlp/{low}/a.h", "#pragma once\n#include <vector>\n")
        write(f"include/mlp/{high}/b.h", f'#pragma once\n#include "mlp/{low}/a.h"\n')
        write(f"src/{high}/b.cpp", f'#include "mlp/{high}/b.h"\n#include "{low}/helper.h"\n')
        write(f"src/{low}/helper.h", "#pragma once\n")
        if violations(root, layers):
            return "a clean tree was refused: " + "; ".join(violations(root, layers))
        write(f"src/{low}/a.cpp", f'#include "mlp/{low}/a.h"\n#include "mlp/{high}/b.h"\n')
        write(f"include/mlp/{high}/c.h", f'#pragma once\n#include "{low}/helper.h"\n')
        found = violations(root, layers)
        if len(found) != 2 or "above it" not in found[0] + found[1] or "private" not in found[0] + found[1]:
            return "expected an upward include and a private one, found: " + "; ".join(found)
    return None


def main(argv):
    if len(argv) >= 3 and argv[1] == "--self-test":
        problem = self_test(argv[2:])
        print(problem or "the layer check finds upward and private includes")
        return 1 if problem else 0
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    found = violations(argv[1], argv[2:])
    for line in found:
        print(line)
    print(f"{len(found)} include(s) against the layers {' < '.join(argv[2:])}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
