#!/usr/bin/env bash
# Whole-process timings for the CPU kernels' choice (docs/benchmarks.md, "Kernel choice"): each
# command from start to exit, as a user runs it, with the plain kernel, the vector kernel and the
# automatic choice (CpuKernels, CpuWork), on JDK 17 and JDK 25, timed by hyperfine. The figures
# fix CpuWork.VECTOR_MIN: the work from which the vector column beats the scalar one.
#
# Rows: 'validator verify' at n = 2048 with G = 1, 2, 4, 8 devices (K = 460 rows in all) and with
# K = 920 and 1840 at G = 1; 'attestor prove --backend cpu' at n = 1024, G = 1, T = 1, 2, 4, 8;
# scripts/demo.sh (the CPU demo). Columns: scalar, vector and auto, each with the launchers' JVM
# options and the jar's class-data archive made on that JDK (what scripts/demo.sh and the bundle
# run); 'readme', the README's command (auto, with --add-modules, no archive); 'plain', plain
# 'java -jar' (no module: the plain kernel, no archive).
#
# Needs hyperfine and jq, both JDKs (--jdk17 DIR, --jdk25 DIR; default: found in /usr/lib/jvm)
# and the jars built ('mvn -q -B -DskipTests package'; the demo rows rewrite the archives in
# attestor/target and validator/target for each JDK). Run it on a quiet machine: about 30 min
# with the default 5 runs. Writes each row's hyperfine JSON and Markdown under --out (default
# target/kernel-choice) and prints one Markdown table of means and standard deviations.
# --smoke checks the script in a minute or two, measuring nothing: n = 128 and 64, one run.
# Usage: benchmarks/kernel-choice.sh [--runs N] [--out DIR] [--jdk17 DIR] [--jdk25 DIR] [--smoke]
set -euo pipefail

die() { echo "kernel-choice.sh: $*" >&2; exit 2; }
root=$(cd "$(dirname "$0")/.." && pwd -P)
runs=5
warmup=1
verify_n=2048
prove_n=1024
out=$root/target/kernel-choice
declare -A JDK=()
while (($#)); do
  case $1 in
    --runs) runs=${2:?}; shift 2 ;;
    --out) out=${2:?}; shift 2 ;;
    --jdk17) JDK[17]=${2:?}; shift 2 ;;
    --jdk25) JDK[25]=${2:?}; shift 2 ;;
    --smoke) runs=1; warmup=0; verify_n=128; prove_n=64; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option '$1'" ;;
  esac
done
command -v hyperfine >/dev/null || die "no hyperfine (apt-get install -y hyperfine)"
command -v jq >/dev/null || die "no jq (apt-get install -y jq)"
for v in 17 25; do
  if [[ -z ${JDK[$v]:-} ]]; then
    for d in /usr/lib/jvm/*; do
      if [[ -x $d/bin/java && ! -L $d ]] \
          && grep -q "^JAVA_VERSION=\"$v[.\"]" "$d/release" 2>/dev/null; then
        JDK[$v]=$d
        break
      fi
    done
  fi
  [[ -x ${JDK[$v]:-}/bin/java ]] || die "no JDK $v found: name it with --jdk$v DIR"
done
# shellcheck source=../scripts/lib/stale-jars.sh
source "$root/scripts/lib/stale-jars.sh"
! stale_jars "$root" || die "the jars are missing or older than the sources: build them first" \
  "(mvn -q -B -DskipTests package), or scripts/demo.sh would build them while timed"

mkdir -p "$out"
work=$(mktemp -d "$out/.work.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"
export GPU_ATTEST_HOME=$work/home
MODEL="NVIDIA H100 80GB HBM3"

# Each JDK's copy of the jars, with archives made on it.
for v in 17 25; do
  mkdir -p "jdk$v"
  cp -p "$root/attestor/target/attestor.jar" "$root/validator/target/validator.jar" "jdk$v/"
  bash "$root/scripts/cds-archives.sh" --java "${JDK[$v]}/bin/java" "jdk$v/attestor.jar" \
    "jdk$v/validator.jar" || die "no class-data archives on JDK $v (the reason is above)"
done

# launch JDK TOOL COLUMN: the command line that starts TOOL as COLUMN says.
launch() {
  local java=${JDK[$1]}/bin/java jar=$work/jdk$1/$2.jar
  case $3 in
    scalar|vector|auto)
      echo "$java --add-modules jdk.incubator.vector -Xlog:disable -Xlog:all=warning:stderr" \
        "'-Xlog:cds*=off:stderr' -XX:SharedArchiveFile=${jar%.jar}.jsa" \
        "-Dgpuattest.cpu.kernel=$3 -jar $jar" ;;
    readme) echo "$java --add-modules jdk.incubator.vector -jar $jar" ;;
    plain) echo "$java -jar $jar" ;;
  esac
}
COLS=(scalar vector auto readme plain)

# The inputs, made once with JDK 17 (the message formats do not depend on the JDK).
V0=$(launch 17 validator readme)
A0=$(launch 17 attestor readme)
echo "kernel-choice.sh: making the inputs" >&2
verify_inputs() { # NAME G K
  $V0 challenge --gpus "$2" --model "$MODEL" --dim "$verify_n" --iterations 1 --samples "$3" \
    --weak-timing --ttl 604800 --session "$1.session.json" >"$1.challenge.b64"
  $A0 --state "$1.state" prove --backend cpu --challenge "@$1.challenge.b64" >"$1.commitment.b64"
  $V0 sample --session "$1.session.json" --commitment "@$1.commitment.b64" >"$1.request.b64"
  $A0 --state "$1.state" open --request "@$1.request.b64" >"$1.openings.b64"
}
VERIFY_ROWS=(g1:1:460 g2:2:460 g4:4:460 g8:8:460 k920:1:920 k1840:1:1840)
((verify_n >= 2048)) || VERIFY_ROWS=(g1:1:64 g8:8:64 k128:1:128)
for row in "${VERIFY_ROWS[@]}"; do
  IFS=: read -r name g k <<<"$row"
  verify_inputs "verify-$name" "$g" "$k"
done
PROVE_ROWS=(1 2 4 8)
for t in "${PROVE_ROWS[@]}"; do
  $V0 challenge --gpus 1 --model "$MODEL" --dim "$prove_n" --iterations "$t" --weak-timing \
    --ttl 604800 --session "prove-t$t.session.json" >"prove-t$t.challenge.b64"
done

# time NAME PREPARE COMMAND-PER-COLUMN...: one hyperfine call, one row of the table.
time_row() {
  local name=$1 prepare=$2
  shift 2
  local args=() i=0
  for cmd in "$@"; do
    args+=(-n "${COLS[i]}" "$cmd")
    i=$((i + 1))
  done
  echo "kernel-choice.sh: $name" >&2
  hyperfine --warmup "$warmup" --runs "$runs" --prepare "$prepare" --export-json "$out/$name.json" \
    --export-markdown "$out/$name.md" "${args[@]}" >&2
}

for v in 17 25; do
  for row in "${VERIFY_ROWS[@]}"; do
    name=${row%%:*}
    cmds=()
    for c in "${COLS[@]}"; do
      cmds+=("$(launch "$v" validator "$c") verify --session verify-$name.session.json \
--openings @verify-$name.openings.b64 --allow-cpu --replay-dir replay")
    done
    # A fresh replay store and evidence archive each run: each verification is the first.
    time_row "jdk$v-verify-$name" "rm -rf replay home/validator/archive" "${cmds[@]}"
  done
  for t in "${PROVE_ROWS[@]}"; do
    cmds=()
    for c in "${COLS[@]}"; do
      cmds+=("$(launch "$v" attestor "$c") --state prove-state prove --backend cpu \
--challenge @prove-t$t.challenge.b64")
    done
    time_row "jdk$v-prove-t$t" "rm -rf prove-state" "${cmds[@]}"
  done
  # The demo on this JDK: its java first on PATH, the archives in target/ made on it.
  bash "$root/scripts/cds-archives.sh" --java "${JDK[$v]}/bin/java" \
    "$root/attestor/target/attestor.jar" "$root/validator/target/validator.jar" \
    || die "no class-data archives in target/ on JDK $v"
  demo="PATH=${JDK[$v]}/bin:\$PATH GPU_ATTEST_HOME=$work/demo-home $root/scripts/demo.sh"
  # The README's 'it runs' command, and the same with plain 'java -jar' on both sides.
  j="${JDK[$v]}/bin/java" m="--add-modules jdk.incubator.vector"
  attest="attest --allow-cpu --gpus 2 --model '$MODEL' --dim 128 --iterations 4"
  readme="$j $m -jar $root/validator/target/validator.jar $attest --prover \
'$j $m -jar $root/attestor/target/attestor.jar'"
  plain="$j -jar $root/validator/target/validator.jar $attest --prover \
'$j -jar $root/attestor/target/attestor.jar'"
  time_row "jdk$v-demo" "true" \
    "JAVA_TOOL_OPTIONS=-Dgpuattest.cpu.kernel=scalar $demo" \
    "JAVA_TOOL_OPTIONS=-Dgpuattest.cpu.kernel=vector $demo" \
    "$demo" "GPU_ATTEST_HOME=$work/demo-home $readme" "GPU_ATTEST_HOME=$work/demo-home $plain"
done

# The table: one line per JDK and row, mean +- standard deviation in ms per column.
echo "| JDK | Command | scalar | vector | auto | README (auto, no archive) | plain java -jar |"
echo "|---|---|---|---|---|---|---|"
for json in "$out"/jdk*.json; do
  base=$(basename "$json" .json)
  jq -r --arg jdk "${base%%-*}" --arg row "${base#*-}" '
    [.results[] | "\(.mean * 1000 | round) ± \((.stddev // 0) * 1000 | round)"]
    | "| \($jdk) | \($row) | " + join(" | ") + " |"' "$json"
done
