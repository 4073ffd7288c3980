//! What the Cache tab draws: a key × node grid of states (with values and versions), memory
//! per key (stale or not), the transaction log in textbook terms, the statistics, and the
//! actions the tab offers (preset steps, the protocol switch, the model check), all built here
//! so the UI only renders and sends.

use serde::{Deserialize, Serialize};

use super::actor::CacheActor;
use super::check::ValueChecker;
use super::msg::{CacheOp, CacheStats, ProcAction, Record, RecordKind, Supplier};
use super::presets::{self, Preset};
use super::protocol::{LineState, Protocol};
use crate::service::{Hosts, World};
use crate::sim::{ActorId, NodeState};

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CacheCell {
    pub node: ActorId,
    pub name: String,
    /// M, O, E, S or I.
    pub state: String,
    pub value: Option<String>,
    pub version: Option<u64>,
    /// A bus request of this node for this key is in flight.
    pub pending: bool,
    /// The last transaction changed this copy (the grid highlights it).
    pub changed: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CacheKeyRow {
    pub key: String,
    pub home: String,
    pub memory: Option<String>,
    pub memory_version: Option<u64>,
    /// Memory is older than a cached copy (an M or O copy owes the write-back).
    pub stale: bool,
    /// The home is in a transaction on this line.
    pub busy: bool,
    pub cells: Vec<CacheCell>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CacheLogRow {
    pub t_ms: f64,
    pub key: String,
    /// "n1 PrRd".
    pub processor: String,
    /// "BusRd", "BusUpgr", "Flush (write-back)", "–".
    pub bus: String,
    /// "n1 I→E" for every node involved.
    pub transitions: Vec<String>,
    pub supplier: String,
    /// "v1", or "v1 → v2" when memory was written.
    pub memory: String,
    pub value: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CacheNodeView {
    pub node: ActorId,
    pub name: String,
    /// "up", "crashed" or "paused".
    pub state: String,
    pub entries: usize,
    pub capacity: usize,
    pub stats: CacheStats,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CacheView {
    pub protocol: String,
    pub write_through: bool,
    pub nodes: Vec<CacheNodeView>,
    pub keys: Vec<CacheKeyRow>,
    /// Newest first.
    pub log: Vec<CacheLogRow>,
    pub totals: CacheStats,
    pub hit_rate: f64,
    /// Writes lost in the write-back window (crashed owners), and how many were acknowledged.
    pub lost: u64,
    pub lost_acked: u64,
}

fn name(n: ActorId) -> String {
    crate::raft::msg::node_name(n)
}

/// One log row from a transaction record, or from the home's finding that a crashed owner
/// lost its dirty copy (the write-back window, shown as such rather than as a silent change).
pub fn log_row(r: &Record) -> Option<CacheLogRow> {
    let t = match &r.kind {
        RecordKind::Txn(t) => t,
        RecordKind::Lost { key, node, memory } => {
            return Some(CacheLogRow {
                t_ms: r.t as f64 / crate::base::MS as f64,
                key: key.clone(),
                processor: format!("{} crashed", name(*node)),
                bus: super::check::LOST_IN_WINDOW.into(),
                transitions: vec![format!("{}'s dirty copy died with it", name(*node))],
                supplier: "memory".into(),
                memory: memory
                    .as_ref()
                    .map_or("–".into(), |(v, _)| format!("#{v} survives")),
                value: memory.as_ref().map(|m| m.1.clone()).unwrap_or_default(),
            });
        }
        _ => return None,
    };
    let bus = match (t.bus, t.proc) {
        (Some(b), ProcAction::Invalidate) => format!("{} (invalidate all)", b.name()),
        (Some(b), _) => b.name().to_string(),
        (None, ProcAction::Evict | ProcAction::Expire) if t.memory_after.is_some() => {
            "Flush (write-back)".into()
        }
        (None, _) => "–".into(),
    };
    let supplier = match t.supplier {
        Supplier::None => "–".to_string(),
        Supplier::Memory => "memory".into(),
        Supplier::Cache { node, supply } => format!("{} ({})", name(node), supply.name()),
    };
    let v = |x: Option<u64>| x.map_or("–".to_string(), |v| format!("#{v}"));
    let memory = if t.memory_before != t.memory_after && t.memory_after.is_some() {
        format!("{} → {} (written)", v(t.memory_before), v(t.memory_after))
    } else if t.memory_after.is_some() {
        v(t.memory_after)
    } else {
        "–".into()
    };
    Some(CacheLogRow {
        t_ms: r.t as f64 / crate::base::MS as f64,
        key: t.key.clone(),
        processor: format!("{} {}", name(t.requester), t.proc.name()),
        bus,
        transitions: t
            .transitions
            .iter()
            .map(|(n, a, b)| format!("{} {}→{}", name(*n), a.letter(), b.letter()))
            .collect(),
        supplier,
        memory,
        value: t.value.clone().unwrap_or_default(),
    })
}

/// Build the view of every server's cache and every home's lines.
pub fn cache_view<N: Hosts<CacheActor>>(world: &World<'_, N>) -> CacheView {
    let sim = world.sim;
    let part = |i: usize| -> &CacheActor { sim.actor(i).part() };
    let servers = world.servers;
    let mut records: Vec<&Record> = (0..servers)
        .flat_map(|i| part(i).records().iter())
        .collect();
    crate::base::sort::sort_by_key(&mut records, |r| (r.t, r.node, r.seq));
    let last_changed: Vec<(String, ActorId)> = records
        .iter()
        .rev()
        .find_map(|r| match &r.kind {
            RecordKind::Txn(t) => Some(
                t.transitions
                    .iter()
                    .filter(|(_, a, b)| a != b)
                    .map(|(n, _, _)| (t.key.clone(), *n))
                    .collect(),
            ),
            _ => None,
        })
        .unwrap_or_default();
    let mut keys: Vec<String> = Vec::new();
    for i in 0..servers {
        keys.extend(part(i).store().iter().map(|(k, _)| k.clone()));
        keys.extend(part(i).home_lines().keys().cloned());
    }
    crate::base::sort::sort(&mut keys);
    keys.dedup();
    let rows = keys
        .iter()
        .map(|key| {
            let home = part(0).home_of(key);
            let line = part(home).home_lines().get(key);
            let mem = line.and_then(|l| l.memory.as_ref());
            let cells: Vec<CacheCell> = (0..servers)
                .map(|i| {
                    let l = part(i).store().peek(key);
                    CacheCell {
                        node: i,
                        name: name(i),
                        state: l.map_or(LineState::I, |l| l.state).letter().into(),
                        value: l.map(|l| l.data.value.as_str().to_owned()),
                        version: l.map(|l| l.data.version),
                        pending: part(i).pending_keys().any(|k| k == key),
                        changed: last_changed.iter().any(|(k, n)| k == key && *n == i),
                    }
                })
                .collect();
            let newest = cells.iter().filter_map(|c| c.version).max().unwrap_or(0);
            let mv = mem.map(|d| d.version);
            CacheKeyRow {
                key: key.clone(),
                home: name(home),
                memory: mem.map(|d| d.value.as_str().to_owned()),
                memory_version: mv,
                stale: newest > mv.unwrap_or(0),
                busy: line.is_some_and(|l| l.busy.is_some()),
                cells,
            }
        })
        .collect();
    let mut totals = CacheStats::default();
    let nodes = (0..servers)
        .map(|i| {
            let a = part(i);
            totals.add(a.stats());
            CacheNodeView {
                node: i,
                name: name(i),
                state: match sim.node_state(i) {
                    NodeState::Up => "up",
                    NodeState::Crashed => "crashed",
                    NodeState::Paused => "paused",
                }
                .into(),
                entries: a.store().len(),
                capacity: a.store().capacity(),
                stats: a.stats().clone(),
            }
        })
        .collect();
    let (values, _) = ValueChecker::replay(sim, servers, true);
    let log = records
        .iter()
        .rev()
        .filter_map(|r| log_row(r))
        .take(60)
        .collect();
    let first = part(0);
    CacheView {
        protocol: first.protocol().name().into(),
        write_through: first.write_through(),
        nodes,
        keys: rows,
        log,
        hit_rate: totals.hit_rate(),
        totals,
        lost: values.lost,
        lost_acked: values.lost_acked,
    }
}

/// One console line the tab sends for a preset: to `node` ("n1"), labelled ("R1", "reset").
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PresetLine {
    pub label: String,
    pub node: String,
    pub line: String,
}

/// The lines of a preset on this world: the reset (protocol, write policy, the line's value in
/// memory), then one line per step.
pub fn preset_lines(
    preset: Preset,
    servers: usize,
    protocol: Protocol,
    write_through: bool,
) -> Vec<PresetLine> {
    let reset = presets::setup(preset, servers, protocol, write_through);
    let mut out = vec![PresetLine {
        label: format!("reset ({})", protocol.name()),
        node: "n1".into(),
        line: super::api::line(&reset),
    }];
    out.extend(
        presets::steps(preset, servers)
            .into_iter()
            .map(|s| PresetLine {
                label: s.label,
                node: name(s.node),
                line: super::api::line(&s.op),
            }),
    );
    out
}

/// The cache service's part of the playground facade.
impl crate::playground::Playground {
    pub fn cache_view(&self) -> CacheView {
        self.with_world(cache_view)
    }
    pub fn cache_preset_lines(
        &self,
        preset: Preset,
        protocol: Protocol,
        write_through: bool,
    ) -> Vec<PresetLine> {
        preset_lines(preset, self.servers(), protocol, write_through)
    }
    /// The console line that switches the protocol (a fresh run).
    pub fn cache_reset_line(&self, protocol: Protocol, write_through: bool) -> String {
        super::api::line(&CacheOp::Reset {
            protocol,
            write_through,
            memory: Vec::new(),
        })
    }
    // The model check and the MESI-against-MOESI comparison need no playground: the page asks
    // a lab worker for them (`model::run_by_keys`, `presets::side_by_side_by_key`).
}
