#!/usr/bin/env python3
"""PyTorch reference outputs and gradients for Kiln's indexing ops (issue 11): index_select,
gather, scatter_add, one_hot and embedding with padding_idx, written as one small safetensors file
that engine-api's test resources keep (IndexParityChecks compares Kiln against it on every backend,
at float32 tolerances).

    /usr/bin/python3 bench/peers/torch_index_fixtures.py [--out engine-api/src/test/resources/parity/torch_index.safetensors]

Every case <c> stores its inputs (<c>.x, <c>.index, ...), the output <c>.out, a projection <c>.r
and the gradients of sum(out * r) with respect to each float input (<c>.grad_x, ...). Indices are
int64 (PyTorch's type) and include duplicates, so the gradients show accumulation. Deterministic
(seeded), float32 throughout.
"""
import argparse
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_interop import write_safetensors  # noqa: E402


def leaf(*shape):
    return torch.randn(*shape, dtype=torch.float32).requires_grad_(True)


def record(out, name, result, inputs):
    """Stores result, a random projection r and d sum(result * r) / d input for each float input."""
    r = torch.randn(result.shape, dtype=torch.float32)
    (result * r).sum().backward()
    out[f"{name}.out"] = result.detach()
    out[f"{name}.r"] = r
    for key, t in inputs.items():
        out[f"{name}.{key}"] = t.detach()
        if t.requires_grad:
            out[f"{name}.grad_{key}"] = t.grad.detach()


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    default = os.path.join(here, "..", "..", "engine-api", "src", "test", "resources", "parity", "torch_index.safetensors")
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", default=os.path.normpath(default))
    args = p.parse_args()
    torch.manual_seed(11)
    out = {}

    x = leaf(2, 4, 3)
    index = torch.tensor([3, 0, 3, 1, 3], dtype=torch.int64)
    record(out, "index_select", torch.index_select(x, 1, index),
           {"x": x, "index": index})

    x = leaf(3, 4, 5)
    index = torch.randint(0, 4, (3, 6, 2), dtype=torch.int64)  # dim 1 longer than x's, dim 2 narrower: PyTorch's shape rule
    record(out, "gather", torch.gather(x, 1, index), {"x": x, "index": index})

    self_ = leaf(4, 6)
    src = leaf(3, 6)
    index = torch.tensor([[0, 1, 2, 3, 0, 1], [3, 3, 3, 3, 3, 3], [0, 0, 1, 1, 2, 2]], dtype=torch.int64)
    record(out, "scatter_add", torch.scatter_add(self_, 0, index, src), {"self": self_, "index": index, "src": src})

    weight = leaf(7, 4)
    indices = torch.tensor([[1, 0, 5, 5], [0, 6, 2, 0]], dtype=torch.int64)
    record(out, "embedding", F.embedding(indices, weight, padding_idx=0), {"weight": weight, "index": indices})

    labels = torch.tensor([[2, 0], [4, 2]], dtype=torch.int64)
    out["one_hot.index"] = labels
    out["one_hot.out"] = F.one_hot(labels)

    write_safetensors(args.out, out, {"generator": "bench/peers/torch_index_fixtures.py", "torch": torch.__version__, "seed": "11"})
    print(f"wrote {args.out} ({os.path.getsize(args.out)} bytes, {len(out)} tensors)")


if __name__ == "__main__":
    main()
