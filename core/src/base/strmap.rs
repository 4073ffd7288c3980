//! A string-keyed `SortedMap` that finds keys without reading them. Why (issue 14): the
//! cache's maps are keyed by short strings ("k123"), looked up several times per message,
//! and the binary search over a thousand heap-allocated keys was the cache benchmarks'
//! largest cost (a pointer chase and a string comparison per step). `StrMap` keeps beside the
//! entries each key's first eight bytes as a big-endian `u64` (zero-padded): comparing those
//! orders keys as comparing the strings does, except that equal prefixes need the full keys.
//! The search runs on the contiguous prefixes and reads a key only among equal prefixes.
//!
//! Reads go through `Deref` to the `SortedMap` (same order, same iterators); every change of
//! the key set goes through the methods here, which keep the prefixes in step. Values may be
//! changed through the `_mut` methods.

use std::ops::Deref;

use super::sorted::{cmp_str, SortedMap};

/// The first eight bytes of `key`, big-endian, zero-padded.
#[inline]
fn prefix(key: &str) -> u64 {
    let b = key.as_bytes();
    if let Some(head) = b.first_chunk::<8>() {
        return u64::from_be_bytes(*head);
    }
    // Byte by byte: copying a short, variable length into a buffer called `memcpy`.
    let mut p = 0u64;
    for (i, &c) in b.iter().enumerate() {
        p |= u64::from(c) << (56 - 8 * i);
    }
    p
}

#[derive(Clone, Debug, PartialEq)]
pub struct StrMap<V> {
    map: SortedMap<String, V>,
    /// `prefix` of every key, in the entries' order.
    prefixes: Vec<u64>,
}

impl<V> Default for StrMap<V> {
    fn default() -> Self {
        StrMap {
            map: SortedMap::new(),
            prefixes: Vec::new(),
        }
    }
}

impl<V> Deref for StrMap<V> {
    type Target = SortedMap<String, V>;
    fn deref(&self) -> &SortedMap<String, V> {
        &self.map
    }
}

impl<V> StrMap<V> {
    pub fn new() -> Self {
        Self::default()
    }

    /// Where `key` is (`Ok`) or would go (`Err`), as `binary_search` answers.
    #[inline]
    fn find(&self, key: &str) -> Result<usize, usize> {
        let p = prefix(key);
        let ps = &self.prefixes;
        let lo = ps.partition_point(|&x| x < p);
        // Usually no key or one key has this prefix: look before searching again.
        let hi = if lo == ps.len() || ps[lo] != p {
            lo
        } else if lo + 1 == ps.len() || ps[lo + 1] != p {
            lo + 1
        } else {
            lo + ps[lo..].partition_point(|&x| x == p)
        };
        let entries = &self.map.entries()[lo..hi];
        match entries.binary_search_by(|(k, _)| cmp_str(k, key)) {
            Ok(i) => Ok(lo + i),
            Err(i) => Err(lo + i),
        }
    }

    pub fn get_str(&self, key: &str) -> Option<&V> {
        self.find(key).ok().map(|i| &self.map.entries()[i].1)
    }

    /// `get_str`, for callers that hold a `&String`.
    pub fn get(&self, key: &str) -> Option<&V> {
        self.get_str(key)
    }

    pub fn get_str_mut(&mut self, key: &str) -> Option<&mut V> {
        let i = self.find(key).ok()?;
        Some(&mut self.map.entries_mut()[i].1)
    }

    pub fn get_mut(&mut self, key: &str) -> Option<&mut V> {
        self.get_str_mut(key)
    }

    pub fn contains_str(&self, key: &str) -> bool {
        self.find(key).is_ok()
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.contains_str(key)
    }

    /// Insert or replace; the old value.
    pub fn insert_str(&mut self, key: String, value: V) -> Option<V> {
        match self.find(&key) {
            Ok(i) => Some(std::mem::replace(&mut self.map.entries_mut()[i].1, value)),
            Err(i) => {
                self.prefixes.insert(i, prefix(&key));
                self.map.insert_at(i, key, value);
                None
            }
        }
    }

    pub fn insert(&mut self, key: String, value: V) -> Option<V> {
        self.insert_str(key, value)
    }

    /// The value of `key`, inserted with `default()` if missing (the key copied only then).
    pub fn get_str_or_insert_with(&mut self, key: &str, default: impl FnOnce() -> V) -> &mut V {
        let i = match self.find(key) {
            Ok(i) => i,
            Err(i) => {
                self.prefixes.insert(i, prefix(key));
                self.map.insert_at(i, key.to_string(), default());
                i
            }
        };
        &mut self.map.entries_mut()[i].1
    }

    pub fn get_str_or_default(&mut self, key: &str) -> &mut V
    where
        V: Default,
    {
        self.get_str_or_insert_with(key, V::default)
    }

    pub fn remove_str(&mut self, key: &str) -> Option<V> {
        let i = self.find(key).ok()?;
        self.prefixes.remove(i);
        Some(self.map.remove_at(i).1)
    }

    pub fn remove(&mut self, key: &str) -> Option<V> {
        self.remove_str(key)
    }

    pub fn clear(&mut self) {
        self.map.clear();
        self.prefixes.clear();
    }

    pub fn retain(&mut self, mut keep: impl FnMut(&String, &mut V) -> bool) {
        self.map.retain(|k, v| keep(k, v));
        self.prefixes.clear();
        self.prefixes.extend(self.map.keys().map(|k| prefix(k)));
    }

    pub fn iter_mut(&mut self) -> super::sorted::IterMut<'_, String, V> {
        self.map.iter_mut()
    }

    pub fn values_mut(&mut self) -> super::sorted::ValuesMut<'_, String, V> {
        self.map.values_mut()
    }
}

impl<'a, V> IntoIterator for &'a StrMap<V> {
    type Item = (&'a String, &'a V);
    type IntoIter = super::sorted::Iter<'a, String, V>;
    fn into_iter(self) -> Self::IntoIter {
        self.map.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Same answers and order as the standard `BTreeMap<String, _>`, with keys sharing long
    /// prefixes, shorter than eight bytes, and containing zero bytes.
    #[test]
    fn behaves_like_the_standard_map() {
        let mut rng = crate::base::SimRng::new(3);
        let pool: Vec<String> = (0..300)
            .map(|i| match i % 4 {
                0 => format!("k{i}"),
                1 => format!("longprefix-{i}"),
                2 => format!("k{}\0", i / 8),
                _ => "k".repeat(i % 11),
            })
            .collect();
        let (mut a, mut b) = (StrMap::new(), std::collections::BTreeMap::new());
        for step in 0..6000u64 {
            let k = &pool[rng.range_u64(0, pool.len() as u64) as usize];
            match rng.range_u64(0, 6) {
                0 | 1 => assert_eq!(a.insert_str(k.clone(), step), b.insert(k.clone(), step)),
                2 => assert_eq!(a.remove_str(k), b.remove(k)),
                3 => {
                    *a.get_str_or_default(k) += 1;
                    *b.entry(k.clone()).or_default() += 1;
                }
                4 if step % 500 == 0 => {
                    a.retain(|_, v| *v % 3 != 0);
                    b.retain(|_, v| *v % 3 != 0);
                }
                _ => {
                    assert_eq!(a.get_str(k), b.get(k));
                    assert_eq!(a.contains_str(k), b.contains_key(k));
                }
            }
        }
        assert!(a.iter().eq(b.iter()));
        assert!(!a.is_empty());
    }
}
