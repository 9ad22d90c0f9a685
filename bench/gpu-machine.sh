#!/usr/bin/env bash
# The GPU benchmark for a machine with an NVIDIA GPU (issue 12): the real-size ViT-B/32 stand-in through
# onnxruntime on CUDA and WebGPU against the CPU provider, beside PyTorch's own fp32 throughput on the
# same model as the ceiling. Needs python3 with torch and torchvision, and this checkout with
# node_modules installed (npm ci); CUDA also needs `glimpse gpu install cuda` once.
#
#   bash bench/gpu-machine.sh            # writes .cache/bench/gpu-machine.json
set -euo pipefail
cd "$(dirname "$0")/.."
out=.cache/bench
mkdir -p "$out"
[ -f "$out/vit-b32/vision_model.onnx" ] || python3 bench/export-vit-b32.py "$out/vit-b32"
torch_json=$(python3 bench/torch-throughput.py --batches 1,32,128)
ort_json=$(npx tsx bench/devices.ts --model "$out/vit-b32/vision_model.onnx" --size 224 --batches 1,32,128 --providers cpu,cuda,webgpu --seconds 5)
printf '{"pytorch": %s, "onnxruntime": %s}\n' "$torch_json" "$ort_json" | tee "$out/gpu-machine.json"
