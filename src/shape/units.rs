//! Measurement units as pprof knows them: bytes, time and Google's GCU families, and the
//! conversion that tag filters and the comparison of profiles rely on.

/// One unit of a family: the name pprof prints, the names it accepts, its size.
struct Unit {
    canonical: &'static str,
    aliases: &'static [&'static str],
    factor: f64,
}

/// A family of units that convert into each other, and the unit a value falls back to when
/// converted to a name outside the family.
struct Family {
    units: &'static [Unit],
    fallback: (&'static str, f64),
}

const fn unit(canonical: &'static str, aliases: &'static [&'static str], factor: f64) -> Unit {
    Unit {
        canonical,
        aliases,
        factor,
    }
}

const MEMORY: Family = Family {
    units: &[
        unit("B", &["b", "byte"], 1.0),
        unit("kB", &["kb", "kbyte", "kilobyte"], 1024.0),
        unit("MB", &["mb", "mbyte", "megabyte"], 1048576.0),
        unit("GB", &["gb", "gbyte", "gigabyte"], 1073741824.0),
        unit("TB", &["tb", "tbyte", "terabyte"], 1099511627776.0),
        unit("PB", &["pb", "pbyte", "petabyte"], 1125899906842624.0),
    ],
    fallback: ("B", 1.0),
};

const TIME: Family = Family {
    units: &[
        unit("ns", &["ns", "nanosecond"], 1.0),
        unit("us", &["us", "microsecond"], 1e3),
        unit("ms", &["ms", "millisecond"], 1e6),
        unit("s", &["s", "sec", "second"], 1e9),
        unit("hrs", &["hour", "hr"], 3.6e12),
    ],
    fallback: ("s", 1e9),
};

const GCU: Family = Family {
    units: &[
        unit("n*GCU", &["nanogcu"], 1e-9),
        unit("u*GCU", &["microgcu"], 1e-6),
        unit("m*GCU", &["milligcu"], 1e-3),
        unit("GCU", &["gcu"], 1.0),
        unit("k*GCU", &["kilogcu"], 1e3),
        unit("M*GCU", &["megagcu"], 1e6),
        unit("G*GCU", &["gigagcu"], 1e9),
        unit("T*GCU", &["teragcu"], 1e12),
        unit("P*GCU", &["petagcu"], 1e15),
    ],
    fallback: ("GCU", 1.0),
};

const FAMILIES: [&Family; 3] = [&MEMORY, &TIME, &GCU];

impl Family {
    /// The unit `name` stands for: compared lower-case, one trailing `s` removed from names
    /// longer than two bytes.
    fn sniff(&self, name: &str) -> Option<&Unit> {
        let lower = name.to_lowercase();
        let name = match lower.strip_suffix('s') {
            Some(short) if lower.len() > 2 => short,
            _ => &lower,
        };
        self.units.iter().find(|u| u.aliases.contains(&name))
    }
}

/// The family index and size of unit `name`, if it is in a family.
fn find(name: &str) -> Option<(usize, f64)> {
    FAMILIES
        .iter()
        .enumerate()
        .find_map(|(i, f)| f.sniff(name).map(|u| (i, u.factor)))
}

/// True when two unit names are equal or of one family (`nanoseconds` and `microseconds`).
pub fn compatible(a: &str, b: &str) -> bool {
    a == b || matches!((find(a), find(b)), (Some((x, _)), Some((y, _))) if x == y)
}

/// The factor that converts values in unit `from` to unit `to` (1 when either is in no
/// family).
pub fn ratio(from: &str, to: &str) -> f64 {
    match (find(from), find(to)) {
        (Some((x, f)), Some((y, t))) if x == y => f / t,
        _ => 1.0,
    }
}

/// pprof's `measurement.Scale`: `value` in unit `from` expressed in unit `to`, and the name of
/// the unit it ends up in. A value whose unit is in a family is converted to `to` when `to` is
/// of the same family, else to the family's fallback unit; any other value stays as it is, in
/// unit `to` (or no unit for `count` and the like).
pub fn scale<'a>(value: i64, from: &str, to: &'a str) -> (f64, &'a str) {
    if value < 0 && value != i64::MIN {
        let (v, u) = scale(-value, from, to);
        return (-v, u);
    }
    for family in FAMILIES {
        if let Some(f) = family.sniff(from) {
            let v = value as f64 * f.factor;
            return match family.sniff(to) {
                Some(t) => (v / t.factor, t.canonical),
                None => (v / family.fallback.1, family.fallback.0),
            };
        }
    }
    match to {
        "count" | "sample" | "unit" | "minimum" | "auto" => (value as f64, ""),
        _ => (value as f64, to),
    }
}

/// What [`scale`] does to values of unit `from` converted to `to`, as a multiplier, a divisor
/// and the unit they end up in: `scale(v, from, to)` is `(v as f64 * mul / div, unit)`.
pub fn scale_params<'a>(from: &str, to: &'a str) -> (f64, f64, &'a str) {
    for family in FAMILIES {
        if let Some(f) = family.sniff(from) {
            return match family.sniff(to) {
                Some(t) => (f.factor, t.factor, t.canonical),
                None => (f.factor, family.fallback.1, family.fallback.0),
            };
        }
    }
    match to {
        "count" | "sample" | "unit" | "minimum" | "auto" => (1.0, 1.0, ""),
        _ => (1.0, 1.0, to),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_convert_within_a_family() {
        assert_eq!(scale(1, "mb", "mb"), (1.0, "MB"));
        assert_eq!(scale(1048576, "bytes", "MB"), (1.0, "MB"));
        assert_eq!(scale(1500, "ms", "s"), (1.5, "s"));
        assert_eq!(scale(-3, "kb", "b"), (-3072.0, "B"));
        assert_eq!(scale(2, "Hours", "s"), (7200.0, "s"));
    }

    #[test]
    fn values_outside_a_family_stay_raw() {
        assert_eq!(scale(3, "age", "kB"), (3.0, "kB"));
        assert_eq!(scale(3, "bytes", ""), (3.0, "B"));
        assert_eq!(scale(3, "", "count"), (3.0, ""));
        assert!(compatible("nanoseconds", "microseconds"));
        assert!(!compatible("bytes", "nanoseconds"));
        assert!(compatible("count", "count"));
        assert_eq!(ratio("microseconds", "nanoseconds"), 1000.0);
        for (v, from, to) in [
            (1500, "ms", "s"),
            (-7, "kb", "B"),
            (3, "age", "kB"),
            (9, "x", ""),
        ] {
            let (mul, div, unit) = scale_params(from, to);
            assert_eq!(scale(v, from, to), (v as f64 * mul / div, unit));
        }
    }
}
