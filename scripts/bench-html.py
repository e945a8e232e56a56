#!/usr/bin/env python3
"""Times `flamegraph --html` pages in headless Chromium, beside the SVG of the same graphs.

Graphs: examples/gen_folded.rs output (seed 42) of 6,100 and 68,000 lines, about 100,000 and
1,000,000 frames (every frame kept: --minwidth 0 is the page's default). For each page:
  open     navigation start to the second animation frame after the load (drawn and painted)
  zoom     a real click on a frame near the root, from the click to the second animation frame
  search   flamegraph.search('Server'), from the call to the second animation frame
  reset    a real click on Reset Zoom, to the second animation frame
  B/frame  page bytes per frame
The SVG (same graph, flamegraph's default --minwidth 0.1 and --minwidth 0) is timed for its
open, to the second animation frame after its load, on the 100,000-frame graph only (the SVG
of a million frames is 195 MB). Median of ROUNDS rounds.

Usage: scripts/bench-html.py [ROUNDS]
Needs chromium, chromedriver, target/release/flamegraph and target/release/examples/gen_folded
(cargo build --release --locked --bin flamegraph --example gen_folded). Standard library only.
"""
import importlib.util, os, statistics, subprocess, sys, tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROUNDS = int(sys.argv[1]) if len(sys.argv) > 1 else 3
RELEASE = os.path.join(ROOT, "target/release")
FLAMEGRAPH = os.environ.get("FLAMEGRAPH", os.path.join(RELEASE, "flamegraph"))
GRAPHS = [("~100,000 frames", 6_100), ("~1,000,000 frames", 68_000)]

# the WebDriver client of bench-browser.py (imported without leaving a bytecode cache)
sys.dont_write_bytecode = True
_spec = importlib.util.spec_from_file_location("bench_browser", os.path.join(ROOT, "scripts/bench-browser.py"))
bench_browser = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench_browser)

PAINTED = """const done = arguments[arguments.length - 1], t = window.benchStart;
requestAnimationFrame(() => requestAnimationFrame(() => done(performance.now() - t)));"""
OPENED = """const done = arguments[arguments.length - 1];
requestAnimationFrame(() => requestAnimationFrame(() => done(performance.now())));"""
CLOCK = "window.addEventListener('click', () => { window.benchStart = performance.now(); }, true);"
# a point on the row three frames above the root, a third of the way across
ROW3 = """const c = document.getElementById('canvas').getBoundingClientRect();
return [c.left + c.width / 3, c.top + FG.imageHeight - FG.ypad2 - 3.5 * FG.frameHeight];"""
UNZOOM = """const r = document.getElementById('unzoom').getBoundingClientRect();
return [r.left + r.width / 2, r.top + r.height / 2];"""
SEARCH = "window.benchStart = performance.now(); flamegraph.search('Server');"


def render(work, lines):
    folded = os.path.join(work, f"g{lines}.folded")
    with open(folded, "wb") as f:
        subprocess.run([os.path.join(RELEASE, "examples/gen_folded"), str(lines), "42"], stdout=f, check=True)
    out = {}
    for name, args in (("html", ["--html"]), ("svg", []), ("svg0", ["--minwidth", "0"])):
        if name != "html" and lines > 10_000:
            continue
        path = os.path.join(work, f"g{lines}.{name}.{'html' if name == 'html' else 'svg'}")
        with open(path, "wb") as f:
            subprocess.run([FLAMEGRAPH, *args, folded], stdout=f, stderr=subprocess.DEVNULL, check=True)
        out[name] = path
    return out


def time_page(d, path):
    d.req("POST", "/url", {"url": "file://" + path})
    t = {"open": d.js(OPENED, True)}
    d.js(CLOCK)
    d.click(*d.js(ROW3))
    t["zoom"] = d.js(PAINTED, True)
    d.js(SEARCH)
    t["search"] = d.js(PAINTED, True)
    d.click(*d.js(UNZOOM))
    t["reset"] = d.js(PAINTED, True)
    return t


def main():
    rows = []
    with tempfile.TemporaryDirectory() as work:
        d = bench_browser.Driver(work)
        try:
            for label, lines in GRAPHS:
                paths = render(work, lines)
                times = {k: [] for k in ("open", "zoom", "search", "reset")}
                svg = {k: [] for k in paths if k != "html"}
                for _ in range(ROUNDS):
                    for k, v in time_page(d, paths["html"]).items():
                        times[k].append(v)
                    for k in svg:
                        d.req("POST", "/url", {"url": "file://" + paths[k]})
                        svg[k].append(d.js(OPENED, True))
                d.req("POST", "/url", {"url": "file://" + paths["html"]})
                count = d.js("return FG.count;")
                size = os.path.getsize(paths["html"])
                rows.append((label, count, size, {k: statistics.median(v) for k, v in times.items()},
                             {k: (statistics.median(v), os.path.getsize(paths[k])) for k, v in svg.items()}))
        finally:
            d.close()
    print(f"flamegraph --html in headless Chromium, median of {ROUNDS} rounds, ms")
    print(f"{'graph':<20}{'frames':>10}{'B/frame':>9}{'open':>8}{'zoom':>8}{'search':>8}{'reset':>8}")
    for label, count, size, t, svg in rows:
        print(f"{label:<20}{count:>10,}{size / count:>9.1f}{t['open']:>8.0f}{t['zoom']:>8.0f}"
              f"{t['search']:>8.0f}{t['reset']:>8.0f}")
        for k, (ms, bytes_) in svg.items():
            what = "SVG --minwidth 0.1" if k == "svg" else "SVG --minwidth 0"
            print(f"  {what}: open {ms:.0f} ms, {bytes_ / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
