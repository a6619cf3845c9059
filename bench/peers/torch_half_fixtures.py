#!/usr/bin/env python3
"""PyTorch's float32 -> bfloat16 / float16 conversions as reference bit patterns for Kiln's
HalfFloats and its BF16/F16 safetensors support (issue 12), written as one small safetensors file
that engine-api's test resources keep (HalfFloatsTest and SafeTensorsHalfTest compare against it).

    /usr/bin/python3 bench/peers/torch_half_fixtures.py [--out engine-api/src/test/resources/parity/torch_half.safetensors]
    /usr/bin/python3 bench/peers/torch_half_fixtures.py --check KILN_FILE...
        reads files Kiln wrote with BF16/F16 storage (a tensor "bf16" or "f16" holding the fixture's
        "values"; SafeTensorsHalfTest copies its files kiln-bf16/kiln-f16.safetensors to DIR when run
        with -Dkiln.half.keep=DIR) and checks that PyTorch sees the bits of its own conversion of the
        same values (NaN: any NaN).

The file holds:
  values      F32 [n]  the inputs: rounding ties, values just above and below halfway, subnormals
                       of each format, max/min normal, overflow, -0.0, +-inf, NaN, then seeded
                       random values over many magnitudes and random bit patterns
  bf16_bits   I32 [n]  torch.tensor(values).to(torch.bfloat16).view(torch.int16), as unsigned 16 bits
  f16_bits    I32 [n]  the same for torch.float16
  bf16, f16   BF16/F16 [n]  the converted tensors themselves, as PyTorch stores them
  bf16_float, f16_float  F32 [n]  their .float() (what a load must give)
  bf16_matrix BF16 [3, 5], bf16_matrix_float F32 [3, 5]  a 2-D tensor, for shapes
"""
import argparse
import math
import os
import struct
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_interop import read_safetensors, write_safetensors  # noqa: E402


def f32(bits):
    return struct.unpack("<f", struct.pack("<I", bits))[0]


def edge_values():
    """Hand-picked inputs whose rounding is easy to get wrong."""
    v = [0.0, -0.0, 1.0, -1.0, math.inf, -math.inf, math.nan, -math.nan, 0.1, -0.1, 1.0 / 3, math.pi]
    # bfloat16 (8 significant bits): around 1.0 the bf16 step is 2^-7
    v += [f32(0x3F808000), f32(0x3F818000), f32(0x3F808001), f32(0x3F807FFF), f32(0x3F818001), f32(0x3F817FFF),
          f32(0xBF808000), f32(0xBF818000)]                       # ties to even (down, up), above/below halfway, negative
    v += [f32(0x7F7F0000), f32(0x7F7F7FFF), f32(0x7F7F8000), f32(0x7F7FFFFF), f32(0xFF7FFFFF)]  # max bf16, overflow
    v += [f32(0x00800000), f32(0x00810000), f32(0x007F0000), f32(0x007FFFFF), f32(0x00010000), f32(0x00008000),
          f32(0x00018000), f32(0x00008001), f32(0x00000001), f32(0x80000001), f32(0x80010000)]  # min normal, subnormals
    # float16 (11 significant bits, max 65504, min normal 2^-14, min subnormal 2^-24)
    v += [65504.0, 65519.0, 65519.996, 65520.0, 65536.0, 1e5, -65520.0, -65504.0]
    v += [2.0 ** -14, 2.0 ** -14 - 2.0 ** -25, 2.0 ** -14 - 2.0 ** -24, 2.0 ** -24, 2.0 ** -25, 1.5 * 2.0 ** -25,
          3 * 2.0 ** -25, 5 * 2.0 ** -25, 2.0 ** -26, 2.0 ** -25 + 2.0 ** -40, -2.0 ** -24, 1e-8, 6e-8]
    v += [1 + 2.0 ** -11, 1 + 3 * 2.0 ** -11, 1 + 2.0 ** -11 + 2.0 ** -20, 1 + 2.0 ** -11 - 2.0 ** -20,
          2048.0 + 1, 2048.0 + 3, 4096.0 + 2, -(1 + 2.0 ** -11)]
    v += [f32(0x7FC00001), f32(0x7F800001), f32(0xFFC00000), f32(0x7FBFFFFF)]  # NaN payloads, signalling NaNs
    return v


def random_values(gen):
    normal = torch.randn(600, generator=gen, dtype=torch.float64)
    scales = torch.pow(10.0, torch.randint(-40, 39, (600,), generator=gen).double())
    wide = (normal * scales).float()
    bits = torch.randint(-2 ** 31, 2 ** 31 - 1, (400,), generator=gen, dtype=torch.int64).to(torch.int32).view(torch.float32)
    return torch.cat([wide, bits])


def convert_bits(values, dtype):
    return (values.to(dtype).view(torch.int16).to(torch.int32) & 0xFFFF)


def check(path, fixture):
    kiln, _ = read_safetensors(path)
    values = fixture["values"]
    bad = 0
    for name, dtype in (("bf16", torch.bfloat16), ("f16", torch.float16)):
        if name not in kiln:
            continue
        got = kiln[name]
        if got.dtype != dtype:
            raise SystemExit(f"{path}: tensor '{name}' is {got.dtype}, expected {dtype}")
        want_bits = convert_bits(values, dtype)
        got_bits = got.view(torch.int16).to(torch.int32) & 0xFFFF
        nan = torch.isnan(values)
        same = (got_bits == want_bits) | (nan & torch.isnan(got.float()))
        bad += int((~same).sum())
        print(f"{path}: {name}: {int(same.sum())} of {len(values)} elements as PyTorch converts them")
    if bad:
        raise SystemExit(f"{path}: {bad} elements differ")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    default = os.path.join(here, "..", "..", "engine-api", "src", "test", "resources", "parity", "torch_half.safetensors")
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", default=os.path.normpath(default))
    p.add_argument("--check", nargs="+", help="Kiln-written files to check against the fixture at --out")
    args = p.parse_args()
    if args.check:
        fixture, _ = read_safetensors(args.out)
        for path in args.check:
            check(path, fixture)
        return
    gen = torch.Generator().manual_seed(12)
    values = torch.cat([torch.tensor(edge_values(), dtype=torch.float32), random_values(gen)])
    matrix = torch.randn(3, 5, generator=gen) * 100
    out = {
        "values": values,
        "bf16_bits": convert_bits(values, torch.bfloat16),
        "f16_bits": convert_bits(values, torch.float16),
        "bf16": values.to(torch.bfloat16),
        "f16": values.to(torch.float16),
        "bf16_float": values.to(torch.bfloat16).float(),
        "f16_float": values.to(torch.float16).float(),
        "bf16_matrix": matrix.to(torch.bfloat16),
        "bf16_matrix_float": matrix.to(torch.bfloat16).float(),
    }
    write_safetensors(args.out, out, {"generator": "bench/peers/torch_half_fixtures.py", "torch": torch.__version__, "seed": "12"})
    print(f"wrote {args.out} ({os.path.getsize(args.out)} bytes, {len(values)} values)")


if __name__ == "__main__":
    main()
