//! The status service: handler effects compared whole, the API's errors, and phi rising under a
//! cut or a pause and falling after healing, on the playground's full world.

use super::actor::{TIMER_HEARTBEAT, TIMER_REQUEST};
use super::*;
use crate::base::{SimRng, MS, SEC};
use crate::playground::{Playground, PlaygroundConfig, UiAction};
use crate::sim::{Actor, Ctx, Effect, NoDurable, Note, Reason};

fn run<F: FnOnce(&mut StatusActor, &mut Ctx<'_, StatusMsg, NoDurable>)>(
    a: &mut StatusActor,
    now: u64,
    f: F,
) -> Vec<Effect<StatusMsg, ()>> {
    let mut rng = SimRng::new(1);
    let mut out = Vec::new();
    let mut ctx = Ctx {
        now,
        me: 0,
        rng: &mut rng,
        durable: &NoDurable,
        out: &mut out,
        notes: true,
    };
    f(a, &mut ctx);
    out
}

fn kinds(effects: &[Effect<StatusMsg, ()>]) -> Vec<String> {
    effects
        .iter()
        .map(|e| match e {
            Effect::Send { to, msg } => format!("send {to} {}", crate::sim::Message::kind(msg)),
            Effect::SetTimer { kind, after } => format!("timer {kind} {after}"),
            Effect::CancelTimer { kind } => format!("cancel {kind}"),
            Effect::Persist(()) => "persist".into(),
            Effect::Note(n) => format!("{n:?}"),
        })
        .collect()
}

#[test]
fn a_server_heartbeats_every_peer_on_start_and_on_its_timer() {
    let mut s = StatusActor::server(0, vec![0, 1, 2]);
    let start = run(&mut s, 0, |a, c| a.on_start(c));
    let want = vec![
        "send 1 StatusHeartbeat".to_string(),
        "send 2 StatusHeartbeat".into(),
        format!("timer {TIMER_HEARTBEAT} {}", 100 * MS),
    ];
    assert_eq!(kinds(&start), want);
    let again = run(&mut s, 100 * MS, |a, c| a.on_timer(c, TIMER_HEARTBEAT));
    assert_eq!(kinds(&again), want);
}

/// The worded reason of a note from server n1 (id 0), if it is one.
fn said(e: &Effect<StatusMsg, ()>) -> Option<Reason> {
    match e {
        Effect::Note(Note::Why(w)) => {
            super::reasons::describe("n1", w, &|id| format!("n{}", id + 1))
        }
        _ => None,
    }
}

#[test]
fn a_silent_peer_is_suspected_once_then_trusted_again_when_it_speaks() {
    let mut s = StatusActor::server(0, vec![0, 1]);
    run(&mut s, 0, |a, c| a.on_start(c));
    for k in 1..=20 {
        run(&mut s, k * 100 * MS, |a, c| {
            a.on_message(c, 1, StatusMsg::Heartbeat)
        });
    }
    // Silence: the heartbeat timer notices and notes the suspicion exactly once.
    let mut notes = Vec::new();
    for k in 21..=40 {
        let e = run(&mut s, k * 100 * MS, |a, c| a.on_timer(c, TIMER_HEARTBEAT));
        notes.extend(e.into_iter().filter(|e| matches!(e, Effect::Note(_))));
    }
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert_eq!(
        said(&notes[0]),
        Some(Reason::new(
            "peer-suspected",
            "n1 suspects n2: its last heartbeat arrived 400 ms ago, so phi is 10.78, at or above the threshold 8.00 (phi-accrual failure detector)".into()
        ))
    );
    assert!(s.doc(4 * SEC).node.connected_peers.is_empty());
    run(&mut s, 4 * SEC, |a, c| {
        a.on_message(c, 1, StatusMsg::Heartbeat)
    });
    let e = run(&mut s, 4 * SEC + 10 * MS, |a, c| {
        a.on_timer(c, TIMER_HEARTBEAT)
    });
    let trusted: Vec<_> = e.iter().filter_map(said).collect();
    assert_eq!(
        trusted,
        vec![Reason::new(
            "peer-trusted",
            "n1 trusts n2 again: a heartbeat arrived 10 ms ago, so phi fell to 0.17, below the threshold 8.00".into()
        )]
    );
    assert_eq!(
        s.doc(4 * SEC + 10 * MS).node.connected_peers,
        vec!["n2".to_string()]
    );
}

#[test]
fn a_client_request_is_sent_answered_and_times_out_when_unanswered() {
    let mut c = StatusActor::client(5, vec![0, 1]);
    let e = run(&mut c, 0, |a, x| {
        a.on_command(x, StatusCmd::Get { target: 1 })
    });
    assert_eq!(
        kinds(&e),
        vec![
            "Invoke { op: 1 }".to_string(),
            "send 1 StatusGet".into(),
            format!("timer {TIMER_REQUEST} {}", 2 * SEC),
        ]
    );
    let e = run(&mut c, 3 * SEC, |a, x| a.on_timer(x, TIMER_REQUEST));
    assert_eq!(kinds(&e), vec!["Complete { op: 1, ok: false }".to_string()]);
    assert!(c.history()[0].doc.is_none() && c.history()[0].completed.is_some());
}

fn playground() -> Playground {
    let mut p = Playground::new(PlaygroundConfig {
        seed: 3,
        ..PlaygroundConfig::default()
    })
    .unwrap();
    p.advance(2 * SEC);
    p
}

fn phi(p: &Playground, watcher: usize, peer: usize) -> f64 {
    p.status_view().nodes[watcher]
        .peers
        .iter()
        .find(|x| x.peer == peer)
        .unwrap()
        .phi
}

#[test]
fn phi_rises_when_a_link_is_cut_and_falls_after_healing() {
    let mut p = playground();
    let before = phi(&p, 0, 1);
    assert!(before < 1.0, "steady state phi {before}");
    p.act(UiAction::ToggleLink { a: 0, b: 1 }).unwrap();
    p.advance(SEC);
    let cut = phi(&p, 0, 1);
    let view = p.status_view();
    assert!(cut > view.threshold, "after a 1 s cut phi is {cut}");
    assert!(view.nodes[1].suspected_by.contains(&"n1".to_string()));
    // Others still hear n2: only n1 suspects it.
    assert!(phi(&p, 2, 1) < 1.0);
    p.act(UiAction::ToggleLink { a: 0, b: 1 }).unwrap();
    p.advance(300 * MS);
    let healed = phi(&p, 0, 1);
    assert!(healed < 1.0, "after healing phi is {healed}");
    // The event log carries both decisions with their reason codes (the page's `data-reason`).
    let ev = p.events(2000, false);
    let said = |code: &str| {
        ev.iter()
            .filter(|e| e.reason.as_deref() == Some(code))
            .map(|e| e.text.clone())
            .collect::<Vec<_>>()
    };
    let suspected = said("peer-suspected");
    assert!(
        suspected.iter().any(
            |t| t.starts_with("n1 suspects n2: its last heartbeat arrived ")
                && t.contains("at or above the threshold 8.00")
        ),
        "{suspected:?}"
    );
    assert!(
        said("peer-trusted")
            .iter()
            .any(|t| t.starts_with("n1 trusts n2 again: a heartbeat arrived ")),
        "{ev:#?}"
    );
    let lights = p.invariants();
    assert!(lights.iter().all(|l| l.ok), "{lights:?}");
}

#[test]
fn phi_rises_for_a_paused_node_and_falls_after_it_resumes() {
    let mut p = playground();
    p.act(UiAction::Pause { node: 4 }).unwrap();
    p.advance(SEC);
    let v = p.status_view();
    assert!(v.nodes[4].suspicion > v.threshold, "{:?}", v.nodes[4]);
    assert_eq!(v.nodes[4].suspected_by.len(), 4);
    p.act(UiAction::Resume { node: 4 }).unwrap();
    p.advance(500 * MS);
    let v = p.status_view();
    assert!(v.nodes[4].suspicion < 1.0, "{:?}", v.nodes[4]);
}

#[test]
fn get_status_through_the_console_returns_the_seed_document() {
    let mut p = playground();
    let leader = p.leader().unwrap();
    p.api_request("A", leader, "GET /status").unwrap();
    p.advance(100 * MS);
    let ex = p.api_exchanges();
    let e = ex.iter().find(|e| e.request == "GET /status").unwrap();
    assert_eq!(e.status, Some(200));
    let doc: serde_json::Value = serde_json::from_str(e.body.as_deref().unwrap()).unwrap();
    for field in [
        "node_id",
        "node_state",
        "raft_term",
        "raft_state",
        "connected_peers",
        "uptime_seconds",
        "memory_usage",
    ] {
        assert!(doc.get(field).is_some(), "missing {field} in {doc}");
    }
    assert_eq!(doc["raft_state"], "leader");
    assert_eq!(doc["connected_peers"].as_array().unwrap().len(), 4);
    assert!(doc["memory_usage"].as_u64().unwrap() > 0);
}

#[test]
fn bad_status_requests_are_rejected_naming_the_problem() {
    let mut p = playground();
    let e = p.api_request("A", 0, "POST /status").unwrap_err();
    assert_eq!(e.status, 405);
    let e = p.api_request("A", 0, "GET /status {\"x\":1}").unwrap_err();
    assert!(e.status == 400 && e.message.starts_with("body"), "{e:?}");
    let e = p.api_request("A", 0, "GET /status?node=2").unwrap_err();
    assert!(e.status == 400 && e.message.starts_with("query"), "{e:?}");
    let e = p.api_request("A", 0, "GET /nope").unwrap_err();
    assert!(e.status == 404 && e.message.contains("/status"), "{e:?}");
}

/// The figures for the notes: n1's phi for n2 every 100 ms around a 1.5 s cut of n1–n2.
/// `cargo test -p syncsim-core phi_figures -- --ignored --nocapture`
#[test]
#[ignore]
fn phi_figures_of_a_cut_and_heal_run() {
    let mut p = playground();
    let t0 = p.now();
    let mut rows = Vec::new();
    for k in 0..40u64 {
        if k == 5 {
            p.act(UiAction::ToggleLink { a: 0, b: 1 }).unwrap();
        }
        if k == 20 {
            p.act(UiAction::ToggleLink { a: 0, b: 1 }).unwrap();
        }
        rows.push(format!(
            "t={:>5} ms {:<6} phi(n1→n2)={:>6.2} phi(n3→n2)={:>5.2}",
            (p.now() - t0) / MS,
            if (5..20).contains(&k) { "cut" } else { "" },
            phi(&p, 0, 1),
            phi(&p, 2, 1)
        ));
        p.advance(100 * MS);
    }
    println!("{}", rows.join("\n"));
}
