//! Folded stacks to an interactive SVG (the `flamegraph` tool).
