//! A shared handle on the one `Playground` the page owns. Panels read from it while rendering;
//! the app (and the console) write to it in event handlers, then ask for a redraw.

use std::cell::RefCell;
use std::rc::Rc;

use syncsim_core::playground::Playground;

#[derive(Clone)]
pub struct PgHandle(pub Rc<RefCell<Playground>>);

/// Handles compare by identity: panels re-render when their `version` prop changes, not when
/// the playground's contents are compared (that would cost more than rendering).
impl PartialEq for PgHandle {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl PgHandle {
    pub fn borrow(&self) -> std::cell::Ref<'_, Playground> {
        self.0.borrow()
    }
    pub fn borrow_mut(&self) -> std::cell::RefMut<'_, Playground> {
        self.0.borrow_mut()
    }
}
