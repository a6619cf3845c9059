#!/usr/bin/env bash
# Kiln <-> PyTorch checkpoints, both ways, checked with numbers (./kiln interop runs this).
#   bench/peers/interop.sh [--checkpoint FILE] [--data DIR] [--out DIR] [--epochs N] [--seed S] [--from FILE]
# 1. ./kiln evaluate on Kiln's checkpoint (default out/mnist.safetensors, from ./kiln mnist), logits of 100 test images;
# 2. PyTorch loads the same file strictly into the identical nn.Sequential: test accuracy, logits against Kiln's;
# 3. PyTorch trains (from scratch with --seed, or fine-tunes --from FILE) for --epochs and writes its own safetensors;
# 4. ./kiln evaluate on PyTorch's file, logits compared with PyTorch's; then a table. Exits non-zero when they disagree.
# PyTorch comes from Debian's python3-torch (installed by peer.sh when missing); files go to --out (default out/interop).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$root"

ckpt=out/mnist.safetensors data=data/mnist work=out/interop epochs=1 seed=0 from=""
while [ $# -gt 0 ]; do
  case "$1" in
    --checkpoint) ckpt=$2; shift 2 ;;
    --data) data=$2; shift 2 ;;
    --out) work=$2; shift 2 ;;
    --epochs) epochs=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --from) from=$2; shift 2 ;;
    -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "interop: unknown option $1 (try --help)" >&2; exit 2 ;;
  esac
done
[ -f "$ckpt" ] || { echo "interop: $ckpt not found; train it first with './kiln mnist' or pass --checkpoint FILE" >&2; exit 1; }
mkdir -p "$work"
torch=("$here/peer.sh" torch-interop)

echo "== 1. Kiln evaluates $ckpt"
./kiln evaluate --checkpoint "$ckpt" --data "$data" --backend cpu --logits-out "$work/kiln-logits.json" --metrics-out "$work/kiln-eval.json"
echo "== 2. PyTorch loads $ckpt"
"${torch[@]}" load --checkpoint "$ckpt" --data "$data" --kiln-logits "$work/kiln-logits.json" --json-out "$work/torch-load.json"
echo "== 3. PyTorch trains $epochs epoch(s)${from:+ from $from} and writes $work/torch.safetensors"
"${torch[@]}" train --data "$data" --epochs "$epochs" --seed "$seed" ${from:+--from "$from"} --out "$work/torch.safetensors" \
  --logits-out "$work/torch-logits.json" --json-out "$work/torch-train.json"
echo "== 4. Kiln evaluates $work/torch.safetensors"
./kiln evaluate --checkpoint "$work/torch.safetensors" --data "$data" --backend cpu --logits-out "$work/kiln-on-torch-logits.json" \
  --metrics-out "$work/kiln-eval-torch.json"
"${torch[@]}" compare "$work/torch-logits.json" "$work/kiln-on-torch-logits.json" --json-out "$work/compare-torch.json"
echo
echo "test images classified right (of 10,000) by each framework from the same checkpoint:"
"${torch[@]}" report --dir "$work"
