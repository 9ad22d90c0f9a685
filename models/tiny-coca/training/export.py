"""Exports a trained tiny-coca checkpoint as a Glimpse model pack in models/tiny-coca/.

The layout and tensor names follow the transformers.js CLIP exports (onnx/vision_model.onnx:
pixel_values -> image_embeds, last_hidden_state; onnx/text_model.onnx: input_ids -> text_embeds,
last_hidden_state) plus a captioning decoder (onnx/decoder_model.onnx: input_ids,
encoder_hidden_states -> logits), so the app's one loader serves the bundled and the downloaded packs.

    /usr/bin/python3 models/tiny-coca/training/export.py --checkpoint .cache/tiny-coca/checkpoint.pt --metrics .cache/tiny-coca/metrics.json
"""
import argparse
import hashlib
import json
import os
import shutil

import onnx
import torch
from torch import nn

from data import BOS, EOS, PAD, SPECIAL, UNK
from evaluate import load
from model import CONTEXT, EMBED_DIM, IMAGE_SIZE, MEAN, STD

PACK_DIR = os.path.normpath(os.path.join(os.path.dirname(__file__), '..'))


class Vision(nn.Module):
    def __init__(self, model):
        super().__init__()
        self.image = model.image

    def forward(self, pixel_values):
        return self.image(pixel_values)


class Text(nn.Module):
    def __init__(self, model):
        super().__init__()
        self.text = model.text

    def forward(self, input_ids):
        return self.text(input_ids)


class Decoder(nn.Module):
    def __init__(self, model):
        super().__init__()
        self.decoder = model.decoder

    def forward(self, input_ids, encoder_hidden_states):
        return self.decoder(input_ids, encoder_hidden_states)


def tokenizer_json(tokens):
    special = [{'id': i, 'content': t, 'single_word': False, 'lstrip': False, 'rstrip': False, 'normalized': False, 'special': True} for i, t in enumerate(SPECIAL)]
    bos, eos = SPECIAL[BOS], SPECIAL[EOS]
    return {
        'version': '1.0',
        'truncation': None,
        'padding': None,
        'added_tokens': special,
        # Lower-case, and turn punctuation into spaces so "circle." is the word "circle", not an unknown.
        'normalizer': {'type': 'Sequence', 'normalizers': [{'type': 'Lowercase'}, {'type': 'Replace', 'pattern': {'Regex': "[^a-z0-9' ]+"}, 'content': ' '}]},
        'pre_tokenizer': {'type': 'WhitespaceSplit'},
        'post_processor': {
            'type': 'TemplateProcessing',
            'single': [{'SpecialToken': {'id': bos, 'type_id': 0}}, {'Sequence': {'id': 'A', 'type_id': 0}}, {'SpecialToken': {'id': eos, 'type_id': 0}}],
            'pair': [{'SpecialToken': {'id': bos, 'type_id': 0}}, {'Sequence': {'id': 'A', 'type_id': 0}}, {'Sequence': {'id': 'B', 'type_id': 0}}, {'SpecialToken': {'id': eos, 'type_id': 0}}],
            'special_tokens': {bos: {'id': bos, 'ids': [BOS], 'tokens': [bos]}, eos: {'id': eos, 'ids': [EOS], 'tokens': [eos]}},
        },
        'decoder': {'type': 'WordPiece', 'prefix': '##', 'cleanup': True},
        # WordPiece with whole-word entries only: every known word is one token, anything else is [UNK].
        # (tokenizers.js reads WordPiece but not WordLevel.)
        'model': {'type': 'WordPiece', 'vocab': {t: i for i, t in enumerate(tokens)}, 'unk_token': SPECIAL[UNK],
                  'continuing_subword_prefix': '##', 'max_input_chars_per_word': 100},
    }


def sha256(path):
    h = hashlib.sha256()
    with open(path, 'rb') as f:
        for chunk in iter(lambda: f.read(1 << 20), b''):
            h.update(chunk)
    return h.hexdigest()


def export(module, args, path, inputs, outputs, dynamic):
    torch.onnx.export(module, args, path, input_names=inputs, output_names=outputs, dynamic_axes=dynamic, opset_version=14, do_constant_folding=True)
    onnx.checker.check_model(onnx.load(path))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--checkpoint', default='.cache/tiny-coca/checkpoint.pt')
    parser.add_argument('--metrics', default='.cache/tiny-coca/metrics.json')
    args = parser.parse_args()
    model, vocab = load(args.checkpoint)
    onnx_dir = os.path.join(PACK_DIR, 'onnx')
    os.makedirs(onnx_dir, exist_ok=True)

    pixels = torch.randn(2, 3, IMAGE_SIZE, IMAGE_SIZE)
    ids = torch.tensor([vocab.encode('a red circle on grass'), vocab.encode('two blue stars')])
    export(Vision(model), (pixels,), os.path.join(onnx_dir, 'vision_model.onnx'), ['pixel_values'], ['image_embeds', 'last_hidden_state'],
           {'pixel_values': {0: 'batch'}, 'image_embeds': {0: 'batch'}, 'last_hidden_state': {0: 'batch'}})
    export(Text(model), (ids,), os.path.join(onnx_dir, 'text_model.onnx'), ['input_ids'], ['text_embeds', 'last_hidden_state'],
           {'input_ids': {0: 'batch', 1: 'sequence'}, 'text_embeds': {0: 'batch'}, 'last_hidden_state': {0: 'batch', 1: 'sequence'}})
    with torch.no_grad():
        _, tokens = model.image(pixels)
    export(Decoder(model), (ids[:, :5], tokens), os.path.join(onnx_dir, 'decoder_model.onnx'), ['input_ids', 'encoder_hidden_states'], ['logits'],
           {'input_ids': {0: 'batch', 1: 'sequence'}, 'encoder_hidden_states': {0: 'batch'}, 'logits': {0: 'batch', 1: 'sequence'}})
    model.eval()  # torch.onnx.export restores the wrappers' training mode

    with open(os.path.join(PACK_DIR, 'tokenizer.json'), 'w') as f:
        json.dump(tokenizer_json(vocab.tokens), f, indent=1)
    with open(os.path.join(PACK_DIR, 'preprocessor_config.json'), 'w') as f:
        json.dump({'do_resize': True, 'size': {'height': IMAGE_SIZE, 'width': IMAGE_SIZE}, 'do_center_crop': False, 'do_normalize': True,
                   'image_mean': list(MEAN), 'image_std': list(STD), 'resample': 3, 'glimpse_resize_mode': 'squash'}, f, indent=1)
    metrics = {}
    if os.path.exists(args.metrics):
        with open(args.metrics) as f:
            metrics = json.load(f)
        shutil.copy(args.metrics, os.path.join(PACK_DIR, 'metrics.json'))

    files = ['onnx/vision_model.onnx', 'onnx/text_model.onnx', 'onnx/decoder_model.onnx', 'tokenizer.json', 'preprocessor_config.json']
    manifest = {
        'format': 1,
        'id': 'tiny-coca',
        # The name and description are what users read (Settings, glimpse models): what the pack does, not how it was made.
        'name': 'tiny-coca',
        'description': "Comes with Glimpse: a small model that knows only coloured shapes (the sample library's world), "
                       'so search and captions work offline from the first minute. For your own photos, download a model that knows photographs.',
        'licence': 'MIT',
        'source': {'url': 'models/tiny-coca/MODEL_CARD.md', 'revision': 'trained in this repository'},
        'embeddingDim': EMBED_DIM,
        'logitScale': metrics.get('logit_scale', float(model.logit_scale.exp())),
        'image': {'file': files[0], 'input': 'pixel_values', 'embeddingOutput': 'image_embeds', 'tokensOutput': 'last_hidden_state',
                  'size': IMAGE_SIZE, 'resize': 'squash', 'mean': list(MEAN), 'std': list(STD)},
        'text': {'file': files[1], 'tokenizer': 'tokenizer.json', 'input': 'input_ids', 'embeddingOutput': 'text_embeds',
                 'contextLength': CONTEXT, 'padTokenId': PAD, 'idType': 'int64', 'languages': ['en'], 'scripts': ['Latin']},
        'captioner': {'kind': 'shared-encoder', 'decoder': files[2], 'tokenizer': 'tokenizer.json', 'inputIds': 'input_ids',
                      'encoderHiddenStates': 'encoder_hidden_states', 'logits': 'logits', 'bosTokenId': BOS, 'eosTokenId': EOS,
                      'maxLength': CONTEXT, 'numBeams': 1},
        'files': [{'path': p, 'size': os.path.getsize(os.path.join(PACK_DIR, p)), 'sha256': sha256(os.path.join(PACK_DIR, p))} for p in files],
    }
    with open(os.path.join(PACK_DIR, 'glimpse-pack.json'), 'w') as f:
        json.dump(manifest, f, indent=2)
        f.write('\n')
    print(json.dumps(manifest['files'], indent=1))


if __name__ == '__main__':
    main()
