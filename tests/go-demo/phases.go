package main

// Two phases of work, for comparisons of profiles (pprof-collapse --diff_base): the current
// phase is switched with /phase?set=a|b, and /phased?ms=MS runs it for MS milliseconds.
// Phase a spends its time in phaseOnlyA, phase b in phaseOnlyB; both go through runPhase.

import (
	"context"
	"net/http"
	"runtime/pprof"
	"strconv"
	"sync/atomic"
	"time"
)

// phaseB is 1 while phase b is on, 0 in phase a (the default).
var phaseB atomic.Int32

func registerPhaseHandlers() {
	http.HandleFunc("/phase", handlePhase)
	http.HandleFunc("/phased", handlePhased)
}

// handlePhase switches the phase: /phase?set=a or /phase?set=b; answers the phase now on.
func handlePhase(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Query().Get("set") {
	case "a":
		phaseB.Store(0)
	case "b":
		phaseB.Store(1)
	case "":
	default:
		http.Error(w, "set must be a or b", http.StatusBadRequest)
		return
	}
	w.Write([]byte(currentPhase() + "\n"))
}

func currentPhase() string {
	if phaseB.Load() == 1 {
		return "b"
	}
	return "a"
}

// handlePhased runs the current phase for ms milliseconds (default 100), labelled phase=a|b.
func handlePhased(w http.ResponseWriter, r *http.Request) {
	ms, err := strconv.Atoi(r.URL.Query().Get("ms"))
	if err != nil || ms <= 0 {
		ms = 100
	}
	phase := currentPhase()
	var result uint64
	pprof.Do(r.Context(), pprof.Labels("phase", phase), func(context.Context) {
		result = runPhase(phase, time.Duration(ms)*time.Millisecond)
	})
	w.Write([]byte(strconv.FormatUint(result, 10) + "\n"))
}

//go:noinline
func runPhase(phase string, d time.Duration) uint64 {
	var total uint64
	for end := time.Now().Add(d); time.Now().Before(end); {
		if phase == "b" {
			total += phaseOnlyB(20000)
		} else {
			total += phaseOnlyA(20000)
		}
	}
	return total
}

// phaseOnlyA: an xorshift walk (runs in phase a only).
//
//go:noinline
func phaseOnlyA(n int) uint64 {
	x := uint64(88172645463325252)
	for i := 0; i < n; i++ {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
	}
	return x
}

// phaseOnlyB: a multiply-add walk (runs in phase b only).
//
//go:noinline
func phaseOnlyB(n int) uint64 {
	x := uint64(1)
	for i := 0; i < n; i++ {
		x = x*6364136223846793005 + 1442695040888963407
	}
	return x
}
