"""Trains tiny-coca with CoCa's two objectives on one image encoder: a contrastive loss between image
and query embeddings (several right answers per query allowed) and a captioning loss for the decoder.

    /usr/bin/python3 models/tiny-coca/training/train.py --data .cache/tiny-coca-data --out .cache/tiny-coca
"""
import argparse
import json
import math
import os
import random
import time

import numpy as np
import torch
import torch.nn.functional as F

from data import EOS, PAD, SceneSet, load_vocab, random_query, seed_everything
from model import TinyCoCa

SEED = 1234


def multi_positive_loss(logits, positives):
    """Cross-entropy against a uniform distribution over every right answer in the row."""
    target = positives / positives.sum(1, keepdim=True)
    return -(target * logits.log_softmax(1)).sum(1).mean()


def trim(ids):
    """Drops the padding columns that no sequence in the batch uses."""
    return ids[:, : int((ids != PAD).sum(1).max())]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--data', default='.cache/tiny-coca-data')
    parser.add_argument('--out', default='.cache/tiny-coca')
    parser.add_argument('--steps', type=int, default=1500)
    parser.add_argument('--batch', type=int, default=256)
    parser.add_argument('--lr', type=float, default=2e-3)
    parser.add_argument('--caption-weight', type=float, default=1.0)
    args = parser.parse_args()

    torch.set_num_threads(2)
    seed_everything(SEED)
    rng = random.Random(SEED)
    os.makedirs(args.out, exist_ok=True)
    vocab = load_vocab(args.data)
    train = SceneSet(args.data, 'train')
    caption_ids = torch.tensor([vocab.encode(m['caption']) for m in train.meta])
    model = TinyCoCa(len(vocab.tokens))
    print(f'{sum(p.numel() for p in model.parameters()):,} parameters; {len(train)} training scenes', flush=True)

    decay = [p for n, p in model.named_parameters() if p.ndim >= 2 and 'pos' not in n]
    no_decay = [p for n, p in model.named_parameters() if not (p.ndim >= 2 and 'pos' not in n)]
    optimizer = torch.optim.AdamW([{'params': decay, 'weight_decay': 0.05}, {'params': no_decay, 'weight_decay': 0.0}], lr=args.lr)
    warmup = min(300, args.steps // 10)

    def lr_at(step):
        if step < warmup:
            return args.lr * (step + 1) / warmup
        return args.lr * 0.5 * (1 + math.cos(math.pi * (step - warmup) / (args.steps - warmup)))

    model.train()
    order = torch.randperm(len(train))
    cursor = 0
    started = time.time()
    log = []
    for step in range(args.steps):
        if cursor + args.batch > len(order):
            order, cursor = torch.randperm(len(train)), 0
        index = order[cursor: cursor + args.batch]
        cursor += args.batch
        queries, needs = zip(*(random_query(train.meta[i], rng) for i in index.tolist()))
        query_ids = trim(torch.tensor([vocab.encode(q) for q in queries]))
        need = torch.from_numpy(np.stack(needs))
        # A query matches a scene when the scene has every feature the query asks for.
        positives = ((need @ (1 - train.features[index]).T) == 0).float()

        for group in optimizer.param_groups:
            group['lr'] = lr_at(step)
        image_embeds, tokens = model.image(train.pixels(index))
        text_embeds, _ = model.text(query_ids)
        scale = model.logit_scale.exp().clamp(max=100)
        logits = scale * F.normalize(text_embeds, dim=-1) @ F.normalize(image_embeds, dim=-1).T
        contrastive = (multi_positive_loss(logits, positives) + multi_positive_loss(logits.T, positives.T)) / 2

        captions = trim(caption_ids[index])
        decoder_in = captions[:, :-1].clone()
        decoder_in[decoder_in == EOS] = PAD
        caption_logits = model.decoder(decoder_in, tokens)
        captioning = F.cross_entropy(caption_logits.reshape(-1, caption_logits.shape[-1]), captions[:, 1:].reshape(-1), ignore_index=PAD)

        loss = contrastive + args.caption_weight * captioning
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        if step % 100 == 0 or step == args.steps - 1:
            elapsed = time.time() - started
            entry = {'step': step, 'contrastive': round(contrastive.item(), 4), 'captioning': round(captioning.item(), 4), 'logit_scale': round(scale.item(), 2), 'seconds': round(elapsed)}
            log.append(entry)
            print(json.dumps(entry), flush=True)
            torch.save({'model': model.state_dict(), 'vocab': vocab.tokens, 'step': step}, os.path.join(args.out, 'checkpoint.pt'))

    torch.save({'model': model.state_dict(), 'vocab': vocab.tokens, 'step': args.steps}, os.path.join(args.out, 'checkpoint.pt'))
    with open(os.path.join(args.out, 'training-log.json'), 'w') as f:
        json.dump({'seed': SEED, 'steps': args.steps, 'batch': args.batch, 'lr': args.lr, 'seconds': round(time.time() - started), 'log': log}, f, indent=1)


if __name__ == '__main__':
    main()
