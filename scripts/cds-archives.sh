#!/usr/bin/env bash
# Makes the class-data sharing (AppCDS) archives of both tools, attestor.jsa and validator.jsa,
# each next to its jar: a snapshot of the classes a run loads, already parsed and verified, so
# that a JVM started with -XX:SharedArchiveFile=<tool>.jsa maps them instead of reading the jar
# (docs/benchmarks.md, "Start-up"). The Maven build runs it at 'package' (attestor/pom.xml);
# scripts/bundle.sh runs it with --relocatable on the bundle's own runtime.
#
# The archives come from a training run on this machine's CPU, in a temporary GPU_ATTEST_HOME:
# both tools' --help, 'attestor devices --json', the step-by-step exchange (challenge, prove,
# sample, open, verify --json) and one 'validator attest' at n=64, with every JVM listing the
# classes it loaded. A failed training run fails the script: it means the tools are broken.
#
# An archive only works on the JVM that made it (JAVA, default: java on PATH) and with the very
# jar it was made from (same file, same time stamp); otherwise the JVM ignores it and starts as
# without one. The module options of the run must be the ones below (JOPTS), as the launchers
# pass them. --relocatable records the jar as /dev/fd/3 instead of its path: the JVM accepts
# any class path naming the same file, so a launcher that opens the jar on descriptor 3 can use
# the archive wherever the folder is moved or unpacked (JDK 17 otherwise wants the jar at the
# path it had here). Each archive is written to a temporary file beside it and renamed into
# place, so a reader never sees half of one.
# Usage: scripts/cds-archives.sh [--java JAVA] [--relocatable] ATTESTOR_JAR VALIDATOR_JAR
set -euo pipefail

die() { echo "cds-archives.sh: $*" >&2; exit 1; }
usage="usage: scripts/cds-archives.sh [--java JAVA] [--relocatable] ATTESTOR_JAR VALIDATOR_JAR"

java=java
relocatable=0
while (($#)); do
  case $1 in
    --java) (($# >= 2)) || die "--java needs a path"; java=$2; shift 2 ;;
    --java=*) java=${1#--java=}; shift ;;
    --relocatable) relocatable=1; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    -*) die "unknown option '$1' ($usage)" ;;
    *) break ;;
  esac
done
(($# == 2)) || die "needs ATTESTOR_JAR and VALIDATOR_JAR ($usage)"
command -v "$java" >/dev/null || die "no Java at '$java'"
abs() { (cd "$(dirname "$1")" && echo "$(pwd -P)/$(basename "$1")"); }
for jar in "$1" "$2"; do
  [[ -f $jar ]] || die "no jar at $jar (build it first: mvn -q -B -DskipTests package)"
done
attestor_jar=$(abs "$1")
validator_jar=$(abs "$2")

# The launchers' module options (scripts/bundle/launcher, scripts/demo.sh): the archive holds
# the module graph it was made with, so the two must agree.
JOPTS=(--add-modules jdk.incubator.vector)

work=$(mktemp -d "${TMPDIR:-/tmp}/cds-archives.XXXXXX")
partial=()
cleanup() {
  rm -rf "$work"
  ((${#partial[@]} == 0)) || rm -f "${partial[@]}"
}
trap cleanup EXIT

# One JVM per step, each writing its own class list, its output kept for the error message.
step=0
run() {
  local tool=$1 out=$2
  shift 2
  step=$((step + 1))
  local jar=$attestor_jar
  [[ $tool == validator ]] && jar=$validator_jar
  if ! (cd "$work" && GPU_ATTEST_HOME=$work/home "$java" "${JOPTS[@]}" \
      "-XX:DumpLoadedClassList=$work/$tool-$step.classlist" -jar "$jar" "$@" \
      >"$work/$out" 2>"$work/step-$step.err"); then
    tail -n 5 "$work/step-$step.err" >&2
    die "the training run failed at '$tool $*' (its last lines are above)"
  fi
}
sq() { printf "'%s'" "${1//\'/\'\\\'\'}"; } # one word for /bin/sh, whatever it holds

echo "cds-archives.sh: training run with $java" >&2
mkdir -p "$work/home"
model="NVIDIA H100 80GB HBM3"
run attestor help.txt --help
run validator help.txt --help
run attestor devices.json devices --json
run validator challenge.b64 challenge --gpus 1 --model "$model" --dim 64 --iterations 2 \
  --weak-timing --session session.json
run attestor commitment.b64 --backend cpu prove --challenge @challenge.b64
run validator request.b64 sample --session session.json --commitment @commitment.b64
run attestor openings.b64 open --request @request.b64
run validator verdict.json verify --session session.json --openings @openings.b64 --allow-cpu \
  --json
# 'attest' with the prover conversation, as scripts/demo.sh runs it.
prover="$(sq "$java") ${JOPTS[*]}"
prover+=" -XX:DumpLoadedClassList=$(sq "$work/attestor-conversation.classlist")"
prover+=" -jar $(sq "$attestor_jar") --backend cpu"
run validator verdict.txt attest --prover "$prover" --allow-cpu --gpus 2 --model "$model" \
  --dim 64 --iterations 2
grep -q '^verdict: PASS' "$work/verdict.txt" || die "the training attestation did not pass"

for tool in attestor validator; do
  jar=$attestor_jar
  [[ $tool == validator ]] && jar=$validator_jar
  # All the runs' lists in one, each line once, in first-seen order (a class after those it
  # needs, as each list has it).
  cat "$work/$tool"-*.classlist | awk '!/^#/ && !seen[$0]++' >"$work/$tool.classlist"
  archive=${jar%.jar}.jsa
  tmp=$(mktemp "$(dirname "$archive")/.$tool.jsa.XXXXXX")
  partial+=("$tmp")
  rm -f "$tmp" # the JVM creates it; it refuses to write over a read-only leftover
  cp_args=(-cp "$jar")
  ((relocatable)) && cp_args=(-cp /dev/fd/3)
  # The dump lists what it skips (classes of Java 5 format and the like) on stdout: kept
  # for the error message only.
  if ! "$java" "${JOPTS[@]}" -Xshare:dump "-XX:SharedClassListFile=$work/$tool.classlist" \
      "-XX:SharedArchiveFile=$tmp" "${cp_args[@]}" 3<"$jar" >"$work/dump-$tool.log" 2>&1 \
      || [[ ! -s $tmp ]]; then
    tail -n 5 "$work/dump-$tool.log" >&2
    die "$java -Xshare:dump failed for $tool (its last lines are above)"
  fi
  mv -f "$tmp" "$archive"
  echo "cds-archives.sh: wrote $archive ($(du -h "$archive" | cut -f1))" >&2
done
