//! Unit tests of the `-raw` text parser.
use super::*;

type Mapping<'a> = Option<(u64, &'a [u8])>;

fn mapping(line: &str) -> Mapping<'_> {
    let text = Text {
        s: line.as_bytes(),
        at: 0,
    };
    split_mapping(text).map(|(id, file)| (id, file.s))
}

#[test]
fn mapping_lines_give_their_file() {
    let cases: [(&str, Mapping<'_>); 6] = [
        (
            "1: 0x400000/0x672000/0x0 /srv/gen/gen  [FN]",
            Some((1, b"/srv/gen/gen")),
        ),
        (
            "2: 0x7f00/0x7fff/0x0 /lib/libc.so.6 abc123 [FN][FL]",
            Some((2, b"/lib/libc.so.6")),
        ),
        (
            "3: 0x1/0x2/0x0 /my dir/my app id [FN]",
            Some((3, b"/my dir/my app")),
        ),
        ("4: 0x1/0x2/0x0 [vdso]", Some((4, b"[vdso]"))),
        ("5: 0x0/0x0/0x0", Some((5, b""))),
        ("not a mapping", None),
    ];
    for (line, want) in cases {
        assert_eq!(mapping(line), want, "{line}");
    }
}

#[test]
fn locations_get_their_mapping_names() {
    let text = "Samples:\nsamples/count\n1: 1 2 3\nLocations\n\
                1: 0x10 M=1 main.f /src/f.go:3 s=0\n2: 0x20 M=9 \n3: 0x30 \n\
                Mappings\n1: 0x0/0x100/0x0 /bin/app  [FN]\n";
    let p = parse_raw(text.as_bytes().to_vec()).unwrap();
    let names: Vec<StrId> = p.locations.iter().map(|l| l.mapping).collect();
    assert_eq!(p.string(names[0]), b"/bin/app");
    assert_eq!(&names[1..], &[crate::profile::NONE, crate::profile::NONE]);
    let line = p.lines(&p.locations[0])[0];
    assert_eq!(
        (p.string(line.name), p.string(line.file)),
        (&b"main.f"[..], &b"/src/f.go"[..])
    );
}
