//! Writes the man pages (`man/*.1`) and shell completions (`completions/`) of the three tools
//! from their clap definitions:
//!
//! ```text
//! cargo run --example gen-docs
//! ```
//!
//! Run it after changing a tool's command line (`src/cli/`) or `man/sections/TOOL.roff`, and
//! commit the result; `tests/docs_up_to_date.rs` fails until then. The generator itself is
//! `devtools::docs` (devtools/src/docs.rs).

use std::path::Path;
use std::process::ExitCode;

fn main() -> ExitCode {
    match devtools::docs::write_all(Path::new(env!("CARGO_MANIFEST_DIR"))) {
        Ok(written) => {
            for path in written {
                println!("wrote {}", path.display());
            }
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("gen-docs: {err}");
            ExitCode::FAILURE
        }
    }
}
