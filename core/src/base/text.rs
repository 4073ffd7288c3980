//! An immutable string shared rather than copied: a clone bumps a count.
//!
//! Why (issue 14): a cache value travels from the write into the line, every snoop reply and
//! fill, the home's memory, and the copy of the home's line persisted at each change; as a
//! `String` each of those was an allocation, a copy and a free. A `Text` reads, compares,
//! prints and serialises exactly as the `String` it holds, so views, share links and results
//! are unchanged. `Arc`, not `Rc`: the simulator's states must stay `Send`. The queue's
//! message bodies and routing keys are `Text`s too (as `queue::types::Body`): one body travels
//! from the producer into the Raft log, every AppendEntries, the stored message and each delivery.
//!
//! A copy is `as_str().to_owned()`: `to_string()` goes through `Display` and the formatter,
//! several times slower on a hot path.

use std::borrow::Borrow;
use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Text(Arc<str>);

impl Text {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Default for Text {
    fn default() -> Self {
        Text::from("")
    }
}

impl Deref for Text {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Text {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl Borrow<str> for Text {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl From<String> for Text {
    fn from(s: String) -> Self {
        Text(s.into())
    }
}

impl From<&str> for Text {
    fn from(s: &str) -> Self {
        Text(s.into())
    }
}

impl From<&String> for Text {
    fn from(s: &String) -> Self {
        Text(s.as_str().into())
    }
}

impl PartialEq<str> for Text {
    fn eq(&self, other: &str) -> bool {
        &*self.0 == other
    }
}

impl PartialEq<&str> for Text {
    fn eq(&self, other: &&str) -> bool {
        &*self.0 == *other
    }
}

impl PartialEq<String> for Text {
    fn eq(&self, other: &String) -> bool {
        *self.0 == **other
    }
}

impl PartialEq<Text> for String {
    fn eq(&self, other: &Text) -> bool {
        **self == *other.0
    }
}

impl PartialEq<Text> for &str {
    fn eq(&self, other: &Text) -> bool {
        **self == *other.0
    }
}

// As a `String` prints, so labels, traces and test messages read as before.
impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&*self.0, f)
    }
}

impl Serialize for Text {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(Text::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_text_reads_prints_and_serialises_as_its_string() {
        let s = String::from("m1-2|\"quoted\" ünïcode");
        let b = Text::from(s.clone());
        assert_eq!(format!("{b:?}"), format!("{s:?}"));
        assert_eq!(format!("{b}"), s);
        assert_eq!(
            serde_json::to_string(&b).unwrap(),
            serde_json::to_string(&s).unwrap()
        );
        let back: Text = serde_json::from_str(&serde_json::to_string(&s).unwrap()).unwrap();
        assert_eq!(back, s);
        assert_eq!(b.len(), s.len());
        let mut sorted = vec![Text::from("b"), Text::from("a"), Text::from("ab")];
        sorted.sort();
        assert_eq!(sorted, ["a", "ab", "b"]);
        assert!(serde_json::from_str::<Text>("3").is_err());
    }

    #[test]
    fn a_clone_shares_the_text() {
        let b = Text::from("x".repeat(1024));
        let c = b.clone();
        assert!(std::ptr::eq(b.as_str(), c.as_str()));
    }

    #[test]
    fn a_text_compares_with_strings_and_shares_on_clone() {
        let s = String::from("c3-17 \"quoted\" ünïcode");
        let t = Text::from(s.clone());
        assert_eq!(format!("{t:?}"), format!("{s:?}"));
        assert_eq!(format!("{t}"), s);
        assert_eq!(t, s);
        assert_eq!(
            serde_json::to_string(&t).unwrap(),
            serde_json::to_string(&s).unwrap()
        );
        let back: Text = serde_json::from_str(&serde_json::to_string(&s).unwrap()).unwrap();
        assert_eq!(back, t);
        assert!(serde_json::from_str::<Text>("3").is_err());
        let c = t.clone();
        assert!(std::ptr::eq(t.as_str(), c.as_str()));
    }
}
