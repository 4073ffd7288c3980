//! A demo "protected resource" (Kleppmann's storage service): it remembers the highest fencing
//! token it has seen and rejects writes that carry an older one, so a client whose lease expired
//! during a pause cannot clobber the new holder's writes.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FencedStore {
    max_seen: u64,
    value: Option<String>,
    accepted: u64,
    rejected: u64,
}

/// Why a write was refused.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaleToken {
    pub token: u64,
    pub max_seen: u64,
}

impl std::fmt::Display for StaleToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "stale fencing token {} (already saw {})",
            self.token, self.max_seen
        )
    }
}

impl FencedStore {
    pub fn new() -> Self {
        Self::default()
    }

    /// Accepts the write if `token >= max_seen` (the same holder may write several times).
    pub fn write(&mut self, token: u64, value: impl Into<String>) -> Result<(), StaleToken> {
        if token < self.max_seen {
            self.rejected += 1;
            return Err(StaleToken {
                token,
                max_seen: self.max_seen,
            });
        }
        self.max_seen = token;
        self.value = Some(value.into());
        self.accepted += 1;
        Ok(())
    }

    pub fn max_seen(&self) -> u64 {
        self.max_seen
    }
    pub fn value(&self) -> Option<&str> {
        self.value.as_deref()
    }
    pub fn accepted(&self) -> u64 {
        self.accepted
    }
    pub fn rejected(&self) -> u64 {
        self.rejected
    }
}

/// The same resource without fencing: every write is accepted and the last one wins, so a
/// client whose lease silently expired overwrites the new holder's update (a lost update).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnfencedStore {
    value: Option<String>,
    accepted: u64,
}

impl UnfencedStore {
    pub fn write(&mut self, value: impl Into<String>) {
        self.value = Some(value.into());
        self.accepted += 1;
    }
    pub fn value(&self) -> Option<&str> {
        self.value.as_deref()
    }
    pub fn accepted(&self) -> u64 {
        self.accepted
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_34_then_rejects_33() {
        let mut store = FencedStore::new();
        assert_eq!(store.write(34, "from client 2"), Ok(()));
        assert_eq!(
            store.write(33, "from paused client 1"),
            Err(StaleToken {
                token: 33,
                max_seen: 34
            })
        );
        assert_eq!(store.value(), Some("from client 2"));
        assert_eq!(
            (store.accepted(), store.rejected(), store.max_seen()),
            (1, 1, 34)
        );
        assert_eq!(store.write(34, "again"), Ok(()));
        assert_eq!(store.write(35, "newer"), Ok(()));
    }
}
