//! The benchmark [`Recorder`]: collects `(op kind, start, end, outcome)` samples in virtual time
//! and turns them into the serde stats of `result.rs`. Latencies go into HDR histograms
//! (microsecond values); exact count, sum and max are kept beside them.

use crate::base::sorted::SortedMap;

use hdrhistogram::Histogram;

use super::result::{FailoverStats, OpStats, Percentiles, SeriesPoint, OVERALL_OP};
use crate::sim::{Time, MS, SEC};

/// Resolution of the fine completion counts used for recovery time.
const FINE: Time = 100 * MS;
/// Throughput counts as recovered at this fraction of its pre-fault level.
const RECOVERED_FRACTION: f64 = 0.9;

/// Record into an auto-resizing histogram (`saturating_record` would clamp instead of growing).
fn record_us(h: &mut Histogram<u64>, v: u64) {
    if h.record(v).is_err() {
        h.saturating_record(v);
    }
}

fn new_hist(sigfig: u8) -> Histogram<u64> {
    // An auto-resizing histogram with 2 or 3 significant figures cannot fail to build.
    let mut h = Histogram::new(sigfig).expect("valid hdrhistogram sigfig");
    h.auto(true);
    h
}

#[derive(Clone, Debug)]
struct KindRec {
    hist: Histogram<u64>,
    ok: u64,
    failed: u64,
    sum_us: u128,
    max_us: u64,
    reasons: SortedMap<String, u64>,
}

impl KindRec {
    fn new() -> Self {
        KindRec {
            hist: new_hist(3),
            ok: 0,
            failed: 0,
            sum_us: 0,
            max_us: 0,
            reasons: SortedMap::new(),
        }
    }

    fn add(&mut self, latency_us: u64, outcome: Result<(), &str>) {
        record_us(&mut self.hist, latency_us);
        self.sum_us += latency_us as u128;
        self.max_us = self.max_us.max(latency_us);
        match outcome {
            Ok(()) => self.ok += 1,
            Err(reason) => {
                self.failed += 1;
                match self.reasons.get_mut(reason) {
                    Some(n) => *n += 1,
                    None => {
                        self.reasons.insert(reason.to_string(), 1);
                    }
                }
            }
        }
    }

    /// Adds `other`'s operations: the result is the record both sets of samples would have made.
    fn merge(&mut self, other: &KindRec) {
        // An auto-resizing histogram grows to take any other; the fallback only keeps this exact
        // if that ever changes.
        if self.hist.add(&other.hist).is_err() {
            for v in other.hist.iter_recorded() {
                let _ = self
                    .hist
                    .record_n(v.value_iterated_to(), v.count_at_value());
            }
        }
        self.ok += other.ok;
        self.failed += other.failed;
        self.sum_us += other.sum_us;
        self.max_us = self.max_us.max(other.max_us);
        for (reason, n) in other.reasons.iter() {
            match self.reasons.get_mut(reason.as_str()) {
                Some(m) => *m += n,
                None => {
                    self.reasons.insert(reason.clone(), *n);
                }
            }
        }
    }

    fn stats(&self, op: &str, duration_s: f64) -> OpStats {
        let count = self.ok + self.failed;
        // HDR values are bucket upper bounds; never report a percentile above the exact max.
        let q = |p: f64| self.hist.value_at_quantile(p).min(self.max_us) as f64 / MS as f64;
        let latency_ms = if count == 0 {
            Percentiles::default()
        } else {
            Percentiles {
                p50: q(0.50),
                p95: q(0.95),
                p99: q(0.99),
                max: self.max_us as f64 / MS as f64,
                mean: round_to(self.sum_us as f64 / count as f64 / MS as f64, 1e3),
            }
        };
        OpStats {
            op: op.to_string(),
            count,
            ok: self.ok,
            failed: self.failed,
            failure_reasons: self.reasons.clone(),
            success_rate: round_to(ratio(self.ok, count), 1e6),
            throughput_per_s: if duration_s > 0.0 {
                round_to(self.ok as f64 / duration_s, 1e6)
            } else {
                0.0
            },
            latency_ms,
            histogram: log_buckets(&self.hist),
        }
    }
}

/// Round to `1/scale` (scale a power of ten). Derived figures are rounded so that their JSON
/// text is short and parses back to the identical `f64` (the quotient of an integer by a power
/// of ten is the closest double to that decimal). Latencies need no rounding: integer µs / 1000.
pub fn round_to(x: f64, scale: f64) -> f64 {
    (x * scale).round() / scale
}

fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

/// Bucket upper bounds in ms on a 1-2-5 scale, from 10 µs to 5000 s (exact decimals).
pub fn bucket_bounds_ms() -> Vec<f64> {
    let mut out = Vec::new();
    let mut decade_us: u64 = 10;
    while decade_us <= 1_000_000_000 {
        for m in [1, 2, 5] {
            out.push((decade_us * m) as f64 / MS as f64);
        }
        decade_us *= 10;
    }
    out
}

/// Histogram counts on the 1-2-5 buckets, trimmed to the first..last populated bucket.
fn log_buckets(h: &Histogram<u64>) -> Vec<(f64, u64)> {
    let bounds = bucket_bounds_ms();
    let mut counts = vec![0u64; bounds.len()];
    for v in h.iter_recorded() {
        let ms = h.median_equivalent(v.value_iterated_to()) as f64 / MS as f64;
        // Values beyond the last bound land in the last bucket.
        let i = bounds
            .iter()
            .position(|&b| ms <= b)
            .unwrap_or(bounds.len() - 1);
        counts[i] += v.count_since_last_iteration();
    }
    let Some(first) = counts.iter().position(|&c| c > 0) else {
        return Vec::new();
    };
    let last = counts.iter().rposition(|&c| c > 0).unwrap_or(first);
    (first..=last).map(|i| (bounds[i], counts[i])).collect()
}

#[derive(Clone, Debug)]
struct SecondRec {
    hist: Histogram<u64>,
    ok: u64,
    failed: u64,
}

/// Collects samples of one run. Times are virtual microseconds; `t0` is where measurement
/// begins (after warm-up): operations that complete before it are ignored.
#[derive(Clone, Debug)]
pub struct Recorder {
    t0: Time,
    /// A sorted vector, not a `BTreeMap`: one less B-tree instance in the page.
    /// Every operation is in exactly one kind, so the overall record is their merge, made
    /// when asked (`overall`), not a third histogram record per sample.
    kinds: SortedMap<String, KindRec>,
    seconds: Vec<SecondRec>,
    /// Successful completions per `FINE` slot, for sub-second recovery times.
    fine_ok: Vec<u32>,
}

impl Recorder {
    pub fn new(t0: Time) -> Self {
        Recorder {
            t0,
            kinds: SortedMap::new(),
            seconds: Vec::new(),
            fine_ok: Vec::new(),
        }
    }

    pub fn t0(&self) -> Time {
        self.t0
    }

    /// Record one completed operation. `outcome` is `Ok(())` or `Err(reason)`, with a short
    /// snake_case reason such as "timeout" or "conflict".
    pub fn record(&mut self, op: &str, start: Time, end: Time, outcome: Result<(), &str>) {
        if end < self.t0 {
            return;
        }
        let latency = end.saturating_sub(start);
        match self.kinds.get_mut(op) {
            Some(k) => k.add(latency, outcome),
            None => {
                let mut k = KindRec::new();
                k.add(latency, outcome);
                self.kinds.insert(op.to_string(), k);
            }
        }

        let rel = end - self.t0;
        let sec = (rel / SEC) as usize;
        while self.seconds.len() <= sec {
            self.seconds.push(SecondRec {
                hist: new_hist(2),
                ok: 0,
                failed: 0,
            });
        }
        let s = &mut self.seconds[sec];
        record_us(&mut s.hist, latency);
        if outcome.is_ok() {
            s.ok += 1;
            let slot = (rel / FINE) as usize;
            if self.fine_ok.len() <= slot {
                self.fine_ok.resize(slot + 1, 0);
            }
            self.fine_ok[slot] += 1;
        } else {
            s.failed += 1;
        }
    }

    /// Number of operations recorded so far (all kinds).
    pub fn total(&self) -> u64 {
        self.kinds.iter().map(|(_, k)| k.ok + k.failed).sum()
    }

    /// All kinds together.
    fn overall(&self) -> KindRec {
        let mut all = KindRec::new();
        for (_, k) in self.kinds.iter() {
            all.merge(k);
        }
        all
    }

    /// Per-kind stats (sorted by kind) and the overall stats, over `duration_s` seconds.
    pub fn op_stats(&self, duration_s: f64) -> (Vec<OpStats>, OpStats) {
        let ops = self
            .kinds
            .iter()
            .map(|(name, k)| k.stats(name, duration_s))
            .collect();
        (ops, self.overall().stats(OVERALL_OP, duration_s))
    }

    /// One point per simulated second, covering at least `duration_s` seconds.
    pub fn series(&self, duration_s: f64) -> Vec<SeriesPoint> {
        let n = self.seconds.len().max(duration_s.ceil().max(0.0) as usize);
        (0..n)
            .map(|i| match self.seconds.get(i) {
                Some(s) if s.ok + s.failed > 0 => SeriesPoint {
                    t_s: i as f64,
                    throughput: s.ok as f64,
                    p50_ms: s.hist.value_at_quantile(0.5) as f64 / MS as f64,
                    p99_ms: s.hist.value_at_quantile(0.99) as f64 / MS as f64,
                    ok: s.ok,
                    failed: s.failed,
                },
                _ => SeriesPoint {
                    t_s: i as f64,
                    ..SeriesPoint::default()
                },
            })
            .collect()
    }

    /// Successful completions per second over `[from, to)` (absolute virtual times).
    pub fn rate_between(&self, from: Time, to: Time) -> f64 {
        if to <= from {
            return 0.0;
        }
        let a = (from.saturating_sub(self.t0) / FINE) as usize;
        let b = (to.saturating_sub(self.t0) / FINE) as usize;
        let n: u64 = (a..b)
            .filter_map(|i| self.fine_ok.get(i))
            .map(|&c| c as u64)
            .sum();
        n as f64 / ((b - a) as f64 * FINE as f64 / SEC as f64)
    }

    /// Failover figures for a fault injected at `fault_at`, measured until `end` (absolute
    /// virtual times). Recovery is the first time `T >= fault_at` such that the success rate
    /// over `[T, T + 1 s)` is back to 90% of the pre-fault rate (100 ms resolution).
    pub fn failover(&self, fault_at: Time, end: Time, election_ms: Option<f64>) -> FailoverStats {
        let before = self.rate_between(self.t0, fault_at);
        let mut recovered_at = None;
        let mut t = fault_at;
        while t + SEC <= end {
            if before > 0.0 && self.rate_between(t, t + SEC) >= RECOVERED_FRACTION * before {
                recovered_at = Some(t);
                break;
            }
            t += FINE;
        }
        let after_from = recovered_at.unwrap_or(fault_at);
        FailoverStats {
            election_ms,
            recovery_ms: recovered_at.map(|r| (r - fault_at) as f64 / MS as f64),
            throughput_before: before,
            throughput_after: self.rate_between(after_from, end),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stats_count_latency_and_reasons() {
        let mut r = Recorder::new(0);
        for i in 0..100u64 {
            // Latencies 1..=100 ms, all ending in the first second.
            r.record("acquire", 0, (i + 1) * MS, Ok(()));
        }
        r.record("acquire", 0, 900 * MS, Err("timeout"));
        r.record("release", 0, 2 * MS, Err("not_found"));
        let (ops, all) = r.op_stats(2.0);
        assert_eq!(ops.len(), 2);
        let acq = &ops[0];
        assert_eq!(
            (acq.op.as_str(), acq.count, acq.ok, acq.failed),
            ("acquire", 101, 100, 1)
        );
        assert_eq!(acq.failure_reasons.get("timeout"), Some(&1));
        assert!(
            (acq.latency_ms.p50 - 51.0).abs() < 0.1,
            "p50 {}",
            acq.latency_ms.p50
        );
        assert!(
            (acq.latency_ms.p99 - 100.0).abs() < 0.2,
            "p99 {}",
            acq.latency_ms.p99
        );
        assert_eq!(acq.latency_ms.max, 900.0);
        assert!((acq.throughput_per_s - 50.0).abs() < 1e-9);
        assert_eq!(acq.histogram.iter().map(|b| b.1).sum::<u64>(), 101);
        assert_eq!(all.count, 102);
        assert_eq!(all.failure_reasons.values().sum::<u64>(), 2);
        assert_eq!(all.success_rate, 0.980392, "rounded to 1e-6");
    }

    #[test]
    fn percentiles_never_exceed_the_exact_max() {
        let mut r = Recorder::new(0);
        r.record("x", 0, 1_079_401, Ok(()));
        let (_, all) = r.op_stats(2.0);
        assert_eq!(all.latency_ms.max, 1079.401);
        assert_eq!(all.latency_ms.p99, 1079.401, "HDR alone would say more");
        assert_eq!(all.latency_ms.mean, 1079.401);
    }

    #[test]
    fn histogram_buckets_are_trimmed_and_bounded() {
        let mut r = Recorder::new(0);
        r.record("x", 0, 3 * MS, Ok(())); // bucket <= 5 ms
        r.record("x", 0, 40 * MS, Ok(())); // bucket <= 50 ms
        let (ops, _) = r.op_stats(1.0);
        let h = &ops[0].histogram;
        assert_eq!(h.first(), Some(&(5.0, 1)));
        assert_eq!(h.last(), Some(&(50.0, 1)));
        assert_eq!(h.len(), 4, "5, 10, 20, 50: {h:?}");
    }

    #[test]
    fn series_buckets_by_completion_second_after_warmup() {
        let mut r = Recorder::new(10 * SEC);
        r.record("x", 9 * SEC, 9 * SEC + 5, Ok(())); // before t0: ignored
        r.record("x", 10 * SEC, 10 * SEC + 500 * MS, Ok(()));
        r.record("x", 11 * SEC, 12 * SEC + 1, Err("timeout"));
        let s = r.series(4.0);
        assert_eq!(s.len(), 4);
        assert_eq!((s[0].ok, s[0].failed, s[0].throughput), (1, 0, 1.0));
        assert_eq!((s[1].ok, s[1].failed), (0, 0));
        assert_eq!((s[2].ok, s[2].failed), (0, 1));
        assert!(s[2].p50_ms > 999.0);
        assert_eq!(r.total(), 2);
    }

    #[test]
    fn failover_finds_dip_and_recovery() {
        let mut r = Recorder::new(0);
        // 10 ops/s for 10 s, nothing during [10 s, 12.5 s), then 10 ops/s again until 20 s.
        let mut t = 50 * MS;
        while t < 20 * SEC {
            if !(10 * SEC..12_500 * MS).contains(&t) {
                r.record("x", t - MS, t, Ok(()));
            }
            t += 100 * MS;
        }
        let f = r.failover(10 * SEC, 20 * SEC, Some(300.0));
        assert!((f.throughput_before - 10.0).abs() < 1e-9);
        // [12.4 s, 13.4 s) already holds 9 ops = 90% of the pre-fault rate.
        assert_eq!(f.recovery_ms, Some(2400.0));
        // From 12.4 s to 20 s: 75 ops in 7.6 s.
        assert!(
            (f.throughput_after - 75.0 / 7.6).abs() < 1e-6,
            "{}",
            f.throughput_after
        );
        assert_eq!(f.election_ms, Some(300.0));
    }
}
