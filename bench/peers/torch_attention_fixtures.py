#!/usr/bin/env python3
"""Writes the PyTorch parity fixtures of Kiln's nn.MultiheadAttention (issue 11) into
engine-api/src/test/resources/parity/: for each case a safetensors file holding the layer's state
dict ("state.<name>"), its inputs and masks ("input.<name>"), the projection tensors of a fixed
scalar loss ("loss.output", "loss.weights"), the output ("output"), the head-averaged weights when
asked ("weights") and the gradients of the loss for every input and parameter ("grad.<name>",
"grad.state.<name>"); metadata holds the layer's configuration. Loss: sum(output * loss.output)
(+ sum(weights * loss.weights)). PyTorch 1.13 has no F.scaled_dot_product_attention; the layer's
math path is the reference. No mask row is fully masked (1.13's layer gives NaN there; Kiln gives 0).
The bool_masks cases pass boolean masks (True = ignore) and store them as BOOL.

    /usr/bin/python3 bench/peers/torch_attention_fixtures.py [--out DIR]
"""
import argparse
import os
import sys

import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_interop import write_safetensors  # noqa: E402

NEG = float("-inf")


def case(out_dir, name, seed, embed_dim, num_heads, batch_first, bias, kdim, vdim, n, lq, s, self_attention,
         need_weights, attn_mask, key_padding, bool_masks=False):
    torch.manual_seed(seed)
    mha = nn.MultiheadAttention(embed_dim, num_heads, dropout=0.0, bias=bias, batch_first=batch_first, kdim=kdim, vdim=vdim)
    # Non-zero biases, so their gradients and their use are both tested.
    with torch.no_grad():
        for pname, p in mha.named_parameters():
            if "bias" in pname:
                p.uniform_(-0.5, 0.5)
    def shaped(length, features):
        return torch.randn(n, length, features) if batch_first else torch.randn(length, n, features)
    query = shaped(lq, embed_dim).requires_grad_(True)
    if self_attention:
        key = value = query
    else:
        key = shaped(s, kdim or embed_dim).requires_grad_(True)
        value = shaped(s, vdim or embed_dim).requires_grad_(True)
    inputs = {"query": query}
    if not self_attention:
        inputs["key"], inputs["value"] = key, value
    masks = {}
    if attn_mask and bool_masks:
        m = torch.rand(lq, s) < 0.3  # True = not allowed to attend
        m[:, 0] = False  # never a fully masked row
        masks["attn_mask"] = m
    elif attn_mask:
        m = torch.randn(lq, s) * 0.5
        m[torch.rand(lq, s) < 0.25] = NEG
        m[:, 0] = 0.0  # never a fully masked row
        masks["attn_mask"] = m
    torch_kpm = None
    if key_padding:
        # The first sequence's last two keys are padding. PyTorch 1.13 drops a float key_padding_mask
        # combined with a float attn_mask (masked_fill with a float mask), so it gets the boolean form
        # (True = ignore) and the fixture stores the equivalent additive mask, as later versions merge it.
        torch_kpm = torch.zeros(n, s, dtype=torch.bool)
        torch_kpm[0, s - 2:] = True
        masks["key_padding_mask"] = torch_kpm if bool_masks else torch.zeros(n, s).masked_fill(torch_kpm, NEG)
    out, weights = mha(query, key, value, key_padding_mask=torch_kpm, need_weights=need_weights,
                       attn_mask=masks.get("attn_mask"))
    r = torch.randn(out.shape)
    loss = (out * r).sum()
    tensors = {"output": out, "loss.output": r}
    if need_weights:
        rw = torch.randn(weights.shape)
        loss = loss + (weights * rw).sum()
        tensors["weights"], tensors["loss.weights"] = weights, rw
    loss.backward()
    for k, t in inputs.items():
        tensors["input." + k] = t
        tensors["grad." + k] = t.grad
    for k, t in masks.items():
        tensors["input." + k] = t
    for k, t in mha.state_dict().items():
        tensors["state." + k] = t
    for k, p in mha.named_parameters():
        tensors["grad.state." + k] = p.grad
    meta = {"embed_dim": embed_dim, "num_heads": num_heads, "batch_first": batch_first, "bias": bias,
            "kdim": kdim or embed_dim, "vdim": vdim or embed_dim, "self_attention": self_attention,
            "need_weights": need_weights, "bool_masks": bool_masks, "torch": torch.__version__}
    path = os.path.join(out_dir, f"mha_{name}.safetensors")
    write_safetensors(path, tensors, meta)
    print(f"{path}: {os.path.getsize(path)} bytes, loss {loss.item():.6f}")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    default = os.path.join(here, "..", "..", "engine-api", "src", "test", "resources", "parity")
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=os.path.normpath(default))
    out_dir = parser.parse_args().out
    case(out_dir, "self_masks", 11, 8, 2, False, True, None, None, n=3, lq=5, s=5, self_attention=True,
         need_weights=False, attn_mask=True, key_padding=True)
    case(out_dir, "cross_batch_first_weights", 12, 8, 4, True, True, None, None, n=2, lq=3, s=6, self_attention=False,
         need_weights=True, attn_mask=False, key_padding=True)
    case(out_dir, "kdim_vdim_no_bias", 13, 6, 3, False, False, 5, 7, n=2, lq=4, s=3, self_attention=False,
         need_weights=False, attn_mask=True, key_padding=False)
    # Boolean masks (True = ignore), stored as BOOL: the fused path, and the explicit one with weights.
    case(out_dir, "bool_masks", 14, 8, 2, True, True, None, None, n=3, lq=6, s=6, self_attention=True,
         need_weights=False, attn_mask=True, key_padding=True, bool_masks=True)
    case(out_dir, "bool_masks_cross_weights", 15, 8, 4, False, True, None, None, n=2, lq=4, s=5, self_attention=False,
         need_weights=True, attn_mask=True, key_padding=True, bool_masks=True)


if __name__ == "__main__":
    main()
