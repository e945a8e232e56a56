//! The fleet merge, by pprof's rules (docs/pprof-fetch.md, "Several targets"): parts are added
//! one at a time; strings, functions, locations and mappings that are equal are shared, samples
//! with the same locations and labels are summed, and every sample gets the instance label.
//!
//! Only what a sample refers to is taken over, decoded from the part when first needed, so a
//! part costs its decompressed bytes and a few small tables while it is added.

use crate::profile::pb;
use crate::profile::ProfileError;

use crate::hash::FastMap;
use crate::intern::Interner;

use super::part::{decode_at, decode_into, Part};
use super::samples::{encode_key, push_varint, MergedLabel, SampleTable, Staged};

/// A part that does not fit the ones merged before it.
#[derive(Debug)]
pub(super) enum MergeFailure {
    /// Other period type or sample types than the first part: the message after `URL: `.
    Incompatible(String),
    /// Inconsistent contents (unknown ids, string indices out of range).
    Profile(ProfileError),
}

impl From<ProfileError> for MergeFailure {
    fn from(e: ProfileError) -> Self {
        MergeFailure::Profile(e)
    }
}

/// Type and unit texts of a profile's value types, to compare parts.
type TypeTexts = Vec<(Vec<u8>, Vec<u8>)>;

/// What later parts are compared with.
#[derive(Debug)]
struct First {
    url: String,
    sample_types: TypeTexts,
    period_type: Option<(Vec<u8>, Vec<u8>)>,
}

/// The merged profile being built.
#[derive(Default)]
pub(super) struct Merger {
    /// Everything but the samples, in prost's structs (the ids are merged ids).
    pub(super) header: pb::Profile,
    pub(super) samples: SampleTable,
    /// The string table (id = index), kept out of `header` until it is encoded.
    strings: Interner<u8>,
    /// Function keys (name, system name, file, start line: 32 bytes); key id + 1 = function id.
    functions: Interner<u8>,
    /// Location keys (see `merge_location`); key id + 1 = location id.
    locations: Interner<u8>,
    mappings: FastMap<(u64, u64, i64), usize>,
    label_key: Option<i64>,
    first: Option<First>,
    parts: usize,
    staged: Staged,
}

impl std::fmt::Debug for Merger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Merger({} parts, {} samples)",
            self.parts,
            self.samples.len()
        )
    }
}

/// A part's header strings and types, in merged ids.
#[derive(Debug)]
struct HeaderIds {
    sample_types: Vec<pb::ValueType>,
    period_type: Option<pb::ValueType>,
    default_sample_type: i64,
    drop_frames: i64,
    keep_frames: i64,
    doc_url: i64,
    comments: Vec<i64>,
}

impl Merger {
    /// A merger adding the string label `label_key=INSTANCE` to every sample (none for `None`).
    pub fn new(label_key: Option<&str>) -> Merger {
        let mut merger = Merger::default();
        merger.intern(b"");
        merger.label_key = label_key.map(|key| merger.intern(key.as_bytes()));
        merger
    }

    /// The number of parts merged.
    pub fn parts(&self) -> usize {
        self.parts
    }

    /// True when every sample carries its part's instance label: then the samples of a part
    /// are final once the part is added, and can be taken away ([`Merger::take_samples`]).
    pub fn labels_parts(&self) -> bool {
        self.label_key.is_some()
    }

    /// Everything but the samples, encoded by prost (the string table filled in for it).
    pub fn encoded_header(&mut self) -> Vec<u8> {
        let table = (0..self.strings.len() as u32)
            .map(|id| self.strings.get(id).to_vec())
            .collect();
        self.header.string_table = table;
        let encoded = prost::Message::encode_to_vec(&self.header);
        self.header.string_table = Vec::new();
        encoded
    }

    /// The samples merged so far, leaving an empty table of the same width.
    pub fn take_samples(&mut self) -> SampleTable {
        let empty = SampleTable::new(self.header.sample_type.len());
        std::mem::replace(&mut self.samples, empty)
    }

    fn intern(&mut self, bytes: &[u8]) -> i64 {
        i64::from(self.strings.intern(bytes))
    }

    /// Adds one part (`data` its decompressed bytes, `part` their scan) fetched from `url`,
    /// whose samples get the label value `instance`. A part that fails leaves the merge as it
    /// was: with an instance label its samples cannot meet those of other parts, so they go
    /// straight into the table and are cut off again on failure; without one they are staged
    /// and taken over only when all of them could be read.
    pub fn add(
        &mut self,
        url: &str,
        instance: &str,
        data: &[u8],
        part: &Part,
    ) -> Result<(), MergeFailure> {
        let mut maps = PartMaps::new(data, part);
        let first = self.check_compatible(url, &maps)?;
        if let Some(first) = &first {
            self.samples = SampleTable::new(first.sample_types.len());
        }
        let lengths = self.lengths();
        let mark = self.samples.len();
        match self.stage(&mut maps, instance) {
            Ok(header) => {
                self.first = self.first.take().or(first);
                self.apply_header(header, part);
                if self.label_key.is_none() {
                    self.samples.add_all(&self.staged);
                }
                Ok(())
            }
            Err(e) => {
                self.truncate(lengths);
                self.samples.truncate(mark);
                Err(e)
            }
        }
    }

    /// Reads everything of the part into the merge's tables and its samples into `staged`.
    fn stage(
        &mut self,
        maps: &mut PartMaps<'_>,
        instance: &str,
    ) -> Result<HeaderIds, MergeFailure> {
        let instance = self
            .label_key
            .map(|key| (key, self.intern(instance.as_bytes())));
        if self.header.mapping.is_empty() && maps.part.mappings.len() > 0 {
            // pprof's rule: the first mapping stays first (the main binary).
            self.map_mapping(maps, 0)?;
        }
        let header = self.header_ids(maps)?;
        self.stage_samples(maps, instance)?;
        Ok(header)
    }

    fn lengths(&self) -> [usize; 4] {
        let h = &self.header;
        [
            self.strings.len(),
            h.function.len(),
            h.location.len(),
            h.mapping.len(),
        ]
    }

    /// Forgets what a failed part added to the tables.
    fn truncate(&mut self, [strings, functions, locations, mappings]: [usize; 4]) {
        let h = &mut self.header;
        h.function.truncate(functions);
        h.location.truncate(locations);
        h.mapping.truncate(mappings);
        self.strings.truncate(strings);
        self.functions.truncate(functions);
        self.locations.truncate(locations);
        self.mappings.retain(|_, index| *index < mappings);
    }

    /// Compares the part's period type and sample types with the first part's; for the first
    /// part, returns what later ones are compared with.
    fn check_compatible(
        &self,
        url: &str,
        maps: &PartMaps<'_>,
    ) -> Result<Option<First>, MergeFailure> {
        let text = |vt: &pb::ValueType| -> Result<(Vec<u8>, Vec<u8>), ProfileError> {
            Ok((maps.text(vt.r#type)?.to_vec(), maps.text(vt.unit)?.to_vec()))
        };
        let sample_types = maps
            .part
            .sample_types
            .iter()
            .map(text)
            .collect::<Result<TypeTexts, _>>()?;
        let period_type = maps.part.period_type.as_ref().map(text).transpose()?;
        let Some(first) = &self.first else {
            return Ok(Some(First {
                url: url.to_string(),
                sample_types,
                period_type,
            }));
        };
        if sample_types != first.sample_types {
            return Err(MergeFailure::Incompatible(format!(
                "incompatible profile: sample types {} differ from {} of {}",
                render_types(&sample_types),
                render_types(&first.sample_types),
                first.url
            )));
        }
        if period_type != first.period_type {
            return Err(MergeFailure::Incompatible(format!(
                "incompatible profile: period type {} differs from {} of {}",
                render_type(period_type.as_ref()),
                render_type(first.period_type.as_ref()),
                first.url
            )));
        }
        Ok(None)
    }

    /// The part's header strings in merged ids.
    fn header_ids(&mut self, maps: &mut PartMaps<'_>) -> Result<HeaderIds, ProfileError> {
        let part = maps.part;
        let mut sample_types = Vec::with_capacity(part.sample_types.len());
        for vt in &part.sample_types {
            sample_types.push(self.value_type(maps, vt)?);
        }
        let period_type = match &part.period_type {
            Some(vt) => Some(self.value_type(maps, vt)?),
            None => None,
        };
        let mut comments = Vec::with_capacity(part.comments.len());
        for &comment in &part.comments {
            comments.push(self.string(maps, comment)?);
        }
        Ok(HeaderIds {
            sample_types,
            period_type,
            default_sample_type: self.string(maps, part.default_sample_type)?,
            drop_frames: self.string(maps, part.drop_frames)?,
            keep_frames: self.string(maps, part.keep_frames)?,
            doc_url: self.string(maps, part.doc_url)?,
            comments,
        })
    }

    /// pprof's header rules: time = the earliest, duration = the sum, period = the largest,
    /// comments de-duplicated in order; types, default sample type and frame regexps from the
    /// first part; the first doc URL given.
    fn apply_header(&mut self, ids: HeaderIds, part: &Part) {
        let first = self.parts == 0;
        self.parts += 1;
        let h = &mut self.header;
        if first {
            h.sample_type = ids.sample_types;
            h.period_type = ids.period_type;
            h.default_sample_type = ids.default_sample_type;
            h.drop_frames = ids.drop_frames;
            h.keep_frames = ids.keep_frames;
        }
        if part.time_nanos != 0 && (h.time_nanos == 0 || part.time_nanos < h.time_nanos) {
            h.time_nanos = part.time_nanos;
        }
        h.duration_nanos = h.duration_nanos.saturating_add(part.duration_nanos);
        h.period = h.period.max(part.period);
        if h.doc_url == 0 {
            h.doc_url = ids.doc_url;
        }
        for id in ids.comments {
            if !h.comment.contains(&id) {
                h.comment.push(id);
            }
        }
    }

    fn value_type(
        &mut self,
        maps: &mut PartMaps<'_>,
        vt: &pb::ValueType,
    ) -> Result<pb::ValueType, ProfileError> {
        Ok(pb::ValueType {
            r#type: self.string(maps, vt.r#type)?,
            unit: self.string(maps, vt.unit)?,
        })
    }

    /// The merged id of the part's string `index`.
    fn string(&mut self, maps: &mut PartMaps<'_>, index: i64) -> Result<i64, ProfileError> {
        let slot = usize::try_from(index)
            .ok()
            .filter(|&i| i < maps.strings.len())
            .ok_or_else(|| ProfileError::Invalid(format!("string index {index} out of range")))?;
        if maps.strings[slot] < 0 {
            let (s, e) = maps.part.strings[slot];
            maps.strings[slot] = self.intern(&maps.data[s as usize..e as usize]);
        }
        Ok(maps.strings[slot])
    }

    fn stage_samples(
        &mut self,
        maps: &mut PartMaps<'_>,
        instance: Option<(i64, i64)>,
    ) -> Result<(), MergeFailure> {
        self.staged.clear();
        let width = maps.part.sample_types.len();
        let mut sample = pb::Sample::default();
        let mut locations = Vec::new();
        let mut labels = Vec::new();
        let mut key = Vec::new();
        for &range in &maps.part.samples {
            decode_into(maps.data, range, &mut sample)?;
            if sample.value.len() != width {
                return Err(ProfileError::Invalid(format!(
                    "sample has {} values but the profile has {width} sample types",
                    sample.value.len()
                ))
                .into());
            }
            if sample.value.iter().all(|&v| v == 0) {
                continue;
            }
            locations.clear();
            for &id in &sample.location_id {
                locations.push(self.map_location(maps, id)?);
            }
            self.merged_labels(maps, &sample.label, instance, &mut labels)?;
            encode_key(&locations, &mut labels, &mut key);
            if self.label_key.is_some() {
                self.samples.add(&key, &sample.value);
            } else {
                self.staged.push(&key, &sample.value);
            }
        }
        Ok(())
    }

    /// The sample's labels in merged ids, the instance label replacing one of the same key.
    /// Labels that are neither string nor numeric are dropped (as pprof reads them).
    fn merged_labels(
        &mut self,
        maps: &mut PartMaps<'_>,
        labels: &[pb::Label],
        instance: Option<(i64, i64)>,
        out: &mut Vec<MergedLabel>,
    ) -> Result<(), ProfileError> {
        out.clear();
        for l in labels {
            let key = self.string(maps, l.key)?;
            if instance.is_some_and(|(k, _)| k == key) {
                continue;
            }
            let label = match (l.str, l.num, l.num_unit) {
                (0, 0, 0) => continue,
                (0, num, unit) => MergedLabel {
                    key,
                    str: 0,
                    num,
                    unit: self.string(maps, unit)?,
                },
                (str, _, _) => MergedLabel {
                    key,
                    str: self.string(maps, str)?,
                    num: 0,
                    unit: 0,
                },
            };
            out.push(label);
        }
        if let Some((key, str)) = instance {
            out.push(MergedLabel {
                key,
                str,
                num: 0,
                unit: 0,
            });
        }
        Ok(())
    }

    /// The merged id of the part's location `id`, merging it (and what it names) when new.
    fn map_location(&mut self, maps: &mut PartMaps<'_>, id: u64) -> Result<u64, ProfileError> {
        let entry = maps.part.locations.entry(id).ok_or_else(|| {
            ProfileError::Invalid(format!("sample refers to unknown location id {id}"))
        })?;
        if maps.locations[entry] != 0 {
            return Ok(maps.locations[entry]);
        }
        let mut src = std::mem::take(&mut maps.location);
        decode_into(maps.data, maps.part.locations.ranges[entry], &mut src)?;
        let merged = self.merge_location(maps, &src);
        maps.location = src;
        let merged = merged?;
        maps.locations[entry] = merged;
        Ok(merged)
    }

    fn merge_location(
        &mut self,
        maps: &mut PartMaps<'_>,
        src: &pb::Location,
    ) -> Result<u64, ProfileError> {
        let mapping = match maps.part.mappings.entry(src.mapping_id) {
            Some(entry) if src.mapping_id != 0 => Some(self.map_mapping(maps, entry)?),
            _ => None,
        };
        // pprof's location key: the address relative to its mapping (address space layout
        // randomisation differs between processes), the mapping, folding and the lines.
        let (mapping_id, relative, shift) = match mapping {
            Some(m) => (m.id, src.address.wrapping_sub(m.src_start), m.shift),
            None => (0, src.address, 0),
        };
        let mut key = std::mem::take(&mut maps.key);
        key.clear();
        for v in [mapping_id, relative, u64::from(src.is_folded)] {
            push_varint(v, &mut key);
        }
        for line in &src.line {
            let function_id = match line.function_id {
                0 => 0,
                id => self.map_function(maps, id, src.id)?,
            };
            for v in [function_id, line.line as u64, line.column as u64] {
                push_varint(v, &mut key);
            }
        }
        let known = self.locations.len();
        let id = u64::from(self.locations.intern(&key)) + 1;
        if id as usize > known {
            self.new_location(&key, id, mapping_id, src.address.wrapping_add(shift), src);
        }
        maps.key = key;
        Ok(id)
    }

    /// Adds location `id`, whose key is `key` (its lines' merged function ids are read back
    /// from the key).
    fn new_location(
        &mut self,
        key: &[u8],
        id: u64,
        mapping_id: u64,
        address: u64,
        src: &pb::Location,
    ) {
        let mut rest = key;
        let mut next = || prost::encoding::decode_varint(&mut rest).unwrap_or(0);
        for _ in 0..3 {
            next();
        }
        let line = src
            .line
            .iter()
            .map(|line| {
                let function_id = next();
                next();
                next();
                pb::Line {
                    function_id,
                    line: line.line,
                    column: line.column,
                }
            })
            .collect();
        self.header.location.push(pb::Location {
            id,
            mapping_id,
            address,
            line,
            is_folded: src.is_folded,
        });
    }

    fn map_function(
        &mut self,
        maps: &mut PartMaps<'_>,
        id: u64,
        location: u64,
    ) -> Result<u64, ProfileError> {
        let entry = maps.part.functions.entry(id).ok_or_else(|| {
            ProfileError::Invalid(format!(
                "location {location} refers to unknown function id {id}"
            ))
        })?;
        if maps.functions[entry] != 0 {
            return Ok(maps.functions[entry]);
        }
        let range = maps.part.functions.ranges[entry];
        let src: pb::Function = decode_at(maps.data, range, range.0 as usize)?;
        let key = [
            self.string(maps, src.name)?,
            self.string(maps, src.system_name)?,
            self.string(maps, src.filename)?,
            src.start_line,
        ];
        let mut bytes = [0u8; 32];
        for (word, v) in bytes.chunks_exact_mut(8).zip(key) {
            word.copy_from_slice(&v.to_le_bytes());
        }
        let known = self.functions.len();
        let merged = u64::from(self.functions.intern(&bytes)) + 1;
        if merged as usize > known {
            self.header.function.push(pb::Function {
                id: merged,
                name: key[0],
                system_name: key[1],
                filename: key[2],
                start_line: key[3],
            });
        }
        maps.functions[entry] = merged;
        Ok(merged)
    }

    /// Merges the part's mapping `entry`: an equal one (same size rounded to 4 KiB, offset and
    /// build id or file) is shared, and the part's addresses are shifted onto its start.
    fn map_mapping(
        &mut self,
        maps: &mut PartMaps<'_>,
        entry: usize,
    ) -> Result<MappedMapping, ProfileError> {
        if let Some(mapped) = maps.mappings[entry] {
            return Ok(mapped);
        }
        let range = maps.part.mappings.ranges[entry];
        let src: pb::Mapping = decode_at(maps.data, range, range.0 as usize)?;
        let filename = self.string(maps, src.filename)?;
        let build_id = self.string(maps, src.build_id)?;
        const ROUNDING: u64 = 0x1000;
        let size = src.memory_limit.wrapping_sub(src.memory_start);
        let size = size.wrapping_add(ROUNDING - 1) / ROUNDING * ROUNDING;
        let identity = if build_id != 0 { build_id } else { filename };
        let key = (size, src.file_offset, identity);
        let next = self.header.mapping.len();
        let index = *self.mappings.entry(key).or_insert(next);
        if index == next {
            self.header.mapping.push(pb::Mapping {
                id: next as u64 + 1,
                filename,
                build_id,
                ..src.clone()
            });
        }
        let merged = &self.header.mapping[index];
        let mapped = MappedMapping {
            id: merged.id,
            src_start: src.memory_start,
            shift: merged.memory_start.wrapping_sub(src.memory_start),
        };
        maps.mappings[entry] = Some(mapped);
        Ok(mapped)
    }
}

/// A part's mapping as merged: the merged id, the part's start, and what moves the part's
/// addresses onto the merged mapping.
#[derive(Clone, Copy, Debug)]
struct MappedMapping {
    id: u64,
    src_start: u64,
    shift: u64,
}

/// What one part's ids became in the merge (0 or `None` = not yet), and reused buffers.
struct PartMaps<'a> {
    data: &'a [u8],
    part: &'a Part,
    strings: Vec<i64>,
    locations: Vec<u64>,
    functions: Vec<u64>,
    mappings: Vec<Option<MappedMapping>>,
    location: pb::Location,
    key: Vec<u8>,
}

impl<'a> PartMaps<'a> {
    fn new(data: &'a [u8], part: &'a Part) -> Self {
        PartMaps {
            data,
            part,
            strings: vec![-1; part.strings.len()],
            locations: vec![0; part.locations.len()],
            functions: vec![0; part.functions.len()],
            mappings: vec![None; part.mappings.len()],
            location: pb::Location::default(),
            key: Vec::new(),
        }
    }

    /// The part's own string `index`.
    fn text(&self, index: i64) -> Result<&'a [u8], ProfileError> {
        let (s, e) = usize::try_from(index)
            .ok()
            .and_then(|i| self.part.strings.get(i))
            .copied()
            .ok_or_else(|| ProfileError::Invalid(format!("string index {index} out of range")))?;
        Ok(&self.data[s as usize..e as usize])
    }
}

fn render_type(vt: Option<&(Vec<u8>, Vec<u8>)>) -> String {
    match vt {
        Some((ty, unit)) => format!(
            "{}/{}",
            String::from_utf8_lossy(ty),
            String::from_utf8_lossy(unit)
        ),
        None => "none".to_string(),
    }
}

fn render_types(types: &TypeTexts) -> String {
    let names: Vec<String> = types.iter().map(|vt| render_type(Some(vt))).collect();
    format!("[{}]", names.join(" "))
}
