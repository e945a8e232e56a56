//! flamepipe's development generators, shared by the examples (thin `main`s over these modules)
//! and the integration tests:
//!
//! - [`docs`]: the man pages and shell completions (`cargo run --example gen-docs`), which
//!   `tests/docs_up_to_date.rs` compares with the committed files;
//! - [`synthetic_profile`]: a large pprof CPU profile for `scripts/bench-collapse.sh`;
//! - [`folded`]: folded stacks for `scripts/bench-flamegraph.sh`;
//! - [`dump`]: a goroutine dump for `scripts/bench-dumps.sh`;
//! - [`rng`]: the seeded generator behind both, and behind the property tests.

pub mod docs;
pub mod dump;
pub mod folded;
pub mod rng;
pub mod synthetic_profile;
