//! The page's one clock: milliseconds from the browser's monotonic `performance.now()` (never
//! the wall-clock date, and never `std::time`, which panics on wasm32-unknown-unknown).

/// Milliseconds since the page started (0 outside a browser window).
pub fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}
