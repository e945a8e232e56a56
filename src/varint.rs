//! The one varint codec of the crate (protobuf's base-128 varints, low 7 bits first): the
//! protobuf decoder reads profiles with it and collapse keeps its stack keys in it.

/// Appends `value` as a varint.
#[inline]
pub fn push(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push((value as u8) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

/// Reads the varint at `data[pos..end]`: its value and the position after it; `None` when it
/// is cut off at `end` or longer than 10 bytes.
#[inline]
pub fn read(data: &[u8], pos: usize, end: usize) -> Option<(u64, usize)> {
    let first = *data.get(pos).filter(|_| pos < end)?;
    if first < 0x80 {
        return Some((u64::from(first), pos + 1));
    }
    let mut value = u64::from(first & 0x7f);
    let mut shift = 7;
    let mut i = pos + 1;
    while i < end && i - pos < 10 {
        let b = *data.get(i)?;
        value |= u64::from(b & 0x7f).wrapping_shl(shift);
        i += 1;
        if b < 0x80 {
            return Some((value, i));
        }
        shift += 7;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_refuses_cut_off_or_overlong_varints() {
        let mut bytes = Vec::new();
        let values = [0, 1, 127, 128, 300, u64::from(u32::MAX), u64::MAX];
        for v in values {
            push(&mut bytes, v);
        }
        let mut pos = 0;
        for v in values {
            let (got, next) = read(&bytes, pos, bytes.len()).unwrap();
            assert_eq!(got, v);
            pos = next;
        }
        assert_eq!(read(&bytes, pos, bytes.len()), None);
        assert_eq!(read(&[0x80, 0x01], 0, 1), None);
        assert_eq!(read(&[0xff; 11], 0, 11), None);
    }
}
