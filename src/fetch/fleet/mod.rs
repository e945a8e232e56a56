//! Several targets at once, a fleet (docs/pprof-fetch.md, "Several targets"): all fetched
//! together (at most `jobs` at a time), each checked as a single fetch is, and merged by pprof's
//! rules into one gzipped profile whose samples carry an `instance=host:port` label.
//!
//! * `part`: a fetched body decompressed into one reused buffer and scanned (byte ranges);
//! * `merge`: the merge itself, taking over only what samples refer to, interned in hash maps;
//! * `samples`: the merged samples in flat arrays (no allocation per sample);
//! * `write`: the result encoded with prost and gzipped.
//!
//! Memory stays bounded: bodies wait for their turn in temporary files (beyond a share of the
//! 16 MiB memory budget), and parts are merged one at a time in the order of the targets, so at
//! most one decompressed part and the merge are in memory. With instance labels a merged part's
//! samples go on to a temporary file at once (`write::SampleSpool`), so the merge in memory is
//! its functions, locations, mappings and strings. Merging in target order also makes the
//! output the same bytes whatever order the answers arrive in.

mod merge;
mod part;
mod samples;
mod write;

use std::io::{self, Seek, Write};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;

use super::{fetch_part, FetchError, FetchEvent, FetchOptions, Fetched, MEMORY_SPOOL_LIMIT};
use crate::profile::ProfileError;

use merge::{MergeFailure, Merger};
use part::{load_body, Part, PartFailure};
use write::SampleSpool;

/// The default key of the label that names each sample's target.
pub const DEFAULT_INSTANCE_LABEL: &str = "instance";

/// Bodies of a fleet below this size always stay in memory.
const MIN_MEMORY_SHARE: usize = 64 << 10;

/// Everything [`fetch_fleet`] needs.
#[derive(Debug, Clone)]
pub struct FleetOptions {
    /// One request per target, in the order of merging (command line, then `--targets`).
    pub targets: Vec<FetchOptions>,
    /// At most this many requests in flight (at least 1).
    pub jobs: usize,
    /// Key of the string label `KEY=host:port` added to every sample; `None` adds none.
    pub instance_label: Option<String>,
}

/// What a running [`fetch_fleet`] reports.
#[derive(Debug)]
pub enum FleetEvent<'a> {
    /// An event of the fetch of target `index` (they arrive as the fetches run).
    Fetch {
        /// The target, an index into [`FleetOptions::targets`].
        index: usize,
        /// What happened.
        event: FetchEvent,
    },
    /// Target `index` failed; reported in the order of the targets.
    Failed {
        /// The target, an index into [`FleetOptions::targets`].
        index: usize,
        /// Why.
        error: &'a TargetError,
    },
}

/// Why one target of a fleet failed; `Display` is its one-line message (with the URL).
#[derive(Debug, thiserror::Error)]
pub enum TargetError {
    /// The fetch or its checks failed, as for a single target.
    #[error(transparent)]
    Fetch(#[from] FetchError),
    /// The answer is no usable pprof profile.
    #[error("{url}: {source}")]
    Profile {
        /// Request URL.
        url: String,
        /// What is wrong with it.
        source: ProfileError,
    },
    /// Another period type or other sample types than the first target's.
    #[error("{url}: {message}")]
    Incompatible {
        /// Request URL.
        url: String,
        /// `incompatible profile: sample types [...] differ from [...] of FIRST-URL`.
        message: String,
    },
}

impl TargetError {
    /// The second line to print after the message, if any (the 404 hint).
    pub fn hint(&self) -> Option<&'static str> {
        match self {
            TargetError::Fetch(e) => e.hint(),
            _ => None,
        }
    }
}

/// The outcome of a fleet: the merge of the targets that succeeded.
#[derive(Debug)]
pub struct Fleet {
    merger: Merger,
    /// The compressed profile, when its samples were spooled as the parts were merged.
    spooled: Option<io::Result<std::fs::File>>,
    /// The number of targets.
    pub targets: usize,
    /// The number of targets that failed.
    pub failed: usize,
}

impl Fleet {
    /// The number of targets merged.
    pub fn merged(&self) -> usize {
        self.merger.parts()
    }

    /// Writes the merged profile (gzipped protobuf) to `out`.
    pub fn write_to(&mut self, out: &mut dyn Write) -> io::Result<()> {
        match &mut self.spooled {
            None => write::write_merged(&mut self.merger, out),
            Some(Ok(spooled)) => {
                spooled.seek(io::SeekFrom::Start(0))?;
                io::copy(spooled, out).map(|_| ())
            }
            Some(Err(e)) => Err(io::Error::new(
                e.kind(),
                format!("cannot spool the merged samples to a temporary file: {e}"),
            )),
        }
    }
}

/// A message from a fetching thread.
enum Message {
    Event(usize, FetchEvent),
    Done(usize, Result<Fetched, FetchError>),
}

/// Fetches all targets (at most `jobs` at a time) and merges what they answer, reporting
/// progress and failures to `observe` on the calling thread.
pub fn fetch_fleet(options: &FleetOptions, observe: &mut dyn FnMut(FleetEvent<'_>)) -> Fleet {
    let count = options.targets.len();
    let memory = (MEMORY_SPOOL_LIMIT / count.max(1)).max(MIN_MEMORY_SHARE);
    let next = AtomicUsize::new(0);
    let (tx, rx) = mpsc::channel();
    let mut merging = Merging::new(options);
    std::thread::scope(|scope| {
        for _ in 0..options.jobs.clamp(1, count.max(1)) {
            let (tx, next) = (tx.clone(), &next);
            scope.spawn(move || loop {
                let index = next.fetch_add(1, Ordering::Relaxed);
                let Some(target) = options.targets.get(index) else {
                    return;
                };
                let events = tx.clone();
                let mut progress = |event| {
                    let _ = events.send(Message::Event(index, event));
                };
                let result = fetch_part(target, &mut progress, memory);
                if tx.send(Message::Done(index, result)).is_err() {
                    return;
                }
            });
        }
        drop(tx);
        for message in rx {
            match message {
                Message::Event(index, event) => observe(FleetEvent::Fetch { index, event }),
                Message::Done(index, result) => merging.arrived(index, result, observe),
            }
        }
    });
    let spooled = match merging.spool {
        Some(Ok(spool)) => Some(spool.finish(merging.merger.encoded_header())),
        Some(Err(e)) => Some(Err(e)),
        None => None,
    };
    Fleet {
        merger: merging.merger,
        spooled,
        targets: count,
        failed: merging.failed,
    }
}

/// The merge in target order: answers wait in `waiting` until every earlier target is done.
struct Merging<'a> {
    options: &'a FleetOptions,
    waiting: Vec<Option<Result<Fetched, FetchError>>>,
    next: usize,
    merger: Merger,
    failed: usize,
    buffer: Vec<u8>,
    /// With instance labels: the thread writing the samples of merged parts.
    spool: Option<io::Result<SampleSpool>>,
}

impl<'a> Merging<'a> {
    fn new(options: &'a FleetOptions) -> Self {
        Merging {
            options,
            waiting: (0..options.targets.len()).map(|_| None).collect(),
            next: 0,
            merger: Merger::new(options.instance_label.as_deref()),
            failed: 0,
            buffer: Vec::new(),
            spool: None,
        }
    }

    fn arrived(
        &mut self,
        index: usize,
        result: Result<Fetched, FetchError>,
        observe: &mut dyn FnMut(FleetEvent<'_>),
    ) {
        self.waiting[index] = Some(result);
        while let Some(result) = self.waiting.get_mut(self.next).and_then(Option::take) {
            let index = self.next;
            self.next += 1;
            if let Err(error) = self.merge_one(index, result) {
                self.failed += 1;
                observe(FleetEvent::Failed {
                    index,
                    error: &error,
                });
            }
        }
        if self.next == self.waiting.len() {
            self.buffer = Vec::new();
        }
    }

    fn merge_one(
        &mut self,
        index: usize,
        result: Result<Fetched, FetchError>,
    ) -> Result<(), TargetError> {
        let mut fetched = result?;
        let target = &self.options.targets[index].target;
        let url = target.to_string();
        let profile_error = |source| TargetError::Profile {
            url: url.clone(),
            source,
        };
        match load_body(&mut fetched.body, &fetched.final_url, &mut self.buffer) {
            Ok(()) => {}
            Err(PartFailure::Fetch(e)) => return Err(e.into()),
            Err(PartFailure::Profile(e)) => return Err(profile_error(e)),
        }
        drop(fetched);
        let part = Part::scan(&self.buffer).map_err(profile_error)?;
        let instance = target.host_port();
        match self.merger.add(&url, &instance, &self.buffer, &part) {
            Ok(()) if self.merger.labels_parts() => {
                let spool = self.spool.get_or_insert_with(SampleSpool::start);
                if let Ok(spool) = spool {
                    spool.push(self.merger.take_samples());
                }
                Ok(())
            }
            Ok(()) => Ok(()),
            Err(MergeFailure::Profile(e)) => Err(profile_error(e)),
            Err(MergeFailure::Incompatible(message)) => {
                Err(TargetError::Incompatible { url, message })
            }
        }
    }
}

#[cfg(test)]
mod tests;
