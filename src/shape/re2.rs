//! The one piece of RE2 syntax (Go's `regexp`, which pprof's options use) that the `regex` crate
//! lacks: `\Q...\E`, a literal text. Everything else of RE2 the crate reads as RE2 does.

use std::borrow::Cow;

/// `pattern` with every `\Q...\E` outside a character class replaced by the escaped literal
/// (up to the end of the pattern when `\E` is missing, as in RE2).
pub fn expand_quotes(pattern: &str) -> Cow<'_, str> {
    if !pattern.contains("\\Q") {
        return Cow::Borrowed(pattern);
    }
    let mut out = String::with_capacity(pattern.len() + 8);
    let mut rest = pattern;
    let mut in_class = false;
    while let Some(c) = rest.chars().next() {
        if !in_class && rest.starts_with("\\Q") {
            let quoted = &rest[2..];
            let end = quoted.find("\\E").unwrap_or(quoted.len());
            out.push_str(&regex::escape(&quoted[..end]));
            rest = quoted.get(end + 2..).unwrap_or("");
            continue;
        }
        let len = if c == '\\' {
            // An escape is copied whole: the backslash and the character it escapes.
            1 + rest[1..].chars().next().map_or(0, char::len_utf8)
        } else {
            c.len_utf8()
        };
        match c {
            '[' if !in_class => {
                in_class = true;
                // `[]...]` and `[^]...]`: a `]` right after the opening is a literal.
                let open = if rest[1..].starts_with('^') { 2 } else { 1 };
                let literal = usize::from(rest[open..].starts_with(']'));
                out.push_str(&rest[..open + literal]);
                rest = &rest[open + literal..];
                continue;
            }
            '[' if rest.starts_with("[:") => {
                // A POSIX class inside a class (`[[:alpha:]_]`) ends at `:]`.
                let end = rest.find(":]").map_or(rest.len(), |e| e + 2);
                out.push_str(&rest[..end]);
                rest = &rest[end..];
                continue;
            }
            ']' if in_class => in_class = false,
            _ => {}
        }
        out.push_str(&rest[..len]);
        rest = &rest[len..];
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::expand_quotes;

    #[test]
    fn quoted_text_is_literal() {
        assert_eq!(expand_quotes("main"), "main");
        assert_eq!(expand_quotes(r"\Qmain.(*T).M\E$"), r"main\.\(\*T\)\.M$");
        assert_eq!(expand_quotes(r"^\Qa+b"), r"^a\+b");
        assert_eq!(expand_quotes(r"\\Q"), r"\\Q");
        assert_eq!(expand_quotes(r"[\Q]x"), r"[\Q]x");
        assert_eq!(expand_quotes(r"[]\Q]\Q.\E"), r"[]\Q]\.");
        assert_eq!(expand_quotes(r"\Q\E"), "");
        assert_eq!(expand_quotes(r"[[:alpha:]\Q]\Q.\E"), r"[[:alpha:]\Q]\.");
    }
}
