//! Simulation speed: a log-scale ladder from 1/1000× real time up to "max" (as many events as
//! fit in a frame's budget).

use syncsim_core::base::decimal::{Fixed, Short};

/// Speeds as multiples of real time, 1-2-5 per decade. The slider's last position is `Max`.
const LADDER: [f64; 16] = [
    0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0,
];

/// The slider's highest index (the `Max` position).
pub const MAX_INDEX: usize = LADDER.len();

/// Slow motion by default, so a student can follow an election (timeouts are 150–300 ms).
pub const DEFAULT_INDEX: usize = 6;

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Speed {
    /// Virtual seconds per wall-clock second.
    Ratio(f64),
    /// Run events for a fixed wall-clock budget per frame.
    Max,
}

impl Speed {
    pub fn from_index(index: usize) -> Speed {
        LADDER
            .get(index)
            .map_or(Speed::Max, |&ratio| Speed::Ratio(ratio))
    }

    /// A short label such as "1/1000×", "0.5×", "20×" or "max".
    pub fn label(self) -> String {
        match self {
            Speed::Max => "max".into(),
            Speed::Ratio(r) if r < 0.01 => format!("1/{}×", Fixed(1.0 / r, 0)),
            Speed::Ratio(r) => format!("{}×", Short(r, 3)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ladder_is_increasing_and_spans_five_decades() {
        assert!(LADDER.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(Speed::from_index(0), Speed::Ratio(0.001));
        assert_eq!(Speed::from_index(MAX_INDEX - 1), Speed::Ratio(100.0));
        assert_eq!(Speed::from_index(MAX_INDEX), Speed::Max);
        assert_eq!(Speed::from_index(DEFAULT_INDEX), Speed::Ratio(0.1));
    }

    #[test]
    fn labels_are_readable() {
        assert_eq!(Speed::from_index(0).label(), "1/1000×");
        assert_eq!(Speed::from_index(2).label(), "1/200×");
        assert_eq!(Speed::Ratio(0.5).label(), "0.5×");
        assert_eq!(Speed::Ratio(20.0).label(), "20×");
        assert_eq!(Speed::Max.label(), "max");
    }
}
