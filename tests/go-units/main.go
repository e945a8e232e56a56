// Command gounits prints the table of `flamegraph --units` labels that
// tests/flamegraph_go.rs checks: one line per value and unit, "UNIT<TAB>VALUE<TAB>LABEL".
//
// It applies the rules `go tool pprof` labels values with (a memory or time
// value converted to its base unit, shown in the largest unit in which it is at
// least 1, printed with Go's %.2f without a trailing ".00", "0" for zero), written
// here from those rules, with Go's own float formatting, so that the Rust
// formatter is checked against Go's rather than against itself.
package main

import (
	"fmt"
	"math"
	"os"
	"strings"
)

type unit struct {
	name   string
	factor float64
}

var memory = []unit{{"B", 1}, {"kB", 1 << 10}, {"MB", 1 << 20}, {"GB", 1 << 30}, {"TB", 1 << 40}, {"PB", 1 << 50}}
var times = []unit{{"ns", 1}, {"us", 1e3}, {"ms", 1e6}, {"s", 1e9}, {"hrs", 3600e9}}

func label(value float64, from float64, scale []unit) string {
	if value < 0 {
		l := label(-value, from, scale)
		if l == "0" {
			return "0"
		}
		return "-" + l
	}
	base := value * from
	chosen := scale[0]
	for _, u := range scale {
		if base/u.factor >= 1.0 {
			chosen = u
		}
	}
	s := strings.TrimSuffix(fmt.Sprintf("%.2f", base/chosen.factor), ".00")
	if s == "0" {
		return "0"
	}
	return s + chosen.name
}

func main() {
	type flag struct {
		name  string
		from  float64
		scale []unit
	}
	units := []flag{
		{"bytes", 1, memory}, {"kB", 1 << 10, memory}, {"MB", 1 << 20, memory},
		{"nanoseconds", 1, times}, {"us", 1e3, times}, {"ms", 1e6, times}, {"seconds", 1e9, times}, {"hours", 3600e9, times},
	}
	values := []float64{0, 1, 2, 9, 10, 99, 100, 512, 999, 1000, 1001, 1023, 1024, 1025, 1536, 10239, 10240}
	for _, steps := range []float64{1e3, 1e6, 1e9, 3600e9, 1 << 20, 1 << 30, 1 << 40, 1 << 50} {
		values = append(values, steps-1, steps, steps+1, math.Floor(steps*0.995), math.Floor(steps*0.9949), steps*1.5)
	}
	values = append(values, 1e15, 1e15+1, 1e16, 123456789012345678, 239807672958951488, 9.2e18, 1.8e19, -1536, -1)
	out := new(strings.Builder)
	for _, u := range units {
		for _, v := range values {
			fmt.Fprintf(out, "%s\t%.0f\t%s\n", u.name, v, label(v, u.from, u.scale))
		}
	}
	os.Stdout.WriteString(out.String())
}
