// Runs an ONNX model in ONNX Runtime (npm's onnxruntime-node) for the export tests:
//   node ort_run.js ORT_DIR MODEL.onnx INPUTS.json OUTPUTS.json
// INPUTS.json: {name: {"type": "float32"|"float64"|"string", "dims": [...], "data": [...]}}, null
// for NaN. OUTPUTS.json: {name: {"dims": [...], "data": [...]}} with int64 as numbers.
'use strict';
const fs = require('fs');
const path = require('path');

const [ortDir, modelPath, inputsPath, outputsPath] = process.argv.slice(2);
const ort = require(path.join(ortDir, 'node_modules', 'onnxruntime-node'));

(async () => {
  const spec = JSON.parse(fs.readFileSync(inputsPath, 'utf8'));
  const feeds = {};
  for (const [name, t] of Object.entries(spec)) {
    let data;
    if (t.type === 'float32') data = Float32Array.from(t.data, (v) => (v === null ? NaN : v));
    else if (t.type === 'float64') data = Float64Array.from(t.data, (v) => (v === null ? NaN : v));
    else data = t.data;
    feeds[name] = new ort.Tensor(t.type, data, t.dims);
  }
  const session = await ort.InferenceSession.create(modelPath);
  const results = await session.run(feeds);
  const out = {};
  for (const [name, t] of Object.entries(results))
    out[name] = {dims: t.dims, type: t.type, data: Array.from(t.data, (v) => (typeof v === 'bigint' ? Number(v) : v))};
  fs.writeFileSync(outputsPath, JSON.stringify(out));
})().catch((e) => {
  console.error('ort_run: ' + (e && e.message ? e.message : e));
  process.exit(1);
});
