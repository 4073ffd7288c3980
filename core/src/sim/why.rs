//! Reasons: why a protocol decided what it did ("n3 refused its vote to n2: ..."). The kernel
//! carries them as opaque plain data inside a `Note::Why`, like `Note::Proto`; the protocol
//! that emitted one words it (`raft::reasons`, `services::lock::reasons`, ...). They are part
//! of the trace (hashed), so they are as deterministic and testable as any other event.

use serde::{Deserialize, Serialize};

/// One decision's reason: `code` is the protocol's (namespaced by service like `Proto` notes),
/// `v` its values (node ids, terms, indices, tokens). `u32` keeps the note as small as the
/// other kinds; values above `u32::MAX` saturate (far beyond any simulated run).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Why {
    pub code: u16,
    pub v: [u32; 5],
}

impl Why {
    pub fn new(code: u16, v: [u64; 5]) -> Self {
        Why {
            code,
            v: v.map(|x| u32::try_from(x).unwrap_or(u32::MAX)),
        }
    }

    /// Value `i` widened back (out of range reads 0).
    pub fn at(&self, i: usize) -> u64 {
        self.v.get(i).map_or(0, |&x| u64::from(x))
    }
}

/// A reason worded for the event log: the stable code (`data-reason` in the page) and the
/// sentence a student reads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reason {
    pub code: &'static str,
    pub text: String,
}

impl Reason {
    pub fn new(code: &'static str, text: String) -> Self {
        Reason { code, text }
    }
}
