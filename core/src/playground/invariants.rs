//! Live invariant lights: every service's point-in-time checks of the current state (the
//! randomized tests check the same properties after every event).

use super::actions::InvariantView;
use super::Playground;

impl Playground {
    pub fn invariants(&self) -> Vec<InvariantView> {
        self.with_world(|w| {
            self.services()
                .iter()
                .flat_map(|s| s.invariants(w))
                .collect()
        })
    }
}
