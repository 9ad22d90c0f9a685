"""The ceiling for the GPU benchmark: PyTorch's own fp32 throughput on the same ViT-B/32 stand-in that
bench/export-vit-b32.py exports (same architecture, same random weights by seed), on CUDA when present.

    python3 bench/torch-throughput.py --batches 1,32,128 --seconds 5

Prints one JSON line: device, and images/s per batch size.
"""
import argparse
import importlib.util
import json
import os
import time

import torch

spec = importlib.util.spec_from_file_location('export_vit_b32', os.path.join(os.path.dirname(__file__), 'export-vit-b32.py'))
export_vit_b32 = importlib.util.module_from_spec(spec)
spec.loader.exec_module(export_vit_b32)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--batches', default='1,32,128')
    parser.add_argument('--seconds', type=float, default=5.0)
    args = parser.parse_args()
    device = 'cuda' if torch.cuda.is_available() else 'cpu'
    torch.manual_seed(0)
    model = export_vit_b32.Encoder().eval().to(device)
    result = {'device': torch.cuda.get_device_name(0) if device == 'cuda' else 'cpu', 'torch': torch.__version__, 'imagesPerSecond': {}}
    with torch.no_grad():
        for batch in [int(b) for b in args.batches.split(',')]:
            x = torch.randn(batch, 3, 224, 224, device=device)
            model(x)  # warm-up (cuDNN picks its kernels here)
            if device == 'cuda':
                torch.cuda.synchronize()
            images, started = 0, time.perf_counter()
            while time.perf_counter() - started < args.seconds or images == 0:
                model(x)
                images += batch
            if device == 'cuda':
                torch.cuda.synchronize()
            result['imagesPerSecond'][batch] = images / (time.perf_counter() - started)
    print(json.dumps(result))


if __name__ == '__main__':
    main()
