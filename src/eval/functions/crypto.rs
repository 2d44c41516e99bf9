//! Cryptographic functions: md5, sha1, sha256, sha512 of a string, as lower-case hex.
//! Written from RFC 1321 and FIPS 180-4 (small enough not to need a dependency) and checked
//! against their published test vectors.

use crate::eval::value::Value;
use crate::ir::Func;

use super::map_text;

/// The hex digest of each value.
pub fn digest(func: Func, v: &Value) -> Value {
    map_text(v, |s| {
        let bytes = s.as_bytes();
        let out = match func {
            Func::Md5 => md5(bytes),
            Func::Sha1 => sha1(bytes),
            Func::Sha256 => sha256(bytes),
            _ => sha512(bytes),
        };
        Value::str(out.iter().map(|b| format!("{b:02x}")).collect::<String>())
    })
}

/// The message padded to a whole number of `block`-byte blocks, with its bit length at the end
/// (`len_bytes` wide, big- or little-endian).
fn pad(msg: &[u8], block: usize, len_bytes: usize, big_endian: bool) -> Vec<u8> {
    let mut data = msg.to_vec();
    data.push(0x80);
    while data.len() % block != block - len_bytes {
        data.push(0);
    }
    let bits = (msg.len() as u128).wrapping_mul(8);
    if big_endian {
        data.extend(bits.to_be_bytes().into_iter().skip(16 - len_bytes));
    } else {
        data.extend(bits.to_le_bytes().into_iter().take(len_bytes));
    }
    data
}

/// The block read as big-endian words of `size` bytes (a `u32` or `u64` each).
fn words_be<W: From<u8> + std::ops::Shl<u32, Output = W> + std::ops::BitOr<Output = W>>(
    block: &[u8],
    size: usize,
) -> Vec<W> {
    block
        .chunks_exact(size)
        .map(|w| w.iter().fold(W::from(0), |acc, b| acc << 8 | W::from(*b)))
        .collect()
}

/// MD5's per-round left rotations (RFC 1321 §3.4), one row per round.
const MD5_SHIFTS: [[u32; 4]; 4] = [
    [7, 12, 17, 22],
    [5, 9, 14, 20],
    [4, 11, 16, 23],
    [6, 10, 15, 21],
];

/// The order each MD5 round reads the block's sixteen words in: the first word and the step
/// (round 2 reads words 1, 6, 11, ...; RFC 1321 §3.4).
const MD5_ORDER: [(usize, usize); 4] = [(0, 1), (1, 5), (5, 3), (0, 7)];

fn md5(msg: &[u8]) -> Vec<u8> {
    let k: Vec<u32> = (0..64)
        .map(|i| ((i as f64 + 1.0).sin().abs() * 4_294_967_296.0) as u32)
        .collect();
    let mut h: [u32; 4] = [0x6745_2301, 0xefcd_ab89, 0x98ba_dcfe, 0x1032_5476];
    for chunk in pad(msg, 64, 8, false).chunks(64) {
        let m: Vec<u32> = chunk
            .chunks_exact(4)
            .map(|w| w.iter().rev().fold(0, |acc, b| acc << 8 | u32::from(*b)))
            .collect();
        let [mut a, mut b, mut c, mut d] = h;
        let rounds = MD5_ORDER.iter().zip(MD5_SHIFTS).zip(k.chunks(16));
        for (round, (((first, step), shifts), ks)) in rounds.enumerate() {
            let words = m.iter().cycle().skip(*first).step_by(*step);
            for ((word, shift), ki) in words.zip(shifts.iter().cycle()).zip(ks) {
                let f = match round {
                    0 => (b & c) | (!b & d),
                    1 => (d & b) | (!d & c),
                    2 => b ^ c ^ d,
                    _ => c ^ (b | !d),
                };
                let rotated = a
                    .wrapping_add(f)
                    .wrapping_add(*ki)
                    .wrapping_add(*word)
                    .rotate_left(*shift);
                (a, d, c) = (d, c, b);
                b = b.wrapping_add(rotated);
            }
        }
        for (x, y) in h.iter_mut().zip([a, b, c, d]) {
            *x = x.wrapping_add(y);
        }
    }
    h.iter().flat_map(|w| w.to_le_bytes()).collect()
}

/// SHA-1's message schedule: the block's sixteen words, then
/// `w[t] = rotl1(w[t-3] ^ w[t-8] ^ w[t-14] ^ w[t-16])` up to eighty (FIPS 180-4 §6.1.2).
fn sha1_schedule(block: &[u8]) -> Vec<u32> {
    let mut w = words_be::<u32>(block, 4);
    while w.len() < 80 {
        let [.., w16, _, w14, _, _, _, _, _, w8, _, _, _, _, w3, _, _] = *w.as_slice() else {
            break;
        };
        w.push((w3 ^ w8 ^ w14 ^ w16).rotate_left(1));
    }
    w
}

fn sha1(msg: &[u8]) -> Vec<u8> {
    let mut h: [u32; 5] = [
        0x6745_2301,
        0xEFCD_AB89,
        0x98BA_DCFE,
        0x1032_5476,
        0xC3D2_E1F0,
    ];
    for chunk in pad(msg, 64, 8, true).chunks(64) {
        let [mut a, mut b, mut c, mut d, mut e] = h;
        for (i, wi) in sha1_schedule(chunk).iter().enumerate() {
            let (f, k) = match i / 20 {
                0 => ((b & c) | (!b & d), 0x5A82_7999),
                1 => (b ^ c ^ d, 0x6ED9_EBA1),
                2 => ((b & c) | (b & d) | (c & d), 0x8F1B_BCDC),
                _ => (b ^ c ^ d, 0xCA62_C1D6),
            };
            let t = a
                .rotate_left(5)
                .wrapping_add(f)
                .wrapping_add(e)
                .wrapping_add(k)
                .wrapping_add(*wi);
            (e, d, c, b, a) = (d, c, b.rotate_left(30), a, t);
        }
        for (x, y) in h.iter_mut().zip([a, b, c, d, e]) {
            *x = x.wrapping_add(y);
        }
    }
    h.iter().flat_map(|w| w.to_be_bytes()).collect()
}

/// The SHA-2 message schedule: the block's sixteen words, then
/// `w[t] = σ1(w[t-2]) + w[t-7] + σ0(w[t-15]) + w[t-16]` up to `rounds` (FIPS 180-4 §6.2.2, §6.4.2).
fn sha2_schedule<W: Copy>(mut w: Vec<W>, rounds: usize, next: impl Fn(W, W, W, W) -> W) -> Vec<W> {
    while w.len() < rounds {
        let [.., w16, w15, _, _, _, _, _, _, _, w7, _, _, _, _, w2, _] = *w.as_slice() else {
            break;
        };
        w.push(next(w16, w15, w7, w2));
    }
    w
}

const SHA256_K: [u32; 64] = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
];

fn sha256(msg: &[u8]) -> Vec<u8> {
    let mut h: [u32; 8] = [
        0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab,
        0x5be0cd19,
    ];
    for chunk in pad(msg, 64, 8, true).chunks(64) {
        let w = sha2_schedule(words_be::<u32>(chunk, 4), 64, |w16, w15, w7, w2| {
            let s0 = w15.rotate_right(7) ^ w15.rotate_right(18) ^ (w15 >> 3);
            let s1 = w2.rotate_right(17) ^ w2.rotate_right(19) ^ (w2 >> 10);
            w16.wrapping_add(s0).wrapping_add(w7).wrapping_add(s1)
        });
        let mut v = h;
        for (k, wi) in SHA256_K.iter().zip(&w) {
            let [a, b, c, d, e, f, g, hh] = v;
            let s1 = e.rotate_right(6) ^ e.rotate_right(11) ^ e.rotate_right(25);
            let ch = (e & f) ^ (!e & g);
            let t1 = hh
                .wrapping_add(s1)
                .wrapping_add(ch)
                .wrapping_add(*k)
                .wrapping_add(*wi);
            let s0 = a.rotate_right(2) ^ a.rotate_right(13) ^ a.rotate_right(22);
            let maj = (a & b) ^ (a & c) ^ (b & c);
            let t2 = s0.wrapping_add(maj);
            v = [t1.wrapping_add(t2), a, b, c, d.wrapping_add(t1), e, f, g];
        }
        for (x, y) in h.iter_mut().zip(v) {
            *x = x.wrapping_add(y);
        }
    }
    h.iter().flat_map(|w| w.to_be_bytes()).collect()
}

const SHA512_K: [u64; 80] = [
    0x428a2f98d728ae22,
    0x7137449123ef65cd,
    0xb5c0fbcfec4d3b2f,
    0xe9b5dba58189dbbc,
    0x3956c25bf348b538,
    0x59f111f1b605d019,
    0x923f82a4af194f9b,
    0xab1c5ed5da6d8118,
    0xd807aa98a3030242,
    0x12835b0145706fbe,
    0x243185be4ee4b28c,
    0x550c7dc3d5ffb4e2,
    0x72be5d74f27b896f,
    0x80deb1fe3b1696b1,
    0x9bdc06a725c71235,
    0xc19bf174cf692694,
    0xe49b69c19ef14ad2,
    0xefbe4786384f25e3,
    0x0fc19dc68b8cd5b5,
    0x240ca1cc77ac9c65,
    0x2de92c6f592b0275,
    0x4a7484aa6ea6e483,
    0x5cb0a9dcbd41fbd4,
    0x76f988da831153b5,
    0x983e5152ee66dfab,
    0xa831c66d2db43210,
    0xb00327c898fb213f,
    0xbf597fc7beef0ee4,
    0xc6e00bf33da88fc2,
    0xd5a79147930aa725,
    0x06ca6351e003826f,
    0x142929670a0e6e70,
    0x27b70a8546d22ffc,
    0x2e1b21385c26c926,
    0x4d2c6dfc5ac42aed,
    0x53380d139d95b3df,
    0x650a73548baf63de,
    0x766a0abb3c77b2a8,
    0x81c2c92e47edaee6,
    0x92722c851482353b,
    0xa2bfe8a14cf10364,
    0xa81a664bbc423001,
    0xc24b8b70d0f89791,
    0xc76c51a30654be30,
    0xd192e819d6ef5218,
    0xd69906245565a910,
    0xf40e35855771202a,
    0x106aa07032bbd1b8,
    0x19a4c116b8d2d0c8,
    0x1e376c085141ab53,
    0x2748774cdf8eeb99,
    0x34b0bcb5e19b48a8,
    0x391c0cb3c5c95a63,
    0x4ed8aa4ae3418acb,
    0x5b9cca4f7763e373,
    0x682e6ff3d6b2b8a3,
    0x748f82ee5defb2fc,
    0x78a5636f43172f60,
    0x84c87814a1f0ab72,
    0x8cc702081a6439ec,
    0x90befffa23631e28,
    0xa4506cebde82bde9,
    0xbef9a3f7b2c67915,
    0xc67178f2e372532b,
    0xca273eceea26619c,
    0xd186b8c721c0c207,
    0xeada7dd6cde0eb1e,
    0xf57d4f7fee6ed178,
    0x06f067aa72176fba,
    0x0a637dc5a2c898a6,
    0x113f9804bef90dae,
    0x1b710b35131c471b,
    0x28db77f523047d84,
    0x32caab7b40c72493,
    0x3c9ebe0a15c9bebc,
    0x431d67c49c100d4c,
    0x4cc5d4becb3e42b6,
    0x597f299cfc657e2a,
    0x5fcb6fab3ad6faec,
    0x6c44198c4a475817,
];

fn sha512(msg: &[u8]) -> Vec<u8> {
    let mut h: [u64; 8] = [
        0x6a09e667f3bcc908,
        0xbb67ae8584caa73b,
        0x3c6ef372fe94f82b,
        0xa54ff53a5f1d36f1,
        0x510e527fade682d1,
        0x9b05688c2b3e6c1f,
        0x1f83d9abfb41bd6b,
        0x5be0cd19137e2179,
    ];
    for chunk in pad(msg, 128, 16, true).chunks(128) {
        let w = sha2_schedule(words_be::<u64>(chunk, 8), 80, |w16, w15, w7, w2| {
            let s0 = w15.rotate_right(1) ^ w15.rotate_right(8) ^ (w15 >> 7);
            let s1 = w2.rotate_right(19) ^ w2.rotate_right(61) ^ (w2 >> 6);
            w16.wrapping_add(s0).wrapping_add(w7).wrapping_add(s1)
        });
        let mut v = h;
        for (k, wi) in SHA512_K.iter().zip(&w) {
            let [a, b, c, d, e, f, g, hh] = v;
            let s1 = e.rotate_right(14) ^ e.rotate_right(18) ^ e.rotate_right(41);
            let ch = (e & f) ^ (!e & g);
            let t1 = hh
                .wrapping_add(s1)
                .wrapping_add(ch)
                .wrapping_add(*k)
                .wrapping_add(*wi);
            let s0 = a.rotate_right(28) ^ a.rotate_right(34) ^ a.rotate_right(39);
            let maj = (a & b) ^ (a & c) ^ (b & c);
            let t2 = s0.wrapping_add(maj);
            v = [t1.wrapping_add(t2), a, b, c, d.wrapping_add(t1), e, f, g];
        }
        for (x, y) in h.iter_mut().zip(v) {
            *x = x.wrapping_add(y);
        }
    }
    h.iter().flat_map(|w| w.to_be_bytes()).collect()
}
