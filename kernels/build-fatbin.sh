#!/usr/bin/env bash
# Compiles src/main/cuda/kiln.cu (which includes every .cu) into one fatbin with SASS for each
# supported GPU generation and PTX for the newest, so newer GPUs JIT from PTX. Run by Maven at
# generate-resources; safe to run by hand. Without nvcc it prints one line and succeeds: the jar
# then has no fatbin and the CUDA backend compiles the shipped sources with NVRTC if it finds it,
# else reports itself unavailable.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
src="$here/src/main/cuda"
cache="$here/target/fatbin-cache/kiln.fatbin"   # survives a classes-only clean; makes no-op rebuilds instant
out="$here/target/classes/dev/kiln/kernels/kiln.fatbin"
wanted_sass="75 80 86 89 90 100 120"
wanted_ptx="120"

find_nvcc() {
    local looked=() c
    if c="$(command -v nvcc 2>/dev/null)"; then echo "$c"; return 0; fi
    looked+=("PATH")
    for dir in "${CUDA_HOME:-}" "${CUDA_PATH:-}" /usr/local/cuda; do
        [ -n "$dir" ] || continue
        looked+=("$dir/bin")
        if [ -x "$dir/bin/nvcc" ]; then echo "$dir/bin/nvcc"; return 0; fi
    done
    # Versioned installs, newest first (sort -V orders cuda-12.9 before cuda-13.0).
    for dir in $(ls -d /usr/local/cuda-*/ 2>/dev/null | sort -V -r); do
        looked+=("${dir%/}/bin")
        if [ -x "$dir/bin/nvcc" ]; then echo "${dir%/}/bin/nvcc"; return 0; fi
    done
    echo "${looked[*]}" >&2
    return 1
}

if ! nvcc="$(find_nvcc 2>/tmp/kiln-nvcc-looked.$$)"; then
    looked="$(cat /tmp/kiln-nvcc-looked.$$)"; rm -f /tmp/kiln-nvcc-looked.$$
    echo "kernels: nvcc not found (looked in ${looked// /, }); building without the CUDA kernels fatbin — the CUDA backend will need NVRTC at run time"
    exit 0
fi
rm -f /tmp/kiln-nvcc-looked.$$

mkdir -p "$(dirname "$cache")" "$(dirname "$out")"

if [ -f "$cache" ] && [ -z "$(find "$src" \( -name '*.cu' -o -name '*.cuh' \) -newer "$cache" -print -quit)" ] \
        && [ "$here/build-fatbin.sh" -ot "$cache" ]; then
    cmp -s "$cache" "$out" 2>/dev/null || cp "$cache" "$out"
    exit 0
fi

# Keep only the architectures this nvcc accepts (older toolkits lack sm_100/sm_120).
codes=" $("$nvcc" --list-gpu-code 2>/dev/null | tr '\n' ' ') "
gencode=()
built=()
for a in $wanted_sass; do
    if [[ "$codes" == *" sm_$a "* ]]; then gencode+=("-gencode=arch=compute_$a,code=sm_$a"); built+=("sm_$a"); fi
done
ptx="$wanted_ptx"
if [[ "$codes" != *" sm_$ptx "* ]]; then ptx="${built[-1]#sm_}"; fi
gencode+=("-gencode=arch=compute_$ptx,code=compute_$ptx")
built+=("compute_$ptx")

start=$(date +%s)
"$nvcc" -fatbin -std=c++17 -O3 --no-compress --threads 0 -Wno-deprecated-gpu-targets \
    "${gencode[@]}" -o "$cache.tmp" "$src/kiln.cu"
mv "$cache.tmp" "$cache"
cp "$cache" "$out"
echo "kernels: built kiln.fatbin ($(wc -c < "$cache") bytes; ${built[*]}) with $nvcc in $(( $(date +%s) - start ))s"
