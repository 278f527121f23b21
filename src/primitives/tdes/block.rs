//! The DES block function: key schedule, initial and final permutations, rounds.
//!
//! Between IP and FP each 32-bit half is kept rotated left by one bit. With the half so rotated, the
//! expansion E needs no table: S-box chunks 2, 4, 6 and 8 are the low six bits of each byte of the half,
//! and chunks 1, 3, 5 and 7 those of the half rotated right by four. A round is then two XORs with the
//! packed subkey ([`tables::pack_subkey`], whose odd-chunk word is stored pre-rotated so the half itself
//! needs no rotation), eight lookups in the combined S-box+P tables ([`tables::SP`], built rotated the
//! same way) and one XOR into the other half.
//!
//! Triple DES keeps the data in this permuted, rotated domain for all 48 rounds: one IP and one FP per
//! block. Between two DES passes FP and the next IP cancel, and the halves simply trade places.

use crate::primitives::tdes::tables::{PC1_NIBBLE, PC2_GROUP, SHIFTS, SP};

/// One DES key's 16 subkeys, in encryption order, in the packed layout.
pub(crate) type Schedule = [u64; 16];

/// Computes the 16 subkeys of a DES key (64 bits, parity bits ignored).
#[inline]
pub(crate) fn schedule(key: u64) -> Schedule {
    let mut cd = 0;
    for (n, table) in PC1_NIBBLE.iter().enumerate() {
        cd |= table[((key >> (60 - 4 * n)) & 0xF) as usize];
    }
    let (c, d) = (cd >> 28, cd & 0x0FFF_FFFF);
    // C and D twice over, so a rotation by `shift` is one right shift by `28 - shift`.
    let (cc, dd) = ((c << 28) | c, (d << 28) | d);
    let mut subkeys = [0u64; 16];
    let mut shift = 0;
    for (subkey, step) in subkeys.iter_mut().zip(SHIFTS) {
        shift += u32::from(step);
        let c = (cc >> (28 - shift)) & 0x0FFF_FFFF;
        let d = (dd >> (28 - shift)) & 0x0FFF_FFFF;
        *subkey = PC2_GROUP[0][(c >> 21) as usize & 0x7F]
            | PC2_GROUP[1][(c >> 14) as usize & 0x7F]
            | PC2_GROUP[2][(c >> 7) as usize & 0x7F]
            | PC2_GROUP[3][c as usize & 0x7F]
            | PC2_GROUP[4][(d >> 21) as usize & 0x7F]
            | PC2_GROUP[5][(d >> 14) as usize & 0x7F]
            | PC2_GROUP[6][(d >> 7) as usize & 0x7F]
            | PC2_GROUP[7][d as usize & 0x7F];
    }
    subkeys
}

/// `t = ((a >> shift) ^ b) & mask`, then trades those bits between `a` and `b`.
#[inline(always)]
fn swap_move(a: &mut u32, b: &mut u32, shift: u32, mask: u32) {
    let t = ((*a >> shift) ^ *b) & mask;
    *b ^= t;
    *a ^= t << shift;
}

/// The initial permutation: the block's two halves `(L0, R0)`, each rotated left by one bit.
#[inline(always)]
pub(crate) fn ip(block: u64) -> (u32, u32) {
    let (mut l, mut r) = split(block);
    swap_move(&mut l, &mut r, 4, 0x0F0F_0F0F);
    swap_move(&mut l, &mut r, 16, 0x0000_FFFF);
    swap_move(&mut r, &mut l, 2, 0x3333_3333);
    swap_move(&mut r, &mut l, 8, 0x00FF_00FF);
    swap_move(&mut l, &mut r, 1, 0x5555_5555);
    (l.rotate_left(1), r.rotate_left(1))
}

/// The final permutation of halves in the core's rotated form: the inverse of [`ip`].
#[inline(always)]
pub(crate) fn fp(l: u32, r: u32) -> u64 {
    let (mut l, mut r) = (l.rotate_right(1), r.rotate_right(1));
    swap_move(&mut l, &mut r, 1, 0x5555_5555);
    swap_move(&mut r, &mut l, 8, 0x00FF_00FF);
    swap_move(&mut r, &mut l, 2, 0x3333_3333);
    swap_move(&mut l, &mut r, 16, 0x0000_FFFF);
    swap_move(&mut l, &mut r, 4, 0x0F0F_0F0F);
    (u64::from(l) << 32) | u64::from(r)
}

/// The high and low 32 bits.
#[inline(always)]
#[allow(clippy::cast_possible_truncation)] // Keeping the low 32 bits is the point.
fn split(block: u64) -> (u32, u32) {
    ((block >> 32) as u32, block as u32)
}

/// The DES round function f(R, K) on a rotated half, already rotated for XOR into the other half.
///
/// Chunks 2, 4, 6, 8 are bytes of `r ^ even`; chunks 1, 3, 5, 7 are bytes of `r` rotated right by four,
/// XOR the subkey, which equals `r ^ odd` (the subkey word pre-rotated) read four bits higher: only
/// chunk 1, which wraps around, costs a rotation, and none sits before the key XOR.
#[inline(always)]
fn f(r: u32, subkey: u64) -> u32 {
    let (odd, even) = split(subkey);
    let a = r ^ odd;
    let b = r ^ even;
    let sp = |table: usize, v: u32| SP[table][(v & 0x3F) as usize];
    // The eight outputs occupy disjoint bits (P sends each S-box's four bits to their own places), so
    // `+`, `|` and `^` all combine them alike. One operator a level keeps the tree balanced (depth 3):
    // with `^` throughout, the compiler turns it into a chain of eight, which is the round's latency.
    let (s0, s1, s2, s3) = (sp(0, a.rotate_left(4)), sp(2, a >> 20), sp(4, a >> 12), sp(6, a >> 4));
    let (s4, s5, s6, s7) = (sp(1, b >> 24), sp(3, b >> 16), sp(5, b >> 8), sp(7, b));
    (s0.wrapping_add(s1) | s2.wrapping_add(s3)) ^ (s4.wrapping_add(s5) | s6.wrapping_add(s7))
}

/// Sixteen rounds on `N` independent blocks at once, block `i` under `ks[i]` (one schedule, or one per
/// block), subkeys in encryption order or, with `DECRYPT`, reversed. On return the halves hold
/// (L16, R16); a next DES pass takes them swapped.
#[inline(always)]
pub(crate) fn rounds<const N: usize, const DECRYPT: bool>(
    l: &mut [u32; N],
    r: &mut [u32; N],
    ks: [&Schedule; N],
) {
    let at = |i: usize| if DECRYPT { 15 - i } else { i };
    for pair in 0..8 {
        for i in 0..N {
            l[i] ^= f(r[i], ks[i][at(2 * pair)]);
        }
        for i in 0..N {
            r[i] ^= f(l[i], ks[i][at(2 * pair + 1)]);
        }
    }
}

/// Single DES on `N` blocks, block `i` under `ks[i]`.
#[inline(always)]
pub(crate) fn des<const N: usize, const DECRYPT: bool>(blocks: [u64; N], ks: [&Schedule; N]) -> [u64; N] {
    let (mut l, mut r) = ([0; N], [0; N]);
    for i in 0..N {
        (l[i], r[i]) = ip(blocks[i]);
    }
    rounds::<N, DECRYPT>(&mut l, &mut r, ks);
    core::array::from_fn(|i| fp(r[i], l[i]))
}

/// Triple DES, EDE, on `N` blocks, block `i` under `ks[i] = [k1, k2, k3]`: encryption is
/// E(k3, D(k2, E(k1, ·))), `DECRYPT` its inverse. One IP and one FP in all.
#[inline(always)]
pub(crate) fn tdes<const N: usize, const DECRYPT: bool>(
    blocks: [u64; N],
    ks: [&[Schedule; 3]; N],
) -> [u64; N] {
    let (mut l, mut r) = ([0; N], [0; N]);
    for i in 0..N {
        (l[i], r[i]) = ip(blocks[i]);
    }
    let pass = |n: usize| ks.map(|k| &k[n]);
    // Each pass leaves (L16, R16); the next pass starts from (R16, L16), so the arguments alternate.
    if DECRYPT {
        rounds::<N, true>(&mut l, &mut r, pass(2));
        rounds::<N, false>(&mut r, &mut l, pass(1));
        rounds::<N, true>(&mut l, &mut r, pass(0));
    } else {
        rounds::<N, false>(&mut l, &mut r, pass(0));
        rounds::<N, true>(&mut r, &mut l, pass(1));
        rounds::<N, false>(&mut l, &mut r, pass(2));
    }
    core::array::from_fn(|i| fp(r[i], l[i]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::primitives::tdes::tables::{E, FP, IP, P, PC1, PC2, pack_subkey, permute, s_box};

    /// DES straight from the standard's tables, one bit at a time: the reference for the fast core.
    fn reference_des(key: u64, block: u64, decrypt: bool) -> u64 {
        let cd = permute(key, 64, &PC1);
        let (mut c, mut d) = (cd >> 28, cd & 0x0FFF_FFFF);
        let mut subkeys = [0u64; 16];
        for (subkey, shift) in subkeys.iter_mut().zip(SHIFTS) {
            for _ in 0..shift {
                c = ((c << 1) | (c >> 27)) & 0x0FFF_FFFF;
                d = ((d << 1) | (d >> 27)) & 0x0FFF_FFFF;
            }
            *subkey = permute((c << 28) | d, 56, &PC2);
        }
        if decrypt {
            subkeys.reverse();
        }
        let lr = permute(block, 64, &IP);
        let (mut l, mut r) = (lr >> 32, lr & 0xFFFF_FFFF);
        for k in subkeys {
            let x = permute(r, 32, &E) ^ k;
            let mut s = 0u64;
            for i in 0..8 {
                s = (s << 4) | u64::from(s_box(i, ((x >> (42 - 6 * i)) & 0x3F) as u32));
            }
            (l, r) = (r, l ^ permute(s, 32, &P));
        }
        permute((r << 32) | l, 64, &FP)
    }

    /// A few fixed pseudo-random values (splitmix64), so the tests need no generator.
    fn samples() -> impl Iterator<Item = u64> {
        let mut state = 0x0123_4567_89AB_CDEFu64;
        (0..200).map(move |_| {
            state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        })
    }

    #[test]
    fn ip_and_fp_are_the_standards_on_every_bit() {
        // Both only move bits, so agreeing on each single-bit input proves them equal on every input.
        for bit in 0..64 {
            let block = 1u64 << bit;
            let (l, r) = ip(block);
            let expected = permute(block, 64, &IP);
            assert_eq!((u64::from(l.rotate_right(1)) << 32) | u64::from(r.rotate_right(1)), expected);
            assert_eq!(fp(l, r), block);
            let (hi, lo) = split(block);
            assert_eq!(fp(hi.rotate_left(1), lo.rotate_left(1)), permute(block, 64, &FP));
        }
    }

    #[test]
    fn schedule_is_pc1_rotations_pc2_on_every_bit() {
        // The schedule only moves key bits, so single-bit keys (and zero) prove it for every key.
        for key in (0..64).map(|bit| 1u64 << bit).chain([0]) {
            let cd = permute(key, 64, &PC1);
            let (mut c, mut d) = (cd >> 28, cd & 0x0FFF_FFFF);
            let fast = schedule(key);
            for (round, shift) in SHIFTS.into_iter().enumerate() {
                for _ in 0..shift {
                    c = ((c << 1) | (c >> 27)) & 0x0FFF_FFFF;
                    d = ((d << 1) | (d >> 27)) & 0x0FFF_FFFF;
                }
                assert_eq!(fast[round], pack_subkey(permute((c << 28) | d, 56, &PC2)), "key {key:016X}");
            }
        }
    }

    #[test]
    fn fast_des_matches_the_reference() {
        let mut values = samples();
        while let (Some(key), Some(block)) = (values.next(), values.next()) {
            let ks = schedule(key);
            let ct = reference_des(key, block, false);
            assert_eq!(des::<1, false>([block], [&ks]), [ct]);
            assert_eq!(des::<1, true>([ct], [&ks]), [block]);
            assert_eq!(reference_des(key, ct, true), block);
        }
    }

    #[test]
    fn fips_81_known_answer() {
        // FIPS 81 Appendix B, Table B1: "Now is the time for all " under 0123456789ABCDEF, first block.
        let ks = schedule(0x0123_4567_89AB_CDEF);
        assert_eq!(des::<1, false>([0x4E6F_7720_6973_2074], [&ks]), [0x3FA4_0E8A_984D_4815]);
        assert_eq!(reference_des(0x0123_4567_89AB_CDEF, 0x4E6F_7720_6973_2074, false), 0x3FA4_0E8A_984D_4815);
    }

    #[test]
    fn tdes_is_three_des_passes() {
        let mut values = samples();
        while let (Some(k1), Some(k2), Some(k3), Some(a), Some(b)) =
            (values.next(), values.next(), values.next(), values.next(), values.next())
        {
            let ks = [schedule(k1), schedule(k2), schedule(k3)];
            let one = |x| reference_des(k3, reference_des(k2, reference_des(k1, x, false), true), false);
            let ct = tdes::<2, false>([a, b], [&ks, &ks]);
            assert_eq!(ct, [one(a), one(b)]);
            assert_eq!(tdes::<1, true>([ct[0]], [&ks]), [a]);
            assert_eq!(tdes::<2, true>(ct, [&ks, &ks]), [a, b]);
            let other = [schedule(k3), schedule(k1), schedule(k2)];
            let two = |x| reference_des(k2, reference_des(k1, reference_des(k3, x, false), true), false);
            assert_eq!(tdes::<2, false>([a, b], [&ks, &other]), [one(a), two(b)]);
        }
    }
}
