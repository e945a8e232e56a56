//! A minimal protobuf wire-format reader that knows where every field starts.
//!
//! prost's decoder reports *what* is wrong but not *where*; pprof-collapse promises
//! `malformed protobuf at byte N`, so the profile is walked with this reader instead.

use super::ProfileError;

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

/// Reads a varint at `pos` (ending before `end`); `None` when it is cut off or longer than
/// 10 bytes.
#[inline]
pub(crate) fn read_varint(data: &[u8], pos: usize, end: usize) -> Option<(u64, usize)> {
    let first = *data.get(pos).filter(|_| pos < end)?;
    if first < 0x80 {
        return Some((u64::from(first), pos + 1));
    }
    let mut value = u64::from(first & 0x7f);
    let mut shift = 7;
    let mut i = pos + 1;
    while i < end && i - pos < 10 {
        let b = data[i];
        value |= u64::from(b & 0x7f).wrapping_shl(shift);
        i += 1;
        if b < 0x80 {
            return Some((value, i));
        }
        shift += 7;
    }
    None
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
