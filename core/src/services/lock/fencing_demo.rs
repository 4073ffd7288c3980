//! Why fencing tokens matter when the clock bound is broken (Kleppmann, "How to do distributed
//! locking", 2016), as a deterministic run: `syncsim demo fencing` prints it, `skew_tests.rs`
//! asserts it.
//!
//! Three lock servers with good clocks and two clients, A and B, each trusting a lease for
//! `lease_validity(lease, LOCK_CLOCK_BOUND)` on its own clock (1.5 s lease → 1.397 s). A's clock
//! runs slow by `a_drift_ppm`. A takes the lock, B queues behind it, and A's job writes to the
//! protected resource 1.35 s after A asked (on A's clock), inside A's validity. Within the
//! bound, that write comes before the service lets the lease go. Far beyond it (−20 %), the
//! service expires A's lease on its own clocks, grants B a higher token and B writes; then A,
//! still trusting its lease, writes with its old token:
//! - the `FencedStore` rejects it (B's token is higher) and keeps B's update;
//! - a store without fencing accepts it, and B's update is lost;
//! - the lock checker's client-side lease check reports that A and B both trusted the lock.

use super::checker::{check_history_within, Verdict, DEFAULT_STEP_BUDGET};
use super::cluster::{cluster_events, lease_validity, lock_cluster, LockProcess, LockWorkload};
use super::fenced::{FencedStore, StaleToken, UnfencedStore};
use super::fuzz::LOCK_CLOCK_BOUND;
use super::types::{LockCmd, LockMode, LockOutput};
use crate::raft::{ClientCmd, ClientOp, ClientResult, ProcessCmd, RaftConfig};
use crate::sim::{Action, ActorId, ClockModel, LinkConfig, Sim, Time, MS, SEC};

/// Client A and client B (actors after the three servers).
pub const A: ActorId = 3;
pub const B: ActorId = 4;
/// The lease both clients ask for.
pub const LEASE_MS: u64 = 1_500;
/// When A's job writes, after A sent its acquire, on A's clock.
pub const A_WRITES_AFTER: Time = 1_350 * MS;

/// What happened, for the CLI and the tests.
#[derive(Clone, Debug)]
pub struct FencingDemo {
    /// The story, one line per step, with true times (and A's own clock where it matters).
    pub lines: Vec<String>,
    pub a_token: u64,
    pub b_token: u64,
    /// A's write to the fenced store.
    pub a_fenced: Result<(), StaleToken>,
    /// Whether B wrote before A did (the lost-update order).
    pub b_wrote_first: bool,
    pub fenced: FencedStore,
    pub unfenced: UnfencedStore,
    /// The lock checker on the clients' history, under the documented bound.
    pub verdict: Verdict,
}

/// Three servers and the passive clients A and B on a 1 ms network.
pub(super) fn demo_cluster(
    seed: u64,
    bound_for_clients: crate::sim::ClockBound,
) -> Sim<LockProcess> {
    let mut w = LockWorkload::passive();
    w.clock_bound = bound_for_clients;
    let sim = lock_cluster(
        seed,
        3,
        LinkConfig::constant(MS),
        &RaftConfig::default(),
        vec![w.clone(), w],
    );
    sim.expect("the demo's configuration is valid")
}

pub(super) fn submit(sim: &mut Sim<LockProcess>, client: ActorId, cmd: LockCmd) {
    let cmd = ProcessCmd::Client(ClientCmd::Submit {
        target: None,
        op: ClientOp::Cmd(cmd),
    });
    sim.apply(Action::Command { to: client, cmd })
        .expect("the demo's clients are up");
}

pub(super) fn acquire(resource: &str, wait_ms: u64) -> LockCmd {
    LockCmd::Acquire {
        resource: resource.into(),
        mode: LockMode::Exclusive,
        wait_timeout_ms: Some(wait_ms),
        lease_ms: LEASE_MS,
    }
}

/// The client's latest answered grant.
pub(super) struct Got {
    pub token: u64,
    pub lock_id: u64,
    /// When the answer arrived, in true time.
    pub at: Time,
    /// Until when the client trusts it, on its own clock.
    pub trusted_until: Time,
}

pub(super) fn grant(sim: &Sim<LockProcess>, client: ActorId) -> Option<Got> {
    let c = sim.actor(client).client()?;
    c.history()
        .iter()
        .rev()
        .find_map(|h| match (&h.result, h.completed) {
            (
                Some(ClientResult::Ok(LockOutput::Granted {
                    fencing_token,
                    lock_id,
                    acquired_at,
                    ..
                })),
                Some(done),
            ) => Some(Got {
                token: *fencing_token,
                lock_id: *lock_id,
                at: sim.real_time(client, done),
                trusted_until: c
                    .workload
                    .trust(h.invoked, *acquired_at, LEASE_MS)
                    .unwrap_or(Time::MAX),
            }),
            _ => None,
        })
}

fn ms(t: Time) -> String {
    format!("{:.1} ms", t as f64 / MS as f64)
}

/// Runs the story with A's clock drifting by `a_drift_ppm` (−200 000 = 20 % slow).
pub fn fencing_demo(a_drift_ppm: i64) -> Result<FencingDemo, String> {
    let clock = ClockModel {
        offset_us: 0,
        drift_ppm: a_drift_ppm,
    };
    clock.validate().map_err(|e| e.0)?;
    let mut sim = demo_cluster(7, LOCK_CLOCK_BOUND);
    let mut lines = vec![format!(
        "documented bound: clocks within ±{} of true time, drift within ±{} ppm; a client \
         trusts a {LEASE_MS} ms lease for {} after sending its acquire, or until the grant's \
         time + {}, whichever is later, on its own clock",
        ms(LOCK_CLOCK_BOUND.skew_us / 2),
        LOCK_CLOCK_BOUND.drift_ppm,
        ms(lease_validity(LEASE_MS, LOCK_CLOCK_BOUND)),
        ms(LEASE_MS * MS - LOCK_CLOCK_BOUND.skew_us),
    )];
    sim.apply(Action::SetClock { node: A, clock })
        .map_err(|e| e.0)?;
    lines.push(format!("client A's clock drifts {a_drift_ppm:+} ppm"));
    sim.run_until(SEC);
    let sent = sim.local_time(A);
    submit(&mut sim, A, acquire("file", 0));
    run_until(&mut sim, 2 * SEC, |s| grant(s, A).is_some())?;
    let a = grant(&sim, A).ok_or("A got no grant")?;
    let a_token = a.token;
    lines.push(format!(
        "{}: A holds `file` with fencing token {a_token} (asked at {}); it trusts the lease until its clock reads {}",
        ms(a.at),
        ms(SEC),
        ms(a.trusted_until)
    ));
    submit(&mut sim, B, acquire("file", 5_000));
    lines.push(format!("{}: B asks for `file` and queues", ms(sim.now())));

    let (mut fenced, mut unfenced) = (FencedStore::new(), UnfencedStore::default());
    let (mut a_fenced, mut a_wrote, mut b_token) = (None, false, None);
    let mut b_wrote_first = false;
    let a_writes_at = sim.real_time(A, sent + A_WRITES_AFTER);
    // A stops trusting its lease when its own clock says so, and releases.
    let a_stops_at = sim.real_time(A, a.trusted_until);
    let mut a_released = false;
    loop {
        if b_token.is_none() {
            if let Some(Got { token, at, .. }) = grant(&sim, B) {
                b_token = Some(token);
                b_wrote_first = !a_wrote;
                let r = fenced.write(token, "B's update");
                unfenced.write("B's update");
                lines.push(format!(
                    "{}: {}; B holds `file` with token {token} and writes: fenced store {}",
                    ms(at),
                    if a_released {
                        "A released"
                    } else {
                        "the service let A's lease expire"
                    },
                    if r.is_ok() { "accepts" } else { "rejects" }
                ));
            }
        }
        if a_wrote && a_released && b_token.is_some() {
            break;
        }
        // Whole instants at a time (`run_until`), so that nothing after A's moves runs first.
        let next = sim.next_event_time().unwrap_or(Time::MAX);
        if !a_wrote && next > a_writes_at {
            sim.run_until(a_writes_at);
            a_wrote = true;
            let r = fenced.write(a_token, "A's update");
            unfenced.write("A's update");
            lines.push(format!(
                "{}: A ({} after asking, on its own clock: it still trusts its lease) writes with token {a_token}: fenced store {}, plain store accepts",
                ms(sim.now()),
                ms(sim.local_time(A) - sent),
                match &r {
                    Ok(()) => "accepts".to_string(),
                    Err(e) => format!("rejects it ({e})"),
                }
            ));
            a_fenced = Some(r);
            continue;
        }
        if a_wrote && !a_released && next > a_stops_at {
            sim.run_until(a_stops_at);
            a_released = true;
            lines.push(format!(
                "{}: A's clock reads {}: A stops trusting its lease and releases",
                ms(sim.now()),
                ms(sim.local_time(A))
            ));
            let release = LockCmd::Release {
                resource: "file".into(),
                lock_id: a.lock_id,
            };
            submit(&mut sim, A, release);
            continue;
        }
        if next > 10 * SEC {
            return Err("the demo did not finish by 10 s".into());
        }
        sim.run_until(next);
    }
    sim.run_for(500 * MS);
    lines.push(format!(
        "fenced store holds {:?}; the store without fencing holds {:?}{}",
        fenced.value().unwrap_or("nothing"),
        unfenced.value().unwrap_or("nothing"),
        if b_wrote_first && fenced.value() != unfenced.value() {
            " (B's update was lost)"
        } else {
            ""
        }
    ));
    let verdict =
        check_history_within(&cluster_events(&sim), DEFAULT_STEP_BUDGET, LOCK_CLOCK_BOUND);
    lines.push(format!("lock checker: {verdict:?}"));
    Ok(FencingDemo {
        lines,
        a_token,
        b_token: b_token.unwrap_or(0),
        a_fenced: a_fenced.unwrap_or(Ok(())),
        b_wrote_first,
        fenced,
        unfenced,
        verdict,
    })
}

/// Steps until `done` holds, failing past `limit` (true time).
pub(super) fn run_until(
    sim: &mut Sim<LockProcess>,
    limit: Time,
    done: impl Fn(&Sim<LockProcess>) -> bool,
) -> Result<(), String> {
    while !done(sim) {
        if sim.now() > limit || !sim.step() {
            return Err(format!("the demo got stuck at {}", ms(sim.now())));
        }
    }
    Ok(())
}
