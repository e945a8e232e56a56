//! Running the tools as child processes.

use std::ffi::OsStr;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

/// Runs `program args`, feeding `input` on stdin from a second thread (so a large input cannot
/// deadlock against a full stdout pipe), and returns its exit status and output.
pub fn run_with_stdin(
    program: impl AsRef<OsStr>,
    args: &[impl AsRef<OsStr>],
    input: &[u8],
) -> Output {
    run_in(program, args, input, None)
}

/// [`run_with_stdin`], in the working directory `dir` when one is given.
pub fn run_in(
    program: impl AsRef<OsStr>,
    args: &[impl AsRef<OsStr>],
    input: &[u8],
    dir: Option<&Path>,
) -> Output {
    let program = program.as_ref();
    let mut command = Command::new(program);
    command
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(dir) = dir {
        command.current_dir(dir);
    }
    let mut child = command
        .spawn()
        .unwrap_or_else(|err| panic!("start {}: {err}", program.to_string_lossy()));
    let mut stdin = child.stdin.take().expect("child stdin");
    let input = input.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let output = child.wait_with_output().expect("wait for the program");
    writer.join().expect("stdin writer");
    output
}
