//! `LockTable` as a Raft `StateMachine`: apply, housekeeping, labels and the digest.

use super::table::{LockTable, LEADER_CHANGE_EXTENSION_MS};
use super::types::{LockCmd, LockMode, LockOutput};
use crate::base::StableHasher;
use crate::raft::{ApplyCtx, Reply, RequestId, StateMachine};
use crate::sim::Time;

impl StateMachine for LockTable {
    type Cmd = LockCmd;
    type Output = LockOutput;

    fn apply(
        &mut self,
        ctx: &ApplyCtx,
        req: Option<RequestId>,
        cmd: &LockCmd,
        replies: &mut Vec<Reply<LockOutput>>,
    ) {
        self.dispatch(ctx, req, cmd, replies);
    }

    fn why(
        &self,
        ctx: &ApplyCtx,
        req: Option<RequestId>,
        cmd: &LockCmd,
        replies: Option<&[Reply<LockOutput>]>,
        out: &mut Vec<crate::sim::Why>,
    ) {
        self.explain(ctx, req, cmd, replies, out);
    }

    fn housekeeping(&self, now: Time) -> Option<LockCmd> {
        self.next_deadline()
            .filter(|&d| d <= now)
            .map(|_| LockCmd::Tick)
    }

    fn on_elected(&self, _now: Time) -> Option<LockCmd> {
        let any_lease = self
            .resources
            .values()
            .any(|s| s.holders.iter().any(|h| h.expires_at.is_some()));
        any_lease.then_some(LockCmd::ExtendLeases {
            by_ms: LEADER_CHANGE_EXTENSION_MS,
        })
    }

    fn label(cmd: &LockCmd) -> String {
        match cmd {
            LockCmd::Acquire {
                resource,
                mode,
                wait_timeout_ms,
                ..
            } => match wait_timeout_ms {
                Some(t) if *t > 0 => format!("acq {resource} {} {t}ms", mode.letter()),
                _ => format!("try {resource} {}", mode.letter()),
            },
            LockCmd::Release { resource, lock_id } => format!("rel {resource} #{lock_id}"),
            LockCmd::Status { resource } => format!("stat {resource}"),
            LockCmd::Tick => "tick".to_string(),
            LockCmd::ExtendLeases { by_ms } => format!("extend +{by_ms}ms"),
        }
    }

    fn digest(&self) -> u64 {
        let mut h = StableHasher::default();
        h.u64(self.next_fencing_token());
        h.u64(self.resources.len() as u64);
        for (name, st) in &self.resources {
            h.str(name);
            h.u64(st.holders.len() as u64);
            for x in &st.holders {
                h.u64(x.client as u64);
                h.u64(x.lock_id);
                h.u64(mode_code(x.mode));
                h.u64(x.fencing_token);
                h.u64(x.acquired_at);
                h.opt(x.expires_at);
            }
            h.u64(st.queue.len() as u64);
            for w in &st.queue {
                h.u64(w.req.client as u64);
                h.u64(w.req.seq);
                h.u64(mode_code(w.mode));
                h.u64(w.since);
                h.u64(w.index);
                h.opt(w.deadline);
                h.u64(w.lease_ms);
                h.u64(w.upgrade as u64);
            }
        }
        h.u64(self.sessions.len() as u64);
        for (client, s) in self.sessions.iter() {
            h.u64(client as u64);
            h.u64(s.last_seq);
            match &s.last {
                None => h.u64(0),
                Some(out) => hash_output(&mut h, out),
            }
        }
        h.finish()
    }

    /// `Status` is answered from the table directly; other commands on a scratch copy.
    fn query(&self, ctx: &ApplyCtx, req: RequestId, cmd: &LockCmd) -> Option<LockOutput> {
        if let LockCmd::Status { resource } = cmd {
            return Some(LockOutput::Status(Box::new(self.status(resource))));
        }
        let mut scratch = self.clone();
        let mut replies = Vec::new();
        scratch.apply(ctx, Some(req), cmd, &mut replies);
        replies.into_iter().find(|r| r.to == req).map(|r| r.output)
    }

    fn approx_size(&self) -> usize {
        let per_resource: usize = self
            .resources
            .iter()
            .map(|(n, s)| 48 + n.len() + 56 * s.holders.len() + 72 * s.queue.len())
            .sum();
        64 + per_resource + 48 * self.sessions.len()
    }
}

fn mode_code(m: LockMode) -> u64 {
    match m {
        LockMode::Shared => 1,
        LockMode::Exclusive => 2,
    }
}

fn hash_output(h: &mut StableHasher, out: &LockOutput) {
    match out {
        LockOutput::Granted {
            lock_id,
            fencing_token,
            acquired_at,
            resource,
            mode,
        } => {
            h.u64(1);
            h.u64(*lock_id);
            h.u64(*fencing_token);
            h.u64(*acquired_at);
            h.str(resource);
            h.u64(mode_code(*mode));
        }
        LockOutput::Released { resource, lock_id } => {
            h.u64(2);
            h.str(resource);
            h.u64(*lock_id);
        }
        LockOutput::Conflict { resource } => {
            h.u64(3);
            h.str(resource);
        }
        LockOutput::Timeout => h.u64(4),
        LockOutput::Deadlock => h.u64(5),
        LockOutput::NotFound => h.u64(6),
        LockOutput::NotOwner => h.u64(7),
        // A status answer is a snapshot of state already hashed above; its kind is enough.
        LockOutput::Status(s) => {
            h.u64(8);
            h.str(&s.resource);
        }
    }
}
