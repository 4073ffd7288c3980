//! Ordered maps and sets on a ring buffer, for state used as a queue: keys mostly arrive in
//! increasing order and leave from the front. Same semantics and iteration order as
//! `sorted::SortedMap`/`SortedSet` (a binary search over sorted entries), but removing the
//! first entry is O(1) and removing near the front shifts only the entries before it. Why: a
//! partition's messages, ready index and deadlines are exactly that shape, and with a sorted
//! `Vec` every dequeue and ack shifted the whole backlog (a large share of the queue
//! benchmarks' `memmove`, issue 14).

use std::collections::vec_deque;
use std::collections::VecDeque;
use std::fmt;
use std::iter::Map;

pub type Iter<'a, K, V> = Map<vec_deque::Iter<'a, (K, V)>, fn(&'a (K, V)) -> (&'a K, &'a V)>;
pub type Values<'a, K, V> = Map<vec_deque::Iter<'a, (K, V)>, fn(&'a (K, V)) -> &'a V>;

fn pair<K, V>((k, v): &(K, V)) -> (&K, &V) {
    (k, v)
}
fn value<K, V>((_, v): &(K, V)) -> &V {
    v
}

/// Where `key` is in `items`, sorted by `key_of` (`binary_search`'s answer). Keys mostly arrive
/// at the back and are looked up or removed at the front, so both ends are tried first: one
/// comparison instead of a search over the two halves of the ring (3 % of a queue benchmark).
fn search<T, K: Ord>(
    items: &VecDeque<T>,
    key_of: impl Fn(&T) -> &K,
    key: &K,
) -> Result<usize, usize> {
    match items.back().map(|b| key_of(b).cmp(key)) {
        None => return Err(0),
        Some(std::cmp::Ordering::Less) => return Err(items.len()),
        Some(std::cmp::Ordering::Equal) => return Ok(items.len() - 1),
        Some(std::cmp::Ordering::Greater) => {}
    }
    match items.front().map(|f| key_of(f).cmp(key)) {
        Some(std::cmp::Ordering::Equal) => Ok(0),
        Some(std::cmp::Ordering::Greater) => Err(0),
        _ => items.binary_search_by(|t| key_of(t).cmp(key)),
    }
}

/// An ordered map: entries sorted by key, keys unique.
#[derive(Clone, PartialEq, Eq)]
pub struct FifoMap<K, V>(VecDeque<(K, V)>);

impl<K, V> Default for FifoMap<K, V> {
    fn default() -> Self {
        FifoMap(VecDeque::new())
    }
}

impl<K: fmt::Debug, V: fmt::Debug> fmt::Debug for FifoMap<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.0.iter().map(pair)).finish()
    }
}

impl<K: Ord, V> FifoMap<K, V> {
    fn find(&self, key: &K) -> Result<usize, usize> {
        search(&self.0, |(k, _)| k, key)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> Iter<'_, K, V> {
        self.0.iter().map(pair)
    }

    pub fn values(&self) -> Values<'_, K, V> {
        self.0.iter().map(value)
    }

    pub fn get(&self, key: &K) -> Option<&V> {
        self.find(key).ok().map(|i| &self.0[i].1)
    }

    pub fn get_mut(&mut self, key: &K) -> Option<&mut V> {
        self.find(key).ok().map(|i| &mut self.0[i].1)
    }

    pub fn contains_key(&self, key: &K) -> bool {
        self.find(key).is_ok()
    }

    /// Insert or replace; the old value, as `BTreeMap::insert` returns it.
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        match self.find(&key) {
            Ok(i) => Some(std::mem::replace(&mut self.0[i].1, value)),
            Err(i) => {
                self.0.insert(i, (key, value));
                None
            }
        }
    }

    pub fn remove(&mut self, key: &K) -> Option<V> {
        let i = self.find(key).ok()?;
        self.0.remove(i).map(|(_, v)| v)
    }

    /// Remove the entry of `key` if `pred` accepts its value; otherwise `Err(whether the key
    /// is there)`. One search where `get` then `remove` took two (an ack checks the delivery
    /// before deleting the message).
    pub fn remove_if(&mut self, key: &K, pred: impl FnOnce(&V) -> bool) -> Result<V, bool> {
        let i = self.find(key).map_err(|_| false)?;
        if !pred(&self.0[i].1) {
            return Err(true);
        }
        Ok(self.0.remove(i).map(|(_, v)| v).expect("found above"))
    }
}

impl<'a, K: Ord, V> IntoIterator for &'a FifoMap<K, V> {
    type Item = (&'a K, &'a V);
    type IntoIter = Iter<'a, K, V>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

/// An ordered set of unique keys.
#[derive(Clone, PartialEq, Eq)]
pub struct FifoSet<K>(VecDeque<K>);

impl<K> Default for FifoSet<K> {
    fn default() -> Self {
        FifoSet(VecDeque::new())
    }
}

impl<K: fmt::Debug> fmt::Debug for FifoSet<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.0.iter()).finish()
    }
}

impl<K: Ord> FifoSet<K> {
    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> vec_deque::Iter<'_, K> {
        self.0.iter()
    }

    pub fn first(&self) -> Option<&K> {
        self.0.front()
    }

    pub fn pop_first(&mut self) -> Option<K> {
        self.0.pop_front()
    }

    pub fn contains(&self, key: &K) -> bool {
        search(&self.0, |k| k, key).is_ok()
    }

    /// False if the key was already there.
    pub fn insert(&mut self, key: K) -> bool {
        match search(&self.0, |k| k, &key) {
            Ok(_) => false,
            Err(i) => {
                self.0.insert(i, key);
                true
            }
        }
    }

    pub fn remove(&mut self, key: &K) -> bool {
        match search(&self.0, |k| k, key) {
            Ok(i) => self.0.remove(i).is_some(),
            Err(_) => false,
        }
    }
}

impl<'a, K: Ord> IntoIterator for &'a FifoSet<K> {
    type Item = &'a K;
    type IntoIter = vec_deque::Iter<'a, K>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::sorted::{SortedMap, SortedSet};

    #[test]
    fn remove_if_removes_only_what_the_predicate_accepts() {
        let mut m: FifoMap<u64, u64> = (1..=5).fold(FifoMap::default(), |mut m, k| {
            m.insert(k, k * 10);
            m
        });
        assert_eq!(m.remove_if(&3, |v| *v == 31), Err(true));
        assert_eq!(m.remove_if(&9, |_| true), Err(false));
        assert_eq!(m.len(), 5);
        assert_eq!(m.remove_if(&3, |v| *v == 30), Ok(30));
        assert!(m.iter().map(|(k, _)| *k).eq([1, 2, 4, 5]));
    }

    /// The same operations on a `FifoMap`/`FifoSet` and on a `SortedMap`/`SortedSet` give the
    /// same answers and the same order, including after the ring buffer wraps.
    #[test]
    fn behaves_like_the_sorted_vectors() {
        let mut rng = crate::base::SimRng::new(7);
        let (mut fm, mut sm) = (FifoMap::default(), SortedMap::new());
        let (mut fs, mut ss) = (FifoSet::default(), SortedSet::new());
        let mut next = 0u64;
        for _ in 0..5000 {
            let r = rng.range_u64(0, 10);
            let key = if r < 5 {
                next += 1;
                next
            } else {
                rng.range_u64(0, next + 2)
            };
            match r {
                0..=5 => {
                    assert_eq!(fm.insert(key, key * 3), sm.insert(key, key * 3));
                    assert_eq!(fs.insert(key), ss.insert(key));
                }
                6 | 7 => {
                    assert_eq!(fm.remove(&key), sm.remove(&key));
                    assert_eq!(fs.remove(&key), ss.remove(&key));
                }
                _ => {
                    assert_eq!(fs.pop_first(), ss.pop_first());
                    assert_eq!(fm.get(&key), sm.get(&key));
                    assert_eq!(fm.contains_key(&key), sm.contains_key(&key));
                    assert_eq!(fs.contains(&key), ss.contains(&key));
                }
            }
            assert_eq!(fs.first(), ss.first());
        }
        assert!(fm.iter().eq(sm.iter()));
        assert!(fs.iter().eq(ss.iter()));
        assert_eq!((fm.len(), fs.len()), (sm.len(), ss.len()));
    }
}
