"""Stand-in packs: the real layout of the clip-vit-b32 pack (Xenova/clip-vit-base-patch32 for search,
Xenova/vit-gpt2-image-captioning for captions) with real-size architectures and RANDOM weights, so the
download -> verify -> switch -> index -> search -> caption path runs at the real models' cost and with
their real tensor names and shapes, without the real weights (which this project's machines cannot
fetch). Never committed: the end-to-end test (test/main/engine/models/stand-in-pack.test.ts) runs this
once into .cache/stand-in-packs/ when that folder is missing.

    /usr/bin/python3 scripts/export-stand-in-packs.py .cache/stand-in-packs

Needs Debian's python3-torch, python3-onnx (torchvision is not used). Writes, following each repository's layout:

  clip-vit-base-patch32/onnx/vision_model.onnx   pixel_values f32 [n,3,224,224] -> image_embeds [n,512], last_hidden_state [n,50,768]
  clip-vit-base-patch32/onnx/text_model.onnx     input_ids i64 [n,seq<=77] (no attention_mask) -> text_embeds [n,512], last_hidden_state
  clip-vit-base-patch32/{tokenizer,tokenizer_config,preprocessor_config}.json
  vit-gpt2-image-captioning/onnx/encoder_model.onnx   pixel_values f32 [n,3,224,224] -> last_hidden_state [n,197,768]
  vit-gpt2-image-captioning/onnx/decoder_model.onnx   input_ids i64 [n,seq], encoder_hidden_states -> logits [n,seq,50257], present.{0..11}.key/value
  vit-gpt2-image-captioning/onnx/decoder_model_merged.onnx   + use_cache_branch bool [1], past_key_values.{0..11}.key/value
        [n,12,past,64]: one If node on use_cache_branch (then: the with-past graph, else: the no-past graph),
        the two graphs' initializers shared (stored once), as Optimum's merge lays it out
  vit-gpt2-image-captioning/{tokenizer,tokenizer_config,preprocessor_config}.json
  info.json   sizes, parameter counts and the export time

The tokenizers are SUBSTITUTES: byte-level BPE tokenizer.json files of the real type, special tokens,
ids and vocabulary size (CLIP 49408 with `</w>` word ends and lower-casing; GPT-2 50257 with <|endoftext|>
at 50256), whose merges are synthetic letter n-grams instead of the learned ones.
"""
import hashlib
import json
import math
import os
import sys
import time

import onnx
import torch
from onnx import TensorProto, helper
from torch import nn

from stand_in_common import init_weights, merge_heads, script_hash, split_heads, write_json

OPSET = 14


def attend(q, k, v, mask=None):
    scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(q.shape[-1])
    if mask is not None:
        scores = scores.masked_fill(~mask, torch.finfo(scores.dtype).min)
    return torch.matmul(torch.softmax(scores, dim=-1), v)


# ---- CLIP ViT-B/32 (transformers' CLIPVisionModelWithProjection / CLIPTextModelWithProjection) ----


def quick_gelu(x):
    return x * torch.sigmoid(1.702 * x)


class ClipAttention(nn.Module):
    def __init__(self, width, heads):
        super().__init__()
        self.heads = heads
        self.q_proj = nn.Linear(width, width)
        self.k_proj = nn.Linear(width, width)
        self.v_proj = nn.Linear(width, width)
        self.out_proj = nn.Linear(width, width)

    def forward(self, x, mask=None):
        q, k, v = (split_heads(p(x), self.heads) for p in (self.q_proj, self.k_proj, self.v_proj))
        return self.out_proj(merge_heads(attend(q, k, v, mask)))


class ClipMlp(nn.Module):
    def __init__(self, width, hidden):
        super().__init__()
        self.fc1 = nn.Linear(width, hidden)
        self.fc2 = nn.Linear(hidden, width)

    def forward(self, x):
        return self.fc2(quick_gelu(self.fc1(x)))


class ClipLayer(nn.Module):
    def __init__(self, width, heads):
        super().__init__()
        self.layer_norm1 = nn.LayerNorm(width)
        self.self_attn = ClipAttention(width, heads)
        self.layer_norm2 = nn.LayerNorm(width)
        self.mlp = ClipMlp(width, width * 4)

    def forward(self, x, mask=None):
        x = x + self.self_attn(self.layer_norm1(x), mask)
        return x + self.mlp(self.layer_norm2(x))


class ClipEncoder(nn.Module):
    def __init__(self, width, heads, layers):
        super().__init__()
        self.layers = nn.ModuleList([ClipLayer(width, heads) for _ in range(layers)])

    def forward(self, x, mask=None):
        for layer in self.layers:
            x = layer(x, mask)
        return x


class ClipVisionEmbeddings(nn.Module):
    def __init__(self, width=768, patch=32, size=224):
        super().__init__()
        self.class_embedding = nn.Parameter(torch.randn(width) * 0.02)
        self.patch_embedding = nn.Conv2d(3, width, patch, stride=patch, bias=False)
        self.position_embedding = nn.Embedding((size // patch) ** 2 + 1, width)

    def forward(self, pixel_values):
        patches = self.patch_embedding(pixel_values).flatten(2).transpose(1, 2)
        cls = self.class_embedding.expand(pixel_values.shape[0], 1, -1)
        return torch.cat([cls, patches], dim=1) + self.position_embedding.weight.unsqueeze(0)


class ClipVisionTransformer(nn.Module):
    def __init__(self):
        super().__init__()
        self.embeddings = ClipVisionEmbeddings()
        self.pre_layrnorm = nn.LayerNorm(768)
        self.encoder = ClipEncoder(768, 12, 12)
        self.post_layernorm = nn.LayerNorm(768)


class ClipVision(nn.Module):
    """pixel_values -> image_embeds (projected, not normalised), last_hidden_state."""

    def __init__(self):
        super().__init__()
        self.vision_model = ClipVisionTransformer()
        self.visual_projection = nn.Linear(768, 512, bias=False)

    def forward(self, pixel_values):
        vm = self.vision_model
        hidden = vm.encoder(vm.pre_layrnorm(vm.embeddings(pixel_values)))
        pooled = vm.post_layernorm(hidden[:, 0, :])
        return self.visual_projection(pooled), hidden


class ClipTextEmbeddings(nn.Module):
    def __init__(self, vocab=49408, width=512, context=77):
        super().__init__()
        self.token_embedding = nn.Embedding(vocab, width)
        self.position_embedding = nn.Embedding(context, width)

    def forward(self, input_ids):
        seq = input_ids.shape[1]
        return self.token_embedding(input_ids) + self.position_embedding.weight[:seq].unsqueeze(0)


class ClipTextTransformer(nn.Module):
    def __init__(self):
        super().__init__()
        self.embeddings = ClipTextEmbeddings()
        self.encoder = ClipEncoder(512, 8, 12)
        self.final_layer_norm = nn.LayerNorm(512)


class ClipText(nn.Module):
    """input_ids -> text_embeds (pooled at the end token: the argmax of the ids, as CLIP's 49407 is the
    largest id), last_hidden_state. Causal mask, no padding mask: the export has no attention_mask."""

    def __init__(self):
        super().__init__()
        self.text_model = ClipTextTransformer()
        self.text_projection = nn.Linear(512, 512, bias=False)

    def forward(self, input_ids):
        tm = self.text_model
        seq = input_ids.shape[1]
        causal = torch.ones(seq, seq, dtype=torch.bool).tril().view(1, 1, seq, seq)
        hidden = tm.final_layer_norm(tm.encoder(tm.embeddings(input_ids), causal))
        pooled = hidden[torch.arange(hidden.shape[0]), input_ids.argmax(dim=-1)]
        return self.text_projection(pooled), hidden


# ---- vit-gpt2: ViT-Base/16 encoder, GPT-2 124M decoder with cross-attention ----


class VitSelfAttention(nn.Module):
    def __init__(self):
        super().__init__()
        self.query = nn.Linear(768, 768)
        self.key = nn.Linear(768, 768)
        self.value = nn.Linear(768, 768)


class VitAttention(nn.Module):
    def __init__(self):
        super().__init__()
        self.attention = VitSelfAttention()
        self.output = nn.Module()
        self.output.dense = nn.Linear(768, 768)

    def forward(self, x):
        a = self.attention
        q, k, v = (split_heads(p(x), 12) for p in (a.query, a.key, a.value))
        return self.output.dense(merge_heads(attend(q, k, v)))


class VitLayer(nn.Module):
    def __init__(self):
        super().__init__()
        self.layernorm_before = nn.LayerNorm(768, eps=1e-12)
        self.attention = VitAttention()
        self.layernorm_after = nn.LayerNorm(768, eps=1e-12)
        self.intermediate = nn.Module()
        self.intermediate.dense = nn.Linear(768, 3072)
        self.output = nn.Module()
        self.output.dense = nn.Linear(3072, 768)

    def forward(self, x):
        x = x + self.attention(self.layernorm_before(x))
        return x + self.output.dense(nn.functional.gelu(self.intermediate.dense(self.layernorm_after(x))))


class VitEncoder(nn.Module):
    """transformers' ViTModel as the encoder of VisionEncoderDecoder: pixel_values -> last_hidden_state [n,197,768]."""

    def __init__(self):
        super().__init__()
        self.embeddings = nn.Module()
        self.embeddings.cls_token = nn.Parameter(torch.randn(1, 1, 768) * 0.02)
        self.embeddings.position_embeddings = nn.Parameter(torch.randn(1, 197, 768) * 0.02)
        self.embeddings.patch_embeddings = nn.Module()
        self.embeddings.patch_embeddings.projection = nn.Conv2d(3, 768, 16, stride=16)
        self.encoder = nn.Module()
        self.encoder.layer = nn.ModuleList([VitLayer() for _ in range(12)])
        self.layernorm = nn.LayerNorm(768, eps=1e-12)

    def forward(self, pixel_values):
        e = self.embeddings
        patches = e.patch_embeddings.projection(pixel_values).flatten(2).transpose(1, 2)
        x = torch.cat([e.cls_token.expand(pixel_values.shape[0], -1, -1), patches], dim=1) + e.position_embeddings
        for layer in self.encoder.layer:
            x = layer(x)
        return self.layernorm(x)


class Conv1D(nn.Module):
    """GPT-2's linear layer (weight stored [in, out])."""

    def __init__(self, n_in, n_out):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(n_in, n_out) * 0.02)
        self.bias = nn.Parameter(torch.zeros(n_out))

    def forward(self, x):
        return torch.matmul(x, self.weight) + self.bias


def gelu_new(x):
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))


class Gpt2Attention(nn.Module):
    def __init__(self, cross=False):
        super().__init__()
        self.cross = cross
        if cross:
            self.q_attn = Conv1D(768, 768)
            self.c_attn = Conv1D(768, 2 * 768)
        else:
            self.c_attn = Conv1D(768, 3 * 768)
            self.register_buffer('bias', torch.ones(1024, 1024, dtype=torch.bool).tril().view(1, 1, 1024, 1024), persistent=False)
        self.c_proj = Conv1D(768, 768)

    def forward(self, x, past=None, encoder_hidden_states=None):
        if self.cross:
            q = split_heads(self.q_attn(x), 12)
            k, v = (split_heads(t, 12) for t in self.c_attn(encoder_hidden_states).split(768, dim=2))
            return self.c_proj(merge_heads(attend(q, k, v))), None
        q, k, v = (split_heads(t, 12) for t in self.c_attn(x).split(768, dim=2))
        if past is not None:
            k = torch.cat([past[0], k], dim=-2)
            v = torch.cat([past[1], v], dim=-2)
        q_len, k_len = q.shape[-2], k.shape[-2]
        mask = self.bias[:, :, k_len - q_len : k_len, :k_len]
        return self.c_proj(merge_heads(attend(q, k, v, mask))), (k, v)


class Gpt2Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.ln_1 = nn.LayerNorm(768)
        self.attn = Gpt2Attention()
        self.ln_cross_attn = nn.LayerNorm(768)
        self.crossattention = Gpt2Attention(cross=True)
        self.ln_2 = nn.LayerNorm(768)
        self.mlp = nn.Module()
        self.mlp.c_fc = Conv1D(768, 3072)
        self.mlp.c_proj = Conv1D(3072, 768)

    def forward(self, x, past, encoder_hidden_states):
        a, present = self.attn(self.ln_1(x), past)
        x = x + a
        x = x + self.crossattention(self.ln_cross_attn(x), encoder_hidden_states=encoder_hidden_states)[0]
        x = x + self.mlp.c_proj(gelu_new(self.mlp.c_fc(self.ln_2(x))))
        return x, present


class Gpt2Decoder(nn.Module):
    """transformers' GPT2LMHeadModel with add_cross_attention (the vit-gpt2 decoder): 12 layers, 12 heads,
    768 wide, vocabulary 50257, the LM head tied to the token embedding."""

    def __init__(self):
        super().__init__()
        self.transformer = nn.Module()
        self.transformer.wte = nn.Embedding(50257, 768)
        self.transformer.wpe = nn.Embedding(1024, 768)
        self.transformer.h = nn.ModuleList([Gpt2Block() for _ in range(12)])
        self.transformer.ln_f = nn.LayerNorm(768)

    def run(self, input_ids, encoder_hidden_states, past):
        t = self.transformer
        past_len = past[0][0].shape[-2] if past is not None else 0
        positions = torch.arange(past_len, past_len + input_ids.shape[1]).unsqueeze(0)
        x = t.wte(input_ids) + t.wpe(positions)
        presents = []
        for i, block in enumerate(t.h):
            x, present = block(x, past[i] if past is not None else None, encoder_hidden_states)
            presents.extend(present)
        logits = torch.matmul(t.ln_f(x), t.wte.weight.t())
        return (logits, *presents)


class DecoderNoPast(nn.Module):
    def __init__(self, decoder):
        super().__init__()
        self.decoder = decoder

    def forward(self, input_ids, encoder_hidden_states):
        return self.decoder.run(input_ids, encoder_hidden_states, None)


class DecoderWithPast(nn.Module):
    def __init__(self, decoder):
        super().__init__()
        self.decoder = decoder

    def forward(self, input_ids, encoder_hidden_states, *past_flat):
        past = [(past_flat[2 * i], past_flat[2 * i + 1]) for i in range(len(past_flat) // 2)]
        return self.decoder.run(input_ids, encoder_hidden_states, past)


LAYERS, HEADS, HEAD_DIM = 12, 12, 64
PAST = [f'past_key_values.{i}.{kv}' for i in range(LAYERS) for kv in ('key', 'value')]
PRESENT = [f'present.{i}.{kv}' for i in range(LAYERS) for kv in ('key', 'value')]


def export(model, args, path, inputs, outputs, axes, fold=True):
    """`fold=False` keeps the GPT-2 LM head a Transpose of the token embedding (tied, stored once, as in
    the real 613 MB decoder) instead of a folded, transposed copy (766 MB)."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with torch.no_grad():
        torch.onnx.export(model, args, path, input_names=inputs, output_names=outputs, dynamic_axes=axes, opset_version=OPSET, do_constant_folding=fold)
    print(f'  {path}: {os.path.getsize(path) / 1e6:.0f} MB', flush=True)


def export_decoders(decoder, onnx_dir):
    """decoder_model.onnx (no past) and, through a temporary with-past export, decoder_model_merged.onnx."""
    ids = torch.tensor([[50256, 40, 41]])
    enc = torch.randn(1, 197, 768)
    present_axes = {name: {0: 'batch_size', 2: 'past_sequence_length + sequence_length'} for name in PRESENT}
    no_past = os.path.join(onnx_dir, 'decoder_model.onnx')
    export(DecoderNoPast(decoder).eval(), (ids, enc), no_past, ['input_ids', 'encoder_hidden_states'], ['logits', *PRESENT],
           {'input_ids': {0: 'batch_size', 1: 'sequence_length'}, 'encoder_hidden_states': {0: 'batch_size', 1: 'encoder_sequence_length'},
            'logits': {0: 'batch_size', 1: 'sequence_length'}, **present_axes}, fold=False)
    with_past = os.path.join(onnx_dir, '.decoder_with_past_model.onnx')
    past = tuple(torch.randn(1, HEADS, 3, HEAD_DIM) for _ in PAST)
    export(DecoderWithPast(decoder).eval(), (ids[:, -1:], enc, *past), with_past, ['input_ids', 'encoder_hidden_states', *PAST], ['logits', *PRESENT],
           {'input_ids': {0: 'batch_size', 1: 'sequence_length'}, 'encoder_hidden_states': {0: 'batch_size', 1: 'encoder_sequence_length'},
            'logits': {0: 'batch_size', 1: 'sequence_length'}, **{n: {0: 'batch_size', 2: 'past_sequence_length'} for n in PAST}, **present_axes}, fold=False)
    merged = os.path.join(onnx_dir, 'decoder_model_merged.onnx')
    merge_decoders(onnx.load(no_past), onnx.load(with_past), merged)
    os.remove(with_past)
    print(f'  {merged}: {os.path.getsize(merged) / 1e6:.0f} MB', flush=True)


def merge_decoders(no_past, with_past, path):
    """One graph: the inputs of the with-past decoder plus use_cache_branch (bool [1]); an If node runs the
    with-past graph when it is true and the no-past graph when it is false. Each branch keeps its nodes,
    its value names prefixed so the two cannot collide; initializers move to the outer graph, and one
    whose bytes the other graph already has is stored once (the weights are the same module's)."""
    outer_inputs = {i.name for i in with_past.graph.input}
    initializers = []
    by_content = {}
    taken = set(outer_inputs)

    def share(graph, prefix):
        renames = {}
        for init in graph.initializer:
            key = hashlib.sha1(init.SerializeToString(deterministic=True).replace(init.name.encode(), b'')).hexdigest()
            # the key ignores the name: equal bytes, dtype and dims are one tensor
            if key not in by_content:
                name = init.name if init.name not in taken else f'{prefix}{init.name}'
                taken.add(name)
                copy = onnx.TensorProto()
                copy.CopyFrom(init)
                copy.name = name
                initializers.append(copy)
                by_content[key] = name
            renames[init.name] = by_content[key]
        return renames

    def branch(graph, prefix, name):
        renames = share(graph, prefix)

        def rename(value):
            if value == '' or value in outer_inputs:
                return value
            return renames.get(value, f'{prefix}{value}')

        def rewrite(nodes):
            for node in nodes:
                node.name = f'{prefix}{node.name}'
                node.input[:] = [rename(v) for v in node.input]
                node.output[:] = [rename(v) for v in node.output]
                for attr in node.attribute:
                    if attr.type == onnx.AttributeProto.GRAPH:
                        rewrite(attr.g.node)
            return nodes

        nodes = rewrite(list(graph.node))
        outputs = []
        for out in graph.output:
            copy = onnx.ValueInfoProto()
            copy.CopyFrom(out)
            copy.name = rename(out.name)
            outputs.append(copy)
        return helper.make_graph(nodes, name, [], outputs)

    then_branch = branch(with_past.graph, 'with_past/', 'with_past')
    else_branch = branch(no_past.graph, 'no_past/', 'no_past')
    use_cache = helper.make_tensor_value_info('use_cache_branch', TensorProto.BOOL, [1])
    if_node = helper.make_node('If', ['use_cache_branch'], [o.name for o in with_past.graph.output], name='glimpse::if',
                               then_branch=then_branch, else_branch=else_branch)
    outputs = [helper.make_tensor_value_info('logits', TensorProto.FLOAT, ['batch_size', 'sequence_length', 50257])]
    outputs += [helper.make_tensor_value_info(n, TensorProto.FLOAT, ['batch_size', HEADS, 'past_sequence_length + sequence_length', HEAD_DIM]) for n in PRESENT]
    graph = helper.make_graph([if_node], 'decoder_model_merged', list(with_past.graph.input[:2]) + [use_cache] + list(with_past.graph.input[2:]), outputs, initializers)
    model = helper.make_model(graph, opset_imports=with_past.opset_import, producer_name='glimpse stand-in (export-stand-in-packs.py)')
    model.ir_version = with_past.ir_version
    onnx.checker.check_model(model)  # under 2 GB, so in memory
    onnx.save(model, path)


# ---- tokenizers: the real type and ids, synthetic merges ----


def bytes_to_unicode():
    """GPT-2's reversible byte -> printable character map (the ByteLevel pre-tokenizer's alphabet)."""
    bs = list(range(ord('!'), ord('~') + 1)) + list(range(ord('¡'), ord('¬') + 1)) + list(range(ord('®'), ord('ÿ') + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return [chr(c) for c in cs]


LETTERS = 'etaoinshrdlcumwfgypbvkjxqz'


def synthetic_merges(vocab, size, word_start, word_end):
    """Letter n-grams, most common letters first, until the vocabulary has `size` entries: the 2-grams,
    then 3-grams, then 4-grams, each inside a word and (`word_start`/`word_end`) at a word's edge."""
    merges = []
    level = [c for c in LETTERS]
    while len(vocab) < size:
        grown = []
        for stem in level:
            for c in LETTERS:
                for pair in [(stem, c)] + ([(word_start + stem, c)] if word_start else []) + ([(stem, c + word_end)] if word_end else []):
                    token = pair[0] + pair[1]
                    if len(vocab) >= size:
                        return merges
                    if token in vocab or pair[0] not in vocab or pair[1] not in vocab:
                        continue
                    vocab[token] = len(vocab)
                    merges.append(f'{pair[0]} {pair[1]}')
                grown.append(stem + c)
        level = grown
    return merges


def gpt2_tokenizer():
    alphabet = bytes_to_unicode()
    vocab = {c: i for i, c in enumerate(alphabet)}
    merges = [f'Ġ {c}' for c in LETTERS]
    for c in LETTERS:
        vocab['Ġ' + c] = len(vocab)
    merges += synthetic_merges(vocab, 50256, 'Ġ', '')
    vocab['<|endoftext|>'] = 50256
    assert len(vocab) == 50257
    return {
        'version': '1.0', 'truncation': None, 'padding': None,
        'added_tokens': [{'id': 50256, 'content': '<|endoftext|>', 'single_word': False, 'lstrip': False, 'rstrip': False, 'normalized': True, 'special': True}],
        'normalizer': None,
        'pre_tokenizer': {'type': 'ByteLevel', 'add_prefix_space': False, 'trim_offsets': True, 'use_regex': True},
        'post_processor': {'type': 'ByteLevel', 'add_prefix_space': True, 'trim_offsets': False, 'use_regex': True},
        'decoder': {'type': 'ByteLevel', 'add_prefix_space': True, 'trim_offsets': True, 'use_regex': True},
        'model': {'type': 'BPE', 'dropout': None, 'unk_token': None, 'continuing_subword_prefix': '', 'end_of_word_suffix': '',
                  'fuse_unk': False, 'byte_fallback': False, 'vocab': vocab, 'merges': merges},
    }, {'add_prefix_space': False, 'bos_token': '<|endoftext|>', 'eos_token': '<|endoftext|>', 'unk_token': '<|endoftext|>',
        'model_max_length': 1024, 'tokenizer_class': 'GPT2Tokenizer', 'clean_up_tokenization_spaces': True}


def clip_tokenizer():
    alphabet = bytes_to_unicode()
    vocab = {c: i for i, c in enumerate(alphabet)}
    for c in alphabet:
        vocab[c + '</w>'] = len(vocab)
    merges = synthetic_merges(vocab, 49406, '', '</w>')
    vocab['<|startoftext|>'] = 49406
    vocab['<|endoftext|>'] = 49407
    assert len(vocab) == 49408
    special = lambda i, t: {'id': i, 'content': t, 'single_word': False, 'lstrip': False, 'rstrip': False, 'normalized': True, 'special': True}
    return {
        'version': '1.0', 'truncation': None, 'padding': None,
        'added_tokens': [special(49406, '<|startoftext|>'), special(49407, '<|endoftext|>')],
        'normalizer': {'type': 'Sequence', 'normalizers': [{'type': 'NFC'}, {'type': 'Replace', 'pattern': {'Regex': '\\s+'}, 'content': ' '}, {'type': 'Lowercase'}]},
        'pre_tokenizer': {'type': 'Sequence', 'pretokenizers': [
            {'type': 'Split', 'pattern': {'Regex': "<\\|startoftext\\|>|<\\|endoftext\\|>|'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]|[^\\s\\p{L}\\p{N}]+"},
             'behavior': 'Removed', 'invert': True},
            {'type': 'ByteLevel', 'add_prefix_space': False, 'trim_offsets': True, 'use_regex': False}]},
        'post_processor': {'type': 'RobertaProcessing', 'sep': ['<|endoftext|>', 49407], 'cls': ['<|startoftext|>', 49406], 'trim_offsets': False, 'add_prefix_space': False},
        'decoder': {'type': 'ByteLevel', 'add_prefix_space': True, 'trim_offsets': True, 'use_regex': True},
        'model': {'type': 'BPE', 'dropout': None, 'unk_token': '<|endoftext|>', 'continuing_subword_prefix': '', 'end_of_word_suffix': '</w>',
                  'fuse_unk': False, 'byte_fallback': False, 'vocab': vocab, 'merges': merges},
    }, {'bos_token': '<|startoftext|>', 'eos_token': '<|endoftext|>', 'pad_token': '<|endoftext|>', 'unk_token': '<|endoftext|>',
        'do_lower_case': True, 'model_max_length': 77, 'tokenizer_class': 'CLIPTokenizer', 'clean_up_tokenization_spaces': True}


def main():
    out = sys.argv[1]
    torch.manual_seed(0)
    torch.set_num_threads(max(1, min(2, os.cpu_count() or 1)))
    started = time.time()
    clip_dir = os.path.join(out, 'clip-vit-base-patch32')
    gpt2_dir = os.path.join(out, 'vit-gpt2-image-captioning')
    params = {}

    print('CLIP ViT-B/32', flush=True)
    vision = ClipVision().eval()
    init_weights(vision)
    params['clip vision'] = sum(p.numel() for p in vision.parameters())
    export(vision, (torch.randn(1, 3, 224, 224),), os.path.join(clip_dir, 'onnx', 'vision_model.onnx'), ['pixel_values'], ['image_embeds', 'last_hidden_state'],
           {'pixel_values': {0: 'batch_size'}, 'image_embeds': {0: 'batch_size'}, 'last_hidden_state': {0: 'batch_size'}})
    del vision
    text = ClipText().eval()
    init_weights(text)
    params['clip text'] = sum(p.numel() for p in text.parameters())
    ids = torch.full((2, 77), 49407, dtype=torch.long)
    ids[:, 0] = 49406
    ids[:, 1:4] = torch.tensor([320, 1929, 2368])
    export(text, (ids,), os.path.join(clip_dir, 'onnx', 'text_model.onnx'), ['input_ids'], ['text_embeds', 'last_hidden_state'],
           {'input_ids': {0: 'batch_size', 1: 'sequence_length'}, 'text_embeds': {0: 'batch_size'}, 'last_hidden_state': {0: 'batch_size', 1: 'sequence_length'}})
    del text
    tokenizer, config = clip_tokenizer()
    write_json(os.path.join(clip_dir, 'tokenizer.json'), tokenizer)
    write_json(os.path.join(clip_dir, 'tokenizer_config.json'), config)
    write_json(os.path.join(clip_dir, 'preprocessor_config.json'), {
        'crop_size': {'height': 224, 'width': 224}, 'do_center_crop': True, 'do_convert_rgb': True, 'do_normalize': True, 'do_rescale': True,
        'do_resize': True, 'feature_extractor_type': 'CLIPFeatureExtractor', 'image_mean': [0.48145466, 0.4578275, 0.40821073],
        'image_processor_type': 'CLIPImageProcessor', 'image_std': [0.26862954, 0.26130258, 0.27577711], 'resample': 3,
        'rescale_factor': 0.00392156862745098, 'size': {'shortest_edge': 224}})

    print('vit-gpt2', flush=True)
    encoder = VitEncoder().eval()
    init_weights(encoder)
    params['vit encoder'] = sum(p.numel() for p in encoder.parameters())
    export(encoder, (torch.randn(1, 3, 224, 224),), os.path.join(gpt2_dir, 'onnx', 'encoder_model.onnx'), ['pixel_values'], ['last_hidden_state'],
           {'pixel_values': {0: 'batch_size'}, 'last_hidden_state': {0: 'batch_size'}})
    del encoder
    decoder = Gpt2Decoder().eval()
    init_weights(decoder)
    params['gpt2 decoder'] = sum(p.numel() for p in decoder.parameters())
    export_decoders(decoder, os.path.join(gpt2_dir, 'onnx'))
    del decoder
    tokenizer, config = gpt2_tokenizer()
    write_json(os.path.join(gpt2_dir, 'tokenizer.json'), tokenizer)
    write_json(os.path.join(gpt2_dir, 'tokenizer_config.json'), config)
    write_json(os.path.join(gpt2_dir, 'preprocessor_config.json'), {
        'do_normalize': True, 'do_resize': True, 'feature_extractor_type': 'ViTFeatureExtractor', 'image_mean': [0.5, 0.5, 0.5],
        'image_std': [0.5, 0.5, 0.5], 'resample': 2, 'size': 224})

    files = {}
    for root, _, names in os.walk(out):
        for name in names:
            path = os.path.join(root, name)
            if name != 'info.json':
                files[os.path.relpath(path, out)] = os.path.getsize(path)
    script = script_hash()  # the test re-exports when this script or stand_in_common.py changes
    info = {'script': script, 'parameters': params, 'files': dict(sorted(files.items())), 'exportSeconds': round(time.time() - started, 1),
            'torch': torch.__version__, 'onnx': onnx.__version__, 'opset': OPSET, 'cache': {'layers': LAYERS, 'heads': HEADS, 'headDim': HEAD_DIM}}
    write_json(os.path.join(out, 'info.json'), info)
    print(json.dumps(info, indent=2))


if __name__ == '__main__':
    main()
