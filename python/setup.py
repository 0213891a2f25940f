"""Builds mlpcpp's extension, mlpcpp._mlpcpp, with the project's own CMake build (no second list of
sources or flags): configures the repository above this folder with only the library and the
module, builds the target _mlpcpp, and copies it where setuptools installs the package.

MLP_CMAKE_BUILD_DIR=DIR builds in an existing, configured build folder instead (the tests use the
project's, so that installing does not compile the library a second time)."""
import os
import pathlib
import re
import shutil
import subprocess
import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent


def version():
    text = (ROOT / "CMakeLists.txt").read_text(encoding="utf-8")
    return re.search(r"project\(mlp VERSION ([0-9.]+)", text).group(1)


class CMakeBuild(build_ext):
    def build_extension(self, ext):
        build = os.environ.get("MLP_CMAKE_BUILD_DIR")
        if not build:
            build = str(pathlib.Path(self.build_temp).resolve() / "cmake")
            subprocess.check_call(["cmake", "-S", str(ROOT), "-B", build, "-DCMAKE_BUILD_TYPE=Release",
                                   f"-DPython3_EXECUTABLE={sys.executable}", "-DMLP_BUILD_PYTHON=ON",
                                   "-DMLP_BUILD_CLI=OFF", "-DMLP_BUILD_TESTS=OFF", "-DMLP_BUILD_BENCH=OFF",
                                   "-DMLP_BUILD_EXAMPLES=OFF"])
        jobs = str(os.cpu_count() or 2)
        subprocess.check_call(["cmake", "--build", build, "--target", "_mlpcpp", "-j", jobs])
        built = sorted((pathlib.Path(build) / "python" / "mlpcpp").glob("_mlpcpp*.so"))
        if not built:
            raise RuntimeError(f"{build}: the CMake build made no _mlpcpp extension (pybind11-dev, python3-dev?)")
        target = pathlib.Path(self.get_ext_fullpath(ext.name))
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(built[0], target)


setup(version=version(), ext_modules=[Extension("mlpcpp._mlpcpp", sources=[])],
      cmdclass={"build_ext": CMakeBuild})
