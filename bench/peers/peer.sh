#!/usr/bin/env bash
# Runs a peer benchmark, installing what it needs from Debian first when missing (needs root or sudo).
#   bench/peers/peer.sh torch [torch_train.py args...]   PyTorch CPU (python3-torch), 2 threads unless --threads is given
#   bench/peers/peer.sh torch-rnn [torch_lstm_step.py args...]   the seq-MNIST LSTM/GRU step on PyTorch CPU, 2 threads unless --threads is given
#   bench/peers/peer.sh torch-interop [torch_interop.py args...]   Kiln <-> PyTorch checkpoints (bench/peers/interop.sh runs all steps)
#   bench/peers/peer.sh torch-transformer [torch_transformer_step.py args...]   transformer-layer training step, PyTorch CPU
#   bench/peers/peer.sh torch-attention [torch_attention_bench.py args...]     attention forward + backward, PyTorch CPU
#   bench/peers/peer.sh torch-gpt bench|fixtures [torch_gpt.py args...]           GPT training step / parity fixtures, PyTorch CPU
#   bench/peers/peer.sh djl CLASS [args...]   libtorch 2.7.1 through DJL 0.35.1 (bench/peers/djl, offline): runs dev.kiln.peers.djl.CLASS
#   bench/peers/peer.sh openblas SIZES [SECONDS]          cblas_sgemm through libopenblas0, OPENBLAS_NUM_THREADS (default 2)
#   bench/peers/peer.sh djl CLASS [args...]               dev.kiln.peers.djl.CLASS (bench/peers/djl: libtorch 2.7.1 through DJL 0.35.1) on JDK 25,
#                                                         offline; builds the project first when needed (the first build downloads libtorch)
#   bench/peers/peer.sh djl-command CLASS [args...]       prints that java command, one argument per line, instead of running it
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
build=$here/../target/peers

apt_install() { # packages...
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "peer: installing $* with apt-get" >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q -o DPkg::Lock::Timeout=600 "$@" >&2 \
    || { $sudo apt-get update -q >&2 && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q -o DPkg::Lock::Timeout=600 "$@" >&2; }
}

# ---- libtorch 2.7 through DJL (issue 13) ----
djl_jdk() { # prints a JDK >= 25: JAVA_HOME when it is one (the kiln launcher exports its own), else the newest in /usr/lib/jvm
  local major d v best="" best_v=0
  major() { "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p' | head -1; }
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/javac" ] && [ "$(major "$JAVA_HOME/bin/java")" -ge 25 ] 2>/dev/null; then echo "$JAVA_HOME"; return; fi
  for d in /usr/lib/jvm/* /opt/java/* /opt/jdk*; do
    [ -x "$d/bin/javac" ] || continue
    v=$(major "$d/bin/java"); v=${v:-0}
    if [ "$v" -ge 25 ] && [ "$v" -gt "$best_v" ]; then best=$d; best_v=$v; fi
  done
  [ -n "$best" ] || { echo "peer djl: no JDK 25 or newer found (set JAVA_HOME)" >&2; return 1; }
  echo "$best"
}

djl_build() { # builds bench/peers/djl when its sources are newer than its class path file; prints the java to run
  local jdk dir=$here/djl log
  jdk=$(djl_jdk) || exit 1
  if [ ! -f "$dir/target/cp.txt" ] || [ -n "$(find "$dir/pom.xml" "$dir/src" -newer "$dir/target/cp.txt" -print -quit)" ]; then
    command -v mvn >/dev/null || { echo "peer djl: Maven not found (apt-get install maven)" >&2; exit 1; }
    mkdir -p "$dir/target"; log=$dir/target/build.log
    local mvn=(mvn -B -ntp -q -f "$dir/pom.xml" package dependency:build-classpath -Dmdep.outputFile="$dir/target/cp.txt")
    echo "peer djl: building bench/peers/djl (log: $log)" >&2
    if ! JAVA_HOME=$jdk MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow" "${mvn[@]}" -o >"$log" 2>&1; then
      echo "peer djl: first build: downloading DJL 0.35.1 and libtorch 2.7.1 (pytorch-native-cpu, about 110 MB) from Maven Central" >&2
      JAVA_HOME=$jdk MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow" "${mvn[@]}" >"$log" 2>&1 \
        || { tail -30 "$log" >&2; echo "peer djl: build failed (log: $log)" >&2; exit 1; }
    fi
    touch "$dir/target/cp.txt" # the plugin leaves an unchanged file alone: mark the build as done
  fi
  echo "$jdk/bin/java"
}

cmd=${1:-}; shift || true
case "$cmd" in
  torch)
    /usr/bin/python3 -c 'import torch' 2>/dev/null || apt_install python3-torch
    case " $* " in *" --threads "*) ;; *) set -- "$@" --threads 2 ;; esac
    exec /usr/bin/python3 "$here/torch_train.py" --device cpu "$@" ;;
  torch-rnn)
    /usr/bin/python3 -c 'import torch' 2>/dev/null || apt_install python3-torch
    case " $* " in *" --threads "*) ;; *) set -- "$@" --threads 2 ;; esac
    exec /usr/bin/python3 "$here/torch_lstm_step.py" "$@" ;;
  torch-transformer|torch-attention)
    /usr/bin/python3 -c 'import torch' 2>/dev/null || apt_install python3-torch
    case " $* " in *" --threads "*) ;; *) set -- "$@" --threads 2 ;; esac
    script=torch_transformer_step.py
    [ "$cmd" = torch-attention ] && script=torch_attention_bench.py
    exec /usr/bin/python3 "$here/$script" "$@" ;;
  torch-gpt)  # issue 12: bench/peers/torch_gpt.py bench|fixtures ...
    /usr/bin/python3 -c 'import torch' 2>/dev/null || apt_install python3-torch
    case " $* " in *" --threads "*) ;; *) set -- "$@" --threads 2 ;; esac
    exec /usr/bin/python3 "$here/torch_gpt.py" "$@" ;;
  torch-interop)
    /usr/bin/python3 -c 'import torch' 2>/dev/null || apt_install python3-torch
    exec /usr/bin/python3 "$here/torch_interop.py" "$@" ;;
  openblas)
    if [ ! -e /usr/include/x86_64-linux-gnu/cblas.h ] && [ ! -e /usr/include/cblas.h ] && ! ls /usr/include/*/cblas.h >/dev/null 2>&1; then
      apt_install libopenblas0 libopenblas-dev gcc
    fi
    mkdir -p "$build"
    if [ ! -x "$build/openblas_sgemm" ] || [ "$here/openblas_sgemm.c" -nt "$build/openblas_sgemm" ]; then
      gcc -O2 -o "$build/openblas_sgemm" "$here/openblas_sgemm.c" -lopenblas
    fi
    OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-2} exec "$build/openblas_sgemm" "$@" ;;
  # ---- libtorch 2.7 through DJL (issue 13) ----
  djl|djl-command)
    [ $# -ge 1 ] || { echo "peer.sh $cmd: expected a class of dev.kiln.peers.djl (DjlTrain, DjlCheck, ...)" >&2; exit 2; }
    cls=$1; shift
    djl_java=$(djl_build)
    java_cmd=("$djl_java" -Dai.djl.offline=true --enable-native-access=ALL-UNNAMED
      -cp "$here/djl/target/classes:$(cat "$here/djl/target/cp.txt")" "dev.kiln.peers.djl.$cls" "$@")
    if [ "$cmd" = djl-command ]; then printf '%s\n' "${java_cmd[@]}"; exit 0; fi
    exec "${java_cmd[@]}" ;;
  *) echo "usage: bench/peers/peer.sh torch|torch-rnn|torch-transformer|torch-attention|torch-gpt|torch-interop|openblas|djl|djl-command ..." >&2; exit 2 ;;
esac
