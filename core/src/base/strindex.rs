//! A hash index from a string key to a `u32` that names where the key is stored (a slot, a
//! position). Why (issue 14): the cache looks a key up several times per message, and a search
//! over a thousand sorted keys was its largest cost; a hash finds the key in about one probe.
//!
//! The index does not own the keys: the caller keeps them and passes `key_of`, which gives the
//! key a value names, so a key is stored (and copied on insert) once. Each bucket holds the
//! key's hash beside its value: probing compares hashes and reads a key only when they match,
//! and growing or deleting never rehashes a string.
//!
//! Open addressing with linear probing in a power-of-two table. Deletion shifts the following
//! entries of the run back (no tombstones, so a lookup never walks past dead buckets). The hash
//! is a fixed function of the key, so the table's layout depends only on the operations:
//! nothing random, and nothing reads the table's order back out anyway.

/// An empty bucket's value.
const EMPTY: u32 = u32::MAX;

#[derive(Clone, Debug, Default)]
pub struct StrIndex {
    /// `(hash, value)`; `value == EMPTY` for a free bucket. The length is zero or a power of two.
    buckets: Vec<(u32, u32)>,
    len: usize,
}

/// The key's hash: its length, then its bytes a 64-bit word at a time, each folded in by a
/// multiply with the golden-ratio constant; the high half is kept, the well-mixed bits of a
/// product. Why not byte-wise FNV-1a: one multiply per byte, on every lookup. Why not the
/// stable hasher's word step: with FNV's sparse prime the low bits, which pick the bucket,
/// barely see the key's later bytes ("k123" and "k124" collided).
#[inline]
fn hash(key: &str) -> u32 {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    let b = key.as_bytes();
    let mut h = b.len() as u64;
    let mut words = b.chunks_exact(8);
    for w in &mut words {
        h = (h ^ u64::from_le_bytes(w.try_into().expect("eight bytes"))).wrapping_mul(K);
    }
    let tail = words.remainder();
    if !tail.is_empty() {
        h = (h ^ tail_word(tail)).wrapping_mul(K);
    }
    (h >> 32) as u32
}

/// One to seven bytes as a word, without a variable-length copy (which calls `memcpy`): two
/// overlapping four-byte reads, or the first, middle and last byte. With the length hashed
/// first, different tails of one length give different words.
#[inline]
fn tail_word(t: &[u8]) -> u64 {
    let n = t.len();
    if n >= 4 {
        let lo = u32::from_le_bytes(t[..4].try_into().expect("four bytes"));
        let hi = u32::from_le_bytes(t[n - 4..].try_into().expect("four bytes"));
        u64::from(lo) | (u64::from(hi) << 32)
    } else {
        u64::from(t[0]) | (u64::from(t[n / 2]) << 8) | (u64::from(t[n - 1]) << 16)
    }
}

impl StrIndex {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn clear(&mut self) {
        self.buckets.clear();
        self.len = 0;
    }

    fn mask(&self) -> usize {
        self.buckets.len().wrapping_sub(1)
    }

    /// The bucket holding `key`, if present.
    #[inline]
    fn bucket_of<'a>(&self, key: &str, key_of: impl Fn(u32) -> &'a str) -> Option<usize> {
        if self.len == 0 {
            return None;
        }
        let (h, mask) = (hash(key), self.mask());
        let mut b = h as usize & mask;
        loop {
            let (bh, v) = self.buckets[b];
            if v == EMPTY {
                return None;
            }
            if bh == h && key_of(v) == key {
                return Some(b);
            }
            b = (b + 1) & mask;
        }
    }

    /// The value of `key`; `key_of(v)` is the key value `v` names.
    #[inline]
    pub fn get<'a>(&self, key: &str, key_of: impl Fn(u32) -> &'a str) -> Option<u32> {
        self.bucket_of(key, key_of).map(|b| self.buckets[b].1)
    }

    /// Index `key` (which must not be indexed yet) under `value` (not `u32::MAX`).
    pub fn insert(&mut self, key: &str, value: u32) {
        debug_assert!(value != EMPTY);
        // At most half full: runs stay short.
        if 2 * (self.len + 1) > self.buckets.len() {
            self.grow();
        }
        self.place(hash(key), value);
        self.len += 1;
    }

    /// Put an entry into the first free bucket of its run.
    fn place(&mut self, h: u32, value: u32) {
        let mask = self.mask();
        let mut b = h as usize & mask;
        while self.buckets[b].1 != EMPTY {
            b = (b + 1) & mask;
        }
        self.buckets[b] = (h, value);
    }

    fn grow(&mut self) {
        let size = (2 * self.buckets.len()).max(16);
        let old = std::mem::replace(&mut self.buckets, vec![(0, EMPTY); size]);
        for (h, v) in old {
            if v != EMPTY {
                self.place(h, v);
            }
        }
    }

    /// Forget `key`; its value.
    pub fn remove<'a>(&mut self, key: &str, key_of: impl Fn(u32) -> &'a str) -> Option<u32> {
        let mut hole = self.bucket_of(key, key_of)?;
        let value = self.buckets[hole].1;
        self.len -= 1;
        // Backward shift: move each following entry of the run into the hole when the hole lies
        // between its home bucket and where it sits (so it stays reachable from its home).
        let mask = self.mask();
        let mut b = hole;
        loop {
            b = (b + 1) & mask;
            let (h, v) = self.buckets[b];
            if v == EMPTY {
                break;
            }
            let home = h as usize & mask;
            // The hole is between home and `b` (around the ring) when it is no nearer to `b`.
            if (b.wrapping_sub(home) & mask) >= (b.wrapping_sub(hole) & mask) {
                self.buckets[hole] = (h, v);
                hole = b;
            }
        }
        self.buckets[hole] = (0, EMPTY);
        Some(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    /// Same answers as the standard `BTreeMap<String, u32>` over a seeded mix of inserts,
    /// removals and lookups, with keys sharing prefixes, empty, and containing zero bytes; the
    /// values name the keys' places in a pool, as the callers' slots do.
    #[test]
    fn behaves_like_the_standard_map() {
        let mut rng = crate::base::SimRng::new(5);
        let pool: Vec<String> = (0..400)
            .map(|i| match i % 4 {
                0 => format!("k{i}"),
                1 => format!("longprefix-{i}"),
                2 => format!("k{}\0{}", i / 8, i % 3),
                _ => "k".repeat(i % 13) + &"\0".repeat(i / 13),
            })
            .collect();
        let key_of = |v: u32| pool[v as usize].as_str();
        let (mut a, mut b) = (StrIndex::new(), BTreeMap::new());
        for step in 0..20_000u64 {
            let v = rng.range_u64(0, pool.len() as u64) as u32;
            let k = key_of(v);
            match rng.range_u64(0, 5) {
                0 | 1 => {
                    if !b.contains_key(k) {
                        a.insert(k, v);
                        b.insert(k.to_string(), v);
                    }
                }
                2 => assert_eq!(a.remove(k, key_of), b.remove(k)),
                _ if step % 3000 == 0 => {
                    a.clear();
                    b.clear();
                }
                _ => assert_eq!(a.get(k, key_of), b.get(k).copied()),
            }
            assert_eq!(a.len(), b.len());
        }
        for (k, &v) in &b {
            assert_eq!(a.get(k, key_of), Some(v));
        }
        assert!(!a.is_empty());
    }
}
