#!/usr/bin/env bash
# Builds both tools (if needed) and runs one end-to-end attestation on this machine.
# On a machine without a GPU the prover uses the exact CPU backend, which the validator
# accepts only because of --allow-cpu; the verdict says so on its devices.backend line.
# Standard output carries only the verdict (so '--json' gives pure JSON); the build's output
# and all progress go to standard error.
# Usage: scripts/demo.sh [extra 'validator attest' options]
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ ! -f attestor/target/attestor.jar || ! -f validator/target/validator.jar ]]; then
  mvn -q -B -DskipTests package >&2
fi
export GPU_ATTEST_HOME="${GPU_ATTEST_HOME:-$PWD/target/demo-home}"
exec java -jar validator/target/validator.jar attest \
  --prover "java -jar $PWD/attestor/target/attestor.jar" \
  --allow-cpu --gpus 2 --model "NVIDIA H100 80GB HBM3" --dim 128 --iterations 4 "$@"
