//! Numbers as decimal text without the standard library's machinery.
//!
//! - Unsigned integers ([`digits`], [`push`]). Why (issue 14): the queue writes a message id
//!   ("p3-17") for every answer a client reads and a message head for every body the benchmark
//!   checks; through `format!` (the `fmt` machinery, a `String` grown piecewise) that was 5 % of
//!   a queue benchmark.
//! - Doubles with a fixed number of decimals ([`Fixed`]), for every figure the page shows. Why
//!   (issue 10): the standard library's float formatting (Grisu and Dragon, with their tables)
//!   is about 6 KB of the page's gzipped `.wasm` (docs/size.md), and the page only ever shows a
//!   figure to a few decimals.

use std::fmt;

/// The digits of `v`, written at the end of `buf` (20 bytes hold any `u64`).
pub fn digits(v: u64, buf: &mut [u8; 20]) -> &[u8] {
    let mut at = buf.len();
    let mut v = v;
    loop {
        at -= 1;
        buf[at] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            return &buf[at..];
        }
    }
}

/// Append the digits of `v` to `out`.
pub fn push(out: &mut String, v: u64) {
    let mut buf = [0; 20];
    let d = digits(v, &mut buf);
    // Digits are ASCII.
    out.push_str(std::str::from_utf8(d).unwrap_or_default());
}

/// `Fixed(x, places)` displays as `format!("{x:.places$}")` does, for any `places` up to 9.
/// The digits come from `x · 10^places` rounded half to even, so only a value within rounding
/// error of a tie may come out one unit in the last place apart from the standard library's,
/// which rounds the exact binary value. A width in the
/// format string pads it (`{:>6}`); a precision must not be given there.
#[derive(Clone, Copy, Debug)]
pub struct Fixed(pub f64, pub u32);

impl fmt::Display for Fixed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Fixed(x, places) = *self;
        let places = places.min(9);
        if x.is_nan() {
            return f.pad("NaN");
        }
        let mut out = String::new();
        if x.is_sign_negative() {
            out.push('-');
        }
        let a = x.abs();
        if a.is_infinite() {
            out.push_str("inf");
            return f.pad(&out);
        }
        let unit = 10u128.pow(places);
        // Rounded half to even, as the standard library rounds an exact tie (42.5 → "42").
        // `as` saturates: values past u128 (above 3.4e38) print as its maximum, never panic.
        let scaled = a * unit as f64;
        let floor = scaled.floor();
        let n = floor as u128;
        let up = scaled - floor > 0.5 || (scaled - floor == 0.5 && n % 2 == 1);
        let n = n.saturating_add(u128::from(up));
        push_u128(&mut out, n / unit);
        if places > 0 {
            out.push('.');
            // The fraction's digits, zero-padded on the left to `places` (it is below 10^9).
            let mut buf = [0; 20];
            let digits = digits((n % unit) as u64, &mut buf);
            for _ in digits.len()..places as usize {
                out.push('0');
            }
            out.push_str(std::str::from_utf8(digits).unwrap_or_default());
        }
        f.pad(&out)
    }
}

/// `Short(x, places)` displays as `format!("{x}")` does for a value with at most `places`
/// decimals (a rate like 0.05, a radius like 44): [`Fixed`] without its trailing zeros (and
/// without a trailing point). A value with more decimals is rounded to `places`.
#[derive(Clone, Copy, Debug)]
pub struct Short(pub f64, pub u32);

impl fmt::Display for Short {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = Fixed(self.0, self.1).to_string();
        let text = if text.contains('.') {
            text.trim_end_matches('0').trim_end_matches('.')
        } else {
            &text
        };
        f.pad(text)
    }
}

fn push_u128(out: &mut String, v: u128) {
    match u64::try_from(v) {
        Ok(v) => push(out, v),
        Err(_) => {
            const E19: u128 = 10_000_000_000_000_000_000;
            push_u128(out, v / E19);
            let mut low = String::new();
            push(&mut low, (v % E19) as u64);
            for _ in low.len()..19 {
                out.push('0');
            }
            out.push_str(&low);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the standard library writes, except within rounding error of a tie.
    #[test]
    fn fixed_writes_what_the_standard_library_writes() {
        let mut rng = crate::base::SimRng::new(9);
        let mut cases = vec![
            0.0,
            -0.0,
            0.5,
            1.0,
            9.96,
            99.95,
            1e15,
            123_456.789,
            f64::MIN_POSITIVE,
            1e30,
            4e38,
            f64::MAX,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
            -3.25159,
            0.049,
            2.0 / 3.0,
        ];
        for i in 0..20_000 {
            let magnitude = 10f64.powi(i % 12 - 4);
            let v = (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64 * magnitude;
            cases.push(if i % 3 == 0 { -v } else { v });
        }
        for x in cases {
            for places in 0..=4u32 {
                let ours = Fixed(x, places).to_string();
                let std = format!("{x:.p$}", p = places as usize);
                let scaled = x.abs() * 10f64.powi(places as i32);
                let near_tie = ((scaled - scaled.floor()) - 0.5).abs() < 1e-6 * scaled.max(1.0);
                if x.abs() < 1e20 && !near_tie {
                    assert_eq!(ours, std, "{x} to {places} places");
                }
            }
        }
        assert_eq!(format!("[{:>7}]", Fixed(-2.5, 1)), "[   -2.5]");
        assert_eq!(Fixed(f64::NAN, 2).to_string(), "NaN");
        assert_eq!(Fixed(f64::NEG_INFINITY, 2).to_string(), "-inf");
        assert_eq!(Fixed(1e30, 0).to_string(), format!("{:.0}", 1e30));
        // Exact ties, as the standard library rounds them.
        for x in [42.5, 43.5, 0.125, 0.375, 2.5, -2.5] {
            assert_eq!(Fixed(x, 0).to_string(), format!("{x:.0}"));
            assert_eq!(Fixed(x, 2).to_string(), format!("{x:.2}"));
        }
    }

    #[test]
    fn short_writes_what_display_writes_for_values_with_few_decimals() {
        for x in [
            0.0, 1.0, 44.0, 0.05, 0.1, 0.25, 2.5, 1000.0, -3.5, 0.001, 12.34,
        ] {
            assert_eq!(Short(x, 4).to_string(), format!("{x}"), "{x}");
        }
        assert_eq!(Short(2.0 / 3.0, 3).to_string(), "0.667");
        assert_eq!(Short(f64::NAN, 3).to_string(), "NaN");
    }

    #[test]
    fn writes_what_display_writes() {
        let mut rng = crate::base::SimRng::new(5);
        let mut cases = vec![0, 1, 9, 10, 99, 100, u64::MAX, u64::MAX / 10];
        cases.extend((0..2000).map(|i| rng.next_u64() >> (i % 64)));
        for v in cases {
            let mut s = String::from("x");
            push(&mut s, v);
            assert_eq!(s, format!("x{v}"));
        }
    }
}
