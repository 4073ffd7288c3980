//! One node's cache: `capacity` lines, least-recently-used eviction and a TTL per line on the
//! simulator's clock.
//!
//! Why not the `lru` crate (REFERENCES §1.4 recommends it): it is built on a hash map with a
//! randomly seeded hasher, the views and the TTL sweep want the lines in key order, and the
//! page would carry another dependency. Two `BTreeMap`s do it in a few lines and are
//! deterministic by construction: `lines` by key, `order` by last use (a logical counter, so
//! two uses at the same virtual microsecond still have an order). A third, `expiry`, orders
//! the lines by deadline, so that the next expiry and the expired lines cost a lookup rather
//! than a scan of every line (the benchmark's caches hold 1000 lines and ask after every
//! message).

use crate::base::sorted::{SortedMap, SortedSet};

use serde::{Deserialize, Serialize};

use super::protocol::LineState;
use crate::base::Time;

/// A value with its version (1 for the first write of a key, +1 per write: the checker's
/// "latest write") and the TTL, in milliseconds, a cache keeps it for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Data {
    pub value: String,
    pub version: u64,
    pub ttl_ms: u64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Line {
    pub state: LineState,
    pub data: Data,
    /// When the TTL runs out (virtual time). Set by `Line::new` only: the store indexes it.
    pub expires_at: Time,
    /// The home's transaction that filled this copy: a snoop of an older transaction, delayed
    /// or duplicated by the network, must not touch it.
    pub fill_txn: u64,
    used: u64,
}

impl Line {
    pub fn new(state: LineState, data: Data, expires_at: Time, fill_txn: u64) -> Self {
        Line {
            state,
            data,
            expires_at,
            fill_txn,
            used: 0,
        }
    }
}

#[derive(Clone, Debug, Default)]
pub struct LineStore {
    capacity: usize,
    lines: SortedMap<String, Line>,
    order: SortedMap<u64, String>,
    expiry: SortedSet<(Time, String)>,
    clock: u64,
}

impl LineStore {
    pub fn new(capacity: usize) -> Self {
        LineStore {
            capacity: capacity.max(1),
            ..LineStore::default()
        }
    }
    pub fn capacity(&self) -> usize {
        self.capacity
    }
    pub fn len(&self) -> usize {
        self.lines.len()
    }
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }
    pub fn is_full(&self) -> bool {
        self.lines.len() >= self.capacity
    }
    /// Look without promoting (views, snoops).
    pub fn peek(&self, key: &str) -> Option<&Line> {
        self.lines.get(key)
    }
    pub fn state(&self, key: &str) -> LineState {
        self.lines.get(key).map_or(LineState::I, |l| l.state)
    }
    /// A snoop or an acknowledgement changes a line's state (nothing else of it).
    pub fn set_state(&mut self, key: &str, state: LineState) {
        if let Some(l) = self.lines.get_mut(key) {
            l.state = state;
        }
    }
    /// A processor access: the line becomes the most recently used.
    pub fn touch(&mut self, key: &str) {
        if let Some(l) = self.lines.get_mut(key) {
            self.order.remove(&l.used);
            self.clock += 1;
            l.used = self.clock;
            self.order.insert(self.clock, key.to_string());
        }
    }
    /// Insert or replace (the caller made room first, see `victim`), most recently used.
    pub fn insert(&mut self, key: &str, mut line: Line) {
        self.remove(key);
        self.clock += 1;
        line.used = self.clock;
        self.order.insert(self.clock, key.to_string());
        self.expiry.insert((line.expires_at, key.to_string()));
        self.lines.insert(key.to_string(), line);
    }
    pub fn remove(&mut self, key: &str) -> Option<Line> {
        let l = self.lines.remove(key)?;
        self.order.remove(&l.used);
        self.expiry.remove(&(l.expires_at, key.to_string()));
        Some(l)
    }
    /// The least recently used line that `pinned` does not protect (a line with a bus request
    /// in flight stays until it completes).
    pub fn victim(&self, pinned: impl Fn(&str) -> bool) -> Option<String> {
        self.order.values().find(|k| !pinned(k)).cloned()
    }
    /// Keys whose TTL has run out at `now`, in key order (the order their write-backs leave
    /// in, as before the deadline index).
    pub fn expired(&self, now: Time) -> Vec<String> {
        let mut keys: Vec<String> = self
            .expiry
            .iter()
            .take_while(|(t, _)| *t <= now)
            .map(|(_, k)| k.clone())
            .collect();
        crate::base::sort::sort_by(&mut keys, |a, b| a.cmp(b));
        keys
    }
    /// Lines by key.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &Line)> {
        self.lines.iter()
    }
    /// Earliest expiry, if any line is cached.
    pub fn next_expiry(&self) -> Option<Time> {
        self.expiry.first().map(|(t, _)| *t)
    }
    pub fn clear(&mut self) {
        self.lines.clear();
        self.order.clear();
        self.expiry.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(v: u64) -> Line {
        let data = Data {
            value: v.to_string(),
            version: v,
            ttl_ms: 1000,
        };
        Line::new(LineState::S, data, 5, 0)
    }

    #[test]
    fn the_least_recently_used_unpinned_line_is_the_victim() {
        let mut s = LineStore::new(3);
        s.insert("a", line(1));
        s.insert("b", line(2));
        s.insert("c", line(3));
        assert!(s.is_full());
        assert_eq!(s.victim(|_| false).as_deref(), Some("a"));
        s.touch("a");
        assert_eq!(s.victim(|_| false).as_deref(), Some("b"));
        assert_eq!(s.victim(|k| k == "b").as_deref(), Some("c"));
        s.remove("b");
        assert_eq!(s.len(), 2);
        assert_eq!(s.victim(|_| false).as_deref(), Some("c"));
        assert_eq!(s.expired(5), vec!["a".to_string(), "c".into()]);
        assert!(s.expired(4).is_empty());
        assert_eq!(s.next_expiry(), Some(5));
        // Replacing a line moves its deadline; removing it forgets it.
        s.insert("a", Line::new(LineState::S, line(1).data, 9, 0));
        assert_eq!(s.expired(5), vec!["c".to_string()]);
        s.remove("c");
        assert_eq!(
            (s.next_expiry(), s.expired(9)),
            (Some(9), vec!["a".to_string()])
        );
        s.clear();
        assert_eq!(s.next_expiry(), None);
    }
}
