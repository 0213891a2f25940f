// The compact option syntaxes: schedules, layer widths, activation lists.
#include "pipeline/specs.h"

#include <charconv>
#include <map>

#include "mlp/core/error.h"

namespace mlp {
namespace {

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    std::size_t end = s.find(sep, start);
    parts.push_back(s.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return parts;
}

double number(const std::string& text, const std::string& what) {
  double v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p != text.data() + text.size() || text.empty())
    throw InvalidArgument(what + ": '" + text + "' is not a number");
  return v;
}

std::size_t count(const std::string& text, const std::string& what) {
  double v = number(text, what);
  if (v < 0 || v != static_cast<double>(static_cast<std::size_t>(v)))
    throw InvalidArgument(what + ": '" + text + "' is not a whole number >= 0");
  return static_cast<std::size_t>(v);
}

}  // namespace

ScheduleOptions parse_schedule(const std::string& spec, std::size_t epochs, std::size_t steps_per_epoch, double lr) {
  std::string name = spec.substr(0, spec.find(':'));
  std::map<std::string, std::string> kv;
  if (spec.find(':') != std::string::npos)
    for (const std::string& part : split(spec.substr(spec.find(':') + 1), ',')) {
      auto eq = part.find('=');
      if (eq == std::string::npos) throw InvalidArgument("--schedule: '" + part + "' is not key=value");
      kv[part.substr(0, eq)] = part.substr(eq + 1);
    }
  auto take = [&](const std::string& key, double fallback) {
    auto it = kv.find(key);
    if (it == kv.end()) return fallback;
    double v = number(it->second, "--schedule " + name + " " + key);
    kv.erase(it);
    return v;
  };
  auto take_count = [&](const std::string& key, std::size_t fallback) {
    auto it = kv.find(key);
    if (it == kv.end()) return fallback;
    std::size_t v = count(it->second, "--schedule " + name + " " + key);
    kv.erase(it);
    return v;
  };
  ScheduleOptions out;
  if (name == "none" || name.empty()) {
    out = ConstantLR{};
  } else if (name == "step") {
    out = StepLR{.step_size = take_count("step_size", std::max<std::size_t>(1, epochs / 3)), .gamma = take("gamma", 0.1)};
  } else if (name == "multistep") {
    MultiStepLR m;
    if (kv.count("milestones")) {
      for (const std::string& v : split(kv["milestones"], '/')) m.milestones.push_back(count(v, "--schedule multistep milestones"));
      kv.erase("milestones");
    } else {
      m.milestones = {epochs / 2, epochs * 3 / 4};
    }
    m.gamma = take("gamma", 0.1);
    out = m;
  } else if (name == "exponential") {
    out = ExponentialLR{.gamma = take("gamma", 0.95)};
  } else if (name == "cosine") {
    out = CosineAnnealingLR{.t_max = take_count("t_max", std::max<std::size_t>(1, epochs)), .eta_min = take("eta_min", 0)};
  } else if (name == "onecycle") {
    OneCycleLR o;
    o.max_lr = take("max_lr", 10 * lr);
    o.total_steps = epochs * steps_per_epoch;
    o.pct_start = take("pct_start", 0.3);
    o.three_phase = take("three_phase", 0) != 0;
    if (kv.count("anneal")) {
      if (kv["anneal"] != "cos" && kv["anneal"] != "linear")
        throw InvalidArgument("--schedule onecycle anneal: '" + kv["anneal"] + "'; valid: cos, linear");
      o.cos_anneal = kv["anneal"] == "cos";
      kv.erase("anneal");
    }
    out = o;
  } else if (name == "plateau") {
    ReduceLROnPlateau p;
    p.factor = take("factor", 0.1);
    p.patience = take_count("patience", 10);
    p.threshold = take("threshold", 1e-4);
    p.cooldown = take_count("cooldown", 0);
    p.min_lr = take("min_lr", 0);
    out = p;
  } else {
    throw InvalidArgument("unknown schedule '" + name + "'; valid: none, step, multistep, exponential, cosine, onecycle, plateau");
  }
  if (!kv.empty()) throw InvalidArgument("--schedule " + name + ": unknown setting '" + kv.begin()->first + "'");
  return out;
}

std::vector<std::size_t> parse_widths(const std::string& spec) {
  if (spec.empty() || spec == "0") return {};
  std::vector<std::size_t> widths;
  for (const std::string& part : split(spec, ',')) {
    std::size_t w = count(part, "--hidden");
    if (w == 0) throw InvalidArgument("--hidden: layer widths must be positive, got '" + spec + "'");
    widths.push_back(w);
  }
  return widths;
}

std::vector<Activation> parse_activations(const std::string& spec) {
  std::vector<Activation> out;
  for (const std::string& part : split(spec, ',')) out.push_back(parse_activation(part));
  return out;
}

}  // namespace mlp
