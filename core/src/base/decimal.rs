//! Unsigned integers as decimal text, without `format!`. Why (issue 14): the queue writes a
//! message id ("p3-17") for every answer a client reads and a message head for every body the
//! benchmark checks; through `format!` (the `fmt` machinery, a `String` grown piecewise) that
//! was 5 % of a queue benchmark.

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

#[cfg(test)]
mod tests {
    use super::*;

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
