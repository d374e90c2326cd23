//! A seeded xorshift generator: repeatable fault draws without a dependency. The same seed
//! gives the same faults in the same order, which is what makes a faulty run reproducible.

/// The generator's state.
#[derive(Debug)]
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Self {
        Rng(seed.max(1))
    }

    /// A draw in [0, 1).
    pub(crate) fn next_f64(&mut self) -> f64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        (x >> 11) as f64 / (1u64 << 53) as f64
    }

    /// True with probability `share`; draws nothing when `share` is not positive, so a knob
    /// left at 0 does not shift the draws of the others.
    pub(crate) fn chance(&mut self, share: f64) -> bool {
        share > 0.0 && self.next_f64() < share
    }
}
