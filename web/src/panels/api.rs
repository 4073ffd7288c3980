//! Sending console requests lives in the core (`Playground::send`, `Playground::exchange`), and
//! so does building the locks form's request lines (`lock::api::acquire_line`/`release_line`):
//! the UI only renders what they return. `Sent` is re-exported for the shell's state.

pub use syncsim_core::playground::Sent;
