// mlpcpp._mlpcpp: mlp::Pipeline for Python, the layer under the estimators in python/mlpcpp/.
// Numbers in (numpy arrays viewed without a copy, or a table's columns), numbers out; everything
// about the model itself is the library's. The GIL is released while the library trains or
// predicts; between batches, training briefly takes it back to let Ctrl-C stop it.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <chrono>
#include <cstring>
#include <string>
#include <vector>

#include "mlp/data/memory.h"
#include "mlp/core/error.h"
#include "mlp/core/matmul.h"
#include "core/format.h"
#include "mlp/pipeline/pipeline.h"
#include "pipeline/option_values.h"
#include "mlp/core/threads.h"
#include "mlp/core/version.h"

namespace py = pybind11;

namespace {

// The library's element type for a numpy dtype; throws TypeError for one it does not keep.
mlp::data::DType element_type(const py::dtype& dt) {
  using mlp::data::DType;
  const char kind = dt.kind();
  const auto size = dt.itemsize();
  if (kind == 'f' && size == 4) return DType::f32;
  if (kind == 'f' && size == 8) return DType::f64;
  if (kind == 'b') return DType::boolean;
  if (kind == 'u' || kind == 'i') {
    const bool u = kind == 'u';
    switch (size) {
      case 1: return u ? DType::u8 : DType::i8;
      case 2: return u ? DType::u16 : DType::i16;
      case 4: return u ? DType::u32 : DType::i32;
      case 8: return u ? DType::u64 : DType::i64;
    }
  }
  throw py::type_error("features of dtype " + py::str(static_cast<const py::handle&>(dt)).cast<std::string>() +
                       " are not supported; give float32 or float64 (or integer) numbers");
}

// A 2-D C-contiguous array in native byte order, viewed without a copy. The caller keeps the
// array alive (and unchanged) while the frame is used.
mlp::data::Frame array_features(const py::array& a) {
  if (a.ndim() != 2) throw py::value_error("features must be a 2-D array, got " + std::to_string(a.ndim()) + " dimensions");
  if (!(a.flags() & py::array::c_style))
    throw py::value_error("features must be a C-contiguous array (numpy.ascontiguousarray)");
  if (a.dtype().byteorder() == '>') throw py::value_error("features must be in native byte order");
  const mlp::data::DType dtype = element_type(a.dtype());
  const auto rows = static_cast<std::size_t>(a.shape(0)), cols = static_cast<std::size_t>(a.shape(1));
  return mlp::data::array_frame(mlp::data::Array::view(dtype, rows, cols, a.data()), "X");
}

// A table: a list of (name, column) pairs, each column a float64 array (NaN where missing) or a
// list of str ("" where missing). Copied into the library's table.
mlp::data::Frame table_features(const py::list& columns) {
  std::vector<mlp::data::Column> out;
  for (const py::handle item : columns) {
    auto pair = item.cast<py::tuple>();
    if (pair.size() != 2) throw py::type_error("a table column is a (name, values) pair");
    mlp::data::Column c;
    c.name = pair[0].cast<std::string>();
    if (py::isinstance<py::array>(pair[1])) {
      auto values = py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(pair[1]);
      if (!values || values.ndim() != 1) throw py::type_error("column '" + c.name + "': numbers must be a 1-D array");
      c.numbers.assign(values.data(), values.data() + values.size());
    } else {
      c.numeric = false;
      c.text = pair[1].cast<std::vector<std::string>>();
    }
    out.push_back(std::move(c));
  }
  return mlp::data::table_frame(std::move(out), "X");
}

mlp::data::Frame features(const py::handle& x) {
  if (py::isinstance<py::array>(x)) return array_features(py::reinterpret_borrow<py::array>(x));
  if (py::isinstance<py::list>(x)) return table_features(py::reinterpret_borrow<py::list>(x));
  throw py::type_error("features must be a numpy array or a list of (name, column) pairs");
}

// Targets: float64 numbers, 1-D (one per row) or 2-D (rows, outputs), or a list of str labels.
mlp::data::Targets targets(const py::handle& y) {
  if (py::isinstance<py::array>(y)) {
    auto a = py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(y);
    if (!a || a.ndim() < 1 || a.ndim() > 2) throw py::value_error("targets must be a 1-D or 2-D array of numbers");
    const std::size_t cols = a.ndim() == 2 ? static_cast<std::size_t>(a.shape(1)) : 1;
    return mlp::data::number_targets(std::vector<double>(a.data(), a.data() + a.size()), cols, "y");
  }
  return mlp::data::text_targets(y.cast<std::vector<std::string>>(), "y");
}

// Class names: str as they are, numbers as the library names numeric labels ("3", "2.5").
std::vector<std::string> class_names(const py::handle& classes) {
  if (py::isinstance<py::array>(classes)) {
    auto a = py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(classes);
    std::vector<std::string> names;
    for (py::ssize_t i = 0; i < a.size(); ++i) names.push_back(mlp::format_label(a.data()[i]));
    return names;
  }
  return classes.cast<std::vector<std::string>>();
}

// Between batches, at most every 20 ms: takes the GIL and runs Python's signal handlers; a
// KeyboardInterrupt (or any exception they raise) stops training as a C++ exception that carries
// the Python error back out.
struct SignalCheck {
  std::chrono::steady_clock::time_point last = std::chrono::steady_clock::now();
  void operator()() {
    const auto now = std::chrono::steady_clock::now();
    if (now - last < std::chrono::milliseconds(20)) return;
    last = now;
    py::gil_scoped_acquire gil;
    if (PyErr_CheckSignals() != 0) throw py::error_already_set();
  }
};

template <typename T>
struct is_optional : std::false_type {};
template <typename T>
struct is_optional<std::optional<T>> : std::true_type {};

// One option's Python value: numbers, bools, strings and lists of widths as they are, class
// names as class_names reads them, every other type by its name ("relu,tanh", "huber:1.5").
template <typename T>
void assign_option(T& field, const py::handle& value) {
  if constexpr (is_optional<T>::value) {
    typename T::value_type v{};
    assign_option(v, value);
    field = std::move(v);
  } else if constexpr (std::is_arithmetic_v<T> || std::is_same_v<T, std::string> ||
                       std::is_same_v<T, std::vector<std::size_t>>) {
    field = value.cast<T>();
  } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
    field = class_names(value);
  } else {
    mlp::parse_option_value(value.cast<std::string>(), field);
  }
}

// Python options (a dict keyed by the names of mlp::visit_options that are Python keywords) into
// PipelineOptions; None leaves an option at its default, an unknown name is a ValueError.
// `on_epoch`, when given, is called with (epoch, train_loss, val_loss) after each epoch, holding
// the GIL; returning False stops training. The dict must outlive the options.
mlp::PipelineOptions pipeline_options(const py::dict& d) {
  mlp::PipelineOptions o;
  for (const auto& [key, value] : d) {
    const auto k = key.cast<std::string>();
    if (value.is_none()) continue;
    if (k == "on_epoch") {
      // A handle, not an owning object: the options dict keeps the function alive through the
      // call, and copies of the callback made without the GIL must not touch reference counts.
      py::handle fn = value;
      o.callbacks.on_epoch_end = [fn](const mlp::EpochStats& e) {
        py::gil_scoped_acquire gil;
        py::object keep = fn(e.epoch, e.train_loss, e.val_loss);
        return keep.is_none() || keep.cast<bool>();
      };
      continue;
    }
    bool known = false;
    mlp::visit_options(o, [&](const mlp::OptionInfo& info, auto& field) {
      if (!info.python || info.name != k) return;
      known = true;
      assign_option(field, value);
    });
    if (!known) throw py::value_error("unknown option '" + k + "'");
  }
  return o;
}

// Runs fit or fit_more without the GIL, with the signal check between batches.
template <typename Fn>
void train_without_gil(mlp::PipelineOptions& o, Fn fn) {
  SignalCheck check;
  o.callbacks.on_batch_end = [&check](const mlp::BatchStats&) { check(); };
  py::gil_scoped_release release;
  fn();
}

py::list history(const mlp::Pipeline& p) {
  py::list out;
  for (const mlp::EpochStats& e : p.fit_report().history) {
    py::dict metrics;
    for (const auto& [name, value] : e.val_metrics) metrics[py::str(name)] = value;
    py::dict epoch;
    epoch["epoch"] = e.epoch;
    epoch["train_loss"] = e.train_loss;
    epoch["val_loss"] = e.val_loss;
    epoch["val_metrics"] = metrics;
    epoch["lr"] = e.lr;
    epoch["seconds"] = e.seconds;
    out.append(epoch);
  }
  return out;
}

template <typename T>
py::array_t<T> matrix_array(std::size_t rows, std::size_t cols, const T* values) {
  py::array_t<T> a({static_cast<py::ssize_t>(rows), static_cast<py::ssize_t>(cols)});
  if (rows * cols > 0) std::memcpy(a.mutable_data(), values, rows * cols * sizeof(T));
  return a;
}

}  // namespace

PYBIND11_MODULE(_mlpcpp, m) {
  m.doc() = "mlp.cpp's model object (mlp::Pipeline); use the estimators in mlpcpp";
  m.attr("__version__") = mlp::version();

  // The library's errors carry messages a user can act on; Python sees them as ValueError.
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const mlp::Error& e) {
      PyErr_SetString(PyExc_ValueError, e.what());
    }
  });

  m.def("set_threads", &mlp::set_threads, py::arg("n"),
        "Threads for the library's matrix products (OpenBLAS, oneDNN), process-wide");
  m.def("threads", &mlp::threads, "The library's current thread setting");
  m.def("bf16_products", &mlp::bf16_products,
        "Whether this CPU runs bfloat16 products natively (dtype='bfloat16' trains in float32 elsewhere)");

  py::class_<mlp::Pipeline>(m, "Pipeline", "A whole trained model: preprocessing, network, classes")
      .def_static(
          "fit",
          [](const py::handle& x, const py::handle& y, const py::dict& options) {
            mlp::data::Frame frame = features(x);
            mlp::data::Targets t = targets(y);
            mlp::PipelineOptions o = pipeline_options(options);
            std::optional<mlp::Pipeline> p;
            train_without_gil(o, [&] { p.emplace(mlp::Pipeline::fit(frame, t, o)); });
            return std::move(*p);
          },
          py::arg("x"), py::arg("y"), py::arg("options") = py::dict())
      .def(
          "fit_more",
          [](mlp::Pipeline& self, const py::handle& x, const py::handle& y, const py::dict& options) {
            mlp::data::Frame frame = features(x);
            mlp::data::Targets t = targets(y);
            mlp::PipelineOptions o = pipeline_options(options);
            train_without_gil(o, [&] { self.fit_more(frame, t, o); });
          },
          py::arg("x"), py::arg("y"), py::arg("options") = py::dict())
      .def(
          "predict",
          [](const mlp::Pipeline& self, const py::handle& x) -> py::object {
            mlp::data::Frame frame = features(x);
            mlp::Predictions p;
            {
              py::gil_scoped_release release;
              p = self.predict(frame);
            }
            if (!self.classification()) return matrix_array<double>(p.rows, p.cols, p.values.data());
            py::array_t<std::int64_t> classes(static_cast<py::ssize_t>(p.rows));
            for (std::size_t r = 0; r < p.rows; ++r) classes.mutable_data()[r] = static_cast<std::int64_t>(p.classes[r]);
            return classes;
          },
          py::arg("x"), "Regression: the outputs (rows, outputs); classification: each row's class index")
      .def(
          "predict_proba",
          [](const mlp::Pipeline& self, const py::handle& x) {
            mlp::data::Frame frame = features(x);
            mlp::Matrix<double> p;
            {
              py::gil_scoped_release release;
              p = self.predict_proba(frame);
            }
            return matrix_array<double>(p.rows(), p.cols(), p.data());
          },
          py::arg("x"))
      .def("serialize", [](const mlp::Pipeline& self) { return py::bytes(self.serialize()); },
           "The model file's bytes (safetensors)")
      .def_static(
          "deserialize",
          [](const py::bytes& b) {
            char* data = nullptr;
            Py_ssize_t size = 0;
            if (PyBytes_AsStringAndSize(b.ptr(), &data, &size) != 0) throw py::error_already_set();
            py::gil_scoped_release release;
            return mlp::Pipeline::deserialize(std::string_view(data, static_cast<std::size_t>(size)));
          },
          py::arg("data"))
      .def_static(
          "load",
          [](const std::string& path) {
            py::gil_scoped_release release;
            return mlp::Pipeline::load(path);
          },
          py::arg("path"))
      .def(
          "save",
          [](const mlp::Pipeline& self, const std::string& path) {
            py::gil_scoped_release release;
            self.save(path);
          },
          py::arg("path"))
      .def_property_readonly("classification", &mlp::Pipeline::classification)
      .def_property_readonly("classes", &mlp::Pipeline::classes, "The class names, in the order of the outputs")
      .def_property_readonly("sizes", [](const mlp::Pipeline& self) { return self.description().config.sizes; },
                             "Layer widths: inputs (encoded features), hidden layers, outputs")
      .def_property_readonly("feature_names", [](const mlp::Pipeline& self) { return self.description().feature_names; },
                             "The input columns' names (empty for a model trained on an array)")
      .def_property_readonly("dtype", [](const mlp::Pipeline& self) {
        return self.precision() == mlp::Precision::f64 ? "float64" : "float32";
      })
      .def_property_readonly("history", &history, "The last fit's epochs: train_loss, val_loss, val_metrics, lr, seconds")
      .def_property_readonly("best_epoch", [](const mlp::Pipeline& self) { return self.fit_report().best_epoch; })
      .def_property_readonly("stopped_early", [](const mlp::Pipeline& self) { return self.fit_report().stopped_early; })
      .def_property_readonly("layers", &mlp::Pipeline::layers)
      .def(
          "weight",
          [](const mlp::Pipeline& self, std::size_t layer) {
            mlp::Matrix<double> w = self.weight(layer);
            return matrix_array<double>(w.rows(), w.cols(), w.data());
          },
          py::arg("layer"), "Layer `layer`'s weight (out, in)")
      .def(
          "bias",
          [](const mlp::Pipeline& self, std::size_t layer) {
            std::vector<double> b = self.bias(layer);
            return matrix_array<double>(1, b.size(), b.data()).attr("reshape")(-1);
          },
          py::arg("layer"))
      .def("info_json", &mlp::Pipeline::info_json, "What `mlp info --json` prints");
}
