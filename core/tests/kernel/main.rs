//! Kernel tests: determinism, the network model, faults, checkpoints/time travel and config
//! validation. `Probe` is a controllable test actor; `EchoNode` is the kernel's own tiny actor.

mod clocks;
mod determinism;
mod faults;
mod net;
mod probe;
mod timeline;
