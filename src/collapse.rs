//! Profile → folded stacks (spec sections 4–7): the value column, the frames of each sample
//! (inlined lines caller first, `0x` addresses, `--lines`, label frames), and the summing,
//! sorting and writing of stacks.
//!
//! Frames are interned once per distinct text and stacks are kept as lists of frame ids in one
//! arena, so a million distinct stacks cost a few machine words per frame; lines are written
//! frame by frame at the end, in bytewise order of their text.

use crate::folded::FoldedWriter;
use crate::profile::{Label, Profile, ProfileError, SampleRef, StrId};
use std::cmp::Ordering;
use std::io::{self, Write};

/// Which value column to fold.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SampleIndex {
    /// Column N (0-based).
    Number(usize),
    /// The first column with this type name (or the name without `inuse_`).
    Name(String),
}

impl SampleIndex {
    /// `N` as a number, anything else as a name.
    pub fn parse(text: &str) -> Self {
        match text.parse() {
            Ok(n) => SampleIndex::Number(n),
            Err(_) => SampleIndex::Name(text.to_string()),
        }
    }
}

/// How to fold.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// The value column; `None` for the default of spec section 5.
    pub sample_index: Option<SampleIndex>,
    /// Every string label as root frames `key=value`.
    pub labels: bool,
    /// These label keys as root frames, in order.
    pub tag_root: Vec<String>,
    /// These label keys as leaf frames, in order.
    pub tag_leaf: Vec<String>,
    /// Frames `name:line`.
    pub lines: bool,
}

/// What can go wrong while folding one input.
#[derive(Debug, thiserror::Error)]
pub enum CollapseError {
    /// The profile itself is bad.
    #[error(transparent)]
    Profile(#[from] ProfileError),
    /// `--sample-index N` beyond the columns.
    #[error("sample index {index} is outside the range [0..{max}]")]
    IndexOutOfRange {
        /// The index asked for.
        index: usize,
        /// The last column (-1 when there are none).
        max: i64,
    },
    /// `--sample-index NAME` that names no column.
    #[error("sample index \"{name}\" must be one of: {choices}")]
    UnknownIndexName {
        /// The name asked for.
        name: String,
        /// The column types, comma-separated.
        choices: String,
    },
}

/// The column folded by default or by `index` (spec section 5); `None` when the profile has
/// no columns and none was asked for.
pub fn choose_column(
    profile: &Profile,
    index: Option<&SampleIndex>,
) -> Result<Option<usize>, CollapseError> {
    let types = &profile.sample_types;
    match index {
        Some(SampleIndex::Number(n)) if *n < types.len() => Ok(Some(*n)),
        Some(SampleIndex::Number(n)) => Err(CollapseError::IndexOutOfRange {
            index: *n,
            max: types.len() as i64 - 1,
        }),
        Some(SampleIndex::Name(name)) => {
            let short = name.strip_prefix("inuse_").unwrap_or(name);
            types
                .iter()
                .position(|vt| {
                    let ty = profile.string(vt.ty);
                    ty == name.as_bytes() || ty == short.as_bytes()
                })
                .map(Some)
                .ok_or_else(|| CollapseError::UnknownIndexName {
                    name: name.clone(),
                    choices: types
                        .iter()
                        .map(|vt| profile.text(vt.ty).into_owned())
                        .collect::<Vec<_>>()
                        .join(", "),
                })
        }
        None => Ok(default_column(profile)),
    }
}

/// `samples` (the last such), else `default_sample_type`, else the last column.
fn default_column(profile: &Profile) -> Option<usize> {
    let types = &profile.sample_types;
    let named = |name: &[u8]| types.iter().rposition(|vt| profile.string(vt.ty) == name);
    named(b"samples")
        .or_else(|| {
            let default = profile.string(profile.default_sample_type);
            (!default.is_empty())
                .then(|| types.iter().position(|vt| profile.string(vt.ty) == default))
                .flatten()
        })
        .or_else(|| types.len().checked_sub(1))
}

/// Folds profiles into summed stacks; [`Collapser::finish`] sorts them for writing.
pub struct Collapser {
    options: Options,
    frames: FrameTable,
    stacks: StackTable,
    key: Vec<u32>,
    text: Vec<u8>,
    first_type: Option<(String, String)>,
    warnings: Vec<String>,
}

impl Collapser {
    /// An empty collapser.
    pub fn new(options: Options) -> Self {
        Collapser {
            options,
            frames: FrameTable::default(),
            stacks: StackTable::default(),
            key: Vec::new(),
            text: Vec::new(),
            first_type: None,
            warnings: Vec::new(),
        }
    }

    /// Warnings so far (without the `pprof-collapse: warning:` prefix).
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// Adds every sample of `profile` (named `name` in messages) to the sums.
    pub fn add(&mut self, name: &str, profile: &Profile) -> Result<(), CollapseError> {
        let Some(column) = choose_column(profile, self.options.sample_index.as_ref())? else {
            return Ok(());
        };
        self.check_type(name, profile, column);
        let location_frames = self.location_frames(profile);
        profile.for_each_sample(|sample| -> Result<(), CollapseError> {
            let value = sample.values[column];
            if value != 0 {
                self.fold_sample(profile, sample, &location_frames, value);
            }
            Ok(())
        })
    }

    /// Warns when inputs are summed over different column types.
    fn check_type(&mut self, name: &str, profile: &Profile, column: usize) {
        let vt = profile.sample_types[column];
        let this = profile.type_name(vt);
        match &self.first_type {
            None => self.first_type = Some((this, name.to_string())),
            Some((first, first_name)) if *first != this => self.warnings.push(format!(
                "summing different sample types: {first} ({first_name}) and {this} ({name})"
            )),
            Some(_) => {}
        }
    }

    /// The frames of every location, physical caller first, as ranges of one arena.
    fn location_frames(&mut self, profile: &Profile) -> LocationFrames {
        let mut frames = LocationFrames {
            ids: Vec::new(),
            ends: Vec::with_capacity(profile.locations.len()),
        };
        for location in &profile.locations {
            let lines = profile.lines(location);
            if lines.is_empty() {
                self.text.clear();
                self.text
                    .extend_from_slice(format!("{:#x}", location.address).as_bytes());
                frames.ids.push(self.frames.intern(&self.text));
            }
            for line in lines.iter().rev() {
                self.text.clear();
                push_frame_text(&mut self.text, profile.string(line.name));
                if self.options.lines && line.line > 0 {
                    self.text
                        .extend_from_slice(format!(":{}", line.line).as_bytes());
                }
                frames.ids.push(self.frames.intern(&self.text));
            }
            frames.ends.push(frames.ids.len() as u32);
        }
        frames
    }

    fn fold_sample(
        &mut self,
        profile: &Profile,
        sample: &SampleRef<'_>,
        location_frames: &LocationFrames,
        value: i64,
    ) {
        let mut key = std::mem::take(&mut self.key);
        key.clear();
        if self.options.labels {
            self.all_label_frames(profile, sample.labels, &mut key);
        }
        for i in 0..self.options.tag_root.len() {
            let frame = self.tag_frame(profile, sample.labels, Tag::Root(i));
            key.push(frame);
        }
        for &location in sample.locations.iter().rev() {
            key.extend_from_slice(location_frames.get(location));
        }
        for i in 0..self.options.tag_leaf.len() {
            let frame = self.tag_frame(profile, sample.labels, Tag::Leaf(i));
            key.push(frame);
        }
        if !key.is_empty() {
            self.stacks.add(&key, i128::from(value));
        }
        self.key = key;
    }

    /// `--labels`: one frame `key=v1,v2` per string label key, keys sorted bytewise.
    fn all_label_frames(&mut self, profile: &Profile, labels: &[Label], key: &mut Vec<u32>) {
        let mut strings: Vec<(&[u8], StrId)> = labels
            .iter()
            .filter(|l| l.str != 0)
            .map(|l| (profile.string(l.key), l.str))
            .collect();
        strings.sort_by(|a, b| a.0.cmp(b.0));
        for group in strings.chunk_by(|a, b| a.0 == b.0) {
            self.text.clear();
            push_frame_text(&mut self.text, group[0].0);
            self.text.push(b'=');
            for (i, &(_, value)) in group.iter().enumerate() {
                if i > 0 {
                    self.text.push(b',');
                }
                push_frame_text(&mut self.text, profile.string(value));
            }
            key.push(self.frames.intern(&self.text));
        }
    }

    /// The frame `K=values` of one `--tag-root`/`--tag-leaf` key.
    fn tag_frame(&mut self, profile: &Profile, labels: &[Label], tag: Tag) -> u32 {
        let wanted = match tag {
            Tag::Root(i) => self.options.tag_root[i].as_bytes(),
            Tag::Leaf(i) => self.options.tag_leaf[i].as_bytes(),
        };
        let text = &mut self.text;
        text.clear();
        push_frame_text(text, wanted);
        text.push(b'=');
        let with_key = || labels.iter().filter(|l| profile.string(l.key) == wanted);
        let has_string = with_key().any(|l| l.str != 0);
        for (i, label) in with_key()
            .filter(|l| (l.str != 0) == has_string)
            .enumerate()
        {
            if i > 0 {
                text.push(b',');
            }
            if has_string {
                push_frame_text(text, profile.string(label.str));
            } else {
                text.extend_from_slice(label.num.to_string().as_bytes());
            }
        }
        self.frames.intern(&self.text)
    }

    /// Sorts the summed stacks bytewise by their text, merges equal texts and drops zero sums.
    pub fn finish(self) -> Folded {
        let Collapser { frames, stacks, .. } = self;
        let order = SortKeys::new(&frames).sorted(&frames, &stacks);
        Folded {
            frames,
            stacks,
            order,
        }
    }
}

enum Tag {
    Root(usize),
    Leaf(usize),
}

/// Appends frame text: invalid UTF-8 as U+FFFD, CR and LF as spaces, `?` for an empty name.
fn push_frame_text(out: &mut Vec<u8>, raw: &[u8]) {
    if raw.is_empty() {
        out.push(b'?');
        return;
    }
    let start = out.len();
    match std::str::from_utf8(raw) {
        Ok(_) => out.extend_from_slice(raw),
        Err(_) => out.extend_from_slice(String::from_utf8_lossy(raw).as_bytes()),
    }
    for b in &mut out[start..] {
        if *b == b'\r' || *b == b'\n' {
            *b = b' ';
        }
    }
}

/// Frame ids of each location of one profile.
struct LocationFrames {
    ids: Vec<u32>,
    ends: Vec<u32>,
}

impl LocationFrames {
    #[inline]
    fn get(&self, location: u32) -> &[u32] {
        let i = location as usize;
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        &self.ids[start..self.ends[i] as usize]
    }
}

/// A fast, non-cryptographic hash step (inputs are not adversarial enough to matter: the worst
/// case is a slow run, not a wrong one).
#[inline]
fn mix(h: u64, word: u64) -> u64 {
    (h.rotate_left(5) ^ word).wrapping_mul(0x517c_c1b7_2722_0a95)
}

fn hash_bytes(bytes: &[u8]) -> u64 {
    let mut h = bytes.len() as u64;
    let mut chunks = bytes.chunks_exact(8);
    for c in &mut chunks {
        h = mix(
            h,
            u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]),
        );
    }
    let mut tail = [0u8; 8];
    tail[..chunks.remainder().len()].copy_from_slice(chunks.remainder());
    mix(h, u64::from_le_bytes(tail))
}

#[inline]
fn hash_ids(ids: &[u32]) -> u64 {
    let mut h = ids.len() as u64;
    let mut pairs = ids.chunks_exact(2);
    for p in &mut pairs {
        h = mix(h, u64::from(p[0]) | u64::from(p[1]) << 32);
    }
    if let [last] = pairs.remainder() {
        h = mix(h, u64::from(*last));
    }
    h
}

/// Open addressing over entry indices; the caller owns the entries and their hashes.
#[derive(Default)]
struct Slots {
    /// Entry index + 1, 0 = empty.
    slots: Vec<u32>,
    shift: u32,
}

impl Slots {
    /// Finds the entry with `hash` for which `eq` holds, or the empty slot to put it in.
    #[inline]
    fn find(
        &self,
        hash: u64,
        hashes: &[u64],
        mut eq: impl FnMut(usize) -> bool,
    ) -> Result<usize, usize> {
        let mask = self.slots.len() - 1;
        let mut i = (hash >> self.shift) as usize;
        loop {
            match self.slots[i] {
                0 => return Err(i),
                e => {
                    let entry = e as usize - 1;
                    if hashes[entry] == hash && eq(entry) {
                        return Ok(entry);
                    }
                }
            }
            i = (i + 1) & mask;
        }
    }

    /// Makes room for one more entry (load ≤ 1/2), rehashing from `hashes`.
    fn reserve_one(&mut self, hashes: &[u64]) {
        if (hashes.len() + 1) * 2 <= self.slots.len() {
            return;
        }
        let size = (self.slots.len() * 2).max(1024);
        self.shift = 64 - size.trailing_zeros();
        self.slots = vec![0; size];
        let mask = size - 1;
        for (entry, &hash) in hashes.iter().enumerate() {
            let mut i = (hash >> self.shift) as usize;
            while self.slots[i] != 0 {
                i = (i + 1) & mask;
            }
            self.slots[i] = entry as u32 + 1;
        }
    }
}

/// Interned frame texts.
#[derive(Default)]
struct FrameTable {
    bytes: Vec<u8>,
    ends: Vec<usize>,
    hashes: Vec<u64>,
    slots: Slots,
}

impl FrameTable {
    #[inline]
    fn get(&self, id: u32) -> &[u8] {
        let i = id as usize;
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.bytes[start..self.ends[i]]
    }

    fn len(&self) -> usize {
        self.ends.len()
    }

    fn intern(&mut self, text: &[u8]) -> u32 {
        self.slots.reserve_one(&self.hashes);
        let hash = hash_bytes(text);
        match self
            .slots
            .find(hash, &self.hashes, |e| self.get(e as u32) == text)
        {
            Ok(entry) => entry as u32,
            Err(slot) => {
                let id = self.ends.len() as u32;
                self.bytes.extend_from_slice(text);
                self.ends.push(self.bytes.len());
                self.hashes.push(hash);
                self.slots.slots[slot] = id + 1;
                id
            }
        }
    }
}

/// Frame ids are stored in chunks so that growing never copies (or doubles) a huge array.
const CHUNK: usize = 1 << 22;

/// Distinct stacks (frame-id lists) with their sums.
#[derive(Default)]
struct StackTable {
    chunks: Vec<Vec<u32>>,
    /// Start of each stack: chunk index * CHUNK + offset.
    starts: Vec<u64>,
    lens: Vec<u32>,
    sums: Vec<i128>,
    hashes: Vec<u64>,
    slots: Slots,
}

impl StackTable {
    #[inline]
    fn get(&self, stack: usize) -> &[u32] {
        let start = self.starts[stack] as usize;
        let chunk = &self.chunks[start / CHUNK];
        let offset = start % CHUNK;
        &chunk[offset..offset + self.lens[stack] as usize]
    }

    fn len(&self) -> usize {
        self.sums.len()
    }

    #[inline]
    fn add(&mut self, key: &[u32], value: i128) {
        self.slots.reserve_one(&self.hashes);
        let hash = hash_ids(key);
        match self.slots.find(hash, &self.hashes, |e| self.get(e) == key) {
            Ok(entry) => self.sums[entry] += value,
            Err(slot) => {
                let start = self.store(key);
                self.slots.slots[slot] = self.sums.len() as u32 + 1;
                self.starts.push(start);
                self.lens.push(key.len() as u32);
                self.sums.push(value);
                self.hashes.push(hash);
            }
        }
    }

    fn store(&mut self, key: &[u32]) -> u64 {
        let fits = self
            .chunks
            .last()
            .is_some_and(|c| c.capacity() - c.len() >= key.len());
        if !fits {
            self.chunks.push(Vec::with_capacity(CHUNK.max(key.len())));
        }
        let index = self.chunks.len() - 1;
        let chunk = &mut self.chunks[index];
        let start = (index * CHUNK + chunk.len()) as u64;
        chunk.extend_from_slice(key);
        start
    }
}

/// Ranks of frame texts in bytewise order and, for each rank, the last rank whose text starts
/// with it: enough to compare stacks by ids in almost every case.
struct SortKeys {
    rank: Vec<u32>,
    prefix_end: Vec<u32>,
}

impl SortKeys {
    fn new(frames: &FrameTable) -> Self {
        let mut by_text: Vec<u32> = (0..frames.len() as u32).collect();
        by_text.sort_unstable_by(|&a, &b| frames.get(a).cmp(frames.get(b)));
        let mut rank = vec![0; frames.len()];
        for (r, &id) in by_text.iter().enumerate() {
            rank[id as usize] = r as u32;
        }
        let mut prefix_end = vec![0; frames.len()];
        let mut open: Vec<u32> = Vec::new();
        for (r, &id) in by_text.iter().enumerate() {
            let text = frames.get(id);
            while let Some(&top) = open.last() {
                if text.starts_with(frames.get(by_text[top as usize])) {
                    break;
                }
                prefix_end[top as usize] = r as u32 - 1;
                open.pop();
            }
            open.push(r as u32);
        }
        for top in open {
            prefix_end[top as usize] = frames.len() as u32 - 1;
        }
        SortKeys { rank, prefix_end }
    }

    /// Stack indices in bytewise order of their text, equal texts merged, zero sums left out.
    fn sorted(&self, frames: &FrameTable, stacks: &StackTable) -> Vec<(u32, i128)> {
        let mut order: Vec<u32> = (0..stacks.len() as u32).collect();
        order.sort_unstable_by(|&a, &b| self.compare(frames, stacks, a as usize, b as usize));
        let mut merged: Vec<(u32, i128)> = Vec::with_capacity(order.len());
        for (i, &stack) in order.iter().enumerate() {
            let sum = stacks.sums[stack as usize];
            let same_text = i > 0
                && self.compare(frames, stacks, order[i - 1] as usize, stack as usize)
                    == Ordering::Equal;
            match merged.last_mut() {
                Some(last) if same_text => last.1 += sum,
                _ => merged.push((stack, sum)),
            }
        }
        merged.retain(|&(_, sum)| sum != 0);
        merged
    }

    /// Compares the texts of two stacks (frames joined with `;`).
    fn compare(&self, frames: &FrameTable, stacks: &StackTable, a: usize, b: usize) -> Ordering {
        let (sa, sb) = (stacks.get(a), stacks.get(b));
        let Some(i) = sa.iter().zip(sb).position(|(x, y)| x != y) else {
            return sa.len().cmp(&sb.len());
        };
        let (ra, rb) = (self.rank[sa[i] as usize], self.rank[sb[i] as usize]);
        let prefix = if ra < rb {
            self.prefix_end[ra as usize] >= rb
        } else {
            self.prefix_end[rb as usize] >= ra
        };
        if prefix {
            let text = |s: &[u32]| -> Vec<u8> {
                s.iter()
                    .map(|&f| frames.get(f))
                    .collect::<Vec<_>>()
                    .join(&b';')
            };
            text(&sa[i..]).cmp(&text(&sb[i..]))
        } else {
            ra.cmp(&rb)
        }
    }
}

/// Summed stacks in output order.
pub struct Folded {
    frames: FrameTable,
    stacks: StackTable,
    order: Vec<(u32, i128)>,
}

impl Folded {
    /// True when there is no line to write.
    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    /// The number of lines.
    pub fn len(&self) -> usize {
        self.order.len()
    }

    /// Writes the folded lines.
    pub fn write_to<W: Write>(&self, out: W) -> io::Result<W> {
        let mut writer = FoldedWriter::new(out);
        for &(stack, sum) in &self.order {
            for &frame in self.stacks.get(stack as usize) {
                writer.frame(self.frames.get(frame));
            }
            writer.end_line(sum)?;
        }
        writer.finish()
    }
}

/// Folds profiles with `options` and returns the folded text (convenience for tests and small
/// inputs).
pub fn collapse_to_vec(
    profiles: &[(&str, &Profile)],
    options: Options,
) -> Result<Vec<u8>, CollapseError> {
    let mut collapser = Collapser::new(options);
    for (name, profile) in profiles {
        collapser.add(name, profile)?;
    }
    Ok(collapser.finish().write_to(Vec::new())?)
}

impl From<io::Error> for CollapseError {
    fn from(e: io::Error) -> Self {
        CollapseError::Profile(ProfileError::Read(e))
    }
}
