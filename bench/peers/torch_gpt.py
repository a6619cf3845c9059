#!/usr/bin/env python3
"""The PyTorch reference of Kiln's dev.kiln.nn.gpt.Gpt: a plain nanoGPT-style decoder with nanoGPT's
parameter names (transformer.wte / wpe / h.{i}.ln_1, attn.c_attn, attn.c_proj, ln_2, mlp.c_fc,
mlp.c_proj / ln_f, lm_head tied to wte), init (N(0, 0.02), residual projections N(0, 0.02/sqrt(2 n_layer)),
zero biases) and structure (pre-norm blocks, causal attention, exact GELU, final LayerNorm).
PyTorch 1.13 has no F.scaled_dot_product_attention: attention is the explicit masked softmax.

    /usr/bin/python3 bench/peers/torch_gpt.py fixtures [--out DIR]
        writes the parity fixtures (gpt_*.safetensors) into engine-api/src/test/resources/parity/:
        state dict without the tied lm_head ("state.<name>"), token ids and targets ("input.idx",
        "input.targets"), logits ("output.logits"), loss ("output.loss"), the gradient of the loss
        for every parameter ("grad.state.<name>") and greedy continuations ("generate.greedy");
        metadata: the config JSON ("kiln.gpt.config") and PyTorch's state_dict keys ("torch_keys").
    /usr/bin/python3 bench/peers/torch_gpt.py bench [--layers 4 --width 128 --heads 4 --context 128
        --vocab 2048 --batch 32 --steps 5 --warmup 2 --repeats 1 --threads 2 --device cpu --sdpa]
        times training steps (forward, cross-entropy, backward, clip to norm 1, AdamW) on random
        tokens; prints one JSON line with tokens/s of each timed block. --device cuda runs on the GPU
        (model and batch on the device, synchronised around each timed block, FP32: PyTorch's default
        of no TF32 in matmuls is kept and reported); --sdpa uses F.scaled_dot_product_attention
        (PyTorch 2.0 and later, fused kernels on cuda) instead of the explicit masked softmax.
"""
import argparse
import json
import math
import os
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_interop import write_safetensors  # noqa: E402


class LayerNorm(nn.Module):
    """LayerNorm with an optional bias (nanoGPT's)."""

    def __init__(self, ndim, bias):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(ndim))
        self.bias = nn.Parameter(torch.zeros(ndim)) if bias else None

    def forward(self, x):
        return F.layer_norm(x, self.weight.shape, self.weight, self.bias, 1e-5)


class CausalSelfAttention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.n_head, self.n_embd, self.dropout = c["n_head"], c["n_embd"], c["dropout"]
        self.sdpa = c.get("sdpa", False)
        self.c_attn = nn.Linear(c["n_embd"], 3 * c["n_embd"], bias=c["bias"])
        self.c_proj = nn.Linear(c["n_embd"], c["n_embd"], bias=c["bias"])
        self.attn_dropout = nn.Dropout(c["dropout"])
        self.resid_dropout = nn.Dropout(c["dropout"])
        t = c["block_size"]
        # not persistent: the state dict holds only parameters, as with nanoGPT's flash path
        self.register_buffer("mask", torch.tril(torch.ones(t, t, dtype=torch.bool)).view(1, 1, t, t), persistent=False)

    def forward(self, x):
        b, t, c = x.size()
        q, k, v = self.c_attn(x).split(self.n_embd, dim=2)
        q = q.view(b, t, self.n_head, c // self.n_head).transpose(1, 2)
        k = k.view(b, t, self.n_head, c // self.n_head).transpose(1, 2)
        v = v.view(b, t, self.n_head, c // self.n_head).transpose(1, 2)
        if self.sdpa:  # PyTorch 2.x only (bench --sdpa): the fused causal attention, same arithmetic
            y = F.scaled_dot_product_attention(q, k, v, dropout_p=self.dropout if self.training else 0.0, is_causal=True)
        else:
            att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1)))
            att = att.masked_fill(~self.mask[:, :, :t, :t], float("-inf"))
            att = self.attn_dropout(F.softmax(att, dim=-1))
            y = att @ v
        y = y.transpose(1, 2).contiguous().view(b, t, c)
        return self.resid_dropout(self.c_proj(y))


class MLP(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c_fc = nn.Linear(c["n_embd"], 4 * c["n_embd"], bias=c["bias"])
        self.gelu = nn.GELU(approximate=c.get("gelu_approximate", "none"))
        self.c_proj = nn.Linear(4 * c["n_embd"], c["n_embd"], bias=c["bias"])
        self.dropout = nn.Dropout(c["dropout"])

    def forward(self, x):
        return self.dropout(self.c_proj(self.gelu(self.c_fc(x))))


class Block(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.ln_1 = LayerNorm(c["n_embd"], c["bias"])
        self.attn = CausalSelfAttention(c)
        self.ln_2 = LayerNorm(c["n_embd"], c["bias"])
        self.mlp = MLP(c)

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class GPT(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.config = c
        self.transformer = nn.ModuleDict(dict(
            wte=nn.Embedding(c["vocab_size"], c["n_embd"]),
            wpe=nn.Embedding(c["block_size"], c["n_embd"]),
            drop=nn.Dropout(c["dropout"]),
            h=nn.ModuleList([Block(c) for _ in range(c["n_layer"])]),
            ln_f=LayerNorm(c["n_embd"], c["bias"]),
        ))
        self.lm_head = nn.Linear(c["n_embd"], c["vocab_size"], bias=False)
        self.transformer.wte.weight = self.lm_head.weight  # tied
        self.apply(self._init_weights)
        for pn, p in self.named_parameters():
            if pn.endswith("c_proj.weight"):
                torch.nn.init.normal_(p, mean=0.0, std=0.02 / math.sqrt(2 * c["n_layer"]))

    @staticmethod
    def _init_weights(module):
        if isinstance(module, nn.Linear):
            torch.nn.init.normal_(module.weight, mean=0.0, std=0.02)
            if module.bias is not None:
                torch.nn.init.zeros_(module.bias)
        elif isinstance(module, nn.Embedding):
            torch.nn.init.normal_(module.weight, mean=0.0, std=0.02)

    def forward(self, idx, targets=None):
        b, t = idx.size()
        assert t <= self.config["block_size"], f"sequence length {t} exceeds block_size {self.config['block_size']}"
        pos = torch.arange(0, t, dtype=torch.long, device=idx.device)
        x = self.transformer.drop(self.transformer.wte(idx) + self.transformer.wpe(pos))
        for block in self.transformer.h:
            x = block(x)
        logits = self.lm_head(self.transformer.ln_f(x))
        loss = None
        if targets is not None:
            loss = F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1), ignore_index=-1)
        return logits, loss

    @torch.no_grad()
    def greedy(self, idx, n):
        """nanoGPT's generate at temperature 0: crop to block_size, argmax of the last logits."""
        out = []
        for _ in range(n):
            cond = idx if idx.size(1) <= self.config["block_size"] else idx[:, -self.config["block_size"]:]
            logits, _ = self(cond)
            nxt = torch.argmax(logits[:, -1, :], dim=-1, keepdim=True)
            out.append(int(nxt[0, 0]))
            idx = torch.cat((idx, nxt), dim=1)
        return out


def config(vocab, context, layers, heads, width, dropout=0.0, bias=True, gelu="none"):
    return {"vocab_size": vocab, "block_size": context, "n_layer": layers, "n_head": heads, "n_embd": width,
            "dropout": dropout, "bias": bias, "gelu_approximate": gelu}


def fixture(out_dir, name, seed, c, b, t):
    torch.manual_seed(seed)
    model = GPT(c)
    with torch.no_grad():  # away from the init (zero biases, unit norms) so that every gradient is exercised
        for _, p in model.named_parameters():
            p.add_(torch.randn(p.shape) * 0.05)
    idx = torch.randint(0, c["vocab_size"], (b, t))
    targets = torch.randint(0, c["vocab_size"], (b, t))
    targets[0, 1] = -1  # an ignored position
    logits, loss = model(idx, targets)
    loss.backward()
    tensors = {"input.idx": idx, "input.targets": targets, "output.logits": logits.detach(), "output.loss": loss.detach()}
    sd = model.state_dict()
    for k, v in sd.items():
        if k != "lm_head.weight":
            tensors["state." + k] = v
    for k, p in model.named_parameters():
        tensors["grad.state." + k] = p.grad
    # greedy continuation of the first row's first three tokens, crossing the context length
    prompt = idx[:1, :3]
    tensors["generate.prompt"] = prompt[0].clone()
    tensors["generate.greedy"] = torch.tensor(model.greedy(prompt, c["block_size"] + 6), dtype=torch.long)
    meta = {"kiln.gpt.config": json.dumps(c), "torch_keys": ",".join(sd.keys()), "torch": torch.__version__}
    path = os.path.join(out_dir, name + ".safetensors")
    write_safetensors(path, tensors, meta)
    print(f"{path}: {os.path.getsize(path)} bytes")


def bench(a):
    torch.set_num_threads(a.threads)
    torch.manual_seed(42)
    if a.device.startswith("cuda") and not torch.cuda.is_available():
        sys.exit("torch_gpt.py bench: --device %s but torch.cuda.is_available() is False (torch %s)" % (a.device, torch.__version__))
    if a.sdpa and not hasattr(F, "scaled_dot_product_attention"):
        sys.exit("torch_gpt.py bench: --sdpa needs PyTorch 2.0 or later (F.scaled_dot_product_attention), found " + torch.__version__)
    device = torch.device(a.device)
    cuda = device.type == "cuda"
    c = config(a.vocab, a.context, a.layers, a.heads, a.width, a.dropout)
    c["sdpa"] = a.sdpa
    model = GPT(c).to(device)
    model.train()
    opt = torch.optim.AdamW(model.parameters(), lr=a.lr, betas=(0.9, 0.95), weight_decay=0.1)
    g = torch.Generator().manual_seed(7)
    data = torch.randint(0, a.vocab, (a.batch, a.context + 1), generator=g)
    x, y = data[:, :-1].contiguous().to(device), data[:, 1:].contiguous().to(device)

    def sync():
        if cuda:
            torch.cuda.synchronize(device)

    def step():
        _, loss = model(x, y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        return loss

    for _ in range(a.warmup):
        step()
    sync()
    rates = []
    for _ in range(a.repeats):
        t0 = time.perf_counter()
        for _ in range(a.steps):
            loss = step()
        sync()
        rates.append(a.batch * a.context * a.steps / (time.perf_counter() - t0))
    out = {"bench": "gpt", "tokens_per_s": [round(r, 1) for r in rates], "torch": torch.__version__,
           "threads": a.threads, "params": sum(p.numel() for p in model.parameters()), "last_loss": float(loss),
           "device": torch.cuda.get_device_name(device) if cuda else "cpu", "attention": "sdpa" if a.sdpa else "math",
           "config": {"layers": a.layers, "width": a.width, "heads": a.heads, "context": a.context, "vocab": a.vocab,
                      "batch": a.batch, "steps": a.steps, "warmup": a.warmup}}
    if cuda:
        out["cuda"] = torch.version.cuda
        out["tf32_matmul"] = bool(torch.backends.cuda.matmul.allow_tf32)
    print(json.dumps(out))


def generate(a):
    """nanoGPT's generate (no KV cache: a full forward of the whole context per token), top-k 50, batch 1."""
    torch.set_num_threads(a.threads)
    torch.manual_seed(42)
    device = torch.device(a.device)
    cuda = device.type == "cuda"
    model = GPT(config(a.vocab, a.context, a.layers, a.heads, a.width)).to(device).eval()
    prompt = torch.randint(0, a.vocab, (1, a.prompt), generator=torch.Generator().manual_seed(7)).to(device)

    @torch.no_grad()
    def run():
        idx = prompt
        while idx.size(1) < a.context:
            logits, _ = model(idx)
            logits = logits[:, -1, :]
            v, _ = torch.topk(logits, 50)
            logits[logits < v[:, [-1]]] = -float("inf")
            idx = torch.cat((idx, torch.multinomial(F.softmax(logits, dim=-1), 1)), dim=1)
        if cuda:
            torch.cuda.synchronize(device)
        return idx.size(1) - a.prompt

    for _ in range(a.warmup):
        run()
    rates = []
    for _ in range(a.repeats):
        t0 = time.perf_counter()
        n = run()
        rates.append(n / (time.perf_counter() - t0))
    print(json.dumps({"bench": "gpt-generate", "tokens_per_s": [round(r, 1) for r in rates], "torch": torch.__version__,
                      "threads": a.threads, "cache": False, "device": torch.cuda.get_device_name(device) if cuda else "cpu",
                      "config": {"layers": a.layers, "width": a.width, "heads": a.heads, "context": a.context,
                                 "vocab": a.vocab, "prompt": a.prompt}}))


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("mode", choices=["fixtures", "bench", "generate"])
    p.add_argument("--out", default=os.path.join(here, "..", "..", "engine-api", "src", "test", "resources", "parity"))
    p.add_argument("--layers", type=int, default=4)
    p.add_argument("--width", type=int, default=128)
    p.add_argument("--heads", type=int, default=4)
    p.add_argument("--context", type=int, default=128)
    p.add_argument("--vocab", type=int, default=2048)
    p.add_argument("--dropout", type=float, default=0.0)
    p.add_argument("--lr", type=float, default=6e-4)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--steps", type=int, default=5)
    p.add_argument("--repeats", type=int, default=1)
    p.add_argument("--prompt", type=int, default=16, help="generate: prompt tokens (random), then generate to --context")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--device", default="cpu", help="bench: cpu or cuda (cuda:N)")
    p.add_argument("--sdpa", action="store_true", help="bench: F.scaled_dot_product_attention (PyTorch 2.x) instead of the explicit masked softmax")
    a = p.parse_args()
    if a.mode == "fixtures":
        torch.set_num_threads(1)
        fixture(a.out, "gpt_small", 21, config(37, 16, 2, 2, 16), 3, 16)
        fixture(a.out, "gpt_nobias_tanh", 22, config(29, 8, 1, 4, 12, bias=False, gelu="tanh"), 2, 8)
    elif a.mode == "generate":
        generate(a)
    else:
        bench(a)


if __name__ == "__main__":
    main()
