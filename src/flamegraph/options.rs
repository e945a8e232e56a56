//! The options of a render ([`Options`]) and the value types of the options that are not
//! plain text or numbers (the palette, background and seeding types are in [`super::color`]).

use std::path::PathBuf;

use super::color::{Background, Hue, Palette, Seeding};
use super::nameattr::NameAttributes;
use super::units::Units;

/// `--minwidth`: in pixels, or in percent of the total when the value ends in `%`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum MinWidth {
    /// Frames narrower than this many pixels are omitted.
    Pixels(f64),
    /// Frames narrower than this percentage of the total are omitted.
    Percent(f64),
}

impl MinWidth {
    /// Parses `N` or `N%` where the text matches `^[0-9.]+%?$`; the number is the leading
    /// decimal of the text (`1.2.3` → 1.2, `.` → 0).
    pub fn parse(text: &str) -> Option<MinWidth> {
        let (number, percent) = match text.strip_suffix('%') {
            Some(number) => (number, true),
            None => (text, false),
        };
        if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
            return None;
        }
        let value = leading_decimal(number);
        Some(if percent {
            MinWidth::Percent(value)
        } else {
            MinWidth::Pixels(value)
        })
    }
}

/// The value of the longest prefix of `text` (digits and dots only) that reads as a decimal.
fn leading_decimal(text: &str) -> f64 {
    let int_len = text.bytes().take_while(u8::is_ascii_digit).count();
    let mut end = int_len;
    if text.as_bytes().get(int_len) == Some(&b'.') {
        end = int_len
            + 1
            + text[int_len + 1..]
                .bytes()
                .take_while(u8::is_ascii_digit)
                .count();
    }
    let number = &text[..end];
    match number {
        "" | "." => 0.0,
        _ => number.trim_end_matches('.').parse().unwrap_or(0.0),
    }
}

/// `--total`: the value and its text as given (for the warning).
#[derive(Debug, Clone, PartialEq)]
pub struct Total {
    /// The numeric value.
    pub value: f64,
    /// The text as given on the command line.
    pub text: String,
}

/// Every option of the tool (docs/flamegraph.md, "Options"), with flamegraph.pl's defaults.
#[derive(Debug, Clone)]
pub struct Options {
    /// `--title`: heading; empty = the default of the mode.
    pub title: String,
    /// `--subtitle`: second heading; empty = none.
    pub subtitle: String,
    /// `--width`: image width in px.
    pub width: f64,
    /// `--height`: frame row height in px.
    pub height: f64,
    /// `--minwidth`: narrower frames are omitted.
    pub minwidth: MinWidth,
    /// `--fonttype`: CSS font family.
    pub fonttype: String,
    /// `--fontsize`: text size in px (also drives the paddings).
    pub fontsize: f64,
    /// `--fontwidth`: average glyph width as a fraction of the font size.
    pub fontwidth: f64,
    /// `--countname`: unit word in tooltips.
    pub countname: String,
    /// `--units`: counts shown in memory or time units, or named by the unit.
    pub units: Option<Units>,
    /// `--nametype`: prefix of the hover details line.
    pub nametype: String,
    /// `--colors`: the palette.
    pub colors: Palette,
    /// `--bgcolors`: the background; `None` = the palette's.
    pub bgcolors: Option<Background>,
    /// How the palette colors are chosen: by name (the default), `--hash` or `--random`.
    pub seeding: Seeding,
    /// `--cp`: consistent palette in `palette_map`.
    pub cp: bool,
    /// `--reverse`: reverse every stack before merging.
    pub reverse: bool,
    /// `--inverted`: icicle graph.
    pub inverted: bool,
    /// `--flamechart`: keep input order, merge adjacent stacks only.
    pub flamechart: bool,
    /// `--negate`: swap differential hues and delta signs.
    pub negate: bool,
    /// `--notes`: text of the NOTES comment.
    pub notes: String,
    /// `--total`: scaling total.
    pub total: Option<Total>,
    /// `--factor`: multiplier of displayed counts (never 0).
    pub factor: f64,
    /// `--nameattr`: per-function attributes.
    pub nameattr: Option<NameAttributes>,
    /// `--encoding`: name in the XML declaration.
    pub encoding: Option<String>,
    /// Where `--cp` reads and writes its map (`palette.map` in the working directory).
    pub palette_map: PathBuf,
    /// `--html`: write the canvas page instead of the SVG.
    pub html: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            title: String::new(),
            subtitle: String::new(),
            width: 1200.0,
            height: 16.0,
            minwidth: MinWidth::Pixels(0.1),
            fonttype: "Verdana".into(),
            fontsize: 12.0,
            fontwidth: 0.59,
            countname: "samples".into(),
            units: None,
            nametype: "Function:".into(),
            colors: Palette::Single(Hue::Hot),
            bgcolors: None,
            seeding: Seeding::NameSeeded,
            cp: false,
            reverse: false,
            inverted: false,
            flamechart: false,
            negate: false,
            notes: String::new(),
            total: None,
            factor: 1.0,
            nameattr: None,
            encoding: None,
            palette_map: PathBuf::from("palette.map"),
            html: false,
        }
    }
}

impl Options {
    /// The heading: `--title`, or the default of the mode.
    pub fn title_text(&self) -> String {
        if !self.title.is_empty() {
            self.title.clone()
        } else if self.flamechart {
            "Flame Chart".into()
        } else if self.inverted {
            "Icicle Graph".into()
        } else {
            "Flame Graph".into()
        }
    }

    /// True when the counts are samples (`--countname samples`, the default, and no memory or
    /// time `--units`): only then does a low total get the "Stack count is low" warning.
    pub fn counts_samples(&self) -> bool {
        self.countname == "samples" && !matches!(self.units, Some(Units::Scaled(_)))
    }

    /// The background: `--bgcolors`, or the palette's default.
    pub fn background(&self) -> Background {
        match &self.bgcolors {
            Some(bg) => bg.clone(),
            None => self.colors.background(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minwidth_parsing() {
        assert_eq!(MinWidth::parse("0.1"), Some(MinWidth::Pixels(0.1)));
        assert_eq!(MinWidth::parse("1.5%"), Some(MinWidth::Percent(1.5)));
        assert_eq!(MinWidth::parse("1.2.3"), Some(MinWidth::Pixels(1.2)));
        assert_eq!(MinWidth::parse("."), Some(MinWidth::Pixels(0.0)));
        assert_eq!(MinWidth::parse("5."), Some(MinWidth::Pixels(5.0)));
        assert_eq!(MinWidth::parse("%"), None);
        assert_eq!(MinWidth::parse("-1"), None);
        assert_eq!(MinWidth::parse("1e3"), None);
    }
}
