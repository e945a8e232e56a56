//! Label maps as Go prints them: `{"KEY":"VALUE", ...}`, each a Go-quoted string.

/// Parses `{"k":"v", "k2": "v2"}` (spaces allowed around `:` and `,`) into key/value byte
/// strings; `None` when it does not parse.
pub(crate) fn parse_label_map(text: &[u8]) -> Option<Vec<(Vec<u8>, Vec<u8>)>> {
    let mut p = Cursor { s: text, at: 0 };
    p.expect(b'{')?;
    let mut pairs = Vec::new();
    p.spaces();
    if p.eat(b'}') {
        return p.done().then_some(pairs);
    }
    loop {
        p.spaces();
        let key = p.quoted()?;
        p.spaces();
        p.expect(b':')?;
        p.spaces();
        let value = p.quoted()?;
        pairs.push((key, value));
        p.spaces();
        if p.eat(b'}') {
            return p.done().then_some(pairs);
        }
        p.expect(b',')?;
    }
}

struct Cursor<'a> {
    s: &'a [u8],
    at: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.at).copied()
    }

    fn eat(&mut self, b: u8) -> bool {
        let hit = self.peek() == Some(b);
        self.at += usize::from(hit);
        hit
    }

    fn expect(&mut self, b: u8) -> Option<()> {
        self.eat(b).then_some(())
    }

    fn spaces(&mut self) {
        while self.peek() == Some(b' ') {
            self.at += 1;
        }
    }

    fn done(&self) -> bool {
        self.at == self.s.len()
    }

    fn next(&mut self) -> Option<u8> {
        let b = self.peek()?;
        self.at += 1;
        Some(b)
    }

    /// A Go-quoted string, its escapes decoded (to bytes: `\xHH` may give invalid UTF-8).
    fn quoted(&mut self) -> Option<Vec<u8>> {
        self.expect(b'"')?;
        let mut out = Vec::new();
        loop {
            match self.next()? {
                b'"' => return Some(out),
                b'\\' => self.escape(&mut out)?,
                b => out.push(b),
            }
        }
    }

    fn escape(&mut self, out: &mut Vec<u8>) -> Option<()> {
        let simple = match self.next()? {
            b'"' => b'"',
            b'\\' => b'\\',
            b'n' => b'\n',
            b't' => b'\t',
            b'r' => b'\r',
            b'a' => 0x07,
            b'b' => 0x08,
            b'f' => 0x0c,
            b'v' => 0x0b,
            b'x' => {
                out.push(self.number(2, 16)? as u8);
                return Some(());
            }
            b'u' => return push_char(out, self.number(4, 16)?),
            b'U' => return push_char(out, self.number(8, 16)?),
            b'0'..=b'7' => {
                self.at -= 1;
                let v = self.number(3, 8)?;
                out.push(u8::try_from(v).ok()?);
                return Some(());
            }
            _ => return None,
        };
        out.push(simple);
        Some(())
    }

    fn number(&mut self, digits: usize, radix: u32) -> Option<u32> {
        let mut v = 0u32;
        for _ in 0..digits {
            v = v * radix + (self.next()? as char).to_digit(radix)?;
        }
        Some(v)
    }
}

fn push_char(out: &mut Vec<u8>, code: u32) -> Option<()> {
    let c = char::from_u32(code).unwrap_or(char::REPLACEMENT_CHARACTER);
    let mut buf = [0u8; 4];
    out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(v: &[(&str, &str)]) -> Vec<(Vec<u8>, Vec<u8>)> {
        v.iter()
            .map(|(k, v)| (k.as_bytes().to_vec(), v.as_bytes().to_vec()))
            .collect()
    }

    #[test]
    fn maps_with_and_without_spaces() {
        assert_eq!(
            parse_label_map(br#"{"handler":"books", "tenant":"a"}"#),
            Some(pairs(&[("handler", "books"), ("tenant", "a")]))
        );
        assert_eq!(
            parse_label_map(br#"{"role": "labeled" , "t": "a"}"#),
            Some(pairs(&[("role", "labeled"), ("t", "a")]))
        );
        assert_eq!(parse_label_map(b"{}"), Some(Vec::new()));
    }

    #[test]
    fn escapes() {
        let got = parse_label_map(br#"{"k":"a\"b\\\n\x41\u00e9\101\U0001F600"}"#).unwrap();
        assert_eq!(got[0].1, "a\"b\\\nA\u{e9}A\u{1F600}".as_bytes());
        assert_eq!(parse_label_map(br#"{"k":"\xff"}"#).unwrap()[0].1, [0xff]);
    }

    #[test]
    fn malformed_maps() {
        for bad in [
            &br#"{"k":"v""#[..],
            br#"{"k" "v"}"#,
            br#"{"k":"v"} x"#,
            br#"{"k":"\q"}"#,
            br#"{k:"v"}"#,
            br#"{"k":"v",}"#,
            b"",
        ] {
            assert_eq!(
                parse_label_map(bad),
                None,
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
    }
}
