//! The twin rules (docs/goroutine-dumps.md, "Compared with the protobuf"): how the folding of a
//! goroutine text relates to the folding of the protobuf taken at the same moment, as functions
//! that map the protobuf's stacks to the text's; for tests/dumps_go.rs (a real Go program) and
//! tests/dumps_twins.rs (the bundled captures and their protobuf twins).
#![allow(dead_code)]

use super::process::run_with_stdin;
use std::collections::BTreeMap;

/// Folded stacks and their values.
pub type Folded = BTreeMap<String, i128>;

/// A frame list, root first, mapped to another.
pub type Rule = Box<dyn Fn(Vec<String>) -> Vec<String>>;

pub fn collapse(args: &[&str], input: &[u8]) -> Folded {
    // pprof-collapse on `input` (stdin), which must succeed.
    let out = run_with_stdin(env!("CARGO_BIN_EXE_pprof-collapse"), args, input);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "pprof-collapse {args:?}: {stderr}");
    parse_folded(&String::from_utf8(out.stdout).expect("UTF-8 output"))
}

/// Asserts equal foldings, naming only the stacks that differ.
pub fn assert_same(got: &Folded, want: &Folded, what: &str) {
    let keys: std::collections::BTreeSet<&String> = got.keys().chain(want.keys()).collect();
    let diff: Vec<String> = keys
        .into_iter()
        .filter(|k| got.get(*k) != want.get(*k))
        .map(|k| format!("{k}: text {:?}, protobuf {:?}", got.get(k), want.get(k)))
        .collect();
    assert!(
        diff.is_empty(),
        "{what}: stacks differ:\n{}",
        diff.join("\n")
    );
}

pub fn parse_folded(text: &str) -> Folded {
    let mut map = Folded::new();
    for line in text.lines() {
        let (stack, value) = line.rsplit_once(' ').expect("folded line");
        *map.entry(stack.to_string()).or_default() += value.parse::<i128>().expect("value");
    }
    map
}

/// Maps every stack with `rule` (frames root first) and sums stacks that become equal.
pub fn map_stacks(folded: &Folded, rule: impl Fn(Vec<String>) -> Vec<String>) -> Folded {
    let mut out = Folded::new();
    for (stack, value) in folded {
        let frames = stack.split(';').map(generic_rule).collect();
        *out.entry(rule(frames).join(";")).or_default() += value;
    }
    out
}

/// `main.Sum[go.shape.int]` → `main.Sum[...]`: the text from the first `[` to the last `]`.
pub fn generic_rule(frame: &str) -> String {
    match (frame.find('['), frame.rfind(']')) {
        (Some(a), Some(b)) if a < b && !frame.starts_with('[') => {
            format!("{}[...]{}", &frame[..a], &frame[b + 1..])
        }
        _ => frame.to_string(),
    }
}

/// ?debug=1: the leaf-side run of runtime frames is hidden, unless it is every frame.
pub fn debug1_rule(version: (u32, u32)) -> Rule {
    Box::new(move |mut frames: Vec<String>| {
        let hidden = |f: &String| {
            f.starts_with("runtime.") || (version >= (1, 26) && f.starts_with("internal/runtime/"))
        };
        let keep = frames.iter().rposition(|f| !hidden(f)).map_or(0, |i| i + 1);
        let labels = frames.iter().take_while(|f| is_label(f)).count();
        if keep > labels {
            frames.truncate(keep);
        }
        frames
    })
}

fn is_label(frame: &str) -> bool {
    frame.contains('=') && !frame.contains('.')
}

/// ?debug=2: unexported runtime functions are not printed (runtime.gopanic is).
pub fn debug2_rule(version: (u32, u32)) -> Rule {
    Box::new(move |frames: Vec<String>| {
        let kept: Vec<String> = frames
            .iter()
            .filter(|f| {
                is_label(f) || f.as_str() == "runtime.gopanic" || !hidden_at_level_1(f, version)
            })
            .cloned()
            .collect();
        if kept.is_empty() {
            frames
        } else {
            kept
        }
    })
}

fn hidden_at_level_1(frame: &str, version: (u32, u32)) -> bool {
    if !frame.contains('.') {
        return true;
    }
    let Some(x) = frame.strip_prefix("runtime.") else {
        return false;
    };
    let exported = |s: &str| s.starts_with(|c: char| c.is_ascii_uppercase());
    if version < (1, 23) {
        return !exported(x);
    }
    // From 1.23: a method is shown when both its type and the method are exported.
    let receiver = x.trim_start_matches("(*").trim_start_matches('(');
    match receiver.split_once('.') {
        Some((ty, method)) => !(exported(ty) && exported(method.trim_start_matches(")."))),
        None => {
            !exported(x) && !(version >= (1, 26) && (x == "runFinalizers" || x == "runCleanups"))
        }
    }
}
