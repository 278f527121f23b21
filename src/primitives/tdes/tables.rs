//! The FIPS 46-3 tables, and the lookup tables our DES core is built from, computed from them at compile
//! time.
//!
//! Bit numbering is the standard's: bit 1 is the most significant bit of the block, key, half or
//! subkey. [`permute`] applies a standard table in that numbering; everything else here is built on it,
//! so each derived table is correct when the standard tables below are.

/// Initial permutation IP: output bit `i` is input bit `IP[i - 1]`. (IP, FP and E are the reference for
/// the tests: the core does IP and FP with bit swaps and needs no E.)
#[cfg(test)]
pub(crate) const IP: [u8; 64] = [
    58, 50, 42, 34, 26, 18, 10, 2, 60, 52, 44, 36, 28, 20, 12, 4, //
    62, 54, 46, 38, 30, 22, 14, 6, 64, 56, 48, 40, 32, 24, 16, 8, //
    57, 49, 41, 33, 25, 17, 9, 1, 59, 51, 43, 35, 27, 19, 11, 3, //
    61, 53, 45, 37, 29, 21, 13, 5, 63, 55, 47, 39, 31, 23, 15, 7,
];

/// Final permutation IP⁻¹.
#[cfg(test)]
pub(crate) const FP: [u8; 64] = [
    40, 8, 48, 16, 56, 24, 64, 32, 39, 7, 47, 15, 55, 23, 63, 31, //
    38, 6, 46, 14, 54, 22, 62, 30, 37, 5, 45, 13, 53, 21, 61, 29, //
    36, 4, 44, 12, 52, 20, 60, 28, 35, 3, 43, 11, 51, 19, 59, 27, //
    34, 2, 42, 10, 50, 18, 58, 26, 33, 1, 41, 9, 49, 17, 57, 25,
];

/// Expansion E: 32 bits of the right half to 48.
#[cfg(test)]
pub(crate) const E: [u8; 48] = [
    32, 1, 2, 3, 4, 5, 4, 5, 6, 7, 8, 9, 8, 9, 10, 11, 12, 13, 12, 13, 14, 15, 16, 17, //
    16, 17, 18, 19, 20, 21, 20, 21, 22, 23, 24, 25, 24, 25, 26, 27, 28, 29, 28, 29, 30, 31, 32, 1,
];

/// Permutation P of the S-box outputs.
pub(crate) const P: [u8; 32] = [
    16, 7, 20, 21, 29, 12, 28, 17, 1, 15, 23, 26, 5, 18, 31, 10, //
    2, 8, 24, 14, 32, 27, 3, 9, 19, 13, 30, 6, 22, 11, 4, 25,
];

/// Permuted choice 1: the 56 key bits that matter (C then D), parity bits dropped.
pub(crate) const PC1: [u8; 56] = [
    57, 49, 41, 33, 25, 17, 9, 1, 58, 50, 42, 34, 26, 18, 10, 2, 59, 51, 43, 35, 27, //
    19, 11, 3, 60, 52, 44, 36, 63, 55, 47, 39, 31, 23, 15, 7, 62, 54, 46, 38, 30, 22, //
    14, 6, 61, 53, 45, 37, 29, 21, 13, 5, 28, 20, 12, 4,
];

/// Permuted choice 2: a round's 48 subkey bits from C and D (56 bits).
pub(crate) const PC2: [u8; 48] = [
    14, 17, 11, 24, 1, 5, 3, 28, 15, 6, 21, 10, 23, 19, 12, 4, 26, 8, 16, 7, 27, 20, 13, 2, //
    41, 52, 31, 37, 47, 55, 30, 40, 51, 45, 33, 48, 44, 49, 39, 56, 34, 53, 46, 42, 50, 36, 29, 32,
];

/// Left rotations of C and D before each round's PC-2.
pub(crate) const SHIFTS: [u8; 16] = [1, 1, 2, 2, 2, 2, 2, 2, 1, 2, 2, 2, 2, 2, 2, 1];

/// The eight S-boxes as the standard prints them: row (outer input bits 1 and 6) times 16 plus
/// column (inner bits 2 to 5).
#[rustfmt::skip]
pub(crate) const S: [[u8; 64]; 8] = [
    [
        14, 4, 13, 1, 2, 15, 11, 8, 3, 10, 6, 12, 5, 9, 0, 7,
        0, 15, 7, 4, 14, 2, 13, 1, 10, 6, 12, 11, 9, 5, 3, 8,
        4, 1, 14, 8, 13, 6, 2, 11, 15, 12, 9, 7, 3, 10, 5, 0,
        15, 12, 8, 2, 4, 9, 1, 7, 5, 11, 3, 14, 10, 0, 6, 13,
    ],
    [
        15, 1, 8, 14, 6, 11, 3, 4, 9, 7, 2, 13, 12, 0, 5, 10,
        3, 13, 4, 7, 15, 2, 8, 14, 12, 0, 1, 10, 6, 9, 11, 5,
        0, 14, 7, 11, 10, 4, 13, 1, 5, 8, 12, 6, 9, 3, 2, 15,
        13, 8, 10, 1, 3, 15, 4, 2, 11, 6, 7, 12, 0, 5, 14, 9,
    ],
    [
        10, 0, 9, 14, 6, 3, 15, 5, 1, 13, 12, 7, 11, 4, 2, 8,
        13, 7, 0, 9, 3, 4, 6, 10, 2, 8, 5, 14, 12, 11, 15, 1,
        13, 6, 4, 9, 8, 15, 3, 0, 11, 1, 2, 12, 5, 10, 14, 7,
        1, 10, 13, 0, 6, 9, 8, 7, 4, 15, 14, 3, 11, 5, 2, 12,
    ],
    [
        7, 13, 14, 3, 0, 6, 9, 10, 1, 2, 8, 5, 11, 12, 4, 15,
        13, 8, 11, 5, 6, 15, 0, 3, 4, 7, 2, 12, 1, 10, 14, 9,
        10, 6, 9, 0, 12, 11, 7, 13, 15, 1, 3, 14, 5, 2, 8, 4,
        3, 15, 0, 6, 10, 1, 13, 8, 9, 4, 5, 11, 12, 7, 2, 14,
    ],
    [
        2, 12, 4, 1, 7, 10, 11, 6, 8, 5, 3, 15, 13, 0, 14, 9,
        14, 11, 2, 12, 4, 7, 13, 1, 5, 0, 15, 10, 3, 9, 8, 6,
        4, 2, 1, 11, 10, 13, 7, 8, 15, 9, 12, 5, 6, 3, 0, 14,
        11, 8, 12, 7, 1, 14, 2, 13, 6, 15, 0, 9, 10, 4, 5, 3,
    ],
    [
        12, 1, 10, 15, 9, 2, 6, 8, 0, 13, 3, 4, 14, 7, 5, 11,
        10, 15, 4, 2, 7, 12, 9, 5, 6, 1, 13, 14, 0, 11, 3, 8,
        9, 14, 15, 5, 2, 8, 12, 3, 7, 0, 4, 10, 1, 13, 11, 6,
        4, 3, 2, 12, 9, 5, 15, 10, 11, 14, 1, 7, 6, 0, 8, 13,
    ],
    [
        4, 11, 2, 14, 15, 0, 8, 13, 3, 12, 9, 7, 5, 10, 6, 1,
        13, 0, 11, 7, 4, 9, 1, 10, 14, 3, 5, 12, 2, 15, 8, 6,
        1, 4, 11, 13, 12, 3, 7, 14, 10, 15, 6, 8, 0, 5, 9, 2,
        6, 11, 13, 8, 1, 4, 10, 7, 9, 5, 0, 15, 14, 2, 3, 12,
    ],
    [
        13, 2, 8, 4, 6, 15, 11, 1, 10, 9, 3, 14, 5, 0, 12, 7,
        1, 15, 13, 8, 10, 3, 7, 4, 12, 5, 6, 11, 0, 14, 9, 2,
        7, 11, 4, 1, 9, 12, 14, 2, 0, 6, 10, 13, 15, 3, 5, 8,
        2, 1, 14, 7, 4, 10, 8, 13, 15, 12, 9, 0, 3, 5, 6, 11,
    ],
];

/// Applies a standard permutation table: output bit `i` (of `table.len()` bits, 1 the most significant)
/// is bit `table[i - 1]` of `input` (of `in_bits` bits, numbered the same way).
pub(crate) const fn permute(input: u64, in_bits: u32, table: &[u8]) -> u64 {
    let mut out = 0;
    let mut i = 0;
    while i < table.len() {
        let bit = (input >> (in_bits - table[i] as u32)) & 1;
        out = (out << 1) | bit;
        i += 1;
    }
    out
}

/// S-box `sbox` (0 to 7) on a 6-bit input, as the standard reads it.
pub(crate) const fn s_box(sbox: usize, six: u32) -> u32 {
    let row = ((six >> 4) & 2) | (six & 1);
    let column = (six >> 1) & 0xF;
    S[sbox][(row * 16 + column) as usize] as u32
}

/// The combined S-box and P tables: `SP[i][v]` is P applied to S-box `i + 1`'s output for input `v`,
/// placed where that S-box writes, then rotated left by one bit (the core keeps each 32-bit half
/// rotated so, see `block.rs`).
pub(crate) static SP: [[u32; 64]; 8] = sp_tables();

const fn sp_tables() -> [[u32; 64]; 8] {
    let mut sp = [[0u32; 64]; 8];
    let mut i = 0;
    while i < 8 {
        let mut v = 0u32;
        while v < 64 {
            let before_p = (s_box(i, v) as u64) << (28 - 4 * i);
            // P maps 32 bits to 32 bits: the high half is zero.
            let after_p = (permute(before_p, 32, &P) & 0xFFFF_FFFF) as u32;
            sp[i][v as usize] = after_p.rotate_left(1);
            v += 1;
        }
        i += 1;
    }
    sp
}

/// A 48-bit subkey in the core's layout: the low word holds S-box chunks 2, 4, 6, 8 (one a byte, from the
/// top; each 6-bit chunk in its byte's low bits), the high word chunks 1, 3, 5, 7 laid out the same way
/// and then rotated left by four bits, so the core XORs both words into the unrotated half.
pub(crate) const fn pack_subkey(k48: u64) -> u64 {
    let mut odd = 0u32;
    let mut even = 0u32;
    let mut i = 0;
    while i < 4 {
        odd = (odd << 8) | ((k48 >> (42 - 12 * i)) & 0x3F) as u32;
        even = (even << 8) | ((k48 >> (36 - 12 * i)) & 0x3F) as u32;
        i += 1;
    }
    ((odd.rotate_left(4) as u64) << 32) | even as u64
}

/// PC-1 by nibbles: `PC1_NIBBLE[n][v]` is C‖D (56 bits) for a key whose only non-zero nibble is the
/// `n`-th from the top, equal to `v`. PC-1 only moves bits, so a key's C‖D is the OR over its nibbles.
pub(crate) static PC1_NIBBLE: [[u64; 16]; 16] = pc1_nibbles();

const fn pc1_nibbles() -> [[u64; 16]; 16] {
    let mut t = [[0u64; 16]; 16];
    let mut n = 0;
    while n < 16 {
        let mut v = 0;
        while v < 16 {
            t[n][v] = permute((v as u64) << (60 - 4 * n), 64, &PC1);
            v += 1;
        }
        n += 1;
    }
    t
}

/// PC-2 by 7-bit groups, already in the core's subkey layout ([`pack_subkey`]): tables 0 to 3 take
/// the groups of C (from the top), 4 to 7 those of D. A round's subkey is the OR of the eight lookups
/// on its rotated C and D.
pub(crate) static PC2_GROUP: [[u64; 128]; 8] = pc2_groups();

const fn pc2_groups() -> [[u64; 128]; 8] {
    let mut t = [[0u64; 128]; 8];
    let mut g = 0;
    while g < 8 {
        let mut v = 0;
        while v < 128 {
            // Group g of C‖D: bits 7g + 1 to 7g + 7 of 56.
            let cd = (v as u64) << (49 - 7 * g);
            t[g][v] = pack_subkey(permute(cd, 56, &PC2));
            v += 1;
        }
        g += 1;
    }
    t
}
