// One libFuzzer entry point for every reader: the reader must either return or throw an
// mlp::Error (a one-line message for bad input); anything else — another exception, a crash, a
// sanitizer report, a hang, memory beyond libFuzzer's limit — is a finding.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string_view>

#include "mlp/core/error.h"
#include "mlp/pipeline/pipeline.h"

// Runs a model that read without error over two rows of zeros (numeric inputs of a sane width
// only): a description must agree with its tensors before anything runs.
inline void predict_zeros(const mlp::Pipeline& p) {
  const std::size_t inputs = p.description().config.sizes.front();
  if (!p.description().preprocessor.columns.empty() || inputs > 4096) return;
  mlp::data::Frame f;
  f.source = "fuzz rows";
  f.array = mlp::data::Array(mlp::data::DType::f64, 2, inputs);
  (void)p.predict(f);
}

// Defines LLVMFuzzerTestOneInput to call read(std::string_view bytes).
#define MLP_FUZZ_TARGET(read)                                                                  \
  extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {         \
    try {                                                                                      \
      read(std::string_view(reinterpret_cast<const char*>(data), size));                       \
    } catch (const mlp::Error& e) {                                                            \
      if (std::string_view(e.what()).find('\n') != std::string_view::npos) {                   \
        std::fprintf(stderr, "error message of more than one line: %s\n", e.what());          \
        std::abort();                                                                          \
      }                                                                                        \
    } catch (const std::exception& e) {                                                        \
      std::fprintf(stderr, "not an mlp::Error: %s\n", e.what());                              \
      std::abort();                                                                            \
    }                                                                                          \
    return 0;                                                                                  \
  }
