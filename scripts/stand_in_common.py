"""What both stand-in exporters share (scripts/export-stand-in-packs.py, scripts/export-search-stand-ins.py):
Hugging Face's random initialisation, the multi-head reshapes, and how JSON files are written. A change here
re-exports both sets: test/main/engine/models/stand-ins.ts hashes this file with each script."""
import hashlib
import json
import os

from torch import nn


def init_weights(module):
    """Hugging Face's initialisation (normal 0.02, LayerNorm 1/0): random weights of a realistic scale. Bare
    parameters (position embeddings, class token, probe, in_proj, proj matrices) get normal 0.02 where created."""
    for m in module.modules():
        if isinstance(m, (nn.Linear, nn.Conv2d)):
            nn.init.normal_(m.weight, std=0.02)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, nn.Embedding):
            nn.init.normal_(m.weight, std=0.02)
        elif isinstance(m, nn.LayerNorm):
            nn.init.ones_(m.weight)
            nn.init.zeros_(m.bias)


def split_heads(x, heads):
    """[b, n, h*d] -> [b, h, n, d]"""
    b, n, c = x.shape
    return x.reshape(b, n, heads, c // heads).transpose(1, 2)


def merge_heads(x):
    """[b, h, n, d] -> [b, n, h*d]"""
    b, h, n, d = x.shape
    return x.transpose(1, 2).reshape(b, n, h * d)


def write_json(path, data):
    """UTF-8, indented, but a tokenizer.json on one line as Hugging Face writes it."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w', encoding='utf-8') as f:
        json.dump(data, f, ensure_ascii=False, indent=None if path.endswith('tokenizer.json') else 2)


def script_hash():
    """The SHA-256 of the running exporter followed by this module: what info.json records as "script"."""
    import __main__
    digest = hashlib.sha256()
    for path in (__main__.__file__, __file__):
        with open(path, 'rb') as f:
            digest.update(f.read())
    return digest.hexdigest()
