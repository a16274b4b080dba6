//! A tiny seeded PRNG: SplitMix64, seeded by an FNV-1a hash of what the numbers
//! are for (symbol, date, purpose). Our own code rather than a crate, so the
//! synthetic market stays byte-identical when dependencies are upgraded.

/// SplitMix64 with a cached second Box-Muller normal.
#[derive(Debug, Clone)]
pub struct Rng {
    state: u64,
    spare_normal: Option<f64>,
}

impl Rng {
    const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

    pub fn new(seed: u64) -> Rng {
        Rng { state: seed, spare_normal: None }
    }

    /// A stream keyed by the parts that name it; a separator byte after each part
    /// keeps `["AB", "C"]` apart from `["A", "BC"]`.
    pub fn keyed(parts: &[&[u8]]) -> Rng {
        let mix = |hash: u64, byte: u8| (hash ^ u64::from(byte)).wrapping_mul(Self::FNV_PRIME);
        let hash =
            parts.iter().fold(Self::FNV_OFFSET, |hash, part| mix(part.iter().fold(hash, |h, b| mix(h, *b)), 0xff));
        Rng::new(hash)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `[0, 1)` with 53 bits of precision.
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform integer in `[low, high]`, both ends included; `low` if the range is empty.
    pub fn range(&mut self, low: i64, high: i64) -> i64 {
        if high <= low {
            return low;
        }
        // The modulo bias is far below anything the synthetic market could show.
        let width = high.abs_diff(low) + 1;
        low.wrapping_add((self.next_u64() % width) as i64)
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        self.uniform() < p
    }

    /// Standard normal (Box-Muller).
    pub fn normal(&mut self) -> f64 {
        if let Some(z) = self.spare_normal.take() {
            return z;
        }
        let u1 = 1.0 - self.uniform(); // (0, 1]: keeps ln finite
        let u2 = self.uniform();
        let radius = (-2.0 * u1.ln()).sqrt();
        let angle = std::f64::consts::TAU * u2;
        self.spare_normal = Some(radius * angle.sin());
        radius * angle.cos()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_key_same_stream_and_parts_are_separated() {
        let draws = |parts: &[&[u8]]| {
            let mut rng = Rng::keyed(parts);
            [rng.next_u64(), rng.next_u64()]
        };
        assert_eq!(draws(&[b"PLTR", b"20250310"]), draws(&[b"PLTR", b"20250310"]));
        assert_ne!(draws(&[b"AB", b"C"]), draws(&[b"A", b"BC"]));
    }

    #[test]
    fn splitmix_matches_the_reference_sequence() {
        // Reference values of SplitMix64 seeded with 0.
        let mut rng = Rng::new(0);
        assert_eq!(rng.next_u64(), 0xe220_a839_7b1d_cdaf);
        assert_eq!(rng.next_u64(), 0x6e78_9e6a_a1b9_65f4);
    }

    #[test]
    fn ranges_are_inclusive_and_normals_have_unit_scale() {
        let mut rng = Rng::new(7);
        let picks: Vec<i64> = (0..1000).map(|_| rng.range(1, 3)).collect();
        assert!((1..=3).all(|v| picks.contains(&v)) && picks.iter().all(|v| (1..=3).contains(v)));
        assert_eq!(rng.range(5, 5), 5);
        let draws: Vec<f64> = (0..20_000).map(|_| rng.normal()).collect();
        let mean = draws.iter().sum::<f64>() / draws.len() as f64;
        let var = draws.iter().map(|z| (z - mean).powi(2)).sum::<f64>() / draws.len() as f64;
        assert!(mean.abs() < 0.03, "mean {mean}");
        assert!((var - 1.0).abs() < 0.05, "variance {var}");
    }
}
