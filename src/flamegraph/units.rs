//! `--units UNIT` (docs/flamegraph.md, "Units"): counts shown as the labels `go tool pprof`
//! prints (`1.50MB`, `35.20ms`, `2.50s`) for memory and time units; any other unit only names
//! the counts.

/// A unit scale: the canonical names and their sizes in the base unit, smallest first.
type Scale = &'static [(&'static str, f64)];

/// Bytes: `B kB MB GB TB PB`, powers of 1024.
const MEMORY: Scale = &[
    ("B", 1.0),
    ("kB", 1024.0),
    ("MB", 1_048_576.0),
    ("GB", 1_073_741_824.0),
    ("TB", 1_099_511_627_776.0),
    ("PB", 1_125_899_906_842_624.0),
];

/// Nanoseconds: `ns us ms s hrs`.
const TIME: Scale = &[
    ("ns", 1.0),
    ("us", 1e3),
    ("ms", 1e6),
    ("s", 1e9),
    ("hrs", 3.6e12),
];

/// The aliases of each unit of [`MEMORY`] and [`TIME`] (index into the scale), lowercase and
/// without a trailing `s`.
const MEMORY_ALIASES: &[(&str, usize)] = &[
    ("b", 0),
    ("byte", 0),
    ("kb", 1),
    ("mb", 2),
    ("gb", 3),
    ("tb", 4),
    ("pb", 5),
];
const TIME_ALIASES: &[(&str, usize)] = &[
    ("ns", 0),
    ("nanosecond", 0),
    ("us", 1),
    ("μs", 1),
    ("microsecond", 1),
    ("ms", 2),
    ("millisecond", 2),
    ("s", 3),
    ("sec", 3),
    ("second", 3),
    ("hr", 4),
    ("hour", 4),
];

/// What `--units` asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum Units {
    /// A memory or time unit: counts are shown scaled, as `go tool pprof` labels them.
    Scaled(Scaled),
    /// Any other unit (`count`, `goroutines`, ...): no scaling, the name is the count name.
    Named(String),
}

/// A memory or time unit: the scale it belongs to and its size in the scale's base unit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scaled {
    scale: Scale,
    factor: f64,
}

impl Units {
    /// Reads a unit name or alias: case-insensitive, a trailing `s` ignored when the name is
    /// longer than 2 characters. `None` for an empty name.
    pub fn parse(name: &str) -> Option<Units> {
        if name.is_empty() {
            return None;
        }
        let lower = name.to_lowercase();
        let key = match lower.strip_suffix('s') {
            Some(stem) if lower.chars().count() > 2 => stem,
            _ => lower.as_str(),
        };
        for (scale, aliases) in [(MEMORY, MEMORY_ALIASES), (TIME, TIME_ALIASES)] {
            if let Some(&(_, index)) = aliases.iter().find(|(alias, _)| *alias == key) {
                return Some(Units::Scaled(Scaled {
                    scale,
                    factor: scale[index].1,
                }));
            }
        }
        Some(Units::Named(name.to_owned()))
    }
}

impl Scaled {
    /// Appends the label of `value` counts of this unit: converted to the base unit, shown in
    /// the largest canonical unit in which it is at least 1 (the smallest when it is below 1
    /// in all), `%.2f` without a trailing `.00`, then the unit's name; `0` alone when the
    /// number prints as zero; a negative value is `-` and the label of its absolute value.
    pub fn push_label(&self, out: &mut String, value: f64) {
        use std::fmt::Write as _;
        let start = out.len();
        if value < 0.0 {
            out.push('-');
        }
        let base = value.abs() * self.factor;
        let (name, size) = self
            .scale
            .iter()
            .rev()
            .find(|(_, size)| base / size >= 1.0)
            .unwrap_or(&self.scale[0]);
        let number_at = out.len();
        let _ = write!(out, "{:.2}", base / size);
        if out.ends_with(".00") {
            out.truncate(out.len() - 3);
        }
        if &out[number_at..] == "0" {
            out.truncate(start);
            out.push('0');
            return;
        }
        out.push_str(name);
    }

    /// The canonical units of this unit's scale, smallest first, with their sizes in the base
    /// unit; and this unit's size (for the `--html` page, which labels values itself).
    pub fn scale(&self) -> (&'static [(&'static str, f64)], f64) {
        (self.scale, self.factor)
    }

    /// The label of `value`, as a new string.
    pub fn label(&self, value: f64) -> String {
        let mut out = String::new();
        self.push_label(&mut out, value);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scaled(name: &str) -> Scaled {
        match Units::parse(name) {
            Some(Units::Scaled(scaled)) => scaled,
            other => panic!("{name}: {other:?}"),
        }
    }

    #[test]
    fn aliases_are_case_insensitive_with_optional_plural() {
        for (name, factor) in [
            ("bytes", 1.0),
            ("B", 1.0),
            ("KB", 1024.0),
            ("kBs", 1024.0),
            ("nanoseconds", 1.0),
            ("μs", 1e3),
            ("MS", 1e6),
            ("secs", 1e9),
            ("hrs", 3.6e12),
            ("Hours", 3.6e12),
        ] {
            assert_eq!(scaled(name).factor, factor, "{name}");
        }
        assert_eq!(Units::parse("count"), Some(Units::Named("count".into())));
        assert_eq!(Units::parse(""), None);
    }

    #[test]
    fn labels_like_go_tool_pprof() {
        let bytes = scaled("bytes");
        assert_eq!(bytes.label(1536.0), "1.50kB");
        assert_eq!(bytes.label(2_097_152.0), "2MB");
        assert_eq!(bytes.label(0.0), "0");
        assert_eq!(bytes.label(-1536.0), "-1.50kB");
        assert_eq!(bytes.label(0.5), "0.50B");
        let ns = scaled("nanoseconds");
        assert_eq!(ns.label(1_500_000.0), "1.50ms");
        assert_eq!(ns.label(0.001), "0");
    }
}
