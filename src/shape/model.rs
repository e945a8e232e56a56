//! The profile being shaped: the inputs and the base combined into one set of locations and
//! samples (pipeline steps 1–4): compatibility, units, `--normalize`, the base negated or
//! marked, samples with the same stack and labels merged, all-zero samples dropped.

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

/// A sample: where its locations (leaf first), values and labels are in [`Model`]'s arrays.
#[derive(Clone, Copy, Debug)]
pub struct Row {
    pub locs: (usize, usize),
    pub labels: (usize, usize),
    pub values: usize,
    /// From the base of `--diff_base`.
    pub base: bool,
}

/// The combined profile.
#[derive(Debug, Default)]
pub struct Model {
    pub strings: StringTable,
    pub header: Header,
    pub locations: Vec<Loc>,
    pub rows: Vec<Row>,
    pub locs: Vec<u32>,
    pub labels: Vec<Label>,
    pub values: Vec<i64>,
    /// The unit of every numeric label key.
    pub label_units: LabelUnits,
    /// The string id of `pprof::base` (when `--diff_base` added it).
    pub base_key: Option<StrId>,
}

impl Model {
    /// The values of a row.
    pub fn row_values(&self, row: &Row) -> &[i64] {
        &self.values[row.values..row.values + self.header.sample_types.len()]
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

/// Checks that `other` can be combined with `input` (spec: compatible profiles).
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

/// The unit every profile's column `i` is converted to: the smallest of them (pprof keeps the
/// first of equal ones).
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

/// The total of every column over all samples of these profiles (pprof's int64 sums).
fn totals(profiles: &[Input<'_>], columns: usize) -> Result<Vec<i64>, ShapeError> {
    let mut sums = vec![0i64; columns];
    for input in profiles {
        input
            .profile
            .for_each_sample(|s| -> Result<(), ProfileError> {
                for (sum, v) in sums.iter_mut().zip(s.values) {
                    *sum = sum.wrapping_add(*v);
                }
                Ok(())
            })
            .map_err(|source| ShapeError::Input {
                name: input.name.to_string(),
                source,
            })?;
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

/// How the values of one profile are transformed on the way in.
struct Transform {
    /// Unit conversion, then `--normalize`, per column.
    ratios: Vec<(f64, f64)>,
    /// `--base`: negated.
    negate: bool,
    /// `--diff_base`: marked as base.
    base: bool,
}

/// Steps 1–4: the combined, merged profile.
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
    let mut builder = Builder::new(first.profile, base.map(|b| b.0.profile), &target);
    builder.model.base_key =
        matches!(base, Some((_, BaseMode::Diff))).then(|| builder.model.strings.intern(BASE_KEY));
    for &input in inputs {
        let t = builder.transform(input.profile, &target, &input_norm, false, false);
        builder.add(input, &t)?;
    }
    if let Some((b, mode)) = base {
        let diff = mode == BaseMode::Diff;
        let t = builder.transform(b.profile, &target, &base_norm, !diff, diff);
        builder.add(b, &t)?;
    }
    Ok(builder.finish())
}

/// Builds the model profile by profile.
struct Builder {
    model: Model,
    location_ids: HashMap<Loc, u32>,
    /// Row hash → first row with it; rows with equal hashes are chained.
    row_heads: HashMap<u64, u32>,
    row_next: Vec<u32>,
    true_text: StrId,
}

impl Builder {
    fn new(input: &Profile, base: Option<&Profile>, target: &[String]) -> Self {
        let mut model = Model {
            strings: StringTable::new(),
            ..Model::default()
        };
        let s = &mut model.strings;
        let vt = |s: &mut StringTable, p: &Profile, v: ValueType| ValueType {
            ty: s.intern(p.string(v.ty)),
            unit: s.intern(p.string(v.unit)),
        };
        model.header.sample_types = input
            .sample_types
            .iter()
            .zip(target)
            .map(|(&v, unit)| ValueType {
                ty: s.intern(input.string(v.ty)),
                unit: s.intern(unit.as_bytes()),
            })
            .collect();
        let default = match (input.default_sample_type, base) {
            (0, Some(b)) => b.string(b.default_sample_type),
            (d, _) => input.string(d),
        };
        model.header.default_sample_type = s.intern(default);
        model.header.period_type = input.period_type.map(|v| vt(s, input, v));
        model.header.period = input.period;
        let true_text = s.intern(b"true");
        Builder {
            model,
            location_ids: HashMap::new(),
            row_heads: HashMap::new(),
            row_next: Vec::new(),
            true_text,
        }
    }

    fn transform(
        &self,
        p: &Profile,
        target: &[String],
        norm: &[f64],
        negate: bool,
        base: bool,
    ) -> Transform {
        let ratios = p
            .sample_types
            .iter()
            .zip(target)
            .zip(norm)
            .map(|((vt, unit), &n)| (units::ratio(&p.text(vt.unit), unit), n))
            .collect();
        Transform {
            ratios,
            negate,
            base,
        }
    }

    /// Adds every sample of one profile.
    fn add(&mut self, input: Input<'_>, t: &Transform) -> Result<(), ShapeError> {
        let p = input.profile;
        let mut strings = vec![NONE; 0];
        let locations: Vec<u32> = p
            .locations
            .iter()
            .map(|loc| {
                let lines = p
                    .lines(loc)
                    .iter()
                    .map(|l| Line {
                        name: self.string(p, l.name, &mut strings),
                        file: self.string(p, l.file, &mut strings),
                        line: l.line,
                    })
                    .collect();
                let loc = Loc {
                    address: loc.address,
                    mapping: self.string(p, loc.mapping, &mut strings),
                    lines,
                };
                self.location(loc)
            })
            .collect();
        let (mut locs, mut values, mut labels) = (Vec::new(), Vec::new(), Vec::new());
        p.for_each_sample(|s| -> Result<(), ProfileError> {
            locs.clear();
            locs.extend(s.locations.iter().map(|&l| locations[l as usize]));
            values.clear();
            values.extend(s.values.iter().zip(&t.ratios).map(|(&v, &(unit, norm))| {
                let v = scaled(scaled(v, unit), norm);
                if t.negate {
                    scaled(v, -1.0)
                } else {
                    v
                }
            }));
            labels.clear();
            for l in s.labels {
                let label = Label {
                    key: self.string(p, l.key, &mut strings),
                    str: self.string(p, l.str, &mut strings),
                    num: l.num,
                    unit: self.string(p, l.unit, &mut strings),
                };
                if !(t.base && Some(label.key) == self.model.base_key) {
                    labels.push(label);
                }
            }
            if let (true, Some(key)) = (t.base, self.model.base_key) {
                labels.push(Label {
                    key,
                    str: self.true_text,
                    num: 0,
                    unit: 0,
                });
            }
            // Grouped by kind and key (values in their order), as pprof's label maps.
            labels.sort_by_key(|l| (l.str == 0, l.key));
            self.add_row(&locs, &values, &labels, t.base);
            Ok(())
        })
        .map_err(|source| ShapeError::Input {
            name: input.name.to_string(),
            source,
        })
    }

    /// The new id of string `id` of profile `p` (`cache`: ids seen so far).
    fn string(&mut self, p: &Profile, id: StrId, cache: &mut Vec<StrId>) -> StrId {
        if id == NONE {
            return NONE;
        }
        let i = id as usize;
        if i >= cache.len() {
            cache.resize(i + 1, NONE);
        }
        if cache[i] == NONE {
            cache[i] = self.model.strings.intern(p.string(id));
        }
        cache[i]
    }

    fn location(&mut self, loc: Loc) -> u32 {
        let next = self.model.locations.len() as u32;
        *self.location_ids.entry(loc.clone()).or_insert_with(|| {
            self.model.locations.push(loc);
            next
        })
    }

    /// Adds a sample, or its values to an equal one (same locations, labels, side).
    fn add_row(&mut self, locs: &[u32], values: &[i64], labels: &[Label], base: bool) {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        (locs, labels, base).hash(&mut h);
        let hash = h.finish();
        let m = &mut self.model;
        let mut at = self.row_heads.get(&hash).copied();
        while let Some(i) = at {
            let row = m.rows[i as usize];
            if row.base == base
                && m.locs[row.locs.0..row.locs.1] == *locs
                && m.labels[row.labels.0..row.labels.1] == *labels
            {
                let start = row.values;
                for (sum, v) in m.values[start..start + values.len()].iter_mut().zip(values) {
                    *sum = sum.wrapping_add(*v);
                }
                return;
            }
            at = Some(self.row_next[i as usize]).filter(|&n| n != u32::MAX);
        }
        let index = m.rows.len() as u32;
        let head = self.row_heads.insert(hash, index);
        self.row_next.push(head.unwrap_or(u32::MAX));
        let start = (m.locs.len(), m.labels.len());
        m.locs.extend_from_slice(locs);
        m.labels.extend_from_slice(labels);
        m.rows.push(Row {
            locs: (start.0, m.locs.len()),
            labels: (start.1, m.labels.len()),
            values: m.values.len(),
            base,
        });
        m.values.extend_from_slice(values);
    }

    /// Drops all-zero samples and determines the units of numeric labels.
    fn finish(self) -> Model {
        let mut m = self.model;
        let columns = m.header.sample_types.len();
        let values = std::mem::take(&mut m.values);
        m.rows
            .retain(|r| values[r.values..r.values + columns].iter().any(|&v| v != 0));
        m.values = values;
        m.label_units = label_units(&m);
        m
    }
}

/// The first non-empty unit each numeric label key has; else bytes for `request` and
/// `alignment`, the key's own name for every other key.
fn label_units(m: &Model) -> LabelUnits {
    let mut units = LabelUnits::new();
    let mut keys = Vec::new();
    for row in &m.rows {
        for l in m.labels[row.labels.0..row.labels.1]
            .iter()
            .filter(|l| l.str == 0)
        {
            keys.push(l.key);
            if l.unit != 0 {
                let unit = String::from_utf8_lossy(m.strings.get(l.unit)).into_owned();
                units.entry(l.key).or_insert(unit);
            }
        }
    }
    for key in keys {
        units.entry(key).or_insert_with(|| {
            let name = String::from_utf8_lossy(m.strings.get(key)).into_owned();
            match name.as_str() {
                "request" | "alignment" => "bytes".to_string(),
                _ => name,
            }
        });
    }
    units
}
