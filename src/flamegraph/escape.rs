//! Text escaping of the SVG (docs/flamegraph.md, "SVG output": escaping): XML text and
//! attribute values, frame labels, the notes comment and the JavaScript string of the script
//! prelude. Characters XML 1.0 does not allow become U+FFFD, so the SVG stays well-formed
//! whatever the input holds.

/// Appends `text` XML-escaped for text and attribute values: `& < > "`.
pub fn push_escaped(out: &mut String, text: &str) {
    push_escaped_with(out, text, true);
}

/// Appends `text` escaped for a frame label: `& < >` (quotes stay).
pub fn push_label_escaped(out: &mut String, text: &str) {
    push_escaped_with(out, text, false);
}

fn push_escaped_with(out: &mut String, text: &str, quotes: bool) {
    let mut rest = text;
    while let Some(at) = rest.bytes().position(|b| needs_care(b, quotes)) {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        let ch = tail.chars().next().unwrap_or('\u{FFFD}');
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c if is_xml_char(c) => out.push(c),
            _ => out.push('\u{FFFD}'),
        }
        rest = &tail[ch.len_utf8()..];
    }
    out.push_str(rest);
}

/// Bytes that start something to escape or to check: markup characters, C0 controls and
/// the lead byte of U+FFFE/U+FFFF.
#[inline]
fn needs_care(b: u8, quotes: bool) -> bool {
    matches!(b, b'&' | b'<' | b'>' | 0xEF)
        || (quotes && b == b'"')
        || (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r'))
}

/// True for characters XML 1.0 allows in a document (others are written as U+FFFD, so the
/// SVG stays well-formed whatever the input holds).
fn is_xml_char(c: char) -> bool {
    !matches!(c, '\u{0}'..='\u{8}' | '\u{B}' | '\u{C}' | '\u{E}'..='\u{1F}' | '\u{FFFE}' | '\u{FFFF}')
}

/// `text` XML-escaped (`& < > "`).
pub fn escaped(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    push_escaped(&mut out, text);
    out
}

/// The notes text: escaped, and every `-` that follows another `-` written `&#45;`, so the
/// XML comment never contains `--`.
pub fn notes_text(notes: &str) -> String {
    let escaped = escaped(notes);
    let mut out = String::with_capacity(escaped.len());
    let mut previous_dash = false;
    for ch in escaped.chars() {
        if ch == '-' && previous_dash {
            out.push_str("&#45;");
        } else {
            out.push(ch);
        }
        previous_dash = ch == '-';
    }
    out
}

/// `text` as a JavaScript string literal body (for the script's `nametype`).
pub fn js_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    for ch in text.chars() {
        match ch {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '<' => out.push_str("\\x3c"),
            '>' => out.push_str("\\x3e"),
            '&' => out.push_str("\\x26"),
            c if (c as u32) < 0x20 || c == '\u{2028}' || c == '\u{2029}' => {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        assert_eq!(escaped("a<&>\"'"), "a&lt;&amp;&gt;&quot;'");
        assert_eq!(
            escaped("a\u{1}\tb\u{FFFF}\u{FFFD}é"),
            "a\u{FFFD}\tb\u{FFFD}\u{FFFD}é"
        );
        assert_eq!(notes_text("a--b---c"), "a-&#45;b-&#45;&#45;c");
        assert_eq!(
            js_string("a\"\\<>&\n\u{2028}"),
            "a\\\"\\\\\\x3c\\x3e\\x26\\u000a\\u2028"
        );
    }
}
