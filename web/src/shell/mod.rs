//! The shell: the root component and everything page-level around the cluster and the panels:
//! the control bar, the run loop and its speed, the time bar, the status strip, URL parameters
//! and share links, keyboard shortcuts and help, the panic banner, the lab worker for checks.

pub mod app;
pub mod checks;
pub mod controls;
pub mod handle;
pub mod help;
pub mod keyboard;
pub mod panic;
pub mod runloop;
pub mod share;
pub mod side_panel;
pub mod speed;
pub mod state;
pub mod status;
pub mod teach;
pub mod timebar;
pub mod url;

// The clock is shared with the Benchmarks tab's module (`benchtab/`).
pub use syncsim_uikit::clock;
