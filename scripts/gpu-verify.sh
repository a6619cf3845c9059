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
# important first. Environment: GPU_VERIFY_STEPS (default "info doctor tests seq-mnist nvrtc vit
# mnist bench"), per-step limits GPU_VERIFY_TIMEOUT_<STEP> in seconds, KILN_MNIST_MAIN /
# KILN_MNIST_ARGS, KILN_SEQ_MNIST_ARGS, KILN_VIT_ARGS to override how the samples are started.
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
steps=${GPU_VERIFY_STEPS:-info doctor tests seq-mnist nvrtc vit mnist bench}
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
    RESULTS_DIR=$out/nvrtc KILN_CUDA_KERNELS=nvrtc "$run" test \
        --select-class dev.kiln.cuda.suite.CudaOpSuiteTest --select-class dev.kiln.cuda.NvrtcKernelsParityTest \
        --select-class dev.kiln.cuda.kernels.NvrtcCompileTest --select-class dev.kiln.cuda.ffi.NvrtcHeaderTest \
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
    timeout --kill-after=15 "$limit" "$self" --step "$name" > "$out/$name.log" 2>&1
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
    [ -f "$out/bench.md" ] && { echo; echo "## Training-step benchmark"; echo; cat "$out/bench.md"; }
} >> "$summary"
cat "$summary"
exit $failed
