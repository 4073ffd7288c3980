//! Where things go on the drawn ring: a ring position is a fraction of the hash space
//! (0 = top, growing clockwise, as hash-ring diagrams are usually read), turned into SVG
//! coordinates around a centre. Pure functions, so the drawing can be unit-tested natively.

use syncsim_core::base::decimal::{Fixed, Short};

/// The drawing's centre and radius (the SVG viewBox is `0 0 SIZE SIZE`).
pub const SIZE: f64 = 320.0;
pub const CENTRE: f64 = SIZE / 2.0;
pub const RADIUS: f64 = 118.0;

/// The point at ring fraction `frac` (0..1) at distance `r` from the centre.
pub fn point(frac: f64, r: f64) -> (f64, f64) {
    let (cos, sin) = crate::cluster::cos_sin(std::f64::consts::TAU * frac);
    (CENTRE + r * sin, CENTRE - r * cos)
}

/// An annular sector from `start` to `end` (fractions, clockwise; `end < start` wraps past the
/// top), between radii `r_in` and `r_out`, as an SVG path. A sector of the whole ring is drawn
/// as two halves, since one SVG arc cannot end where it starts.
pub fn sector(start: f64, end: f64, r_in: f64, r_out: f64) -> String {
    let mut span = end - start;
    if span <= 0.0 {
        span += 1.0;
    }
    if span >= 0.999_999 {
        return format!(
            "{} {}",
            sector(start, start + 0.5, r_in, r_out),
            sector(start + 0.5, start + 1.0, r_in, r_out)
        );
    }
    let large = if span > 0.5 { 1 } else { 0 };
    let (x0, y0) = point(start, r_out);
    let (x1, y1) = point(start + span, r_out);
    let (x2, y2) = point(start + span, r_in);
    let (x3, y3) = point(start, r_in);
    format!(
        "M {x0} {y0} A {r_out} {r_out} 0 {large} 1 {x1} {y1} \
         L {x2} {y2} A {r_in} {r_in} 0 {large} 0 {x3} {y3} Z",
        r_out = Short(r_out, 2),
        r_in = Short(r_in, 2),
        x0 = Fixed(x0, 2),
        y0 = Fixed(y0, 2),
        x1 = Fixed(x1, 2),
        y1 = Fixed(y1, 2),
        x2 = Fixed(x2, 2),
        y2 = Fixed(y2, 2),
        x3 = Fixed(x3, 2),
        y3 = Fixed(y3, 2)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: (f64, f64), b: (f64, f64)) -> bool {
        (a.0 - b.0).abs() < 1e-9 && (a.1 - b.1).abs() < 1e-9
    }

    #[test]
    fn zero_is_at_the_top_and_a_quarter_is_to_the_right() {
        assert!(close(point(0.0, 100.0), (CENTRE, CENTRE - 100.0)));
        assert!(close(point(0.25, 100.0), (CENTRE + 100.0, CENTRE)));
        assert!(close(point(0.5, 100.0), (CENTRE, CENTRE + 100.0)));
    }

    #[test]
    fn sectors_pick_the_large_arc_flag_and_wrap_past_the_top() {
        assert!(sector(0.1, 0.2, 80.0, 100.0).contains(" 0 0 1 "));
        assert!(sector(0.1, 0.8, 80.0, 100.0).contains(" 0 1 1 "));
        // 0.9 → 0.1 wraps: a span of 0.2, not 0.8.
        assert!(sector(0.9, 0.1, 80.0, 100.0).contains(" 0 0 1 "));
        // The whole ring is two half sectors.
        assert_eq!(sector(0.3, 0.3, 80.0, 100.0).matches('M').count(), 2);
    }
}
