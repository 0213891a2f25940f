// Line plots as standalone SVG documents that a browser opens.
#pragma once

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
  int width = 720, height = 440;
};

// An SVG document with axes, ticks, one polyline per series and a legend.
std::string svg_line_plot(const std::vector<PlotSeries>& series, const PlotOptions& options);

}  // namespace mlp::io
