//! Why a Raft server decided what it did, as `Note::Why` reasons, and their words for the event
//! log. Each code names one rule of the paper; the values are the ones the rule compared, so a
//! student can check the decision against the logs shown in the page.

use super::node::Role;
use crate::sim::{ActorId, Note, Reason, Why};

/// Codes (raft's own space; a pre-vote adds `PRE`).
pub const VOTE_GRANTED: u16 = 100;
pub const VOTE_REFUSED_LOG: u16 = 101;
pub const VOTE_REFUSED_VOTED: u16 = 102;
pub const VOTE_REFUSED_LEADER: u16 = 103;
pub const VOTE_REFUSED_STALE: u16 = 104;
pub const VOTE_IGNORED_LEASE: u16 = 105;
pub const NEWER_TERM: u16 = 106;
pub const COMMIT_EARLIER_TERM: u16 = 107;
pub const APPEND_REJECTED: u16 = 108;
pub const ELECTION_TIMEOUT: u16 = 109;
pub const ELECTED: u16 = 110;
pub const QUORUM_LOST: u16 = 111;
pub const SNAPSHOT_SENT: u16 = 112;
pub const SNAPSHOT_INSTALLED: u16 = 113;
pub const SNAPSHOT_STALE: u16 = 114;
pub const COMPACTED: u16 = 115;
pub const CONFIG_APPENDED: u16 = 116;
pub const CONFIG_COMMITTED: u16 = 117;
pub const CONFIG_REFUSED_OWN_TERM: u16 = 118;
pub const CONFIG_REFUSED_PENDING: u16 = 119;
pub const REMOVED_STEP_DOWN: u16 = 120;
pub const TRANSFER_TIMEOUT_NOW: u16 = 121;
pub const TRANSFER_CATCH_UP: u16 = 122;
pub const READ_SERVED: u16 = 123;
pub const READ_DELAYED: u16 = 124;
pub const TRANSFER_ABORTED: u16 = 125;
pub const SNAPSHOT_PREFIX_HELD: u16 = 126;
/// Added to a vote code when the vote is a pre-vote (thesis §9.6).
pub const PRE: u16 = 0x100;

fn why(code: u16, v: [u64; 5]) -> Note {
    Note::Why(Why::new(code, v))
}

fn id(a: ActorId) -> u64 {
    a as u64
}

pub fn vote(code: u16, pre: bool, cand: ActorId, v: [u64; 4]) -> Note {
    why(
        code + if pre { PRE } else { 0 },
        [id(cand), v[0], v[1], v[2], v[3]],
    )
}

/// `from` sent a message of `term`, newer than ours (`old`), while we were `role`.
pub fn newer_term(from: ActorId, term: u64, old: u64, role: Role) -> Note {
    why(NEWER_TERM, [id(from), term, old, u64::from(role.code()), 0])
}

pub fn commit_earlier_term(index: u64, entry_term: u64, term: u64, commit: u64) -> Note {
    why(COMMIT_EARLIER_TERM, [index, entry_term, term, commit, 0])
}

/// `mine` = our term at `prev_index`, 0 when our log is shorter (`last` = our last index).
pub fn append_rejected(
    leader: ActorId,
    prev_index: u64,
    prev_term: u64,
    mine: u64,
    last: u64,
) -> Note {
    why(
        APPEND_REJECTED,
        [id(leader), prev_index, prev_term, mine, last],
    )
}

pub fn election_timeout(term: u64, timeout_us: u64, pre: bool) -> Note {
    why(
        ELECTION_TIMEOUT,
        [term, timeout_us / 1000, u64::from(pre), 0, 0],
    )
}

pub fn elected(term: u64, granted: usize, quorum: usize, voters: usize) -> Note {
    why(
        ELECTED,
        [term, granted as u64, quorum as u64, voters as u64, 0],
    )
}

pub fn quorum_lost(term: u64, active: usize, quorum: usize) -> Note {
    why(QUORUM_LOST, [term, active as u64, quorum as u64, 0, 0])
}

/// Leader: `to`'s next index is at or below the compaction point, so the entries it needs are
/// gone from the log (they start at `first`); it gets the snapshot (`index`, `term`) instead.
pub fn snapshot_sent(to: ActorId, next: u64, first: u64, index: u64, term: u64) -> Note {
    why(SNAPSHOT_SENT, [id(to), next, first, index, term])
}

/// Follower: took `leader`'s snapshot up to `index` (`term`); its commit index was `commit`.
pub fn snapshot_installed(leader: ActorId, index: u64, term: u64, commit: u64) -> Note {
    why(SNAPSHOT_INSTALLED, [id(leader), index, term, commit, 0])
}

/// Follower: ignored a snapshot up to `index` (`term`): it already committed `commit` >= index.
pub fn snapshot_stale(leader: ActorId, index: u64, term: u64, commit: u64) -> Note {
    why(SNAPSHOT_STALE, [id(leader), index, term, commit, 0])
}

/// Follower: its own log already holds the snapshot's last entry (`index`, `term`), so it keeps
/// the log and only learns that the prefix is committed (its commit index was `commit`).
pub fn snapshot_prefix_held(leader: ActorId, index: u64, term: u64, commit: u64) -> Note {
    why(SNAPSHOT_PREFIX_HELD, [id(leader), index, term, commit, 0])
}

/// `since` entries applied since the last snapshot reached the threshold `every`; the log now
/// starts after `index` (`term`).
pub fn compacted(index: u64, term: u64, since: u64, every: u64) -> Note {
    why(COMPACTED, [index, term, since, every, 0])
}

/// A set of servers as a bit mask (ids above 31 are left out: far beyond any simulated cluster).
pub fn mask(ids: &[ActorId]) -> u64 {
    ids.iter()
        .filter(|&&i| i < 32)
        .fold(0, |m, &i| m | (1u64 << i))
}

fn members(m: u64, n: &dyn Fn(u64) -> String) -> String {
    let names: Vec<String> = (0..32).filter(|i| m & (1 << i) != 0).map(n).collect();
    format!("{{{}}}", names.join(", "))
}

/// Leader: appended a single-server change at `index`, adding (`add`) or removing `server`.
pub fn config_appended(index: u64, server: ActorId, add: bool, old: u64, new: u64) -> Note {
    why(
        CONFIG_APPENDED,
        [index, id(server), u64::from(add), old, new],
    )
}

pub fn config_committed(index: u64, voters: u64) -> Note {
    why(CONFIG_COMMITTED, [index, voters, 0, 0, 0])
}

/// Refused: the leader's commit index `commit` is below the first index of its term `start`.
pub fn config_refused_own_term(server: ActorId, commit: u64, start: u64, term: u64) -> Note {
    why(
        CONFIG_REFUSED_OWN_TERM,
        [id(server), commit, start, term, 0],
    )
}

/// Refused: the change at `pending` is not committed yet (commit index `commit`).
pub fn config_refused_pending(server: ActorId, pending: u64, commit: u64) -> Note {
    why(CONFIG_REFUSED_PENDING, [id(server), pending, commit, 0, 0])
}

/// A leader whose removal (at `index`) committed steps down, handing over to `heir` if any.
pub fn removed_step_down(index: u64, term: u64, heir: Option<ActorId>) -> Note {
    let (has, h) = heir.map_or((0, 0), |h| (1, id(h)));
    why(REMOVED_STEP_DOWN, [index, term, has, h, 0])
}

/// Transfer to `to`: its match index `matched` against the leader's last index `last`.
pub fn transfer(to: ActorId, matched: u64, last: u64) -> Note {
    let code = if matched == last {
        TRANSFER_TIMEOUT_NOW
    } else {
        TRANSFER_CATCH_UP
    };
    why(code, [id(to), matched, last, 0, 0])
}

/// The transfer to `to` did not finish within an election timeout (`timeout_ms`): its match
/// index was still `matched` against the last index `last`.
pub fn transfer_aborted(to: ActorId, timeout_ms: u64, matched: u64, last: u64) -> Note {
    why(TRANSFER_ABORTED, [id(to), timeout_ms, matched, last, 0])
}

/// ReadIndex: `client`'s read was answered at `index` once `acks` of the voters (a majority
/// needs `quorum`) acknowledged the heartbeat round that carried it.
pub fn read_served(client: ActorId, index: u64, acks: usize, quorum: usize) -> Note {
    why(
        READ_SERVED,
        [id(client), index, acks as u64, quorum as u64, 0],
    )
}

/// ReadIndex: `client`'s read waits: the leader's commit index `commit` is below the first
/// index of its term `start`, so it does not know the latest commit index yet.
pub fn read_delayed(client: ActorId, commit: u64, start: u64, term: u64) -> Note {
    why(READ_DELAYED, [id(client), commit, start, term, 0])
}

fn role_name(code: u64) -> &'static str {
    match code {
        0 => "follower",
        1 => "candidate",
        2 => "leader",
        _ => "pre-candidate",
    }
}

/// The sentence for a reason; `who` is the server that decided. The second value says whether
/// it belongs with elections (true) or commits (false).
pub fn describe(who: &str, w: &Why, n: &dyn Fn(u64) -> String) -> Option<(bool, Reason)> {
    let pre = w.code & PRE != 0 && w.code < 0x200;
    let code = if pre { w.code - PRE } else { w.code };
    let v = |i| w.at(i);
    let (vote, pre_s) = if pre {
        ("pre-vote", " (pre-vote: no term changes)")
    } else {
        ("vote", "")
    };
    let (slug, text) = match code {
        VOTE_GRANTED => (
            "vote-granted",
            format!(
                "{who} grants its {vote} to {} for term {}: {}'s log (ends at term {}, index {}) is at least as up to date as {who}'s{pre_s}",
                n(v(0)), v(1), n(v(0)), v(2), v(3)
            ),
        ),
        VOTE_REFUSED_LOG => (
            "vote-refused-log",
            format!(
                "{who} refused its {vote} to {}: {who}'s log ends at term {}, index {}, which is more up to date than {}'s (term {}, index {}) (Raft §5.4.1)",
                n(v(0)), v(1), v(2), n(v(0)), v(3), v(4)
            ),
        ),
        VOTE_REFUSED_VOTED => (
            "vote-refused-voted",
            format!(
                "{who} refused its {vote} to {}: it already voted for {} in term {} (one vote per term, Raft §5.2)",
                n(v(0)), n(v(2)), v(1)
            ),
        ),
        VOTE_REFUSED_LEADER => (
            "vote-refused-leader",
            format!(
                "{who} refused its {vote} to {}: it already follows leader {} in term {}",
                n(v(0)), n(v(2)), v(1)
            ),
        ),
        VOTE_REFUSED_STALE => (
            "vote-refused-stale",
            format!(
                "{who} refused its {vote} to {}: the request is for term {}, not newer than {who}'s term {} (Raft §5.1)",
                n(v(0)), v(1), v(2)
            ),
        ),
        VOTE_IGNORED_LEASE => (
            "vote-ignored-lease",
            format!(
                "{who} ignored {}'s {vote} request for term {}: it heard from leader {} less than an election timeout ago (check-quorum lease)",
                n(v(0)), v(1), n(v(2))
            ),
        ),
        NEWER_TERM => {
            let role = v(3);
            let text = if role == 0 {
                format!(
                    "{who} moves to term {}: {}'s message carries it, newer than {who}'s term {} (Raft §5.1)",
                    v(1), n(v(0)), v(2)
                )
            } else {
                format!(
                    "{who} steps down from {}: {}'s message carries term {}, newer than {who}'s term {} (Raft §5.1)",
                    role_name(role), n(v(0)), v(1), v(2)
                )
            };
            (if role == 0 { "newer-term" } else { "step-down" }, text)
        }
        COMMIT_EARLIER_TERM => (
            "commit-earlier-term",
            format!(
                "the leader {who} did not commit index {}: it is from an earlier term ({}, now {}), so counting its replicas is not enough (Raft §5.4.2); the commit index stays {}",
                v(0), v(1), v(2), v(3)
            ),
        ),
        APPEND_REJECTED => {
            let text = if v(3) == 0 {
                format!(
                    "{who} rejected {}'s entries after index {} (term {}): {who}'s log ends at index {} (Raft §5.3 consistency check)",
                    n(v(0)), v(1), v(2), v(4)
                )
            } else {
                format!(
                    "{who} rejected {}'s entries after index {} (term {}): {who} has term {} at that index (Raft §5.3 consistency check)",
                    n(v(0)), v(1), v(2), v(3)
                )
            };
            ("append-rejected", text)
        }
        ELECTION_TIMEOUT => (
            "election-timeout",
            format!(
                "{who} heard from no leader for {} ms (its randomized election timeout) and {} term {}",
                v(1),
                if v(2) == 1 { "asks for pre-votes for" } else { "starts an election for" },
                v(0)
            ),
        ),
        ELECTED => (
            "elected",
            format!(
                "{who} wins term {} with {} of {} votes (a majority needs {})",
                v(0), v(1), v(3), v(2)
            ),
        ),
        QUORUM_LOST => (
            "quorum-lost",
            format!(
                "the leader {who} steps down in term {}: only {} servers (itself included) answered within an election timeout, a majority needs {} (check-quorum)",
                v(0), v(1), v(2)
            ),
        ),
        SNAPSHOT_SENT => (
            "snapshot-sent",
            format!(
                "the leader {who} sends {} a snapshot (up to index {}, term {}) instead of entries: {}'s next index {} is below the first index {} left in {who}'s log after compaction (Raft §7)",
                n(v(0)), v(3), v(4), n(v(0)), v(1), v(2)
            ),
        ),
        SNAPSHOT_INSTALLED => (
            "snapshot-installed",
            format!(
                "{who} installs {}'s snapshot up to index {} (term {}): it replaces {who}'s state and log prefix, whose commit index was only {} (Raft §7)",
                n(v(0)), v(1), v(2), v(3)
            ),
        ),
        SNAPSHOT_STALE => (
            "snapshot-stale",
            format!(
                "{who} ignores {}'s snapshot up to index {} (term {}): {who} already committed up to index {}, so the snapshot is stale (Raft §7)",
                n(v(0)), v(1), v(2), v(3)
            ),
        ),
        SNAPSHOT_PREFIX_HELD => (
            "snapshot-prefix-held",
            format!(
                "{who} keeps its log instead of installing {}'s snapshot up to index {} (term {}): its own log already has that entry, so it only learns that entries up to {} are committed (its commit index was {}) and keeps the entries after it (Raft §7)",
                n(v(0)), v(1), v(2), v(1), v(3)
            ),
        ),
        COMPACTED => (
            "compacted",
            format!(
                "{who} compacts its log up to index {} (term {}): {} entries were applied since the last snapshot, reaching the threshold of {} (Raft §7)",
                v(0), v(1), v(2), v(3)
            ),
        ),
        CONFIG_APPENDED => (
            "config-appended",
            format!(
                "the leader {who} appends a configuration change at index {}: {} {} ({} → {}); one server at a time, so the old and new majorities always overlap (Raft thesis §4.1)",
                v(0),
                if v(2) == 1 { "add" } else { "remove" },
                n(v(1)), members(v(3), n), members(v(4), n)
            ),
        ),
        CONFIG_COMMITTED => (
            "config-committed",
            format!(
                "the leader {who} committed the configuration change at index {}: the voters are now {}",
                v(0), members(v(1), n)
            ),
        ),
        CONFIG_REFUSED_OWN_TERM => (
            "config-refused-own-term",
            format!(
                "the leader {who} refused to change membership ({}): it has not committed an entry of its own term {} yet (commit index {}, its term starts at index {}); Ongaro 2015 single-server change fix",
                n(v(0)), v(3), v(1), v(2)
            ),
        ),
        CONFIG_REFUSED_PENDING => (
            "config-refused-pending",
            format!(
                "the leader {who} refused to change membership ({}): the change at index {} is still pending (commit index {}); one change at a time (Raft thesis §4.1)",
                n(v(0)), v(1), v(2)
            ),
        ),
        REMOVED_STEP_DOWN => (
            "removed-step-down",
            format!(
                "the leader {who} steps down in term {}: the configuration that removes it committed at index {}{} (Raft thesis §4.2.2)",
                v(1), v(0),
                if v(2) == 1 { format!("; it sends TimeoutNow to the most up-to-date voter {}", n(v(3))) } else { String::new() }
            ),
        ),
        TRANSFER_TIMEOUT_NOW => (
            "transfer-timeout-now",
            format!(
                "the leader {who} stops accepting requests and sends TimeoutNow to {}: its log is caught up (match index {} = last index {}) (Raft thesis §3.10)",
                n(v(0)), v(1), v(2)
            ),
        ),
        TRANSFER_CATCH_UP => (
            "transfer-catch-up",
            format!(
                "the leader {who} stops accepting requests and waits before handing over to {}: its match index {} is behind the last index {}, so it sends the missing entries first (Raft thesis §3.10)",
                n(v(0)), v(1), v(2)
            ),
        ),
        TRANSFER_ABORTED => (
            "transfer-aborted",
            format!(
                "the leader {who} abandons the transfer to {} and accepts requests again: it did not finish within an election timeout ({} ms; match index {}, last index {}) (Raft thesis §3.10)",
                n(v(0)), v(1), v(2), v(3)
            ),
        ),
        READ_SERVED => (
            "read-served",
            format!(
                "the leader {who} answers {}'s read at commit index {}: a heartbeat round acknowledged by {} servers (a majority needs {}) confirmed it is still the leader, and it has applied up to that index (ReadIndex, Raft thesis §6.4)",
                n(v(0)), v(1), v(2), v(3)
            ),
        ),
        READ_DELAYED => (
            "read-delayed",
            format!(
                "the leader {who} delays {}'s read: it has not committed an entry of its term {} yet (commit index {}, its term starts at index {}), so it does not know the latest commit index; the read waits for index {} (ReadIndex, Raft thesis §6.4)",
                n(v(0)), v(3), v(1), v(2), v(2)
            ),
        ),
        _ => return None,
    };
    // Commit- and log-side reasons go with commits; the rest with elections.
    let commits = [
        COMMIT_EARLIER_TERM,
        APPEND_REJECTED,
        SNAPSHOT_SENT,
        SNAPSHOT_INSTALLED,
        SNAPSHOT_STALE,
        COMPACTED,
        CONFIG_APPENDED,
        CONFIG_COMMITTED,
        CONFIG_REFUSED_OWN_TERM,
        CONFIG_REFUSED_PENDING,
        READ_SERVED,
        READ_DELAYED,
    ];
    Some((!commits.contains(&code), Reason::new(slug, text)))
}
