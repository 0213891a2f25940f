// mlp_onnx built without ONNX support (libonnx-dev or libprotobuf-dev was not found).
#include "mlp/export/onnx.h"

#include "mlp/core/error.h"

namespace mlp {
namespace {

[[noreturn]] void unavailable() {
  throw Error("ONNX support was not built: install libonnx-dev, libprotobuf-dev and protobuf-compiler "
              "(scripts/setup.sh does) and build again");
}

}  // namespace

bool onnx_available() { return false; }
std::string export_onnx(const Pipeline&) { unavailable(); }
void save_onnx(const Pipeline&, const std::string&) { unavailable(); }
Pipeline import_onnx(std::string_view, const std::string&) { unavailable(); }
Pipeline load_onnx(const std::string&) { unavailable(); }

}  // namespace mlp
