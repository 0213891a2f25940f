// Data-reading options and their translation into mlp::data::LoadOptions.
#include "data_options.h"

#include "mlp/core/error.h"

namespace mlp::cli {

void add_data_options(CLI::App* cmd, DataFlags& f, bool labels) {
  if (labels) {
    cmd->add_option("--target", f.target, "CSV label column(s) by name or 0-based index, comma-separated (default: the last column, or the model's)");
    cmd->add_option("--labels", f.labels, "Labels in a separate file (NPY or IDX data)");
  }
  cmd->add_option("--delimiter", f.delimiter, "CSV field separator, e.g. ';' or tab (default: detected: , ; tab |)");
  cmd->add_flag("--no-header", f.no_header, "The CSV has no header row (columns are named 0, 1, ...)");
  cmd->add_option("--ignore", f.ignore, "CSV columns that are not features (IDs), comma-separated")->delimiter(',');
}

data::LoadOptions load_options(const DataFlags& f, bool read_targets) {
  data::LoadOptions o;
  o.target = f.target;
  o.labels = f.labels;
  o.read_targets = read_targets;
  o.ignore = f.ignore;
  o.csv.header = !f.no_header;
  if (f.delimiter == "tab" || f.delimiter == "\\t")
    o.csv.delimiter = '\t';
  else if (f.delimiter.size() == 1)
    o.csv.delimiter = f.delimiter[0];
  else if (!f.delimiter.empty())
    throw InvalidArgument("--delimiter takes one character or 'tab', got '" + f.delimiter + "'");
  return o;
}

}  // namespace mlp::cli
