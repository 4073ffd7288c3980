//! Faults: crash/restart, pause/resume, dropping a chosen message, partitions, bad input.

use syncsim_core::sim::echo::{echo_sim, EchoCmd};
use syncsim_core::sim::{
    Action, DropReason, LinkConfig, NodeState, Sim, SimConfig, TraceKind, MAX_SERVERS, MS, SEC,
};

use crate::probe::{burst, probe_sim, PCmd, Probe};

#[test]
fn crash_loses_volatile_state_keeps_durable_and_kills_old_timers() {
    let mut sim = probe_sim(2, 0, LinkConfig::constant(1000), 0);
    for cmd in [
        PCmd::Persist(5),
        PCmd::SetVolatile(9),
        PCmd::Timer {
            kind: 1,
            after: 100 * MS,
        },
    ] {
        sim.apply(Action::Command { to: 0, cmd }).unwrap();
    }
    sim.run_until(10 * MS);
    sim.apply(Action::Crash { node: 0 }).unwrap();
    assert_eq!(sim.node_state(0), NodeState::Crashed);
    assert_eq!(sim.actor(0).volatile, 0, "volatile state is gone");
    sim.run_until(20 * MS);
    sim.apply(Action::Restart { node: 0 }).unwrap();
    assert_eq!(sim.node_state(0), NodeState::Up);
    assert_eq!(sim.durable(0).sum, 5, "durable state is back");
    assert_eq!(sim.actor(0).starts, 2, "on_start ran again");
    assert_eq!(sim.incarnation(0), 1);
    sim.run_until(SEC);
    assert!(
        sim.actor(0).fired.is_empty(),
        "the old incarnation's timer never fires"
    );
    assert!(!sim.trace().iter().any(|e| e.kind == TraceKind::Timer));
    // A timer of the new incarnation does fire.
    sim.apply(Action::Command {
        to: 0,
        cmd: PCmd::Timer {
            kind: 1,
            after: 5 * MS,
        },
    })
    .unwrap();
    sim.run_for(SEC);
    assert_eq!(sim.actor(0).fired, [(1, SEC + 5 * MS)]);
}

#[test]
fn crash_drops_messages_in_flight_from_and_to_the_crashed_node() {
    let mut sim = probe_sim(2, 0, LinkConfig::constant(1000), 0);
    sim.apply(Action::Command {
        to: 0,
        cmd: burst(1, 3),
    })
    .unwrap();
    sim.apply(Action::Command {
        to: 1,
        cmd: burst(0, 4),
    })
    .unwrap();
    assert_eq!(sim.in_flight().len(), 7);
    sim.apply(Action::Crash { node: 0 }).unwrap();
    assert_eq!(
        sim.in_flight().len(),
        4,
        "messages sent by the crashed node are gone"
    );
    sim.run_for(SEC);
    assert!(sim.actor(1).got.is_empty());
    assert!(sim.actor(0).got.is_empty());
    let count = |why| sim.trace().iter().filter(|e| e.drop == Some(why)).count();
    assert_eq!(count(DropReason::SenderCrashed), 3);
    assert_eq!(count(DropReason::ReceiverCrashed), 4);
}

#[test]
fn echo_node_recovers_after_restart() {
    let mut sim = echo_sim(5);
    sim.run_until(200 * MS);
    assert!(sim.actor(1).echoes_received > 0);
    sim.apply(Action::Crash { node: 1 }).unwrap();
    assert_eq!(sim.actor(1).echoes_received, 0);
    sim.run_until(400 * MS);
    let others = sim.actor(0).echoes_received;
    sim.apply(Action::Restart { node: 1 }).unwrap();
    assert_eq!(sim.durable(1).boots, 2);
    sim.run_until(600 * MS);
    assert!(
        sim.actor(1).echoes_received > 0,
        "the restarted node works again"
    );
    assert!(sim.actor(0).echoes_received > others);
}

#[test]
fn paused_node_holds_events_until_resumed() {
    let mut sim = probe_sim(2, 0, LinkConfig::constant(1000), 0);
    sim.apply(Action::Command {
        to: 1,
        cmd: PCmd::Timer {
            kind: 2,
            after: 5 * MS,
        },
    })
    .unwrap();
    sim.apply(Action::Pause { node: 1 }).unwrap();
    sim.apply(Action::Command {
        to: 0,
        cmd: burst(1, 10),
    })
    .unwrap();
    sim.run_until(100 * MS);
    assert!(
        sim.actor(1).got.is_empty() && sim.actor(1).fired.is_empty(),
        "nothing processed"
    );
    assert_eq!(sim.node_state(1), NodeState::Paused);
    assert!(sim
        .apply(Action::Command {
            to: 1,
            cmd: PCmd::SetVolatile(1)
        })
        .is_err());
    sim.apply(Action::Resume { node: 1 }).unwrap();
    sim.run_for(MS);
    let got: Vec<u64> = sim.actor(1).got.iter().map(|g| g.1).collect();
    assert_eq!(
        got,
        (0..10).collect::<Vec<_>>(),
        "held messages delivered, in order"
    );
    assert!(sim.actor(1).got.iter().all(|g| g.2 == 100 * MS));
    assert_eq!(
        sim.actor(1).fired,
        [(2, 100 * MS)],
        "the held timer fires after resume"
    );
    assert!(
        sim.apply(Action::Resume { node: 1 }).is_err(),
        "not paused any more"
    );
}

#[test]
fn dropping_a_chosen_message_in_flight() {
    let mut sim = probe_sim(2, 0, LinkConfig::constant(1000), 0);
    sim.apply(Action::Command {
        to: 0,
        cmd: burst(1, 3),
    })
    .unwrap();
    let flying = sim.in_flight();
    assert_eq!(flying.len(), 3);
    assert!(flying
        .windows(2)
        .all(|w| (w[0].arrives_at, w[0].id) < (w[1].arrives_at, w[1].id)));
    assert_eq!((flying[0].from, flying[0].to, flying[0].kind), (0, 1, "P"));
    let victim = flying[1].id;
    sim.apply(Action::DropMessage { id: victim }).unwrap();
    assert_eq!(sim.in_flight().len(), 2);
    let err = sim.apply(Action::DropMessage { id: victim }).unwrap_err();
    assert!(err.0.contains("not in flight"), "{err}");
    sim.run_for(SEC);
    let got: Vec<u64> = sim.actor(1).got.iter().map(|g| g.1).collect();
    assert_eq!(got, [0, 2]);
    let drop = sim
        .trace()
        .iter()
        .find(|e| e.kind == TraceKind::Drop)
        .unwrap();
    assert_eq!((drop.msg_id, drop.drop), (victim, Some(DropReason::ByUser)));
}

#[test]
fn partition_presets_touch_only_server_links() {
    // 5 servers + 1 client (id 5).
    let mut sim = probe_sim(5, 1, LinkConfig::constant(1000), 0);
    sim.apply(Action::Isolate { node: 2 }).unwrap();
    for s in (0..5).filter(|&s| s != 2) {
        assert!(!sim.link_up(2, s) && !sim.link_up(s, 2));
    }
    assert!(
        sim.link_up(2, 5) && sim.link_up(5, 2),
        "client links untouched"
    );
    assert!(sim.link_up(0, 1));
    sim.apply(Action::Split { group: vec![0, 1] }).unwrap();
    for a in 0..5 {
        for b in (0..5).filter(|&b| b != a) {
            assert_eq!(sim.link_up(a, b), (a < 2) == (b < 2), "link {a}->{b}");
        }
    }
    sim.apply(Action::Cut { from: 5, to: 0 }).unwrap();
    sim.apply(Action::HealAll).unwrap();
    assert!(sim.cut_links().is_empty());
}

#[test]
fn bad_actions_are_errors_with_messages_and_change_nothing() {
    let mut sim = probe_sim(3, 1, LinkConfig::constant(1000), 0);
    let before = sim.trace_hash();
    let bad: Vec<(Action<PCmd>, &str)> = vec![
        (Action::Crash { node: 9 }, "unknown node id 9"),
        (Action::Cut { from: 0, to: 42 }, "unknown node id 42"),
        (Action::Cut { from: 1, to: 1 }, "two different"),
        (Action::Isolate { node: 3 }, "unknown server id 3"),
        (Action::Split { group: vec![] }, "both sides"),
        (
            Action::Split {
                group: vec![0, 1, 2],
            },
            "both sides",
        ),
        (Action::Split { group: vec![0, 7] }, "unknown server"),
        (Action::Restart { node: 0 }, "running"),
        (Action::Resume { node: 0 }, "not paused"),
        (Action::DropMessage { id: 12345 }, "not in flight"),
        (
            Action::Command {
                to: 4,
                cmd: PCmd::SetVolatile(1),
            },
            "unknown node id 4",
        ),
        (
            Action::SetAllLinks {
                link: LinkConfig {
                    loss: 1.5,
                    ..LinkConfig::constant(1)
                },
            },
            "loss",
        ),
        (
            Action::SetLink {
                from: 0,
                to: 1,
                link: LinkConfig {
                    duplicate: f64::NAN,
                    ..LinkConfig::constant(1)
                },
            },
            "duplicate",
        ),
    ];
    for (action, want) in bad {
        let err = sim.apply(action.clone()).unwrap_err();
        assert!(
            err.0.contains(want),
            "{action:?}: `{err}` should mention `{want}`"
        );
    }
    sim.apply(Action::Crash { node: 1 }).unwrap();
    assert!(sim
        .apply(Action::Crash { node: 1 })
        .unwrap_err()
        .0
        .contains("already crashed"));
    assert!(sim.apply(Action::Pause { node: 1 }).is_err());
    let mut fresh = probe_sim(3, 1, LinkConfig::constant(1000), 0);
    assert_eq!(fresh.trace_hash(), before);
    fresh.apply(Action::Crash { node: 1 }).unwrap();
    assert_eq!(
        fresh.trace_hash(),
        sim.trace_hash(),
        "refused actions left no trace"
    );
}

#[test]
fn bad_config_is_an_error_with_a_message() {
    let probes = |n| vec![Probe::default(); n];
    let err = |cfg: SimConfig, n| Sim::new(cfg, probes(n)).unwrap_err().0;
    let base = SimConfig::default();
    assert!(err(
        SimConfig {
            servers: 0,
            ..base.clone()
        },
        1
    )
    .contains("at least 1"));
    let many = MAX_SERVERS + 1;
    assert!(err(
        SimConfig {
            servers: many,
            ..base.clone()
        },
        many
    )
    .contains("limit"));
    assert!(err(base.clone(), 3).contains("only 3 actors"));
    assert!(err(base.clone(), 600).contains("limit is 512"));
    let lossy = SimConfig {
        link: LinkConfig {
            loss: 1.5,
            ..base.link.clone()
        },
        ..base.clone()
    };
    assert!(err(lossy, 5).contains("loss probability"));
    let nan = SimConfig {
        link: LinkConfig {
            duplicate: f64::NAN,
            ..base.link.clone()
        },
        ..base.clone()
    };
    assert!(err(nan, 5).contains("duplicate"));
    let slow = SimConfig {
        link: LinkConfig::constant(3_600_000_000),
        ..base.clone()
    };
    assert!(err(slow, 5).contains("absurd"));
    let cpu = SimConfig {
        cpu_service_us: 10 * SEC,
        ..base.clone()
    };
    assert!(err(cpu, 5).contains("CPU"));
    assert!(Sim::new(base, probes(5)).is_ok());
}

#[test]
fn commands_reach_echo_nodes() {
    let mut sim = echo_sim(9);
    sim.apply(Action::Command {
        to: 0,
        cmd: EchoCmd::SetInterval(SEC),
    })
    .unwrap();
    sim.run_for(3 * MS);
    let before = sim.actor(0).round;
    sim.apply(Action::Command {
        to: 0,
        cmd: EchoCmd::PingAll,
    })
    .unwrap();
    assert_eq!(sim.actor(0).round, before + 1);
}

/// The opt-in crash of the fuzzers: what the old incarnation sent still arrives, even after the
/// restart (`Action::Crash` drops it, see above).
#[test]
fn crash_keeping_sent_delivers_the_old_incarnations_messages_after_a_restart() {
    let mut sim = probe_sim(2, 0, LinkConfig::constant(1000), 0);
    sim.apply(Action::Command {
        to: 0,
        cmd: burst(1, 3),
    })
    .unwrap();
    sim.crash_keeping_sent(0).unwrap();
    assert_eq!(sim.node_state(0), NodeState::Crashed);
    assert_eq!(sim.in_flight().len(), 3, "still on the wire");
    sim.apply(Action::Restart { node: 0 }).unwrap();
    sim.run_for(SEC);
    assert_eq!(sim.actor(1).got.len(), 3, "delivered after the restart");
    assert!(sim.actor(1).got.iter().all(|&(from, _, _)| from == 0));
    assert!(sim.crash_keeping_sent(5).is_err(), "unknown node");
}
