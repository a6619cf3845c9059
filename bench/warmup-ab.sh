#!/usr/bin/env bash
# Warm-up A/B (issue 13, docs/warmup.md): fresh JVMs, alternating configurations round by round.
#   bench/warmup-ab.sh [ROUNDS] [WORKLOADS] [CONFIGS]
# WORKLOADS (comma-separated, default train100):
#   train100  ./kiln bench train --batch 64 --warmup 0 --steps 1 --repeats 100: time of the first 1,
#             10 and 100 training steps (sum of the per-step times) and the whole process
#   mnist     ./kiln mnist --epochs 1 (data: data/mnist or KILN_MNIST=DIR): whole process
#   generate  ./kiln bench gpt-generate --warmup 0 --repeats 3: tokens/s of the first three generations (KV cache)
# CONFIGS (comma-separated, default aot,none), each a launcher environment:
#   aot = the recorded cache (./kiln aot first), none = KILN_AOT=0,
#   anything else = KILN_AOT=0 plus KILN_JAVA_OPTS taken from the variable OPTS_<name> (e.g. OPTS_nowarm=-Dkiln.cpu.warmup=false).
# Prints one line per run (process wall and CPU seconds from /usr/bin/time) and the medians per config.
# Wall times swing with the machine's load: run it on a quiet machine, say the load (uptime) with the numbers.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}; IFS=, read -r -a workloads <<< "${2:-train100}"; IFS=, read -r -a configs <<< "${3:-aot,none}"
out=target/warmup-ab; mkdir -p "$out"; : > "$out/results.tsv"
mnist=${KILN_MNIST:-data/mnist}
echo "# $(date -u +%FT%TZ) $(uptime | sed 's/.*load/load/')"

run_one() { # workload config round
  local w=$1 c=$2 r=$3 f="$out/$1-$2-$3" opts="" aot=0 extra
  case "$c" in aot) aot=1;; none) ;; *) extra="OPTS_$c"; opts=${!extra:-};; esac
  local -a cmd
  case "$w" in
    train100) cmd=(./kiln bench train --batch 64 --warmup 0 --steps 1 --repeats 100 --out "$f.json") ;;
    mnist) cmd=(./kiln mnist --epochs 1 --data "$mnist" --checkpoint "$f.safetensors") ;;
    generate) cmd=(./kiln bench gpt-generate --warmup 0 --repeats 3 --out "$f.json") ;;
    *) echo "warmup-ab: unknown workload '$w' (train100, mnist, generate)" >&2; exit 2 ;;
  esac
  KILN_AOT=$aot KILN_JAVA_OPTS="$opts" /usr/bin/time -f '%e %U %S' -o "$f.time" "${cmd[@]}" > "$f.log" 2>&1 \
    || { echo "warmup-ab: $w/$c failed, see $f.log" >&2; tail -5 "$f.log" >&2; return 0; }
  python3 - "$w" "$c" "$r" "$f" >> "$out/results.tsv" <<'EOF'
import json, sys
w, c, r, f = sys.argv[1:]
wall, user, sys_ = map(float, open(f + ".time").read().split()[-3:])
cols = {"wall_s": wall, "cpu_s": user + sys_}
if w == "train100":
    v = json.loads(open(f + ".json").readline())["values"]
    t = [64 / x for x in v]
    cols.update(first1_s=t[0], first10_s=sum(t[:10]), first100_s=sum(t), last10_median_ms=sorted(t[-10:])[5] * 1000)
elif w == "generate":
    v = json.loads(open(f + ".json").readline())["values"]
    cols.update({"gen%d_tok_s" % (i + 1): x for i, x in enumerate(v)})
print("\t".join([w, c, r] + ["%s=%.3f" % kv for kv in cols.items()]))
EOF
  tail -1 "$out/results.tsv"
}

for r in $(seq 1 "$rounds"); do
  for w in "${workloads[@]}"; do
    for c in "${configs[@]}"; do run_one "$w" "$c" "$r"; done
  done
done
echo "# medians (min-max) per workload and config"
python3 - "$out/results.tsv" <<'EOF'
import sys, statistics, collections
d = collections.defaultdict(lambda: collections.defaultdict(list))
for line in open(sys.argv[1]):
    w, c, r, *kv = line.rstrip("\n").split("\t")
    for x in kv:
        k, v = x.split("="); d[(w, c)][k].append(float(v))
for (w, c), m in d.items():
    print(w, c, " ".join("%s %.3g (%.3g-%.3g)" % (k, statistics.median(v), min(v), max(v)) for k, v in m.items()), "n=%d" % len(next(iter(m.values()))))
EOF
echo "# $(date -u +%FT%TZ) $(uptime | sed 's/.*load/load/')"
