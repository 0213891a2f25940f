#!/usr/bin/python3
"""The README's C++ snippets compile: each ```cpp block becomes a file, its #include lines at the
top and the rest inside main(), checked with the compiler's -fsyntax-only against the installed
headers' folder (include/).

Usage: readme_snippets.py CXX SOURCE_DIR
"""
import os
import re
import subprocess
import sys
import tempfile


def blocks(readme):
    return re.findall(r"^```cpp\n(.*?)^```", readme, re.S | re.M)


def main(argv):
    cxx, source = argv[1], argv[2]
    with open(os.path.join(source, "README.md"), encoding="utf-8") as f:
        found = blocks(f.read())
    if not found:
        print("README.md has no ```cpp block")
        return 1
    failed = 0
    with tempfile.TemporaryDirectory() as work:
        for i, block in enumerate(found, 1):
            lines = block.splitlines()
            includes = [l for l in lines if l.startswith("#include")]
            body = [l for l in lines if not l.startswith("#include")]
            path = os.path.join(work, f"snippet_{i}.cpp")
            with open(path, "w", encoding="utf-8") as f:
                f.write("\n".join(includes) + "\n\nint main(int argc, char** argv) {\n  (void)argc, (void)argv;\n")
                f.write("\n".join("  " + l for l in body) + "\n}\n")
            r = subprocess.run([cxx, "-std=c++20", "-fsyntax-only", "-I", os.path.join(source, "include"), path],
                               capture_output=True, text=True)
            first = lines[0] if lines else ""
            if r.returncode != 0:
                failed += 1
                print(f"README.md snippet {i} ({first}) does not compile:\n{r.stderr}")
            else:
                print(f"README.md snippet {i} ({first}) compiles")
    print(f"{len(found) - failed} of {len(found)} snippets compile")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
