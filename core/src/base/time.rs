//! Virtual time. The core never reads a wall clock: every timestamp is simulated microseconds.

/// Virtual time in microseconds since the start of the run.
pub type Time = u64;
/// Microseconds per millisecond and per second, for readable constants.
pub const MS: Time = 1_000;
pub const SEC: Time = 1_000_000;
