//! The one stable hasher of the core: FNV-1a (64-bit) over an explicit canonical encoding, stable
//! across replicas, builds and platforms (unlike `DefaultHasher`, whose algorithm is unspecified).
//!
//! Two feeds share one state: `bytes`/`u64`/`str`/`opt` are textbook FNV-1a over bytes (replica
//! digests, ring positions), and `word`/`word_str` fold a whole 64-bit word per step with an extra
//! xor-shift (the trace hash, where speed matters: one multiply per field, not eight).

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StableHasher(u64);

impl Default for StableHasher {
    fn default() -> Self {
        StableHasher(FNV_OFFSET)
    }
}

impl StableHasher {
    pub fn bytes(&mut self, data: &[u8]) {
        for &b in data {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(FNV_PRIME);
        }
    }
    /// Little-endian, fixed width.
    pub fn u64(&mut self, v: u64) {
        self.bytes(&v.to_le_bytes());
    }
    /// Length-prefixed, so that ("ab","c") and ("a","bc") differ.
    pub fn str(&mut self, s: &str) {
        self.u64(s.len() as u64);
        self.bytes(s.as_bytes());
    }
    pub fn opt(&mut self, v: Option<u64>) {
        match v {
            None => self.u64(0),
            Some(x) => {
                self.u64(1);
                self.u64(x);
            }
        }
    }
    pub fn finish(&self) -> u64 {
        self.0
    }

    /// One 64-bit word per step: `h = (h ^ w) * prime; h ^= h >> 32`. The xor-shift feeds high
    /// bits back into low bits, which plain word-FNV lacks.
    #[inline]
    pub fn word(&mut self, w: u64) {
        let h = (self.0 ^ w).wrapping_mul(FNV_PRIME);
        self.0 = h ^ (h >> 32);
    }

    /// Length, then the bytes packed little-endian into words.
    pub fn word_str(&mut self, s: &str) {
        self.word(s.len() as u64);
        for chunk in s.as_bytes().chunks(8) {
            let mut buf = [0u8; 8];
            buf[..chunk.len()].copy_from_slice(chunk);
            self.word(u64::from_le_bytes(buf));
        }
    }
}

/// FNV-1a of a byte string, in one call.
pub fn fnv1a(data: &[u8]) -> u64 {
    let mut h = StableHasher::default();
    h.bytes(data);
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_published_fnv1a_vectors() {
        let mut h = StableHasher::default();
        h.bytes(b"");
        assert_eq!(h.finish(), 0xcbf2_9ce4_8422_2325);
        let mut h = StableHasher::default();
        h.bytes(b"a");
        assert_eq!(h.finish(), 0xaf63_dc4c_8601_ec8c);
        let mut h = StableHasher::default();
        h.bytes(b"foobar");
        assert_eq!(h.finish(), 0x8594_4171_f739_67e8);
    }
}
