//! AES DUKPT working keys for many counters of one terminal: the counters' walks visited as one tree.
//!
//! A counter's parent is the counter without its lowest one-bit, so the walks of a terminal's counters
//! form a tree rooted at the initial key. Visiting it once derives every intermediate key once, and
//! everything derived under one key (the working key of its own counter and the intermediate keys of its
//! children) is encrypted in one block-cipher call: a batch of consecutive counters costs about one key
//! schedule and one call per key.

use cipher::Block;
use zeroize::{Zeroize, Zeroizing};

use crate::primitives::Algorithm;
use crate::primitives::dukpt::Error;
use crate::primitives::dukpt::aes::{
    AesType, Blocks, KeyUsage, USAGE_INTERMEDIATE, check_key_type, derivation_data, ksn_data, schedule,
};

/// The most children whose intermediate keys one visit derives in one call (a key with more, at most 32,
/// takes more calls; consecutive counters give one or two on average).
const CHILDREN: usize = 8;
/// The most blocks of one such call: a working key and `CHILDREN` intermediate keys, two blocks each.
const BLOCKS: usize = 2 + 2 * CHILDREN;

/// The working keys for `usage` and `key_type` at many counters of one terminal, from its keyed initial
/// key: `counters` sorted ascending, none 0 (duplicates allowed); `emit(i, key)` receives the bytes of the
/// key of `counters[i]` (the first `key_type.key_len()` of them).
///
/// # Errors
/// [`Error::DerivedKeyTooStrong`] when `key_type` is stronger than the initial key (before any work).
pub(crate) fn working_keys<C: AesType>(
    initial_key: &C,
    id: [u8; 4],
    counters: &[u32],
    usage: KeyUsage,
    key_type: Algorithm,
    emit: &mut dyn FnMut(usize, &Blocks),
) -> Result<(), Error> {
    check_key_type(C::ALGORITHM, key_type)?;
    let tree = Tree { id, usage: usage.value(), key_type };
    tree.visit(initial_key, 0, counters, 0, emit);
    Ok(())
}

/// What a [`working_keys`] visit derives.
struct Tree {
    id: [u8; 4],
    usage: u16,
    key_type: Algorithm,
}

impl Tree {
    /// The node `prefix` keyed by `key` (the initial key for prefix 0): `counters` (indices from `base`)
    /// are those whose walk passes through `prefix`, sorted, `prefix` itself first if present.
    fn visit<C: AesType>(
        &self,
        key: &C,
        prefix: u32,
        counters: &[u32],
        base: usize,
        emit: &mut dyn FnMut(usize, &Blocks),
    ) {
        let here = if prefix == 0 { 0 } else { counters.iter().take_while(|&&c| c == prefix).count() };
        let mut working = if here > 0 { self.key_type.key_len().div_ceil(16) } else { 0 };
        let mut start = here;
        // One call per key, unless it has more than `CHILDREN` children (then one per that many).
        loop {
            let mut blocks = [Block::<C>::default(); BLOCKS];
            let mut n = 0;
            if working > 0 {
                let data = derivation_data(self.usage, self.key_type, ksn_data(self.id, prefix));
                n = push_blocks(&mut blocks, n, &data, working);
            }
            // Children: runs of counters sharing the next walk step (their highest bit below `prefix`'s).
            let mut runs = [(0u32, 0usize, 0usize); CHILDREN];
            let mut run_count = 0;
            while let (Some(&c), Some(run)) = (counters.get(start), runs.get_mut(run_count)) {
                let shift = 31 - (c ^ prefix).leading_zeros();
                let len = counters[start..].iter().take_while(|&&d| (d ^ prefix) >> shift == 1).count();
                let child = prefix | (1 << shift);
                *run = (child, start, start + len);
                let data = derivation_data(USAGE_INTERMEDIATE, C::ALGORITHM, ksn_data(self.id, child));
                n = push_blocks(&mut blocks, n, &data, C::BLOCKS);
                run_count += 1;
                start += len.max(1);
            }
            key.encrypt_blocks(&mut blocks[..n]);
            let mut bytes = Zeroizing::new([[0u8; 16]; 2]);
            if working > 0 {
                for (b, block) in bytes.iter_mut().zip(&blocks[..working]) {
                    b.copy_from_slice(block);
                }
                for i in 0..here {
                    emit(base + i, &bytes);
                }
            }
            for (r, &(child, from, to)) in runs.iter().take(run_count).enumerate() {
                let first = working + r * C::BLOCKS;
                for (b, block) in bytes.iter_mut().zip(blocks.iter().skip(first).take(C::BLOCKS)) {
                    b.copy_from_slice(block);
                }
                let child_key = schedule::<C>(&bytes);
                if let Some(members) = counters.get(from..to) {
                    self.visit(&child_key, child, members, base + from, emit);
                }
            }
            blocks[..n].iter_mut().for_each(Zeroize::zeroize);
            working = 0;
            if start >= counters.len() {
                break;
            }
        }
    }
}

/// Writes `data` with block counters 1..=`count` at `blocks[at..]`; returns the next free index.
fn push_blocks<B: From<[u8; 16]>>(blocks: &mut [B], at: usize, data: &[u8; 16], count: usize) -> usize {
    let mut next = at;
    for (i, slot) in blocks.iter_mut().skip(at).take(count).enumerate() {
        let mut d = *data;
        d[1] = u8::try_from(i + 1).unwrap_or(1);
        *slot = B::from(d);
        next += 1;
    }
    next
}
