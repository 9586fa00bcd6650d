#!/usr/bin/env bash
# Builds both tools (when a jar is missing or older than a source, as scripts/bundle.sh does:
# scripts/lib/stale-jars.sh) and runs one end-to-end attestation on this machine.
# With a GPU (as 'attestor devices' lists them) the prover uses the CUDA backend on GPU 0 and
# the validator holds it to that GPU's model, at the default challenge size. Without one the
# prover uses the exact CPU backend, which the validator accepts only because of --allow-cpu;
# the verdict says so on its devices.backend line.
# Standard output carries only the verdict (so '--json' gives pure JSON); the build's output
# and all progress go to standard error, with the JVM's note "WARNING: Using incubator
# modules: jdk.incubator.vector", which each tool prints as it starts.
# Usage: scripts/demo.sh [extra 'validator attest' options]
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=lib/stale-jars.sh
source scripts/lib/stale-jars.sh
if stale_jars "$PWD"; then
  echo "demo: building the jars (mvn -q -B -DskipTests package)" >&2
  mvn -q -B -DskipTests package >&2
fi
export GPU_ATTEST_HOME="${GPU_ATTEST_HOME:-$PWD/target/demo-home}"

# Each tool's java command. The JVM gets the Vector API module (the exact products' fast path;
# without it the plain code runs) and sends its own warnings to stderr, not to the verdict's
# stdout; CDS's are dropped. The jar's class-data archive from 'mvn package'
# (scripts/cds-archives.sh) saves most of the start-up; it is used only while newer than the
# jar, since one left over from an older jar would switch class sharing off altogether, and a
# JVM other than the one that made it ignores it.
tool() {
  local jar=$PWD/$1/target/$1.jar
  local archive=${jar%.jar}.jsa
  cmd=(java --add-modules jdk.incubator.vector -Xlog:disable -Xlog:all=warning:stderr
    '-Xlog:cds*=off:stderr')
  if [[ -f $archive && $archive -nt $jar ]]; then
    cmd+=("-XX:SharedArchiveFile=$archive")
  fi
  cmd+=(-jar "$jar")
}
tool attestor
attestor=("${cmd[@]}")
tool validator
validator=("${cmd[@]}")
# The prover command as 'attest' runs it, through /bin/sh: each word single-quoted.
prover=
for word in "${attestor[@]}"; do
  prover+="${prover:+ }'${word//\'/\'\\\'\'}'"
done
# GPU 0's name from 'devices --json' (pretty-printed JSON, flattened for sed).
gpu=$("${attestor[@]}" devices --json | tr -d '\n\r' \
  | sed -n 's/.*"gpus"[[:space:]]*:[[:space:]]*\[[[:space:]]*{[^{}]*"name"[[:space:]]*:[[:space:]]*"\([^"\\]*\)".*/\1/p')
if [[ -n $gpu ]]; then
  echo "demo: GPU 0 is a $gpu: proving on it with the CUDA backend" >&2
  exec "${validator[@]}" attest --prover "$prover --backend cuda" --gpus 1 --model "$gpu" "$@"
fi
exec "${validator[@]}" attest --prover "$prover" \
  --allow-cpu --gpus 2 --model "NVIDIA H100 80GB HBM3" --dim 128 --iterations 4 "$@"
