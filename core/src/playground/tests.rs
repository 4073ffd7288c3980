//! The facade's behaviour as the UI uses it: elections, faults, the console flow, time travel
//! and share links.

use super::*;
use crate::sim::SEC;

fn pg() -> Playground {
    Playground::new(PlaygroundConfig::default()).unwrap()
}

fn run_until_leader(p: &mut Playground, limit: Time) -> ActorId {
    let stop = p.now() + limit;
    while p.now() < stop {
        p.advance(10 * MS);
        if let Some(l) = p.leader() {
            return l;
        }
    }
    panic!("no leader by t={} µs", p.now());
}

#[test]
fn elects_a_leader_within_a_few_seconds_and_view_matches() {
    let mut p = pg();
    let l = run_until_leader(&mut p, 3 * SEC);
    let v = p.view();
    assert_eq!(v.leader, Some(l));
    assert_eq!(v.nodes.len(), 5);
    assert_eq!(v.links.len(), 10);
    assert_eq!(v.nodes[l].role, Role::Leader);
    assert!(v.nodes.iter().all(|n| n.term >= 1));
}

#[test]
fn bad_configs_are_refused_with_a_message() {
    for nodes in [0, 10, 1000] {
        let e = Playground::new(PlaygroundConfig {
            nodes,
            ..Default::default()
        })
        .err()
        .unwrap();
        assert!(e.contains("node count"), "{e}");
    }
    let e = Playground::new(PlaygroundConfig {
        profile: "moon".into(),
        ..Default::default()
    })
    .err()
    .unwrap();
    assert!(e.contains("moon"), "{e}");
}

#[test]
fn isolating_the_leader_elects_another_and_healing_demotes_the_old_one() {
    let mut p = pg();
    let old = run_until_leader(&mut p, 3 * SEC);
    let old_term = p.view().nodes[old].term;
    p.act(UiAction::IsolateLeader).unwrap();
    assert!(p
        .view()
        .links
        .iter()
        .filter(|l| l.a == old || l.b == old)
        .all(|l| l.state == LinkState::Cut));
    p.advance(2 * SEC);
    let new = p.leader().expect("a new leader in the majority");
    assert_ne!(new, old);
    let new_term = p.view().nodes[new].term;
    assert!(new_term > old_term);
    p.act(UiAction::HealAll).unwrap();
    p.advance(2 * SEC);
    let v = p.view();
    assert_eq!(v.nodes[old].role, Role::Follower);
    assert_eq!(
        p.leader(),
        Some(new),
        "pre-vote + check-quorum: the rejoin does not disrupt"
    );
    assert_eq!(
        v.nodes[new].term, new_term,
        "no needless term jump with pre-vote"
    );
}

#[test]
fn console_lock_flow_grants_queues_and_hands_over() {
    let mut p = pg();
    let l = run_until_leader(&mut p, 3 * SEC);
    p.api_request(
        "A",
        l,
        r#"POST /lock/acquire {"resource":"db","mode":"exclusive","timeout":30}"#,
    )
    .unwrap();
    p.advance(200 * MS);
    let ex = p.api_exchanges();
    assert_eq!(ex.len(), 1);
    assert_eq!(ex[0].status, Some(200), "{ex:?}");
    assert!(ex[0].body.as_deref().unwrap().contains("fencing_token"));
    p.api_request(
        "B",
        l,
        r#"POST /lock/acquire {"resource":"db","mode":"exclusive","timeout":30}"#,
    )
    .unwrap();
    p.advance(200 * MS);
    let t = p.lock_table();
    let row = t
        .rows
        .iter()
        .find(|r| r.resource == "db")
        .unwrap_or_else(|| panic!("{t:?} {:?}", p.api_exchanges()));
    assert_eq!(row.holders[0].client, "A");
    assert_eq!(row.waiters[0].client, "B");
    assert_eq!(t.wait_for, vec![("B".into(), "A".into(), "db".into())]);
    assert_eq!(p.api_exchanges()[1].status, None, "B is still waiting");
    let lock_id = row.holders[0].lock_id;
    p.api_request(
        "A",
        l,
        &format!(r#"POST /lock/release {{"resource":"db","lock_id":{lock_id}}}"#),
    )
    .unwrap();
    p.advance(300 * MS);
    let ex = p.api_exchanges();
    assert!(ex.iter().all(|e| e.status == Some(200)), "{ex:#?}");
    let row = p
        .lock_table()
        .rows
        .into_iter()
        .find(|r| r.resource == "db")
        .unwrap();
    assert_eq!(row.holders[0].client, "B");
    assert!(p.check_history().starts_with("OK"), "{}", p.check_history());
    // The page sends the history to a lab worker as JSON: the same verdict comes back.
    let json = p.lock_history_json();
    assert!(json.contains(r#""resource":"db""#), "{json}");
    assert_eq!(
        crate::services::lock::history_verdict_of_json(&json),
        p.check_history()
    );
    assert!(
        p.check_history().contains("3 operations"),
        "{}",
        p.check_history()
    );
    let bad = crate::services::lock::history_verdict_of_json("[{\"client\":1}]");
    assert!(
        bad.starts_with("UNKNOWN: the history could not be read"),
        "{bad}"
    );
}

#[test]
fn malformed_console_requests_are_rejected_at_once() {
    let mut p = pg();
    let e = p
        .api_request("A", 0, "POST /lock/acquire {not json")
        .unwrap_err();
    assert_eq!(e.status, 400);
    let e = p.api_request("A", 0, "GET /nope").unwrap_err();
    assert_eq!(e.status, 404);
    let e = p.api_request("Z", 0, "GET /status").unwrap_err();
    assert_eq!(e.status, 400);
    let e = p.api_request("A", 42, "GET /status").unwrap_err();
    assert_eq!(e.status, 400);
    assert!(p.api_exchanges().is_empty());
}

#[test]
fn follower_answers_421_with_the_leader() {
    let mut p = pg();
    let l = run_until_leader(&mut p, 3 * SEC);
    let f = (l + 1) % 5;
    p.api_request("A", f, r#"GET /lock/status?resource=db"#)
        .unwrap();
    p.advance(200 * MS);
    let ex = &p.api_exchanges()[0];
    assert_eq!(ex.status, Some(421), "{ex:?}");
    assert!(ex.body.as_deref().unwrap().contains(&format!("n{}", l + 1)));
}

#[test]
fn share_string_reproduces_the_trace_hash_and_hostile_ones_fail_cleanly() {
    let mut p = pg();
    run_until_leader(&mut p, 3 * SEC);
    p.act(UiAction::IsolateLeader).unwrap();
    p.advance(SEC);
    p.api_request("B", 0, "GET /status").unwrap();
    p.advance(SEC);
    let s = p.share_string();
    let mut q = Playground::from_share_string(&s).unwrap();
    q.advance(p.now());
    assert_eq!(q.trace_hash_hex(), p.trace_hash_hex());
    for bad in [
        "",
        "{",
        "null",
        r#"{"config":{"seed":1,"nodes":0,"profile":"x","pre_vote":true,"check_quorum":true},"actions":[]}"#,
    ] {
        assert!(Playground::from_share_string(bad).is_err(), "{bad}");
    }
}

#[test]
fn seeking_back_shows_the_earlier_leader_and_acting_forks() {
    let mut p = pg();
    let first = run_until_leader(&mut p, 3 * SEC);
    p.advance(500 * MS);
    let t_before = p.now();
    let term_before = p.view().nodes[first].term;
    p.act(UiAction::Crash { node: first }).unwrap();
    p.advance(2 * SEC);
    assert_ne!(p.leader(), Some(first));
    let end = p.now();
    // An action belongs to the instant it was taken: look just before it.
    p.seek(t_before - MS);
    assert_eq!(
        p.now(),
        t_before - MS,
        "{:?}",
        p.view()
            .nodes
            .iter()
            .map(|n| (n.role, n.term))
            .collect::<Vec<_>>()
    );
    assert_eq!(
        p.leader(),
        Some(first),
        "{:?}",
        p.view()
            .nodes
            .iter()
            .map(|n| (n.role, n.term))
            .collect::<Vec<_>>()
    );
    assert_eq!(p.view().nodes[first].term, term_before);
    assert_eq!(p.end_time(), end);
    let outcome = p.act(UiAction::HealAll).unwrap();
    assert!(outcome.forked);
    p.advance(2 * SEC);
    assert_eq!(
        p.leader(),
        Some(first),
        "the crash was discarded by the fork"
    );
}

/// Checked in: the browser self-test page must show the same value (tests/e2e/selftest).
pub const GOLDEN_PLAYGROUND: &str = "ae2290d0840b73e0";

#[test]
fn golden_playground_hash_is_stable() {
    assert_eq!(golden_playground(), golden_playground());
    assert_eq!(golden_playground(), GOLDEN_PLAYGROUND);
}

#[test]
fn node_menus_offer_only_legal_actions() {
    let mut p = pg();
    let keys = |p: &Playground, n: usize| -> Vec<String> {
        p.node_menu(n).into_iter().map(|i| i.key).collect()
    };
    // No leader yet at t = 0: only the kernel's actions and a forced timeout.
    // The queue offers every ring member a leave.
    assert_eq!(keys(&p, 0), ["crash", "pause", "timeout", "ring-leave"]);
    let leader = run_until_leader(&mut p, 5 * SEC);
    assert_eq!(keys(&p, leader), ["crash", "pause", "remove", "ring-leave"]);
    let follower = (leader + 1) % p.servers();
    assert_eq!(
        keys(&p, follower),
        [
            "crash",
            "pause",
            "timeout",
            "transfer",
            "remove",
            "ring-leave"
        ]
    );
    p.act(UiAction::Crash { node: follower }).unwrap();
    let menu = p.node_menu(follower);
    assert_eq!(menu[0].action, UiAction::Restart { node: follower });
    assert_eq!(
        p.view().nodes[follower].menu,
        menu,
        "the view carries the menu"
    );
    assert!(p.node_menu(99).is_empty());
}

#[test]
fn the_cluster_view_carries_each_services_badges_for_running_nodes() {
    let mut p = Playground::new(PlaygroundConfig::default()).unwrap();
    p.advance(3 * crate::sim::SEC);
    let view = p.view();
    // Every queue partition has one leader once elections settle, and its badge names it.
    let led: Vec<String> = view
        .nodes
        .iter()
        .flat_map(|n| n.badges.iter())
        .filter_map(|b| b.strip_prefix("queue ★ "))
        .flat_map(|b| b.split(' ').map(str::to_string))
        .collect();
    let mut sorted = led.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), led.len(), "a partition led twice: {led:?}");
    assert_eq!(
        led.len(),
        crate::services::queue::PARTITIONS as usize,
        "{led:?}"
    );
    let crashed = view.nodes[0].name.clone();
    p.act(UiAction::Crash { node: 0 }).unwrap();
    assert!(
        p.view().nodes[0].badges.is_empty(),
        "{crashed} is crashed: no badge"
    );
}

/// The lock table's decisions reach the event log with their reasons (`data-reason`).
#[test]
fn lock_decisions_carry_reasons_in_the_event_log() {
    let mut p = Playground::new(PlaygroundConfig::default()).unwrap();
    p.advance(SEC);
    let leader = p.leader().unwrap();
    let acq = r#"POST /lock/acquire {"resource":"db","mode":"exclusive","timeout":5}"#;
    let _ = p.api_request("A", leader, acq);
    p.advance(300 * MS);
    let _ = p.api_request("B", leader, acq);
    p.advance(300 * MS);
    let ev = p.events(500, false);
    let find = |code: &str| {
        ev.iter()
            .find(|e| e.reason.as_deref() == Some(code))
            .unwrap_or_else(|| panic!("no {code} in {ev:#?}"))
            .text
            .clone()
    };
    let granted = find("lock-granted");
    assert!(
        granted.contains("`db` is granted to A (exclusive) with fencing token"),
        "{granted}"
    );
    let queued = find("lock-queued");
    assert!(
        queued.starts_with("B waits for the lock `db`: it is held by A (token"),
        "{queued}"
    );
    assert!(ev.iter().any(|e| e.reason.as_deref() == Some("elected")));
}

/// The narration follows the state: no leader, then a leader, then a held lock with a waiter.
#[test]
fn narration_states_what_happens_now() {
    let mut p = Playground::new(PlaygroundConfig::default()).unwrap();
    assert!(
        p.narration().starts_with("there is no leader yet"),
        "{}",
        p.narration()
    );
    let mut saw_candidate = false;
    while p.leader().is_none() {
        p.step();
        let n = p.narration();
        if n.contains("candidate") {
            saw_candidate = true;
            assert!(
                n.contains("votes it needs") && n.contains(" of the 3 votes"),
                "{n}"
            );
        }
    }
    assert!(saw_candidate);
    let leader = p.leader().unwrap();
    assert!(p
        .narration()
        .starts_with(&format!("n{} is the leader in term", leader + 1)));
    let acq = r#"POST /lock/acquire {"resource":"db","mode":"exclusive","timeout":5}"#;
    let _ = p.api_request("A", leader, acq);
    p.advance(300 * MS);
    let _ = p.api_request("B", leader, acq);
    p.advance(300 * MS);
    let n = p.narration();
    assert!(
        n.contains("the lock `db` is held by A with token ") && n.ends_with("; B waits."),
        "{n}"
    );
}
