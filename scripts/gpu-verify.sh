#!/usr/bin/env bash
# GPU machine, from the repository root, with .device/ beside it (made by scripts/gpu-pack.sh on
# the build machine and carried along: it is git-ignored). One call records everything a GPU
# session needs for docs/gpu-results.md:
#   RESULTS_DIR=$OUT scripts/gpu-verify.sh
# Steps, each logged to $RESULTS_DIR/<step>.log; a failing step does not stop the next:
#   info     GPU, driver, CUDA libraries found (.device/run.sh info), nvidia-smi, PyTorch's versions
#   doctor   Kiln's view: backends, sonames tried, versions, why CUDA is or is not usable
#   tests    every JUnit test tagged "cuda" (junit.txt, XML reports under junit-xml/): the op suite
#            with every issue-11 op, CUDA-vs-CPU parity over all op cases, NVRTC-vs-fatbin parity,
#            backend and training tests
#   gpt      issue 12: a short `./kiln gpt pretrain --corpus chinese` on cuda, `gpt finetune --compare`
#            from it on the Tang poems, `gpt generate --compare-cache`, and the GPT training step at
#            the same shape in Kiln and in PyTorch on the GPU (torch_gpt.py bench --device cuda), tokens/s
#            side by side in gpt.md; skipped without ./kiln gpt or .device/data/fortunes/zh (see gpt())
#   seq-mnist  a short `./kiln seq-mnist` on cuda (LSTM, 1 epoch), when ./kiln has that command,
#            its class is packed and .device/data/mnist exists; options the sample's --help does not
#            list are left out
#   nvrtc    the kernels compiled at run time by NVRTC instead of loaded from kiln.fatbin
#            (KILN_CUDA_KERNELS=nvrtc): the op suite, NVRTC-vs-fatbin parity, NVRTC compile and
#            binding checks; results under nvrtc/
#   vit      a short `./kiln vit` on cuda (1 epoch), guarded like seq-mnist
#   mnist    the MNIST sample on cuda (2 epochs), when its class and .device/data/mnist exist
#   bench    ./kiln bench train --backend cuda and the PyTorch peer, side by side (bench.md)
#   tests_sync  only after a failed tests step (GPU_VERIFY_RERUN_SYNC=0 to skip): the cuda tests
#            again with KILN_CUDA_SYNC_EACH_OP=1 CUDA_LAUNCH_BLOCKING=1, results under sync/
# Time: a device command may run 600 s, so the whole run keeps to GPU_VERIFY_BUDGET seconds
# (default 540): each step's limit is cut to what is left (less 20 s for the summary), and a step
# with under 30 s left is skipped and marked so in the summary. Steps run in the order given, most
# important first. Environment: GPU_VERIFY_STEPS (default "info doctor tests gpt seq-mnist nvrtc vit
# mnist bench"), per-step limits GPU_VERIFY_TIMEOUT_<STEP> in seconds, KILN_MNIST_MAIN /
# KILN_MNIST_ARGS, KILN_SEQ_MNIST_ARGS, KILN_VIT_ARGS to override how the samples are started,
# KILN_GPU_VERIFY_BACKEND and KILN_GPT_*_OPTS for the gpt step (see gpt()).
# Exit status: 0 when every step that ran succeeded.
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
self=$root/scripts/gpu-verify.sh
out=${RESULTS_DIR:-/tmp/kiln-gpu-results}
mkdir -p "$out"
export RESULTS_DIR=$out
run=.device/run.sh
summary=$out/summary.md
steps=${GPU_VERIFY_STEPS:-info doctor tests gpt seq-mnist nvrtc vit mnist bench}
failed=0
budget=${GPU_VERIFY_BUDGET:-540}
deadline=$(( $(date +%s) + budget ))

limit() { # per-step limit: GPU_VERIFY_TIMEOUT_<STEP> or the default
    local var="GPU_VERIFY_TIMEOUT_$(echo "$1" | tr '[:lower:]-' '[:upper:]_')"
    echo "${!var:-$2}"
}

info() {
    "$run" info
    echo
    nvidia-smi 2>&1 | head -25
    echo
    python3 - <<'EOF' 2>&1
import torch
print("torch", torch.__version__, "cuda", torch.version.cuda, "cudnn", torch.backends.cudnn.version(),
      "device", torch.cuda.get_device_name(0) if torch.cuda.is_available() else "none")
EOF
}

tests() {
    "$run" test --include-tag cuda --reports-dir "$out/junit-xml"
}

# After a failed tests step: the same tests with a sync after every backend call and blocking
# launches, so an asynchronous GPU fault is reported by the op (and kernel) that caused it.
tests_sync() {
    mkdir -p "$out/sync"
    RESULTS_DIR=$out/sync KILN_CUDA_SYNC_EACH_OP=1 CUDA_LAUNCH_BLOCKING=1 \
        "$run" test --include-tag cuda --reports-dir "$out/sync/junit-xml"
}

# The NVRTC fallback (what a driver older than the fatbin's nvcc gets), forced: the op suite against
# its float64 references with NVRTC's kernels, their parity with the fatbin's, and the NVRTC
# compile and binding tests (which need NVRTC but no GPU).
nvrtc() {
    mkdir -p "$out/nvrtc"
    # run.sh test always scans the class path, which JUnit refuses to combine with --select-class:
    # the four classes are chosen by name instead.
    RESULTS_DIR=$out/nvrtc KILN_CUDA_KERNELS=nvrtc "$run" test \
        --include-classname 'dev\.kiln\.cuda\.(suite\.CudaOpSuiteTest|NvrtcKernelsParityTest|kernels\.NvrtcCompileTest|ffi\.NvrtcHeaderTest)' \
        --reports-dir "$out/nvrtc/junit-xml"
}

# Kiln's benchmark and the PyTorch peer (identical model, Adam 1e-3, batch on the device, full FP32), then a table.
bench() {
    local rc=0
    echo "--- kiln (defaults: deterministic cuDNN algorithms)"
    "$run" java dev.kiln.bench.BenchMain train --backend cuda --out "$out/bench-kiln.jsonl" || rc=1
    echo "--- kiln (KILN_CUDA_DETERMINISTIC=0, like PyTorch's default)"
    KILN_CUDA_DETERMINISTIC=0 "$run" java dev.kiln.bench.BenchMain train --backend cuda --out "$out/bench-kiln-nondet.jsonl" || rc=1
    echo "--- pytorch"
    python3 bench/peers/torch_train.py --device cuda | tee "$out/bench-torch.jsonl" || rc=1
    python3 - "$out/bench-kiln.jsonl" "$out/bench-kiln-nondet.jsonl" "$out/bench-torch.jsonl" > "$out/bench.md" <<'EOF' || rc=1
import json, sys
def load(path):
    try:
        return {r["batch"]: r for r in (json.loads(l) for l in open(path) if l.strip().startswith("{"))}
    except OSError:
        return {}
kiln, nondet, torch = load(sys.argv[1]), load(sys.argv[2]), load(sys.argv[3])
def ips(runs, b):
    return runs.get(b, {}).get("images_per_s_median")
def ratio(k, t):
    return f"{k / t:.2f}" if k and t else "-"
print("| batch | Kiln images/s | Kiln non-deterministic | PyTorch eager images/s | Kiln / PyTorch | non-det. / PyTorch |")
print("|---|---|---|---|---|---|")
for b in sorted(set(kiln) | set(nondet) | set(torch)):
    k, n, t = ips(kiln, b), ips(nondet, b), ips(torch, b)
    print(f"| {b} | {k or '-'} | {n or '-'} | {t or '-'} | {ratio(k, t)} | {ratio(n, t)} |")
if torch:
    r = next(iter(torch.values()))
    print(f"\nPyTorch {r.get('torch')}, cuDNN {r.get('cudnn')}, TF32 {r.get('tf32')}, device {r.get('device')}")
if kiln:
    print(f"Kiln: {next(iter(kiln.values())).get('device')}")
EOF
    cat "$out/bench.md"
    return $rc
}

mnist() {
    local main
    main=${KILN_MNIST_MAIN:-dev.kiln.samples.MnistCommand}
    if [ ! -d .device/data/mnist ]; then echo "skipped: .device/data/mnist missing (scripts/gpu-pack.sh adds it when data/mnist exists)"; return 0; fi
    # shellcheck disable=SC2086 # KILN_MNIST_ARGS is a word list on purpose
    "$run" java "$main" ${KILN_MNIST_ARGS:---backend cuda --data .device/data/mnist --epochs 2 --metrics-out $out/mnist-metrics.json --checkpoint $out/mnist.safetensors}
}

# The main class ./kiln runs for subcommand $1, with any fixed arguments before "$@" (its case entry's
# "run_main samples CLASS [ARGS]"), or nothing.
sample_main() {
    awk -v name="$1" '
        !found && match($0, /^[[:space:]]*[A-Za-z0-9|_-]+\)/) {
            pat = substr($0, RSTART, RLENGTH); gsub(/[[:space:])]/, "", pat)
            n = split(pat, alts, "|"); for (i = 1; i <= n; i++) if (alts[i] == name) found = 1
        }
        found {
            for (i = 1; i < NF; i++) if ($i == "run_main" && $(i + 1) == "samples") {
                line = $(i + 2)
                for (j = i + 3; j <= NF && $j != "\"$@\"" && $j != ";;"; j++) line = line " " $j
                print line; exit
            }
        }
        found && /;;/ { exit }' kiln
}

# sample NAME OVERRIDE OPTION VALUE ...: runs ./kiln NAME's main class on the packed class path, if
# ./kiln lists NAME, the class is in .device/lib and MNIST was packed. With OVERRIDE (a word list)
# that is the whole argument list; otherwise each OPTION VALUE pair (VALUE "-" for a flag) goes in
# only when the sample's --help names OPTION, and --backend must be among them.
sample() {
    local name=$1 override=$2 main help words
    shift 2
    # shellcheck disable=SC2207 # the class and its fixed arguments, split on purpose
    words=($(sample_main "$name"))
    main=${words[0]:-}
    if [ -z "$main" ]; then echo "skipped: ./kiln has no '$name' command in this commit"; return 0; fi
    if ! grep -qaF "${main//.//}.class" .device/lib/*.jar 2>/dev/null; then
        echo "skipped: $main (./kiln $name) is not in .device/lib: rerun scripts/gpu-pack.sh"; return 0
    fi
    if [ ! -d .device/data/mnist ]; then echo "skipped: .device/data/mnist missing (scripts/gpu-pack.sh adds it when data/mnist exists)"; return 0; fi
    local args=()
    if [ -n "$override" ]; then
        # shellcheck disable=SC2206 # a word list on purpose
        args=($override)
    else
        help=$(timeout 60 "$run" java "${words[@]}" --help 2>&1)
        while [ $# -ge 2 ]; do
            if grep -qE -- "(^|[^A-Za-z0-9-])$1([^A-Za-z0-9-]|\$)" <<< "$help"; then
                args+=("$1"); [ "$2" = - ] || args+=("$2")
            else
                echo "note: $main --help does not list $1; leaving it out"
            fi
            shift 2
        done
        if [[ " ${args[*]} " != *" --backend "* ]]; then
            echo "skipped: $main --help lists no --backend option:"; echo "$help" | head -40; return 1
        fi
    fi
    echo "\$ ./kiln $name ${args[*]}   (${words[*]})"
    "$run" java "${words[@]}" "${args[@]}"
}

seq_mnist() {
    sample seq-mnist "${KILN_SEQ_MNIST_ARGS:-}" --backend cuda --model lstm --data .device/data/mnist --epochs 1 \
        --metrics-out "$out/seq-mnist-metrics.json" --checkpoint "$out/seq-mnist.safetensors"
}

vit() {
    sample vit "${KILN_VIT_ARGS:-}" --backend cuda --data .device/data/mnist --epochs 1 \
        --metrics-out "$out/vit-metrics.json" --checkpoint "$out/vit.safetensors"
}

doctor() {
    "$run" java dev.kiln.samples.Doctor
}

# Issue 12 on the GPU: `./kiln gpt pretrain` on the Chinese fortunes, `gpt finetune --compare` (LoRA,
# head, full, scratch) on the Tang poems from that model, `gpt generate --compare-cache`, and the GPT
# training step at the pretrained model's shape in Kiln (BenchMain gpt) and in the PyTorch peer
# (torch_gpt.py bench: explicit masked-softmax attention, and on PyTorch 2 also
# F.scaled_dot_product_attention), tokens/s side by side in gpt.md. Skipped when ./kiln has no gpt
# command, its class is not packed, or .device/data/fortunes/zh (gzipped by gpu-pack.sh, unpacked
# here into a scratch folder) is missing. Each part gets a share of the step's time left, so a slow
# or failing part leaves time for the next; models and adapters stay in the scratch folder, only metrics,
# tables and logs go to $RESULTS_DIR. KILN_GPU_VERIFY_BACKEND (default cuda) runs it on another
# backend (cpu: a dry run on the build machine, the PyTorch peer then on the CPU too);
# KILN_GPT_PRETRAIN_OPTS, KILN_GPT_FINETUNE_OPTS, KILN_GPT_GENERATE_OPTS, KILN_GPT_BENCH_OPTS and
# KILN_GPT_GENBENCH_OPTS replace the step-count options (paths, corpus and backend stay as set here).
gpt() {
    local words main backend device zh work f rc=0 shape
    # shellcheck disable=SC2207 # the class and its fixed arguments, split on purpose
    words=($(sample_main gpt))
    main=${words[0]:-}
    if [ -z "$main" ]; then echo "skipped: ./kiln has no 'gpt' command in this commit"; return 0; fi
    if ! grep -qaF "${main//.//}.class" .device/lib/*.jar 2>/dev/null; then
        echo "skipped: $main (./kiln gpt) is not in .device/lib: rerun scripts/gpu-pack.sh"; return 0
    fi
    zh=.device/data/fortunes/zh
    for f in chinese tang300; do
        if [ ! -f "$zh/$f.gz" ] && [ ! -f "$zh/$f" ]; then
            echo "skipped: $zh/$f.gz missing (scripts/gpu-pack.sh packs data/fortunes/zh after ./kiln fetch-data --only fortunes-zh)"; return 0
        fi
    done
    backend=${KILN_GPU_VERIFY_BACKEND:-cuda}
    device=cpu
    [ "$backend" = cuda ] && device=cuda
    work=$(mktemp -d "${TMPDIR:-/tmp}/kiln-gpt.XXXXXX")
    # shellcheck disable=SC2064 # expanded now on purpose
    trap "rm -rf '$work'" EXIT
    mkdir -p "$work/data/fortunes/zh"
    for f in "$zh"/*; do
        case "$f" in
            *.gz) gzip -dc "$f" > "$work/data/fortunes/zh/$(basename "$f" .gz)" ;;
            *) cp "$f" "$work/data/fortunes/zh/" ;;
        esac
    done
    local end=${GPU_VERIFY_STEP_END:-$(( $(date +%s) + 120 ))}
    # part PERCENT CMD...: CMD with at most PERCENT % of the step's time left (less 10 s for gpt.md),
    # so that what a part does not use goes to the next ones
    part() {
        local cap
        cap=$(( (end - $(date +%s) - 10) * $1 / 100 ))
        shift
        if [ "$cap" -lt 5 ]; then echo "skipped (the step's time is spent): $*"; return 124; fi
        echo
        echo "\$ $*   (at most ${cap}s)"
        LC_ALL=C.UTF-8 timeout --kill-after=5 "$cap" "$@"
        local r=$?
        [ "$r" -eq 124 ] && echo "timed out after ${cap}s: $*"
        return $r
    }
    local model=$work/gpt-chinese.safetensors
    # shellcheck disable=SC2086 # the *_OPTS are word lists on purpose
    part 45 "$run" java "${words[@]}" pretrain --corpus chinese --data "$work/data" --backend "$backend" \
        ${KILN_GPT_PRETRAIN_OPTS:---steps 100 --eval-every 50 --eval-batches 4 --checkpoint-every 50} \
        --checkpoint "$model" --metrics-out "$out/gpt-pretrain-metrics.json" || rc=1
    # The training step at the shape pretrain used (its metrics), or at the pretrain defaults.
    shape=$(python3 - "$out/gpt-pretrain-metrics.json" <<'EOF' 2>/dev/null
import json, sys
try:
    m = json.load(open(sys.argv[1]))
    c = m["config"]["model"]
    print(f"--layers {c['layers']} --width {c['width']} --heads {c['heads']} --context {c['context']} --vocab {c['vocab_size']} --batch {m['config']['batch_size']}")
except (OSError, ValueError, KeyError):
    print("--layers 4 --width 128 --heads 4 --context 128 --vocab 3072 --batch 32")
EOF
)
    local bench_opts=${KILN_GPT_BENCH_OPTS:---warmup 5 --steps 20 --repeats 3}
    # shellcheck disable=SC2086
    part 25 "$run" java dev.kiln.bench.BenchMain gpt --backend "$backend" $shape $bench_opts --out "$out/gpt-bench-kiln.jsonl" || rc=1
    : > "$out/gpt-bench-torch.jsonl"
    # shellcheck disable=SC2086
    part 25 python3 bench/peers/torch_gpt.py bench --device "$device" $shape $bench_opts --threads "$(nproc)" \
        | tee -a "$out/gpt-bench-torch.jsonl" || rc=1
    if python3 -c 'import sys, torch.nn.functional as F; sys.exit(0 if hasattr(F, "scaled_dot_product_attention") else 1)' 2>/dev/null; then
        # shellcheck disable=SC2086
        part 25 python3 bench/peers/torch_gpt.py bench --device "$device" --sdpa $shape $bench_opts --threads "$(nproc)" \
            | tee -a "$out/gpt-bench-torch.jsonl" || rc=1
    else
        echo "PyTorch $(python3 -c 'import torch; print(torch.__version__)' 2>/dev/null) has no F.scaled_dot_product_attention: no --sdpa peer run"
    fi
    if [ -f "$model" ]; then
        # shellcheck disable=SC2086
        part 55 "$run" java "${words[@]}" finetune --from "$model" --corpus tang300 --data "$work/data" --backend "$backend" --compare \
            ${KILN_GPT_FINETUNE_OPTS:---steps 30 --eval-every 15 --eval-batches 8} \
            --out "$work/gpt-tang300-METHOD.safetensors" --table-out "$out/gpt-finetune-compare.md" || rc=1
        # shellcheck disable=SC2086
        part 50 "$run" java "${words[@]}" generate --checkpoint "$model" --backend "$backend" --compare-cache \
            ${KILN_GPT_GENERATE_OPTS:---max-tokens 128 --seed 42} | tee "$out/gpt-generate.txt" || rc=1
    else
        echo "no model from gpt pretrain ($model): finetune and generate not run"; rc=1
    fi
    # Generation speed once warm (gpt generate's figures include the first call's start-up): BenchMain
    # gpt-generate, a random model of the same shape, from 16 prompt tokens to the context length.
    # shellcheck disable=SC2086
    part 100 "$run" java dev.kiln.bench.BenchMain gpt-generate --backend "$backend" $shape ${KILN_GPT_GENBENCH_OPTS:---warmup 1 --repeats 3} \
        --out "$out/gpt-bench-generate.jsonl" || rc=1
    python3 - "$out" "$backend" > "$out/gpt.md" <<'EOF' || rc=1
import json, os, re, sys
out, backend = sys.argv[1], sys.argv[2]
def load(name):
    try:
        return json.load(open(os.path.join(out, name)))
    except (OSError, ValueError):
        return None
def lines(name):
    try:
        return [json.loads(l) for l in open(os.path.join(out, name)) if l.strip().startswith("{")]
    except (OSError, ValueError):
        return []
def num(x):
    return f"{x:,.0f}" if isinstance(x, (int, float)) else "-"
pre, ft = load("gpt-pretrain-metrics.json"), load("gpt-finetune-compare.json")
kiln = lines("gpt-bench-kiln.jsonl")
torch = {r.get("attention", "math"): r for r in lines("gpt-bench-torch.jsonl")}
print(f"Kiln backend {backend}" + (f": {pre['device']}" if pre else ""))
print()
print("| measure | Kiln tokens/s | PyTorch, explicit attention | PyTorch, SDPA | Kiln / PyTorch |")
print("|---|---|---|---|---|")
if kiln or torch:
    k = kiln[0]["median"] if kiln else None
    med = lambda r: sorted(r["tokens_per_s"])[len(r["tokens_per_s"]) // 2] if r else None
    t, s = med(torch.get("math")), med(torch.get("sdpa"))
    ratio = " / ".join(f"{k / x:.2f}" for x in (t, s) if k and x) or "-"
    shape = kiln[0]["config"] if kiln else ""
    print(f"| training step {shape} (median of timed blocks, warm) | {num(k)} | {num(t)} | {num(s)} | {ratio} |")
if pre:
    print(f"| `gpt pretrain` {pre['steps_done']} steps (every step, warm-up included) | {num(pre.get('tokens_per_s'))} | | | |")
for m in (ft or {}).get("methods", []):
    print(f"| `gpt finetune` {m['method']} ({ft['config']['steps']} steps, {m['trainable_parameters']:,} trainable) | {num(m.get('tokens_per_s'))} | | | |")
try:
    gen = open(os.path.join(out, "gpt-generate.txt"), encoding="utf-8", errors="replace").read()
    a = re.search(r"([0-9.]+) tokens/s \(KV cache", gen)
    b = re.search(r"without the KV cache: .*?: ([0-9.]+) tokens/s.*same tokens: (\w+)", gen)
    if a:
        print(f"| `gpt generate` with the KV cache (batch 1) | {a.group(1)} | | | |")
    if b:
        print(f"| `gpt generate` without the KV cache (same tokens: {b.group(2)}) | {b.group(1)} | | | |")
except OSError:
    pass
for r in lines("gpt-bench-generate.jsonl"):
    print(f"| generation bench {r['config']} (random weights, batch 1, median of {len(r['values'])}, warm) | {num(r['median'])} | | | |")
if pre:
    print(f"\npretrain: validation loss {pre['final_val_loss']:.4f} (perplexity {pre['final_val_perplexity']:.1f}) after "
          f"{pre['steps_done']} steps vs unigram {pre['unigram_val_loss']:.4f}; {pre['train_seconds']:.1f} s")
for r in torch.values():
    print(f"PyTorch {r.get('torch')} CUDA {r.get('cuda', '-')}, device {r.get('device')}, attention {r.get('attention')}, "
          f"TF32 matmul {r.get('tf32_matmul', '-')}, config {json.dumps(r.get('config'))}")
for r in kiln:
    print(f"Kiln bench: {r['config']}, values {r['values']}, {r['detail']}")
EOF
    cat "$out/gpt.md"
    [ -f "$out/gpt-finetune-compare.md" ] && { echo; cat "$out/gpt-finetune-compare.md"; }
    return $rc
}

if [ "${1:-}" = "--step" ]; then  # a step run by step() under timeout
    "$2"
    exit $?
fi

if [ ! -x "$run" ]; then
    echo "gpu-verify: $run missing: run scripts/gpu-pack.sh on the build machine and carry .device/ along" | tee "$summary"
    exit 2
fi

{
    echo "# Kiln GPU verification, $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo
    echo "commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown); steps: $steps"
    echo
    echo "| step | exit | seconds | log |"
    echo "|---|---|---|---|"
} > "$summary"

# step NAME TIMEOUT: runs step function NAME (through "$self --step NAME", so that timeout can bound
# it) with output to NAME.log, and adds one summary row. TIMEOUT is cut to what the budget leaves.
step() {
    local name=$1 limit=$2 start rc left
    left=$(( deadline - $(date +%s) - 20 ))
    if [ "$left" -lt 30 ]; then
        echo "gpu-verify: $name skipped: ${left}s left of the ${budget}s budget"
        echo "| $name | skipped (budget) | 0 | - |" >> "$summary"
        return 0
    fi
    [ "$left" -lt "$limit" ] && limit=$left
    echo "gpu-verify: == $name (limit ${limit}s)"
    start=$(date +%s)
    GPU_VERIFY_STEP_END=$(( start + limit )) timeout --kill-after=15 "$limit" "$self" --step "$name" > "$out/$name.log" 2>&1
    rc=$?
    [ "$rc" -eq 124 ] && echo "gpu-verify: $name timed out after ${limit}s" >> "$out/$name.log"
    echo "| $name | $rc$([ "$rc" -eq 124 ] && echo ' (timeout)') | $(( $(date +%s) - start )) | $name.log |" >> "$summary"
    echo "gpu-verify: $name exit $rc"
    [ "$rc" -eq 0 ] || failed=1
    return 0
}

for s in $steps; do
    case "$s" in
        info) step info "$(limit info 60)" ;;
        doctor) step doctor "$(limit doctor 60)" ;;
        tests) step tests "$(limit tests 300)" ;;
        gpt) step gpt "$(limit gpt 120)" ;;
        seq-mnist) step seq_mnist "$(limit seq_mnist 150)" ;;
        nvrtc) step nvrtc "$(limit nvrtc 240)" ;;
        vit) step vit "$(limit vit 150)" ;;
        mnist) step mnist "$(limit mnist 200)" ;;
        bench) step bench "$(limit bench 240)" ;;
        tests-sync) step tests_sync "$(limit tests_sync 240)" ;;
        *) echo "gpu-verify: unknown step '$s'"; failed=1 ;;
    esac
done
if [[ " $steps " == *" tests "* ]] && ! grep -q "^| tests | 0 |" "$summary" && [ "${GPU_VERIFY_RERUN_SYNC:-1}" = 1 ]; then
    step tests_sync "$(limit tests_sync 240)"
fi

{
    echo
    echo "## JUnit (tag cuda)"
    echo
    echo '```'
    grep -E "tests (successful|failed|aborted|skipped|found)|containers failed" "$out/junit.txt" 2>/dev/null || echo "no junit.txt"
    echo '```'
    if [ -f "$out/nvrtc/junit.txt" ]; then
        echo; echo "Kernels from NVRTC, KILN_CUDA_KERNELS=nvrtc (nvrtc/junit.txt):"; echo
        echo '```'
        grep -E "tests (successful|failed|aborted|skipped)" "$out/nvrtc/junit.txt"
        echo '```'
    fi
    if [ -f "$out/sync/junit.txt" ]; then
        echo; echo "Rerun with a sync after every op (sync/junit.txt):"; echo
        echo '```'
        grep -E "tests (successful|failed|aborted)" "$out/sync/junit.txt"
        echo '```'
    fi
    for m in seq-mnist vit mnist; do
        [ -f "$out/$m-metrics.json" ] && { echo; echo "## $m metrics ($m-metrics.json, first 2,000 bytes)"; echo; echo '```'; head -c 2000 "$out/$m-metrics.json"; echo; echo '```'; }
    done
    [ -f "$out/gpt.md" ] && { echo; echo "## GPT (issue 12): pretrain, finetune, generate, training step beside PyTorch (gpt.md)"; echo; cat "$out/gpt.md"; }
    [ -f "$out/gpt-finetune-compare.md" ] && { echo; cat "$out/gpt-finetune-compare.md"; }
    [ -f "$out/bench.md" ] && { echo; echo "## Training-step benchmark"; echo; cat "$out/bench.md"; }
} >> "$summary"
cat "$summary"
exit $failed
