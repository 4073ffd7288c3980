//! Per-node clocks. The kernel runs on one global (true) time; each actor reads its own clock,
//! which may be offset from true time and run fast or slow (drift). `Ctx::now` is that local
//! reading, and timer durations are measured on it: a node whose clock runs 1 % slow fires a
//! 100 ms timer after about 101 ms of true time. Nothing here knows a protocol.
//!
//! A clock is a history of segments, one per `Action::SetClock`. Within a segment starting at
//! true time `from`, the reading is `t + offset + drift·(t − from)/10⁶`, but never below the
//! reading at `from` (the `floor`): a clock set back holds still until the new setting catches
//! up, so a local reading never decreases (protocols subtract readings; real systems measure
//! leases on a monotonic clock for the same reason). A node never set has the perfect clock,
//! and its fast path is one branch: zero skew is byte-identical to a kernel without clocks.
//!
//! A pending timer keeps the true time it was scheduled for when its node's clock is reset.

use serde::{Deserialize, Serialize};

use super::{SimError, Time, SEC};

/// Largest offset a clock may be given: an hour, either way.
pub const MAX_CLOCK_OFFSET_US: i64 = 3_600 * SEC as i64;
/// Largest drift: ±50 % (a clock running at half or one and a half speed is already absurd; the
/// bound keeps the rate positive, which the timer arithmetic needs).
pub const MAX_DRIFT_PPM: i64 = 500_000;

const PPM: i128 = 1_000_000;

/// How one node's clock departs from true time, from the moment it is set.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ClockModel {
    /// How far ahead of true time the clock reads when set (negative: behind), in µs.
    pub offset_us: i64,
    /// Rate error in parts per million: +100 gains 100 µs per second of true time.
    pub drift_ppm: i64,
}

impl ClockModel {
    pub const PERFECT: ClockModel = ClockModel {
        offset_us: 0,
        drift_ppm: 0,
    };

    pub fn validate(&self) -> Result<(), SimError> {
        if self.offset_us.abs() > MAX_CLOCK_OFFSET_US {
            return Err(SimError(format!(
                "clock offset {} ms is out of range (at most ±{} ms)",
                self.offset_us / 1_000,
                MAX_CLOCK_OFFSET_US / 1_000
            )));
        }
        if self.drift_ppm.abs() > MAX_DRIFT_PPM {
            return Err(SimError(format!(
                "clock drift {} ppm is out of range (at most ±{MAX_DRIFT_PPM} ppm)",
                self.drift_ppm
            )));
        }
        Ok(())
    }
}

/// A documented bound on the clocks of a run: every clock stays within `skew_us / 2` of true
/// time (so any two differ by at most `skew_us`), and runs at a rate within `1 ± drift_ppm`.
/// The kernel does not enforce it; a fuzzer draws clocks inside it, and a protocol may rely on
/// it (a lease client's safety margin) and a checker may model it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ClockBound {
    pub skew_us: Time,
    pub drift_ppm: u64,
}

impl ClockBound {
    /// Perfect clocks.
    pub const NONE: ClockBound = ClockBound {
        skew_us: 0,
        drift_ppm: 0,
    };
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Segment {
    from: Time,
    floor: Time,
    model: ClockModel,
}

impl Segment {
    /// `u + floor(drift·u / 10⁶)` for `u` µs of true time since `from`: how far the clock moved.
    fn advance(&self, u: i128) -> i128 {
        u + (self.model.drift_ppm as i128 * u).div_euclid(PPM)
    }

    fn read(&self, t: Time) -> Time {
        let raw = self.from as i128
            + self.model.offset_us as i128
            + self.advance(t as i128 - self.from as i128);
        clamp(raw).max(self.floor)
    }

    /// The earliest true time `t ≥ from` at which this segment's reading is at least `local`.
    fn reaches(&self, local: Time) -> Time {
        if self.floor >= local {
            return self.from;
        }
        // Solve advance(u) ≥ r; advance is non-decreasing with slope 1 + drift/10⁶ > 0.
        let r = local as i128 - self.from as i128 - self.model.offset_us as i128;
        if r <= 0 {
            return self.from;
        }
        let rate = PPM + self.model.drift_ppm as i128;
        let mut u = (r * PPM + rate - 1) / rate;
        while self.advance(u) < r {
            u += 1;
        }
        while u > 0 && self.advance(u - 1) >= r {
            u -= 1;
        }
        clamp(self.from as i128 + u)
    }
}

fn clamp(v: i128) -> Time {
    v.clamp(0, Time::MAX as i128) as Time
}

/// One node's clock: the segments set so far (empty: the perfect clock).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct NodeClock {
    segs: Vec<Segment>,
}

impl NodeClock {
    /// The reading at true time `t` (≥ the start of the current segment for the kernel's use;
    /// any `t` for views).
    #[inline]
    pub fn read(&self, t: Time) -> Time {
        match self.segs.last() {
            None => t,
            Some(s) if t >= s.from => s.read(t),
            Some(_) => self.read_past(t),
        }
    }

    fn read_past(&self, t: Time) -> Time {
        match self.segs.iter().rposition(|s| s.from <= t) {
            Some(i) => self.segs[i].read(t),
            None => t,
        }
    }

    /// The model in force now.
    pub fn model(&self) -> ClockModel {
        self.segs.last().map_or(ClockModel::PERFECT, |s| s.model)
    }

    /// Set the clock at true time `now` (validated by the caller).
    pub fn set(&mut self, now: Time, model: ClockModel) {
        // Two settings at one instant: the later replaces the earlier.
        if self.segs.last().is_some_and(|s| s.from == now) {
            self.segs.pop();
        }
        let floor = self.read(now);
        self.segs.push(Segment {
            from: now,
            floor,
            model,
        });
    }

    /// When a timer set at true time `at` for `after` µs of local time fires, in true time.
    #[inline]
    pub fn timer_at(&self, at: Time, after: Time) -> Time {
        match self.segs.last() {
            None => at.saturating_add(after),
            Some(s) => s.reaches(s.read(at).saturating_add(after)).max(at),
        }
    }

    /// The earliest true time at which the clock read `local` or more (for checkers that turn
    /// an actor's recorded readings back into true time). A reading taken while the clock stood
    /// still (a negative drift's rounding, a clock set back) maps to the start of that pause.
    pub fn real_time(&self, local: Time) -> Time {
        let Some(first) = self.segs.first() else {
            return local;
        };
        if local <= first.from {
            return local;
        }
        for (i, s) in self.segs.iter().enumerate() {
            let t = s.reaches(local);
            match self.segs.get(i + 1) {
                Some(next) if t >= next.from => continue,
                _ => return t,
            }
        }
        local
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::MS;

    fn clock(at: Time, offset_us: i64, drift_ppm: i64) -> NodeClock {
        let mut c = NodeClock::default();
        c.set(
            at,
            ClockModel {
                offset_us,
                drift_ppm,
            },
        );
        c
    }

    #[test]
    fn the_perfect_clock_is_true_time_also_when_set_explicitly() {
        let never = NodeClock::default();
        let set = clock(5 * MS, 0, 0);
        for t in [5 * MS, 7 * MS + 3, 10 * SEC] {
            assert_eq!(never.read(t), t);
            assert_eq!(set.read(t), t);
            assert_eq!(set.timer_at(t, 123), t + 123);
            assert_eq!(set.real_time(t), t);
        }
    }

    #[test]
    fn offset_and_drift_move_readings_and_stretch_timers() {
        // 50 ms ahead, 1 % fast, from t = 0.
        let c = clock(0, 50 * MS as i64, 10_000);
        assert_eq!(c.read(0), 50 * MS);
        assert_eq!(c.read(SEC), SEC + 50 * MS + 10 * MS);
        // 101 ms of local time at 1 % fast take 100 ms of true time.
        assert_eq!(c.timer_at(SEC, 101 * MS), SEC + 100 * MS);
        // 1 % slow: 99 ms of local time take 100 ms.
        let slow = clock(0, 0, -10_000);
        assert_eq!(slow.timer_at(SEC, 99 * MS), SEC + 100 * MS);
        assert_eq!(slow.real_time(slow.read(3 * SEC)), 3 * SEC);
    }

    #[test]
    fn a_clock_set_back_holds_still_and_never_decreases() {
        let mut c = clock(0, 100 * MS as i64, 0);
        assert_eq!(c.read(SEC), SEC + 100 * MS);
        c.set(SEC, ClockModel::PERFECT);
        // Holds at 1.1 s until true time catches up, then follows it.
        assert_eq!(c.read(SEC + 50 * MS), SEC + 100 * MS);
        assert_eq!(c.read(SEC + 200 * MS), SEC + 200 * MS);
        let mut last = 0;
        for t in (0..3 * SEC).step_by(7_919) {
            let r = c.read(t);
            assert!(r >= last, "reading went back at {t}");
            last = r;
        }
        // History stays readable: before the reset the clock was ahead.
        assert_eq!(c.read(500 * MS), 600 * MS);
        assert_eq!(c.real_time(600 * MS), 500 * MS);
        // A timer of 50 ms set during the pause fires when the reading reaches 1.15 s.
        assert_eq!(c.timer_at(SEC + 10 * MS, 50 * MS), SEC + 150 * MS);
    }

    #[test]
    fn real_time_inverts_readings_within_one_microsecond() {
        for drift in [-300_000, -10_000, -1, 0, 1, 777, 250_000] {
            let c = clock(2 * MS, -(20 * MS as i64), drift);
            for t in (100 * MS..5 * SEC).step_by(99_991) {
                let back = c.real_time(c.read(t));
                assert!(back <= t && t - back <= 1, "drift {drift}: {t} → {back}");
                let fire = c.timer_at(t, 10 * MS);
                assert!(c.read(fire) >= c.read(t) + 10 * MS);
                assert!(
                    c.read(fire - 1) < c.read(t) + 10 * MS,
                    "drift {drift}: late"
                );
            }
        }
    }

    #[test]
    fn out_of_range_models_are_refused_with_the_limit() {
        let far = ClockModel {
            offset_us: 2 * MAX_CLOCK_OFFSET_US,
            drift_ppm: 0,
        };
        assert!(far.validate().unwrap_err().0.contains("±3600000 ms"));
        let wild = ClockModel {
            offset_us: 0,
            drift_ppm: -600_000,
        };
        assert!(wild.validate().unwrap_err().0.contains("±500000 ppm"));
        assert!(ClockModel::PERFECT.validate().is_ok());
    }
}
