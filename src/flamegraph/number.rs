//! Number formats of the SVG (docs/flamegraph.md, "SVG output"): C's `%.15g`, `%0.Nf` and
//! counts with thousands separators. The one `%.15g` formatter of the crate.

use std::fmt::Write;

use crate::folded::Count;

/// Appends `value` formatted like C's `printf("%.15g", value)`.
///
/// Rounds to 15 significant digits; fixed notation when the decimal exponent X of the rounded
/// value is in −4 ≤ X < 15, else `d.ddde±XX`; trailing zeros and a trailing dot are removed.
pub fn push_g15(out: &mut String, value: f64) {
    if !value.is_finite() {
        out.push_str(if value.is_nan() {
            "nan"
        } else if value > 0.0 {
            "inf"
        } else {
            "-inf"
        });
        return;
    }
    if value == 0.0 {
        out.push_str(if value.is_sign_negative() { "-0" } else { "0" });
        return;
    }
    if value.fract() == 0.0 && value.abs() < 1e15 {
        let _ = write!(out, "{}", value as i64);
        return;
    }
    let mut sci = String::with_capacity(24);
    let _ = write!(sci, "{value:.14e}");
    let (mantissa, exponent) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    if (-4..15).contains(&exponent) {
        let start = out.len();
        let _ = write!(out, "{:.*}", (14 - exponent) as usize, value);
        strip_fraction_zeros(out, start);
    } else {
        let start = out.len();
        out.push_str(mantissa);
        strip_fraction_zeros(out, start);
        let sign = if exponent < 0 { '-' } else { '+' };
        let _ = write!(out, "e{sign}{:02}", exponent.abs());
    }
}

/// `value` formatted like C's `%.15g`, as a new string.
pub fn g15(value: f64) -> String {
    let mut out = String::new();
    push_g15(&mut out, value);
    out
}

/// A count or total as Perl prints it: an integer in full, a double as `%.15g`.
pub fn count_text(count: Count) -> String {
    match count {
        Count::Int(n) => n.to_string(),
        Count::Real(x) => g15(x),
    }
}

/// The value of `value`'s `%.15g` text read back as a double (what flamegraph.pl computes
/// with when it keys frames by their end-time text).
pub fn reread_g15(value: f64) -> f64 {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        return value;
    }
    g15(value).parse().unwrap_or(value)
}

fn strip_fraction_zeros(out: &mut String, start: usize) {
    if out[start..].contains('.') {
        let kept = out.trim_end_matches('0').trim_end_matches('.').len();
        out.truncate(kept);
    }
}

/// Appends `%.0f` of `value` with a `,` every three digits of the integer part (`1,234,567`).
pub fn push_count(out: &mut String, value: f64) {
    let mut digits = String::with_capacity(24);
    let _ = write!(digits, "{value:.0}");
    let (sign, digits) = match digits.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", digits.as_str()),
    };
    out.push_str(sign);
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        out.push_str(digits);
        return;
    }
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn g15_matches_c() {
        let cases: &[(f64, &str)] = &[
            (24.0, "24"),
            (95.5, "95.5"),
            (131.5, "131.5"),
            (1e21, "1e+21"),
            (0.0, "0"),
            (-0.0, "-0"),
            (16.5, "16.5"),
            (0.1 + 0.2, "0.3"),
            (1.0 / 3.0, "0.333333333333333"),
            (123456789012345.0, "123456789012345"),
            (1234567890123456.0, "1.23456789012346e+15"),
            (999999999999999.9, "1e+15"),
            (0.0001, "0.0001"),
            (0.00001234, "1.234e-05"),
            (-2.5, "-2.5"),
            (1e100, "1e+100"),
            (f64::NAN, "nan"),
        ];
        for &(value, text) in cases {
            assert_eq!(g15(value), text, "{value:e}");
        }
    }

    #[test]
    fn reread_rounds_to_15_digits() {
        assert_eq!(reread_g15(0.1 + 0.2), 0.3);
        assert_eq!(reread_g15(12.0), 12.0);
    }

    #[test]
    fn counts_get_separators() {
        let text = |v| {
            let mut s = String::new();
            push_count(&mut s, v);
            s
        };
        assert_eq!(text(1234567.0), "1,234,567");
        assert_eq!(text(999.0), "999");
        assert_eq!(text(1000.0), "1,000");
        assert_eq!(text(1.5), "2");
        assert_eq!(text(2.5), "2");
        assert_eq!(text(16.5), "16");
        assert_eq!(text(0.0), "0");
    }
}
