//! Tag filters (`--tagfocus`, `--tagignore`): string labels by regexps, numeric labels by
//! values and ranges with units, as pprof reads them.

use super::units::scale;
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
            None => Test::Regexps(
                value
                    .split(',')
                    .map(|r| super::compile_regex(option, r))
                    .collect::<Result<_, _>>()?,
            ),
        };
        Ok(Some(TagFilter { key, test }))
    }

    /// True when a sample with these labels matches.
    pub fn matches(&self, labels: &[Label], strings: &StringTable, units: &LabelUnits) -> bool {
        let key = self.key.as_deref().map(str::as_bytes);
        let key_ok = |l: &Label| key.map_or(true, |k| strings.get(l.key) == k);
        match &self.test {
            Test::Range { unit, low, high } => {
                labels.iter().filter(|l| l.str == 0 && key_ok(l)).any(|l| {
                    let label_unit = units.get(&l.key).map_or("", String::as_str);
                    let (v, u) = scale(l.num, label_unit, unit);
                    u == unit && low.map_or(true, |lo| v >= lo) && high.map_or(true, |hi| v <= hi)
                })
            }
            Test::Regexps(res) if key.is_some() => {
                labels.iter().filter(|l| l.str != 0 && key_ok(l)).any(|l| {
                    let value = String::from_utf8_lossy(strings.get(l.str));
                    res.iter().any(|r| r.is_match(&value))
                })
            }
            Test::Regexps(res) => {
                let texts: Vec<String> = labels
                    .iter()
                    .filter(|l| l.str != 0)
                    .map(|l| {
                        let k = String::from_utf8_lossy(strings.get(l.key));
                        let v = String::from_utf8_lossy(strings.get(l.str));
                        format!("{k}:{v}")
                    })
                    .collect();
                res.iter().all(|r| texts.iter().any(|t| r.is_match(t)))
            }
        }
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
