//! Frame colors (docs/flamegraph.md, "Colors"): palettes, the name-seeded default, `--hash`,
//! `--random`, the differential scale, the consistent palette file (`--cp`), the background, and
//! the `Painter` that picks each frame's fill from them.

use std::collections::BTreeMap;
use std::fmt;
use std::io;
use std::path::Path;
use std::str::FromStr;

use thiserror::Error;

use super::go_class::GoClass;
use super::Options;

/// An RGB color, written `rgb(r,g,b)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

impl fmt::Display for Rgb {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "rgb({},{},{})", self.0, self.1, self.2)
    }
}

/// One of the single-hue palettes (the multi palettes map names onto these).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hue {
    Hot,
    Mem,
    Io,
    Red,
    Green,
    Blue,
    Yellow,
    Purple,
    Aqua,
    Orange,
    /// Unknown palette name: black.
    Black,
}

/// Which `--colors` palette is in use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Palette {
    /// One hue for every name.
    Single(Hue),
    Java,
    Perl,
    Js,
    Wakeup,
    Chain,
    /// `go`: one hue per kind of Go frame (docs/flamegraph.md, "Colors": the Go palette).
    Go,
}

impl Palette {
    /// Every `--colors` name, in the order the help lists them.
    pub const NAMES: [&'static str; 16] = [
        "hot", "mem", "io", "red", "green", "blue", "yellow", "purple", "aqua", "orange", "java",
        "perl", "js", "wakeup", "chain", "go",
    ];

    /// What `--colors` with an unknown name draws with: black (not an error).
    pub const UNKNOWN: Palette = Palette::Single(Hue::Black);

    /// The palette named by `--colors`; `None` for an unknown name.
    pub fn from_name(name: &str) -> Option<Palette> {
        use Hue::*;
        Some(match name {
            "hot" => Palette::Single(Hot),
            "mem" => Palette::Single(Mem),
            "io" => Palette::Single(Io),
            "red" => Palette::Single(Red),
            "green" => Palette::Single(Green),
            "blue" => Palette::Single(Blue),
            "yellow" => Palette::Single(Yellow),
            "purple" => Palette::Single(Purple),
            "aqua" => Palette::Single(Aqua),
            "orange" => Palette::Single(Orange),
            "java" => Palette::Java,
            "perl" => Palette::Perl,
            "js" => Palette::Js,
            "wakeup" => Palette::Wakeup,
            "chain" => Palette::Chain,
            "go" => Palette::Go,
            _ => return None,
        })
    }

    /// The background drawn with this palette when `--bgcolors` is not given.
    pub fn background(self) -> Background {
        use Hue::*;
        match self {
            Palette::Single(Mem) => Background::Green,
            Palette::Single(Io) | Palette::Wakeup | Palette::Chain => Background::Blue,
            Palette::Single(Red | Green | Blue | Aqua | Yellow | Purple | Orange) | Palette::Go => {
                Background::Grey
            }
            Palette::Single(Hot | Black) | Palette::Java | Palette::Perl | Palette::Js => {
                Background::Yellow
            }
        }
    }

    /// The hue a frame name gets (docs/flamegraph.md, "Colors": the palette table).
    pub fn hue(self, name: &str) -> Hue {
        match self {
            Palette::Single(hue) => hue,
            Palette::Java => java_hue(name),
            Palette::Perl => perl_hue(name),
            Palette::Js => js_hue(name),
            Palette::Wakeup => Hue::Aqua,
            Palette::Go => GoClass::of(name).hue(),
            Palette::Chain => {
                if name.contains("_[w]") {
                    Hue::Aqua
                } else {
                    Hue::Blue
                }
            }
        }
    }
}

fn java_hue(name: &str) -> Hue {
    const PACKAGES: [&str; 8] = ["java", "javax", "jdk", "net", "org", "com", "io", "sun"];
    let unprefixed = name.strip_prefix('L').unwrap_or(name);
    let is_package = |text: &str| {
        PACKAGES.iter().any(|p| {
            text.strip_prefix(p)
                .is_some_and(|rest| rest.starts_with('/'))
        })
    };
    if name.ends_with("_[j]") {
        Hue::Green
    } else if name.ends_with("_[i]") {
        Hue::Aqua
    } else if is_package(name) || is_package(unprefixed) || name.contains(":::") {
        Hue::Green
    } else if name.contains("::") {
        Hue::Yellow
    } else if name.ends_with("_[k]") {
        Hue::Orange
    } else {
        Hue::Red
    }
}

fn perl_hue(name: &str) -> Hue {
    if name.contains("::") {
        Hue::Yellow
    } else if name.contains("Perl") || name.contains(".pl") {
        Hue::Green
    } else if name.ends_with("_[k]") {
        Hue::Orange
    } else {
        Hue::Red
    }
}

fn js_hue(name: &str) -> Hue {
    let slash_then_js = name
        .find('/')
        .is_some_and(|at| name[at + 1..].contains(".js"));
    if name.ends_with("_[j]") {
        if name.contains('/') {
            Hue::Green
        } else {
            Hue::Aqua
        }
    } else if name.contains("::") {
        Hue::Yellow
    } else if slash_then_js {
        Hue::Green
    } else if name.contains(':') {
        Hue::Aqua
    } else if name == " " {
        Hue::Green
    } else if name.contains("_[k]") {
        Hue::Orange
    } else {
        Hue::Red
    }
}

/// The hue formulas applied to v1, v2, v3 (docs/flamegraph.md, "Colors": seeding).
pub fn hue_color(hue: Hue, v1: f64, v2: f64, v3: f64) -> Rgb {
    let c = |base: u32, scale: f64, v: f64| (base as f64 + (scale * v).trunc()) as u8;
    match hue {
        Hue::Hot => Rgb(c(205, 50.0, v3), c(0, 230.0, v1), c(0, 55.0, v2)),
        Hue::Mem => Rgb(0, c(190, 50.0, v2), c(0, 210.0, v1)),
        Hue::Io => {
            let r = c(80, 60.0, v1);
            Rgb(r, r, c(190, 55.0, v2))
        }
        Hue::Red => {
            let x = c(50, 80.0, v1);
            Rgb(c(200, 55.0, v1), x, x)
        }
        Hue::Green => {
            let x = c(50, 60.0, v1);
            Rgb(x, c(200, 55.0, v1), x)
        }
        Hue::Blue => {
            let x = c(80, 60.0, v1);
            Rgb(x, x, c(205, 50.0, v1))
        }
        Hue::Yellow => {
            let x = c(175, 55.0, v1);
            Rgb(x, x, c(50, 20.0, v1))
        }
        Hue::Purple => {
            let x = c(190, 65.0, v1);
            Rgb(x, c(80, 60.0, v1), x)
        }
        Hue::Aqua => {
            let y = c(165, 55.0, v1);
            Rgb(c(50, 60.0, v1), y, y)
        }
        Hue::Orange => Rgb(c(190, 65.0, v1), c(90, 65.0, v1), 0),
        Hue::Black => Rgb(0, 0, 0),
    }
}

/// How the palette colors are chosen: how v1, v2, v3 are drawn (docs/flamegraph.md, "Colors").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seeding {
    /// The first output of drand48 seeded with the sum of the name's code points.
    NameSeeded,
    /// `--hash`: the name hash.
    Hash,
    /// `--random`: truly random.
    Random,
}

impl Seeding {
    /// The seeding of the `--hash` and `--random` flags (`--hash` wins).
    pub fn from_flags(hash: bool, random: bool) -> Seeding {
        if hash {
            Seeding::Hash
        } else if random {
            Seeding::Random
        } else {
            Seeding::NameSeeded
        }
    }
}

/// The default v: the first drand48 output after `srand48(sum of code points mod 2^32)`.
pub fn seeded_value(name: &str) -> f64 {
    let seed = name.chars().fold(0u32, |sum, c| sum.wrapping_add(c as u32));
    let x0 = (u64::from(seed) << 16) | 0x330E;
    let x1 = x0.wrapping_mul(0x5_DEEC_E66D).wrapping_add(0xB) & ((1 << 48) - 1);
    x1 as f64 / (1u64 << 48) as f64
}

/// flamegraph.pl's `namehash`: early characters weigh more; a module prefix up to the first
/// backtick (after the first character) is skipped.
pub fn name_hash(chars: impl Iterator<Item = char> + Clone) -> f64 {
    let mut rest = chars.clone();
    let skip_module = chars.clone().skip(1).position(|c| c == '`');
    if let Some(at) = skip_module {
        rest.nth(at + 1);
    } else {
        rest = chars;
    }
    let (mut vector, mut weight, mut max, mut modulus) = (0.0, 1.0, 1.0, 10u32);
    for c in rest.take(3) {
        vector += f64::from((c as u32) % modulus) / f64::from(modulus - 1) * weight;
        max += weight;
        weight *= 0.70;
        modulus += 1;
    }
    1.0 - vector / max
}

/// A small xorshift generator for `--random`, seeded from the standard library's random
/// hasher keys (no extra dependency; the colors are meant to be unreproducible).
pub struct Random(u64);

impl Default for Random {
    fn default() -> Self {
        use std::hash::{BuildHasher, RandomState};
        let seed = RandomState::new().hash_one(0x5eed_u64) | 1;
        Random(seed)
    }
}

impl Random {
    /// A uniform value in [0, 1).
    pub fn next_f64(&mut self) -> f64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        (x >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Computes `color(palette, name)`.
pub struct Colorer {
    palette: Palette,
    seeding: Seeding,
    random: Random,
}

impl Colorer {
    /// A colorer for a palette and a seeding mode.
    pub fn new(palette: Palette, seeding: Seeding) -> Self {
        Colorer {
            palette,
            seeding,
            random: Random::default(),
        }
    }

    /// True when the same name always gets the same color (everything but `--random`).
    pub fn is_deterministic(&self) -> bool {
        self.seeding != Seeding::Random
    }

    /// The palette color of a frame name.
    pub fn color(&mut self, name: &str) -> Rgb {
        let hue = self.palette.hue(name);
        let (v1, v2, v3) = match self.seeding {
            Seeding::NameSeeded => {
                let v = seeded_value(name);
                (v, v, v)
            }
            Seeding::Hash => {
                let v1 = name_hash(name.chars());
                let v2 = name_hash(name.chars().rev());
                (v1, v2, v2)
            }
            Seeding::Random => (
                self.random.next_f64(),
                self.random.next_f64(),
                self.random.next_f64(),
            ),
        };
        hue_color(hue, v1, v2, v3)
    }
}

/// The differential scale (docs/flamegraph.md, "Colors"); `delta` is already negated for
/// `--negate`.
pub fn delta_color(delta: f64, max_delta: f64) -> Rgb {
    if delta > 0.0 {
        let g = (210.0 * (max_delta - delta) / max_delta).trunc() as u8;
        Rgb(255, g, g)
    } else if delta < 0.0 {
        let r = (210.0 * (max_delta + delta) / max_delta).trunc() as u8;
        Rgb(r, r, 255)
    } else {
        Rgb(255, 255, 255)
    }
}

/// `--bgcolors`: the background gradient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Background {
    /// `yellow`, the default of `hot` and the multi palettes.
    Yellow,
    /// `blue`.
    Blue,
    /// `green`.
    Green,
    /// `grey`.
    Grey,
    /// `#` and any six characters: one flat color, written as given.
    Custom(String),
}

/// A `--bgcolors` value that is none of the names and not `#` with six characters.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("Unrecognized bgcolor option \"{0}\"")]
pub struct UnknownBackground(pub String);

impl FromStr for Background {
    type Err = UnknownBackground;

    fn from_str(value: &str) -> Result<Background, UnknownBackground> {
        match value {
            "yellow" => Ok(Background::Yellow),
            "blue" => Ok(Background::Blue),
            "green" => Ok(Background::Green),
            "grey" => Ok(Background::Grey),
            _ if value
                .strip_prefix('#')
                .is_some_and(|rest| rest.chars().count() == 6) =>
            {
                Ok(Background::Custom(value.to_owned()))
            }
            _ => Err(UnknownBackground(value.to_owned())),
        }
    }
}

/// The consistent palette of `--cp`: `palette.map` entries, name → fill text.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct PaletteMap {
    entries: BTreeMap<Vec<u8>, String>,
}

impl PaletteMap {
    /// Reads `path` if it exists (an absent file is an empty map).
    pub fn load(path: &Path) -> io::Result<PaletteMap> {
        match std::fs::read(path) {
            Ok(bytes) => Ok(PaletteMap::parse(&String::from_utf8_lossy(&bytes))),
            Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(PaletteMap::default()),
            Err(err) => Err(err),
        }
    }

    /// Parses `NAME->COLOR` lines; lines without `->` are ignored, a later line wins.
    pub fn parse(text: &str) -> PaletteMap {
        let mut map = PaletteMap::default();
        for line in text.split_terminator('\n') {
            let line = line.strip_suffix('\r').unwrap_or(line);
            let Some((name, rest)) = line.split_once("->") else {
                continue;
            };
            let color = rest.split("->").next().unwrap_or("");
            map.entries
                .insert(name.as_bytes().to_vec(), color.to_owned());
        }
        map
    }

    /// The stored fill of `name`, or a new one from `make`, stored for next time.
    pub fn fill(&mut self, name: &str, make: impl FnOnce() -> Rgb) -> &str {
        self.entries
            .entry(name.as_bytes().to_vec())
            .or_insert_with(|| make().to_string())
    }

    /// The file text: every entry sorted bytewise by name, `NAME->COLOR` and LF per line.
    pub fn to_text(&self) -> Vec<u8> {
        let mut out = Vec::new();
        for (name, color) in &self.entries {
            out.extend_from_slice(name);
            out.extend_from_slice(b"->");
            out.extend_from_slice(color.as_bytes());
            out.push(b'\n');
        }
        out
    }
}

/// Chooses each frame's fill, first match wins (docs/flamegraph.md, "Colors"): the fixed grays
/// of `--` and `-`, the differential scale, `palette.map` (`--cp`), then the palette, computed
/// once per name unless `--random`.
pub(crate) struct Painter<'a> {
    colorer: Colorer,
    negate: bool,
    max_delta: f64,
    palette_map: Option<&'a mut PaletteMap>,
    cache: Vec<Option<Rgb>>,
    text: String,
}

impl<'a> Painter<'a> {
    /// A painter for a graph whose largest |delta| is `max_delta`, over `name_count` names.
    pub(crate) fn new(
        opts: &Options,
        max_delta: f64,
        palette_map: Option<&'a mut PaletteMap>,
        name_count: usize,
    ) -> Self {
        Painter {
            colorer: Colorer::new(opts.colors, opts.seeding),
            negate: opts.negate,
            max_delta,
            palette_map,
            cache: vec![None; name_count],
            text: String::new(),
        }
    }

    /// The fill text of frame name `id` (`name`), with its delta in a differential graph.
    pub(crate) fn fill(&mut self, id: u32, name: &str, delta: Option<f64>) -> &str {
        use std::fmt::Write as _;
        self.text.clear();
        let rgb = if name == "--" {
            Rgb(160, 160, 160)
        } else if name == "-" {
            Rgb(200, 200, 200)
        } else if let Some(delta) = delta {
            delta_color(if self.negate { -delta } else { delta }, self.max_delta)
        } else if let Some(map) = self.palette_map.as_deref_mut() {
            let colorer = &mut self.colorer;
            let fill = map.fill(name, || colorer.color(name));
            self.text.push_str(fill);
            return &self.text;
        } else if self.colorer.is_deterministic() {
            match self.cache.get(id as usize).copied().flatten() {
                Some(rgb) => rgb,
                None => {
                    let rgb = self.colorer.color(name);
                    if let Some(slot) = self.cache.get_mut(id as usize) {
                        *slot = Some(rgb);
                    }
                    rgb
                }
            }
        } else {
            self.colorer.color(name)
        };
        let _ = write!(self.text, "{rgb}");
        &self.text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn default_hot(name: &str) -> String {
        Colorer::new(Palette::Single(Hue::Hot), Seeding::NameSeeded)
            .color(name)
            .to_string()
    }

    fn hashed_hot(name: &str) -> String {
        Colorer::new(Palette::Single(Hue::Hot), Seeding::Hash)
            .color(name)
            .to_string()
    }

    #[test]
    fn default_colors_match_spec_checks() {
        assert_eq!(default_hot(""), "rgb(213,39,9)");
        assert_eq!(default_hot("main"), "rgb(243,179,42)");
        assert_eq!(default_hot("foo"), "rgb(220,71,17)");
    }

    #[test]
    fn hash_colors_match_spec_checks() {
        assert_eq!(hashed_hot("foo"), "rgb(247,199,47)");
        assert_eq!(hashed_hot("bar"), "rgb(236,101,34)");
        assert_eq!(hashed_hot(""), "rgb(255,230,55)");
    }

    #[test]
    fn hash_skips_module_prefix() {
        let with_module = name_hash("mod`foo".chars());
        assert_eq!(with_module, name_hash("foo".chars()));
        // a backtick at index 0 is not a module separator
        assert_ne!(name_hash("`foo".chars()), name_hash("foo".chars()));
    }

    #[test]
    fn multi_palettes_pick_hues() {
        let java = Palette::from_name("java").unwrap();
        assert_eq!(java.hue("java/lang/String.foo"), Hue::Green);
        assert_eq!(java.hue("Ljava/lang/Thread;"), Hue::Green);
        assert_eq!(java.hue("foo_[i]"), Hue::Aqua);
        assert_eq!(java.hue("a::b"), Hue::Yellow);
        assert_eq!(java.hue("a:::b"), Hue::Green);
        assert_eq!(java.hue("sys_[k]"), Hue::Orange);
        assert_eq!(java.hue("main"), Hue::Red);
        let js = Palette::from_name("js").unwrap();
        assert_eq!(js.hue("a/b_[j]"), Hue::Green);
        assert_eq!(js.hue("ab_[j]"), Hue::Aqua);
        assert_eq!(js.hue("/x/y.js:1"), Hue::Green);
        assert_eq!(js.hue("a:b"), Hue::Aqua);
        assert_eq!(js.hue(" "), Hue::Green);
        assert_eq!(js.hue("x_[k]y"), Hue::Orange);
        assert_eq!(Palette::from_name("chain").unwrap().hue("x_[w]"), Hue::Aqua);
        assert_eq!(
            Palette::from_name("nope")
                .unwrap_or(Palette::UNKNOWN)
                .hue("x"),
            Hue::Black
        );
    }

    #[test]
    fn differential_scale() {
        assert_eq!(delta_color(4.0, 4.0), Rgb(255, 0, 0));
        assert_eq!(delta_color(-1.0, 4.0), Rgb(157, 157, 255));
        assert_eq!(delta_color(0.0, 4.0), Rgb(255, 255, 255));
    }

    #[test]
    fn bgcolors_validation() {
        let valid = |text: &str| text.parse::<Background>().is_ok();
        assert!(valid("grey"));
        assert!(valid("#ffffff"));
        assert!(!valid("#fff"));
        assert!(!valid("red"));
    }

    #[test]
    fn palette_map_round_trip() {
        let mut map = PaletteMap::parse("b->rgb(1,2,3)\r\nnoarrow\na->x->y\nb->rgb(4,5,6)\n");
        assert_eq!(map.fill("a", || Rgb(0, 0, 0)), "x");
        assert_eq!(map.fill("c", || Rgb(7, 8, 9)), "rgb(7,8,9)");
        assert_eq!(
            String::from_utf8(map.to_text()).unwrap(),
            "a->x\nb->rgb(4,5,6)\nc->rgb(7,8,9)\n"
        );
    }
}
