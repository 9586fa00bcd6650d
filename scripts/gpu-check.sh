#!/usr/bin/env bash
# The GPU acceptance check, run on a GPU host from an UNPACKED BUNDLE (scripts/bundle.sh makes
# it; a source checkout has no bin/ and no bundled runtime, so this refuses to run there). It
# needs only the bundle and the NVIDIA driver: no Java, Maven, CUDA toolkit, network, python
# or jq. In one go, each step under a time limit:
#   devices    bin/attestor devices --json            lists at least one GPU
#   selftest   bin/attestor selftest --json           every GPU matches the CPU bit for bit
#   bench      bin/attestor bench --json              measures the kernel
#   attest     bin/validator attest --prover bin/attestor --gpus 1 --model <GPU 0's name>
#              (no --allow-cpu, default challenge size)  the verdict passes (exit 0)
#   duplicate  the same with --prover "bin/attestor --devices 0,0" --gpus 2 --iterations 8
#              --weak-timing --json (a tiny challenge: the issuer refuses it without the flag)
#              the verdict fails (exit 1) on devices.distinct: one GPU cannot pose as two
# If no GPU is listed the later steps are skipped. Everything goes into ONE report file:
# date, host, nvidia-smi's output, then per step its command, exit code, wall time and full
# output, and a PASS/FAIL/SKIP summary line per step. The tools' files live in a temporary
# GPU_ATTEST_HOME, removed at the end. Exit 0 only if every step passed, 1 otherwise, 2 for
# bad usage. Standard output gets the summary and the report's path.
# Usage: scripts/gpu-check.sh [--out FILE]
#        (default FILE: gpu-check-report-<host>-<date>.txt in the current folder)
set -euo pipefail

die() { echo "gpu-check: $*" >&2; exit 2; }

bundle=$(cd "$(dirname "$0")/.." && pwd -P)
host=$(hostname 2>/dev/null || uname -n)
out=gpu-check-report-$host-$(date +%Y%m%d-%H%M%S).txt
while (($#)); do
  case $1 in
    --out) (($# >= 2)) || die "--out needs a file name"; out=$2; shift 2 ;;
    --out=*) out=${1#--out=}; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option '$1' (usage: scripts/gpu-check.sh [--out FILE])" ;;
  esac
done
[[ -x $bundle/bin/attestor && -x $bundle/bin/validator && -x $bundle/runtime/bin/java ]] \
  || die "run this from an unpacked bundle: no bin/attestor, bin/validator and runtime/ in $bundle"
[[ -n $out && ! -d $out ]] || die "--out must name a file, not a folder: $out"
: > "$out" || die "cannot write the report file $out"
out=$(cd "$(dirname "$out")" && pwd -P)/$(basename "$out")

work=$(mktemp -d "${TMPDIR:-/tmp}/gpu-check.XXXXXX")
trap 'rm -rf "$work"' EXIT
export GPU_ATTEST_HOME=$work/home
mkdir -p "$GPU_ATTEST_HOME"

# Single-quotes a word for /bin/sh (the validator runs the prover command through it).
shq() { printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"; }
now_ms() {
  local t
  t=$(date +%s%N)
  if [[ $t == *N ]]; then echo $(($(date +%s) * 1000)); else echo $((t / 1000000)); fi
}
report() { printf '%s\n' "$@" >> "$out"; }
has_timeout() { command -v timeout > /dev/null; }
# Runs a command under a time limit where timeout(1) exists (it does on any coreutils host).
limited() {
  local limit=$1
  shift
  if has_timeout; then timeout --kill-after=10 "$limit" "$@"; else "$@"; fi
}
# JSON on one line, for the sed patterns below (the tools pretty-print).
flat() { tr -d '\n\r' < "$1"; }

names=() results=()
record() {  # name, PASS|FAIL|SKIP, reason
  names+=("$1"); results+=("$(printf '%-4s  %-9s  %s' "$2" "$1" "$3")")
}

# Runs one step: name, time limit in seconds, command words. Sets rc and leaves the step's
# stdout in $work/<name>.out; writes command, exit code, wall time and output to the report.
run_step() {
  local name=$1 limit=$2 start end
  shift 2
  report "" "=== $name" "command: $(printf '%q ' "$@")" "time limit: ${limit} s" "started: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  start=$(now_ms)
  if limited "$limit" "$@" < /dev/null > "$work/$name.out" 2> "$work/$name.err"; then rc=0; else rc=$?; fi
  end=$(now_ms)
  wall="$(((end - start) / 1000)).$(printf '%03d' $(((end - start) % 1000))) s"
  local note=
  if has_timeout && ((rc == 124 || rc == 137)); then note=" (the time limit of $limit s was reached)"; fi
  report "exit code: $rc$note" "wall time: $wall" "--- stdout"
  cat "$work/$name.out" >> "$out"
  report "--- stderr"
  cat "$work/$name.err" >> "$out"
  report "--- end of $name"
}

# A tool's version, or the error it gives instead; not the JVM's note on the incubator module,
# which every run prints first on stderr.
version() {
  "$1" --version 2>&1 | grep -v '^WARNING: Using incubator modules' | head -n 1
}

report "gpu-attest GPU check" \
  "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)" \
  "host: $host" \
  "system: $(uname -srmv)" \
  "bundle: $bundle" \
  "attestor: $(version "$bundle/bin/attestor")" \
  "validator: $(version "$bundle/bin/validator")" \
  "" "=== nvidia-smi"
if command -v nvidia-smi > /dev/null; then
  limited 60 nvidia-smi >> "$out" 2>&1 || report "(nvidia-smi exited with code $?)"
else
  report "(nvidia-smi not found on PATH)"
fi

A=$bundle/bin/attestor
V=$bundle/bin/validator

# 1. devices: the list must name at least one GPU; GPU 0's name is the model claimed below.
run_step devices 120 "$A" devices --json
gpus=$(flat "$work/devices.out" | sed -n 's/.*"gpus"[[:space:]]*:[[:space:]]*\[\(.*\)/\1/p')
model=$(sed -n 's/^[[:space:]]*{[^{}]*"name"[[:space:]]*:[[:space:]]*"\([^"\\]*\)".*/\1/p' <<<"$gpus")
if ((rc != 0)); then
  record devices FAIL "exit code $rc ($wall)"
elif [[ -z $gpus ]]; then
  record devices FAIL "no JSON GPU list in the output ($wall)"
elif [[ $gpus =~ ^[[:space:]]*\] ]]; then
  note=$(flat "$work/devices.out" | sed -n 's/.*"note"[[:space:]]*:[[:space:]]*"\([^"\\]*\)".*/\1/p')
  record devices FAIL "no GPU: the attestor lists none${note:+ ($note)}"
elif [[ -z $model ]]; then
  record devices FAIL "cannot read GPU 0's name from the list ($wall)"
else
  record devices PASS "GPU 0 is '$model' ($wall)"
fi

if [[ ${results[0]} == PASS* ]]; then
  # 2. selftest and 3. bench: exit 0 is the pass.
  run_step selftest 900 "$A" selftest --json
  if ((rc == 0)); then record selftest PASS "every GPU matches the CPU ($wall)"
  else record selftest FAIL "exit code $rc ($wall)"; fi

  run_step bench 900 "$A" bench --json
  if ((rc == 0)); then record bench PASS "($wall)"
  else record bench FAIL "exit code $rc ($wall)"; fi

  # 4. attest: GPU 0 as what it is, on a GPU only (no --allow-cpu), default challenge size.
  run_step attest 900 "$V" attest --prover "$(shq "$A")" --gpus 1 --model "$model"
  if ((rc == 0)); then record attest PASS "verdict passed for 1 x $model ($wall)"
  else record attest FAIL "exit code $rc, expected 0: $(grep '^verdict:' "$work/attest.out" \
    || echo 'no verdict') ($wall)"; fi

  # 5. duplicate: GPU 0 twice must fail the verdict on devices.distinct.
  run_step duplicate 900 "$V" attest --prover "$(shq "$A") --devices 0,0" --gpus 2 \
    --model "$model" --iterations 8 --weak-timing --json
  distinct=$(flat "$work/duplicate.out" \
    | grep -o '{[^{}]*"devices\.distinct"[^{}]*}' \
    | sed -n 's/.*"status"[[:space:]]*:[[:space:]]*"\([a-z]*\)".*/\1/p' || true)
  if ((rc == 1)) && [[ $distinct == fail ]]; then
    record duplicate PASS "rejected: devices.distinct failed (duplicate UUID) ($wall)"
  else
    record duplicate FAIL "exit code $rc (expected 1), devices.distinct: ${distinct:-absent} (expected fail) ($wall)"
  fi
else
  for step in selftest bench attest duplicate; do record "$step" SKIP "no GPU listed"; done
fi

status=PASS
for r in "${results[@]}"; do [[ $r == PASS* ]] || status=FAIL; done
report "" "=== summary" "${results[@]}" "gpu-check: $status"
printf '%s\n' "${results[@]}" "gpu-check: $status (report: $out)"
[[ $status == PASS ]]
