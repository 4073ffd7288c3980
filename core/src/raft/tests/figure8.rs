//! Figure 8 of the Raft paper, staged on the simulator: an entry from an earlier term that sits
//! on a majority is NOT committed by counting replicas, and is later (safely) overwritten.
//! Elections are driven by `ForceTimeout` (pre-vote and check-quorum off, 10–20 s election
//! timeouts so nothing happens on its own). Ids 0..4 are the paper's S1..S5.

use super::cluster::{add, idle, Cluster};
use crate::raft::server::ServerCmd;
use crate::raft::{RaftConfig, Role};
use crate::sim::{Action, ActorId, MS, SEC};

fn terms(c: &Cluster, id: ActorId) -> Vec<(u64, u64)> {
    c.server(id)
        .log()
        .entries
        .iter()
        .map(|e| (e.index, e.term))
        .collect()
}

fn elect(c: &mut Cluster, id: ActorId) {
    for _ in 0..4 {
        c.server_cmd(id, ServerCmd::ForceTimeout);
        c.run_while(c.sim.now() + 50 * MS, |c| {
            c.server(id).role() != Role::Leader
        });
        if c.server(id).role() == Role::Leader {
            return;
        }
    }
    panic!("n{} could not be elected", id + 1);
}

fn cut_from(c: &mut Cluster, from: ActorId, to: &[ActorId]) {
    for &t in to {
        c.act(Action::Cut { from, to: t });
    }
}

#[test]
fn figure8_previous_term_entry_is_not_committed_by_counting_replicas() {
    let cfg = RaftConfig {
        pre_vote: false,
        check_quorum: false,
        election_min: 10 * SEC,
        election_max: 20 * SEC,
        max_batch: 1,
        max_inflight: 1,
        snapshot_every: 0,
        ..RaftConfig::default()
    };
    let mut c = Cluster::new(8, 5, cfg, vec![idle()]);
    // (a) S1 leads term 1; its entry 2 reaches only S2.
    elect(&mut c, 0);
    c.run_for(100 * MS);
    assert!((0..5).all(|i| terms(&c, i) == vec![(1, 1)]));
    cut_from(&mut c, 0, &[2, 3, 4]);
    c.submit(5, Some(0), add(1));
    c.run_for(50 * MS);
    assert_eq!(terms(&c, 1), vec![(1, 1), (2, 1)]);
    assert_eq!(terms(&c, 2), vec![(1, 1)]);
    // (b) S1 crashes; S5 wins term 2 with S3, S4 and appends its own entry 2 (its no-op) that
    // reaches nobody.
    c.act(Action::Crash { node: 0 });
    c.act(Action::HealAll);
    elect(&mut c, 4);
    cut_from(&mut c, 4, &[0, 1, 2, 3]);
    assert_eq!(c.server(4).term(), 2);
    assert_eq!(terms(&c, 4), vec![(1, 1), (2, 2)]);
    // (c) S5 crashes; S1 restarts and wins term 3 (S2, S3); it copies its entry 2 (term 1) to S3.
    c.act(Action::Crash { node: 4 });
    c.act(Action::HealAll);
    c.act(Action::Restart { node: 0 });
    cut_from(&mut c, 0, &[3]);
    elect(&mut c, 0);
    let s1_term = c.server(0).term();
    c.run_while(c.sim.now() + SEC, |c| {
        c.server(0).progress().get(&2).map_or(0, |p| p.matched) < 2
    });
    cut_from(&mut c, 0, &[2]);
    for s in [0, 1, 2] {
        assert_eq!(
            terms(&c, s)[1],
            (2, 1),
            "S{} holds entry 2 of term 1",
            s + 1
        );
    }
    c.run_for(200 * MS);
    assert!(
        c.server(0).commit_index() < 2,
        "entry 2 (term 1) is on a majority but must not be committed in term {s1_term}"
    );
    assert_eq!(c.monitor.committed_term(2), None);
    // (d) S1 crashes; S5 restarts and wins (S3, S4: its last term 2 beats their term 1), then
    // overwrites entry 2 everywhere. That is safe exactly because it was never committed.
    c.act(Action::Crash { node: 0 });
    c.act(Action::HealAll);
    c.act(Action::Restart { node: 4 });
    elect(&mut c, 4);
    c.run_for(300 * MS);
    c.act(Action::Restart { node: 0 });
    c.run_for(300 * MS);
    for s in 0..5 {
        assert_eq!(
            terms(&c, s)[1].1,
            2,
            "S{}: entry 2 is now S5's term-2 entry",
            s + 1
        );
        assert_eq!(terms(&c, s), terms(&c, 4), "S{} converged", s + 1);
    }
    assert!(c.server(4).commit_index() >= 2);
    assert_eq!(c.monitor.committed_term(2), Some(2));
}
