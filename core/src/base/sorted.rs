//! Small ordered maps and sets as sorted vectors. They keep the `BTreeMap`/`BTreeSet` semantics
//! the kernel relies on (lookup by key, iteration in key order) for the few entries a link
//! table holds, and each instance is a few hundred bytes of WebAssembly instead of a B-tree's
//! several kilobytes (insert, remove with rebalancing, clone, drop, iterators).

use std::borrow::Borrow;

/// An ordered map: entries sorted by key, keys unique.
#[derive(Clone, Debug, PartialEq)]
pub struct SortedMap<K, V>(Vec<(K, V)>);

impl<K, V> Default for SortedMap<K, V> {
    fn default() -> Self {
        SortedMap(Vec::new())
    }
}

impl<K: Ord, V> SortedMap<K, V> {
    pub fn new() -> Self {
        Self::default()
    }

    fn find<Q: Ord + ?Sized>(&self, key: &Q) -> Result<usize, usize>
    where
        K: Borrow<Q>,
    {
        self.0.binary_search_by(|(k, _)| k.borrow().cmp(key))
    }

    pub fn get<Q: Ord + ?Sized>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
    {
        self.find(key).ok().map(|i| &self.0[i].1)
    }

    pub fn get_mut<Q: Ord + ?Sized>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
    {
        self.find(key).ok().map(|i| &mut self.0[i].1)
    }

    pub fn contains_key<Q: Ord + ?Sized>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
    {
        self.find(key).is_ok()
    }

    /// Insert or replace the value of `key` (like `BTreeMap::insert`).
    pub fn insert(&mut self, key: K, value: V) {
        match self.find(&key) {
            Ok(i) => self.0[i].1 = value,
            Err(i) => self.0.insert(i, (key, value)),
        }
    }

    /// `entry(key).or_insert_with(default)`.
    pub fn get_or_insert_with(&mut self, key: K, default: impl FnOnce() -> V) -> &mut V {
        let i = match self.find(&key) {
            Ok(i) => i,
            Err(i) => {
                self.0.insert(i, (key, default()));
                i
            }
        };
        &mut self.0[i].1
    }

    pub fn remove<Q: Ord + ?Sized>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
    {
        self.find(key).ok().map(|i| self.0.remove(i).1)
    }

    pub fn retain(&mut self, mut keep: impl FnMut(&K, &V) -> bool) {
        self.0.retain(|(k, v)| keep(k, v));
    }

    pub fn clear(&mut self) {
        self.0.clear();
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Entries in key order.
    pub fn iter(&self) -> impl Iterator<Item = (&K, &V)> {
        self.0.iter().map(|(k, v)| (k, v))
    }

    /// Keys in order.
    pub fn keys(&self) -> impl Iterator<Item = &K> {
        self.0.iter().map(|(k, _)| k)
    }
}

/// An ordered set.
pub type SortedSet<K> = SortedMap<K, ()>;

impl<K: Ord> SortedMap<K, ()> {
    pub fn contains(&self, key: &K) -> bool {
        self.contains_key(key)
    }

    /// Add `key` (no effect if present).
    pub fn add(&mut self, key: K) {
        self.insert(key, ());
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::base::SimRng;

    #[test]
    fn behaves_like_a_btree_map() {
        let mut rng = SimRng::new(9);
        let mut ours: SortedMap<(usize, usize), u64> = SortedMap::new();
        let mut std: BTreeMap<(usize, usize), u64> = BTreeMap::new();
        for step in 0..5_000u64 {
            let k = ((rng.next_u64() % 6) as usize, (rng.next_u64() % 6) as usize);
            match rng.next_u64() % 6 {
                0 | 1 => {
                    ours.insert(k, step);
                    std.insert(k, step);
                }
                2 => assert_eq!(ours.remove(&k), std.remove(&k)),
                3 => {
                    *ours.get_or_insert_with(k, || 0) += 1;
                    *std.entry(k).or_insert(0) += 1;
                }
                4 => {
                    ours.retain(|k, v| (k.0 + *v as usize) % 7 > 1);
                    std.retain(|k, v| (k.0 + *v as usize) % 7 > 1);
                }
                _ if step % 97 == 0 => {
                    ours.clear();
                    std.clear();
                }
                _ => {}
            }
            assert_eq!(ours.get(&k), std.get(&k));
            assert_eq!(ours.contains_key(&k), std.contains_key(&k));
            assert_eq!(ours.len(), std.len());
            assert!(ours.iter().eq(std.iter()));
        }
    }
}
