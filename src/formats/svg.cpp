// A small SVG line-plot writer: data range, "nice" ticks, polylines, legend.
#include "formats/svg.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "core/format.h"

namespace mlp::io {
namespace {

const char* kColors[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"};

std::string escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string num(double v) { return format_short(v); }

// Tick positions at 1, 2 or 5 times a power of ten, about `count` of them across [lo, hi].
std::vector<double> ticks(double lo, double hi, int count) {
  double span = hi - lo;
  double raw = span / count;
  double mag = std::pow(10.0, std::floor(std::log10(raw)));
  double step = mag;
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (raw <= m * mag) {
      step = m * mag;
      break;
    }
  std::vector<double> out;
  for (double t = std::ceil(lo / step) * step; t <= hi + step * 1e-9; t += step)
    out.push_back(std::fabs(t) < step * 1e-9 ? 0.0 : t);
  return out;
}

}  // namespace

// One plot at vertical offset y0 of height o.height: axes, ticks, series, the marker, and the
// legend in a column right of the plot area.
static void draw_panel(std::ostringstream& svg, const std::vector<PlotSeries>& series, const PlotOptions& o, double y0) {
  double xmin = INFINITY, xmax = -INFINITY, ymin = INFINITY, ymax = -INFINITY;
  for (const auto& s : series)
    for (std::size_t i = 0; i < s.x.size() && i < s.y.size(); ++i) {
      if (!std::isfinite(s.x[i]) || !std::isfinite(s.y[i])) continue;
      xmin = std::min(xmin, s.x[i]);
      xmax = std::max(xmax, s.x[i]);
      ymin = std::min(ymin, s.y[i]);
      ymax = std::max(ymax, s.y[i]);
    }
  if (!std::isfinite(xmin)) xmin = 0, xmax = 1, ymin = 0, ymax = 1;
  if (xmax == xmin) xmin -= 0.5, xmax += 0.5;
  if (ymax == ymin) ymin -= 0.5, ymax += 0.5;
  double pad = (ymax - ymin) * 0.05;
  ymin -= pad;
  ymax += pad;

  const double left = 70, right = 170, top = y0 + 40, bottom = 50;
  const double pw = o.width - left - right, ph = o.height - 40 - bottom;
  auto sx = [&](double x) { return left + (x - xmin) / (xmax - xmin) * pw; };
  auto sy = [&](double y) { return top + (ymax - y) / (ymax - ymin) * ph; };

  for (double t : ticks(xmin, xmax, 8)) {
    svg << "<line x1=\"" << num(sx(t)) << "\" y1=\"" << top << "\" x2=\"" << num(sx(t)) << "\" y2=\"" << top + ph
        << "\" stroke=\"#e5e5e5\"/>\n";
    svg << "<text x=\"" << num(sx(t)) << "\" y=\"" << top + ph + 16 << "\" text-anchor=\"middle\">" << num(t)
        << "</text>\n";
  }
  for (double t : ticks(ymin, ymax, 6)) {
    svg << "<line x1=\"" << left << "\" y1=\"" << num(sy(t)) << "\" x2=\"" << left + pw << "\" y2=\"" << num(sy(t))
        << "\" stroke=\"#e5e5e5\"/>\n";
    svg << "<text x=\"" << left - 6 << "\" y=\"" << num(sy(t) + 4) << "\" text-anchor=\"end\">" << num(t)
        << "</text>\n";
  }
  if (xmin < 0 && xmax > 0)
    svg << "<line x1=\"" << num(sx(0)) << "\" y1=\"" << top << "\" x2=\"" << num(sx(0)) << "\" y2=\"" << top + ph
        << "\" stroke=\"#999\"/>\n";
  if (ymin < 0 && ymax > 0)
    svg << "<line x1=\"" << left << "\" y1=\"" << num(sy(0)) << "\" x2=\"" << left + pw << "\" y2=\"" << num(sy(0))
        << "\" stroke=\"#999\"/>\n";
  svg << "<rect x=\"" << left << "\" y=\"" << top << "\" width=\"" << pw << "\" height=\"" << ph
      << "\" fill=\"none\" stroke=\"#333\"/>\n";
  if (!o.x_label.empty())
    svg << "<text x=\"" << left + pw / 2 << "\" y=\"" << y0 + o.height - 12 << "\" text-anchor=\"middle\">"
        << escape(o.x_label) << "</text>\n";
  if (!o.y_label.empty())
    svg << "<text x=\"16\" y=\"" << top + ph / 2 << "\" text-anchor=\"middle\" transform=\"rotate(-90 16 "
        << top + ph / 2 << ")\">" << escape(o.y_label) << "</text>\n";
  if (std::isfinite(o.marker_x) && o.marker_x >= xmin && o.marker_x <= xmax) {
    svg << "<line x1=\"" << num(sx(o.marker_x)) << "\" y1=\"" << top << "\" x2=\"" << num(sx(o.marker_x)) << "\" y2=\""
        << top + ph << "\" stroke=\"#555\" stroke-dasharray=\"4 3\"/>\n";
    // The label inside the frame, on the side of the line with more room.
    const bool right_half = sx(o.marker_x) > left + pw / 2;
    svg << "<text x=\"" << num(sx(o.marker_x) + (right_half ? -4 : 4)) << "\" y=\"" << top + 14 << "\" fill=\"#555\""
        << (right_half ? " text-anchor=\"end\"" : "") << ">" << escape(o.marker_label) << "</text>\n";
  }

  for (std::size_t k = 0; k < series.size(); ++k) {
    const auto& s = series[k];
    const char* color = kColors[k % (sizeof kColors / sizeof *kColors)];
    std::string points;
    auto flush = [&]() {
      if (!points.empty())
        svg << "<polyline fill=\"none\" stroke=\"" << color << "\" stroke-width=\"2\" points=\"" << points
            << "\"/>\n";
      points.clear();
    };
    for (std::size_t i = 0; i < s.x.size() && i < s.y.size(); ++i) {
      if (!std::isfinite(s.x[i]) || !std::isfinite(s.y[i])) {
        flush();
        continue;
      }
      points += num(sx(s.x[i])) + "," + num(sy(s.y[i])) + " ";
    }
    flush();
    const double lx = left + pw + 12, ly = top + 12 + 18.0 * static_cast<double>(k);
    svg << "<line x1=\"" << lx << "\" y1=\"" << ly - 4 << "\" x2=\"" << lx + 24 << "\" y2=\"" << ly - 4
        << "\" stroke=\"" << color << "\" stroke-width=\"2\"/>\n";
    svg << "<text x=\"" << lx + 30 << "\" y=\"" << ly << "\">" << escape(s.label) << "</text>\n";
  }
}

std::string svg_panels(const std::vector<PlotPanel>& panels, const std::string& title) {
  int width = 0, height = 0;
  for (const PlotPanel& p : panels) width = std::max(width, p.options.width), height += p.options.height;
  std::ostringstream svg;
  svg << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << width << "\" height=\"" << height
      << "\" viewBox=\"0 0 " << width << " " << height << "\" font-family=\"sans-serif\" font-size=\"12\">\n";
  svg << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  if (!title.empty())
    svg << "<text x=\"" << width / 2 << "\" y=\"22\" text-anchor=\"middle\" font-size=\"15\">" << escape(title)
        << "</text>\n";
  double y0 = 0;
  for (const PlotPanel& p : panels) {
    draw_panel(svg, p.series, p.options, y0);
    y0 += p.options.height;
  }
  svg << "</svg>\n";
  return svg.str();
}

std::string svg_line_plot(const std::vector<PlotSeries>& series, const PlotOptions& options) {
  return svg_panels({PlotPanel{series, options}}, options.title);
}

}  // namespace mlp::io
