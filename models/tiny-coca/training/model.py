"""tiny-coca: a small CoCa-style model (one image encoder for contrastive search and captioning).

Image encoder: a conv stem turns a 64x64 image into an 8x8 grid of patch tokens, two transformer
layers mix them; the mean token is projected into the shared embedding space (image_embeds) and the
tokens themselves (last_hidden_state) feed the captioning decoder, as in CoCa.
Text encoder: word embeddings plus two transformer layers; masked mean pooling, projected (text_embeds).
Decoder: causal self-attention plus cross-attention to the image tokens, predicting the next word.

Attention is written with plain matmul/softmax so the ONNX export is simple and portable.
"""
import math

import torch
from torch import nn
import torch.nn.functional as F

WIDTH = 128
EMBED_DIM = 128
HEADS = 4
CONTEXT = 24
IMAGE_SIZE = 64
GRID = 4
MEAN = (0.48145466, 0.4578275, 0.40821073)
STD = (0.26862954, 0.26130258, 0.27577711)


class Attention(nn.Module):
    def __init__(self, width, heads):
        super().__init__()
        self.heads = heads
        self.q = nn.Linear(width, width)
        self.kv = nn.Linear(width, 2 * width)
        self.out = nn.Linear(width, width)

    def forward(self, x, context, bias=None):
        n, t, w = x.shape
        s = context.shape[1]
        h = self.heads
        q = self.q(x).reshape(n, t, h, w // h).transpose(1, 2)
        k, v = self.kv(context).reshape(n, s, 2, h, w // h).permute(2, 0, 3, 1, 4)
        scores = q @ k.transpose(-1, -2) / math.sqrt(w // h)
        if bias is not None:
            scores = scores + bias
        return self.out((scores.softmax(-1) @ v).transpose(1, 2).reshape(n, t, w))


class Block(nn.Module):
    def __init__(self, width, heads, cross=False):
        super().__init__()
        self.ln1 = nn.LayerNorm(width)
        self.attn = Attention(width, heads)
        self.cross = Attention(width, heads) if cross else None
        self.ln_cross = nn.LayerNorm(width) if cross else None
        self.ln2 = nn.LayerNorm(width)
        self.mlp = nn.Sequential(nn.Linear(width, 2 * width), nn.GELU(), nn.Linear(2 * width, width))

    def forward(self, x, bias=None, memory=None):
        y = self.ln1(x)
        x = x + self.attn(y, y, bias)
        if self.cross is not None:
            x = x + self.cross(self.ln_cross(x), memory)
        return x + self.mlp(self.ln2(x))


class ImageEncoder(nn.Module):
    def __init__(self):
        super().__init__()

        def conv(i, o, stride):
            return nn.Sequential(nn.Conv2d(i, o, 3, stride, 1), nn.BatchNorm2d(o), nn.GELU())

        # 64x64 -> 32 -> 16 -> 8 -> 4: a 4x4 grid of tokens, each seeing about one object's worth of image.
        self.stem = nn.Sequential(conv(3, 32, 2), conv(32, 64, 2), conv(64, 96, 2), conv(96, WIDTH, 2))
        self.pos = nn.Parameter(torch.randn(1, GRID * GRID, WIDTH) * 0.02)
        self.blocks = nn.ModuleList([Block(WIDTH, HEADS) for _ in range(2)])
        self.ln = nn.LayerNorm(WIDTH)
        self.proj = nn.Linear(WIDTH, EMBED_DIM, bias=False)

    def forward(self, pixel_values):
        x = self.stem(pixel_values).flatten(2).transpose(1, 2) + self.pos
        for block in self.blocks:
            x = block(x)
        tokens = self.ln(x)
        return self.proj(tokens.mean(1)), tokens


class TextEncoder(nn.Module):
    def __init__(self, vocab_size):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, WIDTH)
        self.pos = nn.Parameter(torch.randn(1, CONTEXT, WIDTH) * 0.02)
        self.blocks = nn.ModuleList([Block(WIDTH, HEADS) for _ in range(2)])
        self.ln = nn.LayerNorm(WIDTH)
        self.proj = nn.Linear(WIDTH, EMBED_DIM, bias=False)

    def forward(self, input_ids):
        mask = (input_ids != 0).to(torch.float32)
        bias = (1.0 - mask)[:, None, None, :] * -1e4
        x = self.embed(input_ids) + self.pos[:, : input_ids.shape[1]]
        for block in self.blocks:
            x = block(x, bias)
        x = self.ln(x)
        pooled = (x * mask[:, :, None]).sum(1) / mask.sum(1, keepdim=True).clamp(min=1.0)
        return self.proj(pooled), x


class Decoder(nn.Module):
    def __init__(self, vocab_size):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, WIDTH)
        self.pos = nn.Parameter(torch.randn(1, CONTEXT, WIDTH) * 0.02)
        self.blocks = nn.ModuleList([Block(WIDTH, HEADS, cross=True) for _ in range(2)])
        self.ln = nn.LayerNorm(WIDTH)
        self.head = nn.Linear(WIDTH, vocab_size)

    def forward(self, input_ids, encoder_hidden_states):
        t = input_ids.shape[1]
        causal = torch.triu(torch.full((t, t), -1e4), diagonal=1)
        x = self.embed(input_ids) + self.pos[:, :t]
        for block in self.blocks:
            x = block(x, causal, encoder_hidden_states)
        return self.head(self.ln(x))


class TinyCoCa(nn.Module):
    def __init__(self, vocab_size):
        super().__init__()
        self.image = ImageEncoder()
        self.text = TextEncoder(vocab_size)
        self.decoder = Decoder(vocab_size)
        self.logit_scale = nn.Parameter(torch.tensor(math.log(10.0)))
