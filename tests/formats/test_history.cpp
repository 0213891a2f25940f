// Training histories as files: the CSV columns and the SVG plot's panels, marker and legends.
#include <gtest/gtest.h>

#include <cmath>
#include <regex>

#include "formats/history.h"

namespace {

std::vector<mlp::EpochStats> history() {
  std::vector<mlp::EpochStats> h;
  for (std::size_t e = 1; e <= 5; ++e) {
    mlp::EpochStats s;
    s.epoch = e;
    s.train_loss = 1.0 / static_cast<double>(e);
    s.val_loss = 1.0 + std::fabs(static_cast<double>(e) - 3);  // best at epoch 3
    s.val_metrics = {{"accuracy", 0.5 + 0.1 * static_cast<double>(e)}, {"log_loss", 2.0}};
    s.lr = 0.001;
    h.push_back(s);
  }
  return h;
}

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t p = text.find(what); p != std::string::npos; p = text.find(what, p + 1)) ++n;
  return n;
}

TEST(History, CsvHasAColumnPerMetric) {
  const std::string csv = mlp::io::history_csv(history());
  EXPECT_EQ(csv.substr(0, csv.find('\n')), "epoch,seconds,lr,train_loss,val_loss,val_accuracy,val_log_loss");
  EXPECT_EQ(count(csv, "\n"), 6u);
  EXPECT_NE(csv.find("\n3,0.0,0.001,0.3333333333333333,1.0,0.8,2.0\n"), std::string::npos) << csv;
}

TEST(History, PlotHasALossPanelAndAMetricPanelWithTheBestEpochMarked) {
  const std::string svg = mlp::io::history_plot(history(), "training", 3);
  // Two plot frames, each with its own y label; the metric panel holds accuracy, not log loss
  // (it is no quantity in [0, 1]).
  EXPECT_EQ(count(svg, "fill=\"none\" stroke=\"#333\""), 2u) << svg;
  EXPECT_EQ(count(svg, ">loss</text>"), 1u);
  EXPECT_EQ(count(svg, ">validation metric</text>"), 1u);
  EXPECT_EQ(count(svg, ">validation accuracy</text>"), 1u);
  EXPECT_EQ(count(svg, "log_loss"), 0u);
  EXPECT_EQ(count(svg, "<polyline"), 3u);  // train loss, validation loss, validation accuracy
  EXPECT_EQ(count(svg, ">best epoch 3</text>"), 2u);
  EXPECT_EQ(count(svg, "stroke-dasharray"), 2u);
  // Legends stand right of the plot frames, clear of the curves.
  std::smatch m;
  ASSERT_TRUE(std::regex_search(svg, m, std::regex("<rect x=\"([0-9.]+)\" y=\"[0-9.]+\" width=\"([0-9.]+)\"")));
  const double right = std::stod(m[1]) + std::stod(m[2]);
  std::regex legend("<text x=\"([0-9.]+)\" y=\"[0-9.]+\">(train loss|validation loss|validation accuracy)</text>");
  std::size_t legends = 0;
  for (auto it = std::sregex_iterator(svg.begin(), svg.end(), legend); it != std::sregex_iterator(); ++it, ++legends)
    EXPECT_GT(std::stod((*it)[1]), right) << (*it)[0];
  EXPECT_EQ(legends, 3u);
}

TEST(History, PlotWithoutValidationHasOnePanel) {
  auto h = history();
  for (auto& e : h) e.val_loss = NAN, e.val_metrics.clear();
  const std::string svg = mlp::io::history_plot(h, "training", 0);
  EXPECT_EQ(count(svg, "fill=\"none\" stroke=\"#333\""), 1u);
  EXPECT_EQ(count(svg, "<polyline"), 1u);
  EXPECT_EQ(count(svg, "best epoch"), 0u);
}

}  // namespace
