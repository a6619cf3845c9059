#!/usr/bin/env python3
"""PyTorch peer of `./kiln bench train` and `./kiln bench infer`: the identical seed CNN,
Adam(1e-3), cross-entropy, batch already on the device; prints one JSON line per batch size
(images/s per timed block). `--mode infer` times the forward pass alone under no_grad, in eval mode.

    python3 bench/peers/torch_train.py --device cuda --batch 64,128
    python3 bench/peers/torch_train.py --device cpu --threads 2
    python3 bench/peers/torch_train.py --device cpu --threads 2 --mode infer --batch 256
"""
import argparse
import json
import statistics
import time

import torch
import torch.nn as nn


def seed_cnn():
    return nn.Sequential(
        nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(64, 64, 3), nn.ReLU(),
        nn.Flatten(), nn.Linear(576, 64), nn.ReLU(), nn.Linear(64, 10))


def sync(device):
    if device.type == "cuda":
        torch.cuda.synchronize()


def run(device, batch, warmup, steps, repeats, mode="train"):
    torch.manual_seed(1)
    model = seed_cnn().to(device)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    x = torch.rand(batch, 1, 28, 28, device=device)
    y = torch.randint(0, 10, (batch,), device=device)

    def train_step():
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss

    def infer_step():
        with torch.no_grad():
            return model(x).sum()

    if mode == "infer":
        model.eval()
    step = infer_step if mode == "infer" else train_step

    for _ in range(warmup):
        step()
    sync(device)
    ips = []
    loss = None
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(steps):
            loss = step()
        sync(device)
        ips.append(batch * steps / (time.perf_counter() - t0))
    return {"bench": mode, "framework": "pytorch-eager", "threads": torch.get_num_threads(), "torch": torch.__version__,
            "backend": device.type, "device": torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu",
            "cudnn": torch.backends.cudnn.version() if device.type == "cuda" else None,
            "tf32": torch.backends.cuda.matmul.allow_tf32 if device.type == "cuda" else None,
            "batch": batch, "steps": steps, "images_per_s_median": round(statistics.median(ips), 1),
            "images_per_s": [round(v, 1) for v in ips], "last_loss": round(loss.item(), 5)}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    p.add_argument("--batch", default="64,128")
    p.add_argument("--steps", type=int, default=None)
    p.add_argument("--warmup", type=int, default=None)
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--threads", type=int, default=None)
    p.add_argument("--mode", choices=["train", "infer"], default="train")
    a = p.parse_args()
    device = torch.device(a.device)
    if a.threads:
        torch.set_num_threads(a.threads)
    if device.type == "cuda":
        # Kiln runs full FP32 by default: compare like with like.
        torch.backends.cuda.matmul.allow_tf32 = False
        torch.backends.cudnn.allow_tf32 = False
    gpu = device.type == "cuda"
    steps = a.steps or (200 if gpu else 10)
    warmup = a.warmup or (50 if gpu else 3)
    for b in (int(v) for v in a.batch.split(",")):
        print(json.dumps(run(device, b, warmup, steps, a.repeats, a.mode)), flush=True)


if __name__ == "__main__":
    main()
