//! `service`, `kms`, `esdk` and `tr31`: whole operations through the library as the server runs them,
//! each instance with its own service over a memory store (keys loaded, so no disk is timed).

use std::hint::black_box;

use serde_json::{Value, json};

use crate::Mode;
use crate::esdk::{
    self, DecryptOptions, EncryptOptions, EncryptionContext, Keyring, KmsKeyring, RawAesKeyring, Suite,
};
use crate::keys::MemoryStore;
use crate::perf::workload::{Direction, Op, Workload, WorkloadError};
use crate::primitives::tr31::{self, Header};
use crate::service::kms::{CreateKeyRequest, EncryptRequest, GenerateDataKeyRequest, Kms, SecretBlob};
use crate::service::{EncryptDataInput, ImportKeyInput, PaymentCryptography, ReEncryptDataInput, Settings};

/// The service over a memory store.
type Service = PaymentCryptography<MemoryStore>;

/// The AES-128 data key EncryptData uses (FIPS 197's).
const AES_KEY: &str = "2B7E151628AED2A6ABF7158809CF4F3C";
/// The CBC IV of the service workloads.
const IV: &str = "000102030405060708090A0B0C0D0E0F";
/// The TDES BDK of ReEncryptData (X9.24-1 Annex A's).
const BDK: &str = "0123456789ABCDEFFEDCBA9876543210";
/// The terminal's KSN in ReEncryptData.
const KSN: &str = "FFFF9876543210E00003";
/// Bytes KMS Encrypt encrypts.
pub const KMS_BYTES: usize = 256;
/// The ESDK frame length.
pub const ESDK_FRAME: u32 = 4096;
/// The TR-31 cases: (name, header, KBPK length, key length), as `benches/peers/tr31_psec.py` has them.
pub const TR31_CASES: [(&str, &str, usize, usize); 2] = [
    ("B_tdes2", "B0000P0TE00E0100KS1800604B120F9292800000", 16, 16),
    ("D_aes256", "D0000P0AE00E0100KS1800604B120F9292800000", 32, 32),
];

/// EncryptData of 32 bytes under an AES-128 key in CBC mode, the request built each call as the server
/// builds it from JSON.
pub fn encrypt_data() -> Workload {
    Workload::new("service", "EncryptData AES-128-CBC (32 B)", None, || {
        let service = PaymentCryptography::new(MemoryStore::new(), Settings::default());
        let attributes = json!({"KeyAlgorithm": "AES_128", "KeyClass": "SYMMETRIC_KEY",
            "KeyUsage": "TR31_D0_SYMMETRIC_DATA_ENCRYPTION_KEY", "KeyModesOfUse": {"NoRestrictions": true}});
        let arn = import(&service, attributes, AES_KEY)?;
        let plain = "6B".repeat(32);
        Ok(Box::new(move || {
            black_box(service.encrypt_data(black_box(EncryptDataInput::symmetric(
                &arn,
                &plain,
                Mode::Cbc,
                Some(IV),
            ))))
            .map(drop)
            .map_err(WorkloadError::because("EncryptData"))
        }))
    })
}

/// ReEncryptData of 16 bytes from a terminal's TDES DUKPT data key (REQUEST variant, CBC) to an
/// AES-128 zone key in CBC mode.
pub fn re_encrypt_dukpt() -> Workload {
    Workload::new("service", "ReEncryptData TDES DUKPT to AES-128-CBC (16 B)", None, || {
        let service = PaymentCryptography::new(MemoryStore::new(), Settings::default());
        let bdk = import(
            &service,
            json!({"KeyAlgorithm": "TDES_2KEY", "KeyClass": "SYMMETRIC_KEY",
                "KeyUsage": "TR31_B0_BASE_DERIVATION_KEY", "KeyModesOfUse": {"DeriveKey": true}}),
            BDK,
        )?;
        let zone = import(
            &service,
            json!({"KeyAlgorithm": "AES_128", "KeyClass": "SYMMETRIC_KEY",
                "KeyUsage": "TR31_D0_SYMMETRIC_DATA_ENCRYPTION_KEY",
                "KeyModesOfUse": {"Encrypt": true, "Decrypt": true, "Wrap": true, "Unwrap": true}}),
            AES_KEY,
        )?;
        let dukpt = json!({"Dukpt": {"KeySerialNumber": KSN, "DukptKeyVariant": "REQUEST"}});
        let symmetric = json!({"Symmetric": {"Mode": "CBC", "InitializationVector": IV}});
        let terminal = service
            .encrypt_data(EncryptDataInput {
                key_identifier: bdk.clone(),
                plain_text: "4E6F77206973207468652074696D6520".to_owned(),
                encryption_attributes: from_json(dukpt.clone())?,
                wrapped_key: None,
            })
            .map_err(WorkloadError::because("EncryptData"))?
            .cipher_text;
        let request = ReEncryptDataInput {
            incoming_key_identifier: bdk,
            outgoing_key_identifier: zone,
            cipher_text: terminal,
            incoming_encryption_attributes: from_json(dukpt)?,
            outgoing_encryption_attributes: from_json(symmetric)?,
            incoming_wrapped_key: None,
            outgoing_wrapped_key: None,
        };
        Ok(Box::new(move || {
            black_box(service.re_encrypt_data(black_box(request.clone())))
                .map(drop)
                .map_err(WorkloadError::because("ReEncryptData"))
        }))
    })
}

/// KMS Encrypt of 256 bytes under a symmetric KMS key, with an encryption context.
pub fn kms_encrypt() -> Workload {
    Workload::new("kms", "KMS Encrypt (256 B)", None, || {
        let (kms, key_id) = kms()?;
        let context = context();
        let plaintext = vec![0x42u8; KMS_BYTES];
        Ok(Box::new(move || {
            let out = kms.encrypt(EncryptRequest {
                key_id: key_id.clone(),
                plaintext: SecretBlob::new(plaintext.clone()),
                encryption_context: Some(context.clone()),
                ..EncryptRequest::default()
            });
            black_box(out).map(drop).map_err(WorkloadError::because("KMS Encrypt"))
        }))
    })
}

/// KMS GenerateDataKey of a 32-byte (AES-256) data key, with an encryption context.
pub fn kms_generate_data_key() -> Workload {
    Workload::new("kms", "KMS GenerateDataKey (32-byte key)", None, || {
        let (kms, key_id) = kms()?;
        let context = context();
        Ok(Box::new(move || {
            let out = kms.generate_data_key(GenerateDataKeyRequest {
                key_id: key_id.clone(),
                number_of_bytes: Some(32),
                encryption_context: Some(context.clone()),
                ..GenerateDataKeyRequest::default()
            });
            black_box(out).map(drop).map_err(WorkloadError::because("KMS GenerateDataKey"))
        }))
    })
}

/// The ESDK keyrings measured.
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
pub enum EsdkKeyring {
    /// A KMS keyring over the local [`Kms`] (a memory store): each message one GenerateDataKey, or one
    /// Decrypt.
    Kms,
    /// A raw AES-256 keyring: the data key wrapped locally, the message's own cost.
    Raw,
}

impl EsdkKeyring {
    /// `kms` or `raw`, as the bench IDs spell it.
    pub const fn name(self) -> &'static str {
        match self {
            EsdkKeyring::Kms => "kms",
            EsdkKeyring::Raw => "raw",
        }
    }
}

/// An AWS Encryption SDK message of `bytes` bytes in suite `suite_id` (0x0478 or 0x0578), 4 KiB frames,
/// encrypted or decrypted (a message made once, checked against the plaintext) with `keyring`.
pub fn esdk(suite_id: u16, keyring: EsdkKeyring, direction: Direction, bytes: usize) -> Workload {
    let name = format!("ESDK 0x{suite_id:04X} {} {}", keyring.name(), direction.name());
    Workload::new("esdk", name, Some(bytes), move || {
        let suite =
            Suite::from_id(suite_id).ok_or_else(|| WorkloadError::new(format!("no suite {suite_id:04X}")))?;
        let ring: Box<dyn Keyring> = match keyring {
            EsdkKeyring::Kms => {
                let (kms, key_id) = kms()?;
                Box::new(KmsKeyring::new(kms, vec![key_id]).map_err(WorkloadError::because("KMS keyring"))?)
            }
            EsdkKeyring::Raw => Box::new(
                RawAesKeyring::new("bench", "raw-1", &[7u8; 32])
                    .map_err(WorkloadError::because("raw keyring"))?,
            ),
        };
        let options = EncryptOptions { suite, frame_length: ESDK_FRAME, context: context() };
        let plaintext = vec![0x5au8; bytes];
        let message = esdk::encrypt(&plaintext, ring.as_ref(), &options)
            .map_err(WorkloadError::because("ESDK encrypt"))?;
        let decrypt_options = DecryptOptions::default();
        let check = esdk::decrypt(&message, ring.as_ref(), &decrypt_options)
            .map_err(WorkloadError::because("ESDK decrypt"))?;
        if check.plaintext.as_slice() != plaintext.as_slice() {
            return Err(WorkloadError::new("ESDK decryption did not give back the plaintext"));
        }
        let op: Op = match direction {
            Direction::Encrypt => Box::new(move || {
                black_box(esdk::encrypt(black_box(&plaintext), ring.as_ref(), &options))
                    .map(drop)
                    .map_err(WorkloadError::because("ESDK encrypt"))
            }),
            Direction::Decrypt => Box::new(move || {
                black_box(esdk::decrypt(black_box(&message), ring.as_ref(), &decrypt_options))
                    .map(drop)
                    .map_err(WorkloadError::because("ESDK decrypt"))
            }),
        };
        Ok(op)
    })
}

/// TR-31 wrap (or unwrap of a block wrapped once, checked) of case `name` of [`TR31_CASES`].
///
/// An instance fails for a name not in [`TR31_CASES`].
pub fn tr31(name: &'static str, direction: Direction) -> Workload {
    let verb = match direction {
        Direction::Encrypt => "wrap",
        Direction::Decrypt => "unwrap",
    };
    Workload::new("tr31", format!("TR-31 {verb} {name}"), None, move || {
        let Some(&(_, text, kbpk_len, key_len)) = TR31_CASES.iter().find(|c| c.0 == name) else {
            return Err(WorkloadError::new(format!("no TR-31 case {name}")));
        };
        let header = Header::parse(text).map_err(WorkloadError::because("TR-31 header"))?;
        let kbpk = vec![0x41u8; kbpk_len];
        let key = vec![0x5au8; key_len];
        let block = tr31::wrap(&kbpk, &header, &key).map_err(WorkloadError::because("TR-31 wrap"))?;
        let unwrapped = tr31::unwrap(&kbpk, &block).map_err(WorkloadError::because("TR-31 unwrap"))?;
        if unwrapped.key.as_slice() != key.as_slice() {
            return Err(WorkloadError::new("TR-31 unwrap did not give back the key"));
        }
        let op: Op = match direction {
            Direction::Encrypt => Box::new(move || {
                black_box(tr31::wrap(&kbpk, black_box(&header), &key))
                    .map(drop)
                    .map_err(WorkloadError::because("TR-31 wrap"))
            }),
            Direction::Decrypt => Box::new(move || {
                black_box(tr31::unwrap(&kbpk, black_box(&block)))
                    .map(drop)
                    .map_err(WorkloadError::because("TR-31 unwrap"))
            }),
        };
        Ok(op)
    })
}

/// Every service, KMS, ESDK (each suite, keyring and direction at every size of `sizes`) and TR-31
/// workload.
pub fn all(sizes: &[usize]) -> Vec<Workload> {
    let mut out = vec![encrypt_data(), re_encrypt_dukpt(), kms_encrypt(), kms_generate_data_key()];
    for suite_id in [0x0478, 0x0578] {
        for keyring in [EsdkKeyring::Kms, EsdkKeyring::Raw] {
            for direction in Direction::BOTH {
                out.extend(sizes.iter().map(|&size| esdk(suite_id, keyring, direction, size)));
            }
        }
    }
    for (name, ..) in TR31_CASES {
        out.extend(Direction::BOTH.map(|d| tr31(name, d)));
    }
    out
}

/// A KMS over a memory store and the ARN of a new symmetric key.
fn kms() -> Result<(Kms<MemoryStore>, String), WorkloadError> {
    let kms = Kms::new(MemoryStore::new(), Settings::default());
    let key = kms.create_key(CreateKeyRequest::default()).map_err(WorkloadError::because("KMS CreateKey"))?;
    let arn = key.key_metadata.arn.clone();
    Ok((kms, arn))
}

/// The encryption context of KMS and ESDK workloads.
fn context() -> EncryptionContext {
    [("purpose".to_owned(), "bench".to_owned())].into_iter().collect()
}

/// Imports clear key `material` with key attributes `attributes`; returns the key ARN.
fn import(service: &Service, attributes: Value, material: &str) -> Result<String, WorkloadError> {
    let input: ImportKeyInput = from_json(
        json!({"KeyMaterial": {"ClearKey": {"KeyAttributes": attributes, "KeyMaterial": material}}}),
    )?;
    let out = service.import_key(input).map_err(WorkloadError::because("ImportKey"))?;
    Ok(out.key.key_arn.to_string())
}

fn from_json<T: serde::de::DeserializeOwned>(value: Value) -> Result<T, WorkloadError> {
    serde_json::from_value(value).map_err(WorkloadError::because("request JSON"))
}
