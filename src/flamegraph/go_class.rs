//! The classes of Go frame names that `--colors go` gives their own hue (docs/flamegraph.md,
//! "Colors": the `go` palette).

use super::color::Hue;

/// The kind of a Go frame name, which picks its hue in the `go` palette (first rule wins).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GoClass {
    /// `key=value` (label frames of `pprof-collapse --labels`/`--tag-*`): purple.
    Label,
    /// `[chan receive]` (goroutine states): blue.
    GoroutineState,
    /// `0x45e1a0` (no symbol): orange.
    Unsymbolized,
    /// `runtime.`, `runtime/`, `internal/runtime/`: red.
    Runtime,
    /// `main.`: green.
    Main,
    /// A module path (`github.com/x/y.F`: a `.` before the first `/`): aqua.
    Module,
    /// The standard library (`net/http.(*conn).serve`, `sort.Slice`): yellow.
    Std,
    /// Everything else (cgo, C, kernel, the root): orange.
    Other,
}

impl GoClass {
    /// The class of a frame name.
    pub fn of(name: &str) -> GoClass {
        let hex = name
            .strip_prefix("0x")
            .is_some_and(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_hexdigit()));
        let module = name
            .split_once('/')
            .is_some_and(|(first, _)| first.contains('.'));
        let std = name.split_once('.').is_some_and(|(head, _)| {
            !head.is_empty()
                && head
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'/')
        });
        if name.contains('=') {
            GoClass::Label
        } else if name.len() >= 2 && name.starts_with('[') && name.ends_with(']') {
            GoClass::GoroutineState
        } else if hex {
            GoClass::Unsymbolized
        } else if ["runtime.", "runtime/", "internal/runtime/"]
            .iter()
            .any(|p| name.starts_with(p))
        {
            GoClass::Runtime
        } else if name.starts_with("main.") {
            GoClass::Main
        } else if module {
            GoClass::Module
        } else if std {
            GoClass::Std
        } else {
            GoClass::Other
        }
    }

    /// The hue of the class.
    pub fn hue(self) -> Hue {
        match self {
            GoClass::Label => Hue::Purple,
            GoClass::GoroutineState => Hue::Blue,
            GoClass::Unsymbolized | GoClass::Other => Hue::Orange,
            GoClass::Runtime => Hue::Red,
            GoClass::Main => Hue::Green,
            GoClass::Module => Hue::Aqua,
            GoClass::Std => Hue::Yellow,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flamegraph::color::{
        hue_color, seeded_value, Background, Colorer, Palette, Seeding,
    };

    #[test]
    fn go_palette_classes() {
        use GoClass::*;
        for (name, class) in [
            ("region=us", Label),
            ("runtime.gopark=x", Label),
            ("[chan receive]", GoroutineState),
            ("[", Other),
            ("0x45e1a0", Unsymbolized),
            ("0xABCdef", Unsymbolized),
            ("0x", Other),
            ("0x12g", Other),
            ("runtime.mallocgc", Runtime),
            ("runtime/pprof.profileWriter", Runtime),
            ("internal/runtime/atomic.Load", Runtime),
            ("runtimex.F", Std),
            ("main.main", Main),
            ("main.(*server).handle.func1", Main),
            ("github.com/x/y.F", Module),
            ("example.com/m/internal/w.Hash", Module),
            ("gopkg.in/yaml.v3.(*parser).parse", Module),
            ("net/http.(*conn).serve", Std),
            ("sort.Slice", Std),
            ("encoding/json.Marshal", Std),
            ("internal/poll.(*FD).Read", Std),
            ("__libc_write", Other),
            ("_start", Other),
            ("_cgo_topofstack", Other),
            ("", Other),
            ("main", Other),
            (".F", Other),
            ("C.free", Std),
            ("x-y.F", Other),
        ] {
            assert_eq!(GoClass::of(name), class, "{name}");
        }
        let go = Palette::from_name("go").unwrap();
        assert_eq!(go.background(), Background::Grey);
        // the class picks the hue; the value still comes from the name
        let mut colorer = Colorer::new(go, Seeding::NameSeeded);
        let v = seeded_value("main.main");
        assert_eq!(colorer.color("main.main"), hue_color(Hue::Green, v, v, v));
    }
}
