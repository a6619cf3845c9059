#!/usr/bin/env python3
"""PyTorch peer of Kiln's sequence samples: the same models, optimiser and schedule as
./kiln seq-mnist and ./kiln vit, so their accuracies and step times can be compared.

  torch_seq.py vit [--epochs 10] [--data data/mnist] [--threads 2] [--out metrics.json]
  torch_seq.py seq-mnist --model lstm|gru|transformer [--epochs 5] ...
  torch_seq.py fixtures --out samples/src/test/resources/dev/kiln/samples   (SeqModelsTest's expectations)

Models (keep in step with samples/.../SeqModels.java):
  seq-mnist: an image [1, 28, 28] is 28 time steps of 28 pixels (batch first).
    lstm / gru: one layer, hidden 128, the last step's output -> Linear(128, 10).
    transformer: Linear(28, 64) + learned positions, 2 pre-norm encoder layers (4 heads, MLP 128,
      GELU), final LayerNorm, mean over time -> Linear(64, 10).
    Adam lr 1e-3, batch 64, cosine decay per step to 0, gradient norm clipped at 1.
  vit: 7x7 patches (Conv2d(1, 64, 7, stride 7) -> 16 tokens) + a class token, learned positions
    (normal, std 0.02), 4 pre-norm encoder layers (width 64, 4 heads, MLP 128, GELU, no dropout),
    final LayerNorm, Linear(64, 10) on the class token. AdamW lr 1e-3, weight decay 0.05, batch 128,
    linear warm-up for the first epoch then cosine to 0, per step.
Inputs are scaled to [0, 1] and normalised with MNIST's mean 0.1307 and std 0.3081.
"""
import argparse
import json
import math
import os
import sys
import time

import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_interop import load_mnist  # noqa: E402

MEAN, STD = 0.1307, 0.3081


class Recurrent(nn.Module):
    def __init__(self, kind):
        super().__init__()
        cls = nn.LSTM if kind == "lstm" else nn.GRU
        self.rnn = cls(28, 128, batch_first=True)
        self.head = nn.Linear(128, 10)

    def forward(self, x):
        out, _ = self.rnn(x.view(x.shape[0], 28, 28))
        return self.head(out[:, -1])


def encoder(width, layers):
    layer = nn.TransformerEncoderLayer(width, 4, dim_feedforward=2 * width, dropout=0.0, activation="gelu",
                                       batch_first=True, norm_first=True)
    return nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)


class SeqTransformer(nn.Module):
    def __init__(self, width=64):
        super().__init__()
        self.embed = nn.Linear(28, width)
        self.pos = nn.Parameter(torch.randn(28, width) * 0.02)
        self.encoder = encoder(width, 2)
        self.norm = nn.LayerNorm(width)
        self.head = nn.Linear(width, 10)

    def forward(self, x):
        h = self.embed(x.view(x.shape[0], 28, 28)) + self.pos
        return self.head(self.norm(self.encoder(h)).mean(1))


class Vit(nn.Module):
    def __init__(self, width=64, patch=7, layers=4):
        super().__init__()
        tokens = (28 // patch) ** 2
        self.patch = nn.Conv2d(1, width, patch, stride=patch)
        self.cls = nn.Parameter(torch.randn(1, 1, width) * 0.02)
        self.pos = nn.Parameter(torch.randn(tokens + 1, width) * 0.02)
        self.encoder = encoder(width, layers)
        self.norm = nn.LayerNorm(width)
        self.head = nn.Linear(width, 10)

    def forward(self, x):
        p = self.patch(x).flatten(2).transpose(1, 2)  # [B, 16, W]
        h = torch.cat([self.cls.expand(x.shape[0], -1, -1), p], 1) + self.pos
        return self.head(self.norm(self.encoder(h))[:, 0])


MODELS = {"seq-mnist-lstm": lambda: Recurrent("lstm"), "seq-mnist-gru": lambda: Recurrent("gru"),
          "seq-mnist-transformer": SeqTransformer, "vit": Vit}


def closed_form(shape, k):
    """0.2 sin(0.37 i^2 + 1.1 k + 0.5) at flat index i, in float64 rounded to float32: computable the same way in
    Java. The square makes every matrix full rank (a sine of i alone would give rank 2)."""
    i = torch.arange(math.prod(shape), dtype=torch.float64)
    return (0.2 * torch.sin(0.37 * i * i + 1.1 * k + 0.5)).float().reshape(shape)


def fixtures(out_dir):
    """Writes seq-models-state-dict.txt (every model's state_dict keys and shapes) and seq-models-logits.txt
    (the logits of two closed-form images through each model with closed-form weights, parameter k of the
    state_dict holding closed_form(shape, k)), which SeqModelsTest checks Kiln's models against."""
    j = torch.arange(784, dtype=torch.float64)
    x = torch.stack([2 * torch.sin(0.11 * j * j + n) for n in range(2)]).float().reshape(2, 1, 28, 28)
    head = f"# written by bench/peers/torch_seq.py fixtures (torch {torch.__version__}); SeqModelsTest reads it\n"
    with open(os.path.join(out_dir, "seq-models-state-dict.txt"), "w") as keys, \
            open(os.path.join(out_dir, "seq-models-logits.txt"), "w") as logits:
        keys.write(head + "# model key shape\n")
        logits.write(head + "# model image logits[10]; image n pixel j = 2 sin(0.11 j^2 + n)\n")
        for name, make in MODELS.items():
            model = make().eval()
            with torch.no_grad():
                for k, (key, p) in enumerate(model.state_dict().items()):
                    keys.write(f"{name} {key} {'x'.join(map(str, p.shape))}\n")
                    p.copy_(closed_form(p.shape, k))
                y = model(x)
            for n in range(len(x)):
                logits.write(f"{name} {n} " + " ".join(f"{v:.8e}" for v in y[n].tolist()) + "\n")


def schedule(step, total, warmup):
    if step < warmup:
        return (step + 1) / warmup
    t = (step - warmup) / max(1, total - warmup)
    return 0.5 * (1 + math.cos(math.pi * t))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("sample", choices=["vit", "seq-mnist", "fixtures"])
    ap.add_argument("--model", default="lstm", choices=["lstm", "gru", "transformer"])
    ap.add_argument("--epochs", type=int)
    ap.add_argument("--data", default="data/mnist")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--limit", type=int, default=0, help="train on the first N images only (smoke runs)")
    ap.add_argument("--out")
    a = ap.parse_args()
    if a.sample == "fixtures":
        fixtures(a.out or ".")
        return
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    x, y = load_mnist(a.data, "train")
    xt, yt = load_mnist(a.data, "test")
    if a.limit:
        x, y = x[:a.limit], y[:a.limit]
    x, xt = (x - MEAN) / STD, (xt - MEAN) / STD
    if a.sample == "vit":
        model, batch, epochs = Vit(), 128, a.epochs or 10
        opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.05)
        warm_epochs, clip = 1, None
    else:
        model = Recurrent(a.model) if a.model != "transformer" else SeqTransformer()
        batch, epochs = 64, a.epochs or 5
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)
        warm_epochs, clip = 0, 1.0
    steps_per_epoch = (len(x) + batch - 1) // batch
    total = steps_per_epoch * epochs
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: schedule(s, total, warm_epochs * steps_per_epoch))
    name = a.sample if a.sample == "vit" else f"seq-mnist-{a.model}"
    params = sum(p.numel() for p in model.parameters())
    print(f"{name}: {params} parameters, {epochs} epochs of {steps_per_epoch} steps, torch {torch.__version__}, "
          f"{a.threads} threads", flush=True)
    history, step_times = [], []
    for epoch in range(epochs):
        model.train()
        g = torch.Generator().manual_seed(a.seed * 1000 + epoch)
        order = torch.randperm(len(x), generator=g)
        t0 = time.perf_counter()
        for i in range(0, len(x), batch):
            s0 = time.perf_counter()
            idx = order[i:i + batch]
            loss = nn.functional.cross_entropy(model(x[idx]), y[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            if clip:
                nn.utils.clip_grad_norm_(model.parameters(), clip)
            opt.step()
            sched.step()
            step_times.append(time.perf_counter() - s0)
        seconds = time.perf_counter() - t0
        model.eval()
        correct = 0
        with torch.no_grad():
            for i in range(0, len(xt), 500):
                correct += int((model(xt[i:i + 500]).argmax(1) == yt[i:i + 500]).sum())
        acc = correct / len(xt)
        history.append({"epoch": epoch + 1, "train_loss_last": float(loss), "test_accuracy": acc, "seconds": seconds})
        print(f"epoch {epoch + 1}: test accuracy {100 * acc:.2f}%, {seconds:.1f} s, "
              f"{len(x) / seconds:.0f} img/s", flush=True)
    step_times.sort()
    result = {"producer": "pytorch " + torch.__version__, "sample": name, "parameters": params, "threads": a.threads,
              "epochs": history, "test_accuracy": history[-1]["test_accuracy"],
              "median_step_ms": 1000 * step_times[len(step_times) // 2]}
    if a.out:
        with open(a.out, "w") as f:
            json.dump(result, f, indent=1)
    print(json.dumps({k: result[k] for k in ("sample", "test_accuracy", "median_step_ms")}))


if __name__ == "__main__":
    main()
