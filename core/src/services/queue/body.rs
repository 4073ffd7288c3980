//! A message body (or key) shared rather than copied.
//!
//! One body travels from the producer's history into the Raft log, every AppendEntries, the
//! stored message, each delivery and every snapshot; as a `String` each of those was a copy of
//! up to a kilobyte, most of the queue benchmark's time. A `Body` clones by bumping a count.
//! It reads, compares, hashes, prints and serialises exactly as the `String` it holds, so
//! share links, console JSON, digests and results are unchanged. `Arc`, not `Rc`: a Raft
//! state machine must be `Send + Sync` (snapshots are shared).

use std::borrow::Borrow;
use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Body(Arc<str>);

impl Body {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Default for Body {
    fn default() -> Self {
        Body::from("")
    }
}

impl Deref for Body {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Body {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl Borrow<str> for Body {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl From<String> for Body {
    fn from(s: String) -> Self {
        Body(s.into())
    }
}

impl From<&str> for Body {
    fn from(s: &str) -> Self {
        Body(s.into())
    }
}

impl From<&String> for Body {
    fn from(s: &String) -> Self {
        Body(s.as_str().into())
    }
}

impl PartialEq<str> for Body {
    fn eq(&self, other: &str) -> bool {
        &*self.0 == other
    }
}

impl PartialEq<&str> for Body {
    fn eq(&self, other: &&str) -> bool {
        &*self.0 == *other
    }
}

impl PartialEq<String> for Body {
    fn eq(&self, other: &String) -> bool {
        *self.0 == **other
    }
}

impl PartialEq<Body> for String {
    fn eq(&self, other: &Body) -> bool {
        **self == *other.0
    }
}

impl PartialEq<Body> for &str {
    fn eq(&self, other: &Body) -> bool {
        **self == *other.0
    }
}

// As a `String` prints, so labels, traces and test messages read as before.
impl fmt::Debug for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl fmt::Display for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&*self.0, f)
    }
}

impl Serialize for Body {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Body {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(Body::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_reads_prints_and_serialises_as_its_string() {
        let s = String::from("m1-2|\"quoted\" ünïcode");
        let b = Body::from(s.clone());
        assert_eq!(format!("{b:?}"), format!("{s:?}"));
        assert_eq!(format!("{b}"), s);
        assert_eq!(
            serde_json::to_string(&b).unwrap(),
            serde_json::to_string(&s).unwrap()
        );
        let back: Body = serde_json::from_str(&serde_json::to_string(&s).unwrap()).unwrap();
        assert_eq!(back, s);
        assert_eq!(b.len(), s.len());
        let mut sorted = vec![Body::from("b"), Body::from("a"), Body::from("ab")];
        sorted.sort();
        assert_eq!(sorted, ["a", "ab", "b"]);
        assert!(serde_json::from_str::<Body>("3").is_err());
    }

    #[test]
    fn a_clone_shares_the_text() {
        let b = Body::from("x".repeat(1024));
        let c = b.clone();
        assert!(std::ptr::eq(b.as_str(), c.as_str()));
    }
}
