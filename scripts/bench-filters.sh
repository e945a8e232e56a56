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

# shellcheck source=scripts/bench-measure.sh
source scripts/bench-measure.sh

mb() { awk -v k="$1" 'BEGIN { printf "%.1f MB", k / 1024 }'; }
raw_a=$(gzip -dc < "$a" | wc -c)
raw_b=$(gzip -dc < "$b" | wc -c)
filters=(--focus 'main\.' --hide '^runtime\.' --tagfocus 'worker=^w[0-7]$')
# three options that remove nothing: what the machinery itself costs
keep_all=(--focus '.' --hide '^$' --tagignore 'nokey=.')

# Interleave plain and filtered runs, so that both see the same drift of the machine.
plain_best="" filtered_best="" keep_best=""
for ((r = 0; r < runs; r++)); do
  p=$(measure "$collapse" "$a")
  f=$(measure "$collapse" "${filters[@]}" "$a")
  k=$(measure "$collapse" "${keep_all[@]}" "$a")
  if faster "$p" "$plain_best"; then plain_best=$p; fi
  if faster "$f" "$filtered_best"; then filtered_best=$f; fi
  if faster "$k" "$keep_best"; then keep_best=$k; fi
done
read -r pw pc pr <<< "$plain_best"
read -r fw fc fr <<< "$filtered_best"
read -r kw kc kr <<< "$keep_best"
echo "profile: $a ($(awk -v b="$raw_a" 'BEGIN { printf "%.1f", b / 1e6 }') MB raw), $($collapse "${filters[@]}" "$a" 2> /dev/null | wc -l) of $($collapse "$a" | wc -l) lines kept by the filters"
printf '%-44s %8ss wall %7ss CPU %12s RSS\n' "plain folding" "$pw" "$pc" "$(mb "$pr")"
printf '%-44s %8ss wall %7ss CPU %12s RSS\n' "${filters[*]}" "$fw" "$fc" "$(mb "$fr")"
printf '%-44s %8ss wall %7ss CPU %12s RSS\n' "${keep_all[*]}" "$kw" "$kc" "$(mb "$kr")"
awk -v f="$fw" -v p="$pw" 'BEGIN { printf "target 1: filters cost %+.1f %% over plain folding (at most +25 %%)\n", (f / p - 1) * 100 }'
awk -v f="$kw" -v p="$pw" 'BEGIN { printf "          options that remove nothing: %+.1f %%\n", (f / p - 1) * 100 }'

read -r dw dc dr < <(best_of "$runs" "$collapse" --diff_base "$b" "$a")
printf '%-44s %8ss wall %7ss CPU %12s RSS\n' "--diff_base (seed 2 vs seed 1)" "$dw" "$dc" "$(mb "$dr")"
awk -v r="$dr" -v x="$raw_a" -v y="$raw_b" 'BEGIN { printf "target 3: peak RSS %.2fx the two raw profiles (under 3x)\n", r * 1024 / (x + y) }'
if [[ -z "${SKIP_GO:-}" ]]; then
  read -r gw gc gr < <(measure go tool pprof -raw -diff_base "$b" "$a")
  printf '%-44s %8ss wall %7ss CPU %12s RSS\n' "go tool pprof -raw -diff_base" "$gw" "$gc" "$(mb "$gr")"
  awk -v g="$gw" -v d="$dw" 'BEGIN { printf "target 2: --diff_base %.1fx faster than go tool pprof -raw -diff_base (at least 10x)\n", g / d }'
fi
