//! The trace notes a Raft server emits, and their words for the event log. The kernel treats
//! them as opaque `Note::Proto` codes; only this file gives them meaning.

use super::node::Role;
use crate::sim::Note;

/// A role change: `a` = role code (`Role::code`), `b` = term.
pub const ROLE: u16 = 1;
/// The commit index advanced: `a` = index, `b` = its term.
pub const COMMIT: u16 = 2;
/// An operator command was refused: `a` = the server's id.
pub const REFUSED: u16 = 3;

pub fn role(role: Role, term: u64) -> Note {
    Note::Proto {
        code: ROLE,
        a: u64::from(role.code()),
        b: term,
    }
}

pub fn commit(index: u64, term: u64) -> Note {
    Note::Proto {
        code: COMMIT,
        a: index,
        b: term,
    }
}

pub fn refused(server: crate::sim::ActorId) -> Note {
    Note::Proto {
        code: REFUSED,
        a: server as u64,
        b: 0,
    }
}

/// What a note is about, for the event log's grouping.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoteTopic {
    Election,
    Role,
    Commit,
}

/// What the event log says about a note. `None` for notes not worth a line.
pub fn describe(who: &str, code: u16, a: u64, b: u64) -> Option<(NoteTopic, String)> {
    match code {
        ROLE => {
            let name = match a {
                0 => "follower",
                1 => "candidate",
                2 => "leader",
                _ => "pre-candidate",
            };
            let topic = if a == 1 || a == 2 {
                NoteTopic::Election
            } else {
                NoteTopic::Role
            };
            Some((topic, format!("{who} becomes {name} in term {b}")))
        }
        COMMIT => Some((
            NoteTopic::Commit,
            format!("{who} commits up to index {a} (term {b})"),
        )),
        _ => None,
    }
}
