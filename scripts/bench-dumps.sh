#!/usr/bin/env bash
# Benchmark: pprof-collapse (release) on a synthetic 100,000-goroutine dump (examples/gen_dump.rs,
# fixed seed: ~117 MB, 18-34 frames per goroutine, 600 distinct stacks), on Go's 64 MiB cut of
# it, on the dump piped through stdin, and on a dump whose stacks are all different. Reports wall time, CPU time and peak RSS (/usr/bin/time -v "Maximum
# resident set size"), best of $RUNS runs, and the RSS as a share of the input size.
# Targets: under 1.5 s, under 128 MiB whatever the dump's size.
#
#   scripts/bench-dumps.sh                      # best of $RUNS (default 5)
#   BENCH_DIR=/tmp/bench RUNS=9 scripts/bench-dumps.sh
#   GOROUTINES=400000 scripts/bench-dumps.sh    # a larger dump: the RSS must not grow
#
# Needs: cargo, /usr/bin/time (GNU), head.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bench_dir="${BENCH_DIR:-target/bench}"
runs="${RUNS:-5}"
goroutines="${GOROUTINES:-100000}"
mkdir -p "$bench_dir"

cargo build --release --locked --bin pprof-collapse --example gen_dump >&2
collapse=target/release/pprof-collapse

dump="$bench_dir/dump-$goroutines.txt"
if [[ ! -s "$dump" ]]; then
  echo "generating $dump ..." >&2
  target/release/examples/gen_dump "$dump" "$goroutines"
fi
cut="$bench_dir/dump-$goroutines.cut64M.txt"
if [[ ! -s "$cut" ]]; then
  head -c $((64 << 20)) "$dump" > "$cut"
fi
distinct="$bench_dir/dump-$goroutines.distinct.txt"
if [[ ! -s "$distinct" ]]; then
  echo "generating $distinct (every stack different) ..." >&2
  target/release/examples/gen_dump "$distinct" "$goroutines" "$goroutines"
fi

# shellcheck source=scripts/bench-measure.sh
source scripts/bench-measure.sh

report() {
  local label=$1 bytes=$2 wall cpu rss
  read -r wall cpu rss
  printf '%-34s %8.1f MB  %7s s wall  %6s s CPU  %7.1f MB RSS  (%.2f of the input)\n' \
    "$label" "$(awk -v b="$bytes" 'BEGIN { print b / 1e6 }')" "$wall" "$cpu" \
    "$(awk -v k="$rss" 'BEGIN { print k / 1024 }')" "$(awk -v k="$rss" -v b="$bytes" 'BEGIN { print k * 1024 / b }')"
}

size() { wc -c < "$1"; }
echo "pprof-collapse, best of $runs runs ($(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg))"
best_of "$runs" "$collapse" "$dump" | report "$(basename "$dump")" "$(size "$dump")"
best_of "$runs" "$collapse" --state --created-by --minutes "$dump" |
  report "  --state --created-by --minutes" "$(size "$dump")"
stdin_file="$dump" best_of "$runs" "$collapse" | report "  from stdin" "$(size "$dump")"
best_of "$runs" "$collapse" "$cut" 2>/dev/null | report "$(basename "$cut")" "$(size "$cut")"
best_of "$runs" "$collapse" "$distinct" | report "$(basename "$distinct")" "$(size "$distinct")"
echo "  ($("$collapse" "$dump" | wc -l) folded lines)"
