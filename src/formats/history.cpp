// Training histories as CSV and SVG.
#include "formats/history.h"

#include <cmath>

#include "core/format.h"
#include "formats/svg.h"

namespace mlp::io {

std::string history_csv(const std::vector<EpochStats>& h) {
  std::string csv = "epoch,seconds,lr,train_loss,val_loss";
  if (!h.empty())
    for (const auto& [name, value] : h.front().val_metrics) csv += ",val_" + name;
  csv += "\n";
  for (const auto& e : h) {
    csv += std::to_string(e.epoch) + "," + format_repr(e.seconds) + "," + format_repr(e.lr) + "," +
           format_repr(e.train_loss) + "," + (std::isnan(e.val_loss) ? "" : format_repr(e.val_loss));
    for (const auto& [name, value] : e.val_metrics) csv += "," + format_repr(value);
    csv += "\n";
  }
  return csv;
}

std::string history_plot(const std::vector<EpochStats>& h, const std::string& title, std::size_t best_epoch) {
  PlotSeries train{"train loss", {}, {}}, val{"validation loss", {}, {}};
  for (const auto& e : h) {
    train.x.push_back(static_cast<double>(e.epoch));
    train.y.push_back(e.train_loss);
    val.x.push_back(static_cast<double>(e.epoch));
    val.y.push_back(e.val_loss);
  }
  PlotPanel losses{{train}, {}};
  if (!h.empty() && !std::isnan(h.front().val_loss)) losses.series.push_back(val);
  losses.options.y_label = "loss";
  PlotPanel metrics{{}, {}};
  metrics.options.y_label = "validation metric";
  if (!h.empty())
    for (std::size_t k = 0; k < h.front().val_metrics.size(); ++k) {
      const std::string& name = h.front().val_metrics[k].first;
      if (name != "accuracy" && name != "f1" && name != "r2" && name != "top5_accuracy") continue;
      PlotSeries m{"validation " + name, {}, {}};
      for (const auto& e : h) {
        m.x.push_back(static_cast<double>(e.epoch));
        m.y.push_back(k < e.val_metrics.size() ? e.val_metrics[k].second : NAN);
      }
      metrics.series.push_back(std::move(m));
    }
  std::vector<PlotPanel> panels = {losses};
  if (!metrics.series.empty()) panels.push_back(metrics);
  for (PlotPanel& p : panels) {
    p.options.marker_x = best_epoch > 0 ? static_cast<double>(best_epoch) : NAN;
    p.options.marker_label = "best epoch " + std::to_string(best_epoch);
  }
  panels.back().options.x_label = "epoch";
  return svg_panels(panels, title);
}

}  // namespace mlp::io
