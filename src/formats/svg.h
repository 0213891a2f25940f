// Line plots as standalone SVG documents that a browser opens.
#pragma once

#include <cmath>
#include <string>
#include <vector>

namespace mlp::io {

struct PlotSeries {
  std::string label;
  std::vector<double> x, y;  // same length; non-finite points break the line
};

struct PlotOptions {
  std::string title;
  std::string x_label, y_label;
  int width = 720, height = 440;  // of the whole document (svg_line_plot) or of a panel (svg_panels)
  double marker_x = NAN;          // a dashed vertical line here, labelled, when finite
  std::string marker_label;
};

// An SVG document with axes, ticks, one polyline per series and a legend beside the plot.
std::string svg_line_plot(const std::vector<PlotSeries>& series, const PlotOptions& options);

// Plots stacked top to bottom in one document under one title, each with its own y axis.
struct PlotPanel {
  std::vector<PlotSeries> series;
  PlotOptions options;  // title unused
};
std::string svg_panels(const std::vector<PlotPanel>& panels, const std::string& title);

}  // namespace mlp::io
