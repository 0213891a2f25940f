"""numpy's trained weights for the tutorial's run, every value exact (tests/nn/test_fixed_mlp.cpp).

Runs ../shared/reference/tutorial.py's training loop (the tutorial's script, up to its prints) and
prints each parameter as Python's repr, in Model's order: hidden weight (4 x 2, row-major),
hidden bias (4), output weight (1 x 4), output bias (1); one per line.
numpy's last bits depend on which OpenBLAS kernels run; this script asks for the Haswell ones,
as this project's machines do (OPENBLAS_CORETYPE=Haswell), before numpy loads OpenBLAS.
Run with Debian's numpy (OpenBLAS):
  /usr/bin/python3 scripts/gen_tutorial_weights.py [TUTORIAL=../shared/reference/tutorial.py] \
      > tests/fixtures/tutorial_numpy_weights.txt
"""
import os
import sys

os.environ["OPENBLAS_CORETYPE"] = "Haswell"

here = os.path.dirname(os.path.abspath(__file__))
path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "..", "shared", "reference", "tutorial.py")
source = open(path).read()
training = source[: source.index('print(f"hidden weight')]  # everything up to the first print
scope = {}
exec(compile(training, path, "exec"), scope)
for name in ("hidden_weight", "hidden_bias", "output_weight", "output_bias"):
    for value in scope[name].ravel():
        print(repr(float(value)))
