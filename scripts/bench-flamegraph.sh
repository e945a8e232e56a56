#!/usr/bin/env bash
# Benchmark: our `flamegraph` vs inferno-flamegraph (and flamegraph.pl when available) on the
# same 200,000-line folded file, side by side in one run. Wall time and peak RSS come from
# /usr/bin/time -v; each tool runs RUNS times (flamegraph.pl once) and the fastest run counts.
#
#   scripts/bench-flamegraph.sh                # uses inferno-flamegraph from PATH or ~/.cargo/bin
#   FLAMEGRAPH_PL=/path/to/flamegraph.pl RUNS=5 scripts/bench-flamegraph.sh
#
# The input is generated with a fixed seed by examples/gen_folded.rs (stacks 5-40 frames deep
# over 2,000 names, ~100 MB) into target/bench/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

RUNS="${RUNS:-3}"
LINES="${LINES:-200000}"
SEED="${SEED:-42}"
dir=target/bench
mkdir -p "$dir"

cargo build --release --locked --quiet --bin flamegraph --example gen_folded
input="$dir/bench-$LINES-$SEED.folded"
if [[ ! -s "$input" ]]; then
  target/release/examples/gen_folded "$LINES" "$SEED" > "$input"
fi
echo "input: $input ($(wc -l < "$input") lines, $(( $(stat -c %s "$input") / 1000000 )) MB)"

inferno="$(command -v inferno-flamegraph || true)"
[[ -z "$inferno" && -x "$HOME/.cargo/bin/inferno-flamegraph" ]] && inferno="$HOME/.cargo/bin/inferno-flamegraph"
perl_fg="${FLAMEGRAPH_PL:-$(command -v flamegraph.pl || true)}"
[[ -z "$perl_fg" && -f /tmp/flamegraph.pl ]] && perl_fg=/tmp/flamegraph.pl

# measure NAME RUNS CMD... -> prints "NAME best_wall_s peak_rss_kb"
measure() {
  local name="$1" runs="$2"; shift 2
  local best="" rss=0 log="$dir/time.log"
  for ((i = 0; i < runs; i++)); do
    /usr/bin/time -v "$@" "$input" > "$dir/$name.svg" 2> "$log" || true
    local wall kb
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, p, ":"); s = 0; for (j = 1; j <= n; j++) s = s * 60 + p[j]; print s}' "$log")
    kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$log")
    if [[ -z "$best" ]] || awk "BEGIN {exit !($wall < $best)}"; then best=$wall; fi
    (( kb > rss )) && rss=$kb
  done
  echo "$name $best $rss"
}

results=()
results+=("$(measure flamepipe "$RUNS" target/release/flamegraph)")
[[ -n "$inferno" ]] && results+=("$(measure inferno "$RUNS" "$inferno")")
[[ -n "$perl_fg" ]] && results+=("$(measure flamegraph.pl 1 perl "$perl_fg")")

printf '\n%-14s %10s %14s\n' tool "wall (s)" "peak RSS (MB)"
for r in "${results[@]}"; do
  read -r name wall kb <<< "$r"
  printf '%-14s %10.2f %14.1f\n' "$name" "$wall" "$(awk "BEGIN {print $kb / 1024}")"
done
read -r _ our_wall our_kb <<< "${results[0]}"
echo
for r in "${results[@]:1}"; do
  read -r name wall kb <<< "$r"
  awk -v n="$name" -v w="$wall" -v k="$kb" -v ow="$our_wall" -v ok="$our_kb" \
    'BEGIN {printf "vs %-12s %.1fx faster, %.2fx its peak memory\n", n, w / ow, ok / k}'
done
