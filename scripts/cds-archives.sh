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
# classes it loaded. The lists of one tool's JVMs are merged into one: each class once, in
# first-seen order. JDK 17 lists a class by its name; later JDKs add 'id: N', numbered per JVM,
# and refuse a list where two lines share an id, so the merge numbers the classes afresh (and
# maps the 'super:'/'interfaces:' ids of classes from custom loaders, should a list have any).
#
# An archive is a start-up optimisation, never a reason to fail a build: the tools run the same
# without one. So when an archive cannot be made (a training run or the dump fails, on a JDK
# that does not support it, say) the script says why on stderr, removes that tool's old archive
# (it would be stale) and exits 1; the callers (the Maven build, scripts/bundle.sh) warn and go
# on. Exit 0: both archives written; 1: not both (a warning above says which and why); 2: bad
# usage.
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

die() { echo "cds-archives.sh: $*" >&2; exit 2; }
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

# No archive this time: says why, removes the old ones (they belong to older jars) and exits 1.
give_up() {
  local tool
  for tool in "$@"; do
    if [[ $tool == attestor ]]; then rm -f "${attestor_jar%.jar}.jsa"; fi
    if [[ $tool == validator ]]; then rm -f "${validator_jar%.jar}.jsa"; fi
  done
  echo "cds-archives.sh: warning: no class-data archive for $*; the tools work the same" \
    "without one, only start slower" >&2
  exit 1
}

# One JVM per step, each writing its own class list, its output kept for the warning.
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
    echo "cds-archives.sh: the training run failed at '$tool $*' (its last lines are above)" >&2
    give_up attestor validator
  fi
}
sq() { printf "'%s'" "${1//\'/\'\\\'\'}"; } # one word for /bin/sh, whatever it holds

# The class lists of one tool's JVMs as one list (see the top): comments dropped; each class
# once, under a fresh id where the JDK gives ids; the other lines (@lambda-proxy, @cp, ...)
# each once, after the classes they name, as each list has them.
merge_lists() {
  awk 'BEGIN { next_id = 0 }
    FNR == 1 { file++ }
    /^#/ || NF == 0 { next }
    /^@/ { if (!($0 in line)) { line[$0]; print } ; next }
    {
      id = ""
      for (f = 2; f < NF; f++) if ($f == "id:") { id = $(f + 1); break }
      if ($1 in fresh) { if (id != "") mapped[file, id] = fresh[$1]; next }
      if (id == "") { fresh[$1] = ""; print; next }
      fresh[$1] = next_id; mapped[file, id] = next_id; next_id++
      out = $1; field = ""
      for (f = 2; f <= NF; f++) {
        if ($f ~ /:$/) {
          field = $f
        } else if (field ~ /^(id|super|interfaces):$/ && $f ~ /^[0-9]+$/) {
          if (!((file, $f) in mapped)) {
            print "cds-archives.sh: " FILENAME ": id " $f " is used before it is given" \
              > "/dev/stderr"
            exit 1
          }
          $f = mapped[file, $f]
        }
        if (field == "source:") { # a path: the rest of the line
          out = out " " $f
          for (f++; f <= NF; f++) out = out " " $f
          break
        }
        out = out " " $f
      }
      print out
    }' "$@"
}

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
if ! grep -q '^verdict: PASS' "$work/verdict.txt"; then
  echo "cds-archives.sh: the training attestation did not pass" >&2
  give_up attestor validator
fi

failed=()
for tool in attestor validator; do
  jar=$attestor_jar
  [[ $tool == validator ]] && jar=$validator_jar
  archive=${jar%.jar}.jsa
  if ! merge_lists "$work/$tool"-*.classlist >"$work/$tool.classlist"; then
    failed+=("$tool")
    continue
  fi
  tmp=$(mktemp "$(dirname "$archive")/.$tool.jsa.XXXXXX")
  partial+=("$tmp")
  rm -f "$tmp" # the JVM creates it; it refuses to write over a read-only leftover
  cp_args=(-cp "$jar")
  ((relocatable)) && cp_args=(-cp /dev/fd/3)
  # The dump lists what it skips (classes of Java 5 format and the like) on stdout: kept
  # for the warning only.
  if ! "$java" "${JOPTS[@]}" -Xshare:dump "-XX:SharedClassListFile=$work/$tool.classlist" \
      "-XX:SharedArchiveFile=$tmp" "${cp_args[@]}" 3<"$jar" >"$work/dump-$tool.log" 2>&1 \
      || [[ ! -s $tmp ]]; then
    tail -n 5 "$work/dump-$tool.log" >&2
    echo "cds-archives.sh: $java -Xshare:dump failed for $tool (its last lines are above)" >&2
    failed+=("$tool")
    continue
  fi
  mv -f "$tmp" "$archive"
  echo "cds-archives.sh: wrote $archive ($(du -h "$archive" | cut -f1))" >&2
done
((${#failed[@]} == 0)) || give_up "${failed[@]}"
