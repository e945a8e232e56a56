//! Tag filters (`--tagfocus`, `--tagignore`): string labels by regexps, numeric labels by
//! values and ranges with units, as pprof reads them.

use super::units::{scale, scale_params};
use super::ShapeError;
use crate::profile::build::StringTable;
use crate::profile::{Label, StrId};
use regex::Regex;
use std::collections::HashMap;
use std::sync::OnceLock;

/// A compiled tag filter.
#[derive(Debug)]
pub struct TagFilter {
    /// `KEY` of `KEY=VALUE` (`None`: any key).
    key: Option<String>,
    test: Test,
}

#[derive(Debug)]
enum Test {
    /// Numeric labels: the unit the bounds are in, and the bounds.
    Range {
        unit: String,
        low: Option<f64>,
        high: Option<f64>,
    },
    /// String labels: regexps (all must match without a key, any with one).
    Regexps(Vec<Regex>),
}

/// The numbers of a numeric tag filter: `[+-]?DIGITS` and an optional ASCII-letter unit.
fn number_rx() -> &'static Regex {
    static RX: OnceLock<Regex> = OnceLock::new();
    RX.get_or_init(|| Regex::new("([+-]?[0-9]+)([A-Za-z]+)?").expect("valid regexp"))
}

/// The unit names of numeric label keys, as pprof determines them.
pub type LabelUnits = HashMap<StrId, String>;

impl TagFilter {
    /// True for `N`, `N:`, `:N`, `N:M` filters.
    pub fn is_numeric(&self) -> bool {
        matches!(self.test, Test::Range { .. })
    }

    /// Parses the value of option `option` (pprof's name, for messages); `None` when empty.
    pub fn parse(option: &'static str, text: &str) -> Result<Option<TagFilter>, ShapeError> {
        if text.is_empty() {
            return Ok(None);
        }
        let (key, value) = match text.split_once('=') {
            Some(("", v)) => (None, v),
            Some((k, v)) => (Some(k.to_string()), v),
            None => (None, text),
        };
        let test = match parse_range(option, value)? {
            Some(test) => test,
            None => {
                let res: Vec<Regex> = value
                    .split(',')
                    .map(|r| super::compile_regex(option, r))
                    .collect::<Result<_, _>>()?;
                if res.len() > 64 {
                    // The matcher keeps one bit per regexp.
                    return Err(ShapeError::Regexp {
                        option,
                        reason: "more than 64 comma-separated regexps".into(),
                    });
                }
                Test::Regexps(res)
            }
        };
        Ok(Some(TagFilter { key, test }))
    }
}

/// A tag filter at work: it remembers what it found for each label value and key, so that a
/// million samples cost a few lookups each.
#[derive(Debug)]
pub struct TagMatcher<'a> {
    filter: &'a TagFilter,
    /// `--tagfocus K=...`: the key's string id (`None` without a key, `Some(None)` for a key
    /// the profile does not have).
    key: Option<Option<StrId>>,
    /// Which regexps match a string label (key, value): bit i for regexp i.
    strings: HashMap<(StrId, StrId), u64>,
    /// How a numeric key's values convert to the filter's unit: (mul, div, unit matches).
    numeric: HashMap<StrId, (f64, f64, bool)>,
}

impl<'a> TagMatcher<'a> {
    /// A matcher for `filter` over labels whose strings are in `strings`.
    pub fn new(filter: &'a TagFilter, strings: &StringTable) -> Self {
        let key = filter.key.as_deref().map(|k| strings.find(k.as_bytes()));
        TagMatcher {
            filter,
            key,
            strings: HashMap::new(),
            numeric: HashMap::new(),
        }
    }

    /// True when a sample with these labels matches.
    pub fn matches(&mut self, labels: &[Label], strings: &StringTable, units: &LabelUnits) -> bool {
        let key = self.key;
        let key_ok = |l: &Label| key.is_none_or(|k| Some(l.key) == k);
        match &self.filter.test {
            Test::Range { unit, low, high } => {
                let numeric = &mut self.numeric;
                labels.iter().filter(|l| l.str == 0 && key_ok(l)).any(|l| {
                    let &mut (mul, div, unit_ok) = numeric.entry(l.key).or_insert_with(|| {
                        let label_unit = units.get(&l.key).map_or("", String::as_str);
                        let (mul, div, u) = scale_params(label_unit, unit);
                        (mul, div, u == unit)
                    });
                    let v = l.num as f64 * mul / div;
                    unit_ok && low.is_none_or(|lo| v >= lo) && high.is_none_or(|hi| v <= hi)
                })
            }
            Test::Regexps(res) => {
                let mut all = 0u64;
                for l in labels.iter().filter(|l| l.str != 0 && key_ok(l)) {
                    all |= *self
                        .strings
                        .entry((l.key, l.str))
                        .or_insert_with(|| regexp_bits(res, l, strings, key.is_none()));
                }
                if key.is_some() {
                    all != 0
                } else {
                    all == low_bits(res.len())
                }
            }
        }
    }
}

/// The bits of the regexps that match a label: its value (keyed filters) or `key:value`.
fn regexp_bits(res: &[Regex], l: &Label, strings: &StringTable, unkeyed: bool) -> u64 {
    let value = String::from_utf8_lossy(strings.get(l.str));
    let text = if unkeyed {
        let k = String::from_utf8_lossy(strings.get(l.key));
        format!("{k}:{value}")
    } else {
        value.into_owned()
    };
    res.iter()
        .enumerate()
        .filter(|(_, r)| r.is_match(&text))
        .fold(0, |bits, (i, _)| bits | 1 << i)
}

/// A mask of the lowest `n` bits.
fn low_bits(n: usize) -> u64 {
    if n >= 64 {
        u64::MAX
    } else {
        (1u64 << n) - 1
    }
}

/// A number of the filter: its digits (with sign), its value, its unit.
fn number<'a>(
    option: &'static str,
    m: &regex::Captures<'a>,
) -> Result<(&'a str, i64, &'a str), ShapeError> {
    let digits = m.get(1).map_or("", |d| d.as_str());
    let value = digits.parse::<i64>().map_err(|_| ShapeError::NumberRange {
        option,
        digits: digits.to_string(),
    })?;
    Ok((digits, value, m.get(2).map_or("", |u| u.as_str())))
}

/// `N`, `N:`, `:N`, `N:M` with units; `None` when VALUE is not one of these (a regexp then).
fn parse_range(option: &'static str, value: &str) -> Result<Option<Test>, ShapeError> {
    let found: Vec<regex::Captures<'_>> = number_rx().captures_iter(value).take(2).collect();
    let Some(first) = found.first() else {
        return Ok(None);
    };
    let (_, n, n_unit) = number(option, first)?;
    let (low, unit) = scale(n, n_unit, n_unit);
    let unit = unit.to_string();
    let whole = first.get(0).map_or("", |m| m.as_str());
    let bounds = match found.get(1) {
        None if value == whole => (Some(low), Some(low)),
        None if value.strip_suffix(':') == Some(whole) => (Some(low), None),
        None if value.strip_prefix(':') == Some(whole) => (None, Some(low)),
        None => return Ok(None),
        Some(second) => {
            let whole2 = second.get(0).map_or("", |m| m.as_str());
            if value != format!("{whole}:{whole2}") {
                return Ok(None);
            }
            let (_, m, m_unit) = number(option, second)?;
            let (high, unit2) = scale(m, m_unit, &unit);
            if unit2 != unit {
                return Ok(None);
            }
            (Some(low), Some(high))
        }
    };
    Ok(Some(Test::Range {
        unit,
        low: bounds.0,
        high: bounds.1,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(text: &str) -> &'static str {
        match TagFilter::parse("tagfocus", text).unwrap().unwrap().test {
            Test::Range { .. } => "range",
            Test::Regexps(_) => "regexps",
        }
    }

    #[test]
    fn numeric_forms() {
        assert_eq!(kind("64kb:"), "range");
        assert_eq!(kind(":3"), "range");
        assert_eq!(kind("1mb:2mb"), "range");
        assert_eq!(kind("bytes=1b:2048"), "range");
        assert_eq!(kind("1mb:2s"), "regexps");
        assert_eq!(kind("1:2kb"), "regexps");
        assert_eq!(kind("id=a42"), "regexps");
        assert_eq!(kind("1e5"), "regexps");
    }

    #[test]
    fn numbers_out_of_range_are_errors() {
        let err = TagFilter::parse("tagignore", "id99999999999999999999").unwrap_err();
        assert_eq!(
            err.to_string(),
            "parsing tagignore: number out of range: 99999999999999999999"
        );
        assert!(TagFilter::parse("tagfocus", "1:-99999999999999999999").is_err());
        assert!(TagFilter::parse("tagfocus", "").unwrap().is_none());
    }
}
