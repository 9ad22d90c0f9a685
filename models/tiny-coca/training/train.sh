#!/usr/bin/env bash
# Rebuilds the bundled tiny-coca pack from scratch (about 50 minutes on 2 CPU cores):
# synthetic dataset -> training -> held-out evaluation -> ONNX export into models/tiny-coca/.
# Needs Debian's python3-torch, python3-onnx and libopenblas0-pthread (CI never runs this).
set -euo pipefail
cd "$(dirname "$0")/../../.."
data=.cache/tiny-coca-data
out=.cache/tiny-coca
[ -f "$data/READY" ] || npx tsx models/tiny-coca/training/make-dataset.ts "$data" 60000 2000
/usr/bin/python3 models/tiny-coca/training/train.py --data "$data" --out "$out"
/usr/bin/python3 models/tiny-coca/training/evaluate.py --data "$data" --checkpoint "$out/checkpoint.pt" --out "$out/metrics.json"
/usr/bin/python3 models/tiny-coca/training/export.py --checkpoint "$out/checkpoint.pt" --metrics "$out/metrics.json"
npx tsx models/tiny-coca/training/calibrate-captions.ts
