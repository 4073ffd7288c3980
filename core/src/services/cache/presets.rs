//! Preset workloads for the Cache tab (REFERENCES Table 1.3's stream, ping-pong, false sharing,
//! producer–consumer, read-mostly), as steps `(processor, operation)` the UI sends through the
//! console one by one; and the side-by-side run of one preset under MESI and MOESI on a small
//! fault-free world of its own.

use serde::{Deserialize, Serialize};

use super::actor::{CacheActor, CacheConfig, RING_VNODES};
use super::msg::{CacheCmd, CacheOp, CacheReply, CacheStats};
use super::protocol::Protocol;
use crate::base::{MS, SEC};
use crate::net::NetProfile;
use crate::ring::Ring;
use crate::sim::{Action, ActorId, Sim, SimConfig};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Preset {
    Table13,
    PingPong,
    FalseSharing,
    ProducerConsumer,
    ReadMostly,
}

impl Preset {
    pub const ALL: [Preset; 5] = [
        Preset::Table13,
        Preset::PingPong,
        Preset::FalseSharing,
        Preset::ProducerConsumer,
        Preset::ReadMostly,
    ];
    pub fn key(self) -> &'static str {
        match self {
            Preset::Table13 => "table13",
            Preset::PingPong => "ping-pong",
            Preset::FalseSharing => "false-sharing",
            Preset::ProducerConsumer => "producer-consumer",
            Preset::ReadMostly => "read-mostly",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Preset::Table13 => "Table 1.3 stream (R1 W1 R3 W3 R1 R3 R2)",
            Preset::PingPong => "Ping-pong (W1 W2 W1 W2 …)",
            Preset::FalseSharing => "False sharing (P1 writes a, P2 writes b, one line)",
            Preset::ProducerConsumer => "Producer–consumer (W1 R2 R3 …)",
            Preset::ReadMostly => "Read-mostly (one write, many reads)",
        }
    }
    pub fn explain(self) -> &'static str {
        match self {
            Preset::Table13 => "Wikipedia's MESI Table 1.3: every step hits one line. Compare MESI (2 write-backs) with MOESI (0, ends S S O).",
            Preset::PingPong => "Two processors write one line in turn: every write is a BusRdX that moves the M copy across.",
            Preset::FalseSharing => "P1 only touches field a and P2 only field b, but both live in one line, so it ping-pongs anyway.",
            Preset::ProducerConsumer => "P1 writes, P2 and P3 read: each new value invalidates the readers (BusRdX/BusUpgr) and the next reads fetch it.",
            Preset::ReadMostly => "One write, then reads everywhere: after the first misses every access hits in S.",
        }
    }
    pub fn parse(key: &str) -> Option<Preset> {
        Preset::ALL.into_iter().find(|p| p.key() == key)
    }
}

/// One step: processor `node` (0-based) does `op`; `label` is the textbook name ("R1", "W3").
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PresetStep {
    pub label: String,
    pub node: ActorId,
    pub op: CacheOp,
}

/// A key whose home is none of `avoid` (so the processors' columns show only cache states),
/// when the world has another server; else "x".
pub fn line_key(servers: usize, avoid: &[ActorId]) -> String {
    let ring = Ring::with_nodes(RING_VNODES, 0..servers);
    (0..64)
        .map(|i| format!("x{i}"))
        .find(|k| ring.primary(k).is_some_and(|h| !avoid.contains(&h)))
        .unwrap_or_else(|| "x0".into())
}

/// The preset's steps on a world of `servers` nodes (processors are n1, n2, n3; fewer if the
/// world is smaller).
pub fn steps(preset: Preset, servers: usize) -> Vec<PresetStep> {
    let p = servers.clamp(1, 3);
    let key = line_key(servers, &(0..p).collect::<Vec<_>>());
    let mut n = 0;
    let mut step = |spec: &str| {
        let (kind, rest) = spec.split_at(1);
        let (who, field) = rest.split_once(' ').unwrap_or((rest, ""));
        let node = who.parse::<usize>().unwrap_or(1).saturating_sub(1) % p;
        let op = if kind == "R" {
            CacheOp::Get { key: key.clone() }
        } else {
            n += 1;
            let value = if field.is_empty() {
                n.to_string()
            } else {
                format!("{field}={n}")
            };
            CacheOp::Set {
                key: key.clone(),
                value,
                ttl_ms: 3_600_000,
            }
        };
        PresetStep {
            label: spec.to_string(),
            node,
            op,
        }
    };
    let spec: &[&str] = match preset {
        Preset::Table13 => &["R1", "W1", "R3", "W3", "R1", "R3", "R2"],
        Preset::PingPong => &["W1", "W2", "W1", "W2", "W1", "W2"],
        Preset::FalseSharing => &["W1 a", "W2 b", "W1 a", "W2 b", "W1 a", "W2 b"],
        Preset::ProducerConsumer => &["W1", "R2", "R3", "W1", "R2", "R3", "W1", "R2", "R3"],
        Preset::ReadMostly => &["W1", "R1", "R2", "R3", "R1", "R2", "R3", "R1", "R2", "R3"],
    };
    spec.iter().map(|s| step(s)).collect()
}

/// The reset that starts a preset: the protocol, and the line's value `0` in memory (Table
/// 1.3 starts with the block in memory and every cache empty).
pub fn setup(preset: Preset, servers: usize, protocol: Protocol, write_through: bool) -> CacheOp {
    let key = steps(preset, servers)
        .first()
        .and_then(|s| s.op.key().map(str::to_string))
        .unwrap_or_default();
    CacheOp::Reset {
        protocol,
        write_through,
        memory: vec![(key, "0".into())],
    }
}

/// A small world of bare cache servers and one console client (the last actor), no faults.
pub fn bare_world(seed: u64, servers: usize, cfg: &CacheConfig) -> Result<Sim<CacheActor>, String> {
    let ids: Vec<ActorId> = (0..servers).collect();
    let mut actors: Vec<CacheActor> = ids
        .iter()
        .map(|&i| CacheActor::server(i, ids.clone(), cfg.clone()))
        .collect();
    actors.push(CacheActor::client(servers, ids));
    let sim_cfg = SimConfig {
        seed,
        servers,
        link: NetProfile::Localhost.link(),
        ..SimConfig::default()
    };
    Sim::new(sim_cfg, actors).map_err(|e| e.0)
}

/// Send `op` to `target` from the bare world's client and run until it is answered (≤ 3 s).
pub fn run_op(sim: &mut Sim<CacheActor>, target: ActorId, op: CacheOp) -> Option<CacheReply> {
    let client = sim.actors().len() - 1;
    let before = sim.actor(client).history().len();
    sim.apply(Action::Command {
        to: client,
        cmd: CacheCmd::Request { target, op },
    })
    .ok()?;
    let stop = sim.now() + 3 * SEC;
    while sim.now() < stop {
        sim.run_for(MS);
        let h = sim.actor(client).history();
        if let Some(r) = h.get(before).and_then(|r| r.reply.clone()) {
            // Let the trailing acknowledgements land, so the next step starts from rest.
            sim.run_for(20 * MS);
            return Some(r);
        }
    }
    None
}

/// Cluster-wide totals of every server's counters.
pub fn totals(sim: &Sim<CacheActor>, servers: usize) -> CacheStats {
    let mut t = CacheStats::default();
    for i in 0..servers {
        t.add(sim.actor(i).stats());
    }
    t
}

/// One preset under one protocol: the totals after the stream.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SideRun {
    pub protocol: Protocol,
    pub stats: CacheStats,
    /// The final state letters of the processors' copies, P1 first.
    pub final_states: Vec<String>,
}

/// [`side_by_side`] of the preset the page names by its key, as JSON of the runs: the page
/// sends it to a lab worker, so this second simulator (a world of cache actors alone) is not
/// part of the page's `.wasm` (issue 10). An unknown key is an error that names it.
pub fn side_by_side_by_key(key: &str) -> Result<String, String> {
    let preset = Preset::parse(key).ok_or(format!("unknown preset `{key}`"))?;
    serde_json::to_string(&side_by_side(preset)).map_err(|e| e.to_string())
}

/// Run `preset` on a fresh 4-node world (processors n1–n3, the line's home n4) under MESI and
/// under MOESI, for the side-by-side table.
pub fn side_by_side(preset: Preset) -> Vec<SideRun> {
    [Protocol::Mesi, Protocol::Moesi]
        .into_iter()
        .filter_map(|protocol| {
            let servers = 4;
            let cfg = CacheConfig {
                protocol,
                ..CacheConfig::default()
            };
            let mut sim = bare_world(1, servers, &cfg).ok()?;
            run_op(&mut sim, 0, setup(preset, servers, protocol, false))?;
            let steps = steps(preset, servers);
            for s in &steps {
                run_op(&mut sim, s.node, s.op.clone())?;
            }
            let key = steps.first()?.op.key()?.to_string();
            Some(SideRun {
                protocol,
                stats: totals(&sim, servers),
                final_states: (0..3)
                    .map(|i| sim.actor(i).store().state(&key).letter().to_string())
                    .collect(),
            })
        })
        .collect()
}
