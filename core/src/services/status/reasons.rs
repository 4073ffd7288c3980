//! Why the failure detector changed its mind about a peer, as `Note::Why` reasons: the phi it
//! computed, the threshold it compared it with, and how long ago the peer's last heartbeat
//! arrived, so a student can see suspicion grow with silence (Hayashibara et al., 2004).

use super::actor::{NOTE_SUSPECT, NOTE_TRUST};
use crate::base::{Time, MS};
use crate::sim::{ActorId, Note, Reason, Why};

/// Hundredths: phi and the threshold are reals; the note keeps them as integers.
fn centi(x: f64) -> u64 {
    (x * 100.0) as u64
}

/// `peer` became suspected (`suspected`) or trusted again: `phi` against `threshold`, `age`
/// since its last heartbeat.
pub fn changed(suspected: bool, peer: ActorId, phi: f64, threshold: f64, age: Time) -> Note {
    let code = if suspected { NOTE_SUSPECT } else { NOTE_TRUST };
    Note::Why(Why::new(
        code,
        [peer as u64, centi(phi), centi(threshold), age / MS, 0],
    ))
}

/// A hundredths value as a decimal ("8.00"); a saturated one says so.
fn real(v: u64) -> String {
    if v >= u64::from(u32::MAX) {
        "over 42 million".into()
    } else {
        format!("{}.{:02}", v / 100, v % 100)
    }
}

pub fn describe(who: &str, w: &Why, n: &dyn Fn(u64) -> String) -> Option<Reason> {
    let (peer, phi, threshold, age) = (n(w.at(0)), real(w.at(1)), real(w.at(2)), w.at(3));
    match w.code {
        NOTE_SUSPECT => Some(Reason::new(
            "peer-suspected",
            format!(
                "{who} suspects {peer}: its last heartbeat arrived {age} ms ago, so phi is {phi}, at or above the threshold {threshold} (phi-accrual failure detector)"
            ),
        )),
        NOTE_TRUST => Some(Reason::new(
            "peer-trusted",
            format!(
                "{who} trusts {peer} again: a heartbeat arrived {age} ms ago, so phi fell to {phi}, below the threshold {threshold}"
            ),
        )),
        _ => None,
    }
}
