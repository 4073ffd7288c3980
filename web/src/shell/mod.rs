//! The shell: the root component and everything page-level around the cluster and the panels:
//! the control bar, the run loop and its speed, the time bar, the status strip, URL parameters
//! and share links, keyboard shortcuts and help, the panic banner, downloads.

pub mod app;
pub mod clock;
pub mod controls;
pub mod download;
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
pub mod zip;
