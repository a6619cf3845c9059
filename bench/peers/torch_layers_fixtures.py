#!/usr/bin/env python3
"""Writes the PyTorch reference fixture of Kiln's normalisation, conv1d and positional layers:
engine-api/src/test/resources/parity/torch_layers.safetensors (float32, a few KB), read by
dev.kiln.testing.TorchLayersParityChecks on every backend.

For each layer: its inputs and parameters, the output, and the gradients of sum(output * r) for a
fixed random r (also stored). PyTorch 1.13 has nn.LayerNorm and nn.Conv1d but not nn.RMSNorm
(2.4), so RMS norm is written out from its formula, y = x / sqrt(mean(x^2) + eps) * weight with
eps = torch.finfo(float32).eps, and differentiated by autograd. The sinusoidal table is the one of
PyTorch's transformer tutorial (exp/log form).

    /usr/bin/python3 bench/peers/torch_layers_fixtures.py [--out PATH]
"""
import argparse
import math
import os
import sys

import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_interop import write_safetensors  # noqa: E402

DEFAULT_OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "engine-api", "src", "test",
                           "resources", "parity", "torch_layers.safetensors")


def record(out, prefix, module, x, forward):
    """Runs forward(x) with x requiring grad, backpropagates sum(y * r), stores inputs, parameters, y, r, grads."""
    x = x.clone().requires_grad_(True)
    y = forward(x)
    r = torch.randn(y.shape)
    (y * r).sum().backward()
    out[prefix + ".x"] = x.detach()
    out[prefix + ".y"] = y.detach()
    out[prefix + ".r"] = r
    out[prefix + ".grad.x"] = x.grad
    for name, p in module.named_parameters():
        out[prefix + "." + name] = p.detach()
        out[prefix + ".grad." + name] = p.grad


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=DEFAULT_OUT)
    args = ap.parse_args()
    torch.manual_seed(11)
    out = {}

    ln = nn.LayerNorm(8)
    with torch.no_grad():  # non-trivial affine parameters, so their gradients and effect are tested
        ln.weight.uniform_(0.5, 1.5)
        ln.bias.uniform_(-0.5, 0.5)
    record(out, "layer_norm", ln, torch.randn(2, 3, 8) * 2 + 0.5, ln)

    ln2 = nn.LayerNorm([3, 4], eps=1e-3)
    with torch.no_grad():
        ln2.weight.uniform_(0.5, 1.5)
        ln2.bias.uniform_(-0.5, 0.5)
    record(out, "layer_norm_2d", ln2, torch.randn(5, 3, 4), ln2)

    rms = nn.Module()
    rms.weight = nn.Parameter(torch.empty(8).uniform_(0.5, 1.5))
    eps = torch.finfo(torch.float32).eps
    record(out, "rms_norm", rms, torch.randn(2, 3, 8) * 2,
           lambda x: x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * rms.weight)

    conv = nn.Conv1d(4, 6, 3, padding="same", dilation=2, groups=2)
    record(out, "conv1d_same", conv, torch.randn(2, 4, 12), conv)

    conv2 = nn.Conv1d(3, 4, 4, stride=2, padding=2, padding_mode="circular")
    record(out, "conv1d_circular", conv2, torch.randn(2, 3, 10), conv2)

    conv3 = nn.Conv1d(2, 3, 3, stride=1, padding=1, bias=False)
    record(out, "conv1d_no_bias", conv3, torch.randn(1, 2, 7), conv3)

    d_model, max_len = 6, 16
    position = torch.arange(max_len).unsqueeze(1)
    div_term = torch.exp(torch.arange(0, d_model, 2) * (-math.log(10000.0) / d_model))
    pe = torch.zeros(max_len, d_model)
    pe[:, 0::2] = torch.sin(position * div_term)
    pe[:, 1::2] = torch.cos(position * div_term)
    out["sinusoidal.pe"] = pe

    write_safetensors(args.out, out, {"producer": "bench/peers/torch_layers_fixtures.py", "torch": torch.__version__})
    print(f"wrote {len(out)} tensors to {os.path.normpath(args.out)} ({os.path.getsize(args.out)} bytes)")


if __name__ == "__main__":
    main()
