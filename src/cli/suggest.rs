//! "Did you mean …?": the nearest of the known names to a mistyped one, for every tool's
//! option and value errors.

/// The known name closest to `typed` (by edit distance, case-insensitive), when it is close
/// enough to be a likely typo: at most 2 edits (3 for names of 9 characters or more), or a name
/// that `typed` starts with or that starts with `typed` (at least 2 characters shared).
pub fn nearest<'a>(typed: &str, names: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let typed = typed.to_lowercase();
    let mut best: Option<(usize, &'a str)> = None;
    for name in names {
        let lower = name.to_lowercase();
        let distance = edit_distance(&typed, &lower);
        let limit = if lower.chars().count() >= 9 { 3 } else { 2 };
        let shorter = typed.len().min(lower.len());
        let prefix = shorter >= 2 && (lower.starts_with(&typed) || typed.starts_with(&lower));
        if !(distance <= limit || prefix) {
            continue;
        }
        if best.is_none_or(|(d, _)| distance < d) {
            best = Some((distance, name));
        }
    }
    best.map(|(_, name)| name)
}

/// Levenshtein distance over code points.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1)
                .min(row[j] + 1)
                .min(diagonal + usize::from(ca != cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        let palettes = ["hot", "mem", "io", "java", "go", "chain"];
        assert_eq!(nearest("memory", palettes), Some("mem"));
        assert_eq!(nearest("jav", palettes), Some("java"));
        assert_eq!(nearest("HOT", palettes), Some("hot"));
        assert_eq!(nearest("xyzzy", palettes), None);
        let options = ["colors", "countname", "inuse_space", "inuse_objects"];
        assert_eq!(nearest("colr", options), Some("colors"));
        assert_eq!(nearest("inuse_spce", options), Some("inuse_space"));
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }
}
