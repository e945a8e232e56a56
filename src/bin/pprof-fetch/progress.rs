//! The progress line of docs/pprof-fetch.md ("Progress"), drawn on stderr from the library's
//! [`FetchEvent`]s: `pprof-fetch: collecting 30 s profile from HOST:PORT ... 12 s left`,
//! rewritten in place once per second, then `... waiting for the server`, erased when the answer
//! comes.

use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use flamepipe::fetch::{format_seconds, FetchEvent};

/// Turns the events of one fetch into a [`ProgressLine`]; does nothing when not `enabled`
/// (`-q`, or stderr is not a terminal).
pub struct Countdown {
    enabled: bool,
    line: Option<ProgressLine>,
}

impl Countdown {
    /// A countdown that draws only when `enabled`.
    pub fn new(enabled: bool) -> Countdown {
        Countdown {
            enabled,
            line: None,
        }
    }

    /// Starts the line when the server starts collecting; erases it when the answer comes.
    pub fn observe(&mut self, event: FetchEvent) {
        match event {
            FetchEvent::Collecting { seconds, host_port } if self.enabled => {
                let total = format_seconds(Duration::from_secs_f64(seconds));
                let subject = format!("{total} s profile from {host_port}");
                self.line = Some(ProgressLine::start(
                    seconds,
                    subject,
                    "waiting for the server",
                ));
            }
            FetchEvent::Collecting { .. } => {}
            FetchEvent::Answered | FetchEvent::Finished { .. } => self.line = None,
        }
    }
}

/// `pprof-fetch: collecting SUBJECT ... STATE` on stderr, redrawn by a thread: STATE counts the
/// seconds down, then shows `after` once they are over; the line is erased when this is dropped.
///
/// The subject and the final state are the caller's, so one line can speak for one target or,
/// in a fleet, for all of them.
pub struct ProgressLine {
    stop: Option<mpsc::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl ProgressLine {
    /// Starts drawing a countdown of `seconds`.
    pub fn start(seconds: f64, subject: String, after: &'static str) -> ProgressLine {
        let (stop, stopped) = mpsc::channel::<()>();
        let thread = std::thread::spawn(move || {
            draw_countdown(seconds, &subject, after, &stopped);
            eprint!("\r\x1b[K");
        });
        ProgressLine {
            stop: Some(stop),
            thread: Some(thread),
        }
    }
}

/// Redraws the line once per second until `stopped` fires (or its sender is dropped).
fn draw_countdown(seconds: f64, subject: &str, after: &str, stopped: &mpsc::Receiver<()>) {
    let deadline = Instant::now() + Duration::from_secs_f64(seconds);
    let line = |state: &str| eprint!("\rpprof-fetch: collecting {subject} ... {state}\x1b[K");
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left < Duration::from_millis(10) {
            line(after);
            let _ = stopped.recv();
            return;
        }
        line(&format!("{} s left", left.as_secs_f64().ceil() as u64));
        let tick = match left.as_nanos() % 1_000_000_000 {
            0 => Duration::from_secs(1),
            fraction => Duration::from_nanos(fraction as u64),
        };
        if stopped.recv_timeout(tick) != Err(mpsc::RecvTimeoutError::Timeout) {
            return;
        }
    }
}

impl Drop for ProgressLine {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
