#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for payops' PostgreSQL suites (issue 18), never for real books.
#
#   scripts/pg-test-cluster.sh start DIR   initdb into DIR, start on a free loopback port with
#                                          fsync on; prints the URL for PAYOPS_TEST_PG_URL
#   scripts/pg-test-cluster.sh stop DIR    stops it (immediately: it holds nothing to keep)
#
# initdb refuses root, so as root the cluster belongs to the `postgres` user (created by Debian's
# `postgresql` package); as anyone else, to that user. Trust authentication, on 127.0.0.1 and a
# socket inside DIR only. The binaries come from PG_BIN, else the newest /usr/lib/postgresql/*/bin.
set -euo pipefail

usage() {
  echo "usage: $0 start|stop DIR" >&2
  exit 2
}
[ $# -eq 2 ] || usage
action=$1
dir=$2

bin=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
  echo "$0: no PostgreSQL server binaries (install Debian's postgresql, or set PG_BIN)" >&2
  exit 1
fi

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case $action in
start)
  mkdir -p "$dir"
  if [ "$(id -u)" -eq 0 ]; then
    id postgres >/dev/null 2>&1 || {
      echo "$0: as root the cluster needs the postgres user (Debian's postgresql package)" >&2
      exit 1
    }
    chown postgres "$dir"
  fi
  as_owner "$bin/initdb" -D "$dir/data" --auth=trust --encoding=UTF8 --locale=C.UTF-8 \
    --username=payops >"$dir/initdb.log"
  port=$(node -e "const s = require('node:net').createServer().listen(0, '127.0.0.1', () => { console.log(s.address().port); s.close(); });")
  as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=on" start >/dev/null
  echo "postgres://payops@127.0.0.1:$port/postgres"
  ;;
stop)
  as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null
  ;;
*)
  usage
  ;;
esac
