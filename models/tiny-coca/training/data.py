"""The synthetic scene dataset written by make-dataset.ts, its vocabulary, and query/caption tokens.

Queries are what a user types: the full caption, or part of it ("red circle", "a red circle on
grass", "two blue stars and a red square"). A query matches every scene that has what it asks for,
so several images in a batch can be right answers: the contrastive loss treats them all as positives.
"""
import json
import os
import random

import numpy as np
import torch

from model import CONTEXT, IMAGE_SIZE, MEAN, STD

COLOURS = ['red', 'orange', 'yellow', 'green', 'blue', 'purple', 'white', 'black']
SHAPES = ['circle', 'square', 'triangle', 'star', 'diamond']
BACKGROUNDS = ['sky', 'grass', 'sand', 'night', 'plain']
POSITIONS = ['left', 'right', 'top', 'bottom', 'middle']
WORDS = ['stop', 'sale', 'open', 'exit', 'cafe', 'hotel']
BACKGROUND_PHRASE = {'sky': 'in the sky', 'grass': 'on grass', 'sand': 'on sand', 'night': 'at night', 'plain': 'on a plain background'}
POSITION_PHRASE = {'left': 'on the left', 'right': 'on the right', 'top': 'at the top', 'bottom': 'at the bottom', 'middle': 'in the middle'}
COUNT_WORD = {2: 'two', 3: 'three'}

SPECIAL = ['[PAD]', '[BOS]', '[EOS]', '[UNK]']
PAD, BOS, EOS, UNK = 0, 1, 2, 3

# Feature layout of a scene for query matching: colour+shape pairs, pairs with a count, background, position, word.
N_PAIRS = len(COLOURS) * len(SHAPES)
F_COUNT = N_PAIRS
F_BACKGROUND = F_COUNT + 3 * N_PAIRS
F_POSITION = F_BACKGROUND + len(BACKGROUNDS)
F_WORD = F_POSITION + len(POSITIONS)
N_FEATURES = F_WORD + len(WORDS)


class Vocab:
    def __init__(self, words):
        self.tokens = SPECIAL + list(words)
        self.ids = {w: i for i, w in enumerate(self.tokens)}

    def encode(self, text, length=CONTEXT):
        ids = [BOS] + [self.ids.get(w, UNK) for w in text.lower().split()] + [EOS]
        ids = ids[:length]
        return ids + [PAD] * (length - len(ids))

    def decode(self, ids):
        words = []
        for i in ids:
            if i == EOS:
                break
            if i > UNK:
                words.append(self.tokens[i])
        return ' '.join(words)


def group_phrase(group, with_count=True):
    colour, shape, count = group['colour'], group['shape'], group['count']
    plural = 's' if count > 1 else ''
    if not with_count:
        return f'{colour} {shape}{plural}'
    lead = ('an' if colour[0] in 'aeiou' else 'a') if count == 1 else COUNT_WORD[count]
    return f'{lead} {colour} {shape}{plural}'


def pair_index(group):
    return COLOURS.index(group['colour']) * len(SHAPES) + SHAPES.index(group['shape'])


def scene_features(meta):
    f = np.zeros(N_FEATURES, dtype=np.float32)
    for g in meta['groups']:
        p = pair_index(g)
        f[p] = 1
        f[F_COUNT + 3 * p + g['count'] - 1] = 1
    f[F_BACKGROUND + BACKGROUNDS.index(meta['background'])] = 1
    if meta['position']:
        f[F_POSITION + POSITIONS.index(meta['position'])] = 1
    if meta['word']:
        f[F_WORD + WORDS.index(meta['word'])] = 1
    return f


def random_query(meta, rng):
    """A query for this scene and the features it requires (a scene matches if it has them all)."""
    need = np.zeros(N_FEATURES, dtype=np.float32)
    if rng.random() < 0.35:
        for g in meta['groups']:
            need[F_COUNT + 3 * pair_index(g) + g['count'] - 1] = 1
        need[F_BACKGROUND + BACKGROUNDS.index(meta['background'])] = 1
        if meta['position']:
            need[F_POSITION + POSITIONS.index(meta['position'])] = 1
        if meta['word']:
            need[F_WORD + WORDS.index(meta['word'])] = 1
        return meta['caption'], need
    parts = []
    groups = list(meta['groups'])
    rng.shuffle(groups)
    keep = groups[: rng.randint(1, len(groups))] if rng.random() > 0.08 else []
    phrases = []
    for g in keep:
        with_count = rng.random() < 0.6
        phrases.append(group_phrase(g, with_count))
        p = pair_index(g)
        if with_count:
            need[F_COUNT + 3 * p + g['count'] - 1] = 1
        else:
            need[p] = 1
    if phrases:
        parts.append(' and '.join(phrases))
    if meta['position'] and rng.random() < 0.3:
        parts.append(POSITION_PHRASE[meta['position']])
        need[F_POSITION + POSITIONS.index(meta['position'])] = 1
    if rng.random() < (0.45 if phrases else 0.8):
        parts.append(BACKGROUND_PHRASE[meta['background']])
        need[F_BACKGROUND + BACKGROUNDS.index(meta['background'])] = 1
    if meta['word'] and (rng.random() < 0.5 or not parts):
        parts.append(f"with the word {meta['word']}" if parts else f"the word {meta['word']}")
        need[F_WORD + WORDS.index(meta['word'])] = 1
    if not parts:
        return random_query(meta, rng)
    return ' '.join(parts), need


class SceneSet:
    def __init__(self, data_dir, split):
        with open(os.path.join(data_dir, f'{split}.jsonl')) as f:
            self.meta = [json.loads(line) for line in f if line.strip()]
        raw = np.fromfile(os.path.join(data_dir, f'{split}-images.u8'), dtype=np.uint8)
        self.images = torch.from_numpy(raw.reshape(len(self.meta), IMAGE_SIZE, IMAGE_SIZE, 3))
        self.features = torch.from_numpy(np.stack([scene_features(m) for m in self.meta]))

    def __len__(self):
        return len(self.meta)

    def pixels(self, index):
        x = self.images[index].permute(0, 3, 1, 2).float() / 255.0
        mean = torch.tensor(MEAN).view(1, 3, 1, 1)
        std = torch.tensor(STD).view(1, 3, 1, 1)
        return (x - mean) / std


def load_vocab(data_dir):
    with open(os.path.join(data_dir, 'vocab.json')) as f:
        return Vocab(json.load(f)['words'])


def seed_everything(seed):
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
