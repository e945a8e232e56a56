//! Perl Getopt::Long matching (its defaults, as flamegraph.pl uses them) over the option table
//! [`flamepipe::cli::flamegraph::OPTIONS`]: `--name` or `-name`, case-insensitive, unique prefixes,
//! `--name=value` or the next argument, options and files mixed, `--` ends the options.

use flamepipe::cli::flamegraph::{Opt, OptionDef, Takes, OPTIONS};

/// One option occurrence: which option and its value (flags have none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Given {
    pub opt: Opt,
    pub value: Option<String>,
}

/// The parsed command line.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Parsed {
    pub options: Vec<Given>,
    pub files: Vec<String>,
}

impl Parsed {
    /// The last occurrence of `opt`, if it was given.
    pub fn last(&self, opt: Opt) -> Option<&Given> {
        self.options.iter().rev().find(|g| g.opt == opt)
    }

    /// The last value given for `opt`.
    #[cfg(test)]
    pub fn value(&self, opt: Opt) -> Option<&str> {
        self.last(opt).and_then(|g| g.value.as_deref())
    }

    /// True when the flag `opt` was given.
    pub fn flag(&self, opt: Opt) -> bool {
        self.last(opt).is_some()
    }
}

/// Parses `args` (without the program name) against [`OPTIONS`]. Errors are Getopt::Long's
/// messages.
pub fn parse(args: &[String]) -> Result<Parsed, String> {
    let mut parsed = Parsed::default();
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        if arg == "--" {
            parsed.files.extend(rest.by_ref().cloned());
            break;
        }
        let body = match arg.strip_prefix("--").or_else(|| arg.strip_prefix('-')) {
            Some(body) if !body.is_empty() => body,
            _ => {
                parsed.files.push(arg.clone());
                continue;
            }
        };
        let (typed, inline) = match body.split_once('=') {
            Some((name, value)) => (name, Some(value)),
            None => (body, None),
        };
        let def = find(typed)?;
        let value = if def.takes == Takes::Nothing {
            if inline.is_some() {
                return Err(format!("Option {} does not take an argument", def.name));
            }
            None
        } else {
            let value = match inline {
                Some("") => None,
                Some(value) => Some(value.to_owned()),
                None => rest.next().cloned(),
            };
            let value = value.ok_or(format!("Option {} requires an argument", def.name))?;
            check_value(def, &value)?;
            Some(value)
        };
        parsed.options.push(Given {
            opt: def.opt,
            value,
        });
    }
    Ok(parsed)
}

/// The option an (abbreviated, any-case) name stands for.
fn find(typed: &str) -> Result<&'static OptionDef, String> {
    let lower = typed.to_lowercase();
    if let Some(exact) = OPTIONS.iter().find(|s| s.name == lower) {
        return Ok(exact);
    }
    let mut matches: Vec<&OptionDef> = OPTIONS
        .iter()
        .filter(|s| s.name.starts_with(&lower))
        .collect();
    match matches.len() {
        0 => Err(format!("Unknown option: {lower}")),
        1 => Ok(matches[0]),
        _ => {
            matches.sort_by(|a, b| a.name.cmp(b.name));
            let names: Vec<&str> = matches.iter().map(|s| s.name).collect();
            Err(format!(
                "Option {lower} is ambiguous ({})",
                names.join(", ")
            ))
        }
    }
}

fn check_value(def: &OptionDef, value: &str) -> Result<(), String> {
    let (ok, expected) = match def.takes {
        Takes::Nothing | Takes::Text(_) | Takes::Choice(..) => (true, ""),
        Takes::Integer(_) => (is_integer(value), "number expected"),
        Takes::Real(_) => (is_real(value), "real number expected"),
    };
    if ok {
        Ok(())
    } else {
        Err(format!(
            "Value \"{value}\" invalid for option {} ({expected})",
            def.name
        ))
    }
}

/// Getopt::Long's integer: `[-+]?[0-9_]+` with at least one digit.
pub fn is_integer(text: &str) -> bool {
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit() || b == b'_')
        && digits.bytes().any(|b| b.is_ascii_digit())
}

/// Getopt::Long's real number: `[-+]?[0-9_]*(\.[0-9_]+)?([eE][-+]?[0-9_]+)?` with a digit.
pub fn is_real(text: &str) -> bool {
    let body = text.strip_prefix(['-', '+']).unwrap_or(text);
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(at) => (&body[..at], Some(&body[at + 1..])),
        None => (body, None),
    };
    let (int, fraction) = match mantissa.split_once('.') {
        Some((int, fraction)) => (int, Some(fraction)),
        None => (mantissa, None),
    };
    let digits_or_underscore = |s: &str| s.bytes().all(|b| b.is_ascii_digit() || b == b'_');
    let has_digit = |s: &str| s.bytes().any(|b| b.is_ascii_digit());
    let mantissa_ok = digits_or_underscore(int)
        && fraction.is_none_or(|f| !f.is_empty() && digits_or_underscore(f))
        && (has_digit(int) || fraction.is_some_and(has_digit));
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        !e.is_empty() && digits_or_underscore(e) && has_digit(e)
    });
    mantissa_ok && exponent_ok
}

/// The number a checked integer or real text stands for (underscores ignored).
pub fn number(text: &str) -> f64 {
    let cleaned: String = text.chars().filter(|&c| c != '_').collect();
    cleaned.parse().unwrap_or(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(args: &[&str]) -> Result<Parsed, String> {
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        parse(&args)
    }

    fn err(args: &[&str]) -> String {
        run(args).unwrap_err()
    }

    #[test]
    fn getopt_error_messages() {
        assert_eq!(
            err(&["--f", "x"]),
            "Option f is ambiguous (factor, flamechart, fontsize, fonttype, fontwidth)"
        );
        assert_eq!(
            err(&["--c"]),
            "Option c is ambiguous (colors, countname, cp)"
        );
        assert_eq!(
            err(&["--width", "12.5"]),
            "Value \"12.5\" invalid for option width (number expected)"
        );
        assert_eq!(
            err(&["--fontsize", "12."]),
            "Value \"12.\" invalid for option fontsize (real number expected)"
        );
        assert_eq!(err(&["--title"]), "Option title requires an argument");
        assert_eq!(err(&["--title="]), "Option title requires an argument");
        assert_eq!(err(&["--hash=1"]), "Option hash does not take an argument");
        assert_eq!(err(&["-Bogus"]), "Unknown option: bogus");
        assert_eq!(err(&["---hash"]), "Unknown option: -hash");
    }

    #[test]
    fn getopt_accepts_perl_forms() {
        let parsed = run(&[
            "a",
            "--WIDTH",
            "7",
            "-inv",
            "b",
            "--title=x=y",
            "--color",
            "java",
        ])
        .unwrap();
        assert_eq!(parsed.files, ["a", "b"]);
        assert_eq!(parsed.value(Opt::Width), Some("7"));
        assert!(parsed.flag(Opt::Inverted));
        assert_eq!(parsed.value(Opt::Title), Some("x=y"));
        assert_eq!(parsed.value(Opt::Colors), Some("java"));
        let parsed = run(&["--title", "--width", "-", "--", "--hash"]).unwrap();
        assert_eq!(parsed.value(Opt::Title), Some("--width"));
        assert_eq!(parsed.files, ["-", "--hash"]);
        let parsed = run(&["--width=-5", "--fontsize", "-.5e-3", "--width", "1_000"]).unwrap();
        assert_eq!(parsed.value(Opt::Width), Some("1_000"));
        assert_eq!(number("1_000"), 1000.0);
        assert_eq!(parsed.value(Opt::FontSize), Some("-.5e-3"));
    }

    #[test]
    fn number_syntax() {
        for ok in ["1", "+5", "-3", ".5", "1e3", "1.5E-2", "1_0.2_5"] {
            assert!(is_real(ok), "{ok}");
        }
        for bad in ["", "12.", "5e", "_", "abc", " 3", "1.2.3", "."] {
            assert!(!is_real(bad), "{bad}");
        }
        assert!(is_integer("-5") && is_integer("1_000"));
        assert!(!is_integer("_") && !is_integer("1.0") && !is_integer(""));
    }
}
