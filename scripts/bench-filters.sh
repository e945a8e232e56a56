#!/usr/bin/env bash
# Benchmark of pprof-collapse's filters and comparisons (release build) on the synthetic
# 1,000,000-sample profile of examples/synthetic_profile.rs, against the issue's targets:
#
#   1. --focus + --hide + --tagfocus together cost at most 25 % over plain folding;
#   2. --diff_base of two such profiles (seeds 1 and 2) is at least 10x faster than
#      `go tool pprof -raw -diff_base` on them, in the same run,
#   3. with a peak RSS under 3x the two raw (decompressed) profiles' sizes.
#
# Wall time is the best of $RUNS runs (go: one run, it takes minutes), CPU time and peak RSS
# from /usr/bin/time -v. Run it on an otherwise idle machine: the ratios are only meaningful
# when both sides of a ratio ran under the same load.
#
#   scripts/bench-filters.sh                 # RUNS=3
#   BENCH_DIR=/tmp/bench RUNS=5 scripts/bench-filters.sh
#   SKIP_GO=1 scripts/bench-filters.sh       # without go tool pprof (targets 1 and 3 only)
#
# Needs: cargo, /usr/bin/time (GNU), gzip, go (unless SKIP_GO=1).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bench_dir="${BENCH_DIR:-target/bench}"
runs="${RUNS:-3}"
mkdir -p "$bench_dir"

cargo build --release --locked --bin pprof-collapse --example synthetic_profile >&2
collapse=target/release/pprof-collapse

profile() { # profile SEED -> path (generated once)
  local path="$bench_dir/synthetic-1M-seed$1.pb.gz"
  if [[ ! -s "$path" ]]; then
    echo "generating $path ..." >&2
    target/release/examples/synthetic_profile "$path" 1000000 50000 "$1" >&2
  fi
  echo "$path"
}
a=$(profile 1)
b=$(profile 2)

# measure CMD... : runs CMD with stdout to /dev/null; prints "wall_s cpu_s rss_kb"
measure() {
  local log="$bench_dir/time.log" start end
  start=$EPOCHREALTIME
  /usr/bin/time -v "$@" > /dev/null 2> "$log" || { cat "$log" >&2; return 1; }
  end=$EPOCHREALTIME
  awk -F': ' -v t0="$start" -v t1="$end" '
    /User time/ { u = $2 } /System time/ { sy = $2 }
    /Maximum resident set size/ { r = $2 }
    END { printf "%.3f %.2f %d\n", t1 - t0, u + sy, r }' "$log"
}

# best_of N CMD... : the run with the lowest wall time
best_of() {
  local n=$1; shift
  local best="" line
  for ((i = 0; i < n; i++)); do
    line=$(measure "$@")
    if [[ -z "$best" ]] || awk -v x="${line%% *}" -v y="${best%% *}" 'BEGIN { exit !(x < y) }'; then
      best=$line
    fi
  done
  echo "$best"
}

mb() { awk -v k="$1" 'BEGIN { printf "%.1f MB", k / 1024 }'; }
raw_a=$(gzip -dc < "$a" | wc -c)
raw_b=$(gzip -dc < "$b" | wc -c)
filters=(--focus 'main\.' --hide '^runtime\.' --tagfocus 'worker=^w[0-7]$')

# Interleave plain and filtered runs, so that both see the same drift of the machine.
plain_best="" filtered_best=""
for ((r = 0; r < runs; r++)); do
  p=$(measure "$collapse" "$a")
  f=$(measure "$collapse" "${filters[@]}" "$a")
  if [[ -z "$plain_best" ]] || awk -v x="${p%% *}" -v y="${plain_best%% *}" 'BEGIN { exit !(x < y) }'; then plain_best=$p; fi
  if [[ -z "$filtered_best" ]] || awk -v x="${f%% *}" -v y="${filtered_best%% *}" 'BEGIN { exit !(x < y) }'; then filtered_best=$f; fi
done
read -r pw pc pr <<< "$plain_best"
read -r fw fc fr <<< "$filtered_best"
echo "profile: $a ($(awk -v b="$raw_a" 'BEGIN { printf "%.1f", b / 1e6 }') MB raw), $($collapse "${filters[@]}" "$a" 2> /dev/null | wc -l) of $($collapse "$a" | wc -l) lines kept by the filters"
printf '%-44s %8ss wall %7ss CPU %12s RSS\n' "plain folding" "$pw" "$pc" "$(mb "$pr")"
printf '%-44s %8ss wall %7ss CPU %12s RSS\n' "${filters[*]}" "$fw" "$fc" "$(mb "$fr")"
awk -v f="$fw" -v p="$pw" 'BEGIN { printf "target 1: filters cost %+.1f %% over plain folding (at most +25 %%)\n", (f / p - 1) * 100 }'

read -r dw dc dr < <(best_of "$runs" "$collapse" --diff_base "$b" "$a")
printf '%-44s %8ss wall %7ss CPU %12s RSS\n' "--diff_base (seed 2 vs seed 1)" "$dw" "$dc" "$(mb "$dr")"
awk -v r="$dr" -v x="$raw_a" -v y="$raw_b" 'BEGIN { printf "target 3: peak RSS %.2fx the two raw profiles (under 3x)\n", r * 1024 / (x + y) }'
if [[ -z "${SKIP_GO:-}" ]]; then
  read -r gw gc gr < <(measure go tool pprof -raw -diff_base "$b" "$a")
  printf '%-44s %8ss wall %7ss CPU %12s RSS\n' "go tool pprof -raw -diff_base" "$gw" "$gc" "$(mb "$gr")"
  awk -v g="$gw" -v d="$dw" 'BEGIN { printf "target 2: --diff_base %.1fx faster than go tool pprof -raw -diff_base (at least 10x)\n", g / d }'
fi
