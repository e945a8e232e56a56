# shellcheck shell=bash
# Sourced by the benchmark scripts (bench-collapse.sh, bench-dumps.sh): timing helpers.
# Needs $bench_dir (a folder for the time log) and GNU /usr/bin/time.
: "${bench_dir:?set bench_dir before sourcing bench-measure.sh}"

# measure CMD... : runs CMD (stdin from $stdin_file when set, else /dev/null) with stdout to
# /dev/null; prints "wall_s cpu_s rss_kb" (wall time from bash's microsecond clock:
# /usr/bin/time rounds it to 10 ms)
measure() {
  local log="$bench_dir/time.log" start end
  start=$EPOCHREALTIME
  /usr/bin/time -v "$@" < "${stdin_file:-/dev/null}" > /dev/null 2> "$log" || { cat "$log" >&2; return 1; }
  end=$EPOCHREALTIME
  awk -F': ' -v t0="$start" -v t1="$end" '
    /User time/ { u = $2 } /System time/ { sy = $2 }
    /Maximum resident set size/ { r = $2 }
    END { printf "%.3f %.2f %d\n", t1 - t0, u + sy, r }' "$log"
}

# best_of N CMD... : the run with the lowest wall time of N, as measure prints it
best_of() {
  local n=$1; shift
  local best="" line
  for ((i = 0; i < n; i++)); do
    line=$(measure "$@")
    if [[ -z "$best" ]] || awk -v a="${line%% *}" -v b="${best%% *}" 'BEGIN { exit !(a < b) }'; then
      best=$line
    fi
  done
  echo "$best"
}
