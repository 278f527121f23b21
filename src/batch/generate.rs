//! Test files for batch jobs: N records with known plaintexts, encrypted under known keys (and KSNs), so
//! tests and benchmarks can check every output record. The ciphertexts come from the service itself
//! (EncryptData on a store seeded with the generated keys); an independent implementation checks the
//! re-encrypted output against the `plain` column.
//!
//! A CSV file `id,[ksn,]iv,plain,data`: `plain` the 16-byte plaintext, `data` it encrypted with the
//! incoming key (or the DUKPT key of `ksn`) in CBC mode, `iv` a per-record IV for the outgoing side (and
//! the incoming side of the symmetric kinds). With it, a seed file holding the keys behind
//! `alias/batch-in` (or `alias/batch-bdk`) and `alias/batch-out`, and the ReEncryptData request that
//! turns `data` into ciphertext under `alias/batch-out`.

use std::fmt;
use std::io::Write;
use std::str::FromStr;

use serde_json::{Value, json};

use crate::batch::BatchError;
use crate::keys::MemoryStore;
use crate::service::{EncryptDataInput, PaymentCryptography, SeedFile, Settings};

/// What the records hold.
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
pub enum Kind {
    /// AES-128-CBC data, to be re-encrypted to AES-256-CBC.
    Aes,
    /// TDES 2-key CBC data, to be re-encrypted to TDES 3-key CBC.
    Tdes,
    /// AES DUKPT (AES-128 BDK, CBC) data from many terminals, to AES-128-CBC.
    AesDukpt,
    /// TDES DUKPT (2-key BDK, CBC) data from many terminals, to TDES 2-key CBC.
    TdesDukpt,
}

impl Kind {
    /// Every kind.
    pub const ALL: [Kind; 4] = [Kind::Aes, Kind::Tdes, Kind::AesDukpt, Kind::TdesDukpt];

    /// Its name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Aes => "aes",
            Kind::Tdes => "tdes",
            Kind::AesDukpt => "aes-dukpt",
            Kind::TdesDukpt => "tdes-dukpt",
        }
    }

    fn dukpt(self) -> bool {
        matches!(self, Kind::AesDukpt | Kind::TdesDukpt)
    }

    /// (incoming algorithm, outgoing algorithm, IV hex digits of the outgoing key's block).
    fn algorithms(self) -> (&'static str, &'static str, usize) {
        match self {
            Kind::Aes => ("AES_128", "AES_256", 32),
            Kind::Tdes => ("TDES_2KEY", "TDES_3KEY", 16),
            Kind::AesDukpt => ("AES_128", "AES_128", 32),
            Kind::TdesDukpt => ("TDES_2KEY", "TDES_2KEY", 16),
        }
    }
}

impl FromStr for Kind {
    type Err = BatchError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Kind::ALL.into_iter().find(|k| k.name() == s).ok_or_else(|| {
            BatchError::Job(format!("unknown kind {s:?}: aes, tdes, aes-dukpt or tdes-dukpt."))
        })
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What to generate.
#[derive(Clone, Copy, Debug)]
pub struct Spec {
    /// The kind of records.
    pub kind: Kind,
    /// How many.
    pub records: u64,
    /// DUKPT kinds: how many terminals the records come from, interleaved (record `i` from terminal
    /// `i % terminals`, each terminal's counters increasing).
    pub terminals: u64,
    /// The seed of the keys, plaintexts and IVs: the same seed gives the same file.
    pub seed: u64,
}

/// What goes with the generated file.
#[derive(Clone, Debug)]
pub struct Generated {
    /// The seed file (keys and aliases) for `paycrypt seed`.
    pub seed_file: Value,
    /// The ReEncryptData request of the job, with placeholders.
    pub request: Value,
    /// The `--result` of the job.
    pub result: &'static str,
}

/// Writes `spec.records` records as CSV to `out`.
///
/// # Errors
/// [`BatchError::Io`] when `out` fails; [`BatchError::Job`] if the service refuses a generated record
/// (a bug: the generator makes only valid ones).
pub fn generate(spec: &Spec, out: &mut dyn Write) -> Result<Generated, BatchError> {
    let mut rng = SplitMix(spec.seed);
    let (in_alg, out_alg, iv_digits) = spec.kind.algorithms();
    let in_key = key_hex(&mut rng, in_alg);
    let out_key = key_hex(&mut rng, out_alg);
    let (in_id, in_alias, in_usage, in_modes) = if spec.kind.dukpt() {
        ("batchbdk00000001", "alias/batch-bdk", "TR31_B0_BASE_DERIVATION_KEY", json!({"DeriveKey": true}))
    } else {
        (
            "batchin000000001",
            "alias/batch-in",
            "TR31_D0_SYMMETRIC_DATA_ENCRYPTION_KEY",
            json!({"Encrypt": true, "Decrypt": true, "Wrap": true, "Unwrap": true}),
        )
    };
    let seed_file = json!({
        "Keys": [
            {"KeyId": in_id, "KeyAttributes": {"KeyAlgorithm": in_alg, "KeyClass": "SYMMETRIC_KEY",
                "KeyUsage": in_usage, "KeyModesOfUse": in_modes}, "KeyMaterial": in_key},
            {"KeyId": "batchout00000001", "KeyAttributes": {"KeyAlgorithm": out_alg, "KeyClass": "SYMMETRIC_KEY",
                "KeyUsage": "TR31_D0_SYMMETRIC_DATA_ENCRYPTION_KEY",
                "KeyModesOfUse": {"Encrypt": true, "Decrypt": true, "Wrap": true, "Unwrap": true}}, "KeyMaterial": out_key},
        ],
        "Aliases": [
            {"AliasName": in_alias, "KeyId": in_id},
            {"AliasName": "alias/batch-out", "KeyId": "batchout00000001"},
        ],
    });
    let incoming = if spec.kind.dukpt() {
        json!({"Dukpt": {"KeySerialNumber": "{ksn}", "Mode": "CBC"}})
    } else {
        json!({"Symmetric": {"Mode": "CBC", "InitializationVector": "{iv}"}})
    };
    let request = json!({
        "IncomingKeyIdentifier": in_alias,
        "OutgoingKeyIdentifier": "alias/batch-out",
        "CipherText": "{data}",
        "IncomingEncryptionAttributes": incoming,
        "OutgoingEncryptionAttributes": {"Symmetric": {"Mode": "CBC", "InitializationVector": "{iv}"}},
    });

    let service = PaymentCryptography::new(MemoryStore::new(), Settings::default());
    let seed: SeedFile = serde_json::from_value(seed_file.clone())
        .map_err(|e| BatchError::Job(format!("generated seed file: {e}")))?;
    service.seed(&seed).map_err(|e| BatchError::Job(format!("generated seed file: {e}")))?;
    let mut session = service.session();
    let io = |e| BatchError::io(std::path::Path::new("-"), e);

    let header: &[u8] = if spec.kind.dukpt() { b"id,ksn,iv,plain,data\n" } else { b"id,iv,plain,data\n" };
    out.write_all(header).map_err(io)?;
    let terminals = spec.terminals.max(1);
    let mut counters = vec![0u32; usize::try_from(terminals.min(1 << 20)).unwrap_or(1)];
    let mut line = String::with_capacity(160);
    for i in 0..spec.records {
        let plain = hex_random(&mut rng, 32);
        let iv = hex_random(&mut rng, iv_digits);
        let attributes = if spec.kind.dukpt() {
            let t = usize::try_from(i % counters.len() as u64).unwrap_or(0);
            let ksn = next_ksn(spec.kind, t, &mut counters[t]);
            json!({"Dukpt": {"KeySerialNumber": ksn, "Mode": "CBC"}})
        } else {
            json!({"Symmetric": {"Mode": "CBC", "InitializationVector": iv}})
        };
        let input: EncryptDataInput = serde_json::from_value(json!({
            "KeyIdentifier": in_alias, "PlainText": plain, "EncryptionAttributes": attributes,
        }))
        .map_err(|e| BatchError::Job(format!("generated request: {e}")))?;
        let data =
            session.encrypt_data(&input).map_err(|e| BatchError::Job(format!("generated record: {e}")))?;
        line.clear();
        line.push_str(&i.to_string());
        line.push(',');
        if let Some(ksn) = input.encryption_attributes.dukpt.as_ref().map(|d| &d.key_serial_number) {
            line.push_str(ksn);
            line.push(',');
        }
        for field in [&iv, &plain, &data.cipher_text] {
            line.push_str(field);
            line.push(',');
        }
        line.pop();
        line.push('\n');
        out.write_all(line.as_bytes()).map_err(io)?;
    }
    out.flush().map_err(io)?;
    Ok(Generated { seed_file, request, result: "data=CipherText" })
}

/// The next KSN of terminal `t`: its counter advanced to the next value the scheme allows (TDES: at
/// most 10 one-bits in 21 bits; AES: at most 16 in 32).
fn next_ksn(kind: Kind, t: usize, counter: &mut u32) -> String {
    let (max_ones, bits) = if kind == Kind::TdesDukpt { (10, 21) } else { (16, 32) };
    loop {
        *counter = counter.wrapping_add(1);
        if *counter != 0 && counter.count_ones() <= max_ones && u64::from(*counter) < (1u64 << bits) {
            break;
        }
        if u64::from(*counter) >= (1u64 << bits) {
            *counter = 0;
        }
    }
    let t = t as u64;
    if kind == Kind::TdesDukpt {
        // 59 bits of key set id and device id (the terminal in the low 20), then the 21-bit counter.
        let id: u128 = 0x7FF_F987_6540_0000 | u128::from(t & 0xF_FFFF);
        format!("{:020X}", (id << 21) | u128::from(*counter))
    } else {
        // BDK id 4 bytes, derivation id 4 bytes (the terminal), counter 4 bytes.
        format!("12345678{:08X}{:08X}", t & 0xFFFF_FFFF, *counter)
    }
}

fn key_hex(rng: &mut SplitMix, algorithm: &str) -> String {
    let len = match algorithm {
        "AES_128" | "TDES_2KEY" => 16,
        "TDES_3KEY" | "AES_192" => 24,
        _ => 32,
    };
    let mut bytes: Vec<u8> = (0..len).map(|_| rng.byte()).collect();
    if algorithm.starts_with("TDES") {
        // DES keys carry odd parity in each byte's low bit.
        for b in &mut bytes {
            *b = (*b & 0xFE) | u8::from((*b & 0xFE).count_ones() % 2 == 0);
        }
    }
    hex::encode_upper(bytes)
}

fn hex_random(rng: &mut SplitMix, digits: usize) -> String {
    let bytes: Vec<u8> = (0..digits / 2).map(|_| rng.byte()).collect();
    hex::encode_upper(bytes)
}

/// SplitMix64: a small, fast, seedable generator for test data (not for keys anyone uses).
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn byte(&mut self) -> u8 {
        (self.next() >> 56) as u8
    }
}
