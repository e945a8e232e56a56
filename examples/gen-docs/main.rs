//! Writes the man pages (`man/*.1`) and shell completions (`completions/`) of the three tools
//! from their clap definitions:
//!
//! ```text
//! cargo run --example gen-docs
//! ```
//!
//! Run it after changing a tool's `src/bin/TOOL/args.rs` or `man/sections/TOOL.roff`, and commit
//! the result; `tests/docs_up_to_date.rs` fails until then.

mod generator;

use std::path::Path;
use std::process::ExitCode;

fn main() -> ExitCode {
    match write_all() {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("gen-docs: {err}");
            ExitCode::FAILURE
        }
    }
}

/// Writes every generated file that is missing or differs, and says which.
fn write_all() -> std::io::Result<()> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for file in generator::generate_all()? {
        let path = root.join(&file.path);
        if std::fs::read(&path).ok().as_deref() == Some(file.content.as_slice()) {
            continue;
        }
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(&path, &file.content)
            .map_err(|err| std::io::Error::new(err.kind(), format!("{}: {err}", path.display())))?;
        println!("wrote {}", file.path.display());
    }
    Ok(())
}
