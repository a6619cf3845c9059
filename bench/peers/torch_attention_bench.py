#!/usr/bin/env python3
"""PyTorch CPU peer of `./kiln bench attention`: attention forward + backward at batch 1, H heads,
head size E, sequence T, by PyTorch 1.13's math path (softmax(q k^T / sqrt(E)) v; 1.13 has no
F.scaled_dot_product_attention), which materialises the T x T scores and probabilities (each
4 T^2 bytes per head) and keeps the probabilities for backward. Prints ms per step (median, min, max);
with --json one JSON line per sequence length instead, for `./kiln bench compare --only attention`,
adding the peak memory: the growth of the process's peak resident set (VmHWM in /proc/self/status)
over the steps, measured from just before the first step (inputs allocated), so it counts what the
steps allocate. (Not ru_maxrss: Linux carries it over from the parent across fork and exec, so under
`./kiln bench compare` it would report the JVM's size and never grow.)

    /usr/bin/python3 bench/peers/torch_attention_bench.py --seq 1024,4096 --repeats 5 --threads 2
"""
import argparse
import json
import math
import resource
import statistics
import time

import torch


def peak_rss_kib():
    """The peak resident set of this process image (VmHWM, KiB); ru_maxrss where /proc is missing."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def step(q, k, v):
    w = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1]), dim=-1)
    (w @ v).sum().backward()


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--seq", default="1024,4096")
    p.add_argument("--heads", type=int, default=1)
    p.add_argument("--dim", type=int, default=64)
    p.add_argument("--warmup", type=int, default=1)
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--json", action="store_true", help="one JSON line per length, with the peak RSS growth")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    for t in (int(x) for x in a.seq.split(",")):
        g = torch.Generator().manual_seed(t)
        q, k, v = (torch.randn(1, a.heads, t, a.dim, generator=g).requires_grad_(True) for _ in range(3))
        times = []
        rss0 = peak_rss_kib()
        for i in range(a.warmup + a.repeats):
            start = time.perf_counter()
            step(q, k, v)
            if i >= a.warmup:
                times.append((time.perf_counter() - start) * 1e3)
            for x in (q, k, v):
                x.grad = None
        mib = 4.0 * t * t * a.heads / 2 ** 20
        if a.json:
            grown = (peak_rss_kib() - rss0) / 1024.0
            print(json.dumps({"bench": "attention", "seq": t, "heads": a.heads, "dim": a.dim, "ms": [round(x, 2) for x in times],
                              "peak_rss_growth_mib": round(grown, 1), "torch": torch.__version__, "threads": a.threads}))
            continue
        print(f"attention pytorch cpu T {t} H {a.heads} E {a.dim}: median {statistics.median(times):.1f} ms, "
              f"min {min(times):.1f}, max {max(times):.1f} ({a.threads} threads; one T x T matrix {mib:.0f} MiB, "
              f"scores + probabilities + their gradients >= {4 * mib:.0f} MiB)")


if __name__ == "__main__":
    main()
