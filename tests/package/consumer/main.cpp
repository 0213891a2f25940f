// A program linked against mlp.cpp: fits the model object on a table made here (a number and a
// category) and prints the version and the training accuracy.
#include <cstdio>
#include <fstream>
#include <string>

#include "mlp/mlp.h"

int main(int argc, char** argv) {
  const std::string path = argc > 1 ? argv[1] : "consumer_data.csv";
  {
    std::ofstream csv(path);
    csv << "x,colour,label\n";
    for (int i = 0; i < 200; ++i)
      csv << (i % 7) - 3 << "," << (i % 2 ? "red" : "blue") << "," << ((i % 7) - 3 > 0 || i % 2 ? "yes" : "no") << "\n";
  }
  mlp::data::Loaded d = mlp::data::load(path, {});
  mlp::PipelineOptions options;
  options.epochs = 50;
  mlp::Pipeline model = mlp::Pipeline::fit(d.features, d.targets, options);
  mlp::EvaluationReport r = model.evaluate(d.features, d.targets);
  std::printf("mlp %s accuracy %.3f\n", mlp::version(), r.classification->accuracy);
  return r.classification->accuracy > 0.9 ? 0 : 1;
}
