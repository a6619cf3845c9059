#!/usr/bin/env python3
"""PyTorch CPU peer of `./kiln bench lstm` (and of the `lstm`/`gru` rows of `./kiln bench compare`):
the seq-MNIST recurrent training step, an image read as 28 steps of 28 pixels, LSTM(28, 128,
batch_first=True) (or GRU with --cell gru), a linear head on h_n, cross-entropy, Adam(1e-3), the
batch already in memory. Prints one line per timed block (sequences per second), then one JSON
line with all of them.

    python3 bench/peers/torch_lstm_step.py --batch 64 --steps 10 --repeats 5 --threads 2 [--cell gru]
    python3 bench/peers/torch_lstm_step.py 64 10 5 2        (the older positional form: batch steps repeats threads)
"""
import argparse
import json
import sys
import time

import torch


def main():
    p = argparse.ArgumentParser()
    p.add_argument("pos", nargs="*", type=int, help="batch steps repeats threads (older form)")
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--warmup", type=int, default=5)
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--cell", choices=["lstm", "gru"], default="lstm")
    a = p.parse_args()
    for name, v in zip(["batch", "steps", "repeats", "threads"], a.pos):
        setattr(a, name, v)
    torch.set_num_threads(a.threads)
    torch.manual_seed(42)
    rnn = (torch.nn.LSTM if a.cell == "lstm" else torch.nn.GRU)(28, 128, batch_first=True)
    head = torch.nn.Linear(128, 10)
    opt = torch.optim.Adam(list(rnn.parameters()) + list(head.parameters()), lr=1e-3)
    x, y = torch.rand(a.batch, 28, 28), torch.randint(0, 10, (a.batch,))

    def step():
        _, state = rnn(x)
        h_n = state[0] if a.cell == "lstm" else state
        loss = torch.nn.functional.cross_entropy(head(h_n[0]), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss

    for _ in range(a.warmup):
        step()
    rates = []
    for _ in range(a.repeats):
        t0 = time.perf_counter()
        for _ in range(a.steps):
            step()
        rates.append(a.batch * a.steps / (time.perf_counter() - t0))
        print(f"{rates[-1]:.1f} seq/s", file=sys.stderr, flush=True)
    print(json.dumps({"bench": a.cell, "batch": a.batch, "threads": a.threads, "steps": a.steps, "seq_per_s": rates,
                      "torch": torch.__version__}), flush=True)


if __name__ == "__main__":
    main()
