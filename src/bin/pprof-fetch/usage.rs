//! Usage errors: the one-line message of a clap error, built from its kind and context (never
//! from clap's rendered text), as the first line of `pprof-fetch: MESSAGE`, usage and help hint.

use clap::builder::StyledStr;
use clap::error::{ContextKind, ContextValue, ErrorKind};
use flamepipe::cli::suggest;

/// go-torch options that belong to the later stages of the pipeline (docs/pprof-fetch.md,
/// "go-torch command line, mapped").
const GO_TORCH_OPTIONS: &[&str] = &[
    "-f",
    "--file",
    "-p",
    "--print",
    "-r",
    "--raw",
    "--title",
    "--width",
    "--colors",
    "--hash",
    "--cp",
    "--reverse",
    "--inverted",
    "-b",
    "--binaryinput",
    "--binaryname",
    "--pprofArgs",
    "-inuse_space",
    "-inuse_objects",
    "-alloc_space",
    "-alloc_objects",
    "-sample_index",
    "--inuse_space",
    "--inuse_objects",
    "--alloc_space",
    "--alloc_objects",
    "--sample_index",
];

const GO_TORCH_HINT: &str = "(this go-torch option belongs to pprof-collapse or flamegraph)";

/// The message for a command line clap rejected: a go-torch option of another stage says where
/// it belongs; otherwise clap's own first line, with the possible values when it has them.
pub fn message(err: &clap::Error, argv: &[String]) -> String {
    if err.kind() == ErrorKind::UnknownArgument {
        if let Some(option) = go_torch_option(argv) {
            return format!("unexpected argument '{option}' {GO_TORCH_HINT}");
        }
        if let Some((typed, near)) = mistyped_option(err, argv) {
            return StyledStr::from(format!(
                "unexpected argument '{typed}' found (did you mean '{near}'?)"
            ))
            .to_string();
        }
    }
    let first = first_line(err);
    let message = match err.get(ContextKind::ValidValue) {
        Some(ContextValue::Strings(values)) if !values.is_empty() => {
            format!("{first} [possible values: {}]", values.join(", "))
        }
        _ => first,
    };
    // Printed as clap prints its own messages: escape sequences and control characters (from
    // the user's values) dropped, for terminal safety.
    StyledStr::from(message).to_string()
}

/// The first line of clap's message for this kind of error, from the error's context.
fn first_line(err: &clap::Error) -> String {
    let arg = context_text(err, ContextKind::InvalidArg);
    let value = context_text(err, ContextKind::InvalidValue);
    match (err.kind(), arg, value) {
        (ErrorKind::UnknownArgument, Some(arg), _) => format!("unexpected argument '{arg}' found"),
        (ErrorKind::InvalidValue, Some(arg), Some("")) => {
            format!("a value is required for '{arg}' but none was supplied")
        }
        (ErrorKind::InvalidValue, Some(arg), Some(value)) => {
            format!("invalid value '{value}' for '{arg}'")
        }
        (ErrorKind::ValueValidation, Some(arg), Some(value)) => {
            match std::error::Error::source(err) {
                Some(reason) => format!("invalid value '{value}' for '{arg}': {reason}"),
                None => format!("invalid value '{value}' for '{arg}'"),
            }
        }
        (ErrorKind::TooManyValues, Some(arg), Some(value)) => {
            format!("unexpected value '{value}' for '{arg}' found; no more were expected")
        }
        (ErrorKind::NoEquals, Some(arg), _) => {
            format!("equal sign is needed when assigning values to '{arg}'")
        }
        (ErrorKind::ArgumentConflict, Some(arg), _) => conflict(err, arg),
        (kind, _, _) => kind.as_str().unwrap_or("invalid command line").to_string(),
    }
}

/// An option given twice, or two options that exclude each other.
fn conflict(err: &clap::Error, arg: &str) -> String {
    match err.get(ContextKind::PriorArg) {
        Some(ContextValue::String(prior)) if prior == arg => {
            format!("the argument '{arg}' cannot be used multiple times")
        }
        Some(ContextValue::String(prior)) => {
            format!("the argument '{arg}' cannot be used with '{prior}'")
        }
        Some(ContextValue::Strings(_)) => format!("the argument '{arg}' cannot be used with:"),
        Some(_) => format!(
            "the argument '{arg}' cannot be used with one or more of the other specified arguments"
        ),
        None => format!("the argument '{arg}' cannot be used with"),
    }
}

fn context_text(err: &clap::Error, kind: ContextKind) -> Option<&str> {
    match err.get(kind) {
        Some(ContextValue::String(text)) => Some(text),
        _ => None,
    }
}

/// The option a typo was probably meant to be: clap's suggestion for a long option, or for a
/// single-dash word (`-secnds`, which clap reads as `-s`) the long option within two edits.
fn mistyped_option(err: &clap::Error, argv: &[String]) -> Option<(String, String)> {
    let typed = context_text(err, ContextKind::InvalidArg)?.to_owned();
    if let Some(ContextValue::String(near)) = err.get(ContextKind::SuggestedArg) {
        return Some((typed, near.clone()));
    }
    let command = flamepipe::cli::fetch::command();
    let longs: Vec<&str> = command
        .get_arguments()
        .filter_map(|a| a.get_long())
        .collect();
    argv.iter()
        .skip(1)
        .take_while(|a| a.as_str() != "--")
        .filter_map(|a| a.strip_prefix('-').filter(|b| !b.starts_with('-')))
        .map(|body| body.split('=').next().unwrap_or(body))
        .filter(|body| body.len() > 2)
        .find_map(|body| {
            let near = longs
                .iter()
                .find(|long| suggest::edit_distance(body, long) <= 2)?;
            Some((format!("-{body}"), format!("--{near}")))
        })
}

/// The first go-torch option of another stage on the command line, if any.
fn go_torch_option(argv: &[String]) -> Option<&str> {
    argv.iter()
        .skip(1)
        .take_while(|a| a.as_str() != "--")
        .map(|a| a.split('=').next().unwrap_or(a))
        .find(|a| GO_TORCH_OPTIONS.contains(a))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;
    use flamepipe::cli::fetch::Args;

    fn argv(line: &[&str]) -> Vec<String> {
        std::iter::once("pprof-fetch")
            .chain(line.iter().copied())
            .map(String::from)
            .collect()
    }

    fn error(line: &[&str]) -> clap::Error {
        Args::try_parse_from(argv(line)).expect_err("a usage error")
    }

    /// Our message is clap's own first line (and its list of possible values), so the
    /// binary's output is what it was when it read clap's rendered text.
    #[test]
    fn messages_match_claps_own_first_line() {
        let lines: &[&[&str]] = &[
            &["--bogus"],
            &["-j", "0"],
            &["--jobs", "x"],
            &["-t", "0"],
            &["-t"],
            &["--timeout", "x"],
            &["-H", "no colon"],
            &["--profile", "hep"],
            &["--profile="],
            &["-u", "a", "-u", "b"],
            &["-q", "-q"],
            &["--insecure=yes"],
            &["-H", "X: a\u{1}b"],
        ];
        for line in lines {
            let err = error(line);
            let rendered = err.render().to_string();
            let mut expected = rendered.lines().next().unwrap().replace("error: ", "");
            if let Some(values) = rendered.lines().find(|l| l.contains("[possible values:")) {
                expected = format!("{expected} {}", values.trim());
            }
            assert_eq!(message(&err, &argv(line)), expected, "{line:?}");
        }
    }

    #[test]
    fn go_torch_options_say_where_they_belong() {
        let line = ["--title=x", "h:1"];
        assert_eq!(
            message(&error(&line), &argv(&line)),
            format!("unexpected argument '--title' {GO_TORCH_HINT}")
        );
        let line = ["--bogus", "--", "-inuse_space"];
        assert_eq!(
            message(&error(&line), &argv(&line)),
            "unexpected argument '--bogus' found"
        );
    }
}
