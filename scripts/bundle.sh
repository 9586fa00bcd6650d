#!/usr/bin/env bash
# Builds the self-contained linux-x86_64 bundle of both tools, for GPU hosts that have the
# NVIDIA driver but no Java, Maven, CUDA toolkit or network:
#   target/bundle/gpu-attest-<version>-linux-x86_64.tar.gz   (and its .sha256)
# holding gpu-attest-<version>/{bin,runtime,lib,ptx,scripts,docs,README.txt}; see
# scripts/bundle/README.txt, which goes into it, and docs/*.md, which it names.
# Needs Linux x86_64 and a JDK 17+ with jlink and jdeps. The runtime comes from the newest JDK
# 17+ on this machine, as the Vector API and the JIT improve with each (docs/benchmarks.md):
# the newest of JAVA_HOME, the jlink on PATH and the JDKs in /usr/lib/jvm, /usr/java, /opt/java
# and ~/.sdkman/candidates/java; --jdk DIR names one instead. Builds the jars with
# 'mvn -q -B -DskipTests package' (output on stderr) when they are missing or older than a
# source (scripts/lib/stale-jars.sh); --no-build uses them as they are (how the Maven build's
# own test runs it). The class-data archives are made on the bundle's runtime; where they
# cannot be, the bundle goes without them, with a warning (the launchers work the same, only
# start slower). The bundle is made in a temporary folder and moved into place only when
# complete. Prints the tarball's path on stdout; progress goes to stderr.
# --service also makes the service add-on, gpu-attest-service-<version>-linux-x86_64.tar.gz (and
# its .sha256), printed on a second line: service/target/validator-service.jar as
# gpu-attest-<version>/lib/validator-service.jar, to unpack over the bundle on a validator host,
# after which 'bin/validator serve' runs it (docs/service.md). It is an add-on, not part of the
# bundle, because the service's libraries (about 6 MB packed beyond the validator's; the jar,
# with its own copy of the validator, 30 MB) would take the bundle (about 60 MB) past its 64 MiB
# limit; the bundle's runtime holds the modules the service needs either way.
# Usage: scripts/bundle.sh [--out DIR] [--no-build] [--jdk DIR] [--service]
set -euo pipefail

die() { echo "bundle.sh: $*" >&2; exit 1; }

out=
build=1
jdk=
service=0
while (($#)); do
  case $1 in
    --out) (($# >= 2)) || die "--out needs a folder"; out=$2; shift 2 ;;
    --out=*) out=${1#--out=}; shift ;;
    --no-build) build=0; shift ;;
    --service) service=1; shift ;;
    --jdk) (($# >= 2)) || die "--jdk needs a folder"; jdk=$2; shift 2 ;;
    --jdk=*) jdk=${1#--jdk=}; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option '$1' (usage: scripts/bundle.sh [--out DIR] [--no-build] [--jdk DIR] [--service])" ;;
  esac
done

root=$(cd "$(dirname "$0")/.." && pwd -P)
# shellcheck source=lib/stale-jars.sh
source "$root/scripts/lib/stale-jars.sh"
out=${out:-$root/target/bundle}

os=$(uname -s); arch=$(uname -m)
[[ $os == Linux && $arch == x86_64 ]] \
  || die "builds the linux-x86_64 bundle, so it runs on linux-x86_64 only (this is $os $arch)"

# A JDK's version, from its release file (no JVM started), else from its jlink; empty if neither.
release_version() {
  local v
  v=$(sed -n 's/^JAVA_VERSION="\(.*\)"$/\1/p' "$1/release" 2>/dev/null)
  [[ -n $v ]] || v=$("$1/bin/jlink" --version 2>/dev/null) || v=
  echo "$v"
}
is_jdk() { [[ -x $1/bin/jlink && -x $1/bin/jdeps ]]; }
if [[ -n $jdk ]]; then
  is_jdk "$jdk" || die "no jlink/jdeps in --jdk $jdk (it must name a JDK 17+)"
else
  # Every JDK 17+ in sight; the newest wins, the first seen (JAVA_HOME's) on a tie.
  candidates=()
  [[ -n ${JAVA_HOME:-} ]] && candidates+=("$JAVA_HOME")
  if on_path=$(command -v jlink 2>/dev/null); then
    on_path=$(readlink -f "$on_path") && candidates+=("${on_path%/bin/jlink}")
  fi
  for dir in /usr/lib/jvm/* /usr/java/* /opt/java/* \
      "${HOME:-/nonexistent}"/.sdkman/candidates/java/*; do
    [[ -d $dir && ! -L $dir ]] && candidates+=("$dir")
  done
  newest_version=
  for c in "${candidates[@]}"; do
    is_jdk "$c" || continue
    v=$(release_version "$c")
    [[ $v =~ ^[0-9]+ ]] && ((BASH_REMATCH[0] >= 17)) || continue
    later=$(printf '%s\n' "$newest_version" "$v" | sort -V | tail -n 1)
    if [[ -z $jdk || $later != "$newest_version" ]]; then
      jdk=$c
      newest_version=$v
    fi
  done
  [[ -n $jdk ]] || die "no JDK 17+ with jlink and jdeps found (in JAVA_HOME, on PATH or in" \
    "/usr/lib/jvm, /usr/java, /opt/java, ~/.sdkman): install one, or name it with --jdk DIR"
fi
jlink=$jdk/bin/jlink; jdeps=$jdk/bin/jdeps
jdk_version=$("$jlink" --version) || die "$jlink --version failed"
((${jdk_version%%.*} >= 17)) || die "$jlink is version $jdk_version; a JDK 17+ is needed"

# The project's version: the first <version> after the parent's artifactId in the root pom.
version=$(sed -n '/<artifactId>gpu-attest-parent<\/artifactId>/,/<version>/{
  s:.*<version>\(.*\)</version>.*:\1:p}' "$root/pom.xml")
[[ $version =~ ^[A-Za-z0-9._-]+$ ]] || die "cannot read the project version from $root/pom.xml"

jars=("$root/attestor/target/attestor.jar" "$root/validator/target/validator.jar")
service_jar=$root/service/target/validator-service.jar
service_stale() {
  ((service)) && stale_one "$root" "$service_jar" \
    "$root"/{common,validator,service}/{pom.xml,src/main} "$root/testdata/gpu-profiles.json"
}
if stale_jars "$root" || service_stale; then
  ((build)) || die "the jars are missing or older than the sources; build them first (mvn -q -B -DskipTests package) or drop --no-build"
  echo "bundle.sh: building the jars (mvn -q -B -DskipTests package)" >&2
  (cd "$root" && mvn -q -B -DskipTests package) >&2 || die "the Maven build failed (its output is above)"
  for jar in "${jars[@]}"; do [[ -f $jar ]] || die "the Maven build made no $jar"; done
  ((service == 0)) || [[ -f $service_jar ]] || die "the Maven build made no $service_jar"
fi

name=gpu-attest-$version
tarball=$name-linux-x86_64.tar.gz
mkdir -p "$out"
work=$(mktemp -d "$out/.bundle.XXXXXX")
trap 'rm -rf "$work"' EXIT
top=$work/$name
mkdir -p "$top/bin" "$top/lib" "$top/scripts" "$top/docs"

# The runtime's modules are what jdeps finds in the two jars, less java.desktop, plus
# jdk.unsupported for libraries that reach sun.misc and jdk.incubator.vector, which the
# launchers add (common's Vector API fast path, found only at run time; a JVM told to add a
# module it lacks does not start). java.desktop (about 9 MB of the tarball)
# is named only by code these tools never run: Jackson's optional java.beans support, which
# Jackson loads only if it is there, and commons-math3's 2D geometry; the bundle test runs the
# whole exchange on this runtime. No --compress: the tarball's gzip packs jlink's default,
# uncompressed modules tighter (about 4 MB smaller than with --compress=2), and the flag's
# spelling changed after JDK 17 (zip-6).
echo "bundle.sh: making the Java runtime with $jlink ($jdk_version)" >&2
modules=$("$jdeps" --print-module-deps --ignore-missing-deps --multi-release 17 "${jars[@]}") \
  || die "jdeps failed on ${jars[*]}"
# java.management and java.security.jgss: what jdeps finds in the service add-on's jar beyond
# these (its database drivers and Jetty), so that the add-on runs on any bundle of its version.
modules=$(tr ',' '\n' <<<"$modules,jdk.unsupported,jdk.incubator.vector,java.management,java.security.jgss" \
  | grep -vx 'java.desktop' \
  | sort -u | paste -sd, -)
"$jlink" --add-modules "$modules" --strip-debug --no-header-files --no-man-pages \
  --output "$top/runtime" >&2 || die "jlink failed (modules: $modules)"

cp "${jars[@]}" "$top/lib/"
cp "$root/scripts/bundle/launcher" "$top/bin/attestor"
cp "$root/scripts/bundle/launcher" "$top/bin/validator"
cp "$root/scripts/gpu-check.sh" "$top/scripts/"
chmod 0755 "$top/bin/attestor" "$top/bin/validator" "$top/scripts/gpu-check.sh"
cp -R "$root/ptx" "$top/ptx"
# The documentation the bundle's README points to (operators.md, cli.md, ...): all of docs/,
# so that the links between its pages work there too (about 80 KB packed).
cp "$root"/docs/*.md "$top/docs/"
java_version=$(sed -n 's/^JAVA_VERSION="\(.*\)"$/\1/p' "$top/runtime/release")
sed -e "s/@VERSION@/$version/" -e "s/@JAVA_VERSION@/${java_version:-17}/" \
  "$root/scripts/bundle/README.txt" > "$top/README.txt"

# The launchers' class-data archives, lib/attestor.jsa and lib/validator.jsa: made here, by a
# training run on the bundle's own runtime (an archive works only on the JVM that made it),
# naming each jar as /dev/fd/3 so that they work wherever the bundle is unpacked. Without them
# the launchers work the same, only start slower: a failure is a warning (the script's, above).
if ! bash "$root/scripts/cds-archives.sh" --java "$top/runtime/bin/java" --relocatable \
    "$top/lib/attestor.jar" "$top/lib/validator.jar"; then
  echo "bundle.sh: warning: the bundle goes without (some) class-data archives" >&2
fi

echo "bundle.sh: packing $tarball" >&2
tar -C "$work" -czf "$work/$tarball" "$name"
(cd "$work" && sha256sum "$tarball" > "$tarball.sha256")
mv -f "$work/$tarball" "$out/$tarball"
mv -f "$work/$tarball.sha256" "$out/$tarball.sha256"
echo "bundle.sh: $(du -h "$out/$tarball" | cut -f1) in $out/$tarball" >&2
if ((service)); then
  addon=gpu-attest-service-$version-linux-x86_64.tar.gz
  mkdir -p "$work/addon/$name/lib"
  cp "$service_jar" "$work/addon/$name/lib/validator-service.jar"
  tar -C "$work/addon" -czf "$work/$addon" "$name"
  (cd "$work" && sha256sum "$addon" > "$addon.sha256")
  mv -f "$work/$addon" "$out/$addon"
  mv -f "$work/$addon.sha256" "$out/$addon.sha256"
  echo "bundle.sh: the service add-on, $(du -h "$out/$addon" | cut -f1), in $out/$addon" >&2
fi
echo "$out/$tarball"
((service == 0)) || echo "$out/$addon"
