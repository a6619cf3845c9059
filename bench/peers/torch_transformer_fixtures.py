#!/usr/bin/env python3
"""Writes the PyTorch parity fixtures of Kiln's nn.TransformerEncoderLayer and nn.TransformerEncoder
(issue 11) into engine-api/src/test/resources/parity/: per case a safetensors file with the module's
state dict ("state.<name>"), the input and masks ("input.src", "input.mask", "input.key_padding_mask"),
the projection of a fixed scalar loss ("loss.output"), the output ("output") and the gradients of
sum(output * loss.output) for the input and every parameter ("grad.src", "grad.state.<name>");
metadata holds the configuration. Dropout 0 (the random streams of the two engines differ).

    /usr/bin/python3 bench/peers/torch_transformer_fixtures.py [--out DIR]
"""
import argparse
import os
import sys

import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_interop import write_safetensors  # noqa: E402


def case(out_dir, name, seed, d, heads, ff, activation, batch_first, norm_first, layers, final_norm, n, s, mask, padding):
    torch.manual_seed(seed)
    layer = nn.TransformerEncoderLayer(d, heads, dim_feedforward=ff, dropout=0.0, activation=activation,
                                       batch_first=batch_first, norm_first=norm_first)
    if layers:
        module = nn.TransformerEncoder(layer, layers, norm=nn.LayerNorm(d) if final_norm else None,
                                       enable_nested_tensor=False)
    else:
        module = layer
    with torch.no_grad():  # every parameter distinct and away from its init (layers start as copies)
        for _, p in module.named_parameters():
            p.add_(torch.randn(p.shape) * 0.2)
    src = (torch.randn(n, s, d) if batch_first else torch.randn(s, n, d)).requires_grad_(True)
    tensors, kwargs = {}, {}
    if mask:  # causal, additive
        m = torch.triu(torch.full((s, s), float("-inf")), diagonal=1)
        kwargs["mask"] = m
        tensors["input.mask"] = m
    if padding:  # the first sequence's last two positions are padding
        kpm = torch.zeros(n, s, dtype=torch.bool)
        kpm[0, s - 2:] = True
        kwargs["src_key_padding_mask"] = kpm
        tensors["input.key_padding_mask"] = torch.zeros(n, s).masked_fill(kpm, float("-inf"))
    if layers:
        out = module(src, mask=kwargs.get("mask"), src_key_padding_mask=kwargs.get("src_key_padding_mask"))
    else:
        out = module(src, src_mask=kwargs.get("mask"), src_key_padding_mask=kwargs.get("src_key_padding_mask"))
    r = torch.randn(out.shape)
    (out * r).sum().backward()
    tensors.update({"input.src": src, "grad.src": src.grad, "output": out, "loss.output": r})
    for k, t in module.state_dict().items():
        tensors["state." + k] = t
    for k, p in module.named_parameters():
        tensors["grad.state." + k] = p.grad
    meta = {"d_model": d, "nhead": heads, "dim_feedforward": ff, "activation": activation, "batch_first": batch_first,
            "norm_first": norm_first, "num_layers": layers, "final_norm": final_norm, "torch": torch.__version__}
    path = os.path.join(out_dir, name + ".safetensors")
    write_safetensors(path, tensors, meta)
    print(f"{path}: {os.path.getsize(path)} bytes")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(here, "..", "..", "engine-api", "src", "test", "resources", "parity"))
    a = ap.parse_args()
    case(a.out, "tel_post_relu_causal", 11, 16, 4, 24, "relu", False, False, 0, False, 3, 5, True, False)
    case(a.out, "tel_pre_gelu_padding", 12, 16, 2, 20, "gelu", True, True, 0, False, 3, 6, False, True)
    case(a.out, "tenc_pre_gelu_norm", 13, 12, 3, 16, "gelu", True, True, 2, True, 2, 4, True, False)


if __name__ == "__main__":
    main()
