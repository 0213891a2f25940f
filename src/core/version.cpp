// The version string, from CMakeLists.txt's project() through a compile definition.
#include "mlp/core/version.h"

namespace mlp {

const char* version() { return MLP_VERSION; }

}  // namespace mlp
