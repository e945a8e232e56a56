#!/usr/bin/env bash
# Download speed and peak memory of pprof-fetch against curl, side by side, on a large body
# served from loopback (python3 -m http.server). Usage: scripts/bench-fetch.sh [SIZE_MB]
# Needs: python3, curl, /usr/bin/time (GNU time). Builds target/release/pprof-fetch.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
size_mb="${1:-100}"
cargo build -q --release --locked --bin pprof-fetch
dir="$(mktemp -d)"
server_pid=""
cleanup() { [[ -n "$server_pid" ]] && kill "$server_pid" 2>/dev/null; rm -rf "$dir"; }
trap cleanup EXIT
head -c "$((size_mb * 1000000))" /dev/urandom > "$dir/body.bin"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
(cd "$dir" && exec python3 -m http.server "$port" --bind 127.0.0.1 >/dev/null 2>&1) &
server_pid=$!
url="http://127.0.0.1:$port/body.bin"
for _ in $(seq 50); do curl -s -o /dev/null "$url" -r 0-0 && break; sleep 0.1; done

measure() { # label command...
  local label="$1"; shift
  local out
  out="$( { /usr/bin/time -f '%e %M' "$@" >/dev/null; } 2>&1 | tail -1)"
  printf '%-34s %6s s  %8s kB peak RSS\n' "$label" ${out}
}
echo "body: ${size_mb} MB over loopback"
for _ in 1 2; do
  measure "pprof-fetch URL > /dev/null" target/release/pprof-fetch "$url"
  measure "pprof-fetch -o FILE" target/release/pprof-fetch -o "$dir/out.bin" "$url"
  measure "curl -s URL > /dev/null" curl -s "$url"
  measure "curl -s -o FILE" curl -s -o "$dir/out.bin" "$url"
done
cmp -s "$dir/body.bin" "$dir/out.bin" || { echo "output differs" >&2; exit 1; }
