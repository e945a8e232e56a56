//! Small pieces shared by the three command-line front-ends.

use std::io;

/// True when an I/O error means the reader of our output went away (`| head`).
///
/// Unix filters end quietly with success in that case, and so do ours.
pub fn is_broken_pipe(err: &io::Error) -> bool {
    err.kind() == io::ErrorKind::BrokenPipe
}
