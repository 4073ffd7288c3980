//! Exactly-once application of client requests: every state machine keeps, per client, the
//! sequence number of its last request and that request's output, so a retried request (same
//! `(client, seq)`) gets the recorded answer instead of running twice (Raft thesis §6.3).

use crate::base::sorted::SortedMap;

use super::sm::RequestId;
use crate::sim::{ActorId, MAX_ACTORS};

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Session<O> {
    pub last_seq: u64,
    /// `None` while the last request has not produced its output yet (a queued lock acquire).
    pub last: Option<O>,
}

impl<O: Clone> Session<O> {
    /// Record the output of request `seq`, if it is still the last request.
    pub fn record(&mut self, seq: u64, output: &O) {
        if self.last_seq == seq {
            self.last = Some(output.clone());
        }
    }
}

/// What to do with a request, given its client's session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Admit<O> {
    /// A new request: run it. `superseded` says the client's previous request never produced
    /// an output (the client gave up on it and moved on).
    Run { superseded: bool },
    /// A retry of the last request: answer with its recorded output.
    Replay(O),
    /// A retry of the last request, which has no output yet: stay silent.
    Pending,
    /// Older than the last request: ignore it.
    Stale,
}

/// The sessions by client. Clients are actors, numbered from 0 and fewer than `MAX_ACTORS`,
/// so their sessions sit in a table indexed by id; an id beyond (a console request may name
/// any) goes to a sorted map. Why not only the map: a state machine looks its client up on
/// every command it applies, and a binary search over 40 clients' sessions was half of the
/// queue's `apply` (issue 14). Either way the order is by client id.
#[derive(Clone, Debug)]
pub struct Sessions<O> {
    dense: Vec<Option<Session<O>>>,
    sparse: SortedMap<ActorId, Session<O>>,
    len: usize,
}

impl<O> Default for Sessions<O> {
    fn default() -> Self {
        Sessions {
            dense: Vec::new(),
            sparse: SortedMap::new(),
            len: 0,
        }
    }
}

/// The same sessions, however the table grew.
impl<O: PartialEq> PartialEq for Sessions<O> {
    fn eq(&self, other: &Self) -> bool {
        self.len == other.len && self.iter().eq(other.iter())
    }
}
impl<O: Eq> Eq for Sessions<O> {}

impl<O> Sessions<O> {
    pub fn len(&self) -> usize {
        self.len
    }
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
    /// By client id.
    pub fn iter(&self) -> impl Iterator<Item = (ActorId, &Session<O>)> {
        let dense = self
            .dense
            .iter()
            .enumerate()
            .filter_map(|(c, s)| s.as_ref().map(|s| (c, s)));
        dense.chain(self.sparse.iter().map(|(&c, s)| (c, s)))
    }

    fn get(&self, client: ActorId) -> Option<&Session<O>> {
        match self.dense.get(client) {
            Some(s) => s.as_ref(),
            None if client < MAX_ACTORS => None,
            None => self.sparse.get(&client),
        }
    }

    fn get_mut(&mut self, client: ActorId) -> Option<&mut Session<O>> {
        if client < MAX_ACTORS {
            self.dense.get_mut(client).and_then(Option::as_mut)
        } else {
            self.sparse.get_mut(&client)
        }
    }

    /// The session of `client`, opened (empty) if it has none.
    fn open(&mut self, client: ActorId) -> &mut Session<O> {
        let fresh = || Session {
            last_seq: 0,
            last: None,
        };
        if client < MAX_ACTORS {
            if self.dense.len() <= client {
                self.dense.resize_with(client + 1, || None);
            }
            let slot = &mut self.dense[client];
            if slot.is_none() {
                self.len += 1;
            }
            slot.get_or_insert_with(fresh)
        } else {
            if !self.sparse.contains_key(&client) {
                self.len += 1;
            }
            self.sparse.entry(client).or_insert(fresh())
        }
    }
}

impl<O: Clone> Sessions<O> {
    /// Decide about `req` and, if it runs, make it the client's last request.
    pub fn admit(&mut self, req: RequestId) -> Admit<O> {
        self.admit_session(req).0
    }

    /// `admit`, also handing back the client's session, so that the caller can record the
    /// output there (`Session::record`) without searching the table a second time (the two
    /// searches per command were 4.7 % of a queue benchmark).
    pub fn admit_session(&mut self, req: RequestId) -> (Admit<O>, &mut Session<O>) {
        let s = self.open(req.client);
        if req.seq < s.last_seq {
            return (Admit::Stale, s);
        }
        if req.seq == s.last_seq && s.last_seq != 0 {
            return (s.last.clone().map_or(Admit::Pending, Admit::Replay), s);
        }
        let superseded = s.last.is_none() && s.last_seq != 0;
        s.last_seq = req.seq;
        s.last = None;
        (Admit::Run { superseded }, s)
    }

    /// Whether `admit(req)` would run it, without admitting it (for explaining a decision
    /// before it is applied).
    pub fn would_run(&self, req: RequestId) -> bool {
        let last = self.get(req.client).map_or(0, |s| s.last_seq);
        req.seq > last || (req.seq == last && last == 0)
    }

    /// Record the output of `to`, if it is still its client's last request.
    pub fn record(&mut self, to: RequestId, output: &O) {
        if let Some(s) = self.get_mut(to.client) {
            s.record(to.seq, output);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(client: ActorId, seq: u64) -> RequestId {
        RequestId { client, seq }
    }

    #[test]
    fn new_requests_run_retries_replay_and_old_ones_are_ignored() {
        let mut s: Sessions<u32> = Sessions::default();
        assert_eq!(s.admit(r(1, 1)), Admit::Run { superseded: false });
        assert_eq!(s.admit(r(1, 1)), Admit::Pending);
        s.record(r(1, 1), &7);
        assert_eq!(s.admit(r(1, 1)), Admit::Replay(7));
        assert_eq!(s.admit(r(1, 2)), Admit::Run { superseded: false });
        assert_eq!(s.admit(r(1, 1)), Admit::Stale);
        // Request 2 never answered, and the client moved on: 3 supersedes it.
        assert_eq!(s.admit(r(1, 3)), Admit::Run { superseded: true });
        s.record(r(1, 2), &9);
        assert_eq!(
            s.admit(r(1, 3)),
            Admit::Pending,
            "a stale output is not recorded"
        );
        assert_eq!(s.admit(r(2, 1)), Admit::Run { superseded: false });
        assert_eq!(s.len(), 2);
    }

    /// Clients in the table and beyond it (any id a console request names): the same answers,
    /// one order by id, and equal sessions compare equal whatever order they were opened in.
    #[test]
    fn clients_beyond_the_table_behave_the_same_and_iterate_in_id_order() {
        let ids = [7, MAX_ACTORS + 5, 0, MAX_ACTORS - 1, usize::MAX, 3];
        let mut a: Sessions<u32> = Sessions::default();
        for (n, &c) in ids.iter().enumerate() {
            assert_eq!(a.admit(r(c, 1)), Admit::Run { superseded: false });
            assert_eq!(a.admit(r(c, 1)), Admit::Pending);
            a.record(r(c, 1), &(n as u32));
            assert_eq!(a.admit(r(c, 1)), Admit::Replay(n as u32));
            assert_eq!(a.admit(r(c, 0)), Admit::Stale);
            assert!(a.would_run(r(c, 2)) && !a.would_run(r(c, 1)));
        }
        assert!(a.would_run(r(8, 1)) && a.would_run(r(MAX_ACTORS, 1)));
        assert_eq!(a.len(), ids.len());
        let order: Vec<ActorId> = a.iter().map(|(c, _)| c).collect();
        let mut sorted = ids.to_vec();
        sorted.sort();
        assert_eq!(order, sorted);
        let mut b: Sessions<u32> = Sessions::default();
        for (n, &c) in ids.iter().enumerate().rev() {
            b.admit(r(c, 1));
            b.record(r(c, 1), &(n as u32));
        }
        assert_eq!(a, b);
        b.admit(r(3, 2));
        assert_ne!(a, b);
        assert!(Sessions::<u32>::default().is_empty());
    }
}
