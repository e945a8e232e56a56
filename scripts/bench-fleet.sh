#!/usr/bin/env bash
# Fleet benchmarks of pprof-fetch (docs/pprof-fetch.md, "Several targets"), two parts:
#
# 1. 50 Go demo servers (tests/go-demo) on loopback, a 5 s CPU profile from each, all at once:
#    the wall time of `pprof-fetch -t 5 ADDR1 ... ADDR50` (fetch + merge), which should be about
#    one profile's duration.
# 2. One loopback server (Go's net/http) answering on 50 ports with a real Go CPU profile
#    (tests/data/collapse/inputs/proftest.large.cpu: 20,430 samples, 1.2 MB gzipped, 2.45 MB
#    decoded; the same bytes on every port), all fetched at once: pprof-fetch (fetch + merge,
#    with and without the instance label) against `go tool pprof -proto URL1 ... URL50` (which
#    fetches and merges too), wall time and peak RSS, best of RUNS each.
#
# Usage: scripts/bench-fleet.sh [RUNS]      (default 3)
# Needs: go, python3 (sizes), /usr/bin/time (GNU time). Builds target/release/pprof-fetch.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
runs="${1:-3}"
targets=50
cargo build -q --release --locked --bin pprof-fetch
fetch=target/release/pprof-fetch
dir="$(mktemp -d)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$dir"
}
trap cleanup EXIT

# measure OUT COMMAND...: prints "seconds peak_kB" of one run (stdout to OUT, stderr dropped).
measure() {
  local out="$1"; shift
  /usr/bin/time -o "$dir/time" -f '%e %M' "$@" >"$out" 2>/dev/null || true
  tail -1 "$dir/time"
}

# best LABEL OUT COMMAND...: best wall time and the peak RSS of that run, over $runs runs.
best() {
  local label="$1"; shift
  local result best_s="" best_kb=""
  for _ in $(seq "$runs"); do
    result="$(measure "$@")"
    read -r s kb <<<"$result"
    if [[ -z "$best_s" ]] || awk -v a="$s" -v b="$best_s" 'BEGIN { exit !(a < b) }'; then
      best_s="$s"; best_kb="$kb"
    fi
  done
  printf '  %-44s %6s s  %8s kB peak RSS\n' "$label" "$best_s" "$best_kb"
  echo "$best_s $best_kb" >"$dir/last"
}

echo "== 1. $targets Go demo servers, 5 s CPU profiles, all at once"
(cd tests/go-demo && GOFLAGS=-mod=mod GOPROXY=off CGO_ENABLED=0 go build -o "$dir/godemo" .)
addrs=()
for i in $(seq "$targets"); do
  "$dir/godemo" >"$dir/demo$i.out" 2>/dev/null &
  pids+=("$!")
done
for i in $(seq "$targets"); do
  for _ in $(seq 100); do grep -q listening "$dir/demo$i.out" && break; sleep 0.05; done
  addrs+=("$(sed -n 's/^listening on //p' "$dir/demo$i.out")")
done
result="$(measure "$dir/cpu.pb.gz" "$fetch" -t 5 "${addrs[@]}")"
read -r s kb <<<"$result"
printf '  %-44s %6s s  %8s kB peak RSS  (%s bytes)\n' "pprof-fetch -t 5 ADDR1 ... ADDR$targets" \
  "$s" "$kb" "$(wc -c <"$dir/cpu.pb.gz")"
for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
pids=()

echo "== 2. $targets copies of a real CPU profile served at once from loopback"
profile=tests/data/collapse/inputs/proftest.large.cpu
# The replay server: Go's net/http (a Python server was slower than both tools it feeds).
mkdir -p "$dir/replay"
cat >"$dir/replay/main.go" <<'EOF'
package main

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"strconv"
)

// Serves the file os.Args[1] on os.Args[2] loopback ports; writes the ports, one a line, to
// the file os.Args[3] (renamed into place when complete).
func main() {
	body, err := os.ReadFile(os.Args[1])
	if err != nil {
		panic(err)
	}
	n, _ := strconv.Atoi(os.Args[2])
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.Write(body)
	})
	out, err := os.Create(os.Args[3] + ".tmp")
	if err != nil {
		panic(err)
	}
	for i := 0; i < n; i++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			panic(err)
		}
		fmt.Fprintln(out, l.Addr().(*net.TCPAddr).Port)
		go http.Serve(l, handler)
	}
	out.Close()
	os.Rename(os.Args[3]+".tmp", os.Args[3])
	select {}
}
EOF
printf 'module replay\n\ngo 1.19\n' >"$dir/replay/go.mod"
(cd "$dir/replay" && GOFLAGS=-mod=mod GOPROXY=off CGO_ENABLED=0 go build -o replay .)
"$dir/replay/replay" "$profile" "$targets" "$dir/ports" &
pids+=("$!")
for _ in $(seq 100); do [[ -f "$dir/ports" ]] && break; sleep 0.05; done
urls=()
while read -r port; do urls+=("http://127.0.0.1:$port/profile.pb.gz"); done <"$dir/ports"
export PPROF_TMPDIR="$dir/pprof-tmp"
mkdir -p "$PPROF_TMPDIR"
best "pprof-fetch URL1 ... URL$targets" "$dir/ours.pb.gz" "$fetch" "${urls[@]}"
read -r ours_s ours_kb <"$dir/last"
best "pprof-fetch --instance-label '' URL1 ... URL$targets" "$dir/ours-sum.pb.gz" \
  "$fetch" --instance-label '' "${urls[@]}"
best "go tool pprof -proto URL1 ... URL$targets" "$dir/go.pb.gz" go tool pprof -proto "${urls[@]}"
read -r go_s _ <"$dir/last"
python3 - "$profile" "$dir/ours.pb.gz" "$ours_s" "$ours_kb" "$go_s" <<'EOF'
import gzip, sys
part = len(gzip.decompress(open(sys.argv[1], "rb").read()))
merged = open(sys.argv[2], "rb").read()
merged_raw = len(gzip.decompress(merged))
ours_s, ours_kb, go_s = float(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
print(f"  largest part {part} bytes decoded; merge {merged_raw} bytes decoded ({len(merged)} gzipped)")
print(f"  go tool pprof / pprof-fetch: {go_s / max(ours_s, 0.01):.1f}x the time")
budget = 3 * (part + merged_raw)
print(f"  pprof-fetch peak RSS {ours_kb * 1024} bytes = {ours_kb * 1024 / (part + merged_raw):.2f}x "
      f"(largest part + merge); limit 3x = {budget} bytes")
EOF
