//! Property tests for pprof-collapse's filters and comparisons: random option mixes with random
//! regexps and tag filters, on real profiles and mutated ones, never panic; and the options
//! agree with each other where pprof's semantics say they must (focus and ignore split the
//! samples, `--diff_base` columns differ by what `--base` gives, a profile compared with itself).
//!
//! `PROPTEST_CASES=N cargo test --release --test collapse_filters_props` runs a longer session.

use flamepipe::collapse::{collapse_to_vec, Options, SampleIndex};
use flamepipe::profile::{parse_profile, Profile};
use flamepipe::shape::{shape, BaseMode, Filters, Input, Output, ShapeSpec};
use proptest::prelude::*;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::OnceLock;

/// The bundled profiles the cases run on (name, bytes).
fn profiles() -> &'static [(String, Vec<u8>)] {
    static PROFILES: OnceLock<Vec<(String, Vec<u8>)>> = OnceLock::new();
    PROFILES.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
        let mut out = Vec::new();
        for (dir, names) in [
            (
                "collapse/inputs",
                &[
                    "cpu.pb.gz",
                    "cpu.raw.txt",
                    "heap.pb.gz",
                    "allocs.pb.gz",
                    "goroutine.pb.gz",
                    "block.pb.gz",
                    "mutex.pb.gz",
                    "heap_delta.pb.gz",
                    "report.sample.cpu",
                ][..],
            ),
            (
                "collapse-filters/profiles",
                &[
                    "diffdemo-cpu-a.pb.gz",
                    "diffdemo-cpu-b.pb.gz",
                    "quirks.pb.gz",
                ][..],
            ),
        ] {
            for name in names {
                let bytes = std::fs::read(root.join(dir).join(name)).expect("bundled profile");
                out.push((name.to_string(), bytes));
            }
        }
        out
    })
}

/// Regexps built from pieces that real filters use, valid or not.
fn regexp() -> BoxedStrategy<String> {
    let piece = prop_oneof![
        Just("main".to_string()),
        Just("runtime".to_string()),
        Just("sort".to_string()),
        Just("worker".to_string()),
        Just("gen".to_string()),
        Just("lib".to_string()),
        Just("pkg".to_string()),
        Just("X".to_string()),
        Just("\\.".to_string()),
        Just(".".to_string()),
        Just("*".to_string()),
        Just("+".to_string()),
        Just("?".to_string()),
        Just("(".to_string()),
        Just(")".to_string()),
        Just("[".to_string()),
        Just("]".to_string()),
        Just("^".to_string()),
        Just("$".to_string()),
        Just("|".to_string()),
        Just("\\".to_string()),
        Just("{2}".to_string()),
        Just("{1,}".to_string()),
        Just("(?i)".to_string()),
        Just("[^a]".to_string()),
        Just("\\d".to_string()),
        Just("\\pL".to_string()),
        Just("é".to_string()),
        Just("(*".to_string()),
        Just(":".to_string()),
        Just(",".to_string()),
        Just("=".to_string()),
        "[a-z]{1,4}".prop_map(|s: String| s),
    ];
    proptest::collection::vec(piece, 0..6)
        .prop_map(|p| p.concat())
        .boxed()
}

/// Tag filters: numbers with units and ranges, keys, regexp lists.
fn tag_filter() -> BoxedStrategy<String> {
    let number = prop_oneof![
        Just("1".to_string()),
        Just("-3".to_string()),
        Just("64kb".to_string()),
        Just("1mb".to_string()),
        Just("2s".to_string()),
        Just("1ms".to_string()),
        Just("3x".to_string()),
        Just("99999999999999999999".to_string()),
        "[0-9]{1,4}[a-z]{0,3}",
    ];
    let value = prop_oneof![
        number.clone(),
        number.clone().prop_map(|n| format!("{n}:")),
        number.clone().prop_map(|n| format!(":{n}")),
        (number.clone(), number).prop_map(|(a, b)| format!("{a}:{b}")),
        regexp(),
        (regexp(), regexp()).prop_map(|(a, b)| format!("{a},{b}")),
    ];
    let key = prop_oneof![
        Just(""),
        Just("worker="),
        Just("bytes="),
        Just("phase="),
        Just("pprof::base="),
        Just("="),
        Just("age="),
    ];
    (key, value).prop_map(|(k, v)| format!("{k}{v}")).boxed()
}

// Boxed: the unboxed strategy types are so deep that generating a value overflows the test
// thread's stack in debug builds.
fn spec() -> BoxedStrategy<ShapeSpec> {
    let re = || proptest::option::weighted(0.25, regexp());
    let tag = || proptest::option::weighted(0.25, tag_filter());
    (
        (re(), re(), re(), re(), re(), re()),
        (tag(), tag(), re(), re()),
        (any::<bool>(), any::<bool>()),
    )
        .prop_map(|(r, t, flags)| ShapeSpec {
            focus: r.0,
            ignore: r.1,
            hide: r.2,
            show: r.3,
            show_from: r.4,
            prune_from: r.5,
            tagfocus: t.0,
            tagignore: t.1,
            tagshow: t.2,
            taghide: t.3,
            normalize: flags.0,
            drop_negative: flags.1,
        })
        .boxed()
}

fn fold_options() -> impl Strategy<Value = Options> {
    (0..4usize, any::<bool>(), any::<bool>(), any::<bool>()).prop_map(|(i, labels, root, lines)| {
        Options {
            sample_index: match i {
                0 => Some(SampleIndex::Number(1)),
                1 => Some(SampleIndex::Name("inuse_space".into())),
                _ => None,
            },
            labels,
            tag_root: if root && !labels {
                vec!["worker".into(), "bytes".into()]
            } else {
                vec![]
            },
            tag_leaf: vec![],
            lines,
        }
    })
}

/// A profile, sometimes with a few bytes changed (then it may not decode at all).
fn profile_bytes() -> impl Strategy<Value = Vec<u8>> {
    let count = profiles().len();
    (
        0..count,
        proptest::collection::vec((any::<usize>(), any::<u8>()), 0..3),
    )
        .prop_map(move |(i, flips)| {
            let mut bytes = profiles()[i].1.clone();
            if !flips.is_empty() && !bytes.starts_with(&[0x1f, 0x8b]) {
                for (at, b) in flips {
                    let n = bytes.len();
                    bytes[at % n] ^= b;
                }
            }
            bytes
        })
}

/// Shapes and folds; the text, or the error's message.
fn run(
    input: &Profile,
    base: Option<(&Profile, BaseMode)>,
    spec: &ShapeSpec,
    options: &Options,
) -> Result<Vec<u8>, String> {
    let filters = Filters::compile(spec).map_err(|e| e.to_string())?;
    let inputs = [Input {
        name: "in",
        profile: input,
    }];
    let base = base.map(|(profile, mode)| {
        (
            Input {
                name: "base",
                profile,
            },
            mode,
        )
    });
    let output = shape(&inputs, base, &filters, options)
        .map_err(|e| e.to_string())?
        .output;
    if let Output::Single(f) = &output {
        assert!(!spec.drop_negative || f.negative_count() == 0);
    }
    output.write_to(Vec::new()).map_err(|e| e.to_string())
}

/// `STACK VALUE` lines as a map (the last field is the value, the rest the stack).
fn sums(text: &[u8]) -> BTreeMap<String, Vec<i128>> {
    String::from_utf8_lossy(text)
        .lines()
        .map(|line| {
            let mut fields: Vec<&str> = line.rsplitn(3, ' ').collect();
            fields.reverse();
            let n = if fields.len() == 3 && fields[1].parse::<i128>().is_ok() {
                2
            } else {
                1
            };
            let stack = fields[..fields.len() - n].join(" ");
            let values = fields[fields.len() - n..]
                .iter()
                .map(|v| v.parse().expect("a number"))
                .collect();
            (stack, values)
        })
        .collect()
}

fn total(text: &[u8]) -> i128 {
    sums(text).values().map(|v| v[v.len() - 1]).sum()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    /// Any mix of options on any profile, with or without a base: a result or an error,
    /// never a panic; `--drop_negative` leaves no negative stack.
    #[test]
    fn option_mixes_never_panic(
        input in profile_bytes(),
        base in proptest::option::of((profile_bytes(), any::<bool>())),
        spec in spec(),
        options in fold_options(),
    ) {
        let Ok(input) = parse_profile(input) else { return Ok(()) };
        let base = base.and_then(|(b, diff)| Some((parse_profile(b).ok()?, diff)));
        let mode = |diff: bool| if diff { BaseMode::Diff } else { BaseMode::Subtract };
        let base_ref = base.as_ref().map(|(p, diff)| (p, mode(*diff)));
        let mut spec = spec;
        spec.normalize &= base_ref.is_some();
        let _ = run(&input, base_ref, &spec, &options);
    }

    /// `--focus RE` and `--ignore RE` split the samples with a stack between them.
    #[test]
    fn focus_and_ignore_split_the_samples(i in 0..9usize, re in regexp()) {
        prop_assume!(!re.is_empty());
        let input = parse_profile(profiles()[i].1.clone()).expect("bundled profile");
        let options = Options::default();
        let focus = ShapeSpec { focus: Some(re.clone()), ..ShapeSpec::default() };
        let ignore = ShapeSpec { ignore: Some(re), ..ShapeSpec::default() };
        let all = ShapeSpec { focus: Some(String::new()), ..ShapeSpec::default() };
        if let (Ok(f), Ok(g)) = (run(&input, None, &focus, &options), run(&input, None, &ignore, &options)) {
            let everything = run(&input, None, &all, &options).expect("no filter");
            prop_assert_eq!(total(&f) + total(&g), total(&everything));
        }
    }

    /// For every stack, NEW − BASE of `--diff_base` is what `--base` gives, under the same
    /// stack filters.
    #[test]
    fn diff_base_columns_differ_by_base(
        i in 0..12usize,
        j in 0..12usize,
        spec in spec(),
    ) {
        let (input, base) = (&profiles()[i].1, &profiles()[j].1);
        let (input, base) = (parse_profile(input.clone()).unwrap(), parse_profile(base.clone()).unwrap());
        let spec = ShapeSpec {
            tagfocus: None,
            tagignore: None,
            normalize: false,
            drop_negative: false,
            ..spec
        };
        let options = Options::default();
        let diff = run(&input, Some((&base, BaseMode::Diff)), &spec, &options);
        let net = run(&input, Some((&base, BaseMode::Subtract)), &spec, &options);
        match (diff, net) {
            (Ok(diff), Ok(net)) => {
                let from_diff: BTreeMap<String, i128> = sums(&diff)
                    .into_iter()
                    .map(|(s, v)| (s, v[1] - v[0]))
                    .filter(|(_, v)| *v != 0)
                    .collect();
                let net: BTreeMap<String, i128> =
                    sums(&net).into_iter().map(|(s, v)| (s, v[0])).collect();
                prop_assert_eq!(from_diff, net);
            }
            (Err(a), Err(b)) => prop_assert_eq!(a, b),
            (a, b) => prop_assert!(false, "one failed: {:?} / {:?}", a.err(), b.err()),
        }
    }
}

/// A profile compared with itself: both columns equal; subtracted from itself: nothing left.
#[test]
fn a_profile_against_itself() {
    for (name, bytes) in profiles() {
        let p = parse_profile(bytes.clone()).expect("bundled profile");
        let options = Options::default();
        let spec = ShapeSpec::default();
        let diff = run(&p, Some((&p, BaseMode::Diff)), &spec, &options).expect("compatible");
        for (stack, v) in sums(&diff) {
            assert_eq!(v[0], v[1], "{name}: {stack}");
        }
        let plain = collapse_to_vec(&[(name, &p)], options.clone()).expect("folds");
        assert_eq!(sums(&diff).len(), sums(&plain).len(), "{name}");
        let net = run(&p, Some((&p, BaseMode::Subtract)), &spec, &options).expect("compatible");
        assert!(net.is_empty(), "{name}");
    }
}
