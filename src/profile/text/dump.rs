//! Goroutine dumps: `?debug=2`, panics, fatal errors and SIGQUIT output, also in the middle of
//! a log (docs/goroutine-dumps.md, "Goroutine dumps"). Blocks start at a goroutine header and
//! end at a blank line, the next header, or the first line that is no part of a traceback;
//! everything else is ignored, so a log with several dumps sums all of them.

use super::header::{goroutine_header, GoroutineHeader};
use super::lines::{LineReader, Next};
use super::model::Builder;
use super::{
    cut_warning, file_and_line, parse_decimal, parse_hex, DumpOptions, DumpResult, TextInfo,
};
use crate::hash::{FastHasher, FastMap};
use crate::profile::{Label, ProfileError, StrId};
use std::hash::BuildHasherDefault;
use std::io::Read;

/// Reads `input` as a dump; [`DumpResult::NotADump`] when it has no goroutine header or a NUL.
pub(crate) fn read<R: Read>(
    input: R,
    retain: bool,
    options: &DumpOptions,
) -> Result<DumpResult<R>, ProfileError> {
    let mut lines = LineReader::new(input, true, retain);
    let mut dump = Dump::new(*options);
    let mut retaining = retain;
    while let Next::Line(line) = lines.next_line()? {
        dump.line(line);
        if retaining && dump.headers > 0 {
            lines.stop_retaining();
            retaining = false;
        }
    }
    if lines.nul || dump.headers == 0 {
        let (retained, rest) = lines.into_parts();
        return Ok(DumpResult::NotADump(retained, rest));
    }
    Ok(DumpResult::Dump(Box::new(dump.finish(lines.cut))))
}

/// A frame of a block, and how it counts for the rules that leave frames and goroutines out.
#[derive(Clone, Copy)]
struct Frame {
    location: u64,
    /// A `runtime.` function.
    runtime: bool,
    /// `runtime.goexit`.
    goexit: bool,
    /// `runtime.main`.
    main: bool,
    /// A `.gowrapN` / `.deferwrapN` wrapper.
    wrapper: bool,
}

impl Frame {
    /// A frame that is no function (`[frames elided]`, `0x…`).
    fn other(location: u64) -> Self {
        Frame {
            location,
            runtime: false,
            goexit: false,
            main: false,
            wrapper: false,
        }
    }

    fn function(location: u64, name: &[u8]) -> Self {
        Frame {
            location,
            runtime: name.starts_with(b"runtime."),
            goexit: name == b"runtime.goexit",
            main: name == b"runtime.main",
            wrapper: is_wrapper(name),
        }
    }
}

/// The goroutine block being read.
#[derive(Default)]
struct Block {
    id: u64,
    state: StrId,
    minutes: i64,
    labels: Vec<Label>,
    frames: Vec<Frame>,
    /// The creator's name, file and source line.
    creator: Option<(StrId, StrId, i64)>,
    unavailable: bool,
}

/// A set of goroutine ids.
type IdSet = std::collections::HashSet<u64, BuildHasherDefault<FastHasher>>;

struct Dump {
    options: DumpOptions,
    builder: Builder,
    block: Option<Block>,
    /// A function line waiting for the next line (its location line, if indented).
    pending: Vec<u8>,
    has_pending: bool,
    /// The next indented line is the creator's location line.
    after_creator: bool,
    /// `[originating from goroutine N]:` was seen: the rest of the block is skipped.
    skipping: bool,
    /// The goroutine ids read in the current dump.
    ids: IdSet,
    /// Of those, the ones printed without a stack: their sample and minutes, so that a later
    /// copy with a stack can replace them.
    stackless: FastMap<u64, (usize, i64)>,
    after_dashes: bool,
    headers: u64,
    goroutines: u64,
    stack: Vec<u64>,
    scratch: Vec<u8>,
    unavailable: u64,
    elided: u64,
    state_frames: FastMap<StrId, u64>,
}

impl Dump {
    fn new(options: DumpOptions) -> Self {
        let mut builder = Builder::new(2);
        let unavailable = builder.string(b"[stack unavailable]");
        let unavailable = builder.frame(unavailable, 0, 0);
        let elided = builder.string(b"[frames elided]");
        let elided = builder.frame(elided, 0, 0);
        Dump {
            options,
            builder,
            block: None,
            pending: Vec::new(),
            has_pending: false,
            after_creator: false,
            skipping: false,
            ids: IdSet::default(),
            stackless: FastMap::default(),
            after_dashes: false,
            headers: 0,
            goroutines: 0,
            stack: Vec::new(),
            scratch: Vec::new(),
            unavailable,
            elided,
            state_frames: FastMap::default(),
        }
    }

    fn line(&mut self, line: &[u8]) {
        if self.has_pending {
            self.has_pending = false;
            if is_indented(line) {
                let pending = std::mem::take(&mut self.pending);
                self.push_function(&pending, location(line));
                self.pending = pending;
                return;
            }
            // A lone unindented line is no part of the traceback: the block ends before it.
            self.end_block();
            let pending = std::mem::take(&mut self.pending);
            self.outside(&pending);
            self.pending = pending;
        }
        if line.starts_with(b"goroutine ") {
            if let Some(header) = goroutine_header(line) {
                self.end_block();
                self.start_block(header);
                return;
            }
        }
        if self.block.is_none() {
            self.outside(line);
        } else if line.is_empty() {
            self.end_block();
        } else if !self.skipping {
            self.block_line(line);
        }
    }

    fn start_block(&mut self, header: GoroutineHeader<'_>) {
        self.headers += 1;
        let b = &mut self.builder;
        let labels = header
            .labels
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| Label {
                key: b.string(k),
                str: b.string(v),
                num: 0,
                unit: 0,
            })
            .collect();
        self.block = Some(Block {
            id: header.id,
            state: b.string(&header.state),
            minutes: header.minutes,
            labels,
            ..Block::default()
        });
    }

    /// A non-blank line inside a block (5.2's rows, in order).
    fn block_line(&mut self, line: &[u8]) {
        if is_indented(line) {
            if std::mem::take(&mut self.after_creator) {
                let (file, at) = location(line);
                let file = self.builder.string(file);
                if let Some(creator) = &mut self.block_mut().creator {
                    (creator.1, creator.2) = (file, at);
                }
                return;
            }
            if line.trim_ascii_start() == b"goroutine running on other thread; stack unavailable" {
                self.block_mut().unavailable = true;
                return;
            }
            self.end_block();
            self.outside(line);
            return;
        }
        self.after_creator = false;
        if let Some(creator) = line.strip_prefix(b"created by ") {
            let name = self.builder.string(strip_in_goroutine(creator));
            self.block_mut().creator = Some((name, 0, 0));
            self.after_creator = true;
        } else if is_elided(line) {
            let location = self.elided;
            self.push(Frame::other(location));
        } else if let Some(address) = line
            .strip_prefix(b"non-Go function at pc=")
            .and_then(parse_hex)
        {
            let location = self.builder.address(address);
            self.push(Frame::other(location));
        } else if line.starts_with(b"[originating from goroutine ") && line.ends_with(b"]:") {
            self.skipping = true;
        } else {
            self.pending.clear();
            self.pending.extend_from_slice(line);
            self.has_pending = true;
        }
    }

    fn block_mut(&mut self) -> &mut Block {
        self.block.get_or_insert_with(Block::default)
    }

    fn push(&mut self, frame: Frame) {
        self.block_mut().frames.push(frame);
    }

    /// A function frame from its function line and its location's file and line number.
    fn push_function(&mut self, function_line: &[u8], (file, line): (&[u8], i64)) {
        let name = frame_name(function_line);
        let location = self.builder.frame_of(name, file, line);
        self.push(Frame::function(location, name));
    }

    /// A line outside any block: the lines crash output has between its blocks keep the dump
    /// going (`-----` starts a per-thread section), anything else ends it.
    fn outside(&mut self, line: &[u8]) {
        if line == b"-----" {
            self.after_dashes = true;
        } else if !is_between_blocks(line) {
            self.ids.clear();
            self.stackless.clear();
            self.after_dashes = false;
        }
    }

    fn end_block(&mut self) {
        self.after_creator = false;
        self.skipping = false;
        if let Some(block) = self.block.take() {
            self.emit(block);
        }
    }

    /// Adds a finished block (5.4–5.5).
    fn emit(&mut self, mut block: Block) {
        if block.id == 0 {
            return;
        }
        let has_stack = !block.unavailable && !block.frames.is_empty();
        let first = self.ids.insert(block.id);
        if !first && self.after_dashes {
            // A per-thread section prints a goroutine again: it only replaces a stackless copy.
            if !has_stack {
                return;
            }
            let Some((index, minutes)) = self.stackless.remove(&block.id) else {
                return;
            };
            self.builder.add_values(index, &[1, minutes], -1);
            self.goroutines -= 1;
        }
        let minutes = block.minutes.max(0);
        let Some(index) = self.add_block(&mut block) else {
            return;
        };
        self.goroutines += 1;
        if first && !has_stack {
            self.stackless.insert(block.id, (index, minutes));
        }
    }

    /// Adds the block's stack as a sample; `None` when the block is left out.
    fn add_block(&mut self, block: &mut Block) -> Option<usize> {
        let frames = &mut block.frames;
        if frames.last().is_some_and(|f| f.goexit) {
            frames.pop();
        }
        let runtime_own = !frames.is_empty()
            && frames.iter().all(|f| f.runtime)
            && frames.last().is_some_and(|f| !f.main);
        if runtime_own && !self.options.all_goroutines {
            return None;
        }
        if frames.iter().any(|f| !f.wrapper) {
            frames.retain(|f| !f.wrapper);
        }
        if block.unavailable || frames.is_empty() {
            frames.clear();
            frames.push(Frame::other(self.unavailable));
        }
        let state = self.state_frame(block.state);
        let mut stack = std::mem::take(&mut self.stack);
        stack.clear();
        if self.options.state {
            stack.push(state);
        }
        stack.extend(frames.iter().map(|f| f.location));
        if let (true, Some((name, file, line))) = (self.options.created_by, block.creator) {
            stack.push(self.builder.frame(name, file, line));
        }
        let root = if self.options.group_by_state {
            state
        } else {
            0
        };
        let values = [1, block.minutes.max(0)];
        let index = self.builder.add(&stack, &block.labels, root, &values);
        self.stack = stack;
        Some(index)
    }

    /// The location of the pseudo frame `[STATE]`.
    fn state_frame(&mut self, state: StrId) -> u64 {
        if let Some(&location) = self.state_frames.get(&state) {
            return location;
        }
        self.scratch.clear();
        self.scratch.push(b'[');
        self.scratch.extend_from_slice(self.builder.bytes(state));
        self.scratch.push(b']');
        let scratch = std::mem::take(&mut self.scratch);
        let name = self.builder.string(&scratch);
        self.scratch = scratch;
        let location = self.builder.frame(name, 0, 0);
        self.state_frames.insert(state, location);
        location
    }

    fn finish(mut self, cut: bool) -> crate::profile::Profile {
        let mut warnings = Vec::new();
        if cut {
            self.block = None;
            warnings.push(cut_warning("goroutine"));
        } else {
            if self.has_pending {
                self.has_pending = false;
                let pending = std::mem::take(&mut self.pending);
                if pending.ends_with(b")") && self.block.is_some() {
                    self.push_function(&pending, (b"", 0));
                }
            }
            self.end_block();
        }
        let b = &mut self.builder;
        let types = vec![
            b.value_type("goroutine", "count"),
            b.value_type("wait", "minutes"),
        ];
        let default = if self.options.minutes {
            b.string(b"wait")
        } else {
            b.string(b"goroutine")
        };
        let info = TextInfo {
            kind: "goroutine dump".into(),
            records: self.goroutines,
        };
        self.builder.finish(types, default, warnings, info)
    }
}

fn is_indented(line: &[u8]) -> bool {
    matches!(line.first(), Some(b'\t' | b' '))
}

/// `...additional frames elided...` (Go ≤ 1.20) or `...N frames elided...` (Go ≥ 1.21).
fn is_elided(line: &[u8]) -> bool {
    if line == b"...additional frames elided..." {
        return true;
    }
    line.strip_prefix(b"...")
        .and_then(|rest| rest.strip_suffix(b" frames elided..."))
        .is_some_and(|n| parse_decimal(n).is_some())
}

/// Lines that may stand between the blocks of one crash dump.
fn is_between_blocks(line: &[u8]) -> bool {
    line.is_empty()
        || line.starts_with(b"PC=")
        || line == b"signal arrived during cgo execution"
        || is_signal_line(line)
        || is_register_line(line)
}

/// `SIGxxx: ...`.
fn is_signal_line(line: &[u8]) -> bool {
    let Some(rest) = line.strip_prefix(b"SIG") else {
        return false;
    };
    let n = rest
        .iter()
        .take_while(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        .count();
    n > 0 && rest[n..].starts_with(b":")
}

/// `^[a-z][a-z0-9]* +0x[0-9a-f]+$`.
fn is_register_line(line: &[u8]) -> bool {
    if !line.first().is_some_and(u8::is_ascii_lowercase) {
        return false;
    }
    let name = line
        .iter()
        .take_while(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        .count();
    let spaces = line[name..].iter().take_while(|&&b| b == b' ').count();
    let Some(hex) = line[name + spaces..].strip_prefix(b"0x") else {
        return false;
    };
    spaces > 0
        && !hex.is_empty()
        && hex
            .iter()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(b))
}

/// The frame name of a function line: the text before the argument list; `panic` is
/// `runtime.gopanic`.
fn frame_name(line: &[u8]) -> &[u8] {
    let name = match (line.ends_with(b")"), memchr::memrchr(b'(', line)) {
        (true, Some(at)) => &line[..at],
        _ => line,
    };
    if name == b"panic" {
        b"runtime.gopanic"
    } else {
        name
    }
}

/// A name ending in `.gowrapN` or `.deferwrapN`.
fn is_wrapper(name: &[u8]) -> bool {
    let digits = name.iter().rev().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 {
        return false;
    }
    let rest = &name[..name.len() - digits];
    rest.ends_with(b".gowrap") || rest.ends_with(b".deferwrap")
}

/// `FUNC in goroutine N` → `FUNC`.
fn strip_in_goroutine(creator: &[u8]) -> &[u8] {
    match memchr::memmem::rfind(creator, b" in goroutine ") {
        Some(at) if parse_decimal(&creator[at + 14..]).is_some() => &creator[..at],
        _ => creator,
    }
}

/// The file and source line of a location line `\tFILE:LINE[ +0xOFF][ fp=… sp=… pc=…]` (no
/// file and line 0 for a bare `\tpc=0x…`).
fn location(line: &[u8]) -> (&[u8], i64) {
    let mut text = line.trim_ascii_start();
    // Drop the space-separated suffixes from the end (cheaper than searching for each).
    while let Some(at) = memchr::memrchr(b' ', text) {
        let token = &text[at + 1..];
        if [&b"+0x"[..], b"fp=", b"sp=", b"pc="]
            .iter()
            .any(|p| token.starts_with(p))
        {
            text = &text[..at];
        } else {
            break;
        }
    }
    if text.starts_with(b"pc=") {
        return (b"", 0);
    }
    file_and_line(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_kinds_and_lines() {
        assert_eq!(frame_name(b"main.(*T).M(0xc0000a2100)"), b"main.(*T).M");
        assert_eq!(
            frame_name(b"main.(*Box[...]).Wait(...)"),
            b"main.(*Box[...]).Wait"
        );
        assert_eq!(
            frame_name(b"panic({0x6f1e00, 0x9a3c20})"),
            b"runtime.gopanic"
        );
        assert_eq!(frame_name(b"cgoSymbolizerName"), b"cgoSymbolizerName");
        assert!(is_wrapper(b"main.startZoo.gowrap17"));
        assert!(is_wrapper(b"main.f.deferwrap1"));
        assert!(!is_wrapper(b"main.startZoo.gowrap17.parkNested.1"));
        assert!(!is_wrapper(b"main.gowrap"));
        assert_eq!(location(b"\t/src/a.go:40 +0x1a5"), (&b"/src/a.go"[..], 40));
        assert_eq!(
            location(b"\t/src/a.go:40 +0x1a5 fp=0x1 sp=0x2 pc=0x3"),
            (&b"/src/a.go"[..], 40)
        );
        assert_eq!(location(b"\t/src/a.go:7 pc=0x3"), (&b"/src/a.go"[..], 7));
        assert_eq!(location(b"\tpc=0x3"), (&b""[..], 0));
        assert_eq!(strip_in_goroutine(b"main.f in goroutine 1"), b"main.f");
    }

    #[test]
    fn lines_between_crash_blocks() {
        assert!(is_register_line(b"rflags 0x246"));
        assert!(is_register_line(b"r8     0x0"));
        assert!(!is_register_line(b"rax 0xABC"));
        assert!(!is_register_line(b"exit status 2"));
        assert!(is_signal_line(b"SIGQUIT: quit"));
        assert!(!is_signal_line(b"SIG: x"));
        assert!(is_elided(b"...31 frames elided..."));
        assert!(is_elided(b"...additional frames elided..."));
    }
}
