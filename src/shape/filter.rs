//! Pipeline steps 5–10 on the combined profile: `--focus`/`--ignore`/`--hide`/`--show`,
//! `--show_from`, tag filters, `--tagshow`/`--taghide`, `--prune_from`, and the removal of the
//! base label; with pprof's "matched no samples" warnings.

use super::model::{Loc, Model};
use super::Filters;
use crate::profile::build::StringTable;
use crate::profile::{Line, NONE};
use regex::Regex;
use std::borrow::Cow;

fn text(strings: &StringTable, id: crate::profile::StrId) -> Cow<'_, str> {
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

/// Which locations the samples left use.
fn used_locations(m: &Model) -> Vec<bool> {
    let mut used = vec![false; m.locations.len()];
    for row in &m.rows {
        for &l in &m.locs[row.locs.0..row.locs.1] {
            used[l as usize] = true;
        }
    }
    used
}

/// Runs steps 5–10 and returns the warnings, in pprof's order.
pub fn apply(m: &mut Model, f: &Filters) -> Vec<String> {
    let mut warnings = Vec::new();
    let mut warn = |given: bool, matched: bool, name: &str| {
        if given && !matched {
            warnings.push(format!("{name} expression matched no samples"));
        }
    };
    let used = used_locations(m);
    let [fm, im, hm, sm] = by_name(m, f, &used);
    warn(f.focus.is_some(), fm, "Focus");
    warn(f.ignore.is_some(), im, "Ignore");
    warn(f.hide.is_some(), hm, "Hide");
    warn(f.show.is_some(), sm, "Show");
    if let Some(re) = &f.show_from {
        let matched = show_from(m, re, &used);
        warn(true, matched, "ShowFrom");
    }
    let (tf, ti) = by_tags(m, f);
    warn(f.tagfocus.is_some(), tf, "TagFocus");
    warn(f.tagignore.is_some(), ti, "TagIgnore");
    let (ts, th) = tags_by_name(m, f.tagshow.as_ref(), f.taghide.as_ref());
    warn(f.tagshow.is_some(), ts, "TagShow");
    warn(f.taghide.is_some(), th, "TagHide");
    if let Some(re) = &f.prune_from {
        prune_from(m, re);
    }
    if let Some(key) = m.base_key {
        remove_labels(&mut m.rows, &mut m.labels, |l| l.key == key);
    }
    warnings
}

/// What step 5 decided for one location.
#[derive(Clone, Copy, Default)]
struct Decision {
    ignored: bool,
    focused: bool,
    hidden: bool,
}

/// Step 5: focus, ignore, hide, show (pprof's `FilterSamplesByName`). Returns whether each
/// of the four matched.
fn by_name(m: &mut Model, f: &Filters, used: &[bool]) -> [bool; 4] {
    let mut matched = [false; 4];
    let mut decisions = vec![Decision::default(); m.locations.len()];
    let strings = &m.strings;
    for ((loc, d), &used) in m.locations.iter_mut().zip(&mut decisions).zip(used) {
        if !used {
            continue;
        }
        if f.ignore
            .as_ref()
            .is_some_and(|re| matches(strings, re, loc))
        {
            d.ignored = true;
            matched[1] = true;
        } else if f
            .focus
            .as_ref()
            .map_or(true, |re| matches(strings, re, loc))
        {
            d.focused = true;
            matched[0] = true;
        }
        if let Some(re) = &f.hide {
            if matches(strings, re, loc) {
                matched[2] = true;
                if mapping_matches(strings, re, loc) {
                    loc.lines.clear();
                } else {
                    loc.lines.retain(|l| !line_matches(strings, re, l));
                }
                d.hidden = loc.lines.is_empty();
            }
        }
        if let Some(re) = &f.show {
            if !mapping_matches(strings, re, loc) {
                loc.lines
                    .retain(|l| l.file == NONE || line_matches(strings, re, l));
            }
            d.hidden |= loc.lines.is_empty();
            matched[3] |= !loc.lines.is_empty();
        }
    }
    let (locs, rows) = (&mut m.locs, &mut m.rows);
    rows.retain_mut(|row| {
        let stack = &mut locs[row.locs.0..row.locs.1];
        let mut focused = false;
        for &l in stack.iter() {
            let d = decisions[l as usize];
            if d.ignored {
                return false;
            }
            focused |= d.focused;
        }
        if !focused {
            return false;
        }
        let mut kept = 0;
        for i in 0..stack.len() {
            if !decisions[stack[i] as usize].hidden {
                stack[kept] = stack[i];
                kept += 1;
            }
        }
        row.locs.1 = row.locs.0 + kept;
        kept > 0
    });
    matched
}

/// Step 6: `--show_from`. Every matching location keeps its Lines up to its root-most match;
/// every stack starts at its root-most matching location (samples without one are dropped).
/// `used`: the locations step 4 left (pprof keeps them all in the profile after step 5).
fn show_from(m: &mut Model, re: &Regex, used: &[bool]) -> bool {
    let mut hits = vec![false; m.locations.len()];
    let strings = &m.strings;
    for (i, loc) in m.locations.iter_mut().enumerate() {
        if !used[i] {
            continue;
        }
        if mapping_matches(strings, re, loc) {
            hits[i] = true;
        } else if let Some(last) = loc.lines.iter().rposition(|l| line_matches(strings, re, l)) {
            loc.lines.truncate(last + 1);
            hits[i] = true;
        }
    }
    let locs = &m.locs;
    m.rows.retain_mut(|row| {
        let stack = &locs[row.locs.0..row.locs.1];
        match stack.iter().rposition(|&l| hits[l as usize]) {
            Some(i) => {
                row.locs.1 = row.locs.0 + i + 1;
                true
            }
            None => false,
        }
    });
    hits.iter().any(|&h| h)
}

/// Step 7: `--tagfocus`, `--tagignore` (pprof's `FilterSamplesByTag`).
fn by_tags(m: &mut Model, f: &Filters) -> (bool, bool) {
    if f.tagfocus.is_none() && f.tagignore.is_none() {
        return (false, false);
    }
    let (mut fm, mut im) = (false, false);
    let (labels, strings, units) = (&m.labels, &m.strings, &m.label_units);
    m.rows.retain(|row| {
        let l = &labels[row.labels.0..row.labels.1];
        let focused = f
            .tagfocus
            .as_ref()
            .map_or(true, |t| t.matches(l, strings, units));
        let ignored = f
            .tagignore
            .as_ref()
            .is_some_and(|t| t.matches(l, strings, units));
        fm |= focused;
        im |= ignored;
        focused && !ignored
    });
    (fm, im)
}

/// Step 8: `--tagshow`, `--taghide` remove label keys (pprof's `FilterTagsByName`).
fn tags_by_name(m: &mut Model, show: Option<&Regex>, hide: Option<&Regex>) -> (bool, bool) {
    if show.is_none() && hide.is_none() {
        return (false, false);
    }
    let (mut sm, mut hm) = (false, false);
    let strings = &m.strings;
    remove_labels(&mut m.rows, &mut m.labels, |l| {
        let key = text(strings, l.key);
        let shown = show.map_or(true, |re| re.is_match(&key));
        let hidden = hide.is_some_and(|re| re.is_match(&key));
        sm |= shown;
        hm |= hidden;
        !shown || hidden
    });
    (sm, hm)
}

/// Removes the labels for which `remove` holds from every sample.
fn remove_labels(
    rows: &mut [super::model::Row],
    all: &mut [crate::profile::Label],
    mut remove: impl FnMut(&crate::profile::Label) -> bool,
) {
    for row in rows {
        let labels = &mut all[row.labels.0..row.labels.1];
        let mut kept = 0;
        for i in 0..labels.len() {
            if !remove(&labels[i]) {
                labels[kept] = labels[i];
                kept += 1;
            }
        }
        row.labels.1 = row.labels.0 + kept;
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

/// Step 9: `--prune_from`. Every location keeps its Lines from its innermost match on; every
/// stack ends at its leaf-most matching location.
fn prune_from(m: &mut Model, re: &Regex) {
    let mut hits = vec![false; m.locations.len()];
    let strings = &m.strings;
    for (loc, hit) in m.locations.iter_mut().zip(&mut hits) {
        let first = loc.lines.iter().position(|l| {
            l.file != NONE && l.name != 0 && re.is_match(simplified(&text(strings, l.name)))
        });
        if let Some(i) = first {
            loc.lines.drain(..i);
            *hit = true;
        }
    }
    let locs = &m.locs;
    for row in &mut m.rows {
        let stack = &locs[row.locs.0..row.locs.1];
        if let Some(i) = stack.iter().position(|&l| hits[l as usize]) {
            row.locs.0 += i;
        }
    }
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
