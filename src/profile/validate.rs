//! The rules that every profile obeys, whichever format it came in (protobuf, `-raw` text):
//! unique location ids, samples naming known locations, string indices in range. The
//! decoders call these, so a rule and its message are written once.

use super::{Location, ProfileError, StrId};
use std::collections::HashMap;

/// Maps location ids to indices.
#[derive(Debug)]
pub(crate) enum IdIndex {
    /// `index[id]`, `u32::MAX` for none: ids are small.
    Dense(Vec<u32>),
    /// Sparse or huge ids.
    Map(HashMap<u64, u32>),
}

impl IdIndex {
    /// Indexes `ids` (their positions); `Err(id)` names the first id given twice.
    pub(crate) fn build(ids: impl Iterator<Item = u64> + Clone, count: usize) -> Result<Self, u64> {
        let max = ids.clone().max().unwrap_or(0);
        if max <= 2 * count as u64 + 1024 {
            let mut index = vec![u32::MAX; max as usize + 1];
            for (i, id) in ids.enumerate() {
                let slot = &mut index[id as usize];
                if *slot != u32::MAX {
                    return Err(id);
                }
                *slot = i as u32;
            }
            Ok(IdIndex::Dense(index))
        } else {
            let mut map = HashMap::with_capacity(count);
            for (i, id) in ids.enumerate() {
                if map.insert(id, i as u32).is_some() {
                    return Err(id);
                }
            }
            Ok(IdIndex::Map(map))
        }
    }

    #[inline]
    pub(crate) fn get(&self, id: u64) -> Option<u32> {
        match self {
            IdIndex::Dense(index) => index
                .get(usize::try_from(id).ok()?)
                .copied()
                .filter(|&i| i != u32::MAX),
            IdIndex::Map(map) => map.get(&id).copied(),
        }
    }
}

/// Indexes the locations by id; the error names the first id given twice.
pub(crate) fn index_locations(locations: &[Location]) -> Result<IdIndex, ProfileError> {
    IdIndex::build(locations.iter().map(|l| l.id), locations.len())
        .map_err(|id| ProfileError::Invalid(format!("duplicate location id {id}")))
}

/// The message for a sample that names a location id the profile does not have.
pub(crate) fn unknown_location(id: u64) -> String {
    format!("sample refers to unknown location id {id}")
}

/// Checks a string index against the number of strings and narrows it.
pub(crate) fn str_id(index: i64, strings: usize) -> Result<StrId, ProfileError> {
    if index >= 0 && (index as u64) < strings as u64 {
        Ok(index as StrId)
    } else {
        Err(ProfileError::Invalid(format!(
            "string index {index} out of range"
        )))
    }
}
