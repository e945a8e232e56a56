#!/usr/bin/env python3
"""Times the flame graph's JavaScript on a 100,091-frame graph in headless Chromium, side by
side with flamegraph.pl's script on the very same SVG (frames identical, only the <script>
differs). Real clicks through chromedriver; each time runs from the click (capture listener) to
the second animation frame after it, so it includes style, layout and paint.

Usage: scripts/bench-browser.py [--reference SVG] [ROUNDS]      (ROUNDS: default 3)
flamegraph.pl's script is taken from SVG, any graph written by flamegraph.pl, or else from a graph
drawn by the flamegraph.pl named by the environment variable FLAMEGRAPH_PL (run with perl on a
one-line input), as scripts/bench-flamegraph.sh does; one of the two is required.
Needs chromium, chromedriver and target/release/flamegraph (cargo build --release --locked; or set
FLAMEGRAPH to another build: only its SVG is timed, not the binary). Standard library only.
"""
import argparse, json, os, socket, statistics, subprocess, sys, tempfile, time, urllib.error, urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FLAMEGRAPH = os.environ.get("FLAMEGRAPH", os.path.join(ROOT, "target/release/flamegraph"))


def parse_args():
    parser = argparse.ArgumentParser(description="Time flamegraph's and flamegraph.pl's scripts "
                                     "on one 100,091-frame SVG in headless Chromium.")
    parser.add_argument("rounds", nargs="?", type=int, default=3, metavar="ROUNDS",
                        help="rounds per script; the median is printed (default 3)")
    parser.add_argument("--reference", metavar="SVG",
                        help="an SVG written by flamegraph.pl, to take its script from "
                        "(default: run $FLAMEGRAPH_PL)")
    args = parser.parse_args()
    if args.reference is None and not os.environ.get("FLAMEGRAPH_PL"):
        parser.error("flamegraph.pl's script is needed: give --reference SVG (a graph written by "
                     "flamegraph.pl) or set FLAMEGRAPH_PL=/path/to/flamegraph.pl")
    return args


def reference_svg(reference, work):
    """The text of an SVG written by flamegraph.pl: the file given, or one drawn now."""
    if reference is not None:
        with open(reference, encoding="utf-8") as f:
            return f.read()
    folded = os.path.join(work, "tiny.folded")
    with open(folded, "w") as f:
        f.write("main;work 1\n")
    return subprocess.run(["perl", os.environ["FLAMEGRAPH_PL"], folded],
                          check=True, capture_output=True, text=True).stdout


def build_graphs(work, reference):
    folded = os.path.join(work, "big.folded")
    with open(folded, "w") as f:
        for c in range(99_000):
            f.write(f"main;a{c // 1000};pkg.b{c // 100};pkg/sub.c{c} 1\n")
    ours = subprocess.run([FLAMEGRAPH, "--minwidth", "0", folded],
                          check=True, capture_output=True, text=True).stdout
    ref = reference_svg(reference, work)
    if "<![CDATA[" not in ref or "]]>" not in ref:
        sys.exit("bench-browser: the reference SVG has no <script> CDATA section to take")
    start, end = ref.index("<![CDATA[") + 9, ref.index("]]>")
    s, e = ours.index("<![CDATA[") + 9, ours.index("]]>")
    theirs = ours[:s] + ref[start:end] + ours[e:]
    paths = {}
    for name, text in (("flamepipe", ours), ("flamegraph.pl", theirs)):
        paths[name] = os.path.join(work, name + ".svg")
        open(paths[name], "w").write(text)
    return paths


class Driver:
    def __init__(self, work):
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        sock.close()
        self.proc = subprocess.Popen(["chromedriver", f"--port={port}"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.base = f"http://127.0.0.1:{port}"
        for _ in range(200):
            try:
                self.req("GET", "/status")
                break
            except OSError:
                time.sleep(0.05)
        args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--window-size=1400,1200", "--user-data-dir=" + os.path.join(work, "profile")]
        caps = {"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": {
            "binary": "/usr/bin/chromium", "args": args}}}}
        self.base += "/session/" + self.req("POST", "/session", caps)["sessionId"]

    def req(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        r = urllib.request.Request(self.base + path, data=data, method=method,
                                   headers={"Content-Type": "application/json"})
        try:
            return json.loads(urllib.request.urlopen(r, timeout=600).read())["value"]
        except urllib.error.HTTPError as e:
            raise RuntimeError(e.read().decode())

    def js(self, body, asynchronous=False):
        return self.req("POST", "/execute/async" if asynchronous else "/execute/sync",
                        {"script": body, "args": []})

    def click(self, x, y):
        mouse = {"type": "pointer", "id": "mouse", "parameters": {"pointerType": "mouse"}, "actions": [
            {"type": "pointerMove", "duration": 0, "origin": "viewport", "x": int(x), "y": int(y)},
            {"type": "pointerDown", "button": 0}, {"type": "pointerUp", "button": 0}]}
        self.req("POST", "/actions", {"actions": [mouse]})
        self.req("DELETE", "/actions")

    def close(self):
        self.req("DELETE", "")
        self.proc.kill()


PAINTED = """const done = arguments[arguments.length - 1];
requestAnimationFrame(() => requestAnimationFrame(() => done(performance.now() - window.clickAt)));"""
FRAME = """const g = Array.from(document.getElementById('frames').children)
  .find(g => g.querySelector('title').textContent.startsWith('%s ('));
const r = g.querySelector('rect').getBoundingClientRect(); return [r.left + r.width / 2, r.top + r.height / 2];"""
UNZOOM = """const r = document.getElementById('unzoom').getBoundingClientRect();
return [r.left + r.width / 2, r.top + r.height / 2];"""
OPEN = """const done = arguments[arguments.length - 1];
requestAnimationFrame(() => requestAnimationFrame(() => done(performance.now())));"""
STEPS = [("open", None), ("zoom a42", FRAME % "a42"), ("zoom pkg.b420", FRAME % "pkg.b420"),
         ("Reset Zoom", UNZOOM)]


def one_round(d, path):
    d.req("POST", "/url", {"url": "file://" + path})
    times = {"open": d.js(OPEN, True)}
    d.js("window.addEventListener('click', () => { window.clickAt = performance.now(); }, true);")
    for name, where in STEPS[1:]:
        d.click(*d.js(where))
        times[name] = d.js(PAINTED, True)
    return times


def main():
    args = parse_args()
    rounds = args.rounds
    with tempfile.TemporaryDirectory() as work:
        paths = build_graphs(work, args.reference)
        d = Driver(work)
        try:
            results = {name: {step: [] for step, _ in STEPS} for name in paths}
            for _ in range(rounds):
                for name, path in paths.items():
                    for step, ms in one_round(d, path).items():
                        results[name][step].append(ms)
        finally:
            d.close()
    print(f"100,091-frame graph, median of {rounds} rounds, ms (open = navigation to first paint)")
    print(f"{'step':<16}{'flamepipe':>12}{'flamegraph.pl':>16}{'ratio':>8}")
    for step, _ in STEPS:
        ours = statistics.median(results["flamepipe"][step])
        theirs = statistics.median(results["flamegraph.pl"][step])
        print(f"{step:<16}{ours:>12.0f}{theirs:>16.0f}{theirs / ours:>7.1f}x")


if __name__ == "__main__":
    main()
