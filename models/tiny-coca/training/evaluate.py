"""Measures tiny-coca on the held-out synthetic set and writes metrics.json.

- single-object queries: every colour+shape seen in a held-out single-object scene, asked as
  "a red circle" and as "red circle"; Recall@k = a scene containing that object is in the top k.
- multi-object queries: for each held-out multi-object scene, its objects ("two red circles and a
  blue star"); Recall@k = a scene holding all those objects (with counts) is in the top k.
- captions (greedy decoding): single-object scenes whose caption names the right colour and shape;
  multi-object scenes whose caption names every object; and whole-caption exact match.

    /usr/bin/python3 models/tiny-coca/training/evaluate.py --data .cache/tiny-coca-data --checkpoint .cache/tiny-coca/checkpoint.pt
"""
import argparse
import json

import torch
import torch.nn.functional as F

from data import BOS, EOS, SceneSet, Vocab, group_phrase, pair_index, F_COUNT, SPECIAL
from model import CONTEXT, TinyCoCa


def load(checkpoint):
    state = torch.load(checkpoint)
    vocab = Vocab(state['vocab'][len(SPECIAL):])
    model = TinyCoCa(len(vocab.tokens))
    model.load_state_dict(state['model'])
    return model.eval(), vocab


@torch.no_grad()
def greedy_captions(model, tokens, length=CONTEXT):
    ids = torch.full((tokens.shape[0], 1), BOS, dtype=torch.long)
    for _ in range(length - 1):
        next_id = model.decoder(ids, tokens)[:, -1].argmax(-1, keepdim=True)
        ids = torch.cat([ids, next_id], 1)
        if (ids == EOS).any(1).all():
            break
    return F.pad(ids[:, 1:], (0, length - ids.shape[1]), value=EOS)


def object_named(caption, group):
    words = caption.split()
    colour, shape = group['colour'], group['shape']
    return any(words[i] == colour and words[i + 1].rstrip('s') == shape for i in range(len(words) - 1))


@torch.no_grad()
def evaluate(model, vocab, data_dir):
    val = SceneSet(data_dir, 'val')
    embeds, tokens = [], []
    for start in range(0, len(val), 500):
        e, t = model.image(val.pixels(torch.arange(start, min(start + 500, len(val)))))
        embeds.append(F.normalize(e, dim=-1))
        tokens.append(t)
    image = torch.cat(embeds)
    tokens = torch.cat(tokens)

    def rank(queries):
        t, _ = model.text(torch.tensor([vocab.encode(q) for q in queries]))
        return (F.normalize(t, dim=-1) @ image.T).argsort(1, descending=True)

    def recall(queries, relevant, k):
        top = rank(queries)[:, :k]
        return float(sum(bool(relevant[i][top[i]].any()) for i in range(len(queries))) / len(queries))

    singles = sorted({(m['groups'][0]['colour'], m['groups'][0]['shape']) for m in val.meta if len(m['groups']) == 1})
    single_queries, single_relevant = [], []
    for colour, shape in singles:
        has = val.features[:, pair_index({'colour': colour, 'shape': shape})] > 0
        article = 'an' if colour[0] in 'aeiou' else 'a'
        for q in (f'{article} {colour} {shape}', f'{colour} {shape}'):
            single_queries.append(q)
            single_relevant.append(has)
    multi = [m for m in val.meta if len(m['groups']) > 1]
    multi_queries = [' and '.join(group_phrase(g) for g in m['groups']) for m in multi]
    multi_relevant = []
    for m in multi:
        need = torch.zeros(val.features.shape[1])
        for g in m['groups']:
            need[F_COUNT + 3 * pair_index(g) + g['count'] - 1] = 1
        multi_relevant.append((need @ (1 - val.features).T) == 0)

    ids = torch.cat([greedy_captions(model, tokens[s: s + 500]) for s in range(0, len(val), 500)])
    captions = [vocab.decode(row.tolist()) for row in ids]
    single_ok = [object_named(c, m['groups'][0]) for c, m in zip(captions, val.meta) if len(m['groups']) == 1]
    multi_ok = [all(object_named(c, g) for g in m['groups']) for c, m in zip(captions, val.meta) if len(m['groups']) > 1]
    exact = [c == m['caption'] for c, m in zip(captions, val.meta)]
    return {
        'heldout_scenes': len(val),
        'single_object_queries': len(single_queries),
        'single_object_recall_at_1': recall(single_queries, single_relevant, 1),
        'single_object_recall_at_5': recall(single_queries, single_relevant, 5),
        'multi_object_queries': len(multi_queries),
        'multi_object_recall_at_1': recall(multi_queries, multi_relevant, 1),
        'multi_object_recall_at_5': recall(multi_queries, multi_relevant, 5),
        'caption_single_object_correct': sum(single_ok) / len(single_ok),
        'caption_multi_object_all_named': sum(multi_ok) / len(multi_ok),
        'caption_exact_match': sum(exact) / len(exact),
        'examples': [{'truth': m['caption'], 'generated': c} for c, m in list(zip(captions, val.meta))[:8]],
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--data', default='.cache/tiny-coca-data')
    parser.add_argument('--checkpoint', default='.cache/tiny-coca/checkpoint.pt')
    parser.add_argument('--out')
    args = parser.parse_args()
    torch.set_num_threads(2)
    model, vocab = load(args.checkpoint)
    metrics = evaluate(model, vocab, args.data)
    metrics['logit_scale'] = round(float(model.logit_scale.exp().clamp(max=100)), 3)
    text = json.dumps(metrics, indent=1)
    print(text)
    if args.out:
        with open(args.out, 'w') as f:
            f.write(text + '\n')


if __name__ == '__main__':
    main()
