# shellcheck shell=bash
# Shared by the bench-*.sh scripts (sourced; needs $bench_dir and GNU /usr/bin/time).

# measure CMD... : runs CMD with stdout to /dev/null (and stdin from $stdin_file when set);
# prints "wall_s cpu_s rss_kb" (wall time from bash's microsecond clock: /usr/bin/time rounds it
# to 10 ms)
measure() {
  local log="${bench_dir:?set bench_dir first}/time.log" start end
  start=$EPOCHREALTIME
  /usr/bin/time -v "$@" < "${stdin_file:-/dev/stdin}" > /dev/null 2> "$log" || { cat "$log" >&2; return 1; }
  end=$EPOCHREALTIME
  awk -F': ' -v t0="$start" -v t1="$end" '
    /User time/ { u = $2 } /System time/ { sy = $2 }
    /Maximum resident set size/ { r = $2 }
    END { printf "%.3f %.2f %d\n", t1 - t0, u + sy, r }' "$log"
}

# faster A B : true when measurement A has the lower wall time (or B is empty)
faster() {
  [[ -z "$2" ]] || awk -v a="${1%% *}" -v b="${2%% *}" 'BEGIN { exit !(a < b) }'
}

# best_of N CMD... : the run of N with the lowest wall time
best_of() {
  local n=$1; shift
  local best="" line
  for ((i = 0; i < n; i++)); do
    line=$(measure "$@")
    if faster "$line" "$best"; then
      best=$line
    fi
  done
  echo "$best"
}
