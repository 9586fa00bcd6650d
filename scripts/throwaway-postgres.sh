#!/usr/bin/env bash
# A throwaway PostgreSQL server for the service's tests (docs/service.md, "Tests"): a new
# cluster in DIR, on 127.0.0.1 at a free port, trusting local connections, with one database.
#
#   scripts/throwaway-postgres.sh start DIR   # prints the JDBC URL on stdout
#   scripts/throwaway-postgres.sh stop DIR
#
# Uses initdb and pg_ctl from PATH, else from the newest /usr/lib/postgresql/*/bin (Debian's
# 'postgresql' package). Run as root, the cluster belongs to the 'postgres' user (initdb refuses
# root). Everything stays in DIR; 'stop' stops the server, and DIR can then be removed.
set -euo pipefail

usage() { echo "usage: $0 start|stop DIR" >&2; exit 2; }
[[ $# -eq 2 ]] || usage
cmd=$1 dir=$2

# The server's own folder, where initdb, pg_ctl and createdb sit together.
if command -v pg_ctl >/dev/null 2>&1; then
  bin=$(dirname "$(readlink -f "$(command -v pg_ctl)")")
else
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
fi
[[ -n $bin && -x $bin/initdb && -x $bin/createdb ]] \
  || { echo "$0: no initdb/pg_ctl/createdb (install Debian's postgresql)" >&2; exit 3; }
bin="$bin/"

as_owner() {
  if [[ $(id -u) -eq 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

case $cmd in
  start)
    mkdir -p "$dir"
    [[ $(id -u) -eq 0 ]] && chown postgres: "$dir"
    as_owner "${bin}initdb" -D "$dir/data" -U gpuattest --auth=trust --no-sync -E UTF8 \
      >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 3; }
    # A free port: a few random ones tried, since another server may hold any of them.
    started=""
    for _ in 1 2 3 4 5; do
      port=$(shuf -i 20000-60000 -n 1)
      if as_owner "${bin}pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
          -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off" start >/dev/null; then
        started=1
        break
      fi
    done
    [[ -n $started ]] || { cat "$dir/server.log" >&2; exit 3; }
    as_owner "${bin}createdb" -h 127.0.0.1 -p "$port" -U gpuattest gpuattest
    echo "jdbc:postgresql://127.0.0.1:$port/gpuattest?user=gpuattest"
    ;;
  stop)
    [[ -d $dir/data ]] || exit 0
    as_owner "${bin}pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null || true
    ;;
  *) usage ;;
esac
