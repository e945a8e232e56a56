#!/usr/bin/env bash
# Regenerates docs/flamegraph.png and docs/flamegraph-html.png: the bundled Go demo CPU profile through
# pprof-collapse | flamegraph, rendered by headless Chromium.
# Usage: scripts/screenshot.sh   (needs chromium; builds the tools in release mode)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
cargo build --release --locked --bin pprof-collapse --bin flamegraph
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
target/release/pprof-collapse examples/go-demo.cpu.pb.gz | target/release/flamegraph > "$work/torch.svg"
height="$(grep -o '<svg [^>]*' "$work/torch.svg" | sed -E 's/.* height="([0-9]+)".*/\1/')"
chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --user-data-dir="$work/profile" --hide-scrollbars --window-size="1200,$height" \
  --screenshot="$PWD/docs/flamegraph.png" "file://$work/torch.svg"
# docs/flamegraph-html.png: the same profile as a --html page, with a search for "sort".
target/release/pprof-collapse examples/go-demo.cpu.pb.gz | target/release/flamegraph --html > "$work/torch.html"
height="$(grep -o '^imageHeight: [0-9.]*' "$work/torch.html" | sed -E 's/.*: ([0-9]+).*/\1/')"
chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --user-data-dir="$work/profile" --hide-scrollbars --window-size="1200,$height" \
  --screenshot="$PWD/docs/flamegraph-html.png" "file://$work/torch.html?s=sort"
