//! The open-loop workload option every benchmark shares (Maelstrom's and Jepsen's fixed arrival
//! rate, next to the closed-loop clients): the `offered-rates` parameter (offered loads in
//! ops/s over all clients, one run each) and the Poisson arrival schedule.
//!
//! A closed-loop client sends its next request when the previous one is answered, so a slow
//! system is offered less load and its latency hides the queueing; open-loop arrivals do not
//! wait, so latency against offered load shows where the system saturates (its knee). Empty
//! rates mean closed loop, and are left out of the JSON, so closed-loop results stay as they
//! were.

use super::params::{FieldError, ParamText};
use crate::base::math::ln_portable;
use crate::sim::{Time, SEC};

/// The parameter's key, with its help text (listed once for every service that takes it).
pub const KEYS: &[(&str, &str)] = &[(
    "offered-rates",
    "open-loop offered loads in ops/s over all clients, comma separated, one run each; `none` = closed-loop clients",
)];

/// At most this many offered loads in one suite.
pub const MAX_RATES: usize = 10;
/// The highest offered load, ops/s (far beyond what a 10-node cluster serves).
pub const MAX_RATE: f64 = 200_000.0;

/// Parse `offered-rates` into `rates` (`none` clears them).
pub fn set(rates: &mut Vec<f64>, t: &ParamText<'_>) -> Result<(), String> {
    if t.value.trim() == "none" {
        rates.clear();
        return Ok(());
    }
    *rates = t.float_list("ops/s, comma separated, or `none`")?;
    Ok(())
}

/// `rates` written the way [`set`] reads them back.
pub fn text(rates: &[f64]) -> String {
    if rates.is_empty() {
        return "none".to_string();
    }
    let v: Vec<String> = rates.iter().map(f64::to_string).collect();
    v.join(",")
}

pub fn validate(rates: &[f64], out: &mut Vec<FieldError>) {
    let mut bad = |message: String| {
        out.push(FieldError {
            field: Some(KEYS[0].0.to_string()),
            message,
        })
    };
    if rates.len() > MAX_RATES {
        bad(format!("give at most {MAX_RATES} rates"));
    } else if let Some(r) = rates.iter().find(|&&r| !(r > 0.0 && r <= MAX_RATE)) {
        bad(format!("{r} ops/s is outside (0, {MAX_RATE}]"));
    }
}

/// The offered loads as run variants: `[None]` (closed loop) when there are none.
pub fn axis(rates: &[f64]) -> Vec<Option<f64>> {
    if rates.is_empty() {
        vec![None]
    } else {
        rates.iter().copied().map(Some).collect()
    }
}

/// A run's label for an offered load ("1200 ops/s offered").
pub fn label(rate: f64) -> String {
    format!("{rate} ops/s offered")
}

/// The labels of the offered loads' runs; empty in closed loop (no variants).
pub fn labels(rates: &[f64]) -> Vec<String> {
    rates.iter().map(|&r| label(r)).collect()
}

/// Offered load number `i` of [`axis`], as what one run records (empty: closed loop).
pub fn narrow(rates: &[f64], i: usize) -> Vec<f64> {
    let axis = axis(rates);
    axis.get(i % axis.len())
        .copied()
        .flatten()
        .into_iter()
        .collect()
}

/// One client's mean arrival rate when `clients` share `rates` (already narrowed to one run):
/// `None` in closed loop.
pub fn per_client(rates: &[f64], clients: usize) -> Option<f64> {
    rates.first().map(|r| r / clients.max(1) as f64)
}

/// The gap to the next arrival of a Poisson stream of `rate_per_s` arrivals per simulated
/// second, from one uniform draw `u` in [0, 1): exponential, `-ln(1 - u) / rate`, at least
/// 1 µs. `ln_portable` keeps it bit-identical in the page and the CLI.
pub fn poisson_gap(u: f64, rate_per_s: f64) -> Time {
    let gap = -ln_portable(1.0 - u) / rate_per_s * SEC as f64;
    (gap.round() as Time).max(1)
}

/// Poisson arrival schedules for clients that a benchmark driver feeds from outside (the
/// queue's producers), on their own PRNG stream so the simulation's draws stay as they were.
#[derive(Clone, Debug)]
pub struct Schedules {
    rng: crate::base::SimRng,
    rate_per_s: f64,
    /// Each client's next arrival.
    next: Vec<Time>,
    /// Each client's arrivals so far, in order.
    arrived: Vec<Vec<Time>>,
}

impl Schedules {
    /// `clients` streams of `rate_per_s` each, starting at `from`.
    pub fn new(seed: u64, rate_per_s: f64, clients: usize, from: Time) -> Self {
        let mut rng = crate::base::SimRng::new(seed ^ 0x09e2_a11e_d10a_d5ed);
        let next = (0..clients)
            .map(|_| from + poisson_gap(rng.unit_f64(), rate_per_s))
            .collect();
        Schedules {
            rng,
            rate_per_s,
            next,
            arrived: vec![Vec::new(); clients],
        }
    }

    /// The earliest next arrival.
    pub fn next_time(&self) -> Option<Time> {
        self.next.iter().copied().min()
    }

    /// The clients with an arrival due by `now`, in client order (a client twice if two are
    /// due); each arrival is recorded and the client's next one drawn.
    pub fn due(&mut self, now: Time) -> Vec<usize> {
        let mut out = Vec::new();
        for k in 0..self.next.len() {
            while self.next[k] <= now {
                let at = self.next[k];
                self.arrived[k].push(at);
                self.next[k] = at + poisson_gap(self.rng.unit_f64(), self.rate_per_s);
                out.push(k);
            }
        }
        out
    }

    /// Client `k`'s arrivals so far, in order.
    pub fn arrived(&self, k: usize) -> &[Time] {
        self.arrived.get(k).map_or(&[], Vec::as_slice)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::SimRng;

    #[test]
    fn poisson_gaps_average_one_over_the_rate() {
        let mut rng = SimRng::new(3);
        let n = 20_000;
        let total: Time = (0..n).map(|_| poisson_gap(rng.unit_f64(), 500.0)).sum();
        let mean_ms = total as f64 / n as f64 / 1_000.0;
        assert!((1.9..2.1).contains(&mean_ms), "mean gap {mean_ms} ms");
        assert_eq!(poisson_gap(0.0, 1e9), 1, "never a zero gap");
    }

    #[test]
    fn schedules_hand_out_each_clients_arrivals_in_order() {
        let mut s = Schedules::new(1, 100.0, 3, 1_000);
        let mut count = [0usize; 3];
        while let Some(t) = s.next_time().filter(|&t| t < 10 * SEC + 1_000) {
            for k in s.due(t) {
                count[k] += 1;
            }
        }
        for (k, &n) in count.iter().enumerate() {
            assert!((850..1150).contains(&n), "client {k}: {n} arrivals in 10 s");
            assert_eq!(s.arrived(k).len(), n);
            assert!(s.arrived(k).windows(2).all(|w| w[0] < w[1]));
            assert!(s.arrived(k)[0] > 1_000);
        }
    }

    #[test]
    fn rates_parse_print_and_validate() {
        let t = |v| ParamText {
            key: "offered-rates",
            value: v,
        };
        let mut r = Vec::new();
        set(&mut r, &t("100, 2500.5")).unwrap();
        assert_eq!(r, [100.0, 2500.5]);
        assert_eq!(text(&r), "100,2500.5");
        assert_eq!(narrow(&r, 1), [2500.5]);
        assert!(set(&mut r, &t("fast"))
            .unwrap_err()
            .contains("offered-rates"));
        set(&mut r, &t("none")).unwrap();
        assert!(r.is_empty() && narrow(&r, 0).is_empty());
        assert_eq!(text(&r), "none");
        let mut out = Vec::new();
        validate(&[0.0], &mut out);
        validate(&[1.0; MAX_RATES + 1], &mut out);
        assert_eq!(out.len(), 2);
        assert!(out
            .iter()
            .all(|e| e.field.as_deref() == Some("offered-rates")));
    }
}
