// mlp.cpp's front door: the model object and everything it is made of, in one include.
//
//   #include "mlp/mlp.h"
//   mlp::data::Loaded d = mlp::data::load("train.csv", {});      // a table: columns and labels
//   mlp::Pipeline model = mlp::Pipeline::fit(d.features, d.targets);
//   model.save("model.safetensors");
//   mlp::Predictions p = mlp::Pipeline::load("model.safetensors").predict(d.features);
//
// The layers, each including only those below it (docs/architecture.md): core (tensors, random
// numbers, products), nn (layers and the network), train (the loop and its stages), data (readers
// and preprocessing), formats (model files and checkpoints), pipeline (the model object), export
// (C source; ONNX in mlp/export/onnx.h, the mlp::onnx component) and tutorial.
#pragma once

#include "mlp/core/bf16.h"
#include "mlp/core/error.h"
#include "mlp/core/matmul.h"
#include "mlp/core/random.h"
#include "mlp/core/tensor.h"
#include "mlp/core/threads.h"
#include "mlp/core/version.h"
#include "mlp/nn/activation.h"
#include "mlp/nn/batch_norm.h"
#include "mlp/nn/dense.h"
#include "mlp/nn/dropout.h"
#include "mlp/nn/init.h"
#include "mlp/nn/loss.h"
#include "mlp/nn/model.h"
#include "mlp/nn/predictor.h"
#include "mlp/train/clip.h"
#include "mlp/train/communicator.h"
#include "mlp/train/dataset.h"
#include "mlp/train/metrics.h"
#include "mlp/train/optimizer.h"
#include "mlp/train/schedule.h"
#include "mlp/train/trainer.h"
#include "mlp/data/array.h"
#include "mlp/data/convert.h"
#include "mlp/data/csv.h"
#include "mlp/data/load.h"
#include "mlp/data/memory.h"
#include "mlp/data/preprocessor.h"
#include "mlp/data/scaler.h"
#include "mlp/formats/checkpoint.h"
#include "mlp/formats/model_file.h"
#include "mlp/formats/safetensors.h"
#include "mlp/pipeline/pipeline.h"
#include "mlp/export/c_export.h"
#include "mlp/tutorial/tutorial.h"
