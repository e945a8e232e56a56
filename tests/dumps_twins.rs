//! The bundled captures against their protobuf twins (`twin.pb.gz`, the `?debug=0` profile
//! taken right before the text): the text's folding equals the twin's mapped by the twin rules
//! of docs/goroutine-dumps.md, "Compared with the protobuf", except for the differences that
//! section calls inherent (depth limits, the goroutine that wrote the page, goroutines that
//! ran between the two requests).

mod common;
use common::twin::{assert_same, collapse, debug1_rule, debug2_rule, map_stacks, Folded, Rule};
use std::path::Path;

fn case(name: &str, file: &str) -> Vec<u8> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/goroutine-dumps");
    std::fs::read(dir.join(name).join(file)).unwrap_or_else(|e| panic!("{name}/{file}: {e}"))
}

/// Folds the text and the twin of case `name` with `args`; the twin mapped by `rule`.
fn fold_both(name: &str, args: &[&str], rule: Rule) -> (Folded, Folded) {
    let text = collapse(args, &case(name, "in.txt"));
    let twin = map_stacks(&collapse(args, &case(name, "twin.pb.gz")), rule);
    (text, twin)
}

fn without(folded: Folded, parts: &[&str]) -> Folded {
    folded
        .into_iter()
        .filter(|(stack, _)| !parts.iter().any(|p| stack.contains(p)))
        .collect()
}

#[test]
fn debug1_texts_fold_exactly_like_their_twins() {
    let (text, twin) = fold_both(
        "debug1-zoo-go1.26-labels",
        &["--labels"],
        debug1_rule((1, 26)),
    );
    assert_same(&text, &twin, "goroutine ?debug=1, labels");
    for (name, args) in [
        ("heap-zoo-go1.26", &[][..]),
        ("heap-zoo-go1.26", &["-i", "alloc_objects"][..]),
        ("heap-zoo-go1.26", &["-i", "inuse_objects"][..]),
        ("allocs-zoo-go1.26-alloc-space", &["-i", "alloc_space"][..]),
        ("block-zoo-go1.26", &[][..]),
        ("block-zoo-go1.26", &["-i", "contentions"][..]),
        ("mutex-zoo-go1.26-contentions", &["-i", "contentions"][..]),
        ("mutex-zoo-go1.26-contentions", &[][..]),
    ] {
        let (text, twin) = fold_both(name, args, Box::new(|f| f));
        assert_same(&text, &twin, &format!("{name} {args:?}"));
    }
}

#[test]
fn debug2_dumps_fold_like_their_twins_but_for_the_inherent_differences() {
    // The 130-deep recursion (depth limits) and the goroutine that wrote the page differ.
    let inherent = ["main.deep", "runtime/pprof.write"];
    for (name, args, version) in [
        ("debug2-zoo-go1.21-created-by", &[][..], (1, 21)),
        (
            "debug2-zoo-go1.26-header-labels",
            &["--tag-root", "tenant"][..],
            (1, 26),
        ),
    ] {
        let (text, twin) = fold_both(name, args, debug2_rule(version));
        let (text, twin) = (without(text, &inherent), without(twin, &inherent));
        assert!(text.len() > 20, "{name}: {} stacks", text.len());
        assert_same(&text, &twin, name);
    }
}
