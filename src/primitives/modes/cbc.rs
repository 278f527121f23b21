//! Cipher block chaining (NIST SP 800-38A §6.2), written for speed over the block function.
//!
//! Encryption is serial by nature: the loop runs inside the cipher's backend closure so that each block
//! costs the block function's latency and little else. Decryption is parallel: each chunk of blocks is
//! decrypted with the cipher's wide multi-block path (AES-NI/VAES pipelines), then XORed with the
//! previous ciphertext blocks kept aside.

use cipher::{
    Block, BlockCipherDecrypt, BlockCipherEncBackend, BlockCipherEncClosure, BlockCipherEncrypt,
    BlockSizeUser, array::Array,
};

/// How many blocks one decryption chunk holds (4 KiB of AES): one call into the wide path for a
/// typical payload, small enough to stay in L1 and on the stack.
const CHUNK: usize = 256;

/// Messages of at most this many blocks use a scratch buffer of this size.
const SHORT: usize = 8;

/// CBC-encrypts `blocks` in place.
pub(crate) fn encrypt<C: BlockCipherEncrypt>(cipher: &C, iv: &Block<C>, blocks: &mut [Block<C>]) {
    cipher.encrypt_with_backend(Encrypt::<C::BlockSize> { chain: iv.clone(), blocks });
}

/// CBC-decrypts `blocks` in place.
///
/// Chunks are taken from the end backwards, so the ciphertext block before a chunk is still in place
/// when the chunk needs it: each chunk is decrypted into a scratch buffer, XORed there with the
/// ciphertext one block behind (two plain slices, so the XOR is vectorized), and copied back.
pub(crate) fn decrypt<C: BlockCipherDecrypt>(cipher: &C, iv: &Block<C>, blocks: &mut [Block<C>]) {
    // A short message must not pay for clearing a 4 KiB scratch buffer.
    if blocks.len() <= SHORT {
        decrypt_chunked::<C, SHORT>(cipher, iv, blocks);
    } else {
        decrypt_chunked::<C, CHUNK>(cipher, iv, blocks);
    }
}

fn decrypt_chunked<C: BlockCipherDecrypt, const N: usize>(
    cipher: &C,
    iv: &Block<C>,
    blocks: &mut [Block<C>],
) {
    let mut scratch: [Block<C>; N] = core::array::from_fn(|_| Block::<C>::default());
    let mut end = blocks.len();
    while end > 0 {
        let start = end.saturating_sub(N);
        let out = &mut scratch[..end - start];
        if cipher.decrypt_blocks_b2b(&blocks[start..end], out).is_err() {
            return; // the two slices have the same length by construction
        }
        let previous = match start.checked_sub(1) {
            Some(p) => &blocks[p],
            None => iv,
        };
        xor(&mut out[0], previous);
        xor_bytes(
            Array::slice_as_flattened_mut(&mut out[1..]),
            Array::slice_as_flattened(&blocks[start..end - 1]),
        );
        Array::slice_as_flattened_mut(&mut blocks[start..end])
            .copy_from_slice(Array::slice_as_flattened(out));
        end = start;
    }
}

/// `a ^= b` over equal-length byte slices (a plain loop LLVM vectorizes).
#[inline(always)]
fn xor_bytes(a: &mut [u8], b: &[u8]) {
    for (x, y) in a.iter_mut().zip(b) {
        *x ^= *y;
    }
}

#[inline(always)]
fn xor<BS: cipher::array::ArraySize>(
    block: &mut cipher::array::Array<u8, BS>,
    other: &cipher::array::Array<u8, BS>,
) {
    for (a, b) in block.iter_mut().zip(other.iter()) {
        *a ^= b;
    }
}

struct Encrypt<'a, BS: cipher::array::ArraySize> {
    chain: cipher::array::Array<u8, BS>,
    blocks: &'a mut [cipher::array::Array<u8, BS>],
}

impl<BS: cipher::array::ArraySize> BlockSizeUser for Encrypt<'_, BS> {
    type BlockSize = BS;
}

impl<BS: cipher::array::ArraySize> BlockCipherEncClosure for Encrypt<'_, BS> {
    #[inline(always)]
    fn call<B: BlockCipherEncBackend<BlockSize = BS>>(self, backend: &B) {
        let Encrypt { mut chain, blocks } = self;
        for block in blocks.iter_mut() {
            xor(&mut chain, block);
            backend.encrypt_block((&mut chain).into());
            block.clone_from(&chain);
        }
    }
}
