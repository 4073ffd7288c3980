//! The phi-accrual failure detector (Hayashibara et al., 2004), as Cassandra and Akka use it.
//!
//! Instead of a yes/no "is it dead?", it reports a suspicion level `phi`: with the inter-arrival
//! times of recent heartbeats modelled as a normal distribution (mean μ, deviation σ),
//! `phi(t) = -log10(P(a heartbeat arrives later than t since the last one))`. phi = 1 means a 10 %
//! chance the silence is normal, phi = 8 one in 10^8. The CDF uses Akka's logistic approximation
//! and the portable `exp`/`ln`, so the same trace gives the same phi natively and in WebAssembly.
//!
//! Hand-written rather than a crate: the crates on crates.io read the wall clock
//! (`Instant`), which the core never does; this one takes virtual time.

use std::collections::VecDeque;

use crate::base::math::{exp_portable, ln_portable};
use crate::base::{Time, MS};

#[derive(Clone, Debug, PartialEq)]
pub struct PhiConfig {
    /// How many recent intervals make the distribution.
    pub window: usize,
    /// Floor on σ, so a perfectly regular heartbeat does not make phi explode at the first jitter.
    pub min_std: Time,
    /// Silence tolerated on top of the mean before phi starts rising (GC pauses, bursts).
    pub acceptable_pause: Time,
    /// Suspicion threshold: above it the peer is reported as suspected (Akka's default is 8).
    pub threshold: f64,
    /// The interval assumed before the first real one (the heartbeat period).
    pub first_interval: Time,
}

impl Default for PhiConfig {
    fn default() -> Self {
        PhiConfig {
            window: 64,
            min_std: 50 * MS,
            acceptable_pause: 0,
            threshold: 8.0,
            first_interval: 100 * MS,
        }
    }
}

/// The detector for one monitored peer.
#[derive(Clone, Debug, PartialEq)]
pub struct PhiDetector {
    intervals: VecDeque<Time>,
    sum: u128,
    sum_sq: u128,
    last: Option<Time>,
}

impl PhiDetector {
    pub fn new(cfg: &PhiConfig) -> Self {
        let mut d = PhiDetector {
            intervals: VecDeque::with_capacity(cfg.window),
            sum: 0,
            sum_sq: 0,
            last: None,
        };
        // Seed the window as Akka does: one interval of the expected period, deviation period/4.
        let f = cfg.first_interval;
        d.push(cfg, f.saturating_sub(f / 4));
        d.push(cfg, f + f / 4);
        d
    }

    fn push(&mut self, cfg: &PhiConfig, interval: Time) {
        if self.intervals.len() == cfg.window.max(2) {
            if let Some(old) = self.intervals.pop_front() {
                self.sum -= u128::from(old);
                self.sum_sq -= u128::from(old) * u128::from(old);
            }
        }
        self.intervals.push_back(interval);
        self.sum += u128::from(interval);
        self.sum_sq += u128::from(interval) * u128::from(interval);
    }

    /// A heartbeat arrived at `now`.
    pub fn heartbeat(&mut self, cfg: &PhiConfig, now: Time) {
        if let Some(last) = self.last {
            self.push(cfg, now.saturating_sub(last));
        }
        self.last = Some(now);
    }

    /// When the last heartbeat arrived (None: never).
    pub fn last_heartbeat(&self) -> Option<Time> {
        self.last
    }

    /// Mean and standard deviation of the window, in microseconds.
    pub fn stats(&self) -> (f64, f64) {
        let n = self.intervals.len().max(1) as f64;
        let mean = self.sum as f64 / n;
        let var = (self.sum_sq as f64 / n - mean * mean).max(0.0);
        (mean, sqrt_portable(var))
    }

    /// The suspicion level at `now`. 0 before the first heartbeat: a peer never heard from is
    /// not suspected yet (the status view says "never heard" instead).
    pub fn phi(&self, cfg: &PhiConfig, now: Time) -> f64 {
        let Some(last) = self.last else {
            return 0.0;
        };
        let (mean, std) = self.stats();
        let std = std.max(cfg.min_std as f64);
        let mean = mean + cfg.acceptable_pause as f64;
        let elapsed = now.saturating_sub(last) as f64;
        let y = (elapsed - mean) / std;
        let e = exp_portable(-y * (1.5976 + 0.070566 * y * y));
        let p_later = if elapsed > mean {
            e / (1.0 + e)
        } else {
            1.0 - 1.0 / (1.0 + e)
        };
        if p_later <= 0.0 {
            return MAX_PHI;
        }
        (-ln_portable(p_later) / std::f64::consts::LN_10).clamp(0.0, MAX_PHI)
    }
}

/// phi is capped here: the probability underflows long before, and the UI needs a finite number.
pub const MAX_PHI: f64 = 99.0;

/// Square root by Newton's method from a bit-level first guess: only IEEE-exact operations, so
/// it is the same natively and in WebAssembly (`f64::sqrt` is exact too, but this keeps every
/// float in the detector visibly portable).
fn sqrt_portable(x: f64) -> f64 {
    if x <= 0.0 || x.is_nan() {
        return 0.0;
    }
    let mut g = f64::from_bits((x.to_bits() >> 1) + (1023u64 << 51));
    for _ in 0..6 {
        g = 0.5 * (g + x / g);
    }
    g
}

#[cfg(test)]
mod tests {
    use super::*;

    fn regular(period: Time, beats: u64) -> (PhiConfig, PhiDetector, Time) {
        let cfg = PhiConfig::default();
        let mut d = PhiDetector::new(&cfg);
        let mut t = 0;
        for _ in 0..beats {
            t += period;
            d.heartbeat(&cfg, t);
        }
        (cfg, d, t)
    }

    #[test]
    fn phi_is_low_right_after_a_heartbeat_and_rises_with_silence() {
        let (cfg, d, t) = regular(100 * MS, 50);
        let at = |dt: Time| d.phi(&cfg, t + dt);
        assert!(at(0) < 0.5, "just heard: {}", at(0));
        assert!(at(100 * MS) < 1.0, "one period: {}", at(100 * MS));
        // Strictly rising with silence, and past the threshold within a second.
        let mut prev = 0.0;
        for k in 1..=20 {
            let p = at(k * 50 * MS);
            assert!(p >= prev, "phi must not fall while silent: {p} < {prev}");
            prev = p;
        }
        assert!(at(600 * MS) > cfg.threshold, "{}", at(600 * MS));
        assert_eq!(at(3_600 * 1_000 * MS), MAX_PHI);
    }

    #[test]
    fn phi_falls_back_once_heartbeats_resume() {
        let (cfg, mut d, t) = regular(100 * MS, 30);
        let silent = t + 2_000 * MS;
        assert!(d.phi(&cfg, silent) > cfg.threshold);
        d.heartbeat(&cfg, silent);
        assert!(d.phi(&cfg, silent + 10 * MS) < 1.0);
    }

    #[test]
    fn a_jittery_peer_is_suspected_later_than_a_regular_one() {
        let cfg = PhiConfig::default();
        let (mut jit, mut reg) = (PhiDetector::new(&cfg), PhiDetector::new(&cfg));
        let (mut tj, mut tr) = (0, 0);
        for k in 0..60u64 {
            tj += if k % 2 == 0 { 40 * MS } else { 160 * MS };
            tr += 100 * MS;
            jit.heartbeat(&cfg, tj);
            reg.heartbeat(&cfg, tr);
        }
        let silence = 300 * MS;
        assert!(jit.phi(&cfg, tj + silence) < reg.phi(&cfg, tr + silence));
    }

    #[test]
    fn never_heard_is_not_suspected_and_window_is_bounded() {
        let cfg = PhiConfig::default();
        let d = PhiDetector::new(&cfg);
        assert_eq!(d.phi(&cfg, 10_000 * MS), 0.0);
        let (_, d, _) = regular(100 * MS, 500);
        assert_eq!(d.intervals.len(), cfg.window);
        let (mean, std) = d.stats();
        assert!((mean - 100_000.0).abs() < 1.0 && std < 1.0, "{mean} {std}");
    }

    #[test]
    fn sqrt_portable_is_accurate() {
        for &x in &[1e-6, 0.25, 2.0, 1e4, 1e12] {
            assert!((sqrt_portable(x) - x.sqrt()).abs() <= 1e-12 * x.sqrt());
        }
    }
}
