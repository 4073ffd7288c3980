//! The ring-quality table (issue 12, "Benchmarks"): balance (CV, max/mean) against the vnode
//! count, and the share of keys moved on a join and on a leave against the ideal 1/N and
//! against modulo hashing, computed by `ring::metrics` on the queue's ring. It simulates
//! nothing.

use crate::base::sorted::SortedMap;

use super::params::RingParams;
use crate::bench::metrics::{round_to, Recorder};
use crate::bench::result::{BenchResult, Measured};
use crate::bench::scenario::{RunSpec, ScenarioParams};
use crate::bench::target::RunDriver;
use crate::ring::metrics::{modulo_movement, quality, sample_keys, Quality};
use crate::ring::NodeId;

/// One row of the ring-quality table (one vnode count).
#[derive(Clone, Debug)]
struct RingRow {
    quality: Quality,
    modulo_leave_fraction: f64,
}

/// The ring-quality table for one cluster size: one vnode count per step, so the page can
/// draw its progress bar between them.
pub(crate) struct RingRun {
    spec: RunSpec,
    params: ScenarioParams,
    rp: RingParams,
    rows: Vec<RingRow>,
}

impl RingRun {
    pub fn new(params: &ScenarioParams, spec: RunSpec) -> Result<Self, String> {
        let params = params.for_run(&spec);
        let rp = params
            .service
            .ring()
            .ok_or_else(|| format!("{}: not a ring-quality scenario", spec.label))?
            .clone();
        if spec.nodes < 2 {
            return Err(format!(
                "{}: a leave needs at least 2 nodes on the ring",
                spec.label
            ));
        }
        Ok(RingRun {
            spec,
            params,
            rp,
            rows: Vec::new(),
        })
    }
}

/// The `extra` key of a ring-quality figure at `vnodes`: "cv_v10".
pub fn ring_key(figure: &str, vnodes: u32) -> String {
    format!("{figure}_v{vnodes}")
}

/// The ring figures a ring-quality result holds at each vnode count.
pub const RING_FIGURES: &[&str] = &[
    "cv",
    "max_over_mean",
    "join_moved",
    "leave_moved",
    "modulo_join_moved",
    "modulo_leave_moved",
    // Monotonicity (REFERENCES §2.2), 0 for consistent hashing: keys a join sent to a node
    // other than the new one, and keys a leave took from a node other than the leaver.
    "join_to_other_nodes",
    "leave_from_other_nodes",
];

impl RunDriver for RingRun {
    fn step(&mut self, _budget: u64) {
        let Some(&v) = self.rp.vnodes.get(self.rows.len()) else {
            return;
        };
        let n = self.spec.nodes;
        let quality = quality(n, v, self.rp.ring_keys);
        let ids: Vec<NodeId> = (0..n).collect();
        let keys = sample_keys(self.rp.ring_keys);
        // The leave `quality` measures: node 0 goes.
        let modulo_leave_fraction = modulo_movement(&ids, &ids[1..], &keys).fraction;
        self.rows.push(RingRow {
            quality,
            modulo_leave_fraction,
        });
    }
    fn done(&self) -> bool {
        self.rows.len() >= self.rp.vnodes.len()
    }
    fn fraction(&self) -> f64 {
        self.rows.len() as f64 / self.rp.vnodes.len().max(1) as f64
    }
    fn events(&self) -> u64 {
        0
    }
    fn finish(self: Box<Self>) -> BenchResult {
        let (ops, overall) = Recorder::new(0).op_stats(0.0);
        let mut extra = SortedMap::new();
        let round = |x: f64| round_to(x, 1e6);
        extra.insert("ring_keys".to_string(), self.rp.ring_keys as f64);
        if let Some(r) = self.rows.first() {
            extra.insert("join_ideal".to_string(), round(r.quality.join.ideal));
            extra.insert("leave_ideal".to_string(), round(r.quality.leave.ideal));
        }
        for r in &self.rows {
            let q = &r.quality;
            let figures = [
                q.balance.cv,
                q.balance.max_over_mean,
                q.join.fraction,
                q.leave.fraction,
                q.modulo_join.fraction,
                r.modulo_leave_fraction,
                q.join.to_other_nodes as f64,
                q.leave.from_other_nodes as f64,
            ];
            for (name, value) in RING_FIGURES.iter().zip(figures) {
                extra.insert(ring_key(name, q.vnodes), round(value));
            }
        }
        BenchResult::of_run(
            &self.params,
            &self.spec,
            0.0,
            Measured {
                ops,
                overall,
                series: Vec::new(),
                faults: Vec::new(),
                failover: None,
                extra,
            },
        )
    }
}
