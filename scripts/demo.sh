#!/usr/bin/env bash
# Builds both tools (if needed) and runs one end-to-end attestation on this machine.
# With a GPU (as 'attestor devices' lists them) the prover uses the CUDA backend on GPU 0 and
# the validator holds it to that GPU's model, at the default challenge size. Without one the
# prover uses the exact CPU backend, which the validator accepts only because of --allow-cpu;
# the verdict says so on its devices.backend line.
# Standard output carries only the verdict (so '--json' gives pure JSON); the build's output
# and all progress go to standard error.
# Usage: scripts/demo.sh [extra 'validator attest' options]
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ ! -f attestor/target/attestor.jar || ! -f validator/target/validator.jar ]]; then
  mvn -q -B -DskipTests package >&2
fi
export GPU_ATTEST_HOME="${GPU_ATTEST_HOME:-$PWD/target/demo-home}"
attestor="java -jar $PWD/attestor/target/attestor.jar"
# GPU 0's name from 'devices --json' (pretty-printed JSON, flattened for sed).
gpu=$($attestor devices --json | tr -d '\n\r' \
  | sed -n 's/.*"gpus"[[:space:]]*:[[:space:]]*\[[[:space:]]*{[^{}]*"name"[[:space:]]*:[[:space:]]*"\([^"\\]*\)".*/\1/p')
if [[ -n $gpu ]]; then
  echo "demo: GPU 0 is a $gpu: proving on it with the CUDA backend" >&2
  exec java -jar validator/target/validator.jar attest --prover "$attestor --backend cuda" \
    --gpus 1 --model "$gpu" "$@"
fi
exec java -jar validator/target/validator.jar attest --prover "$attestor" \
  --allow-cpu --gpus 2 --model "NVIDIA H100 80GB HBM3" --dim 128 --iterations 4 "$@"
