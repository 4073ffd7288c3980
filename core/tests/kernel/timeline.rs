//! Checkpoints and time travel: restoring and continuing equals never stopping; a different
//! action after a restore gives a different history; timelines fork and replay exactly.

use syncsim_core::sim::echo::{echo_sim, EchoCmd, EchoNode};
use syncsim_core::sim::{Action, Recorded, Sim, Timeline, MS, SEC};

#[test]
fn restore_then_continue_equals_uninterrupted_run() {
    let mut straight = echo_sim(21);
    straight.run_until(SEC);
    let mut sim = echo_sim(21);
    sim.run_until(400 * MS);
    let checkpoint = sim.clone();
    sim.run_until(700 * MS);
    sim = checkpoint; // rewind
    sim.run_until(SEC);
    assert_eq!(sim.trace_hash(), straight.trace_hash());
    assert_eq!(sim.trace().last(50), straight.trace().last(50));
}

#[test]
fn restore_then_different_action_diverges() {
    let mut base = echo_sim(21);
    base.run_until(400 * MS);
    let mut a = base.clone();
    let mut b = base.clone();
    a.apply(Action::Crash { node: 2 }).unwrap();
    b.apply(Action::Crash { node: 3 }).unwrap();
    a.run_until(SEC);
    b.run_until(SEC);
    assert_ne!(a.trace_hash(), b.trace_hash());
}

fn straight_to(t: u64, actions: &[(u64, Action<EchoCmd>)]) -> Sim<EchoNode> {
    let mut sim = echo_sim(30);
    for (at, a) in actions {
        sim.run_until(*at);
        sim.apply(a.clone()).unwrap();
    }
    sim.run_until(t);
    sim
}

#[test]
fn timeline_seeks_back_replays_and_forks() {
    let acts = [
        (100 * MS, Action::Crash { node: 1 }),
        (300 * MS, Action::Restart { node: 1 }),
    ];
    let mut tl = Timeline::new(echo_sim(30), 50 * MS);
    for (at, a) in &acts {
        tl.advance_to(*at);
        assert!(!tl.act(a.clone()).unwrap());
    }
    tl.advance_to(SEC);
    let full = straight_to(SEC, &acts);
    assert_eq!(tl.sim().trace_hash(), full.trace_hash());
    assert_eq!(tl.end_time(), SEC);
    assert!(tl.checkpoint_times().len() >= 20);

    // Back to 200 ms: same state as a straight run to 200 ms.
    tl.seek(200 * MS);
    assert_eq!(tl.sim().now(), 200 * MS);
    assert_eq!(
        tl.sim().trace_hash(),
        straight_to(200 * MS, &acts[..1]).trace_hash()
    );
    assert_eq!(tl.actions_applied(), 1);
    // Forward again: the recorded restart is re-applied.
    tl.advance_to(SEC);
    assert_eq!(tl.sim().trace_hash(), full.trace_hash());

    // Back, then a different action: history forks.
    tl.seek(200 * MS);
    let forked = tl.act(Action::Crash { node: 4 }).unwrap();
    assert!(forked);
    assert_eq!(tl.actions().len(), 2);
    assert!(tl.checkpoint_times().iter().all(|&t| t <= 200 * MS));
    assert_eq!(tl.end_time(), 200 * MS);
    tl.advance_to(SEC);
    let alt = [acts[0].clone(), (200 * MS, Action::Crash { node: 4 })];
    assert_eq!(tl.sim().trace_hash(), straight_to(SEC, &alt).trace_hash());
    assert_ne!(tl.sim().trace_hash(), full.trace_hash());
    assert_eq!(
        tl.sim().incarnation(1),
        0,
        "the restart was discarded by the fork"
    );
}

#[test]
fn stepping_and_acting_replays_from_the_recorded_list() {
    let mut tl = Timeline::new(echo_sim(31), 10 * MS);
    for i in 0..3000 {
        assert!(tl.step());
        if i == 500 {
            tl.act(Action::CutBoth { a: 0, b: 1 }).unwrap();
        }
        if i == 1700 {
            tl.act(Action::Command {
                to: 2,
                cmd: EchoCmd::PingAll,
            })
            .unwrap();
            tl.act(Action::HealAll).unwrap();
        }
    }
    let end = tl.sim().now();
    let hash = tl.sim().trace_hash();
    // Through JSON, as a shared URL would carry it.
    let json = serde_json::to_string(tl.actions()).unwrap();
    let actions: Vec<Recorded<EchoCmd>> = serde_json::from_str(&json).unwrap();
    let replayed = Timeline::replay(echo_sim(31), &actions, end).unwrap();
    assert_eq!(replayed.trace_hash(), hash);
    // Stepping through the same history again reproduces it too (actions re-applied by step).
    tl.seek(0);
    while tl.sim().now() < end {
        tl.step();
    }
    tl.advance_to(end);
    assert_eq!(tl.sim().trace_hash(), hash);
    // Loading the history into a fresh timeline.
    let mut loaded = Timeline::with_actions(echo_sim(31), 10 * MS, actions.clone()).unwrap();
    loaded.advance_to(end);
    assert_eq!(loaded.sim().trace_hash(), hash);
    // The same list over a different seed cannot be replayed at its positions.
    let mut bad = actions;
    bad[0].after_events += 1_000_000;
    assert!(Timeline::replay(echo_sim(31), &bad, end).is_err());
}

#[test]
fn checkpoints_are_thinned_on_long_runs_and_seeking_still_works() {
    let mut tl = Timeline::new(echo_sim(32), MS);
    tl.advance_to(2 * SEC);
    let times = tl.checkpoint_times();
    assert!(times.len() <= syncsim_core::sim::MAX_CHECKPOINTS);
    assert!(tl.checkpoint_every() > MS);
    assert_eq!(times[0], 0);
    let hash = tl.sim().trace_hash();
    tl.seek(777 * MS);
    let mut straight = echo_sim(32);
    straight.run_until(777 * MS);
    assert_eq!(tl.sim().trace_hash(), straight.trace_hash());
    tl.seek(2 * SEC);
    assert_eq!(tl.sim().trace_hash(), hash);
}

/// Random schedules of actions and seeks: after any sequence of seeks, the timeline's state at
/// time t equals a straight replay of its recorded actions to t.
#[test]
fn random_seeks_always_match_a_straight_replay() {
    use syncsim_core::sim::SimRng;
    for seed in 0..12u64 {
        let mut rng = SimRng::new(seed);
        let mut tl = Timeline::new(echo_sim(seed), 20 * MS);
        for _ in 0..12 {
            let t = rng.range_u64(0, 400 * MS);
            match rng.range_u64(0, 3) {
                0 => tl.seek(t),
                1 => tl.advance_to(t),
                _ => {
                    let node = rng.range_u64(0, 5) as usize;
                    let action = match rng.range_u64(0, 5) {
                        0 => Action::Crash { node },
                        1 => Action::Restart { node },
                        2 => Action::Isolate { node },
                        3 => Action::HealAll,
                        _ => Action::Pause { node },
                    };
                    let _ = tl.act(action); // refused actions are fine, and are not recorded
                }
            }
            let now = tl.sim().now();
            let straight = Timeline::replay(echo_sim(seed), tl.actions(), now).unwrap();
            let applied = &tl.actions()[..tl.actions_applied()];
            assert!(applied.iter().all(|r| r.at <= now));
            assert_eq!(
                tl.sim().trace_hash(),
                straight.trace_hash(),
                "seed {seed} at t={now}"
            );
        }
    }
}
