//! An exhaustive model check of the coherence protocol: breadth-first search over every
//! reachable state of `caches` caches × `lines` lines, where any cache may read, write or evict
//! any line at any point (all interleavings of processor actions and evictions). A transaction
//! is what the home's directory makes of it: it serialises each line's transactions, so the
//! model applies one transaction at a time, with the same functions the running service calls
//! (`protocol::on_processor`, `snoop_targets`, `on_snoop`, `fill_state`, `memory_written`,
//! `writes_back_on_evict`). A bug injected there is found here, with the shortest trace.
//!
//! Values are abstracted to the two that matter: "the latest write" and "an older one" (a
//! fresh bit per copy and one for memory), which makes the data-value invariant exact.
//! Not modelled: message-level races (loss, duplication, reordering, crashes) inside one
//! transaction; the fuzzer covers those on the real messages.
//!
//! Invariants after every step: single writer or multiple readers; at most one O; the permitted
//! pair matrix; memory stale iff an M or O copy exists; every read returns the latest write.

use std::collections::{HashMap, VecDeque};
use std::hash::{BuildHasherDefault, Hasher};

use serde::{Deserialize, Serialize};

use super::protocol::*;

pub const MAX_CACHES: usize = 4;
pub const MAX_LINES: usize = 2;

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModelConfig {
    pub caches: usize,
    pub lines: usize,
    pub protocol: Protocol,
    pub bug: Option<Bug>,
}

impl Default for ModelConfig {
    fn default() -> Self {
        ModelConfig {
            caches: 3,
            lines: 2,
            protocol: Protocol::Mesi,
            bug: None,
        }
    }
}

/// One step of a counterexample, with the states after it (for the grid).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TraceStep {
    /// "P2 PrWr line 0".
    pub action: String,
    /// "BusUpgr", "–" for a hit, "Flush" for a dirty eviction.
    pub bus: String,
    /// `states[line][cache]` letters after the step.
    pub states: Vec<Vec<String>>,
    /// Whether memory holds the latest value of each line.
    pub memory_fresh: Vec<bool>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Counterexample {
    pub invariant: String,
    pub detail: String,
    pub steps: Vec<TraceStep>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModelResult {
    pub config: ModelConfig,
    pub states: u64,
    pub transitions: u64,
    /// Longest shortest path (BFS depth).
    pub depth: u32,
    pub counterexample: Option<Counterexample>,
}

/// The model check the Cache tab's "Verify protocol" asks for, by the keys the page sends
/// (`Protocol::name`, `Bug::key` or "" for none), as JSON of [`ModelResult`]: the page sends it
/// to a lab worker, so the checker is not part of the page's `.wasm` (issue 10). Unknown keys
/// are an error that names them.
pub fn run_by_keys(protocol: &str, bug: &str) -> Result<String, String> {
    let protocol = Protocol::parse(protocol).ok_or(format!("unknown protocol `{protocol}`"))?;
    let bug = match bug {
        "" => None,
        key => Some(Bug::parse(key).ok_or(format!("unknown bug `{key}`"))?),
    };
    let result = run(ModelConfig {
        protocol,
        bug,
        ..ModelConfig::default()
    });
    serde_json::to_string(&result).map_err(|e| e.to_string())
}

impl ModelResult {
    pub fn verdict(&self) -> &'static str {
        if self.counterexample.is_some() {
            "violated"
        } else {
            "ok"
        }
    }
}

/// A copy: its state and whether it holds the latest write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Copy_ {
    s: LineState,
    fresh: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct World {
    /// `[line][cache]`.
    copies: Vec<Vec<Copy_>>,
    mem_fresh: Vec<bool>,
}

fn state_code(s: LineState) -> u64 {
    LineState::ALL.iter().position(|&x| x == s).unwrap_or(4) as u64
}

impl World {
    fn new(cfg: &ModelConfig) -> Self {
        let i = Copy_ {
            s: LineState::I,
            fresh: false,
        };
        World {
            copies: vec![vec![i; cfg.caches]; cfg.lines],
            mem_fresh: vec![true; cfg.lines],
        }
    }
    fn encode(&self) -> u64 {
        let mut x = 0u64;
        for (l, line) in self.copies.iter().enumerate() {
            for c in line {
                x = (x << 4) | (state_code(c.s) << 1) | u64::from(c.fresh);
            }
            x = (x << 1) | u64::from(self.mem_fresh[l]);
        }
        x
    }
    fn letters(&self) -> Vec<Vec<String>> {
        self.copies
            .iter()
            .map(|l| l.iter().map(|c| c.s.letter().to_string()).collect())
            .collect()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    Read,
    Write,
    Evict,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Action {
    cache: usize,
    line: usize,
    op: Op,
}

impl Action {
    fn label(&self) -> String {
        let op = match self.op {
            Op::Read => "PrRd",
            Op::Write => "PrWr",
            Op::Evict => "evict",
        };
        format!("P{} {op} line {}", self.cache + 1, self.line)
    }
}

struct Violation {
    invariant: &'static str,
    detail: String,
}

/// Apply one action (one serialised transaction). Returns the bus name, or the violation a
/// read exposes (a stale value).
fn step(cfg: &ModelConfig, w: &mut World, a: Action) -> Result<String, Violation> {
    let (p, bug) = (cfg.protocol, cfg.bug);
    let c = a.cache;
    let line = &mut w.copies[a.line];
    let mem = &mut w.mem_fresh[a.line];
    let s = line[c].s;
    match a.op {
        Op::Evict => {
            let wb = writes_back_on_evict(s, bug);
            if wb {
                *mem = line[c].fresh || *mem;
            }
            line[c] = Copy_ {
                s: LineState::I,
                fresh: false,
            };
            return Ok(if wb { "Flush" } else { "–" }.into());
        }
        Op::Read | Op::Write => {}
    }
    let pop = if a.op == Op::Read {
        ProcOp::PrRd
    } else {
        ProcOp::PrWr
    };
    let bus = match on_processor(s, pop) {
        ProcOutcome::Hit(next) => {
            line[c].s = next;
            None
        }
        ProcOutcome::Bus(bus) => {
            let holders: Vec<(usize, LineState)> = (0..line.len())
                .filter(|&j| j != c)
                .map(|j| (j, line[j].s))
                .collect();
            let mut best: Option<bool> = None;
            let mut write_memory = false;
            for (j, supplier) in snoop_targets(&holders, bus) {
                let before = line[j];
                let r = on_snoop(p, before.s, bus, supplier, bug);
                if r.supply != Supply::None || before.s.dirty() {
                    best = Some(before.fresh || best.unwrap_or(false));
                }
                write_memory |= r.write_memory;
                line[j].s = r.next;
                if r.next == LineState::I {
                    line[j].fresh = false;
                }
            }
            let others_valid = (0..line.len()).any(|j| j != c && line[j].s.valid());
            let others_dirty = (0..line.len()).any(|j| j != c && line[j].s.dirty());
            let next = fill_state(bus, others_valid, bug);
            // An upgrading S/O copy keeps its own (current) data.
            let own = bus == BusOp::BusUpgr && s.valid() && line[c].fresh;
            let data = own || best.unwrap_or(*mem);
            if data && memory_written(write_memory, next, others_dirty) {
                *mem = true;
            }
            line[c] = Copy_ {
                s: next,
                fresh: data,
            };
            Some(bus)
        }
    };
    match a.op {
        Op::Read if !line[c].fresh => {
            return Err(Violation {
                invariant: "Reads return the latest write",
                detail: format!("P{} read an old value in {}", c + 1, line[c].s.letter()),
            })
        }
        Op::Write if !line[c].fresh => {
            return Err(Violation {
                invariant: "Reads return the latest write",
                detail: format!(
                    "P{} wrote into an old copy of line {} (a lost update)",
                    c + 1,
                    a.line
                ),
            })
        }
        Op::Write => {
            for (j, x) in line.iter_mut().enumerate() {
                x.fresh = j == c;
            }
            line[c].s = LineState::M;
            *mem = false;
        }
        _ => {}
    }
    Ok(bus.map_or("–", |b| b.name()).to_string())
}

fn check(cfg: &ModelConfig, w: &World) -> Result<(), Violation> {
    use super::check::{ONE_OWNER, PAIRS, STALE, SWMR};
    for (l, line) in w.copies.iter().enumerate() {
        let shown = || {
            line.iter()
                .enumerate()
                .map(|(i, c)| format!("P{} {}", i + 1, c.s.letter()))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let valid = line.iter().filter(|c| c.s.valid()).count();
        if line.iter().any(|c| c.s.exclusive()) && valid > 1 {
            let detail = format!("line {l}: an exclusive copy beside others ({})", shown());
            return Err(Violation {
                invariant: SWMR,
                detail,
            });
        }
        if line.iter().filter(|c| c.s == LineState::O).count() > 1 {
            let detail = format!("line {l}: two O copies ({})", shown());
            return Err(Violation {
                invariant: ONE_OWNER,
                detail,
            });
        }
        for (i, a) in line.iter().enumerate() {
            for b in &line[i + 1..] {
                if !permitted_pair(cfg.protocol, a.s, b.s) {
                    let detail = format!("line {l}: {} is not a permitted pair", shown());
                    return Err(Violation {
                        invariant: PAIRS,
                        detail,
                    });
                }
            }
        }
        let dirty = line.iter().any(|c| c.s.dirty());
        if dirty == w.mem_fresh[l] {
            let detail = if dirty {
                format!(
                    "line {l}: memory is up to date although a cache holds M/O ({})",
                    shown()
                )
            } else {
                format!(
                    "line {l}: memory is stale and no cache owes the write-back ({})",
                    shown()
                )
            };
            return Err(Violation {
                invariant: STALE,
                detail,
            });
        }
    }
    Ok(())
}

/// A hasher for already well-mixed `u64` state codes (deterministic on every target).
#[derive(Default)]
struct Mix(u64);
impl Hasher for Mix {
    fn finish(&self) -> u64 {
        crate::ring::fmix64(self.0)
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) | u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// Explore every reachable state; stop at the first violation (the shortest trace to it).
pub fn run(cfg: ModelConfig) -> ModelResult {
    let cfg = ModelConfig {
        caches: cfg.caches.clamp(1, MAX_CACHES),
        lines: cfg.lines.clamp(1, MAX_LINES),
        ..cfg
    };
    let actions: Vec<Action> = (0..cfg.lines)
        .flat_map(|line| {
            (0..cfg.caches).flat_map(move |cache| {
                [Op::Read, Op::Write, Op::Evict]
                    .into_iter()
                    .map(move |op| Action { cache, line, op })
            })
        })
        .collect();
    let start = World::new(&cfg);
    type Seen = HashMap<u64, (u64, u16, u32), BuildHasherDefault<Mix>>;
    let mut seen: Seen = HashMap::default();
    seen.insert(start.encode(), (u64::MAX, u16::MAX, 0));
    let mut queue = VecDeque::from([start.clone()]);
    let mut transitions = 0u64;
    let mut depth = 0;
    while let Some(w) = queue.pop_front() {
        let code = w.encode();
        let d = seen.get(&code).map_or(0, |e| e.2);
        for (ai, a) in actions.iter().enumerate() {
            if a.op == Op::Evict && !w.copies[a.line][a.cache].s.valid() {
                continue;
            }
            transitions += 1;
            let mut next = w.clone();
            let outcome = step(&cfg, &mut next, *a).and_then(|_| check(&cfg, &next));
            if let Err(v) = outcome {
                let mut path = vec![ai as u16];
                let mut at = code;
                while let Some(&(parent, act, _)) = seen.get(&at) {
                    if parent == u64::MAX {
                        break;
                    }
                    path.push(act);
                    at = parent;
                }
                path.reverse();
                return ModelResult {
                    config: cfg,
                    states: seen.len() as u64,
                    transitions,
                    depth: depth.max(d + 1),
                    counterexample: Some(trace(&cfg, &actions, &path, v)),
                };
            }
            let nc = next.encode();
            if let std::collections::hash_map::Entry::Vacant(e) = seen.entry(nc) {
                e.insert((code, ai as u16, d + 1));
                depth = depth.max(d + 1);
                queue.push_back(next);
            }
        }
    }
    ModelResult {
        config: cfg,
        states: seen.len() as u64,
        transitions,
        depth,
        counterexample: None,
    }
}

fn trace(cfg: &ModelConfig, actions: &[Action], path: &[u16], v: Violation) -> Counterexample {
    let mut w = World::new(cfg);
    let steps = path
        .iter()
        .map(|&ai| {
            let a = actions[ai as usize];
            let bus = step(cfg, &mut w, a).unwrap_or_else(|_| "–".into());
            TraceStep {
                action: a.label(),
                bus,
                states: w.letters(),
                memory_fresh: w.mem_fresh.clone(),
            }
        })
        .collect();
    Counterexample {
        invariant: v.invariant.into(),
        detail: v.detail,
        steps,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pages_keys_give_the_same_result_as_json_and_bad_keys_are_named() {
        let bug = Bug::ALL[0];
        let json = run_by_keys("MOESI", bug.key()).unwrap();
        let back: ModelResult = serde_json::from_str(&json).unwrap();
        let direct = run(ModelConfig {
            protocol: Protocol::Moesi,
            bug: Some(bug),
            ..ModelConfig::default()
        });
        assert_eq!(back, direct);
        assert!(back.counterexample.is_some(), "an injected bug is found");
        let clean: ModelResult = serde_json::from_str(&run_by_keys("MESI", "").unwrap()).unwrap();
        assert!(clean.counterexample.is_none());
        assert_eq!(run_by_keys("MSI", ""), Err("unknown protocol `MSI`".into()));
        assert_eq!(
            run_by_keys("MESI", "nope"),
            Err("unknown bug `nope`".into())
        );
    }

    #[test]
    fn mesi_and_moesi_pass_the_exhaustive_check() {
        for protocol in [Protocol::Mesi, Protocol::Moesi] {
            let t = std::time::Instant::now();
            let r = run(ModelConfig {
                protocol,
                ..ModelConfig::default()
            });
            let secs = t.elapsed().as_secs_f64();
            println!(
                "{}: {} states, {} transitions, depth {}, {:.3} s ({:.0} states/s)",
                protocol.name(),
                r.states,
                r.transitions,
                r.depth,
                secs,
                r.states as f64 / secs.max(1e-9)
            );
            assert!(r.counterexample.is_none(), "{:?}", r.counterexample);
            assert!(r.states > 100, "{}", r.states);
        }
    }

    #[test]
    fn every_injected_bug_is_found_with_a_trace() {
        for protocol in [Protocol::Mesi, Protocol::Moesi] {
            for bug in Bug::ALL {
                let r = run(ModelConfig {
                    protocol,
                    bug: Some(bug),
                    ..ModelConfig::default()
                });
                let cx = r
                    .counterexample
                    .unwrap_or_else(|| panic!("{bug:?} not found"));
                assert!(!cx.steps.is_empty() && cx.steps.len() <= 6, "{cx:?}");
                println!(
                    "{} {:?}: {} after {} steps: {}",
                    protocol.name(),
                    bug,
                    cx.invariant,
                    cx.steps.len(),
                    cx.steps
                        .iter()
                        .map(|s| format!("{} [{}]", s.action, s.bus))
                        .collect::<Vec<_>>()
                        .join(" → ")
                );
            }
        }
    }
}
