"""Exports a real-size stand-in image encoder for the benchmark: torchvision's ViT-B/32 architecture
(88M parameters, about 4.4 GFLOPs per 224x224 image) with random weights, so throughput is measured
at the real model's cost. Never committed; `npm run bench` runs this once into .cache/bench/.

    /usr/bin/python3 bench/export-vit-b32.py .cache/bench/vit-b32
"""
import json
import os
import sys

import torch
from torchvision.models import vit_b_32


class Encoder(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.vit = vit_b_32()
        self.vit.heads = torch.nn.Identity()
        self.proj = torch.nn.Linear(768, 512, bias=False)

    def forward(self, pixel_values):
        return self.proj(self.vit(pixel_values))


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(0)
    model = Encoder().eval()
    path = os.path.join(out, 'vision_model.onnx')
    torch.onnx.export(model, (torch.randn(1, 3, 224, 224),), path, input_names=['pixel_values'], output_names=['image_embeds'],
                      dynamic_axes={'pixel_values': {0: 'batch'}, 'image_embeds': {0: 'batch'}}, opset_version=14)
    with open(os.path.join(out, 'info.json'), 'w') as f:
        json.dump({'parameters': sum(p.numel() for p in model.parameters()), 'input': 'pixel_values', 'output': 'image_embeds', 'size': 224}, f)
    print(path)


if __name__ == '__main__':
    main()
