// The library's version (CMake's project version): printed by `mlp --version` and `mlp info`,
// and stored in every saved model's description.
#pragma once

namespace mlp {

// "MAJOR.MINOR.PATCH".
const char* version();

}  // namespace mlp
