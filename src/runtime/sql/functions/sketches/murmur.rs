//! The 63-bit key hash of DataSketches' Theta and Tuple sketches: MurmurHash3 x64 128 (seed
//! 9001) of the key's bytes, the first half shifted right once. The `datasketches` crate keeps
//! its hasher to itself; the Tuple sketches here need the hash of a key to place it as Java does.

/// DataSketches' default update seed.
const SEED: u64 = 9001;

const C1: u64 = 0x87c3_7b91_1142_53d5;
const C2: u64 = 0x4cf5_ad43_2745_937f;

/// The Theta/Tuple hash of a key's bytes.
pub(super) fn key_hash(bytes: &[u8]) -> u64 {
    murmur3_x64_128(bytes, SEED).0 >> 1
}

fn murmur3_x64_128(bytes: &[u8], seed: u64) -> (u64, u64) {
    let (mut h1, mut h2) = (seed, seed);
    let mut blocks = bytes.chunks_exact(16);
    for block in &mut blocks {
        let k1 = u64::from_le_bytes(block[..8].try_into().unwrap_or_default());
        let k2 = u64::from_le_bytes(block[8..].try_into().unwrap_or_default());
        h1 ^= mix_k1(k1);
        h1 = h1.rotate_left(27).wrapping_add(h2).wrapping_mul(5).wrapping_add(0x52dc_e729);
        h2 ^= mix_k2(k2);
        h2 = h2.rotate_left(31).wrapping_add(h1).wrapping_mul(5).wrapping_add(0x3849_5ab5);
    }
    let tail = blocks.remainder();
    let word = |range: std::ops::Range<usize>| {
        tail.get(range).unwrap_or_default().iter().rev().fold(0u64, |acc, b| (acc << 8) | u64::from(*b))
    };
    if tail.len() > 8 {
        h2 ^= mix_k2(word(8..tail.len()));
    }
    if !tail.is_empty() {
        h1 ^= mix_k1(word(0..tail.len().min(8)));
    }
    let length = bytes.len() as u64;
    h1 ^= length;
    h2 ^= length;
    h1 = h1.wrapping_add(h2);
    h2 = h2.wrapping_add(h1);
    h1 = fmix(h1);
    h2 = fmix(h2);
    h1 = h1.wrapping_add(h2);
    h2 = h2.wrapping_add(h1);
    (h1, h2)
}

fn mix_k1(k: u64) -> u64 {
    k.wrapping_mul(C1).rotate_left(31).wrapping_mul(C2)
}

fn mix_k2(k: u64) -> u64 {
    k.wrapping_mul(C2).rotate_left(33).wrapping_mul(C1)
}

fn fmix(mut k: u64) -> u64 {
    k ^= k >> 33;
    k = k.wrapping_mul(0xff51_afd7_ed55_8ccd);
    k ^= k >> 33;
    k = k.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    k ^ (k >> 33)
}

#[cfg(test)]
mod tests {
    use datasketches::hash::value::raw_bytes;
    use datasketches::theta::ThetaSketchBuilder;

    use super::*;

    /// The crate's Theta sketch (whose hashing matches Java's) places the same hashes.
    #[test]
    fn hashes_as_the_theta_sketch_does() {
        for key in [&b"a"[..], b"0123456789abcdef", b"0123456789abcdefXYZ", &1i64.to_le_bytes()] {
            let mut sketch = ThetaSketchBuilder::default().build().unwrap();
            sketch.update(raw_bytes::from_slice(key));
            let hash = sketch.iter().next().map(|e| e.hash());
            assert_eq!(hash, Some(key_hash(key)), "{key:?}");
        }
        // Spark's theta sketch of 1L holds 0x05A186BDCB7DF915 (PySpark 4.3).
        assert_eq!(key_hash(&1i64.to_le_bytes()), 0x05A1_86BD_CB7D_F915);
    }
}
