//! The distributed queue on consistent hashing (issue 12; REFERENCES §2, §4).
//!
//! Files, by concern:
//! - `placement.rs`: the fixed partitions of the hash space and their placement on the ring.
//! - `view.rs`: what the Queue tab draws, and the pure ring-quality function.

pub mod lines;
pub mod placement;
pub mod view;

pub use placement::{partition_of, PARTITIONS, REPLICAS, VNODES};
pub use view::*;
