//! A string-keyed `SortedMap` that finds keys by hash. Why (issue 14): the cache's maps are
//! keyed by short strings ("k123") and looked up several times per message; a binary search
//! over a thousand heap-allocated keys was the cache benchmarks' largest cost. `StrMap` keeps
//! beside the sorted entries a `StrIndex` from each key to a stable id, and each id's position,
//! so a lookup is a hash, about one probe and an indirection.
//!
//! Why ids rather than positions in the index: inserting or removing a key moves the later
//! entries by one, and with positions in the index every such change walked the whole hash
//! table to fix them (~4 % of a cache benchmark, on its map of requests in flight). With ids,
//! only the moved entries' positions change: a pass over `ids` from the changed position,
//! beside the `Vec` shift that sorted order costs anyway.
//!
//! Reads go through `Deref` to the `SortedMap` (same order, same iterators); every change of
//! the key set goes through the methods here, which keep the index in step. Values may be
//! changed through the `_mut` methods.

use std::ops::Deref;

use super::sorted::{cmp_str, SortedMap};
use super::strindex::StrIndex;

#[derive(Clone, Debug)]
pub struct StrMap<V> {
    map: SortedMap<String, V>,
    /// Each key's id: fixed while the key is present (a removed key's id is reused).
    index: StrIndex,
    /// The id of the entry at each position of `map`.
    ids: Vec<u32>,
    /// Each id's position in `map` (stale for a free id).
    pos: Vec<u32>,
    /// Ids of removed keys, for reuse.
    free: Vec<u32>,
}

impl<V> Default for StrMap<V> {
    fn default() -> Self {
        StrMap {
            map: SortedMap::new(),
            index: StrIndex::new(),
            ids: Vec::new(),
            pos: Vec::new(),
            free: Vec::new(),
        }
    }
}

/// Equal entries, whatever order the keys came in (which shapes the index, not the map).
impl<V: PartialEq> PartialEq for StrMap<V> {
    fn eq(&self, other: &Self) -> bool {
        self.map == other.map
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

    /// The position of `key`.
    #[inline]
    fn position(&self, key: &str) -> Option<usize> {
        // Inline, before the lookup (which is not): the cache asks its maps of work in flight
        // (usually empty) on every message.
        if self.map.is_empty() {
            return None;
        }
        self.lookup(key)
    }

    /// `position` in a map with entries.
    fn lookup(&self, key: &str) -> Option<usize> {
        let (entries, pos) = (self.map.entries(), &self.pos);
        self.index
            .get(key, |id| &entries[pos[id as usize] as usize].0)
            .map(|id| pos[id as usize] as usize)
    }

    /// Record the positions of the entries from position `from` on (they moved).
    fn renumber_from(&mut self, from: usize) {
        for (p, &id) in self.ids.iter().enumerate().skip(from) {
            self.pos[id as usize] = p as u32;
        }
    }

    /// Where `key` is (`Ok`) or would go (`Err`), as `binary_search` answers: a search only
    /// for a key to insert.
    fn find(&self, key: &str) -> Result<usize, usize> {
        self.position(key).ok_or_else(|| {
            let entries = self.map.entries();
            entries.partition_point(|(k, _)| cmp_str(k, key).is_lt())
        })
    }

    /// Put a new key at position `i` (from `find`).
    fn insert_at(&mut self, i: usize, key: String, value: V) {
        let id = self.free.pop().unwrap_or_else(|| {
            self.pos.push(0);
            (self.pos.len() - 1) as u32
        });
        self.ids.insert(i, id);
        self.renumber_from(i);
        self.index.insert(&key, id);
        self.map.insert_at(i, key, value);
    }

    pub fn get_str(&self, key: &str) -> Option<&V> {
        self.position(key).map(|i| &self.map.entries()[i].1)
    }

    /// `get_str`, for callers that hold a `&String`.
    pub fn get(&self, key: &str) -> Option<&V> {
        self.get_str(key)
    }

    pub fn get_str_mut(&mut self, key: &str) -> Option<&mut V> {
        let i = self.position(key)?;
        Some(&mut self.map.entries_mut()[i].1)
    }

    pub fn get_mut(&mut self, key: &str) -> Option<&mut V> {
        self.get_str_mut(key)
    }

    pub fn contains_str(&self, key: &str) -> bool {
        self.position(key).is_some()
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.contains_str(key)
    }

    /// Insert or replace; the old value.
    pub fn insert_str(&mut self, key: String, value: V) -> Option<V> {
        match self.find(&key) {
            Ok(i) => Some(std::mem::replace(&mut self.map.entries_mut()[i].1, value)),
            Err(i) => {
                self.insert_at(i, key, value);
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
                self.insert_at(i, key.to_string(), default());
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
        let (entries, pos) = (self.map.entries(), &self.pos);
        let id = self
            .index
            .remove(key, |id| &entries[pos[id as usize] as usize].0)?;
        let i = self.pos[id as usize] as usize;
        self.ids.remove(i);
        self.renumber_from(i);
        self.free.push(id);
        Some(self.map.remove_at(i).1)
    }

    pub fn remove(&mut self, key: &str) -> Option<V> {
        self.remove_str(key)
    }

    pub fn clear(&mut self) {
        self.map.clear();
        self.index.clear();
        self.ids.clear();
        self.pos.clear();
        self.free.clear();
    }

    pub fn retain(&mut self, mut keep: impl FnMut(&String, &mut V) -> bool) {
        self.map.retain(|k, v| keep(k, v));
        self.index.clear();
        self.free.clear();
        // Ids numbered by position afresh.
        self.ids = (0..self.map.len() as u32).collect();
        self.pos = self.ids.clone();
        for (i, k) in self.map.keys().enumerate() {
            self.index.insert(k, i as u32);
        }
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
