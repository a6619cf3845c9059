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
  djl)  # issue 13 (sequence peers): builds bench/peers/djl when its class path file is missing or older than its sources
    cls=${1:?usage: bench/peers/peer.sh djl CLASS [args...]}; shift
    d=$here/djl
    if [ ! -f "$d/target/cp.txt" ] || [ -n "$(find "$d/src" "$d/pom.xml" -newer "$d/target/cp.txt" -print -quit)" ]; then
      (cd "$d" && mvn -B -ntp -q package dependency:build-classpath -Dmdep.outputFile=target/cp.txt && touch target/cp.txt) >&2
    fi
    exec "${JAVA_HOME:+$JAVA_HOME/bin/}java" -Dai.djl.offline=true --enable-native-access=ALL-UNNAMED \
      -cp "$d/target/classes:$(cat "$d/target/cp.txt")" "dev.kiln.peers.djl.$cls" "$@" ;;
  *) echo "usage: bench/peers/peer.sh torch|torch-rnn|torch-transformer|torch-attention|torch-gpt|torch-interop|djl|openblas ..." >&2; exit 2 ;;
esac
