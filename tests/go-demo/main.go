// Command godemo is a small Go service for flamepipe's integration tests.
//
// It serves net/http/pprof on the default mux and keeps a known workload running so that every
// profile kind has deterministic, documented function names (see README.md in this folder).
// Once it listens it prints exactly one line on stdout: "listening on HOST:PORT".
package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
	"runtime"
	"runtime/pprof"
	"sort"
	"strconv"
	"sync"
	"time"
)

func init() {
	// Record every allocation, so heap and allocs profiles are deterministic.
	runtime.MemProfileRate = 1
}

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	writeTimeout := flag.Duration("write-timeout", 0, "http.Server WriteTimeout (0 = none)")
	flag.Parse()
	if runZoo(*addr) {
		return
	}

	runtime.SetMutexProfileFraction(1)
	runtime.SetBlockProfileRate(1)

	retainBlocks(64, 64<<10)
	startBackgroundWorkers()
	parkGoroutines(8)
	startMutexContention(4)
	startChannelContention()
	startAllocChurn()
	spawnLockedThreads(4)
	settle()

	http.HandleFunc("/work", handleWork)
	http.HandleFunc("/spin", handleSpin)
	registerPhaseHandlers() // phases.go: /phase, /phased

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "godemo:", err)
		os.Exit(1)
	}
	fmt.Printf("listening on %s\n", ln.Addr())
	srv := &http.Server{Handler: http.DefaultServeMux, WriteTimeout: *writeTimeout}
	if err := srv.Serve(ln); err != nil {
		fmt.Fprintln(os.Stderr, "godemo:", err)
		os.Exit(1)
	}
}

// settle lets the workload run briefly and then completes two garbage collections, which
// publish the allocation records, so that every profile has its functions from the first request.
func settle() {
	time.Sleep(50 * time.Millisecond)
	runtime.GC()
	runtime.GC()
}

// ---- load handler: /work?n=ROUNDS ----------------------------------------------------------

// handleWork burns CPU in a few distinct, never-inlined functions, labelled handler=work.
func handleWork(w http.ResponseWriter, r *http.Request) {
	n, err := strconv.Atoi(r.URL.Query().Get("n"))
	if err != nil || n <= 0 {
		n = 10
	}
	var sum uint64
	pprof.Do(r.Context(), pprof.Labels("handler", "work"), func(context.Context) {
		sum = loadCrunch(n)
	})
	fmt.Fprintf(w, "%d\n", sum)
}

//go:noinline
func loadCrunch(rounds int) uint64 {
	var sum uint64
	for i := 0; i < rounds; i++ {
		sum += loadHashRounds(uint64(i), 100000)
		sum += loadSortChunk(int64(sum), 2000)
	}
	return sum
}

//go:noinline
func loadHashRounds(seed uint64, n int) uint64 {
	h := seed ^ 0xcbf29ce484222325
	for i := 0; i < n; i++ {
		h ^= uint64(i)
		h *= 0x100000001b3
	}
	return h
}

//go:noinline
func loadSortChunk(seed int64, n int) uint64 {
	xs := make([]int, n)
	x := seed | 1
	for i := range xs {
		x = x*6364136223846793005 + 1442695040888963407
		xs[i] = int(x >> 33)
	}
	sort.Ints(xs)
	return uint64(xs[n/2])
}

// ---- labelled CPU workload: recursion, methods, closures, generics, inlining -----------------

// handleSpin runs the labelled workload for ms milliseconds in two goroutines, worker=A and B.
func handleSpin(w http.ResponseWriter, r *http.Request) {
	ms, err := strconv.Atoi(r.URL.Query().Get("ms"))
	if err != nil || ms <= 0 {
		ms = 100
	}
	deadline := time.Now().Add(time.Duration(ms) * time.Millisecond)
	var wg sync.WaitGroup
	for _, name := range []string{"A", "B"} {
		wg.Add(1)
		go func(name string) {
			defer wg.Done()
			pprof.Do(context.Background(), pprof.Labels("worker", name), func(context.Context) {
				for time.Now().Before(deadline) {
					runWorkload()
				}
			})
		}(name)
	}
	wg.Wait()
	fmt.Fprintln(w, "ok")
}

// startBackgroundWorkers keeps the labelled workload running at a low duty cycle (~2% each).
func startBackgroundWorkers() {
	for _, name := range []string{"A", "B"} {
		go backgroundWorker(name)
	}
}

func backgroundWorker(name string) {
	pprof.Do(context.Background(), pprof.Labels("worker", name), func(context.Context) {
		for {
			burstUntil := time.Now().Add(time.Millisecond)
			for time.Now().Before(burstUntil) {
				runWorkload()
			}
			time.Sleep(48 * time.Millisecond)
		}
	})
}

var sink uint64

// runWorkload calls each kind of function once; each part costs roughly the same.
//
//go:noinline
func runWorkload() {
	total := uint64(fib(18))
	a, b := newMatrix(24, 1), newMatrix(24, 2)
	total += uint64(a.multiply(b).trace())
	total += uint64(sumOf(intValues))
	total += uint64(sumOf(floatValues))
	applyEach(intValues, func(v int) { total += mix(uint64(v)) })
	sink += total
}

// fib is plain recursion.
func fib(n int) int {
	if n < 2 {
		return n
	}
	return fib(n-1) + fib(n-2)
}

type matrix struct {
	n    int
	data []float64
}

func newMatrix(n int, seed float64) *matrix {
	m := &matrix{n: n, data: make([]float64, n*n)}
	for i := range m.data {
		m.data[i] = seed + float64(i%7)
	}
	return m
}

// multiply is a method on a pointer receiver: main.(*matrix).multiply.
//
//go:noinline
func (m *matrix) multiply(o *matrix) *matrix {
	r := &matrix{n: m.n, data: make([]float64, m.n*m.n)}
	for i := 0; i < m.n; i++ {
		for j := 0; j < m.n; j++ {
			var s float64
			for k := 0; k < m.n; k++ {
				s += m.data[i*m.n+k] * o.data[k*m.n+j]
			}
			r.data[i*m.n+j] = s
		}
	}
	return r
}

//go:noinline
func (m *matrix) trace() float64 {
	var t float64
	for i := 0; i < m.n; i++ {
		t += m.data[i*m.n+i]
	}
	return t
}

type number interface {
	~int | ~int64 | ~float64
}

// sumOf is generic: main.sumOf[...] in profiles.
//
//go:noinline
func sumOf[T number](xs []T) T {
	var s T
	for _, x := range xs {
		s += x * x
	}
	return s
}

// applyEach calls fn indirectly, so the closure main.runWorkload.func1 is a real frame.
//
//go:noinline
func applyEach(xs []int, fn func(int)) {
	for _, x := range xs {
		fn(x)
	}
}

// mix is a small helper the compiler inlines into its caller (an inlined frame in profiles).
func mix(x uint64) uint64 {
	x ^= x >> 33
	x *= 0xff51afd7ed558ccd
	return x ^ x>>33
}

var intValues, floatValues = makeValues()

func makeValues() ([]int, []float64) {
	ints := make([]int, 4096)
	floats := make([]float64, 4096)
	for i := range ints {
		ints[i] = i % 97
		floats[i] = float64(i%89) * 0.5
	}
	return ints, floats
}

// ---- memory ---------------------------------------------------------------------------------

var retained [][]byte

// retainBlocks allocates memory that stays live for the program's lifetime (heap inuse_*).
//
//go:noinline
func retainBlocks(count, size int) {
	for i := 0; i < count; i++ {
		retained = append(retained, newRetainedBlock(size))
	}
}

//go:noinline
func newRetainedBlock(size int) []byte {
	b := make([]byte, size)
	for i := range b {
		b[i] = byte(i)
	}
	return b
}

// startAllocChurn allocates short-lived garbage all the time (allocs alloc_*).
func startAllocChurn() {
	go func() {
		for {
			makeGarbage(64, 1024)
			time.Sleep(10 * time.Millisecond)
		}
	}()
}

var garbageSink []byte

//go:noinline
func makeGarbage(count, size int) {
	for i := 0; i < count; i++ {
		garbageSink = make([]byte, size)
	}
}

// ---- goroutines -----------------------------------------------------------------------------

var never = make(chan struct{})

// parkGoroutines leaves n goroutines waiting on a channel forever, labelled role=parked.
func parkGoroutines(n int) {
	pprof.Do(context.Background(), pprof.Labels("role", "parked"), func(context.Context) {
		for i := 0; i < n; i++ {
			go parkedReceiver()
		}
		go parkedSelect()
	})
}

func parkedReceiver() {
	<-never
}

func parkedSelect() {
	other := make(chan int)
	select {
	case <-never:
	case <-other:
	}
}

// ---- contention -----------------------------------------------------------------------------

var contended sync.Mutex
var contendedCount int

// startMutexContention runs n goroutines fighting over one mutex (mutex and block profiles).
func startMutexContention(n int) {
	for i := 0; i < n; i++ {
		go contendMutex()
	}
}

func contendMutex() {
	for {
		contended.Lock()
		holdLock()
		contended.Unlock()
		time.Sleep(5 * time.Millisecond)
	}
}

//go:noinline
func holdLock() {
	contendedCount++
	time.Sleep(500 * time.Microsecond)
}

// startChannelContention runs a producer faster than its consumer (block profile).
func startChannelContention() {
	jobs := make(chan int)
	go channelProducer(jobs)
	go channelConsumer(jobs)
}

func channelProducer(jobs chan<- int) {
	for i := 0; ; i++ {
		jobs <- i
	}
}

func channelConsumer(jobs <-chan int) {
	for range jobs {
		time.Sleep(5 * time.Millisecond)
	}
}

// ---- threads --------------------------------------------------------------------------------

// spawnLockedThreads starts n goroutines that each lock an OS thread and park (threadcreate).
func spawnLockedThreads(n int) {
	for i := 0; i < n; i++ {
		go lockedThreadWorker()
	}
}

func lockedThreadWorker() {
	runtime.LockOSThread()
	<-never
}
