// Debian's generated ONNX protobuf classes (namespace ::onnx; ONNX_ML=1 gives the ai.onnx.ml
// messages too), for export.cpp and import.cpp only.
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "onnx/onnx_pb.h"
