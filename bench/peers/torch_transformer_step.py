#!/usr/bin/env python3
"""PyTorch CPU peer of Kiln's transformer-layer training step (`./kiln bench compare --only transformer`,
dev.kiln.bench.TransformerBenchmark): nn.TransformerEncoderLayer(d_model 256, nhead 4,
dim_feedforward 1024, dropout 0, activation "gelu", batch_first, norm_first) on [batch, seq, 256]
inputs, MSE against a fixed target, backward and AdamW(lr 1e-3, weight decay 0.01), the batch
already in memory. Prints one JSON line: sequences per second of each timed block.

    /usr/bin/python3 bench/peers/torch_transformer_step.py --batch 64 --seq 128 --steps 5 --repeats 1 --threads 2
"""
import argparse
import json
import time

import torch


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--seq", type=int, default=128)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--steps", type=int, default=5)
    p.add_argument("--repeats", type=int, default=1)
    p.add_argument("--threads", type=int, default=2)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(42)
    layer = torch.nn.TransformerEncoderLayer(256, 4, dim_feedforward=1024, dropout=0.0, activation="gelu",
                                             batch_first=True, norm_first=True)
    opt = torch.optim.AdamW(layer.parameters(), lr=1e-3, weight_decay=0.01)
    x, y = torch.randn(a.batch, a.seq, 256), torch.randn(a.batch, a.seq, 256)

    def step():
        loss = torch.nn.functional.mse_loss(layer(x), y)
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
            loss = step()
        rates.append(a.batch * a.steps / (time.perf_counter() - t0))
    print(json.dumps({"bench": "transformer", "seq_per_s": [round(r, 2) for r in rates], "torch": torch.__version__,
                      "threads": a.threads, "last_loss": float(loss)}))


if __name__ == "__main__":
    main()
