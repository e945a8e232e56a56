//! The three command lines (clap definitions, one module per tool, so the binaries, the man pages
//! and the completions share one definition) and the small pieces the front-ends share.

pub mod collapse;
pub mod dumps;
pub mod fetch;
pub mod flamegraph;
pub mod shape;
pub mod suggest;

use std::io;

/// True when an I/O error means the reader of our output went away (`| head`).
///
/// Unix filters end quietly with success in that case, and so do ours.
pub fn is_broken_pipe(err: &io::Error) -> bool {
    err.kind() == io::ErrorKind::BrokenPipe || is_pipe_not_connected(err)
}

/// Windows' `ERROR_PIPE_NOT_CONNECTED` (233), which the standard library does not count as
/// `BrokenPipe`: Wine reports it when the reader of a pipe has gone (Windows itself reports
/// `ERROR_NO_DATA`, which is `BrokenPipe` already).
fn is_pipe_not_connected(err: &io::Error) -> bool {
    const ERROR_PIPE_NOT_CONNECTED: i32 = 233;
    cfg!(windows) && err.raw_os_error() == Some(ERROR_PIPE_NOT_CONNECTED)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broken_pipe_is_recognised() {
        assert!(is_broken_pipe(&io::Error::from(io::ErrorKind::BrokenPipe)));
        assert!(!is_broken_pipe(&io::Error::from(io::ErrorKind::NotFound)));
    }

    #[test]
    fn error_233_is_a_closed_pipe_only_on_windows() {
        let err = io::Error::from_raw_os_error(233);
        assert_eq!(is_broken_pipe(&err), cfg!(windows));
    }
}
