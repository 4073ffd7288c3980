//! Ordered maps and sets as sorted vectors, with the subset of the `BTreeMap`/`BTreeSet` API the
//! crate uses (same names, same semantics, same iteration order). Why: every `BTreeMap<K, V>`
//! instance compiles the B-tree's insert, remove-with-rebalancing, clone, drop and iterators for
//! its own `K` and `V`, several kilobytes of WebAssembly each; over the 40-odd instances in the
//! page that was the largest single item of the size breakdown (docs/size.md). A sorted `Vec` is
//! a binary search plus `Vec::insert`/`Vec::remove`: a few hundred bytes per instance. The maps
//! here hold per-node, per-resource or per-key state (tens to a few thousand entries), where the
//! O(n) shift of an insert is a `memmove` and costs nothing measurable.

use std::borrow::Borrow;
use std::fmt;
use std::iter::Map;
use std::ops::{Bound, RangeBounds};
use std::slice;

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, Serializer};

// Named iterator types (not `impl Iterator`), so that a borrow ends where the iterator is last
// used, as with `BTreeMap`'s iterators.
pub type Iter<'a, K, V> = Map<slice::Iter<'a, (K, V)>, fn(&'a (K, V)) -> (&'a K, &'a V)>;
pub type IterMut<'a, K, V> =
    Map<slice::IterMut<'a, (K, V)>, fn(&'a mut (K, V)) -> (&'a K, &'a mut V)>;
pub type Keys<'a, K, V> = Map<slice::Iter<'a, (K, V)>, fn(&'a (K, V)) -> &'a K>;
pub type Values<'a, K, V> = Map<slice::Iter<'a, (K, V)>, fn(&'a (K, V)) -> &'a V>;
pub type ValuesMut<'a, K, V> = Map<slice::IterMut<'a, (K, V)>, fn(&'a mut (K, V)) -> &'a mut V>;

fn pair<K, V>((k, v): &(K, V)) -> (&K, &V) {
    (k, v)
}
fn pair_mut<K, V>((k, v): &mut (K, V)) -> (&K, &mut V) {
    (k, v)
}
fn key<K, V>((k, _): &(K, V)) -> &K {
    k
}
fn value<K, V>((_, v): &(K, V)) -> &V {
    v
}
fn value_mut<K, V>((_, v): &mut (K, V)) -> &mut V {
    v
}

/// An ordered map: entries sorted by key, keys unique.
#[derive(Clone, PartialEq, Eq)]
pub struct SortedMap<K, V>(Vec<(K, V)>);

impl<K, V> Default for SortedMap<K, V> {
    fn default() -> Self {
        SortedMap(Vec::new())
    }
}

impl<K: fmt::Debug, V: fmt::Debug> fmt::Debug for SortedMap<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(self.0.iter().map(|(k, v)| (k, v)))
            .finish()
    }
}

impl<K, V> SortedMap<K, V> {
    pub const fn new() -> Self {
        SortedMap(Vec::new())
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
    pub fn iter(&self) -> Iter<'_, K, V> {
        self.0.iter().map(pair)
    }

    pub fn iter_mut(&mut self) -> IterMut<'_, K, V> {
        self.0.iter_mut().map(pair_mut)
    }

    /// Keys in order.
    pub fn keys(&self) -> Keys<'_, K, V> {
        self.0.iter().map(key)
    }

    pub fn values(&self) -> Values<'_, K, V> {
        self.0.iter().map(value)
    }

    pub fn values_mut(&mut self) -> ValuesMut<'_, K, V> {
        self.0.iter_mut().map(value_mut)
    }

    pub fn into_values(self) -> impl DoubleEndedIterator<Item = V> + ExactSizeIterator {
        self.0.into_iter().map(|(_, v)| v)
    }

    pub fn into_keys(self) -> impl DoubleEndedIterator<Item = K> + ExactSizeIterator {
        self.0.into_iter().map(|(k, _)| k)
    }

    pub fn first_key_value(&self) -> Option<(&K, &V)> {
        self.0.first().map(|(k, v)| (k, v))
    }

    pub fn last_key_value(&self) -> Option<(&K, &V)> {
        self.0.last().map(|(k, v)| (k, v))
    }

    pub fn pop_first(&mut self) -> Option<(K, V)> {
        if self.0.is_empty() {
            None
        } else {
            Some(self.0.remove(0))
        }
    }

    pub fn pop_last(&mut self) -> Option<(K, V)> {
        self.0.pop()
    }

    pub fn retain(&mut self, mut keep: impl FnMut(&K, &mut V) -> bool) {
        self.0.retain_mut(|(k, v)| keep(k, v));
    }
}

impl<K: Ord, V> SortedMap<K, V> {
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

    pub fn get_key_value<Q: Ord + ?Sized>(&self, key: &Q) -> Option<(&K, &V)>
    where
        K: Borrow<Q>,
    {
        self.find(key).ok().map(|i| (&self.0[i].0, &self.0[i].1))
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

    /// Insert or replace the value of `key`; the old value, as `BTreeMap::insert` returns it.
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        match self.find(&key) {
            Ok(i) => Some(std::mem::replace(&mut self.0[i].1, value)),
            Err(i) => {
                self.0.insert(i, (key, value));
                None
            }
        }
    }

    /// `entry(key).or_insert_with(default)`.
    pub fn get_or_insert_with(&mut self, key: K, default: impl FnOnce() -> V) -> &mut V {
        self.entry(key).or_insert_with(default)
    }

    pub fn entry(&mut self, key: K) -> Entry<'_, K, V> {
        let at = self.find(&key);
        Entry { map: self, key, at }
    }

    pub fn remove<Q: Ord + ?Sized>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
    {
        self.find(key).ok().map(|i| self.0.remove(i).1)
    }

    /// The index range of the keys inside `range`.
    fn span<Q: Ord + ?Sized, R: RangeBounds<Q>>(&self, range: R) -> std::ops::Range<usize>
    where
        K: Borrow<Q>,
    {
        let start = match range.start_bound() {
            Bound::Included(b) => self.0.partition_point(|(k, _)| k.borrow() < b),
            Bound::Excluded(b) => self.0.partition_point(|(k, _)| k.borrow() <= b),
            Bound::Unbounded => 0,
        };
        let end = match range.end_bound() {
            Bound::Included(b) => self.0.partition_point(|(k, _)| k.borrow() <= b),
            Bound::Excluded(b) => self.0.partition_point(|(k, _)| k.borrow() < b),
            Bound::Unbounded => self.0.len(),
        };
        start..end.max(start)
    }

    /// Entries with keys inside `range`, in order.
    pub fn range<Q: Ord + ?Sized, R: RangeBounds<Q>>(&self, range: R) -> Iter<'_, K, V>
    where
        K: Borrow<Q>,
    {
        self.0[self.span(range)].iter().map(pair)
    }
}

/// `a.cmp(b)` for strings (byte-wise, as `str`'s `Ord`), inlined: eight bytes at a time, then
/// byte by byte. Why: the service maps are keyed by short strings ("k123"), and a binary
/// search over a thousand of them spent more time calling the C library's `memcmp` than
/// comparing (issue 14).
#[inline]
pub fn cmp_str(a: &str, b: &str) -> std::cmp::Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let n = a.len().min(b.len());
    let mut i = 0;
    while i + 8 <= n {
        let x = u64::from_be_bytes(a[i..i + 8].try_into().expect("eight bytes"));
        let y = u64::from_be_bytes(b[i..i + 8].try_into().expect("eight bytes"));
        if x != y {
            return x.cmp(&y);
        }
        i += 8;
    }
    while i < n {
        if a[i] != b[i] {
            return a[i].cmp(&b[i]);
        }
        i += 1;
    }
    a.len().cmp(&b.len())
}

/// Positional access for `strmap::StrMap`, which keeps an index beside the entries.
impl<K, V> SortedMap<K, V> {
    pub(super) fn entries(&self) -> &[(K, V)] {
        &self.0
    }
    pub(super) fn entries_mut(&mut self) -> &mut [(K, V)] {
        &mut self.0
    }
    pub(super) fn insert_at(&mut self, i: usize, key: K, value: V) {
        self.0.insert(i, (key, value));
    }
    pub(super) fn remove_at(&mut self, i: usize) -> (K, V) {
        self.0.remove(i)
    }
}

/// `BTreeMap`'s entry, for the `or_insert*`, `or_default` and `and_modify` uses.
pub struct Entry<'a, K, V> {
    map: &'a mut SortedMap<K, V>,
    key: K,
    at: Result<usize, usize>,
}

impl<'a, K, V> Entry<'a, K, V> {
    pub fn or_insert_with(self, default: impl FnOnce() -> V) -> &'a mut V {
        let i = match self.at {
            Ok(i) => i,
            Err(i) => {
                self.map.0.insert(i, (self.key, default()));
                i
            }
        };
        &mut self.map.0[i].1
    }

    pub fn or_insert(self, value: V) -> &'a mut V {
        self.or_insert_with(|| value)
    }

    pub fn or_default(self) -> &'a mut V
    where
        V: Default,
    {
        self.or_insert_with(V::default)
    }

    pub fn and_modify(self, f: impl FnOnce(&mut V)) -> Self {
        if let Ok(i) = self.at {
            f(&mut self.map.0[i].1);
        }
        self
    }

    pub fn key(&self) -> &K {
        &self.key
    }
}

impl<K: Ord, V> FromIterator<(K, V)> for SortedMap<K, V> {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let mut map = SortedMap::new();
        map.extend(iter);
        map
    }
}

impl<K: Ord, V, const N: usize> From<[(K, V); N]> for SortedMap<K, V> {
    fn from(entries: [(K, V); N]) -> Self {
        entries.into_iter().collect()
    }
}

impl<K: Ord, V> Extend<(K, V)> for SortedMap<K, V> {
    fn extend<I: IntoIterator<Item = (K, V)>>(&mut self, iter: I) {
        for (k, v) in iter {
            self.insert(k, v);
        }
    }
}

impl<K, V> IntoIterator for SortedMap<K, V> {
    type Item = (K, V);
    type IntoIter = std::vec::IntoIter<(K, V)>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<'a, K, V> IntoIterator for &'a SortedMap<K, V> {
    type Item = (&'a K, &'a V);
    type IntoIter = Iter<'a, K, V>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl<'a, K, V> IntoIterator for &'a mut SortedMap<K, V> {
    type Item = (&'a K, &'a mut V);
    type IntoIter = IterMut<'a, K, V>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter_mut()
    }
}

impl<K: Ord + Borrow<Q>, Q: Ord + ?Sized, V> std::ops::Index<&Q> for SortedMap<K, V> {
    type Output = V;
    fn index(&self, key: &Q) -> &V {
        self.get(key).expect("no entry found for key")
    }
}

impl<K: Serialize, V: Serialize> Serialize for SortedMap<K, V> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.0.iter().map(|(k, v)| (k, v)))
    }
}

impl<'de, K: Ord + Deserialize<'de>, V: Deserialize<'de>> Deserialize<'de> for SortedMap<K, V> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct MapVisitor<K, V>(std::marker::PhantomData<(K, V)>);
        impl<'de, K: Ord + Deserialize<'de>, V: Deserialize<'de>> Visitor<'de> for MapVisitor<K, V> {
            type Value = SortedMap<K, V>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Self::Value, A::Error> {
                let mut map = SortedMap::new();
                while let Some((k, v)) = access.next_entry()? {
                    map.insert(k, v);
                }
                Ok(map)
            }
        }
        d.deserialize_map(MapVisitor(std::marker::PhantomData))
    }
}

/// An ordered set of unique keys.
#[derive(Clone, PartialEq, Eq)]
pub struct SortedSet<K>(SortedMap<K, ()>);

impl<K> Default for SortedSet<K> {
    fn default() -> Self {
        SortedSet(SortedMap::new())
    }
}

impl<K: fmt::Debug> fmt::Debug for SortedSet<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

impl<K> SortedSet<K> {
    pub const fn new() -> Self {
        SortedSet(SortedMap::new())
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

    /// Keys in order.
    pub fn iter(&self) -> Keys<'_, K, ()> {
        self.0.keys()
    }

    pub fn first(&self) -> Option<&K> {
        self.0.first_key_value().map(|(k, _)| k)
    }

    pub fn last(&self) -> Option<&K> {
        self.0.last_key_value().map(|(k, _)| k)
    }

    pub fn pop_first(&mut self) -> Option<K> {
        self.0.pop_first().map(|(k, _)| k)
    }

    pub fn pop_last(&mut self) -> Option<K> {
        self.0.pop_last().map(|(k, _)| k)
    }

    pub fn retain(&mut self, mut keep: impl FnMut(&K) -> bool) {
        self.0.retain(|k, _| keep(k));
    }
}

impl<K: Ord> SortedSet<K> {
    pub fn contains<Q: Ord + ?Sized>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
    {
        self.0.contains_key(key)
    }

    /// Adds `key`; false if it was already there (as `BTreeSet::insert`).
    pub fn insert(&mut self, key: K) -> bool {
        match self.0.find(&key) {
            Ok(_) => false,
            Err(i) => {
                self.0 .0.insert(i, (key, ()));
                true
            }
        }
    }

    /// Add `key` (no effect if present).
    pub fn add(&mut self, key: K) {
        self.insert(key);
    }

    pub fn remove<Q: Ord + ?Sized>(&mut self, key: &Q) -> bool
    where
        K: Borrow<Q>,
    {
        self.0.remove(key).is_some()
    }

    pub fn range<Q: Ord + ?Sized, R: RangeBounds<Q>>(&self, range: R) -> Keys<'_, K, ()>
    where
        K: Borrow<Q>,
    {
        self.0 .0[self.0.span(range)].iter().map(key)
    }
}

impl<K: Ord> FromIterator<K> for SortedSet<K> {
    fn from_iter<I: IntoIterator<Item = K>>(iter: I) -> Self {
        let mut set = SortedSet::new();
        set.extend(iter);
        set
    }
}

impl<K: Ord> Extend<K> for SortedSet<K> {
    fn extend<I: IntoIterator<Item = K>>(&mut self, iter: I) {
        for k in iter {
            self.insert(k);
        }
    }
}

impl<K> IntoIterator for SortedSet<K> {
    type Item = K;
    type IntoIter = std::iter::Map<std::vec::IntoIter<(K, ())>, fn((K, ())) -> K>;
    fn into_iter(self) -> Self::IntoIter {
        self.0 .0.into_iter().map(|(k, _)| k)
    }
}

impl<'a, K> IntoIterator for &'a SortedSet<K> {
    type Item = &'a K;
    type IntoIter = Keys<'a, K, ()>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl<K: Serialize> Serialize for SortedSet<K> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}

impl<'de, K: Ord + Deserialize<'de>> Deserialize<'de> for SortedSet<K> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct SeqVisitor<K>(std::marker::PhantomData<K>);
        impl<'de, K: Ord + Deserialize<'de>> Visitor<'de> for SeqVisitor<K> {
            type Value = SortedSet<K>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a sequence")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut access: A) -> Result<Self::Value, A::Error> {
                let mut set = SortedSet::new();
                while let Some(k) = access.next_element()? {
                    set.insert(k);
                }
                Ok(set)
            }
        }
        d.deserialize_seq(SeqVisitor(std::marker::PhantomData))
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

    #[test]
    fn string_lookups_agree_with_the_generic_ones() {
        let words = [
            "",
            "a",
            "k1",
            "k10",
            "k2",
            "k1\0",
            "longer-key-17",
            "longer-key-2",
            "é",
        ];
        for a in words {
            for b in words {
                assert_eq!(cmp_str(a, b), a.cmp(b), "{a:?} vs {b:?}");
            }
        }
    }
}
