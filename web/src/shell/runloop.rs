//! Drives the simulation while "play" is on: on every animation frame, advance virtual time by
//! the wall-clock time elapsed multiplied by the speed, or (at max speed) run events for a fixed
//! budget, then redraw once. requestAnimationFrame keeps drawing in step with the screen.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use syncsim_core::playground::Playground;
use syncsim_core::sim::Time;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

use super::clock::now_ms;
use super::speed::Speed;

/// A tab in the background gets few frames; never jump more than this much wall time at once.
const MAX_FRAME_GAP_MS: f64 = 100.0;
/// Wall-clock budget per frame at max speed, leaving time to render.
const MAX_SPEED_BUDGET_MS: f64 = 8.0;
/// Events between two clock reads at max speed (reading the clock costs more than a step).
const STEPS_PER_CLOCK_READ: usize = 64;

/// Converts elapsed wall time to virtual microseconds, carrying the fraction to the next frame
/// so that slow speeds (1/1000×) still advance exactly on average.
pub fn virtual_delta(wall_ms: f64, ratio: f64, carry: &mut f64) -> Time {
    let exact = wall_ms * 1_000.0 * ratio + *carry;
    let whole = exact.floor().max(0.0);
    *carry = exact - whole;
    whole as Time
}

type FrameCallback = Closure<dyn FnMut(f64)>;

/// The running loop; dropping it stops it.
pub struct RunLoop {
    alive: Rc<Cell<bool>>,
    running: Rc<Cell<bool>>,
    request: Rc<Cell<i32>>,
    callback: Rc<RefCell<Option<FrameCallback>>>,
}

impl Drop for RunLoop {
    fn drop(&mut self) {
        self.alive.set(false);
        if let Some(w) = web_sys::window() {
            // Cancelling a frame that already ran is harmless.
            let _ = w.cancel_animation_frame(self.request.get());
        }
        // Free the callback (it refers to itself) unless it is the one running right now.
        if !self.running.get() {
            self.callback.borrow_mut().take();
        }
    }
}

fn request_frame(callback: &Rc<RefCell<Option<FrameCallback>>>) -> i32 {
    let Some(window) = web_sys::window() else {
        return 0;
    };
    callback.borrow().as_ref().map_or(0, |cb| {
        window
            .request_animation_frame(cb.as_ref().unchecked_ref())
            .unwrap_or(0)
    })
}

/// Starts the loop; dropping the returned handle stops it.
/// Plays `playground` at `speed`, calling `redraw` after every frame. With `stop_at`, playing
/// ends exactly at that virtual time (a tour step being watched again): `on_stop` is called
/// and no further frame is requested.
pub fn start(
    playground: Rc<RefCell<Playground>>,
    speed: Speed,
    stop_at: Option<Time>,
    redraw: impl Fn() + 'static,
    on_stop: impl Fn() + 'static,
) -> RunLoop {
    let alive = Rc::new(Cell::new(true));
    let running = Rc::new(Cell::new(false));
    let request = Rc::new(Cell::new(0));
    let callback: Rc<RefCell<Option<FrameCallback>>> = Rc::new(RefCell::new(None));
    let mut last: Option<f64> = None;
    let mut carry = 0.0;
    let (alive2, running2, request2, callback2) = (
        alive.clone(),
        running.clone(),
        request.clone(),
        callback.clone(),
    );
    *callback.borrow_mut() = Some(Closure::new(move |stamp: f64| {
        if !alive2.get() {
            return;
        }
        running2.set(true);
        let elapsed = last.map_or(0.0, |l| (stamp - l).clamp(0.0, MAX_FRAME_GAP_MS));
        last = Some(stamp);
        let reached = {
            let mut pg = playground.borrow_mut();
            let left = |pg: &Playground| stop_at.map_or(Time::MAX, |t| t.saturating_sub(pg.now()));
            match speed {
                Speed::Ratio(ratio) => {
                    let dt = virtual_delta(elapsed, ratio, &mut carry);
                    let dt = dt.min(left(&pg));
                    pg.advance(dt);
                }
                Speed::Max => {
                    let start = now_ms();
                    'budget: while now_ms() - start < MAX_SPEED_BUDGET_MS {
                        for _ in 0..STEPS_PER_CLOCK_READ {
                            if left(&pg) == 0 {
                                break 'budget;
                            }
                            pg.step();
                        }
                    }
                }
            }
            left(&pg) == 0
        };
        redraw();
        if reached {
            on_stop();
        } else if alive2.get() {
            request2.set(request_frame(&callback2));
        }
        running2.set(false);
    }));
    request.set(request_frame(&callback));
    RunLoop {
        alive,
        running,
        request,
        callback,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_time_maps_milliseconds_to_microseconds() {
        let mut carry = 0.0;
        assert_eq!(virtual_delta(16.0, 1.0, &mut carry), 16_000);
        assert_eq!(carry, 0.0);
    }

    #[test]
    fn slow_motion_carries_fractions_instead_of_losing_them() {
        let mut carry = 0.0;
        let total: Time = (0..1000)
            .map(|_| virtual_delta(16.0, 0.001, &mut carry))
            .sum();
        // 1000 frames × 16 ms × 1/1000 = 16 ms of virtual time.
        assert!((15_999..=16_000).contains(&total), "{total}");
    }
}
