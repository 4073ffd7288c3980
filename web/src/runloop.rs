//! Drives the simulation while "play" is on: every frame, advance virtual time by the wall-clock
//! time elapsed multiplied by the speed, or (at max speed) run events for a fixed budget.

use std::cell::RefCell;
use std::rc::Rc;

use gloo_timers::callback::Interval;
use syncsim_core::playground::Playground;
use syncsim_core::sim::Time;

use crate::speed::Speed;

/// About 60 frames a second.
const FRAME_MS: u32 = 16;
/// A tab in the background gets few frames; never jump more than this much wall time at once.
const MAX_FRAME_GAP_MS: f64 = 100.0;
/// Wall-clock budget per frame at max speed, leaving time to render.
const MAX_SPEED_BUDGET_MS: f64 = 8.0;
/// Events between two clock reads at max speed (reading the clock costs more than a step).
const STEPS_PER_CLOCK_READ: usize = 64;

/// Milliseconds from the browser's monotonic clock (never the wall-clock date).
fn wall_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

/// Converts elapsed wall time to virtual microseconds, carrying the fraction to the next frame
/// so that slow speeds (1/1000×) still advance exactly on average.
pub fn virtual_delta(wall_ms: f64, ratio: f64, carry: &mut f64) -> Time {
    let exact = wall_ms * 1_000.0 * ratio + *carry;
    let whole = exact.floor().max(0.0);
    *carry = exact - whole;
    whole as Time
}

/// Starts the loop; dropping the returned handle stops it.
pub fn start(
    playground: Rc<RefCell<Playground>>,
    speed: Speed,
    redraw: impl Fn() + 'static,
) -> Interval {
    let mut last = wall_ms();
    let mut carry = 0.0;
    Interval::new(FRAME_MS, move || {
        let now = wall_ms();
        let elapsed = (now - last).clamp(0.0, MAX_FRAME_GAP_MS);
        last = now;
        {
            let mut pg = playground.borrow_mut();
            match speed {
                Speed::Ratio(ratio) => pg.advance(virtual_delta(elapsed, ratio, &mut carry)),
                Speed::Max => {
                    while wall_ms() - now < MAX_SPEED_BUDGET_MS {
                        for _ in 0..STEPS_PER_CLOCK_READ {
                            pg.step();
                        }
                    }
                }
            }
        }
        redraw();
    })
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
