//! The header lines of Go's texts: the first line of a `?debug=1` page, and the goroutine
//! header `goroutine ID[ KEY=VALUE ...] [STATE, ITEM ...]:` that starts a block of a dump.

use super::quoted::parse_label_map;
use super::{parse_decimal, parse_hex};

/// Which `?debug=1` format a text is, from its first non-blank line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Debug1Kind {
    /// `NAME profile: total N` (goroutine, threadcreate, custom profiles).
    Count,
    /// `heap profile: A: B [C: D] @ heap/N` (heap and allocs).
    Heap,
    /// `--- contention:` (block).
    Contention,
    /// `--- mutex:`.
    Mutex,
}

/// The kind of `?debug=1` text a first line announces.
pub fn debug1_kind(line: &str) -> Option<Debug1Kind> {
    if parse_heap_header(line.as_bytes()).is_some() {
        Some(Debug1Kind::Heap)
    } else if count_header(line.as_bytes()).is_some() {
        Some(Debug1Kind::Count)
    } else if line == "--- contention:" {
        Some(Debug1Kind::Contention)
    } else if line == "--- mutex:" {
        Some(Debug1Kind::Mutex)
    } else {
        None
    }
}

/// A first line of a text format that is not supported (legacy C++ profiles, or a heap header
/// not in Go's form).
pub fn is_legacy_text(line: &str) -> bool {
    const PREFIXES: [&str; 5] = [
        "heap profile:",
        "--- contentionz",
        "--- heapz",
        "--- threadz",
        "--- Thread",
    ];
    PREFIXES.iter().any(|p| line.starts_with(p))
}

/// `NAME profile: total N`: the name and N.
pub(crate) fn count_header(line: &[u8]) -> Option<(&[u8], u64)> {
    let at = memchr::memmem::find(line, b" profile: total ")?;
    let (name, total) = (&line[..at], &line[at + 16..]);
    if name.is_empty() || name.contains(&b' ') || name == b"heap" {
        return None;
    }
    Some((name, parse_decimal(total)?))
}

/// Go's heap header: the sampling rate R (half the number after `heap/`; 0 without it).
pub(crate) fn parse_heap_header(line: &[u8]) -> Option<u64> {
    let rest = line.strip_prefix(b"heap profile:")?;
    let (_, rest) = heap_numbers(rest)?;
    let rest = trim_start(rest).strip_prefix(b"heap")?;
    if rest.is_empty() {
        return Some(0);
    }
    Some(parse_decimal(rest.strip_prefix(b"/")?)? / 2)
}

/// `A: B [C: D] @` (spaces optional between the parts): the four numbers and the text after
/// the `@`.
pub(crate) fn heap_numbers(text: &[u8]) -> Option<([u64; 4], &[u8])> {
    let (a, rest) = after(text, b':')?;
    let (b, rest) = after(rest, b'[')?;
    let (c, rest) = after(rest, b':')?;
    let (d, rest) = after(rest, b']')?;
    let rest = trim_start(rest).strip_prefix(b"@")?;
    Some(([a, b, c, d], rest))
}

/// A number, then optional spaces and `sep`: the number and the text after `sep`.
fn after(text: &[u8], sep: u8) -> Option<(u64, &[u8])> {
    let (n, rest) = number(text)?;
    Some((n, trim_start(rest).strip_prefix(&[sep])?))
}

/// A decimal number after optional spaces, and the text after it.
fn number(text: &[u8]) -> Option<(u64, &[u8])> {
    let text = trim_start(text);
    let digits = text.iter().take_while(|b| b.is_ascii_digit()).count();
    Some((parse_decimal(&text[..digits])?, &text[digits..]))
}

fn trim_start(text: &[u8]) -> &[u8] {
    let n = text.iter().take_while(|&&b| b == b' ').count();
    &text[n..]
}

/// The addresses after `@` in a record line; `None` if a token is not `0x…`.
pub(crate) fn addresses(text: &[u8]) -> Option<usize> {
    let mut count = 0;
    for token in text.split(|&b| b == b' ').filter(|t| !t.is_empty()) {
        parse_hex(token)?;
        count += 1;
    }
    Some(count)
}

/// A goroutine header's contents.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct GoroutineHeader<'a> {
    /// The goroutine id.
    pub id: u64,
    /// The state, ` (scan)` removed.
    pub state: std::borrow::Cow<'a, [u8]>,
    /// Wait time in minutes (0 when not printed).
    pub minutes: i64,
    /// The `labels:{...}` map (Go ≥ 1.26 with `GODEBUG=tracebacklabels=1`).
    pub labels: Vec<(Vec<u8>, Vec<u8>)>,
}

/// Parses a goroutine header line (already trimmed at its end); `None` if it is not one.
pub(crate) fn goroutine_header(line: &[u8]) -> Option<GoroutineHeader<'_>> {
    let rest = line.strip_prefix(b"goroutine ")?;
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    let id = parse_decimal(&rest[..digits])?;
    let mut rest = &rest[digits..];
    while !rest.starts_with(b" [") {
        // ` KEY=VALUE` tokens of crash tracebacks (`gp=0x… m=3 mp=0x…`, `m=nil`).
        let token_line = rest.strip_prefix(b" ")?;
        let end = memchr::memchr(b' ', token_line).unwrap_or(token_line.len());
        let token = &token_line[..end];
        if end == 0 || !token.contains(&b'=') {
            return None;
        }
        rest = &token_line[end..];
    }
    let inner = rest[2..].strip_suffix(b"]:")?;
    let (items, labels) = match memchr::memmem::find(inner, b" labels:{") {
        Some(at) => (&inner[..at], parse_label_map(&inner[at + 8..])?),
        None => (inner, Vec::new()),
    };
    let mut parts = split_items(items);
    let state = remove_scan(parts.next().unwrap_or(b""));
    let minutes = parts.find_map(minutes_item).unwrap_or(0);
    Some(GoroutineHeader {
        id,
        state,
        minutes,
        labels,
    })
}

fn split_items(items: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut rest = Some(items);
    std::iter::from_fn(move || {
        let text = rest?;
        match memchr::memmem::find(text, b", ") {
            Some(at) => {
                rest = Some(&text[at + 2..]);
                Some(&text[..at])
            }
            None => {
                rest = None;
                Some(text)
            }
        }
    })
}

/// `N minutes`.
fn minutes_item(item: &[u8]) -> Option<i64> {
    let n = item.strip_suffix(b" minutes")?;
    i64::try_from(parse_decimal(n)?).ok()
}

fn remove_scan(state: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    const SCAN: &[u8] = b" (scan)";
    if memchr::memmem::find(state, SCAN).is_none() {
        return state.into();
    }
    let mut out = Vec::with_capacity(state.len());
    let mut rest = state;
    while let Some(at) = memchr::memmem::find(rest, SCAN) {
        out.extend_from_slice(&rest[..at]);
        rest = &rest[at + SCAN.len()..];
    }
    out.extend_from_slice(rest);
    out.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug1_first_lines() {
        assert_eq!(
            debug1_kind("heap profile: 443: 12447920 [151570: 3326586032] @ heap/32768"),
            Some(Debug1Kind::Heap)
        );
        assert_eq!(
            parse_heap_header(b"heap profile:1:2[3:4]@heap/1025"),
            Some(512)
        );
        assert_eq!(
            parse_heap_header(b"heap profile: 1: 2 [ 3: 4 ] @ heap"),
            Some(0)
        );
        assert_eq!(
            parse_heap_header(b"heap profile: 1: 2 [3: 4] @ growthz"),
            None
        );
        assert_eq!(
            debug1_kind("goroutine profile: total 409"),
            Some(Debug1Kind::Count)
        );
        assert_eq!(
            debug1_kind("torchdemo.conns profile: total 3"),
            Some(Debug1Kind::Count)
        );
        assert_eq!(debug1_kind("heap profile: total 3"), None);
        assert_eq!(debug1_kind("my prof profile: total 3"), None);
        assert_eq!(debug1_kind("--- mutex:"), Some(Debug1Kind::Mutex));
        assert_eq!(debug1_kind("--- contention:"), Some(Debug1Kind::Contention));
        assert!(is_legacy_text("--- contentionz 1"));
    }

    #[test]
    fn goroutine_headers() {
        let h =
            goroutine_header(b"goroutine 12 [chan receive (scan), 3 minutes, locked to thread]:")
                .unwrap();
        assert_eq!(
            (h.id, &h.state[..], h.minutes),
            (12, &b"chan receive"[..], 3)
        );
        let h = goroutine_header(b"goroutine 35 gp=0x2 m=0 mp=0x6 [syscall]:").unwrap();
        assert_eq!(&h.state[..], b"syscall");
        let h = goroutine_header(br#"goroutine 7 [select labels:{"a": "b"}]:"#).unwrap();
        assert_eq!(h.labels, vec![(b"a".to_vec(), b"b".to_vec())]);
        for bad in [
            &b"goroutine 7 [select labels:{a}]:"[..],
            b" goroutine 1 [running]:",
            b"goroutine x [running]:",
            b"goroutine 99999999999999999999 [running]:",
            b"goroutine 1 [running]",
            b"goroutine 1 junk [running]:",
        ] {
            assert!(goroutine_header(bad).is_none());
        }
    }
}
