#!/usr/bin/env bash
# Benchmark: pprof-collapse (release) against `go tool pprof -raw FILE > /dev/null`, in one run,
# on a synthetic 1,000,000-sample profile (examples/synthetic_profile.rs, fixed seed) and on
# proftest.large.cpu of the conformance set. Reports wall time, CPU time and peak RSS
# (/usr/bin/time -v "Maximum resident set size") and the ratios. Each tool's best of $RUNS
# runs (go's single run on the synthetic profile, where it takes minutes).
#
#   scripts/bench-collapse.sh            # all files; pprof-collapse best of $RUNS (default 3)
#   BENCH_DIR=/tmp/bench RUNS=5 scripts/bench-collapse.sh
#   SKIP_GO=1 scripts/bench-collapse.sh  # pprof-collapse only (go tool pprof -raw takes minutes)
#
# Needs: cargo, /usr/bin/time (GNU), go (unless SKIP_GO=1), gzip.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bench_dir="${BENCH_DIR:-target/bench}"
runs="${RUNS:-3}"
mkdir -p "$bench_dir"

cargo build --release --locked --bin pprof-collapse --example synthetic_profile >&2
collapse=target/release/pprof-collapse

synthetic="$bench_dir/synthetic-1M.pb.gz"
if [[ ! -s "$synthetic" ]]; then
  echo "generating $synthetic ..." >&2
  target/release/examples/synthetic_profile "$synthetic" 1000000 50000 >&2
fi
large="tests/data/collapse/inputs/proftest.large.cpu"

# shellcheck source=scripts/bench-measure.sh
source scripts/bench-measure.sh

printf '%-26s %10s | %-28s | %-28s | %s\n' file "raw MB" "pprof-collapse wall/cpu/RSS" "go tool pprof -raw wall/cpu/RSS" "ratios (time, RSS/raw size)"
for file in "$synthetic" "$large"; do
  raw_bytes=$(gzip -dc -f < "$file" | wc -c)
  read -r cw cc cr < <(best_of "$runs" "$collapse" "$file")
  lines=$("$collapse" "$file" | wc -l)
  if [[ -z "${SKIP_GO:-}" ]]; then
    # go takes minutes on the synthetic profile: one run there, best of $runs elsewhere
    go_runs=$runs
    if ((raw_bytes > 50000000)); then go_runs=1; fi
    read -r gw gc gr < <(best_of "$go_runs" go tool pprof -raw "$file")
    ratio=$(awk -v g="$gw" -v c="$cw" -v gc="$gc" -v cc="$cc" 'BEGIN { printf "%.1fx faster (wall), %.1fx less CPU", g / c, gc / cc }')
  else
    gw=- gc=- gr=0 ratio="(go skipped)"
  fi
  mem=$(awk -v r="$cr" -v b="$raw_bytes" 'BEGIN { printf "%.2fx", r * 1024 / b }')
  mb() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
  printf '%-26s %10.1f | %7ss %6ss %8s MB | %7ss %6ss %8s MB | %s; RSS %s of raw\n' \
    "$(basename "$file")" "$(awk -v b="$raw_bytes" 'BEGIN { print b / 1e6 }')" \
    "$cw" "$cc" "$(mb "$cr")" "$gw" "$gc" "$(mb "$gr")" "$ratio" "$mem"
  echo "  ($lines folded lines)"
done
