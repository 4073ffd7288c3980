//! What syncsim's two browser modules share. The page (`web/`) and the Benchmarks tab
//! (`benchtab/`, a second `.wasm` the page loads when the tab first opens) are separate
//! programs with separate memories, so a helper both need lives here once rather than in
//! each: display-only markup as text, the monotonic clock, the panic banner and the plumbing
//! of the lab's Web Workers.

pub mod clock;
pub mod lab;
pub mod markup;
pub mod panic;
