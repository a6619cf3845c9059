#!/usr/bin/env bash
# Build machine: prepares .device/ for scripts/gpu-verify.sh (the GPU machine has no Java, Maven
# or network). Runs the shared GPU kit's pack.sh (../shared/device, see its README: a JDK 25
# runtime, every jar, the JUnit console) and adds the MNIST files, gzipped, under
# .device/data/mnist/ (about 11 MB; the raw files are 55 MB and the carried tree plus .device/
# must stay under 64 MiB), and the Chinese fortune corpora, gzipped, under .device/data/fortunes/zh/
# (about 0.8 MB, for the gpt step).
#   scripts/gpu-pack.sh                 build (mvn -DskipTests package), pack, add data
#   SKIP_BUILD=1 scripts/gpu-pack.sh    reuse target/ as built
#   KILN_DATA=DIR                       where scripts/fetch-data.sh put the data (default ./data);
#                                       MNIST is taken from DIR/mnist (raw or .gz IDX files), the
#                                       corpora from DIR/fortunes/zh (./kiln fetch-data --only fortunes-zh)
#   KILN_DEVICE_KIT=DIR                 the kit (default ../shared/device, else shared/device or
#                                       ../../shared/device, for a worktree one level down)
# Then, on the GPU machine (.device/ carried along: it is git-ignored):
#   RESULTS_DIR=$OUT scripts/gpu-verify.sh
set -euo pipefail
root=$(git rev-parse --show-toplevel)
cd "$root"
say() { echo "gpu-pack: $*" >&2; }

kit=${KILN_DEVICE_KIT:-}
if [ -z "$kit" ]; then  # beside the checkout, inside it, or beside a worktree's parent folder
    for k in "$root/../shared/device" "$root/shared/device" "$root/../../shared/device"; do
        [ -f "$k/pack.sh" ] && { kit=$(cd "$k" && pwd); break; }
    done
    kit=${kit:-$root/../shared/device}
fi
[ -f "$kit/pack.sh" ] && [ -f "$kit/run.sh" ] || { say "no GPU kit at $kit (pack.sh, run.sh); set KILN_DEVICE_KIT"; exit 1; }

# The kit's pack.sh appends to .git/info/exclude, which fails in a git worktree (.git is a file
# there), and copies the JUnit console jar from ~/.m2/repository even when Maven uses another local
# repository (-Dmaven.repo.local in .mvn/maven.config or MAVEN_OPTS; the later one wins, as in
# Maven). GPU_PACK_OFFLINE=1 runs its build and dependency copy offline (-o), for a build machine
# without network whose repository already holds the dependency plugin and every dependency (the
# JUnit console jar, when missing, is still fetched). Run a copy with these resolved; run.sh must
# sit beside it. The kit hides the dependency copy's output, so a failure is reported here.
repo=
[ -f .mvn/maven.config ] && repo=$(tr '\n' ' ' < .mvn/maven.config | sed -n 's/.*-Dmaven\.repo\.local=\([^ ]*\).*/\1/p')
opts_repo=$(sed -n 's/.*-Dmaven\.repo\.local=\([^ ]*\).*/\1/p' <<< "${MAVEN_OPTS:-}")
repo=${opts_repo:-${repo:-$HOME/.m2/repository}}
offline=
[ "${GPU_PACK_OFFLINE:-0}" = 1 ] && offline=-o
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp "$kit/run.sh" "$tmp/run.sh"
sed -e 's|\.git/info/exclude|"$(git rev-parse --git-path info/exclude)"|g' -e "s|~/.m2/repository|$repo|g" \
    -e "/dependency:get/!s|mvn -q|mvn $offline -q|g" "$kit/pack.sh" > "$tmp/pack.sh"
say "local Maven repository $repo${offline:+, offline}"
rc=0
bash "$tmp/pack.sh" || rc=$?
if [ "$rc" -ne 0 ] || [ ! -x .device/run.sh ]; then
    say "the kit's pack.sh failed (exit $rc; .device/ is incomplete). Its Maven steps, with their output:"
    say "  mvn $offline -DskipTests package; mvn $offline dependency:copy-dependencies -DincludeScope=test -DoutputDirectory=.device/lib"
    exit 1
fi

# MNIST, gzipped (IdxReader detects gzip from the content, so either form loads).
data=${KILN_DATA:-data}/mnist
files=(train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte)
found=0
for f in "${files[@]}"; do [ -f "$data/$f" ] || [ -f "$data/$f.gz" ] && found=$((found + 1)); done
if [ "$found" -eq 4 ]; then
    mkdir -p .device/data/mnist
    for f in "${files[@]}"; do
        if [ -f "$data/$f.gz" ]; then cp "$data/$f.gz" ".device/data/mnist/$f.gz"
        else gzip -9 -c "$data/$f" > ".device/data/mnist/$f.gz"; fi
    done
    say "MNIST: $(du -sh .device/data/mnist | cut -f1) in .device/data/mnist"
else
    say "MNIST not found in $data (run scripts/fetch-data.sh --only mnist); gpu-verify.sh will skip the MNIST run"
fi

# The Chinese fortune corpora of issue 12's gpt step (chinese, tang300, song100: 2.2 MB, about 0.8 MB
# gzipped), as ./kiln fetch-data --only fortunes-zh leaves them; gpu-verify.sh unpacks them.
zh=${KILN_DATA:-data}/fortunes/zh
if [ -f "$zh/chinese" ] && [ -f "$zh/tang300" ]; then
    mkdir -p .device/data/fortunes/zh
    for f in chinese tang300 song100; do
        if [ -f "$zh/$f" ]; then gzip -9 -c "$zh/$f" > ".device/data/fortunes/zh/$f.gz"; fi
    done
    say "fortunes-zh: $(du -sh .device/data/fortunes/zh | cut -f1) in .device/data/fortunes/zh"
else
    say "fortunes-zh not found in $zh (run ./kiln fetch-data --only fortunes-zh); gpu-verify.sh will skip the gpt step"
fi

# What travels: tracked and untracked-but-not-ignored files, plus .device/.
tree=$(git ls-files -co --exclude-standard -z | du -cb --files0-from=- 2>/dev/null | tail -1 | cut -f1)
device=$(du -sb .device | cut -f1)
total=$(( (tree + device) / 1048576 ))
say "tree $((tree / 1048576)) MiB + .device $((device / 1048576)) MiB = $total MiB (limit 64 MiB)"
[ "$total" -lt 63 ] || { say "WARNING: over the 64 MiB that can travel to the GPU machine"; exit 1; }
