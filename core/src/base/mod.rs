//! What every other module builds on, and nothing in it knows about them: virtual time, the one
//! seeded PRNG and the one stable hasher. Keeping these here (rather than in `sim`) is what lets
//! `net` and `sim` depend on `base` without depending on each other.

pub mod decimal;
pub mod fifo;
pub mod float;
pub mod hash;
pub mod json_read;
pub mod json_text;
pub mod math;
pub mod rng;
pub mod sort;
pub mod sorted;
pub mod strindex;
pub mod strmap;
pub mod text;
pub mod time;

pub use hash::StableHasher;
pub use rng::SimRng;
pub use time::{Time, MS, SEC};
