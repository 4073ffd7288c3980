//! Transcendental functions built only from IEEE-exact operations (+, -, ×, ÷ and bit
//! manipulation). `f64::ln` and `f64::exp` call the platform's libm, which may differ in the last
//! bit between native and WebAssembly builds; anything that can reach behaviour (latency samples,
//! failure-detector suspicion) must use these, or "same seed, same trace" breaks across them.

/// Natural logarithm.
pub fn ln_portable(x: f64) -> f64 {
    if x.is_nan() || x <= 0.0 {
        return f64::NEG_INFINITY;
    }
    // Scale subnormals into the normal range first.
    let (x, extra_exp) = if x < f64::MIN_POSITIVE {
        (x * (1u64 << 54) as f64, -54i64)
    } else {
        (x, 0)
    };
    let bits = x.to_bits();
    let mut exp = ((bits >> 52) & 0x7ff) as i64 - 1023 + extra_exp;
    // Mantissa in [1, 2); move it to [sqrt(1/2), sqrt(2)) so the series converges fast.
    let mut m = f64::from_bits((bits & 0x000f_ffff_ffff_ffff) | 0x3ff0_0000_0000_0000);
    if m > std::f64::consts::SQRT_2 {
        m *= 0.5;
        exp += 1;
    }
    // ln(m) = 2·atanh(s), s = (m-1)/(m+1), |s| < 0.172: 12 odd terms reach double precision.
    let s = (m - 1.0) / (m + 1.0);
    let s2 = s * s;
    let mut term = s;
    let mut sum = 0.0;
    let mut k = 1.0;
    for _ in 0..12 {
        sum += term / k;
        term *= s2;
        k += 2.0;
    }
    2.0 * sum + exp as f64 * std::f64::consts::LN_2
}

/// `e^x`: `x = k·ln2 + r` with `|r| <= ln2/2`, then a Taylor series for `e^r` (converged to
/// double precision in 18 terms) scaled by `2^k` through the exponent bits.
pub fn exp_portable(x: f64) -> f64 {
    if x.is_nan() {
        return f64::NAN;
    }
    if x > 709.0 {
        return f64::INFINITY;
    }
    if x < -745.0 {
        return 0.0;
    }
    let k = (x / std::f64::consts::LN_2 + if x < 0.0 { -0.5 } else { 0.5 }) as i64;
    let r = x - k as f64 * std::f64::consts::LN_2;
    let mut term = 1.0;
    let mut sum = 1.0;
    for i in 1..=18 {
        term = term * r / i as f64;
        sum += term;
    }
    // 2^k, split in two factors so that neither under- nor overflows on its own.
    let half = k / 2;
    sum * pow2(half) * pow2(k - half)
}

fn pow2(k: i64) -> f64 {
    f64::from_bits(((k + 1023).clamp(1, 2046) as u64) << 52)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ln_portable_matches_std_closely() {
        for &x in &[
            1e-300, 1e-10, 0.001, 0.3, 0.5, 0.9, 1.0, 1.5, 2.0, 10.0, 1e10,
        ] {
            let want = f64::ln(x);
            let got = ln_portable(x);
            assert!(
                (got - want).abs() <= 1e-12 * want.abs().max(1.0),
                "ln({x}): {got} vs {want}"
            );
        }
        assert_eq!(ln_portable(0.0), f64::NEG_INFINITY);
    }

    #[test]
    fn exp_portable_matches_std_closely() {
        for &x in &[
            -700.0, -30.0, -2.5, -1.0, -1e-9, 0.0, 0.3, 1.0, 2.0, 10.0, 300.0,
        ] {
            let want = f64::exp(x);
            let got = exp_portable(x);
            assert!(
                (got - want).abs() <= 1e-13 * want.abs(),
                "exp({x}): {got} vs {want}"
            );
        }
        assert_eq!(exp_portable(1000.0), f64::INFINITY);
        assert_eq!(exp_portable(-1000.0), 0.0);
    }
}
