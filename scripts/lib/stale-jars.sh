# Sourced, not run, by scripts/bundle.sh and scripts/demo.sh: whether the tools' jars need a
# build. 'stale_jars ROOT' is true when attestor/target/attestor.jar or
# validator/target/validator.jar under ROOT is missing or older than a file it is made from:
# the poms, the modules' src/main (code and resources), the PTX the attestor jar carries and the
# GPU profile table the validator jar carries. (After a build Maven may leave a jar untouched
# whose inputs did not change, so a caller asks once, builds, and does not ask again.)

# stale_one ROOT JAR SOURCE...: JAR is missing, or a SOURCE (file or folder) is newer than it.
stale_one() {
  local root=$1 jar=$2
  shift 2
  [[ ! -f $jar ]] && return 0
  local existing=() s
  for s in "$root/pom.xml" "$@"; do
    [[ -e $s ]] && existing+=("$s")
  done
  ((${#existing[@]} > 0)) && [[ -n $(find "${existing[@]}" -newer "$jar" -print -quit) ]]
}

stale_jars() {
  local root=$1
  stale_one "$root" "$root/attestor/target/attestor.jar" \
      "$root"/{common,kernels,attestor}/{pom.xml,src/main} "$root/ptx" \
    || stale_one "$root" "$root/validator/target/validator.jar" \
      "$root"/{common,validator}/{pom.xml,src/main} "$root/testdata/gpu-profiles.json"
}
