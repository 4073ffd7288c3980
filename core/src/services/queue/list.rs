//! A list shared rather than copied (as `body.rs` shares bodies).
//!
//! A batch of acks travels from the consumer into the Raft log, every AppendEntries and every
//! replica, and its answer into each replica's session table: as a `Vec`, each of those was an
//! allocation (a tenth of the queue benchmark's `malloc`s). A `List` clones by bumping a
//! count. It compares, prints and serialises exactly as the `Vec` it replaces.

use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

#[derive(PartialEq, Eq)]
pub struct List<T>(Arc<[T]>);

impl<T> List<T> {
    pub fn as_slice(&self) -> &[T] {
        &self.0
    }
}

// By hand: a derive would ask `T: Clone`, and a clone only bumps the count.
impl<T> Clone for List<T> {
    fn clone(&self) -> Self {
        List(Arc::clone(&self.0))
    }
}

impl<T> Deref for List<T> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        &self.0
    }
}

impl<'a, T> IntoIterator for &'a List<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl<T> From<Vec<T>> for List<T> {
    fn from(v: Vec<T>) -> Self {
        List(v.into())
    }
}

impl<T> FromIterator<T> for List<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        List(iter.into_iter().collect())
    }
}

impl<T: PartialEq> PartialEq<Vec<T>> for List<T> {
    fn eq(&self, other: &Vec<T>) -> bool {
        *self.0 == **other
    }
}

// As a `Vec` prints, so labels, traces and test messages read as before.
impl<T: fmt::Debug> fmt::Debug for List<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl<T: Serialize> Serialize for List<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for List<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Vec::deserialize(d).map(List::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_prints_and_serialises_as_its_vec_and_clones_share() {
        let v = vec![(1u64, 2u64), (3, 4)];
        let l = List::from(v.clone());
        assert_eq!(format!("{l:?}"), format!("{v:?}"));
        let json = serde_json::to_string(&l).unwrap();
        assert_eq!(json, serde_json::to_string(&v).unwrap());
        let back: List<(u64, u64)> = serde_json::from_str(&json).unwrap();
        assert_eq!(back, v);
        let c = l.clone();
        assert!(std::ptr::eq(l.as_slice(), c.as_slice()));
    }
}
