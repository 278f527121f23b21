//! Host-side derivation for many transactions: the BDK keyed once, initial keys cached per terminal,
//! and the early steps of the counter walk shared between KSNs of one terminal.
//!
//! Each cache entry holds a terminal's initial key and the intermediate keys of its last walk (at most one
//! per counter bit). A KSN walks its counter's one-bits from the most significant and reuses every step it
//! shares with the previous walk of the same terminal: consecutive counters, as a host sees them, mostly
//! cost the last step or two. [`Deriver::derive_batch`] sorts by terminal and counter; for AES DUKPT it
//! then visits the tree of the terminal's walks once, deriving each intermediate key once and encrypting
//! everything derived under one key (its own working key, its children's intermediate keys) in one
//! block-cipher call.
//!
//! The cache is bounded: when full, the least recently used terminal is evicted, and its keys and key
//! schedules are zeroized as they drop. Eviction scans the cache, so it costs `O(capacity)`; a hit on the
//! terminal used last costs no hashing, any other hit one hash lookup.
//!
//! AES entries are typed by the BDK's key size: the initial key's bytes and key schedule, and the key
//! bytes of the last walk; a new step keys its parent from those bytes and encrypts one block, as the raw
//! loop over the `aes` crate does.

use std::collections::HashMap;
use std::fmt;

use aes::{Aes128Enc, Aes192Enc, Aes256Enc};
use zeroize::Zeroizing;

use crate::primitives::dukpt::aes::{self as aes_dukpt, AesKey, AesType, Blocks, KeyUsage};
use crate::primitives::dukpt::tdes::{self as tdes_dukpt, TdesBdk};
use crate::primitives::dukpt::{AesKsn, Error, Ksn, Scheme, Usage, resolve_key_type};
use crate::primitives::{Algorithm, SymmetricKey};

/// A host's derivation context for one BDK: derives keys for any KSN of either scheme the BDK fits, with
/// a bounded cache of initial keys and of each terminal's last walk.
///
/// # Examples
/// ```
/// use paycrypt::{Algorithm, SymmetricKey};
/// use paycrypt::dukpt::{Deriver, Ksn, Usage};
///
/// let bdk = SymmetricKey::new(Algorithm::Aes128, &hex::decode("FEDCBA9876543210F1F1F1F1F1F1F1F1")?)?;
/// let mut deriver = Deriver::new(&bdk, 1024);
/// let usage: Usage = "DATA_ENCRYPTION".parse()?;
/// let ksn: Ksn = "123456789012345600000002".parse()?;
/// let key = deriver.derive(&ksn, usage, None)?;
/// assert_eq!(hex::encode_upper(key.as_bytes()), "D639514AA33AC43AD9229E433D6D4E5B");
/// let ksns: Vec<Ksn> = (1..=8).map(|c| format!("1234567890123456{c:08X}").parse()).collect::<Result<_, _>>()?;
/// let keys = deriver.derive_batch(&ksns, usage, None);
/// assert_eq!(hex::encode_upper(keys[1].as_ref().map_err(|e| e.clone())?.as_bytes()), "D639514AA33AC43AD9229E433D6D4E5B");
/// assert_eq!(deriver.cached(), 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Deriver {
    bdk: Bdk,
    bdk_algorithm: Algorithm,
    cache: Cache,
}

impl Deriver {
    /// A context for `bdk` that keeps at most `capacity` terminals (at least 1). An entry holds the
    /// initial key and at most one intermediate key per counter bit: up to about 8 KiB for AES DUKPT,
    /// under 1 KiB for TDES DUKPT.
    pub fn new(bdk: &SymmetricKey, capacity: usize) -> Self {
        let keyed = if bdk.algorithm().is_tdes() {
            TdesBdk::new(bdk).map(Bdk::Tdes)
        } else {
            AesKey::new(bdk, "BaseDerivationKey").map(Bdk::Aes)
        };
        Deriver {
            bdk: keyed.unwrap_or(Bdk::Unusable),
            bdk_algorithm: bdk.algorithm(),
            cache: Cache::new(capacity),
        }
    }

    /// The BDK's algorithm.
    pub fn bdk_algorithm(&self) -> Algorithm {
        self.bdk_algorithm
    }

    /// How many initial keys the cache holds now.
    pub fn cached(&self) -> usize {
        self.cache.slots.len()
    }

    /// Drops (and zeroizes) every cached initial key.
    pub fn clear(&mut self) {
        self.cache.clear();
    }

    /// The initial key (IPEK for TDES) of `ksn`'s terminal.
    ///
    /// # Errors
    /// [`Error::KeyAlgorithm`] when the BDK does not fit the KSN's scheme.
    pub fn initial_key(&mut self, ksn: &Ksn) -> Result<SymmetricKey, Error> {
        match self.cache.get(&self.bdk, self.bdk_algorithm, ksn)? {
            Initial::Tdes { ipek, .. } => tdes_dukpt::to_key(ipek),
            Initial::Aes(terminal) => terminal.initial_key(),
        }
    }

    /// The key for `usage` at `ksn`; `key_type` defaults to the BDK's algorithm (AES) or TDES_2KEY (TDES).
    ///
    /// # Errors
    /// [`Error::KeyAlgorithm`] when the BDK does not fit the KSN's scheme; [`Error::UsageNotSupported`];
    /// [`Error::DerivedKeyTooStrong`] or [`Error::DerivedKeyNotSupported`]; [`Error::CounterZero`].
    pub fn derive(
        &mut self,
        ksn: &Ksn,
        usage: Usage,
        key_type: Option<Algorithm>,
    ) -> Result<SymmetricKey, Error> {
        let bdk_algorithm = self.bdk_algorithm;
        let plan = Plan::new(ksn, usage, bdk_algorithm, key_type)?;
        let entry = self.cache.get(&self.bdk, bdk_algorithm, ksn)?;
        derive_with(entry, ksn, plan, bdk_algorithm)
    }

    /// Keys for many KSNs at once, in the order given, each as [`Deriver::derive`] would return it.
    ///
    /// KSNs of one terminal share the initial key and the walk's common prefix: sorted by counter, each
    /// key after the first costs only the steps where its counter differs from the previous one's. For
    /// AES DUKPT the terminal's walks are visited as one tree: a batch of consecutive KSNs costs about one
    /// key schedule and one block-cipher call per key.
    pub fn derive_batch(
        &mut self,
        ksns: &[Ksn],
        usage: Usage,
        key_type: Option<Algorithm>,
    ) -> Vec<Result<SymmetricKey, Error>> {
        // Sort keys computed once (terminal, counter, then the index, which makes the order total).
        let mut sorted: Vec<(bool, [u8; 8], u32, usize)> = ksns
            .iter()
            .enumerate()
            .map(|(i, k)| (k.scheme() == Scheme::Aes, k.initial_key_id(), k.counter(), i))
            .collect();
        sorted.sort_unstable();
        let order: Vec<usize> = sorted.iter().map(|s| s.3).collect();
        let mut results: Vec<Option<Result<SymmetricKey, Error>>> = ksns.iter().map(|_| None).collect();
        let mut start = 0;
        while let Some(&(scheme, id, _, _)) = sorted.get(start) {
            let len = sorted[start..].iter().take_while(|s| (s.0, s.1) == (scheme, id)).count().max(1);
            if let Some(members) = order.get(start..start + len) {
                self.derive_group(ksns, members, usage, key_type, &mut results);
            }
            start += len;
        }
        let bdk = self.bdk_algorithm;
        // Every index is in exactly one group, so every slot is filled; the fallback only keeps this total.
        results
            .into_iter()
            .zip(ksns)
            .map(|(r, k)| r.unwrap_or_else(|| Err(wrong_scheme(bdk, k.scheme()))))
            .collect()
    }

    /// Derives one terminal's KSNs (`members`, sorted by counter), each walk reusing the last one's prefix.
    fn derive_group(
        &mut self,
        ksns: &[Ksn],
        members: &[usize],
        usage: Usage,
        key_type: Option<Algorithm>,
        results: &mut [Option<Result<SymmetricKey, Error>>],
    ) {
        let Some(first) = members.first().and_then(|&i| ksns.get(i)) else { return };
        let bdk_algorithm = self.bdk_algorithm;
        let mut entry = self.cache.get(&self.bdk, bdk_algorithm, first);
        if let (Ok(Initial::Aes(terminal)), Ksn::Aes(k), Usage::Aes(aes_usage)) = (&entry, first, usage) {
            aes_tree(terminal, k, ksns, members, (aes_usage, key_type, bdk_algorithm), results);
        }
        for &i in members {
            let (Some(ksn), Some(slot)) = (ksns.get(i), results.get_mut(i)) else { continue };
            if slot.is_some() {
                continue;
            }
            let result = Plan::new(ksn, usage, bdk_algorithm, key_type).and_then(|plan| match &mut entry {
                Ok(entry) => derive_with(entry, ksn, plan, bdk_algorithm),
                Err(e) => Err(e.clone()),
            });
            *slot = Some(result);
        }
    }
}

/// One AES terminal's KSNs (`members`, sorted by counter) through [`aes_dukpt::working_keys`]: each
/// intermediate key once, one block-cipher call per key. Fills the slots of the valid KSNs; the others
/// (counter 0, or a plan that fails) are left for the one-by-one path, which reports their errors.
fn aes_tree(
    terminal: &AesTerminal,
    ksn: &AesKsn,
    ksns: &[Ksn],
    members: &[usize],
    (usage, key_type, bdk): (KeyUsage, Option<Algorithm>, Algorithm),
    results: &mut [Option<Result<SymmetricKey, Error>>],
) {
    let Ok(key_type) = resolve_key_type(Scheme::Aes, bdk, key_type) else { return };
    let todo: Vec<(u32, usize)> = members
        .iter()
        .filter_map(|&i| ksns.get(i).map(|k| (k.counter(), i)))
        .filter(|&(c, _)| c != 0)
        .collect();
    let counters: Vec<u32> = todo.iter().map(|&(c, _)| c).collect();
    let mut emit = |j: usize, key: &Blocks| {
        if let Some(slot) = todo.get(j).and_then(|&(_, i)| results.get_mut(i)) {
            *slot = Some(aes_dukpt::to_key(key_type, key));
        }
    };
    let id = aes_dukpt::derivation_id(ksn);
    // A key type the BDK cannot derive fails here before any work; the one-by-one path reports it.
    let _ = match terminal {
        AesTerminal::Aes128(t) => aes_dukpt::working_keys(&t.ik, id, &counters, usage, key_type, &mut emit),
        AesTerminal::Aes192(t) => aes_dukpt::working_keys(&t.ik, id, &counters, usage, key_type, &mut emit),
        AesTerminal::Aes256(t) => aes_dukpt::working_keys(&t.ik, id, &counters, usage, key_type, &mut emit),
    };
}

/// The key of `plan` at `ksn` from its terminal's cache entry, walking from the entry's last walk.
fn derive_with(entry: &mut Initial, ksn: &Ksn, plan: Plan, bdk: Algorithm) -> Result<SymmetricKey, Error> {
    match (entry, ksn, plan) {
        (Initial::Tdes { ipek, walk }, Ksn::Tdes(k), Plan::Tdes(variant)) => {
            let base = k.register_base();
            let key = walk_shared(walk, k.counter(), |parent, prefix| {
                Ok(Zeroizing::new(tdes_dukpt::nrkgp(parent.unwrap_or(ipek), base | u64::from(prefix))))
            })?;
            tdes_dukpt::to_key(&tdes_dukpt::apply_variant(key, variant))
        }
        (Initial::Aes(terminal), Ksn::Aes(k), Plan::Aes(usage, key_type)) => match terminal {
            AesTerminal::Aes128(t) => t.derive(k, usage, key_type),
            AesTerminal::Aes192(t) => t.derive(k, usage, key_type),
            AesTerminal::Aes256(t) => t.derive(k, usage, key_type),
        },
        _ => Err(wrong_scheme(bdk, ksn.scheme())),
    }
}

impl fmt::Debug for Deriver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Deriver")
            .field("bdk_algorithm", &self.bdk_algorithm)
            .field("bdk", &"...")
            .field("cached", &self.cache.slots.len())
            .field("capacity", &self.cache.capacity)
            .finish()
    }
}

/// The keyed BDK.
// One per `Deriver`, which the one-shot functions build per call: boxing would add an allocation there.
#[allow(clippy::large_enum_variant)]
enum Bdk {
    Tdes(TdesBdk),
    Aes(AesKey),
    /// A key no DUKPT scheme uses; every derivation fails with [`Error::KeyAlgorithm`].
    Unusable,
}

/// A cached initial key, and the intermediate keys of the terminal's last walk (prefix, key), most
/// significant step first: the next KSN of the same terminal reuses the steps its counter shares.
// Cache entries live in the slots; a box per entry would cost an allocation per miss and a pointer chase
// per hit, for at most ~300 bytes saved on TDES entries.
#[allow(clippy::large_enum_variant)]
enum Initial {
    Tdes { ipek: Zeroizing<[u64; 2]>, walk: Vec<(u32, Zeroizing<[u64; 2]>)> },
    Aes(AesTerminal),
}

/// An AES terminal's cache entry, of the BDK's type.
enum AesTerminal {
    Aes128(Terminal<Aes128Enc>),
    Aes192(Terminal<Aes192Enc>),
    Aes256(Terminal<Aes256Enc>),
}

impl AesTerminal {
    /// The entry of the terminal `initial_key_id` under `bdk`.
    fn new(bdk: &AesKey, initial_key_id: &[u8; 8]) -> Self {
        match bdk {
            AesKey::Aes128(c) => AesTerminal::Aes128(Terminal::new(c, initial_key_id)),
            AesKey::Aes192(c) => AesTerminal::Aes192(Terminal::new(c, initial_key_id)),
            AesKey::Aes256(c) => AesTerminal::Aes256(Terminal::new(c, initial_key_id)),
        }
    }

    /// The initial key.
    fn initial_key(&self) -> Result<SymmetricKey, Error> {
        match self {
            AesTerminal::Aes128(t) => aes_dukpt::to_key(Algorithm::Aes128, &t.ik_bytes),
            AesTerminal::Aes192(t) => aes_dukpt::to_key(Algorithm::Aes192, &t.ik_bytes),
            AesTerminal::Aes256(t) => aes_dukpt::to_key(Algorithm::Aes256, &t.ik_bytes),
        }
    }
}

/// A terminal's initial key (bytes and key schedule) and the intermediate keys of its last walk: `walk[d]`
/// holds the prefix and key bytes of step `d` for `d < depth`, most significant step first.
struct Terminal<C> {
    ik_bytes: Zeroizing<Blocks>,
    ik: C,
    walk: Zeroizing<[(u32, Blocks); 32]>,
    depth: usize,
}

impl<C: AesType> Terminal<C> {
    /// The initial key of `initial_key_id` under `bdk`, keyed.
    fn new(bdk: &C, initial_key_id: &[u8; 8]) -> Self {
        let mut ik_bytes = Zeroizing::new([[0u8; 16]; 2]);
        let data = aes_dukpt::derivation_data(aes_dukpt::USAGE_INITIAL_KEY, C::ALGORITHM, *initial_key_id);
        aes_dukpt::encrypt_into(bdk, &data, C::BLOCKS, &mut ik_bytes);
        let ik = aes_dukpt::schedule::<C>(&ik_bytes);
        Terminal { ik_bytes, ik, walk: Zeroizing::new([(0, [[0; 16]; 2]); 32]), depth: 0 }
    }

    /// The working key at `ksn` (counter not 0; `key_type` checked), walking from the last walk's shared
    /// prefix. Each new step is the raw loop's: its parent keyed from its bytes (the initial key's schedule
    /// is kept) and one block written in place; the working key one key schedule and one block more. Only
    /// key bytes are kept, so no key schedule is ever moved.
    fn derive(&mut self, ksn: &AesKsn, usage: KeyUsage, key_type: Algorithm) -> Result<SymmetricKey, Error> {
        let id = aes_dukpt::derivation_id(ksn);
        let counter = ksn.counter();
        let mut data = aes_dukpt::intermediate_data(C::ALGORITHM, id);
        let (mut rest, mut prefix, mut depth) = (counter, 0u32, 0usize);
        while rest != 0 {
            let bit = 1u32 << (31 - rest.leading_zeros());
            rest ^= bit;
            prefix |= bit;
            let shared = depth < self.depth && self.walk.get(depth).is_some_and(|(p, _)| *p == prefix);
            if !shared {
                aes_dukpt::set_counter(&mut data, prefix);
                let parent = depth
                    .checked_sub(1)
                    .and_then(|d| self.walk.get(d))
                    .map(|(_, b)| aes_dukpt::schedule::<C>(b));
                // A u32 counter has at most 32 one-bits, so `depth` < 32 always.
                let Some((p, bytes)) = self.walk.get_mut(depth) else {
                    return Err(Error::CounterBits {
                        scheme: Scheme::Aes,
                        counter,
                        ones: counter.count_ones(),
                        max: 32,
                    });
                };
                aes_dukpt::encrypt_into(parent.as_ref().unwrap_or(&self.ik), &data, C::BLOCKS, bytes);
                *p = prefix;
                self.depth = depth + 1;
            }
            depth += 1;
        }
        self.depth = depth;
        let key = match depth.checked_sub(1).and_then(|d| self.walk.get(d)) {
            Some((_, bytes)) => aes_dukpt::schedule::<C>(bytes),
            None => return Err(Error::CounterZero { scheme: Scheme::Aes }),
        };
        let data = aes_dukpt::derivation_data(usage.value(), key_type, aes_dukpt::ksn_data(id, counter));
        aes_dukpt::derive_to_key(&key, &data, key_type)
    }
}

/// What a derivation produces, checked once before any work.
#[derive(Clone, Copy)]
enum Plan {
    Tdes(crate::primitives::dukpt::TdesVariant),
    Aes(crate::primitives::dukpt::KeyUsage, Algorithm),
}

impl Plan {
    fn new(ksn: &Ksn, usage: Usage, bdk: Algorithm, key_type: Option<Algorithm>) -> Result<Self, Error> {
        let scheme = ksn.scheme();
        let key_type = resolve_key_type(scheme, bdk, key_type)?;
        if ksn.counter() == 0 {
            return Err(Error::CounterZero { scheme });
        }
        Ok(match scheme {
            Scheme::Tdes => Plan::Tdes(usage.tdes()?),
            Scheme::Aes => Plan::Aes(usage.aes()?, key_type),
        })
    }
}

/// A cache key: the scheme and the initial key ID.
type TerminalId = (Scheme, [u8; 8]);

/// Least-recently-used initial keys by (scheme, initial key ID): entries in slots, a hash index to them,
/// and the slot used last, which a run of KSNs of one terminal finds without hashing.
struct Cache {
    capacity: usize,
    tick: u64,
    index: HashMap<TerminalId, usize>,
    slots: Vec<Slot>,
    last: usize,
}

/// One cached terminal.
struct Slot {
    id: TerminalId,
    used: u64,
    initial: Initial,
}

impl Cache {
    fn new(capacity: usize) -> Self {
        Cache { capacity: capacity.max(1), tick: 0, index: HashMap::new(), slots: Vec::new(), last: 0 }
    }

    fn clear(&mut self) {
        self.index.clear();
        self.slots.clear();
        self.last = 0;
    }

    /// The initial key of `ksn`'s terminal, derived and inserted on a miss.
    fn get(&mut self, bdk: &Bdk, bdk_algorithm: Algorithm, ksn: &Ksn) -> Result<&mut Initial, Error> {
        self.tick += 1;
        let id = (ksn.scheme(), ksn.initial_key_id());
        let found = match self.slots.get(self.last) {
            Some(slot) if slot.id == id => Some(self.last),
            _ => self.index.get(&id).copied(),
        };
        let at = match found {
            Some(at) => at,
            None => self.insert(id, Self::initial(bdk, bdk_algorithm, ksn, &id)?),
        };
        self.last = at;
        let tick = self.tick;
        match self.slots.get_mut(at) {
            Some(slot) => {
                slot.used = tick;
                Ok(&mut slot.initial)
            }
            None => Err(wrong_scheme(bdk_algorithm, ksn.scheme())),
        }
    }

    /// A new entry for `ksn`'s terminal.
    fn initial(bdk: &Bdk, bdk_algorithm: Algorithm, ksn: &Ksn, id: &TerminalId) -> Result<Initial, Error> {
        match (bdk, ksn) {
            (Bdk::Tdes(bdk), Ksn::Tdes(_)) => Ok(Initial::Tdes { ipek: bdk.ipek(id.1), walk: Vec::new() }),
            (Bdk::Aes(bdk), Ksn::Aes(_)) => Ok(Initial::Aes(AesTerminal::new(bdk, &id.1))),
            _ => Err(wrong_scheme(bdk_algorithm, ksn.scheme())),
        }
    }

    /// Stores `initial` under `id`, evicting the least recently used entry when full; returns its slot.
    fn insert(&mut self, id: TerminalId, initial: Initial) -> usize {
        let slot = Slot { id, used: self.tick, initial };
        if self.slots.len() < self.capacity {
            self.slots.push(slot);
            let at = self.slots.len() - 1;
            self.index.insert(id, at);
            return at;
        }
        let oldest = self.slots.iter().enumerate().min_by_key(|(_, s)| s.used).map_or(0, |(at, _)| at);
        if let Some(old) = self.slots.get_mut(oldest) {
            self.index.remove(&old.id);
            // The evicted entry drops here, zeroizing its keys and key schedules.
            *old = slot;
        }
        self.index.insert(id, oldest);
        oldest
    }
}

/// The BDK-does-not-fit error for `scheme`.
fn wrong_scheme(bdk: Algorithm, scheme: Scheme) -> Error {
    Error::KeyAlgorithm {
        key: "BaseDerivationKey",
        scheme,
        algorithm: bdk,
        expected: match scheme {
            Scheme::Tdes => "TDES_2KEY or TDES_3KEY",
            Scheme::Aes => "AES_128, AES_192 or AES_256",
        },
    }
}

/// Walks `counter`'s one-bits from the most significant, reusing the entries of `stack` (prefix, key)
/// that the previous walk left and that this counter shares; returns the key of `counter`.
fn walk_shared<K>(
    stack: &mut Vec<(u32, K)>,
    counter: u32,
    mut step: impl FnMut(Option<&K>, u32) -> Result<K, Error>,
) -> Result<&K, Error> {
    let mut rest = counter;
    let mut prefix = 0u32;
    let mut depth = 0;
    while rest != 0 {
        let bit = 1u32 << (31 - rest.leading_zeros());
        rest ^= bit;
        prefix |= bit;
        if stack.get(depth).map(|(p, _)| *p) != Some(prefix) {
            stack.truncate(depth);
            let key = step(stack.last().map(|(_, k)| k), prefix)?;
            stack.push((prefix, key));
        }
        depth += 1;
    }
    stack.truncate(depth);
    stack.last().map(|(_, k)| k).ok_or(Error::CounterZero { scheme: Scheme::Aes })
}
