#!/usr/bin/env python3
"""Kiln <-> PyTorch checkpoints: moves the seed CNN's weights both ways through safetensors files
and checks them with numbers. Reads and writes safetensors itself (json + struct + numpy, after the
format spec: 8-byte little-endian header length, a JSON header of
{name: {dtype, shape, data_offsets}} plus optional "__metadata__", then the little-endian data),
so it needs only PyTorch (Debian's python3-torch; bench/peers/peer.sh installs it when missing).

    torch_interop.py load  --checkpoint out/mnist.safetensors --kiln-logits out/interop/kiln-logits.json
        Kiln -> PyTorch: strict load into the identical nn.Sequential, test accuracy, logits compared.
    torch_interop.py train --out out/interop/torch.safetensors --epochs 1 --seed 0
        PyTorch -> Kiln: trains (from scratch, or --from a checkpoint), writes the weights for ./kiln evaluate.
    torch_interop.py compare A.json B.json
        max |difference| of two logits files (written by this script or ./kiln evaluate --logits-out).
    torch_interop.py report --dir out/interop
        the table of bench/peers/interop.sh from the JSON files of the steps.

The network's names are Kiln's (dev.kiln.samples.SeedCnn): features.{0,3,6}.{weight,bias},
classifier.{1,3}.{weight,bias}.
"""
import argparse
import gzip
import json
import math
import os
import struct
import sys
import time
from collections import OrderedDict

import numpy as np
import torch
import torch.nn as nn

# safetensors dtype -> (numpy little-endian dtype, torch dtype)
DTYPES = {
    "F64": ("<f8", torch.float64), "F32": ("<f4", torch.float32), "F16": ("<f2", torch.float16),
    "I64": ("<i8", torch.int64), "I32": ("<i4", torch.int32), "I16": ("<i2", torch.int16),
    "I8": ("i1", torch.int8), "U8": ("u1", torch.uint8), "BOOL": ("?", torch.bool),
    # numpy has no bfloat16: its bytes travel as int16 and are reinterpreted with Tensor.view
    "BF16": ("<i2", torch.bfloat16),
}
TORCH_TO_ST = {t: name for name, (_, t) in DTYPES.items()}
MAX_HEADER = 100_000_000


class FormatError(Exception):
    """A safetensors or IDX file that is damaged or not what the script expects."""


# ---------------------------------------------------------------- safetensors

def read_safetensors(path):
    """Returns (OrderedDict name -> torch tensor, metadata dict) after validating the header:
    known dtypes, shapes of non-negative ints, data_offsets matching numel * itemsize, entries
    covering the data section exactly without holes or overlaps."""
    with open(path, "rb") as f:
        blob = f.read()
    if len(blob) < 8:
        raise FormatError(f"{path}: {len(blob)} bytes, too short for the 8-byte header length")
    (n,) = struct.unpack("<Q", blob[:8])
    if n > len(blob) - 8 or n > MAX_HEADER:
        raise FormatError(f"{path}: header length {n} exceeds the file ({len(blob)} bytes) or {MAX_HEADER}")
    try:
        header = json.loads(blob[8:8 + n].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise FormatError(f"{path}: header is not UTF-8 JSON: {e}") from None
    if not isinstance(header, dict):
        raise FormatError(f"{path}: header is not a JSON object")
    metadata = header.pop("__metadata__", {}) or {}
    data = memoryview(blob)[8 + n:]
    spans = []
    tensors = OrderedDict()
    for name in sorted(header):
        e = header[name]
        if not isinstance(e, dict) or set(e) != {"dtype", "shape", "data_offsets"}:
            raise FormatError(f"{path}: tensor '{name}': entry must have exactly dtype, shape, data_offsets, got {e!r}")
        if e["dtype"] not in DTYPES:
            raise FormatError(f"{path}: tensor '{name}': unknown dtype {e['dtype']!r}")
        shape, (begin, end) = e["shape"], e["data_offsets"]
        if not all(isinstance(d, int) and d >= 0 for d in shape):
            raise FormatError(f"{path}: tensor '{name}': bad shape {shape}")
        np_dtype, torch_dtype = DTYPES[e["dtype"]]
        numel = math.prod(shape)
        if not (isinstance(begin, int) and isinstance(end, int) and 0 <= begin <= end <= len(data)):
            raise FormatError(f"{path}: tensor '{name}': data_offsets [{begin}, {end}] outside the data section of {len(data)} bytes")
        if end - begin != numel * np.dtype(np_dtype).itemsize:
            raise FormatError(f"{path}: tensor '{name}': {e['dtype']} {shape} needs {numel * np.dtype(np_dtype).itemsize} bytes, "
                              f"data_offsets [{begin}, {end}] hold {end - begin}")
        spans.append((begin, end, name))
        arr = np.frombuffer(data[begin:end], dtype=np_dtype).reshape(shape)
        t = torch.from_numpy(arr.astype(arr.dtype.newbyteorder("="), copy=True))
        tensors[name] = t.view(torch.bfloat16) if torch_dtype == torch.bfloat16 else t
    at = 0
    for begin, end, name in sorted(spans):
        if begin != at:
            raise FormatError(f"{path}: tensor '{name}' starts at {begin}, expected {at} (hole or overlap in the data section)")
        at = end
    if at != len(data):
        raise FormatError(f"{path}: tensors cover {at} of the {len(data)} data bytes")
    return tensors, metadata


def write_safetensors(path, tensors, metadata=None):
    """Writes tensors (sorted by name, contiguous little-endian data) with the header padded by spaces
    to a multiple of 8 bytes; atomically (temporary file, fsync, rename)."""
    header, chunks, at = OrderedDict(), [], 0
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    for name in sorted(tensors):
        t = tensors[name].detach().cpu().contiguous()
        if t.dtype not in TORCH_TO_ST:
            raise ValueError(f"write_safetensors: tensor '{name}' has dtype {t.dtype}, not one of {sorted(DTYPES)}")
        np_dtype = DTYPES[TORCH_TO_ST[t.dtype]][0]
        bits = t.view(torch.int16) if t.dtype == torch.bfloat16 else t
        raw = bits.numpy().astype(np_dtype, copy=False).tobytes()
        header[name] = {"dtype": TORCH_TO_ST[t.dtype], "shape": list(t.shape), "data_offsets": [at, at + len(raw)]}
        chunks.append(raw)
        at += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    tmp = f"{path}.tmp{os.getpid()}"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for c in chunks:
            f.write(c)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


# ---------------------------------------------------------------- model and data

def seed_cnn():
    """Kiln's SeedCnn as nn.Sequential: same layers, same dotted parameter names."""
    return nn.Sequential(OrderedDict(
        features=nn.Sequential(
            nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(64, 64, 3), nn.ReLU()),
        classifier=nn.Sequential(nn.Flatten(), nn.Linear(64 * 3 * 3, 64), nn.ReLU(), nn.Linear(64, 10)),
    ))


def read_idx(path, rank):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        blob = f.read()
    if len(blob) < 4 + 4 * rank:
        raise FormatError(f"{path}: {len(blob)} bytes, too short for an IDX header of rank {rank}")
    zero, kind, r = struct.unpack(">HBB", blob[:4])
    if zero != 0 or kind != 0x08 or r != rank:
        raise FormatError(f"{path}: magic {blob[:4].hex()}, expected 000008{rank:02x} (unsigned bytes, rank {rank})")
    dims = struct.unpack(">" + "I" * rank, blob[4:4 + 4 * rank])
    body = blob[4 + 4 * rank:]
    if len(body) != math.prod(dims):
        raise FormatError(f"{path}: expected {math.prod(dims)} bytes of data for {list(dims)}, found {len(body)}")
    return np.frombuffer(body, dtype=np.uint8).reshape(dims)


def find(data_dir, stem, kind):
    tried = []
    for sep in ("-", "."):
        for gz in ("", ".gz"):
            p = os.path.join(data_dir, f"{stem}{sep}{kind}{gz}")
            tried.append(os.path.basename(p))
            if os.path.isfile(p):
                return p
    raise FileNotFoundError(f"{data_dir}: no {stem} file (tried {', '.join(tried)}); run './kiln fetch-data'")


def load_mnist(data_dir, split):
    """Images [N, 1, 28, 28] float32 scaled to [0, 1] (as Kiln's ImageDataset), labels int64."""
    prefix = "train" if split == "train" else "t10k"
    images = read_idx(find(data_dir, prefix + "-images", "idx3-ubyte"), 3)
    labels = read_idx(find(data_dir, prefix + "-labels", "idx1-ubyte"), 1)
    if len(images) != len(labels):
        raise FormatError(f"{data_dir}: {len(images)} {prefix} images but {len(labels)} labels")
    x = torch.from_numpy(images.astype(np.float32) / np.float32(255)).unsqueeze(1)
    return x, torch.from_numpy(labels.astype(np.int64))


def evaluate(model, x, y, batch=500):
    """(correct, mean cross-entropy, predictions) in eval mode without gradients."""
    model.eval()
    correct, loss_sum, preds = 0, 0.0, []
    with torch.no_grad():
        for i in range(0, len(x), batch):
            logits = model(x[i:i + batch])
            loss_sum += nn.functional.cross_entropy(logits, y[i:i + batch], reduction="sum").item()
            p = logits.argmax(1)
            preds.append(p)
            correct += int((p == y[i:i + batch]).sum())
    return correct, loss_sum / len(x), torch.cat(preds)


def logits_json(model, x, y, count, checkpoint, predictions):
    """The format of ./kiln evaluate --logits-out: logits of the first count images, predicted class of every image."""
    model.eval()
    with torch.no_grad():
        logits = model(x[:count])
    return {"producer": "pytorch " + torch.__version__, "checkpoint": checkpoint, "images": count,
            "labels": y[:count].tolist(), "logits": [[float(v) for v in row] for row in logits.tolist()],
            "predictions": predictions.tolist()}


def compare(a, b):
    """Max |difference| of the logits of two logits files (same images), how many of their argmaxes differ, and
    on how many test images the predicted classes differ."""
    if a["labels"] != b["labels"]:
        raise FormatError("compare: the two logits files are of different images (labels differ)")
    la, lb = np.asarray(a["logits"], dtype=np.float64), np.asarray(b["logits"], dtype=np.float64)
    if la.shape != lb.shape:
        raise FormatError(f"compare: logits shapes differ: {list(la.shape)} vs {list(lb.shape)}")
    pa, pb = np.asarray(a["predictions"]), np.asarray(b["predictions"])
    if pa.shape != pb.shape:
        raise FormatError(f"compare: predictions for {len(pa)} and {len(pb)} images")
    return {"images": int(la.shape[0]), "max_abs_diff": float(np.abs(la - lb).max()),
            "max_abs_logit": float(max(np.abs(la).max(), np.abs(lb).max())),
            "argmax_differ": int((la.argmax(1) != lb.argmax(1)).sum()),
            "predicted_images": int(len(pa)), "predictions_differ": int((pa != pb).sum())}


def write_json(path, value):
    if path:
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        with open(path, "w") as f:
            json.dump(value, f, indent=2)
            f.write("\n")


def load_strict(model, path):
    tensors, metadata = read_safetensors(path)
    model.load_state_dict(tensors, strict=True)  # raises naming missing/unexpected keys and shape mismatches
    return metadata


# ---------------------------------------------------------------- commands

def cmd_load(args):
    model = seed_cnn()
    metadata = load_strict(model, args.checkpoint)
    x, y = load_mnist(args.data, "test")
    correct, loss, preds = evaluate(model, x, y)
    out = {"step": "pytorch loads kiln", "checkpoint": args.checkpoint, "kiln_epoch": metadata.get("kiln.epoch"),
           "test_images": len(y), "test_correct": correct, "test_accuracy": correct / len(y), "test_loss": loss}
    print(f"pytorch {torch.__version__}: loaded {args.checkpoint} strictly ({len(model.state_dict())} tensors)")
    print(f"test accuracy: {100 * correct / len(y):.2f}% ({correct} of {len(y)} right), loss {loss:.6f}")
    if args.kiln_logits:
        with open(args.kiln_logits) as f:
            theirs = json.load(f)
        ours = logits_json(model, x, y, theirs["images"], args.checkpoint, preds)
        out["logits_vs_kiln"] = c = compare(ours, theirs)
        print(f"logits of the first {c['images']} test images vs Kiln's: max |diff| {c['max_abs_diff']:.3g} "
              f"(largest |logit| {c['max_abs_logit']:.3g}), argmax differs on {c['argmax_differ']}")
        print(f"predicted class differs from Kiln's on {c['predictions_differ']} of {c['predicted_images']} test images")
    write_json(args.json_out, out)


def cmd_train(args):
    torch.manual_seed(args.seed)
    model = seed_cnn()
    if args.start_from:
        load_strict(model, args.start_from)
    x, y = load_mnist(args.data, "train")
    xt, yt = load_mnist(args.data, "test")
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    loss_fn = nn.CrossEntropyLoss()
    order = torch.Generator().manual_seed(args.seed)
    start = time.perf_counter()
    for epoch in range(args.epochs):
        model.train()
        perm = torch.randperm(len(x), generator=order)
        loss_sum, seen = 0.0, 0
        for i in range(0, len(x), args.batch):
            idx = perm[i:i + args.batch]
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(x[idx]), y[idx])
            loss.backward()
            opt.step()
            loss_sum += loss.item() * len(idx)
            seen += len(idx)
        print(f"epoch {epoch + 1}/{args.epochs}: train loss {loss_sum / seen:.4f} ({time.perf_counter() - start:.0f} s)", flush=True)
    seconds = time.perf_counter() - start
    correct, loss, preds = evaluate(model, xt, yt)
    write_safetensors(args.out, model.state_dict(), {"written_by": "bench/peers/torch_interop.py", "torch": torch.__version__,
                                                     "epochs": args.epochs, "seed": args.seed})
    # read back with our own parser: what Kiln will read is what was trained
    back = seed_cnn()
    load_strict(back, args.out)
    same = all(torch.equal(a, b) for a, b in zip(model.state_dict().values(), back.state_dict().values()))
    print(f"test accuracy: {100 * correct / len(yt):.2f}% ({correct} of {len(yt)} right), loss {loss:.6f}")
    print(f"checkpoint: {args.out} (re-read bit-identical: {same})")
    out = {"step": "pytorch trains", "checkpoint": args.out, "start_from": args.start_from, "epochs": args.epochs, "seed": args.seed,
           "train_seconds": seconds, "test_images": len(yt), "test_correct": correct, "test_accuracy": correct / len(yt),
           "test_loss": loss, "reread_identical": same}
    if args.logits_out:
        write_json(args.logits_out, logits_json(model, xt, yt, args.logits_count, args.out, preds))
        print(f"logits: {args.logits_out}")
    write_json(args.json_out, out)
    if not same:
        sys.exit("train: the written checkpoint does not read back identically")


def cmd_compare(args):
    with open(args.a) as f:
        a = json.load(f)
    with open(args.b) as f:
        b = json.load(f)
    c = compare(a, b)
    print(f"logits of {c['images']} images: max |diff| {c['max_abs_diff']:.3g} (largest |logit| {c['max_abs_logit']:.3g}), "
          f"argmax differs on {c['argmax_differ']}; predicted class differs on {c['predictions_differ']} of {c['predicted_images']} images")
    write_json(args.json_out, c)


def cmd_report(args):
    def j(name):
        with open(os.path.join(args.dir, name)) as f:
            return json.load(f)

    ke, tl, tt, kt, cmp = j("kiln-eval.json"), j("torch-load.json"), j("torch-train.json"), j("kiln-eval-torch.json"), j("compare-torch.json")
    rows = [
        ("Kiln -> PyTorch", os.path.basename(ke["checkpoint"]), ke["test_correct"], tl["test_correct"], tl["logits_vs_kiln"]),
        ("PyTorch -> Kiln", os.path.basename(tt["checkpoint"]), kt["test_correct"], tt["test_correct"], cmp),
    ]
    print(f"{'direction':<16} {'checkpoint':<18} {'Kiln right':>15} {'PyTorch right':>15} {'predictions differ':>19} {'max |logit diff|':>17}")
    ok = True
    for direction, name, k, t, c in rows:
        ok = ok and k == t and c["predictions_differ"] == 0
        print(f"{direction:<16} {name:<18} {k:>6} ({100 * k / ke['test_images']:.2f}%) {t:>6} ({100 * t / tl['test_images']:.2f}%) "
              f"{c['predictions_differ']:>7} of {c['predicted_images']:<8} {c['max_abs_diff']:>10.3g} ({c['images']} img)")
    if not ok:
        sys.exit("interop: Kiln and PyTorch disagree (see above)")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--threads", type=int, default=2, help="torch.set_num_threads (default 2)")
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("load", help="Kiln -> PyTorch: strict load, test accuracy, logits vs Kiln's")
    s.add_argument("--checkpoint", default="out/mnist.safetensors")
    s.add_argument("--data", default="data/mnist")
    s.add_argument("--kiln-logits", help="logits file of ./kiln evaluate --logits-out for the same checkpoint")
    s.add_argument("--json-out")
    s.set_defaults(run=cmd_load)
    s = sub.add_parser("train", help="PyTorch -> Kiln: train and write a safetensors checkpoint")
    s.add_argument("--out", default="out/interop/torch.safetensors")
    s.add_argument("--from", dest="start_from", help="fine-tune from this checkpoint instead of training from scratch")
    s.add_argument("--data", default="data/mnist")
    s.add_argument("--epochs", type=int, default=1)
    s.add_argument("--seed", type=int, default=0)
    s.add_argument("--lr", type=float, default=1e-3)
    s.add_argument("--batch", type=int, default=64)
    s.add_argument("--logits-out")
    s.add_argument("--logits-count", type=int, default=100)
    s.add_argument("--json-out")
    s.set_defaults(run=cmd_train)
    s = sub.add_parser("compare", help="compare two logits files")
    s.add_argument("a")
    s.add_argument("b")
    s.add_argument("--json-out")
    s.set_defaults(run=cmd_compare)
    s = sub.add_parser("report", help="print the table of interop.sh")
    s.add_argument("--dir", default="out/interop")
    s.set_defaults(run=cmd_report)
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    try:
        args.run(args)
    except (FormatError, FileNotFoundError, RuntimeError) as e:
        sys.exit(f"torch_interop {args.cmd}: {e}")


if __name__ == "__main__":
    main()
