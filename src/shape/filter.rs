//! Pipeline steps 5–10 on the combined profile: `--focus`/`--ignore`/`--hide`/`--show`,
//! `--show_from`, tag filters, `--tagshow`/`--taghide`, `--prune_from`, and the removal of the
//! base label; with pprof's "matched no samples" warnings.

use super::model::{Loc, Model, Sample};
use super::tags::{LabelUnits, TagMatcher};
use super::Filters;
use crate::profile::build::StringTable;
use crate::profile::{Line, StrId, NONE};
use regex::Regex;
use std::borrow::Cow;
use std::collections::HashMap;

fn text(strings: &StringTable, id: StrId) -> Cow<'_, str> {
    String::from_utf8_lossy(strings.get(id))
}

/// A Line matches when it has a function whose name or file name matches.
fn line_matches(strings: &StringTable, re: &Regex, line: &Line) -> bool {
    line.file != NONE
        && (re.is_match(&text(strings, line.name)) || re.is_match(&text(strings, line.file)))
}

/// The location's mapping has a file name that matches.
fn mapping_matches(strings: &StringTable, re: &Regex, loc: &Loc) -> bool {
    loc.mapping != NONE && re.is_match(&text(strings, loc.mapping))
}

/// A location matches through one of its Lines or its mapping.
fn matches(strings: &StringTable, re: &Regex, loc: &Loc) -> bool {
    loc.lines.iter().any(|l| line_matches(strings, re, l)) || mapping_matches(strings, re, loc)
}

/// Per-location facts for pprof's warnings (bits of [`Plan::flags`]).
const FOCUSED: u8 = 1;
const IGNORE_MATCH: u8 = 2;
const HIDE_MATCH: u8 = 4;
const SHOW_LEFT: u8 = 8;
const SHOW_FROM_MATCH: u8 = 16;
/// What the sample steps need to know of a location.
const IGNORED: u8 = 32;
const HIDDEN: u8 = 64;
const PRUNE_MATCH: u8 = 128;

/// Steps 5–10, decided per location up front (the locations' Lines are trimmed in the model),
/// then applied to each sample by [`Plan::apply`]; it gathers what pprof's warnings need.
pub struct Plan<'f> {
    filters: &'f Filters,
    flags: Vec<u8>,
    /// Locations of the samples that reached step 5.
    used: Vec<bool>,
    tagfocus: Option<TagMatcher<'f>>,
    tagignore: Option<TagMatcher<'f>>,
    /// `--tagshow`/`--taghide` per label key: (shown, hidden).
    keys: HashMap<StrId, (bool, bool)>,
    base_key: Option<StrId>,
    matched: [bool; 4],
}

impl<'f> Plan<'f> {
    /// Decides every location of `m` and trims its Lines (hide, show, show_from, prune_from).
    pub fn new(m: &mut Model, f: &'f Filters) -> Self {
        let strings = &m.strings;
        let mut root_frame = vec![false; m.locations.len()];
        for &l in &m.root_frames {
            root_frame[l as usize] = true;
        }
        let flags = m
            .locations
            .iter_mut()
            .zip(root_frame)
            .map(|(loc, root_frame)| {
                if root_frame {
                    return 0;
                }
                let mut flags = by_name(strings, f, loc);
                if let Some(re) = &f.show_from {
                    flags |= show_from(strings, re, loc);
                }
                if let Some(re) = &f.prune_from {
                    flags |= prune_from(strings, re, loc);
                }
                flags
            })
            .collect();
        Plan {
            filters: f,
            flags,
            used: vec![false; m.locations.len()],
            tagfocus: f.tagfocus.as_ref().map(|t| TagMatcher::new(t, strings)),
            tagignore: f.tagignore.as_ref().map(|t| TagMatcher::new(t, strings)),
            keys: HashMap::new(),
            base_key: m.base_key,
            matched: [false; 4],
        }
    }

    /// Forgets what samples were seen (to walk them again).
    pub fn reset(&mut self) {
        self.used.iter_mut().for_each(|u| *u = false);
        self.matched = [false; 4];
    }

    /// Steps 5–10 on one sample (of step 4: not all zero); false when it is dropped.
    pub fn apply(&mut self, s: &mut Sample, strings: &StringTable, units: &LabelUnits) -> bool {
        let f = self.filters;
        let flags = &self.flags;
        for &l in &s.locs {
            self.used[l as usize] = true;
        }
        let mut focused = false;
        for &l in &s.locs {
            let flag = flags[l as usize];
            if flag & IGNORED != 0 {
                return false;
            }
            focused |= flag & FOCUSED != 0;
        }
        s.locs.retain(|&l| flags[l as usize] & HIDDEN == 0);
        if !focused || s.locs.is_empty() {
            return false;
        }
        if f.show_from.is_some() {
            match s
                .locs
                .iter()
                .rposition(|&l| flags[l as usize] & SHOW_FROM_MATCH != 0)
            {
                Some(i) => s.locs.truncate(i + 1),
                None => return false,
            }
        }
        if !self.tags(s, strings, units) {
            return false;
        }
        if f.tagshow.is_some() || f.taghide.is_some() {
            self.label_keys(s, strings);
        }
        if f.prune_from.is_some() {
            let flags = &self.flags;
            if let Some(i) = s
                .locs
                .iter()
                .position(|&l| flags[l as usize] & PRUNE_MATCH != 0)
            {
                s.locs.drain(..i);
            }
        }
        if let Some(key) = self.base_key {
            s.labels.retain(|l| l.key != key);
        }
        true
    }

    /// Step 7: `--tagfocus`, `--tagignore` (pprof's `FilterSamplesByTag`).
    fn tags(&mut self, s: &Sample, strings: &StringTable, units: &LabelUnits) -> bool {
        let focused = match &mut self.tagfocus {
            Some(t) => t.matches(&s.labels, strings, units),
            None => true,
        };
        let ignored = match &mut self.tagignore {
            Some(t) => t.matches(&s.labels, strings, units),
            None => false,
        };
        self.matched[0] |= focused;
        self.matched[1] |= ignored;
        focused && !ignored
    }

    /// Step 8: `--tagshow`, `--taghide` remove label keys (pprof's `FilterTagsByName`).
    fn label_keys(&mut self, s: &mut Sample, strings: &StringTable) {
        let f = self.filters;
        let (keys, matched) = (&mut self.keys, &mut self.matched);
        s.labels.retain(|l| {
            let &mut (shown, hidden) = keys.entry(l.key).or_insert_with(|| {
                let key = text(strings, l.key);
                let shown = f.tagshow.as_ref().is_none_or(|re| re.is_match(&key));
                (
                    shown,
                    f.taghide.as_ref().is_some_and(|re| re.is_match(&key)),
                )
            });
            matched[2] |= shown;
            matched[3] |= hidden;
            shown && !hidden
        });
    }

    /// pprof's "... expression matched no samples" warnings, in its order.
    pub fn warnings(&self) -> Vec<String> {
        let f = self.filters;
        let any = |bit: u8| {
            self.flags
                .iter()
                .zip(&self.used)
                .any(|(&flags, &used)| used && flags & bit != 0)
        };
        let checks = [
            (f.focus.is_some(), any(FOCUSED), "Focus"),
            (f.ignore.is_some(), any(IGNORE_MATCH), "Ignore"),
            (f.hide.is_some(), any(HIDE_MATCH), "Hide"),
            (f.show.is_some(), any(SHOW_LEFT), "Show"),
            (f.show_from.is_some(), any(SHOW_FROM_MATCH), "ShowFrom"),
            (f.tagfocus.is_some(), self.matched[0], "TagFocus"),
            (f.tagignore.is_some(), self.matched[1], "TagIgnore"),
            (f.tagshow.is_some(), self.matched[2], "TagShow"),
            (f.taghide.is_some(), self.matched[3], "TagHide"),
        ];
        checks
            .iter()
            .filter(|(given, matched, _)| *given && !matched)
            .map(|(_, _, name)| format!("{name} expression matched no samples"))
            .collect()
    }
}

/// Step 5 for one location: focus, ignore, hide, show (pprof's `FilterSamplesByName`).
fn by_name(strings: &StringTable, f: &Filters, loc: &mut Loc) -> u8 {
    let mut flags = 0;
    if f.ignore
        .as_ref()
        .is_some_and(|re| matches(strings, re, loc))
    {
        flags |= IGNORED | IGNORE_MATCH;
    } else if f.focus.as_ref().is_none_or(|re| matches(strings, re, loc)) {
        flags |= FOCUSED;
    }
    if let Some(re) = &f.hide {
        if matches(strings, re, loc) {
            flags |= HIDE_MATCH;
            if mapping_matches(strings, re, loc) {
                loc.lines.clear();
            } else {
                loc.lines.retain(|l| !line_matches(strings, re, l));
            }
            if loc.lines.is_empty() {
                flags |= HIDDEN;
            }
        }
    }
    if let Some(re) = &f.show {
        if !mapping_matches(strings, re, loc) {
            loc.lines
                .retain(|l| l.file == NONE || line_matches(strings, re, l));
        }
        flags |= if loc.lines.is_empty() {
            HIDDEN
        } else {
            SHOW_LEFT
        };
    }
    flags
}

/// Step 6 for one location: a match keeps its Lines up to its root-most matching one (a
/// mapping match keeps all).
fn show_from(strings: &StringTable, re: &Regex, loc: &mut Loc) -> u8 {
    if mapping_matches(strings, re, loc) {
        return SHOW_FROM_MATCH;
    }
    match loc.lines.iter().rposition(|l| line_matches(strings, re, l)) {
        Some(last) => {
            loc.lines.truncate(last + 1);
            SHOW_FROM_MATCH
        }
        None => 0,
    }
}

/// Step 9 for one location: a match on a simplified function name keeps the Lines from the
/// innermost matching one on.
fn prune_from(strings: &StringTable, re: &Regex, loc: &mut Loc) -> u8 {
    let first = loc.lines.iter().position(|l| {
        l.file != NONE && l.name != 0 && re.is_match(simplified(&text(strings, l.name)))
    });
    match first {
        Some(i) => {
            loc.lines.drain(..i);
            PRUNE_MATCH
        }
        None => 0,
    }
}

/// pprof's simplified function name: one leading `.` removed, cut at the first `(` that does
/// not start `(anonymous namespace)` or belong to `operator()`.
fn simplified(name: &str) -> &str {
    let name = name.strip_prefix('.').unwrap_or(name);
    let mut i = 0;
    while i < name.len() {
        let rest = &name[i..];
        if let Some(skip) = ["(anonymous namespace)", "operator()"]
            .iter()
            .find(|r| rest.starts_with(**r))
        {
            i += skip.len();
        } else if rest.starts_with('(') {
            return &name[..i];
        } else {
            i += rest.chars().next().map_or(1, char::len_utf8);
        }
    }
    name
}

#[cfg(test)]
mod tests {
    use super::simplified;

    #[test]
    fn simplified_names() {
        assert_eq!(simplified("main.(*Node).Sum"), "main.");
        assert_eq!(simplified(".foo(int)"), "foo");
        assert_eq!(
            simplified("ns::(anonymous namespace)::f(int)"),
            "ns::(anonymous namespace)::f"
        );
        assert_eq!(simplified("A::operator()(int)"), "A::operator()");
        assert_eq!(simplified("main.Sum[...]"), "main.Sum[...]");
    }
}
