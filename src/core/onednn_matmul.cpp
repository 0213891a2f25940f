// The per-shape cache of oneDNN matmul primitives behind mlp::matmul<float>.
#ifdef MLP_USE_DNNL
#include "core/onednn_matmul.h"

#include <map>
#include <memory>
#include <oneapi/dnnl/dnnl.hpp>
#include <tuple>
#include <type_traits>

namespace mlp::detail {
namespace {

using dims = dnnl::memory::dims;
// M, N, K, trans_a, trans_b, alpha, beta, and whether A and B are bfloat16 (else float32).
using Key = std::tuple<std::size_t, std::size_t, std::size_t, bool, bool, float, float, bool>;

// One product's primitive with its arguments bound; execute() re-points them.
struct Product {
  dnnl::matmul primitive;
  dnnl::memory a, b, c, scratchpad;
  dnnl_exec_arg_t args[4];
};

struct Cache {
  dnnl::engine engine{dnnl::engine::kind::cpu, 0};
  dnnl::stream stream{engine};
  std::map<Key, std::unique_ptr<Product>> products;
};

Product* product(Cache& cache, const Key& key) {
  auto found = cache.products.find(key);
  if (found != cache.products.end()) return found->second.get();
  const auto [M, N, K, ta, tb, alpha, beta, bf16_inputs] = key;
  const auto m = static_cast<dnnl::memory::dim>(M), n = static_cast<dnnl::memory::dim>(N),
             k = static_cast<dnnl::memory::dim>(K);
  constexpr auto f32 = dnnl::memory::data_type::f32;
  const auto in = bf16_inputs ? dnnl::memory::data_type::bf16 : f32;
  // Row-major buffers; a transposed operand is the same buffer read with swapped strides.
  const dnnl::memory::desc a({m, k}, in, ta ? dims{1, m} : dims{k, 1});
  const dnnl::memory::desc b({k, n}, in, tb ? dims{1, k} : dims{n, 1});
  const dnnl::memory::desc c({m, n}, f32, dims{n, 1});
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  if (alpha != 1.0f) attr.set_output_scales(0, {alpha});
  if (beta != 0.0f) {
    dnnl::post_ops ops;
    ops.append_sum(beta);
    attr.set_post_ops(ops);
  }
  std::unique_ptr<Product> p;
  try {
    const dnnl::matmul::primitive_desc pd(dnnl::matmul::desc(a, b, c), attr, cache.engine);
    p = std::make_unique<Product>();
    p->primitive = dnnl::matmul(pd);
    p->a = dnnl::memory(a, cache.engine, DNNL_MEMORY_NONE);
    p->b = dnnl::memory(b, cache.engine, DNNL_MEMORY_NONE);
    p->c = dnnl::memory(c, cache.engine, DNNL_MEMORY_NONE);
    p->scratchpad = dnnl::memory(pd.scratchpad_desc(), cache.engine);
  } catch (const dnnl::error&) {
    p.reset();  // no implementation: remembered, so that the next call does not try again
  }
  if (p)
    p->args[0] = {DNNL_ARG_SRC, p->a.get()}, p->args[1] = {DNNL_ARG_WEIGHTS, p->b.get()},
    p->args[2] = {DNNL_ARG_DST, p->c.get()}, p->args[3] = {DNNL_ARG_SCRATCHPAD, p->scratchpad.get()};
  return cache.products.emplace(key, std::move(p)).first->second.get();
}

}  // namespace

template <typename In>
bool onednn_matmul(float* C, const In* A, const In* B, std::size_t M, std::size_t N, std::size_t K, bool trans_a,
                   bool trans_b, float alpha, float beta) {
  thread_local Cache cache;
  Product* p = product(cache, Key{M, N, K, trans_a, trans_b, alpha, beta, std::is_same_v<In, bf16>});
  if (!p) return false;
  p->a.set_data_handle(const_cast<In*>(A));
  p->b.set_data_handle(const_cast<In*>(B));
  p->c.set_data_handle(C);
  return dnnl_primitive_execute(p->primitive.get(), cache.stream.get(), 4, p->args) == dnnl_success &&
         dnnl_stream_wait(cache.stream.get()) == dnnl_success;
}

template bool onednn_matmul(float*, const float*, const float*, std::size_t, std::size_t, std::size_t, bool, bool,
                            float, float);
template bool onednn_matmul(float*, const bf16*, const bf16*, std::size_t, std::size_t, std::size_t, bool, bool,
                            float, float);

bool onednn_bf16() {
  // Bit flags: every ISA at or above avx512_core_bf16 includes its bits.
  const auto isa = static_cast<unsigned>(dnnl_get_effective_cpu_isa());
  return (isa & dnnl_cpu_isa_avx512_core_bf16) == dnnl_cpu_isa_avx512_core_bf16;
}

}  // namespace mlp::detail
#endif  // MLP_USE_DNNL
