// The options' one list (mlp::visit_options): every field of PipelineOptions is on it (a field
// added without an entry fails here), names and flags are unique, the text forms read back, every
// flag is in `mlp train --help`, and a checkpoint's record compares each option that must not
// change on resume, including records written before the list (tests/fixtures/checkpoint_v0.2).
#include <gtest/gtest.h>

#include <cstddef>
#include <filesystem>
#include <set>
#include <string>
#include <utility>

#include "cli_fixtures.h"
#include "mlp/data/load.h"
#include "mlp/pipeline/options.h"
#include "mlp/pipeline/pipeline.h"
#include "pipeline/option_values.h"
#include "temp_files.h"

namespace {

using mlp::OnResume;
using mlp::OptionInfo;
using mlp::PipelineOptions;

// An aggregate's field count: the most initializers T{...} takes (each converts to any type).
struct AnyField {
  template <typename T>
  operator T() const;  // only in unevaluated contexts
};
template <typename T, std::size_t... I>
constexpr bool takes(std::index_sequence<I...>) {
  return requires { T{(void(I), AnyField{})...}; };
}
template <typename T, std::size_t N = 0>
constexpr std::size_t field_count() {
  if constexpr (takes<T>(std::make_index_sequence<N + 1>())) {
    return field_count<T, N + 1>();
  } else {
    return N;
  }
}

struct Counted {
  int a = 0;
  std::string b;
  std::optional<double> c;
};
static_assert(field_count<Counted>() == 3, "the field counter counts");
struct Mixed {  // members of the kinds PipelineOptions has, aggregates among them (no brace elision)
  mlp::FitCallbacks callbacks;
  mlp::InitOptions init;
  std::vector<mlp::Activation> activations;
  std::optional<std::vector<std::size_t>> widths;
  mlp::Communicator* communicator = nullptr;
  bool flag = false;
};
static_assert(field_count<Mixed>() == 6, "the field counter counts aggregate members once");

TEST(Options, EveryFieldIsOnTheList) {
  PipelineOptions o;
  std::set<const void*> fields;
  std::size_t listed = 0;
  mlp::visit_options(o, [&](const OptionInfo&, auto& field) {
    ++listed;
    fields.insert(&field);
    const auto* at = reinterpret_cast<const char*>(&field);
    EXPECT_GE(at, reinterpret_cast<const char*>(&o));
    EXPECT_LT(at, reinterpret_cast<const char*>(&o) + sizeof o);
  });
  EXPECT_EQ(fields.size(), listed) << "an option is listed twice";
  // The two members that are not options, the communicator and the callbacks; a composed group
  // (early_stopping) counts by its own fields.
  const std::size_t fields_in_groups = field_count<mlp::EarlyStoppingOptions>() - 1;
  EXPECT_EQ(field_count<PipelineOptions>() + fields_in_groups, listed + 2)
      << "PipelineOptions has a field that visit_options does not list: add it there (options.h)";
}

TEST(Options, NamesAndFlagsAreUniqueAndTheTextFormsReadBack) {
  PipelineOptions o;
  std::set<std::string> names, flags;
  mlp::visit_options(o, [&](const OptionInfo& info, auto& field) {
    EXPECT_TRUE(names.insert(std::string(info.name)).second) << info.name;
    if (!info.flag.empty()) {
      EXPECT_TRUE(flags.insert(std::string(info.flag)).second) << info.flag;
    }
    EXPECT_FALSE(info.help.empty()) << info.name;
    EXPECT_EQ(info.negated, info.flag.starts_with("--no-")) << info.name;
    using T = std::decay_t<decltype(field)>;
    if constexpr (!std::is_same_v<T, std::string>) {
      // The default's text reads back as the default (an unset optional has no text).
      if constexpr (requires { field.has_value(); }) {
        if (!field) return;
        auto value = *field, back = *field;
        mlp::parse_option_value(mlp::option_text(value), back);
        EXPECT_EQ(mlp::option_text(back), mlp::option_text(value)) << info.name;
      } else {
        T back{};
        mlp::parse_option_value(mlp::option_text(field), back);
        EXPECT_EQ(mlp::option_text(back), mlp::option_text(field)) << info.name;
      }
    }
  });
  EXPECT_TRUE(names.count("epochs"));
}

TEST(Options, TextFormsOfEachKind) {
  PipelineOptions o;
  mlp::parse_option_value("256,128", o.hidden);
  EXPECT_EQ(*o.hidden, (std::vector<std::size_t>{256, 128}));
  mlp::parse_option_value("relu,tanh", o.activation);
  EXPECT_EQ(mlp::option_text(o.activation), "relu,tanh");
  mlp::parse_option_value("huber:1.5", o.loss);
  EXPECT_EQ(mlp::option_text(*o.loss), "huber:1.5");
  mlp::parse_option_value("constant:0.5", o.initializer);
  EXPECT_EQ(mlp::option_text(o.initializer), "constant:0.5");
  mlp::parse_option_value("0.25", o.lr);
  EXPECT_EQ(*o.lr, 0.25);
  mlp::parse_option_value("bf16", o.precision);
  EXPECT_EQ(o.precision, mlp::Precision::bf16);
  EXPECT_THROW(mlp::parse_option_value("12x", o.batch_size), mlp::InvalidArgument);
  EXPECT_THROW(mlp::parse_option_value("maybe", o.shuffle), mlp::InvalidArgument);
  EXPECT_THROW(mlp::parse_option_value("cubic", o.scale), mlp::InvalidArgument);
}

TEST(Options, TheHelpOfTrainHasEveryFlag) {
  const mlp_test::CommandResult r = mlp_test::mlp("train --help");
  ASSERT_EQ(r.status, 0) << r.err;
  PipelineOptions o;
  mlp::visit_options(o, [&](const OptionInfo& info, auto&) {
    if (info.flag.empty()) return;
    const std::string flag(info.flag.substr(0, info.flag.find(',')));
    EXPECT_NE(r.out.find(flag), std::string::npos) << flag << " is not in train --help";
  });
}

// The record: every option but the free ones, and a change to any that must stay the same is
// found and named.
TEST(Options, TheResumeCheckFindsEachOptionThatMustStayTheSame) {
  PipelineOptions o;
  const nlohmann::ordered_json record = options_record(o);
  const nlohmann::json read = nlohmann::json::parse(record.dump());
  EXPECT_FALSE(mlp::first_difference(read, o));
  std::size_t checked = 0;
  mlp::visit_options(o, [&](const OptionInfo& info, const auto&) {
    EXPECT_EQ(record.contains(std::string(info.name)), info.on_resume != OnResume::free) << info.name;
    if (info.on_resume == OnResume::free) return;
    nlohmann::json changed = read;
    changed[std::string(info.name)] = "something else";
    const auto d = mlp::first_difference(changed, o);
    EXPECT_EQ(d.has_value(), info.on_resume == OnResume::same) << info.name;
    if (d) {
      EXPECT_EQ(d->name, info.name);
    }
    ++checked;
  });
  EXPECT_GT(checked, 30u);
}

// A checkpoint written by mlp 0.2.0 (before the one list; its record keeps "lr": 0 for the
// optimizer's default, "early_stopping", "clip_norm"): resumed to 5 epochs, it ends as a fit of 5
// epochs does. tests/fixtures/checkpoint_v0.2: `mlp train train.csv --hidden 8 --epochs 3
// --checkpoint checkpoint.safetensors`.
TEST(Options, ACheckpointOfTheFormerRecordResumes) {
  const std::string dir = std::string(MLP_TEST_DATA) + "/checkpoint_v0.2";
  const std::string copy = mlp_test::temp_path("checkpoint.safetensors");
  std::filesystem::copy_file(dir + "/checkpoint.safetensors", copy);
  mlp::data::LoadOptions load;
  const mlp::data::Loaded d = mlp::data::load(dir + "/train.csv", load);
  PipelineOptions o;
  o.hidden = std::vector<std::size_t>{8};
  o.epochs = 5;
  const mlp::Pipeline fitted = mlp::Pipeline::fit(d.features, d.targets, o);
  o.checkpoint = copy;
  const mlp::Pipeline resumed = mlp::Pipeline::resume(copy, d.features, d.targets, o);
  EXPECT_EQ(resumed.predict(d.features).values, fitted.predict(d.features).values);
  PipelineOptions other = o;
  other.lr = 0.01;
  try {
    mlp::Pipeline::resume(copy, d.features, d.targets, other);
    ADD_FAILURE() << "another learning rate was accepted";
  } catch (const mlp::InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("has lr null, these options give 0.01"), std::string::npos) << e.what();
  }
}

}  // namespace
