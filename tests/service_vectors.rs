//! Known answers through the service: every NIST TDES/AES vector with at least one whole block of
//! data (AWS's rule for EncryptData; stream modes use the vector's longest whole-block prefix), with the key imported as clear material and the operation
//! called as EncryptData or DecryptData. Each run prints its DONE line.

mod common;

use std::collections::HashMap;

use serde::Deserialize;

use common::{Tally, load};
use paycrypt::keys::MemoryStore;
use paycrypt::service::{
    DecryptDataInput, EncryptDataInput, EncryptionDecryptionAttributes, ImportKeyInput, PaymentCryptography,
    Settings, SymmetricEncryptionAttributes,
};
use paycrypt::{Algorithm, Mode};

#[derive(Deserialize)]
struct CipherCase {
    id: String,
    algorithm: Algorithm,
    mode: Mode,
    direction: String,
    key: String,
    iv: Option<String>,
    input: String,
    output: String,
    bits: usize,
}

struct Harness {
    svc: PaymentCryptography<MemoryStore>,
    arns: HashMap<(Algorithm, String), String>,
}

impl Harness {
    fn new() -> Self {
        Harness {
            svc: PaymentCryptography::new(MemoryStore::new(), Settings::default()),
            arns: HashMap::new(),
        }
    }

    /// The ARN of the clear key, importing it on first use.
    fn arn(&mut self, algorithm: Algorithm, key: &str) -> Result<String, String> {
        if let Some(arn) = self.arns.get(&(algorithm, key.to_uppercase())) {
            return Ok(arn.clone());
        }
        let json = format!(
            r#"{{"KeyMaterial":{{"ClearKey":{{"KeyAttributes":{{"KeyAlgorithm":"{algorithm}","KeyClass":"SYMMETRIC_KEY",
            "KeyUsage":"TR31_D0_SYMMETRIC_DATA_ENCRYPTION_KEY","KeyModesOfUse":{{"Encrypt":true,"Decrypt":true,"Wrap":true,"Unwrap":true}}}},
            "KeyMaterial":"{key}"}}}}}}"#
        );
        let input: ImportKeyInput = serde_json::from_str(&json).map_err(|e| e.to_string())?;
        let arn = self.svc.import_key(input).map_err(|e| e.to_string())?.key.key_arn.to_string();
        self.arns.insert((algorithm, key.to_uppercase()), arn.clone());
        Ok(arn)
    }

    fn run(&mut self, case: &CipherCase) -> Option<Result<(), String>> {
        // AWS takes whole blocks only. The stream modes (CFB, OFB) have the prefix property, so a
        // vector's longest whole-block prefix is a known answer too.
        let block = case.algorithm.block_len() * 2;
        let stream = !matches!(case.mode, Mode::Ecb | Mode::Cbc);
        let len = if stream { case.input.len() / block * block } else { case.input.len() };
        let whole =
            len.is_multiple_of(block) && len > 0 && case.bits.is_multiple_of(8) && case.bits / 4 >= len;
        if !whole || len > 4096 {
            return None;
        }
        let input = &case.input[..len];
        let expected = case.output[..len].to_uppercase();
        let arn = match self.arn(case.algorithm, &case.key) {
            Ok(a) => a,
            Err(e) => return Some(Err(e)),
        };
        let attrs = EncryptionDecryptionAttributes {
            symmetric: Some(SymmetricEncryptionAttributes {
                mode: case.mode,
                initialization_vector: case.iv.clone(),
                padding_type: None,
            }),
            ..EncryptionDecryptionAttributes::default()
        };
        let got = if case.direction == "encrypt" {
            self.svc
                .encrypt_data(EncryptDataInput {
                    key_identifier: arn,
                    plain_text: input.to_owned(),
                    encryption_attributes: attrs,
                    wrapped_key: None,
                })
                .map(|o| o.cipher_text)
        } else {
            self.svc
                .decrypt_data(DecryptDataInput {
                    key_identifier: arn,
                    cipher_text: input.to_owned(),
                    decryption_attributes: attrs,
                    wrapped_key: None,
                })
                .map(|o| o.plain_text)
        };
        Some(match got {
            Ok(hex) if hex == expected => Ok(()),
            Ok(hex) => Err(format!("got {hex} expected {expected}")),
            Err(e) => Err(e.to_string()),
        })
    }
}

fn run_file(name: &str) {
    let file = load::<CipherCase>(name);
    let mut harness = Harness::new();
    let mut tally = Tally::new(name);
    for case in &file.cases {
        match harness.run(case) {
            Some(outcome) => tally.record(&case.id, outcome),
            None => tally.skip(),
        }
    }
    tally.finish();
}

macro_rules! service_vectors {
    ($($test:ident => $file:literal),+ $(,)?) => {
        $(#[test] fn $test() { run_file($file); })+
    };
}

service_vectors! {
    aes_cbc => "aes_cbc",
    aes_ecb => "aes_ecb",
    aes_cfb128 => "aes_cfb128",
    aes_ofb => "aes_ofb",
    aes_sp800_38a => "aes_sp800_38a", // includes CFB1 and CFB8 with whole-block prefixes
    tdes_cbc => "tdes_cbc",
    tdes_ecb => "tdes_ecb",
    tdes_cfb8 => "tdes_cfb8",
    tdes_cfb64 => "tdes_cfb64",
    tdes_ofb => "tdes_ofb",
}
