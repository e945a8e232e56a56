//! `--nameattr FILE`: per-function SVG attributes (docs/flamegraph.md, "SVG output").

use std::collections::HashMap;
use std::path::Path;

use thiserror::Error;

/// The `key=value` items of one function, in file order.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Attributes {
    items: Vec<(String, String)>,
}

impl Attributes {
    /// The value of `key` (the last one given), if present.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.items
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// Function name → attributes.
pub type NameAttributes = HashMap<String, Attributes>;

/// Why a `--nameattr` file was rejected.
#[derive(Debug, Error)]
pub enum NameAttrError {
    /// The file cannot be read.
    #[error("Can't read {path}: {reason}")]
    Unreadable { path: String, reason: String },
    /// A line has no TAB.
    #[error("Invalid format in {path}")]
    InvalidFormat { path: String },
}

/// Reads and parses a `--nameattr` file.
pub fn load(path: &Path) -> Result<NameAttributes, NameAttrError> {
    let shown = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|err| NameAttrError::Unreadable {
        path: shown.clone(),
        reason: crate::flamegraph::io_reason(&err),
    })?;
    parse(&String::from_utf8_lossy(&bytes)).ok_or(NameAttrError::InvalidFormat { path: shown })
}

/// Parses `FUNCNAME<TAB>key=value<TAB>...` lines; `None` when a line has no TAB.
pub fn parse(text: &str) -> Option<NameAttributes> {
    let mut map = NameAttributes::new();
    for line in text.split_terminator('\n') {
        let (name, rest) = line.split_once('\t')?;
        let items = rest
            .split('\t')
            .map(|item| match item.split_once('=') {
                Some((k, v)) => (k.to_owned(), v.to_owned()),
                None => (item.to_owned(), String::new()),
            })
            .collect();
        map.insert(name.to_owned(), Attributes { items });
    }
    Some(map)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_lines() {
        let map = parse("main\thref=http://x?a=b\tclass=hot\nmain\tid=m\n").unwrap();
        let main = &map["main"];
        assert_eq!(main.get("id"), Some("m"));
        assert_eq!(main.get("href"), None);
        let map = parse("f\ttitle=a=b\n").unwrap();
        assert_eq!(map["f"].get("title"), Some("a=b"));
        assert!(parse("no tab here\n").is_none());
        assert!(parse("a\tb=c\n\n").is_none());
    }
}
