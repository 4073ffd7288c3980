//! Decimal text to `f64`, correctly rounded: the same results as `str::parse::<f64>` for every
//! input (tested against it), in a few hundred bytes of WebAssembly. The standard parser carries
//! a 10 KB table of powers of five (Eisel-Lemire) that does not compress, which cost the page
//! about 14 KB gzipped; speed does not matter for the few numbers a form parses.
//!
//! Method: the digits `D` and decimal exponent `e` give the exact rational `D·10^e = N / M`;
//! one big-integer division yields 66 or 67 leading bits of it plus a sticky bit, which are
//! rounded half to even at the precision of the result (53 bits, fewer for subnormals).

/// `s.parse::<f64>().ok()`: an optional sign, then `inf`, `infinity` or `nan` (any case), or
/// digits with an optional `.` and an optional exponent (`e`/`E`, optional sign, digits).
pub fn parse_f64(s: &str) -> Option<f64> {
    let s = s.as_bytes();
    let (negative, s) = match s.first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let magnitude = match parse_decimal(s) {
        Some((digits, exp)) => decimal_to_f64(&digits, exp),
        None if s.eq_ignore_ascii_case(b"inf") || s.eq_ignore_ascii_case(b"infinity") => {
            f64::INFINITY
        }
        None if s.eq_ignore_ascii_case(b"nan") => f64::NAN,
        None => return None,
    };
    Some(if negative { -magnitude } else { magnitude })
}

/// The significant digits (no leading or trailing zeros, values 0..=9) and the exponent `e` of
/// `digits · 10^e`, or `None` if `s` is not a decimal number.
fn parse_decimal(s: &[u8]) -> Option<(Vec<u8>, i64)> {
    let mut digits = Vec::new();
    let mut exp: i64 = 0;
    let mut seen_digit = false;
    let mut i = 0;
    let mut after_point = false;
    while i < s.len() {
        match s[i] {
            c @ b'0'..=b'9' => {
                seen_digit = true;
                if !(digits.is_empty() && c == b'0') {
                    digits.push(c - b'0');
                }
                if after_point {
                    exp -= 1;
                }
            }
            b'.' if !after_point => after_point = true,
            _ => break,
        }
        i += 1;
    }
    if !seen_digit {
        return None;
    }
    if i < s.len() {
        if !matches!(s[i], b'e' | b'E') {
            return None;
        }
        i += 1;
        let negative = match s.get(i) {
            Some(b'-') => {
                i += 1;
                true
            }
            Some(b'+') => {
                i += 1;
                false
            }
            _ => false,
        };
        if i == s.len() {
            return None;
        }
        // Saturates like the standard parser (which stops growing the exponent at 0x10000).
        let mut e: i64 = 0;
        for &c in &s[i..] {
            if !c.is_ascii_digit() {
                return None;
            }
            if e < 0x10000 {
                e = 10 * e + i64::from(c - b'0');
            }
        }
        exp += if negative { -e } else { e };
    }
    // Leading zeros were never pushed; a fractional leading zero still moved the exponent,
    // which is right: 0.05 is 5 · 10^-2.
    while digits.last() == Some(&0) {
        digits.pop();
        exp += 1;
    }
    // Beyond 800 digits only "is the rest zero?" matters (a value halfway between two doubles has
    // at most 767 significant digits), and the last digit is not zero: keep 800 digits and a 1.
    if digits.len() > 800 {
        exp += digits.len() as i64 - 801;
        digits.truncate(800);
        digits.push(1);
    }
    Some((digits, exp))
}

/// `digits · 10^exp` rounded to the nearest `f64` (ties to even), for `digits` as returned by
/// [`parse_decimal`].
fn decimal_to_f64(digits: &[u8], exp: i64) -> f64 {
    if digits.is_empty() {
        return 0.0;
    }
    let n = digits.len() as i64;
    // value >= 10^(n-1+exp): at least 1e309, above f64::MAX.
    if n - 1 + exp >= 309 {
        return f64::INFINITY;
    }
    // value < 10^(n+exp) <= 1e-325, below half the smallest subnormal (2^-1075 ~ 2.5e-324).
    if n + exp <= -325 {
        return 0.0;
    }
    let mut num = Big::from_digits(digits);
    let mut den = Big(vec![1]);
    if exp >= 0 {
        num.mul_pow10(exp as u32);
    } else {
        den.mul_pow10((-exp) as u32);
    }
    // Scale so that the quotient q = num·2^shift / den lies in [2^65, 2^67).
    let shift = 66 - (num.bits() as i64 - den.bits() as i64);
    if shift >= 0 {
        num.shl(shift as u32);
    } else {
        den.shl((-shift) as u32);
    }
    den.shl(66);
    let mut q: u128 = 0;
    for bit in (0..=66).rev() {
        if num.ge(&den) {
            num.sub(&den);
            q |= 1 << bit;
        }
        den.shr1();
    }
    let sticky = !num.is_zero();
    // value = (q + fraction) · 2^-shift, with q of k bits: its binary exponent is k - 1 - shift.
    let k = 128 - i64::from(q.leading_zeros());
    let e2 = k - 1 - shift;
    if e2 > 1023 {
        return f64::INFINITY;
    }
    // Bits kept: 53 for normal numbers, fewer below 2^-1022 (possibly none).
    let keep = (e2 + 1075).min(53);
    let drop = (k - keep) as u32; // >= 14, and <= 72 given the early exits above
    let mut m = q >> drop;
    let rest = q & ((1u128 << drop) - 1);
    let half = 1u128 << (drop - 1);
    if rest > half || (rest == half && (sticky || m & 1 == 1)) {
        m += 1;
    }
    // m · 2^(drop - shift) is exact unless it overflows (then infinity, the right rounding).
    (m as f64) * pow2(drop as i64 - shift)
}

/// 2^e for -1074 <= e <= 1023, exactly.
fn pow2(e: i64) -> f64 {
    if e >= -1022 {
        f64::from_bits(((e + 1023) as u64) << 52)
    } else {
        f64::from_bits(1u64 << (e + 1074))
    }
}

/// A non-negative big integer: little-endian 32-bit limbs, no trailing zero limbs except for 0.
struct Big(Vec<u32>);

impl Big {
    fn from_digits(digits: &[u8]) -> Big {
        let mut b = Big(vec![0]);
        for chunk in digits.chunks(9) {
            let v = chunk.iter().fold(0u32, |v, &d| v * 10 + u32::from(d));
            b.mul_add(10u32.pow(chunk.len() as u32), v);
        }
        b
    }

    /// self = self · m + a.
    fn mul_add(&mut self, m: u32, a: u32) {
        let mut carry = u64::from(a);
        for limb in &mut self.0 {
            let v = u64::from(*limb) * u64::from(m) + carry;
            *limb = v as u32;
            carry = v >> 32;
        }
        if carry > 0 {
            self.0.push(carry as u32);
        }
    }

    fn mul_pow10(&mut self, mut e: u32) {
        while e > 0 {
            let step = e.min(9);
            self.mul_add(10u32.pow(step), 0);
            e -= step;
        }
    }

    fn bits(&self) -> u32 {
        let top = self.0.len() as u32 - 1;
        top * 32 + (32 - self.0[top as usize].leading_zeros())
    }

    fn shl(&mut self, n: u32) {
        let (limbs, bits) = ((n / 32) as usize, n % 32);
        if bits > 0 {
            let mut carry = 0;
            for limb in &mut self.0 {
                let v = (*limb << bits) | carry;
                carry = *limb >> (32 - bits);
                *limb = v;
            }
            if carry > 0 {
                self.0.push(carry);
            }
        }
        if limbs > 0 {
            let mut shifted = vec![0; limbs];
            shifted.extend_from_slice(&self.0);
            self.0 = shifted;
        }
    }

    fn shr1(&mut self) {
        let mut carry = 0;
        for limb in self.0.iter_mut().rev() {
            let v = (*limb >> 1) | carry;
            carry = *limb << 31;
            *limb = v;
        }
        self.trim();
    }

    fn trim(&mut self) {
        while self.0.len() > 1 && self.0.last() == Some(&0) {
            self.0.pop();
        }
    }

    fn ge(&self, other: &Big) -> bool {
        if self.0.len() != other.0.len() {
            return self.0.len() > other.0.len();
        }
        for (a, b) in self.0.iter().rev().zip(other.0.iter().rev()) {
            if a != b {
                return a > b;
            }
        }
        true
    }

    /// self -= other, for self >= other.
    fn sub(&mut self, other: &Big) {
        let mut borrow = 0i64;
        for (i, limb) in self.0.iter_mut().enumerate() {
            let v = i64::from(*limb) - i64::from(other.0.get(i).copied().unwrap_or(0)) - borrow;
            *limb = v as u32;
            borrow = i64::from(v < 0);
        }
        self.trim();
    }

    fn is_zero(&self) -> bool {
        self.0 == [0]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::SimRng;

    fn same(s: &str) {
        let ours = parse_f64(s);
        let std = s.parse::<f64>().ok();
        match (ours, std) {
            (Some(a), Some(b)) if a.is_nan() && b.is_nan() => {}
            (Some(a), Some(b)) => assert_eq!(a.to_bits(), b.to_bits(), "{s:?}: {a:e} vs {b:e}"),
            (a, b) => assert_eq!(a.is_some(), b.is_some(), "{s:?}: {a:?} vs {b:?}"),
        }
    }

    #[test]
    fn grammar_matches_the_standard_parser() {
        for s in [
            "",
            "+",
            "-",
            ".",
            "e",
            "e5",
            "1e",
            "1e+",
            "1e-",
            "1.e5",
            ".5e-3",
            "1.",
            ".5",
            "-.5",
            "+.5e+2",
            "inf",
            "INF",
            "-Infinity",
            "infinit",
            "infinityy",
            "nan",
            "NaN",
            "-nan",
            "+inf",
            " 1",
            "1 ",
            "1_0",
            "0x10",
            "1e5.5",
            "--1",
            "+-1",
            "1..2",
            "1.2.3",
            "١",
            "0",
            "-0",
            "+0",
            "-0.0e10",
            "00000",
            "000.000",
            "0e999999999999999999",
            "1e999999999",
            "1e-999999999",
            "1E5",
            "1e05",
            "12345678901234567890123",
            "1,5",
            "1e5e5",
            "e+5",
            "0.000000000000000000000000000000000000000000000000001e51",
            "1.7976931348623157e308",
            "1.7976931348623158e308",
            "1.7976931348623159e308",
            "2e308",
            "4.9406564584124654e-324",
            "2.4703282292062327e-324",
            "2.4703282292062328e-324",
            "2.47032822920623272e-324",
            "1e-324",
            "3e-324",
            "2.2250738585072011e-308",
            "2.2250738585072012e-308",
            "9007199254740993",
            "9007199254740995",
            "0.1",
            "0.2",
            "0.3",
            "123.456",
            "1e23",
            "8.589973e9",
            "5e-1",
            "0.5",
            "60",
            "1e-3",
        ] {
            same(s);
        }
    }

    #[test]
    fn random_decimals_match_the_standard_parser() {
        let mut rng = SimRng::new(7);
        let mut pick = |n: u64| rng.next_u64() % n;
        for _ in 0..20_000 {
            let mut s = String::new();
            match pick(3) {
                0 => s.push('-'),
                1 => s.push('+'),
                _ => {}
            }
            for _ in 0..pick(4) {
                s.push('0');
            }
            let long = pick(4) == 0;
            let ndigits = 1 + pick(if long { 60 } else { 20 });
            let point = pick(ndigits + 2);
            for i in 0..ndigits {
                if i == point {
                    s.push('.');
                }
                s.push((b'0' + pick(10) as u8) as char);
            }
            if pick(2) == 0 {
                let e = pick(700) as i64 - 350;
                s.push_str(&format!("e{e}"));
            }
            same(&s);
        }
    }

    #[test]
    fn formatted_doubles_and_ties_match_the_standard_parser() {
        let mut rng = SimRng::new(11);
        for _ in 0..5_000 {
            let x = f64::from_bits(rng.next_u64() >> 1);
            if !x.is_finite() {
                continue;
            }
            same(&format!("{x:e}"));
            same(&format!("{x:.25e}"));
            same(&format!("{:.17e}", x * 1.000_000_000_1));
        }
        // Exact ties between two doubles: odd integers in [2^53, 2^54) round to even, and
        // (2^53 + odd) · 2^-j, written exactly as (2^53 + odd) · 5^j · 10^-j.
        for _ in 0..5_000 {
            let odd = (rng.next_u64() % (1 << 53)) | 1;
            let n = (1u128 << 53) + u128::from(odd);
            same(&n.to_string());
            let j = (rng.next_u64() % 20) as u32;
            same(&format!("{}e-{j}", n * 5u128.pow(j)));
            same(&format!("{}e-{j}", n * 5u128.pow(j) + 1));
            same(&format!("{}e-{j}", n * 5u128.pow(j) - 1));
        }
        // Around the smallest subnormal and the largest finite value.
        for _ in 0..5_000 {
            let d = rng.next_u64() % 100_000_000;
            same(&format!("{}.{d:08}e-324", rng.next_u64() % 10));
            same(&format!("{}.{d:08}e-323", rng.next_u64() % 10));
            same(&format!("1.79769313{d:08}e308"));
            same(&format!("2.2250738{d:08}e-308"));
        }
    }

    /// Decimal digits of a big integer (test helper).
    fn decimal(b: &Big) -> String {
        let mut limbs = b.0.clone();
        let mut chunks = Vec::new();
        while limbs.iter().any(|&l| l != 0) {
            let mut rem = 0u64;
            for limb in limbs.iter_mut().rev() {
                let v = (rem << 32) | u64::from(*limb);
                *limb = (v / 1_000_000_000) as u32;
                rem = v % 1_000_000_000;
            }
            chunks.push(rem);
        }
        let mut s = chunks.pop().map_or("0".into(), |c| c.to_string());
        for c in chunks.iter().rev() {
            s.push_str(&format!("{c:09}"));
        }
        s
    }

    #[test]
    fn long_inputs_and_subnormal_ties_match_the_standard_parser() {
        // odd · 2^-1075 lies halfway between two subnormals (or the smallest one and 0); its
        // exact decimal form, odd · 5^1075 · 10^-1075, has about 750 significant digits.
        let mut rng = SimRng::new(3);
        for odd in [1u64, 3, 5, (1 << 52) - 1, (1 << 53) - 1, (1 << 53) + 1]
            .into_iter()
            .chain((0..40).map(|_| (rng.next_u64() >> 11) | 1))
        {
            let mut b = Big(vec![0]);
            b.mul_add(1, (odd >> 32) as u32);
            b.mul_add(1 << 16, 0);
            b.mul_add(1 << 16, odd as u32);
            let mut five = b;
            for _ in 0..1075 {
                five.mul_add(5, 0);
            }
            let t = decimal(&five);
            same(&format!("{t}e-1075"));
            same(&format!("0.{t}e-{}", 1075 - t.len()));
            same(&format!("{t}{}1e-{}", "0".repeat(300), 1075 + 301));
            let below = decimal(&{
                let mut x = Big(five.0.clone());
                x.sub(&Big(vec![1]));
                x
            });
            same(&format!("{below}e-1075"));
            same(&format!("{below}{}e-{}", "9".repeat(400), 1075 + 400));
        }
        same(&"1".repeat(5000));
        same(&format!("0.{}", "3".repeat(5000)));
        same(&format!("{}e-4700", "7".repeat(5000)));
    }
}
