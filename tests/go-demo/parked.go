// The zoo mode (-zoo): no workload at all, only goroutines parked in known ways, so that the
// goroutine profile (?debug=0), its ?debug=1 text and the ?debug=2 dump taken back to back
// show the same goroutines, and a SIGQUIT dump of the process shows them once more.
//
// Every zoo goroutine is started by a go statement without arguments, so that no compiler
// wrapper (pkg.f.funcN, pkg.f.gowrapN) stands between it and runtime.goexit.
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"runtime"
	"runtime/pprof"
	"sync"
	"time"
)

var zooMode = flag.Bool("zoo", false, "park a fixed zoo of goroutines and run no workload (see README.md)")

// runZoo serves the zoo when -zoo is given (it never returns then); false otherwise.
func runZoo(addr string) bool {
	if !*zooMode {
		return false
	}
	startZoo()
	time.Sleep(100 * time.Millisecond)
	runtime.GC()
	http.HandleFunc("/zoo/capture", zooCapture)
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "godemo:", err)
		os.Exit(1)
	}
	fmt.Printf("listening on %s\n", ln.Addr())
	if err := http.Serve(ln, nil); err != nil {
		fmt.Fprintln(os.Stderr, "godemo:", err)
		os.Exit(1)
	}
	return true
}

// zooCapture writes the goroutine profile at debug=0, 1 and 2, taken back to back, each as
// "PART N BYTES\n" followed by its bytes.
func zooCapture(w http.ResponseWriter, r *http.Request) {
	var parts [3]bytes.Buffer
	for debug := range parts {
		if err := pprof.Lookup("goroutine").WriteTo(&parts[debug], debug); err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
	}
	for debug := range parts {
		fmt.Fprintf(w, "PART %d %d\n", debug, parts[debug].Len())
		w.Write(parts[debug].Bytes())
	}
}

var (
	zooNever   = make(chan struct{})
	zooUnread  = make(chan int)
	zooMu      sync.Mutex
	zooRW      sync.RWMutex
	zooCond    = sync.NewCond(&sync.Mutex{})
	zooWG      sync.WaitGroup
	zooHeld    = make(chan struct{})
	zooNilChan chan int
)

// startZoo parks the goroutines the tests count (tests/dumps_go.rs):
// 3 zooChanRecv, 2 zooSelect, and one each of the others.
func startZoo() {
	for i := 0; i < 3; i++ {
		go zooChanRecv()
	}
	go zooSelect()
	go zooSelect()
	go zooChanSend()
	go zooNil()
	go zooSleep()
	go zooHolder()
	<-zooHeld
	go zooMutex()
	go zooRWMutexReader()
	go zooCondWait()
	zooWG.Add(1)
	go zooWaitGroup()
	go zooLabeled()
	go zooGeneric()
	go zooDeep()
	go zooLocked()
}

func zooChanRecv() { <-zooNever }

func zooSelect() {
	other := make(chan int)
	select {
	case <-zooNever:
	case <-other:
	}
}

func zooChanSend() { zooUnread <- 1 }

func zooNil() { <-zooNilChan }

func zooSleep() { time.Sleep(24 * time.Hour) }

// zooHolder takes both locks and keeps them, so that zooMutex and zooRWMutexReader wait.
func zooHolder() {
	zooMu.Lock()
	zooRW.Lock()
	close(zooHeld)
	<-zooNever
}

func zooMutex() { zooMu.Lock() }

func zooRWMutexReader() { zooRW.RLock() }

func zooCondWait() {
	zooCond.L.Lock()
	zooCond.Wait()
}

func zooWaitGroup() { zooWG.Wait() }

func zooLabeled() {
	pprof.Do(context.Background(), pprof.Labels("role", "zoo"), func(context.Context) {
		<-zooNever
	})
}

type zooBox[T any] struct{ ch chan T }

//go:noinline
func (b *zooBox[T]) wait() T { return <-b.ch }

func zooGeneric() {
	b := &zooBox[float64]{ch: make(chan float64)}
	b.wait()
}

func zooDeep() { zooRecurse(8) }

//go:noinline
func zooRecurse(n int) {
	if n == 0 {
		<-zooNever
		return
	}
	zooRecurse(n - 1)
}

func zooLocked() {
	runtime.LockOSThread()
	<-zooNever
}
