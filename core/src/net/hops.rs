//! The latency of a path of several one-way hops, from the link model alone: what a protocol's
//! hop count costs before any CPU time or queueing. The report uses it to say why a latency
//! target is out of reach on a profile (e.g. a cache PUT that invalidates copies crosses six hops).

use super::{Jitter, LinkConfig};

impl LinkConfig {
    /// The `q`-quantile (0 < q < 1) of the summed latency of `hops` independent hops, in ms.
    /// Exact for constant and uniform jitter (the Irwin–Hall distribution); `None` for
    /// exponential jitter, whose sum has no closed form worth a dependency here.
    pub fn hops_quantile_ms(&self, hops: u32, q: f64) -> Option<f64> {
        let base_ms = self.base_latency_us as f64 / 1000.0;
        let n = f64::from(hops);
        match self.jitter {
            Jitter::Constant => Some(n * base_ms),
            Jitter::Uniform { max_us } => {
                let width_ms = max_us as f64 / 1000.0;
                Some(n * base_ms + width_ms * irwin_hall_quantile(hops, q))
            }
            Jitter::Exponential { .. } => None,
        }
    }
}

/// CDF of the sum of `n` independent U(0, 1): (1/n!) Σ_{k ≤ x} (−1)^k C(n, k) (x − k)^n.
fn irwin_hall_cdf(n: u32, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= f64::from(n) {
        return 1.0;
    }
    let (mut sum, mut binom, mut fact) = (0.0, 1.0, 1.0);
    for i in 1..=n {
        fact *= f64::from(i);
    }
    for k in 0..=n {
        let kf = f64::from(k);
        if kf > x {
            break;
        }
        let sign = if k % 2 == 0 { 1.0 } else { -1.0 };
        sum += sign * binom * (x - kf).powi(n as i32);
        binom = binom * f64::from(n - k) / (kf + 1.0);
    }
    sum / fact
}

/// The `q`-quantile of the Irwin–Hall distribution, by bisection (the CDF is monotone).
fn irwin_hall_quantile(n: u32, q: f64) -> f64 {
    let (mut lo, mut hi) = (0.0, f64::from(n));
    for _ in 0..60 {
        let mid = (lo + hi) / 2.0;
        if irwin_hall_cdf(n, mid) < q {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    (lo + hi) / 2.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::NetProfile;

    #[test]
    fn one_uniform_hop_is_its_own_quantile() {
        assert!((irwin_hall_quantile(1, 0.95) - 0.95).abs() < 1e-9);
        // Two hops: the triangle on [0, 2]; P(S <= 1) = 1/2.
        assert!((irwin_hall_cdf(2, 1.0) - 0.5).abs() < 1e-12);
        assert!(
            (irwin_hall_cdf(6, 3.0) - 0.5).abs() < 1e-12,
            "symmetric about n/2"
        );
    }

    /// Six localhost hops (1 ms + U(0, 1 ms) each): a mean of 9 ms and a p95 just above 10 ms,
    /// the floor under a cache PUT that invalidates copies.
    #[test]
    fn six_localhost_hops_have_a_p95_above_ten_ms() {
        let link = NetProfile::Localhost.link();
        let p95 = link.hops_quantile_ms(6, 0.95).unwrap();
        assert!((10.1..10.25).contains(&p95), "{p95}");
        let p50 = link.hops_quantile_ms(6, 0.5).unwrap();
        assert!((p50 - 9.0).abs() < 1e-6, "{p50}");
    }
}
