//! The profile being shaped: the inputs and the base combined (pipeline steps 1–4):
//! compatibility, units, `--normalize`, one string table and one set of locations for all of
//! them, and their samples, with the base negated or marked, handed out one at a time
//! ([`Model::for_each_sample`]) or merged first ([`Rows`]: samples with the same stack and
//! labels summed, all-zero ones dropped).

use super::tags::LabelUnits;
use super::units;
use super::{BaseMode, Input, ShapeError};
use crate::profile::build::{Header, StringTable};
use crate::profile::{Label, Line, Profile, ProfileError, StrId, ValueType, NONE};
use std::collections::HashMap;

/// The label pprof puts on base samples for `--diff_base`.
pub const BASE_KEY: &[u8] = b"pprof::base";

/// A location: address, mapping file name ([`NONE`]: none), lines innermost first.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Loc {
    pub address: u64,
    pub mapping: StrId,
    pub lines: Vec<Line>,
}

/// How one profile's ids and values become the model's.
#[derive(Debug)]
struct Source {
    strings: Vec<StrId>,
    locations: Vec<u32>,
    /// Unit conversion, then `--normalize`, per column.
    ratios: Vec<(f64, f64)>,
    /// `--base`: negated.
    negate: bool,
    /// `--diff_base`: marked as base.
    base: bool,
}

/// The combined profile without its samples.
#[derive(Debug, Default)]
pub struct Model {
    pub strings: StringTable,
    pub header: Header,
    pub locations: Vec<Loc>,
    /// Locations that are only root frames (a dump's `[STATE]`), not the program's frames:
    /// the filters leave them alone.
    pub root_frames: Vec<u32>,
    /// The string id of `pprof::base` (when `--diff_base` adds it).
    pub base_key: Option<StrId>,
    true_text: StrId,
    sources: Vec<Source>,
}

/// One sample, in the model's ids.
#[derive(Clone, Debug, Default)]
pub struct Sample {
    /// Location indices, leaf first.
    pub locs: Vec<u32>,
    pub values: Vec<i64>,
    pub labels: Vec<Label>,
    /// From the base of `--diff_base`.
    pub base: bool,
    /// A location index above everything, label frames included (a goroutine dump's
    /// `--group-by-state`).
    pub root: Option<u32>,
}

/// Why a walk over the samples stopped.
#[derive(Debug)]
pub enum Stop {
    /// A profile's samples cannot be read (while reading one: no name yet).
    Profile(ProfileError),
    /// A profile's samples cannot be read.
    Failed(ShapeError),
    /// The callback asked to stop.
    Asked,
}

impl From<ProfileError> for Stop {
    fn from(e: ProfileError) -> Self {
        Stop::Profile(e)
    }
}

/// A profile's `type/unit` list, for messages.
fn types_text(p: &Profile) -> String {
    let types: Vec<String> = p.sample_types.iter().map(|&vt| p.type_name(vt)).collect();
    types.join(",")
}

fn period_text(p: &Profile) -> String {
    p.period_type
        .map_or_else(|| "none".to_string(), |vt| p.type_name(vt))
}

/// Two value types of one kind: same name; units equal, or of one family unless `exact`.
fn same_type(a: &Profile, x: ValueType, b: &Profile, y: ValueType, exact: bool) -> bool {
    let (ua, ub) = (a.text(x.unit), b.text(y.unit));
    a.string(x.ty) == b.string(y.ty) && (ua == ub || (!exact && units::compatible(&ua, &ub)))
}

/// Checks that `other` can be combined with `input` (docs/pprof-collapse.md, "Filters and
/// comparisons": same sample types and period type, units of one family).
fn check_compatible(input: Input<'_>, other: Input<'_>, exact: bool) -> Result<(), ShapeError> {
    let (a, b) = (input.profile, other.profile);
    let incompatible = |detail: String| ShapeError::Incompatible {
        other: other.name.to_string(),
        input: input.name.to_string(),
        detail,
    };
    let types_ok = a.sample_types.len() == b.sample_types.len()
        && a.sample_types
            .iter()
            .zip(&b.sample_types)
            .all(|(&x, &y)| same_type(a, x, b, y, exact));
    if !types_ok {
        return Err(incompatible(format!(
            "sample types {} vs {}",
            types_text(b),
            types_text(a)
        )));
    }
    let period_ok = match (a.period_type, b.period_type) {
        (None, None) => true,
        (Some(x), Some(y)) => same_type(a, x, b, y, exact),
        _ => false,
    };
    if !period_ok {
        return Err(incompatible(format!(
            "period type {} vs {}",
            period_text(b),
            period_text(a)
        )));
    }
    Ok(())
}

/// The unit every profile's column `i` is converted to: the smallest of them (the first of
/// equal ones).
fn common_units(all: &[Input<'_>]) -> Vec<String> {
    let first = all[0].profile;
    (0..first.sample_types.len())
        .map(|i| {
            let mut min = first.text(first.sample_types[i].unit).into_owned();
            for input in &all[1..] {
                let p = input.profile;
                let unit = p.text(p.sample_types[i].unit);
                if units::ratio(&unit, &min) < 1.0 {
                    min = unit.into_owned();
                }
            }
            min
        })
        .collect()
}

fn input_error(input: Input<'_>) -> impl Fn(ProfileError) -> ShapeError + '_ {
    move |source| ShapeError::Input {
        name: input.name.to_string(),
        source,
    }
}

/// The total of every column over all samples of these profiles (pprof's int64 sums).
fn totals(profiles: &[Input<'_>], columns: usize) -> Result<Vec<i64>, ShapeError> {
    let mut sums = vec![0i64; columns];
    for &input in profiles {
        input
            .profile
            .for_each_sample(|s| -> Result<(), ProfileError> {
                for (sum, v) in sums.iter_mut().zip(s.values) {
                    *sum = sum.wrapping_add(*v);
                }
                Ok(())
            })
            .map_err(input_error(input))?;
    }
    Ok(sums)
}

/// pprof's `--normalize` ratios: `target` total ÷ `scaled` total per column (0 for a zero
/// total).
fn normalize_ratios(target: &[i64], scaled: &[i64]) -> Vec<f64> {
    target
        .iter()
        .zip(scaled)
        .map(|(&t, &s)| if s == 0 { 0.0 } else { t as f64 / s as f64 })
        .collect()
}

/// `round(value × ratio)`, halves away from zero, as pprof scales (identity for ratio 1).
fn scaled(value: i64, ratio: f64) -> i64 {
    if ratio == 1.0 {
        value
    } else {
        (value as f64 * ratio).round() as i64
    }
}

/// Steps 1–3: checks the profiles, and combines their strings, locations and headers.
/// `all`: the inputs, then the base.
pub fn combine(
    inputs: &[Input<'_>],
    base: Option<(Input<'_>, BaseMode)>,
    normalize: bool,
) -> Result<Model, ShapeError> {
    let first = inputs[0];
    let mut all: Vec<Input<'_>> = inputs.to_vec();
    for &other in &inputs[1..] {
        check_compatible(first, other, false)?;
    }
    if let Some((b, _)) = base {
        check_compatible(first, b, normalize)?;
        all.push(b);
    }
    let columns = first.profile.sample_types.len();
    let target = common_units(&all);
    let (mut input_norm, mut base_norm) = (vec![1.0; columns], vec![1.0; columns]);
    if let (Some((b, mode)), true) = (base, normalize) {
        let (ti, tb) = (totals(inputs, columns)?, totals(&[b], columns)?);
        match mode {
            BaseMode::Subtract => input_norm = normalize_ratios(&tb, &ti),
            BaseMode::Diff => base_norm = normalize_ratios(&ti, &tb),
        }
    }
    let mut model = Model::new(inputs, base.map(|b| b.0.profile), &target);
    if matches!(base, Some((_, BaseMode::Diff))) {
        model.base_key = Some(model.strings.intern(BASE_KEY));
    }
    for &input in inputs {
        model.add_source(input.profile, &target, &input_norm, false, false);
    }
    if let Some((b, mode)) = base {
        let diff = mode == BaseMode::Diff;
        model.add_source(b.profile, &target, &base_norm, !diff, diff);
    }
    Ok(model)
}

impl Model {
    fn new(inputs: &[Input<'_>], base: Option<&Profile>, target: &[String]) -> Self {
        let input = inputs[0].profile;
        let mut model = Model {
            strings: StringTable::new(),
            ..Model::default()
        };
        let s = &mut model.strings;
        model.header.sample_types = input
            .sample_types
            .iter()
            .zip(target)
            .map(|(&v, unit)| ValueType {
                ty: s.intern(input.string(v.ty)),
                unit: s.intern(unit.as_bytes()),
            })
            .collect();
        let defaults = inputs.iter().map(|i| i.profile).chain(base);
        let default = defaults
            .map(|p| p.string(p.default_sample_type))
            .find(|d| !d.is_empty())
            .unwrap_or_default();
        model.header.default_sample_type = s.intern(default);
        model.header.period_type = input.period_type.map(|v| ValueType {
            ty: s.intern(input.string(v.ty)),
            unit: s.intern(input.string(v.unit)),
        });
        model.header.period = input.period;
        model.true_text = s.intern(b"true");
        model
    }

    /// Takes in one profile's strings and locations (equal locations are one).
    fn add_source(
        &mut self,
        p: &Profile,
        target: &[String],
        norm: &[f64],
        negate: bool,
        base: bool,
    ) {
        let strings: Vec<StrId> = (0..p.string_count())
            .map(|i| self.strings.intern(p.string(i as StrId)))
            .collect();
        let map = |id: StrId| {
            if id == NONE {
                NONE
            } else {
                strings[id as usize]
            }
        };
        let mut index: HashMap<Loc, u32> = self
            .locations
            .iter()
            .enumerate()
            .map(|(i, l)| (l.clone(), i as u32))
            .collect();
        let locations = p
            .locations
            .iter()
            .map(|loc| {
                let lines = p.lines(loc).iter().map(|l| Line {
                    name: map(l.name),
                    file: map(l.file),
                    line: l.line,
                });
                let loc = Loc {
                    address: loc.address,
                    mapping: map(loc.mapping),
                    lines: lines.collect(),
                };
                let next = self.locations.len() as u32;
                *index.entry(loc.clone()).or_insert_with(|| {
                    self.locations.push(loc);
                    next
                })
            })
            .collect::<Vec<u32>>();
        let roots = p.root_locations();
        self.root_frames.extend(
            locations
                .iter()
                .zip(roots)
                .filter_map(|(&l, is_root)| is_root.then_some(l)),
        );
        let ratios = p
            .sample_types
            .iter()
            .zip(target)
            .zip(norm)
            .map(|((vt, unit), &n)| (units::ratio(&p.text(vt.unit), unit), n))
            .collect();
        self.sources.push(Source {
            strings,
            locations,
            ratios,
            negate,
            base,
        });
    }

    /// Hands every non-zero sample of the inputs and then the base to `f`, in the model's ids
    /// and values. `f` may stop the walk ([`Stop::Asked`]).
    pub fn for_each_sample(
        &self,
        profiles: &[Input<'_>],
        mut f: impl FnMut(&mut Sample) -> Result<(), Stop>,
    ) -> Result<(), Stop> {
        let mut sample = Sample::default();
        for (input, source) in profiles.iter().zip(&self.sources) {
            input
                .profile
                .for_each_sample(|s| -> Result<(), Stop> {
                    sample.values.clear();
                    sample
                        .values
                        .extend(
                            s.values
                                .iter()
                                .zip(&source.ratios)
                                .map(|(&v, &(unit, norm))| {
                                    let v = scaled(scaled(v, unit), norm);
                                    if source.negate {
                                        scaled(v, -1.0)
                                    } else {
                                        v
                                    }
                                }),
                        );
                    if sample.values.iter().all(|&v| v == 0) {
                        return Ok(());
                    }
                    sample.locs.clear();
                    sample
                        .locs
                        .extend(s.locations.iter().map(|&l| source.locations[l as usize]));
                    self.labels(source, s.labels, &mut sample.labels);
                    sample.base = source.base;
                    sample.root = s.root.map(|r| source.locations[r as usize]);
                    f(&mut sample)
                })
                .map_err(|stop| match stop {
                    Stop::Profile(e) => Stop::Failed(input_error(*input)(e)),
                    other => other,
                })?;
        }
        Ok(())
    }

    /// A sample's labels in the model's ids, with `pprof::base=true` on `--diff_base` samples.
    fn labels(&self, source: &Source, labels: &[Label], out: &mut Vec<Label>) {
        out.clear();
        let map = |id: StrId| source.strings[id as usize];
        for l in labels {
            let label = Label {
                key: map(l.key),
                str: map(l.str),
                num: l.num,
                unit: map(l.unit),
            };
            if !(source.base && Some(label.key) == self.base_key) {
                out.push(label);
            }
        }
        if let (true, Some(key)) = (source.base, self.base_key) {
            out.push(Label {
                key,
                str: self.true_text,
                num: 0,
                unit: 0,
            });
        }
    }
}

/// A merged sample: where its locations, labels and values are in [`Rows`].
#[derive(Clone, Copy, Debug)]
struct Row {
    locs: (usize, usize),
    labels: (usize, usize),
    values: usize,
    base: bool,
    root: Option<u32>,
}

/// Samples merged as pprof merges them (step 4): equal stack, labels and side summed.
#[derive(Debug, Default)]
pub struct Rows {
    columns: usize,
    rows: Vec<Row>,
    locs: Vec<u32>,
    labels: Vec<Label>,
    values: Vec<i64>,
    /// Row hash → first row with it; rows with equal hashes are chained.
    heads: HashMap<u64, u32>,
    next: Vec<u32>,
}

impl Rows {
    /// Merges every sample of the model.
    pub fn merge(model: &Model, profiles: &[Input<'_>]) -> Result<Rows, Stop> {
        let mut rows = Rows {
            columns: model.header.sample_types.len(),
            ..Rows::default()
        };
        let mut labels = Vec::new();
        model.for_each_sample(profiles, |s| {
            labels.clear();
            labels.extend_from_slice(&s.labels);
            // Grouped by kind and key (values in their order), as pprof's label maps.
            labels.sort_by_key(|l| (l.str == 0, l.key));
            rows.add(&s.locs, &s.values, &labels, (s.base, s.root));
            Ok(())
        })?;
        Ok(rows)
    }

    fn add(&mut self, locs: &[u32], values: &[i64], labels: &[Label], side: (bool, Option<u32>)) {
        use std::hash::{Hash, Hasher};
        let (base, root) = side;
        let mut h = std::collections::hash_map::DefaultHasher::new();
        (locs, labels, base, root).hash(&mut h);
        let hash = h.finish();
        let mut at = self.heads.get(&hash).copied();
        while let Some(i) = at {
            let row = self.rows[i as usize];
            if row.base == base
                && row.root == root
                && self.locs[row.locs.0..row.locs.1] == *locs
                && self.labels[row.labels.0..row.labels.1] == *labels
            {
                let sums = &mut self.values[row.values..row.values + values.len()];
                for (sum, v) in sums.iter_mut().zip(values) {
                    *sum = sum.wrapping_add(*v);
                }
                return;
            }
            at = Some(self.next[i as usize]).filter(|&n| n != u32::MAX);
        }
        let index = self.rows.len() as u32;
        let head = self.heads.insert(hash, index);
        self.next.push(head.unwrap_or(u32::MAX));
        let start = (self.locs.len(), self.labels.len());
        self.locs.extend_from_slice(locs);
        self.labels.extend_from_slice(labels);
        self.rows.push(Row {
            locs: (start.0, self.locs.len()),
            labels: (start.1, self.labels.len()),
            values: self.values.len(),
            base,
            root,
        });
        self.values.extend_from_slice(values);
    }

    /// Hands every merged sample whose values are not all zero to `f`.
    pub fn for_each(&self, mut f: impl FnMut(&mut Sample)) {
        let mut sample = Sample::default();
        for row in &self.rows {
            let values = &self.values[row.values..row.values + self.columns];
            if values.iter().all(|&v| v == 0) {
                continue;
            }
            sample.values.clear();
            sample.values.extend_from_slice(values);
            sample.locs.clear();
            sample
                .locs
                .extend_from_slice(&self.locs[row.locs.0..row.locs.1]);
            sample.labels.clear();
            sample
                .labels
                .extend_from_slice(&self.labels[row.labels.0..row.labels.1]);
            sample.base = row.base;
            sample.root = row.root;
            f(&mut sample);
        }
    }
}

/// Collects the units of numeric label keys from samples given in order: the first non-empty
/// unit of each key; else bytes for `request` and `alignment`, the key's own name otherwise.
#[derive(Debug, Default)]
pub struct UnitFinder {
    /// Key → its first non-empty unit (0 while there is none).
    units: HashMap<StrId, StrId>,
}

impl UnitFinder {
    /// Takes in one sample's labels.
    pub fn add(&mut self, labels: &[Label]) {
        for l in labels.iter().filter(|l| l.str == 0) {
            let unit = self.units.entry(l.key).or_insert(0);
            if *unit == 0 {
                *unit = l.unit;
            }
        }
    }

    /// The units found.
    pub fn finish(self, strings: &StringTable) -> LabelUnits {
        let text = |id: StrId| String::from_utf8_lossy(strings.get(id)).into_owned();
        self.units
            .into_iter()
            .map(|(key, unit)| {
                let unit = match (unit, text(key).as_str()) {
                    (0, "request" | "alignment") => "bytes".to_string(),
                    (0, name) => name.to_string(),
                    (u, _) => text(u),
                };
                (key, unit)
            })
            .collect()
    }
}
