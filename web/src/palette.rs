//! Colours and classes shared by every panel, so a term or a message kind looks the same in the
//! cluster drawing, the Raft logs and the legends.

/// Term colours: ten clearly distinct hues, cycled. Term 0 (nothing yet) is grey.
const TERM_COLOURS: [&str; 10] = [
    "#6366f1", "#0ea5e9", "#14b8a6", "#84cc16", "#eab308", "#f97316", "#ef4444", "#ec4899",
    "#a855f7", "#64748b",
];

/// The colour of Raft term `term` (the same everywhere in the UI).
pub fn term_colour(term: u64) -> &'static str {
    if term == 0 {
        return "#cbd5e1";
    }
    TERM_COLOURS[((term - 1) % TERM_COLOURS.len() as u64) as usize]
}

/// Families of message kinds: one colour each, explained in the legend.
pub const MESSAGE_FAMILIES: [(&str, &str); 6] = [
    ("vote", "votes (pre-vote and RequestVote)"),
    ("heartbeat", "heartbeats"),
    ("append", "AppendEntries (log entries)"),
    ("snapshot", "InstallSnapshot"),
    ("client", "client requests and answers"),
    ("other", "leadership transfer, ReadIndex"),
];

/// The family of a message kind as the simulator names it ("RequestVote", "AppendResp", …).
pub fn message_family(kind: &str) -> &'static str {
    match kind {
        "PreVote" | "PreVoteResp" | "RequestVote" | "RequestVoteResp" => "vote",
        "Heartbeat" => "heartbeat",
        "AppendEntries" | "AppendResp" => "append",
        "InstallSnapshot" | "InstallSnapshotResp" => "snapshot",
        "ClientRequest" | "ClientResponse" => "client",
        _ => "other",
    }
}

/// Answers are drawn hollow, requests solid, so a student can tell the direction of an RPC.
pub fn is_response(kind: &str) -> bool {
    kind.ends_with("Resp") || kind == "ClientResponse"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_cycle_through_distinct_colours() {
        assert_eq!(term_colour(1), term_colour(11));
        assert_ne!(term_colour(1), term_colour(2));
        assert_ne!(term_colour(0), term_colour(1));
    }

    #[test]
    fn kinds_map_to_families() {
        assert_eq!(message_family("PreVoteResp"), "vote");
        assert_eq!(message_family("Heartbeat"), "heartbeat");
        assert_eq!(message_family("AppendResp"), "append");
        assert_eq!(message_family("ClientRequest"), "client");
        assert_eq!(message_family("TimeoutNow"), "other");
        assert!(is_response("AppendResp") && !is_response("AppendEntries"));
    }
}
