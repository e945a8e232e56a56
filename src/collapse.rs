//! Profile → folded stacks (docs/pprof-collapse.md, "Stacks" to "Output"): the value column,
//! the frames of each sample (inlined lines caller first, `0x` addresses, `--lines`, label
//! frames), and the summing, sorting and writing of stacks.
//!
//! Frames are interned once per distinct text and stacks are kept as lists of frame ids in one
//! arena, so a million distinct stacks cost a few machine words per frame; lines are written
//! frame by frame at the end, in bytewise order of their text.

mod stacks;

pub use stacks::{Folded, Lines};

use crate::profile::{Label, Profile, ProfileError, SampleRef, StrId};
use stacks::{push_id, Stacks};
use std::io;

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
    /// The value column; `None` for the default (docs/pprof-collapse.md, "Value column").
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

/// The column folded by default or by `index` (docs/pprof-collapse.md, "Value column"); `None` when
/// the profile has no columns and none was asked for.
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
    stacks: Stacks,
    key: Vec<u8>,
    text: Vec<u8>,
    frames: Vec<u32>,
    first_type: Option<(String, String)>,
    warnings: Vec<String>,
}

impl Collapser {
    /// An empty collapser.
    pub fn new(options: Options) -> Self {
        Collapser {
            options,
            stacks: Stacks::default(),
            key: Vec::new(),
            text: Vec::new(),
            frames: Vec::new(),
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
        let Some(column) = self.column(name, profile)? else {
            return Ok(());
        };
        let location_segments = self.location_segments(profile);
        let source = Source::new(name, profile, column);
        self.add_samples(&source, profile, column, &location_segments)
    }

    /// Like [`Collapser::add`], but takes the profile so that its locations and strings can
    /// be freed before its samples are read (the lower peak memory for large profiles).
    pub fn add_owned(&mut self, name: &str, mut profile: Profile) -> Result<(), CollapseError> {
        let Some(column) = self.column(name, &profile)? else {
            return Ok(());
        };
        let location_segments = self.location_segments(&profile);
        let source = Source::new(name, &profile, column);
        let o = &self.options;
        profile.release_symbols(o.labels || !o.tag_root.is_empty() || !o.tag_leaf.is_empty());
        self.add_samples(&source, &profile, column, &location_segments)
    }

    /// Prepares `profile`'s locations for samples handed over one at a time with
    /// [`Collapser::add_sample`] (samples that are not the profile's own, e.g. filtered ones);
    /// `None` when the profile has no value columns.
    pub fn prepare(
        &mut self,
        name: &str,
        profile: &Profile,
    ) -> Result<Option<Prepared>, CollapseError> {
        let Some(column) = self.column(name, profile)? else {
            return Ok(None);
        };
        let segments = self.location_segments(profile);
        Ok(Some(Prepared { column, segments }))
    }

    /// Adds one sample whose location indices, labels and strings are `profile`'s.
    pub fn add_sample(&mut self, profile: &Profile, prepared: &Prepared, sample: &SampleRef<'_>) {
        let value = sample.values[prepared.column];
        if value != 0 {
            self.fold_sample(profile, sample, &prepared.segments, value);
        }
    }

    /// The value column to fold (`None`: the profile has no columns), checked against the
    /// type of the inputs added before.
    fn column(&mut self, name: &str, profile: &Profile) -> Result<Option<usize>, CollapseError> {
        let column = choose_column(profile, self.options.sample_index.as_ref())?;
        if let Some(column) = column {
            self.check_type(name, profile, column);
        }
        Ok(column)
    }

    fn add_samples(
        &mut self,
        source: &Source,
        profile: &Profile,
        column: usize,
        location_segments: &[u32],
    ) -> Result<(), CollapseError> {
        self.stacks.reserve(profile.sample_count());
        // samples with a value, and those of them without any frame (left out)
        let (mut all, mut stackless) = ((0u64, 0i128), (0u64, 0i128));
        profile.for_each_sample(|sample| -> Result<(), CollapseError> {
            let value = sample.values[column];
            if value != 0 {
                all = (all.0 + 1, all.1 + i128::from(value));
                if !self.fold_sample(profile, sample, location_segments, value) {
                    stackless = (stackless.0 + 1, stackless.1 + i128::from(value));
                }
            }
            Ok(())
        })?;
        if stackless.0 > 0 {
            self.warnings.push(format!(
                "{}: {} of {} samples ({} of {} {}) have no stack frames and are left out",
                source.name, stackless.0, all.0, stackless.1, all.1, source.column
            ));
        }
        Ok(())
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

    /// The segment (frame list, physical caller first) of every location.
    fn location_segments(&mut self, profile: &Profile) -> Vec<u32> {
        self.reserve_frames(profile);
        let mut frames = Vec::new();
        let mut segments = Vec::with_capacity(profile.locations.len());
        for location in &profile.locations {
            frames.clear();
            let lines = profile.lines(location);
            if lines.is_empty() {
                self.text.clear();
                self.text
                    .extend_from_slice(format!("{:#x}", location.address).as_bytes());
                self.stacks.push_frames(&self.text, &mut frames);
            }
            for line in lines.iter().rev() {
                self.text.clear();
                push_frame_text(&mut self.text, profile.string(line.name));
                if self.options.lines && line.line > 0 {
                    self.text
                        .extend_from_slice(format!(":{}", line.line).as_bytes());
                }
                self.stacks.push_frames(&self.text, &mut frames);
            }
            segments.push(self.stacks.segment(&frames));
        }
        segments
    }

    /// Sizes the frame and segment tables for the profile's locations at once, so that they
    /// are not copied as they grow while the profile is in memory too. An estimate: names
    /// with `;` (several frames) or invalid UTF-8 (longer once replaced) may still grow them.
    fn reserve_frames(&mut self, profile: &Profile) {
        const SUFFIX: usize = 24; // `:LINE`, or a whole `0x…` address frame
        let (mut count, mut bytes) = (0, 0);
        for location in &profile.locations {
            let lines = profile.lines(location);
            count += lines.len().max(1);
            bytes += SUFFIX * lines.len().max(1);
            bytes += lines
                .iter()
                .map(|l| profile.string(l.name).len())
                .sum::<usize>();
        }
        self.stacks
            .reserve_frames(profile.locations.len(), count, bytes);
    }

    /// Adds one sample with its frames; false when it has none (no location, no label frame).
    fn fold_sample(
        &mut self,
        profile: &Profile,
        sample: &SampleRef<'_>,
        location_segments: &[u32],
        value: i64,
    ) -> bool {
        let mut key = std::mem::take(&mut self.key);
        key.clear();
        if let Some(root) = sample.root {
            push_id(&mut key, location_segments[root as usize]);
        }
        if self.options.labels {
            self.all_label_frames(profile, sample.labels, &mut key);
        }
        for i in 0..self.options.tag_root.len() {
            let frame = self.tag_frame(profile, sample.labels, Tag::Root(i));
            push_id(&mut key, frame);
        }
        for &location in sample.locations.iter().rev() {
            push_id(&mut key, location_segments[location as usize]);
        }
        for i in 0..self.options.tag_leaf.len() {
            let frame = self.tag_frame(profile, sample.labels, Tag::Leaf(i));
            push_id(&mut key, frame);
        }
        let has_frames = !key.is_empty();
        if has_frames {
            self.stacks.add(&key, i128::from(value));
        }
        self.key = key;
        has_frames
    }

    /// The segment of one label frame (its text in `self.text`).
    fn label_segment(&mut self) -> u32 {
        let mut frames = std::mem::take(&mut self.frames);
        frames.clear();
        self.stacks.push_frames(&self.text, &mut frames);
        let segment = self.stacks.segment(&frames);
        self.frames = frames;
        segment
    }

    /// `--labels`: one frame `key=v1,v2` per string label key, keys sorted bytewise.
    fn all_label_frames(&mut self, profile: &Profile, labels: &[Label], key: &mut Vec<u8>) {
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
            let segment = self.label_segment();
            push_id(key, segment);
        }
    }

    /// The segment of the frame `K=values` of one `--tag-root`/`--tag-leaf` key.
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
        self.label_segment()
    }

    /// Sorts the summed stacks bytewise by their text, merges equal texts and drops zero sums.
    pub fn finish(self) -> Folded {
        self.stacks.finish()
    }
}

/// A profile's value column and location frame lists, ready for [`Collapser::add_sample`].
pub struct Prepared {
    column: usize,
    segments: Vec<u32>,
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

/// An input as its messages name it: the input and the folded column (`threadcreate/count`),
/// taken before the profile's strings are released.
struct Source {
    name: String,
    column: String,
}

impl Source {
    fn new(name: &str, profile: &Profile, column: usize) -> Source {
        Source {
            name: name.to_owned(),
            column: profile.type_name(profile.sample_types[column]),
        }
    }
}
