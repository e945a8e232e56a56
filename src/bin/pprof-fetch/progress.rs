//! The progress line of docs/pprof-fetch.md ("Progress"), drawn on stderr from the library's
//! [`FetchEvent`]s: `pprof-fetch: collecting 30 s profile from HOST:PORT ... 12 s left`,
//! rewritten in place once per second, then `... waiting for the server`, erased when the answer
//! comes. A fleet has one line for all its targets: `collecting 30 s profiles from 12 targets
//! ... 12 s left`, then `... 9/12 done`.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc};
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
                self.line = Some(ProgressLine::start(seconds, subject, || {
                    "waiting for the server".to_string()
                }));
            }
            FetchEvent::Collecting { .. } => {}
            FetchEvent::Answered | FetchEvent::Finished { .. } => self.line = None,
        }
    }
}

/// The one progress line of a fleet, from the events of all its fetches; does nothing when not
/// `enabled` or when no target collects.
pub struct FleetCountdown {
    enabled: bool,
    seconds: f64,
    targets: usize,
    finished: Arc<AtomicUsize>,
    line: Option<ProgressLine>,
}

impl FleetCountdown {
    /// A line for `targets` targets whose servers collect for at most `seconds`.
    pub fn new(enabled: bool, seconds: Option<f64>, targets: usize) -> FleetCountdown {
        FleetCountdown {
            enabled: enabled && seconds.is_some(),
            seconds: seconds.unwrap_or(0.0),
            targets,
            finished: Arc::new(AtomicUsize::new(0)),
            line: None,
        }
    }

    /// True while the line is on the screen (a message must erase it first).
    pub fn is_drawn(&self) -> bool {
        self.line.is_some()
    }

    /// Starts the line with the first collecting target; counts finished ones; erases the
    /// line when all are finished.
    pub fn observe(&mut self, event: &FetchEvent) {
        match event {
            FetchEvent::Collecting { .. } if self.enabled && self.line.is_none() => {
                let total = format_seconds(Duration::from_secs_f64(self.seconds));
                let subject = format!("{total} s profiles from {} targets", self.targets);
                let (finished, targets) = (Arc::clone(&self.finished), self.targets);
                self.line = Some(ProgressLine::start(self.seconds, subject, move || {
                    format!("{}/{targets} done", finished.load(Ordering::Relaxed))
                }));
            }
            FetchEvent::Finished { .. } => {
                let finished = self.finished.fetch_add(1, Ordering::Relaxed) + 1;
                if finished >= self.targets {
                    self.enabled = false;
                    self.line = None;
                }
            }
            _ => {}
        }
    }
}

/// `pprof-fetch: collecting SUBJECT ... STATE` on stderr, redrawn by a thread: STATE counts the
/// seconds down, then shows what `after` says once they are over (redrawn when it changes);
/// the line is erased when this is dropped.
///
/// The subject and the final state are the caller's, so one line can speak for one target or,
/// in a fleet, for all of them.
pub struct ProgressLine {
    stop: Option<mpsc::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl ProgressLine {
    /// Starts drawing a countdown of `seconds`.
    pub fn start(
        seconds: f64,
        subject: String,
        after: impl Fn() -> String + Send + 'static,
    ) -> ProgressLine {
        let (stop, stopped) = mpsc::channel::<()>();
        let thread = std::thread::spawn(move || {
            draw_countdown(seconds, &subject, &after, &stopped);
            eprint!("\r\x1b[K");
        });
        ProgressLine {
            stop: Some(stop),
            thread: Some(thread),
        }
    }
}

/// Redraws the line once per second until `stopped` fires (or its sender is dropped).
fn draw_countdown(
    seconds: f64,
    subject: &str,
    after: &dyn Fn() -> String,
    stopped: &mpsc::Receiver<()>,
) {
    let deadline = Instant::now() + Duration::from_secs_f64(seconds);
    let line = |state: &str| eprint!("\rpprof-fetch: collecting {subject} ... {state}\x1b[K");
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left < Duration::from_millis(10) {
            draw_after(&line, after, stopped);
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

/// Shows `after()` until `stopped` fires, redrawn when it changes (checked 5 times a second).
fn draw_after(line: &dyn Fn(&str), after: &dyn Fn() -> String, stopped: &mpsc::Receiver<()>) {
    let mut shown = String::new();
    loop {
        let state = after();
        if state != shown {
            line(&state);
            shown = state;
        }
        let tick = Duration::from_millis(200);
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
