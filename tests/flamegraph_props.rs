//! Property tests: random bytes and random option mixes through the folded parser and the
//! renderer never panic, never fail, and always give a well-formed SVG (spec D5/D6).
//!
//! `PROPTEST_CASES=N cargo test --release --test flamegraph_props` runs a longer session.

mod common;

use std::io::Cursor;

use flamepipe::flamegraph::{
    nameattr, render, Error, Input, MinWidth, Options, Outcome, Palette, Seeding, Total, Units,
};
use proptest::prelude::*;

/// Bytes that look like folded stacks often enough to reach the deep paths.
fn folded_bytes() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        Just(b";".to_vec()),
        Just(b" ".to_vec()),
        Just(b"\t".to_vec()),
        Just(b"\r".to_vec()),
        Just(b"\n".to_vec()),
        Just(b"--".to_vec()),
        Just(b"-".to_vec()),
        Just(b".".to_vec()),
        Just(b"_[k]".to_vec()),
        Just(b"_[j]".to_vec()),
        Just(b"java/x".to_vec()),
        Just(b"a::b".to_vec()),
        Just(b"<&>\"'".to_vec()),
        Just("\u{3000}".as_bytes().to_vec()),
        Just("日本".as_bytes().to_vec()),
        Just(b"\xef\xbb\xbf".to_vec()),
        Just(b"\xff\xc3".to_vec()),
        Just(b"\x01".to_vec()),
        "[a-z]{1,6}".prop_map(String::into_bytes),
        "[0-9]{1,4}".prop_map(String::into_bytes),
        "[0-9]{1,3}\\.[0-9]{0,3}".prop_map(String::into_bytes),
        proptest::collection::vec(any::<u8>(), 1..4),
    ];
    proptest::collection::vec(piece, 0..120).prop_map(|pieces| pieces.concat())
}

fn options() -> impl Strategy<Value = Options> {
    let colors = prop_oneof![
        Just("hot"),
        Just("mem"),
        Just("io"),
        Just("red"),
        Just("green"),
        Just("blue"),
        Just("yellow"),
        Just("purple"),
        Just("aqua"),
        Just("orange"),
        Just("java"),
        Just("perl"),
        Just("js"),
        Just("wakeup"),
        Just("chain"),
        Just("go"),
        Just("bogus"),
    ];
    let units = prop_oneof![
        Just(None),
        Just(Some("bytes")),
        Just(Some("ns")),
        Just(Some("hours")),
        Just(Some("goroutines")),
    ];
    let minwidth = prop_oneof![
        Just(MinWidth::Pixels(0.1)),
        Just(MinWidth::Pixels(0.0)),
        (0.0f64..50.0).prop_map(MinWidth::Pixels),
        (0.0f64..100.0).prop_map(MinWidth::Percent),
    ];
    let text = "[ -~\u{e9}\u{2028}<>&\"']{0,12}";
    (
        (
            colors,
            any::<[bool; 7]>(),
            minwidth,
            1.0f64..3000.0,
            1.0f64..40.0,
            0.0f64..30.0,
        ),
        (
            proptest::option::of(0.0f64..10_000.0),
            prop_oneof![Just(1.0), 0.001f64..100.0],
            text,
            text,
            text,
            (any::<bool>(), units),
        ),
    )
        .prop_map(
            |(
                (colors, flags, minwidth, width, height, fontsize),
                (total, factor, title, notes, nametype, (attrs, units)),
            )| {
                let [hash, random, reverse, inverted, flamechart, negate, subtitle] = flags;
                Options {
                    colors: Palette::from_name(colors).unwrap_or(Palette::UNKNOWN),
                    units: units.and_then(Units::parse),
                    seeding: Seeding::from_flags(hash, random),
                    reverse,
                    inverted,
                    flamechart,
                    negate,
                    minwidth,
                    width: width.round(),
                    height: height.round(),
                    fontsize,
                    subtitle: if subtitle {
                        title.clone()
                    } else {
                        String::new()
                    },
                    title,
                    notes,
                    nametype,
                    total: total.map(|value| Total {
                        value,
                        text: value.to_string(),
                    }),
                    factor,
                    nameattr: attrs.then(|| {
                        nameattr::parse("a\tclass=x\thref=http://e/\nb\ttitle=t\tid=i\n").unwrap()
                    }),
                    ..Options::default()
                }
            },
        )
}

fn try_render_bytes(input: &[u8], opts: &Options) -> (Result<Outcome, Error>, Vec<u8>) {
    let inputs = vec![Input {
        name: "-".into(),
        reader: Box::new(Cursor::new(input.to_vec())),
    }];
    let mut out = Vec::new();
    let mut warnings = Vec::new();
    let outcome = render(inputs, opts, &mut out, &mut warnings);
    (outcome, out)
}

fn render_bytes(input: &[u8], opts: &Options) -> (Outcome, Vec<u8>) {
    let (outcome, out) = try_render_bytes(input, opts);
    (outcome.expect("render never fails on folded bytes"), out)
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(64),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn any_bytes_any_options_give_well_formed_svg(input in folded_bytes(), opts in options()) {
        let (outcome, svg) = match try_render_bytes(&input, &opts) {
            (Ok(outcome), svg) => (outcome, svg),
            // a start that looks like a pprof profile is refused before anything is written
            (Err(Error::NotFolded { .. }), svg) => {
                prop_assert!(svg.is_empty());
                return Ok(());
            }
            (Err(err), _) => return Err(TestCaseError::fail(format!("render failed: {err}"))),
        };
        let graph = common::flamegraph::parse_graph(&svg);
        prop_assert!(graph.is_ok(), "{:?}", graph.err());
        let text = String::from_utf8_lossy(&svg);
        // the error SVG exactly when nothing was counted; else the full document
        prop_assert_eq!(outcome == Outcome::Drawn, text.contains("<g id=\"frames\">"));
    }

    #[test]
    fn raw_random_bytes_never_panic(input in proptest::collection::vec(any::<u8>(), 0..600)) {
        match try_render_bytes(&input, &Options::default()) {
            (Ok(_), svg) => prop_assert!(common::flamegraph::parse_graph(&svg).is_ok()),
            // bytes that start like a pprof profile are refused before anything is written
            (Err(Error::NotFolded { .. }), svg) => prop_assert!(svg.is_empty()),
            (Err(err), _) => prop_assert!(false, "render failed: {err}"),
        }
    }
}

/// The `--cp` path with a random palette.map in a scratch directory.
#[test]
fn consistent_palette_with_hostile_map_is_well_formed() {
    let dir = common::flamegraph::scratch_dir("props-cp");
    let map = dir.join("palette.map");
    std::fs::write(&map, b"a->rgb(1,2,3)\n->\n\xff->x->y\nnoarrow\r\n").unwrap();
    let opts = Options {
        cp: true,
        palette_map: map.clone(),
        ..Options::default()
    };
    let (outcome, svg) = render_bytes(b"a;b 3\nc 1 2\n-;-- 1\n", &opts);
    assert_eq!(outcome, Outcome::Drawn);
    assert!(common::flamegraph::parse_graph(&svg).is_ok());
    let written = std::fs::read_to_string(&map).unwrap();
    assert!(written.starts_with("->"), "{written}");
    assert!(written.contains("a->rgb(1,2,3)\n"));
    let _ = std::fs::remove_dir_all(&dir);
}

/// Counts beyond f64 range make infinite and NaN times: still no panic, still XML.
#[test]
fn absurd_counts_are_survived() {
    let huge = format!("1{}", "0".repeat(400));
    for flamechart in [false, true] {
        let input = format!("a;b {huge}\na;c 5\nb {huge} 3\nc 0.{huge}\n");
        let opts = Options {
            flamechart,
            minwidth: MinWidth::Pixels(0.0),
            ..Options::default()
        };
        let (_, svg) = render_bytes(input.as_bytes(), &opts);
        assert!(common::flamegraph::parse_graph(&svg).is_ok());
    }
}
