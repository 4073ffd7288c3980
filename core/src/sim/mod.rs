//! The discrete-event simulation kernel.
//!
//! Actors (server nodes and simulated clients) are sans-I/O state machines: the simulator feeds
//! them inputs (start, message, timer, external command, crash) and applies the effects they emit
//! (send, set/cancel timer, persist, note). Nothing else delivers anything.

pub mod actor;
pub mod rng;

pub use actor::*;
pub use rng::SimRng;
