// CSV: the reader, then what training does with a table (the feature columns' encodings).
#include "fuzz_target.h"
#include "mlp/data/csv.h"
#include "mlp/data/load.h"
#include "mlp/data/preprocessor.h"

static void read(std::string_view bytes) {
  mlp::data::Frame f;
  f.source = "fuzz.csv";
  f.is_table = true;
  f.table = mlp::data::parse_csv(bytes, "fuzz.csv");
  for (std::size_t c = 0; c < f.table.cols(); ++c) f.columns.push_back(c);
  mlp::Preprocessor::fit<float>(f, mlp::ScaleKind::standard, mlp::MissingPolicy::impute);
}

MLP_FUZZ_TARGET(read)
