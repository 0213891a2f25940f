// safetensors: the header's JSON, dtypes, shapes and offsets.
#include "fuzz_target.h"
#include "mlp/formats/safetensors.h"

static void read(std::string_view bytes) {
  mlp::io::SafeTensors st = mlp::io::parse_safetensors(bytes, "fuzz.safetensors");
  for (const std::string& name : st.names()) (void)st.at(name);
}

MLP_FUZZ_TARGET(read)
