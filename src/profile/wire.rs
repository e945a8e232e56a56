//! A minimal protobuf wire-format reader that knows where every field starts.
//!
//! prost's decoder reports *what* is wrong but not *where*; pprof-collapse promises
//! `malformed protobuf at byte N`, so the profile is walked with this reader instead.

use super::ProfileError;
use crate::varint::read as read_varint;

/// One field's payload.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Value {
    /// Wire type 0.
    Varint(u64),
    /// Wire type 1.
    Fixed64,
    /// Wire type 2: the payload's byte range in the whole input.
    Bytes(usize, usize),
    /// Wire type 5.
    Fixed32,
}

/// A decoded field header and payload.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Field {
    /// Field number.
    pub number: u64,
    /// Offset of the field's tag in the whole input.
    pub start: usize,
    /// Payload.
    pub value: Value,
}

impl Field {
    /// The error for a field whose wire type does not fit its declared type.
    pub fn wrong_type(&self, message: &str) -> ProfileError {
        let wire = match self.value {
            Value::Varint(_) => 0,
            Value::Fixed64 => 1,
            Value::Bytes(..) => 2,
            Value::Fixed32 => 5,
        };
        malformed(
            self.start,
            format!("field {} of {message} has wire type {wire}", self.number),
        )
    }

    /// The payload as a varint, or a wire-type error.
    pub fn varint(&self, message: &str) -> Result<u64, ProfileError> {
        match self.value {
            Value::Varint(v) => Ok(v),
            _ => Err(self.wrong_type(message)),
        }
    }

    /// The payload as a length-delimited range, or a wire-type error.
    pub fn bytes(&self, message: &str) -> Result<(usize, usize), ProfileError> {
        match self.value {
            Value::Bytes(s, e) => Ok((s, e)),
            _ => Err(self.wrong_type(message)),
        }
    }

    /// A repeated varint field, packed or not: calls `each` for every element.
    pub fn repeated_varint(
        &self,
        data: &[u8],
        message: &str,
        mut each: impl FnMut(u64),
    ) -> Result<(), ProfileError> {
        match self.value {
            Value::Varint(v) => {
                each(v);
                Ok(())
            }
            Value::Bytes(s, e) => {
                let mut pos = s;
                while pos < e {
                    match read_varint(data, pos, e) {
                        Some((v, next)) => {
                            each(v);
                            pos = next;
                        }
                        None => {
                            return Err(malformed(
                                self.start,
                                format!("bad varint in packed field {} of {message}", self.number),
                            ))
                        }
                    }
                }
                Ok(())
            }
            _ => Err(self.wrong_type(message)),
        }
    }
}

/// The malformed-protobuf error at `offset`.
pub(crate) fn malformed(offset: usize, reason: impl Into<String>) -> ProfileError {
    ProfileError::Malformed {
        offset,
        reason: reason.into(),
    }
}

/// Iterates over the fields of one message, `data[pos..end]`.
pub(crate) struct Fields<'a> {
    data: &'a [u8],
    pos: usize,
    end: usize,
}

impl<'a> Fields<'a> {
    /// Fields of the message occupying `data[start..end]`.
    pub fn new(data: &'a [u8], start: usize, end: usize) -> Self {
        Fields {
            data,
            pos: start,
            end,
        }
    }

    /// The next field, `None` at the end of the message.
    #[inline]
    pub fn next_field(&mut self) -> Result<Option<Field>, ProfileError> {
        if self.pos >= self.end {
            return Ok(None);
        }
        let start = self.pos;
        let (tag, pos) = read_varint(self.data, start, self.end)
            .ok_or_else(|| malformed(start, bad_varint(self.data, start, self.end)))?;
        let number = tag >> 3;
        if number == 0 {
            return Err(malformed(start, "field number 0"));
        }
        let (value, next) = match tag & 7 {
            0 => {
                let (v, next) = read_varint(self.data, pos, self.end)
                    .ok_or_else(|| malformed(start, bad_varint(self.data, pos, self.end)))?;
                (Value::Varint(v), next)
            }
            1 => (Value::Fixed64, self.fixed(start, pos, 8)?),
            2 => {
                let (len, body) = read_varint(self.data, pos, self.end)
                    .ok_or_else(|| malformed(start, bad_varint(self.data, pos, self.end)))?;
                let available = (self.end - body) as u64;
                if len > available {
                    return Err(malformed(
                        start,
                        format!(
                            "length {len} of field {number} goes beyond the end of its message"
                        ),
                    ));
                }
                let stop = body + len as usize;
                (Value::Bytes(body, stop), stop)
            }
            5 => (Value::Fixed32, self.fixed(start, pos, 4)?),
            3 | 4 => {
                return Err(malformed(
                    start,
                    format!(
                        "field {number} uses wire type {} (groups are not supported)",
                        tag & 7
                    ),
                ))
            }
            other => {
                return Err(malformed(
                    start,
                    format!("field {number} has invalid wire type {other}"),
                ))
            }
        };
        self.pos = next;
        Ok(Some(Field {
            number,
            start,
            value,
        }))
    }

    fn fixed(&self, start: usize, pos: usize, len: usize) -> Result<usize, ProfileError> {
        if self.end - pos < len {
            Err(malformed(
                start,
                format!("fixed{} value goes beyond the end of its message", len * 8),
            ))
        } else {
            Ok(pos + len)
        }
    }
}

/// Why a varint at `pos` could not be read.
fn bad_varint(data: &[u8], pos: usize, end: usize) -> &'static str {
    if end - pos >= 10 && data[pos..pos + 10].iter().all(|b| b & 0x80 != 0) {
        "varint longer than 10 bytes"
    } else {
        "varint cut off at the end of its message"
    }
}

/// Moves the offset of a malformed-protobuf error by `base` (for messages decoded from a
/// buffer that starts at `base` in the whole input).
pub(crate) fn shifted(e: ProfileError, base: u64) -> ProfileError {
    match e {
        ProfileError::Malformed { offset, reason } => ProfileError::Malformed {
            offset: offset + base as usize,
            reason,
        },
        other => other,
    }
}

/// A field of the outer message read from a stream. Length-delimited payloads that were asked
/// for are in [`StreamFields::buf`]; the others were skipped.
pub(crate) struct StreamField {
    /// The field, with its absolute start; a payload is `Bytes(0, len)` of `buf`.
    pub field: Field,
    /// Absolute offset of the payload (for nested errors).
    pub payload_at: u64,
}

/// Reads the fields of the outer message from a stream, so that the decompressed profile
/// never has to be held in memory.
pub(crate) struct StreamFields<R> {
    input: R,
    pos: u64,
    gzip: bool,
    /// The payload of the last length-delimited field that was read.
    pub buf: Vec<u8>,
}

impl<R: std::io::BufRead> StreamFields<R> {
    /// Fields of `input`; `gzip` says how to report read errors.
    pub fn new(input: R, gzip: bool) -> Self {
        StreamFields {
            input,
            pos: 0,
            gzip,
            buf: Vec::new(),
        }
    }

    fn io_error(&self, e: std::io::Error) -> ProfileError {
        super::detect::read_error(e, self.gzip)
    }

    /// The next byte, `None` at the end of the input.
    #[inline]
    fn byte(&mut self) -> Result<Option<u8>, ProfileError> {
        loop {
            match self.input.fill_buf() {
                Ok([]) => return Ok(None),
                Ok(buf) => {
                    let b = buf[0];
                    self.input.consume(1);
                    self.pos += 1;
                    return Ok(Some(b));
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(self.io_error(e)),
            }
        }
    }

    /// A varint; `first` is its first byte, already read. Errors name `start`.
    fn varint(&mut self, first: u8, start: u64) -> Result<u64, ProfileError> {
        let mut value = u64::from(first & 0x7f);
        let mut b = first;
        let mut count = 1;
        while b >= 0x80 {
            if count == 10 {
                return Err(malformed(start as usize, "varint longer than 10 bytes"));
            }
            b = self.byte()?.ok_or_else(|| {
                malformed(start as usize, "varint cut off at the end of its message")
            })?;
            value |= u64::from(b & 0x7f).wrapping_shl(7 * count);
            count += 1;
        }
        Ok(value)
    }

    fn next_varint(&mut self, start: u64) -> Result<u64, ProfileError> {
        let first = self
            .byte()?
            .ok_or_else(|| malformed(start as usize, "varint cut off at the end of its message"))?;
        self.varint(first, start)
    }

    /// Reads `len` payload bytes into `buf` (`keep`) or skips them.
    fn payload(
        &mut self,
        len: u64,
        keep: bool,
        start: u64,
        number: u64,
    ) -> Result<(), ProfileError> {
        use std::io::Read;
        let got = if keep {
            self.buf.clear();
            (&mut self.input).take(len).read_to_end(&mut self.buf)
        } else {
            self.skip(len)
        };
        let got = got.map_err(|e| self.io_error(e))? as u64;
        self.pos += got;
        if got < len {
            return Err(malformed(
                start as usize,
                format!("length {len} of field {number} goes beyond the end of its message"),
            ));
        }
        Ok(())
    }

    /// Consumes up to `len` bytes; returns how many there were.
    fn skip(&mut self, len: u64) -> std::io::Result<usize> {
        let mut skipped = 0u64;
        while skipped < len {
            let available = match self.input.fill_buf() {
                Ok([]) => break,
                Ok(buf) => buf.len(),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            let n = available.min((len - skipped).try_into().unwrap_or(usize::MAX));
            self.input.consume(n);
            skipped += n as u64;
        }
        Ok(skipped as usize)
    }

    /// The next field when all of it is already in the input's buffer (the common case),
    /// decoded straight from there; `None` leaves everything unread for [`Self::next_field`]'s
    /// byte-by-byte path, which also reports every error.
    #[inline]
    fn buffered_field(&mut self, keep: &impl Fn(u64) -> bool) -> Option<StreamField> {
        let buf = self.input.fill_buf().ok()?;
        let (tag, after_tag) = read_varint(buf, 0, buf.len())?;
        let number = tag >> 3;
        let (value, used, payload_at) = match tag & 7 {
            _ if number == 0 => return None,
            0 => {
                let (v, end) = read_varint(buf, after_tag, buf.len())?;
                (Value::Varint(v), end, end)
            }
            1 if buf.len() >= after_tag + 8 => (Value::Fixed64, after_tag + 8, after_tag + 8),
            5 if buf.len() >= after_tag + 4 => (Value::Fixed32, after_tag + 4, after_tag + 4),
            2 => {
                let (len, at) = read_varint(buf, after_tag, buf.len())?;
                let end = at.checked_add(usize::try_from(len).ok()?)?;
                let payload = buf.get(at..end)?;
                let len = if keep(number) {
                    self.buf.clear();
                    self.buf.extend_from_slice(payload);
                    payload.len()
                } else {
                    0
                };
                (Value::Bytes(0, len), end, at)
            }
            _ => return None,
        };
        self.input.consume(used);
        let start = self.pos;
        self.pos += used as u64;
        Some(StreamField {
            field: Field {
                number,
                start: start as usize,
                value,
            },
            payload_at: start + payload_at as u64,
        })
    }

    /// The next field, `None` at the end of the input; payloads of fields for which `keep`
    /// is false are skipped.
    pub fn next_field(
        &mut self,
        keep: impl Fn(u64) -> bool,
    ) -> Result<Option<StreamField>, ProfileError> {
        if let Some(field) = self.buffered_field(&keep) {
            return Ok(Some(field));
        }
        let start = self.pos;
        let Some(first) = self.byte()? else {
            return Ok(None);
        };
        let tag = self.varint(first, start)?;
        let number = tag >> 3;
        let at = start as usize;
        if number == 0 {
            return Err(malformed(at, "field number 0"));
        }
        let value = match tag & 7 {
            0 => Value::Varint(self.next_varint(start)?),
            1 | 5 => {
                let len = if tag & 7 == 1 { 8 } else { 4 };
                for _ in 0..len {
                    if self.byte()?.is_none() {
                        return Err(malformed(
                            at,
                            format!("fixed{} value goes beyond the end of its message", len * 8),
                        ));
                    }
                }
                if len == 8 {
                    Value::Fixed64
                } else {
                    Value::Fixed32
                }
            }
            2 => {
                let len = self.next_varint(start)?;
                let payload_at = self.pos;
                let keep = keep(number);
                self.payload(len, keep, start, number)?;
                let len = if keep { len as usize } else { 0 };
                let field = Field {
                    number,
                    start: at,
                    value: Value::Bytes(0, len),
                };
                return Ok(Some(StreamField { field, payload_at }));
            }
            3 | 4 => {
                return Err(malformed(
                    at,
                    format!(
                        "field {number} uses wire type {} (groups are not supported)",
                        tag & 7
                    ),
                ))
            }
            other => {
                return Err(malformed(
                    at,
                    format!("field {number} has invalid wire type {other}"),
                ))
            }
        };
        Ok(Some(StreamField {
            field: Field {
                number,
                start: at,
                value,
            },
            payload_at: self.pos,
        }))
    }

    /// Reads the rest of the input (to surface a gzip error behind a decoding error).
    pub fn drain(&mut self) -> Result<(), ProfileError> {
        std::io::copy(&mut self.input, &mut std::io::sink())
            .map(|_| ())
            .map_err(|e| self.io_error(e))
    }
}
