//! Key separation: every KeyUsage x KeyModesOfUse set x operation. Only the attribute combinations AWS
//! accepts can be created (all 512 sets of modes are tried for each usage), and of the keys that can
//! exist, exactly the allowed cells of each data operation pass; the others fail with a
//! ValidationException on the member that named the key.

use serde_json::{Value, json};

use paycrypt::keys::{KeyAlgorithm, KeyAttributes, KeyClass, KeyModesOfUse, KeyUsage, MemoryStore};
use paycrypt::rsa::{RsaPadding, RsaPrivateKey};
use paycrypt::service::{
    DecryptDataInput, EncryptDataInput, ImportKeyInput, PaymentCryptography, Plane, ReEncryptDataInput,
    ServiceError, Settings,
};

type Svc = PaymentCryptography<MemoryStore>;

/// The attributes member an operation uses.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    Symmetric,
    Dukpt,
    Asymmetric,
}

/// One data operation, the key under test in one role.
#[derive(Clone, Copy, Debug)]
enum Op {
    Encrypt(Kind),
    Decrypt(Kind),
    /// ReEncryptData with the key as the incoming key (the outgoing one a helper).
    ReEncryptIncoming(Kind),
    /// ReEncryptData with the key as the outgoing key (the incoming one a helper).
    ReEncryptOutgoing(Kind),
}

const OPS: [Op; 10] = [
    Op::Encrypt(Kind::Symmetric),
    Op::Decrypt(Kind::Symmetric),
    Op::ReEncryptIncoming(Kind::Symmetric),
    Op::ReEncryptOutgoing(Kind::Symmetric),
    Op::Encrypt(Kind::Dukpt),
    Op::Decrypt(Kind::Dukpt),
    Op::ReEncryptIncoming(Kind::Dukpt),
    Op::ReEncryptOutgoing(Kind::Dukpt),
    Op::Encrypt(Kind::Asymmetric),
    Op::Decrypt(Kind::Asymmetric),
];

/// AWS's rule for when `op` may use a key with `a`.
fn allowed(op: Op, a: &KeyAttributes) -> bool {
    let m = a.key_modes_of_use;
    let (kind, encrypting) = match op {
        Op::Encrypt(k) | Op::ReEncryptOutgoing(k) => (k, true),
        Op::Decrypt(k) | Op::ReEncryptIncoming(k) => (k, false),
    };
    match kind {
        Kind::Symmetric => {
            a.key_usage == KeyUsage::D0SymmetricDataEncryptionKey
                && (m.no_restrictions || if encrypting { m.encrypt } else { m.decrypt })
        }
        Kind::Dukpt => a.key_usage == KeyUsage::B0BaseDerivationKey && (m.derive_key || m.no_restrictions),
        Kind::Asymmetric => {
            a.key_usage == KeyUsage::D1AsymmetricKeyForDataEncryption
                && (m.no_restrictions
                    || if encrypting { m.encrypt } else { m.decrypt && a.key_class != KeyClass::PublicKey })
        }
    }
}

/// Attributes JSON for `kind` with key `a` (the KSN must fit the BDK's scheme).
fn attrs(kind: Kind, a: &KeyAttributes) -> Value {
    match kind {
        Kind::Symmetric => json!({"Symmetric": {"Mode": "CBC"}}),
        Kind::Dukpt => {
            let ksn = if a.key_algorithm.symmetric().is_some_and(|s| s.is_tdes()) {
                "FFFF9876543210E00001"
            } else {
                "123456789012345600000001"
            };
            json!({"Dukpt": {"KeySerialNumber": ksn}})
        }
        Kind::Asymmetric => json!({"Asymmetric": {"PaddingType": "OAEP_SHA256"}}),
    }
}

fn parse<T: serde::de::DeserializeOwned>(v: Value) -> T {
    serde_json::from_value(v).expect("attrs")
}

struct Fixture {
    svc: Svc,
    /// A NoRestrictions AES-128 data key for the other role in ReEncryptData.
    helper: String,
    rsa: RsaPrivateKey,
}

impl Fixture {
    fn run(&self, op: Op, key: &str, a: &KeyAttributes) -> Result<(), (ServiceError, &'static str)> {
        let data = "00".repeat(16);
        let rsa_ct = hex::encode_upper(
            self.rsa.public_key().encrypt(RsaPadding::OaepSha256, None, &[0; 16]).expect("rsa"),
        );
        let helper_attrs = json!({"Symmetric": {"Mode": "CBC"}});
        match op {
            Op::Encrypt(kind) => self
                .svc
                .encrypt_data(EncryptDataInput {
                    key_identifier: key.into(),
                    plain_text: data,
                    encryption_attributes: parse(attrs(kind, a)),
                    wrapped_key: None,
                })
                .map(|_| ())
                .map_err(|e| (e, "KeyIdentifier")),
            Op::Decrypt(kind) => self
                .svc
                .decrypt_data(DecryptDataInput {
                    key_identifier: key.into(),
                    cipher_text: if kind == Kind::Asymmetric { rsa_ct } else { data },
                    decryption_attributes: parse(attrs(kind, a)),
                    wrapped_key: None,
                })
                .map(|_| ())
                .map_err(|e| (e, "KeyIdentifier")),
            Op::ReEncryptIncoming(kind) | Op::ReEncryptOutgoing(kind) => {
                let incoming = matches!(op, Op::ReEncryptIncoming(_));
                let (inc, out, ia, oa, path) = if incoming {
                    (key, self.helper.as_str(), attrs(kind, a), helper_attrs.clone(), "IncomingKeyIdentifier")
                } else {
                    (self.helper.as_str(), key, helper_attrs, attrs(kind, a), "OutgoingKeyIdentifier")
                };
                self.svc
                    .re_encrypt_data(ReEncryptDataInput {
                        incoming_key_identifier: inc.into(),
                        outgoing_key_identifier: out.into(),
                        cipher_text: data,
                        incoming_encryption_attributes: parse(ia),
                        outgoing_encryption_attributes: parse(oa),
                        incoming_wrapped_key: None,
                        outgoing_wrapped_key: None,
                    })
                    .map(|_| ())
                    .map_err(|e| (e, path))
            }
        }
    }

    /// A key with `a`: created for symmetric algorithms, imported (the fixture's RSA key) for RSA.
    fn key(&self, a: &KeyAttributes) -> String {
        if a.key_algorithm.symmetric().is_some() {
            let input = paycrypt::service::CreateKeyInput {
                key_attributes: *a,
                exportable: true,
                key_check_value_algorithm: None,
                enabled: None,
                tags: None,
            };
            return self.svc.create_key(input).expect("create").key.key_arn.to_string();
        }
        let pem = if a.key_class == KeyClass::PublicKey {
            self.rsa.public_key().to_pem().expect("pem")
        } else {
            self.rsa.to_pem().expect("pem").to_string()
        };
        let input: ImportKeyInput = serde_json::from_value(
            json!({"KeyMaterial": {"ClearKey": {"KeyAttributes": a, "KeyMaterial": pem}}}),
        )
        .expect("import");
        self.svc.import_key(input).expect("import").key.key_arn.to_string()
    }
}

#[test]
fn only_awss_combinations_can_be_created() {
    let mut allowed = 0;
    for usage in KeyUsage::ALL {
        for algorithm in KeyAlgorithm::ALL {
            for class in KeyClass::ALL {
                for modes in KeyModesOfUse::all_sets() {
                    let attrs = KeyAttributes {
                        key_algorithm: *algorithm,
                        key_class: *class,
                        key_modes_of_use: modes,
                        key_usage: *usage,
                    };
                    let expected = KeyAttributes::allowed_algorithms(*usage).contains(algorithm)
                        && (*class == KeyClass::SymmetricKey) != algorithm.is_asymmetric()
                        && KeyAttributes::allowed_modes(*usage, *class).contains(&modes);
                    assert_eq!(attrs.check().is_ok(), expected, "{attrs:?}");
                    allowed += usize::from(expected);
                }
            }
        }
    }
    // Spot checks straight from AWS's table.
    let bdk = |m| KeyAttributes {
        key_algorithm: KeyAlgorithm::Tdes2Key,
        key_class: KeyClass::SymmetricKey,
        key_modes_of_use: m,
        key_usage: KeyUsage::B0BaseDerivationKey,
    };
    assert!(bdk(KeyModesOfUse::DERIVE_KEY).check().is_ok());
    assert!(bdk(KeyModesOfUse::NO_RESTRICTIONS).check().is_ok());
    assert!(bdk(KeyModesOfUse::ENCRYPT_DECRYPT_WRAP_UNWRAP).check().is_err());
    println!("allowed attribute combinations: {allowed}");
    assert!(allowed > 100);
}

#[test]
fn key_separation_matrix() {
    let svc = PaymentCryptography::new(MemoryStore::new(), Settings::default());
    let helper_attrs = KeyAttributes {
        key_algorithm: KeyAlgorithm::Aes128,
        key_class: KeyClass::SymmetricKey,
        key_modes_of_use: KeyModesOfUse::NO_RESTRICTIONS,
        key_usage: KeyUsage::D0SymmetricDataEncryptionKey,
    };
    let rsa = RsaPrivateKey::generate(2048).expect("rsa");
    let mut fixture = Fixture { svc, helper: String::new(), rsa };
    fixture.helper = fixture.key(&helper_attrs);
    let (mut passed, mut refused, mut rows) = (0usize, 0usize, 0usize);
    for usage in KeyUsage::ALL {
        // One algorithm per usage stands for its family (the rule does not depend on the size): the
        // first TDES/AES one, else RSA_2048. HMAC and ECC usages have no material paycrypt can hold.
        let allowed_algs = KeyAttributes::allowed_algorithms(*usage);
        let Some(algorithm) = allowed_algs
            .iter()
            .find(|a| a.symmetric().is_some())
            .or_else(|| allowed_algs.iter().find(|a| a.rsa_bits() == Some(2048)))
        else {
            continue;
        };
        let classes: &[KeyClass] = if algorithm.symmetric().is_some() {
            &[KeyClass::SymmetricKey]
        } else {
            &[KeyClass::PublicKey, KeyClass::AsymmetricKeyPair, KeyClass::PrivateKey]
        };
        for class in classes {
            for modes in KeyAttributes::allowed_modes(*usage, *class) {
                let a = KeyAttributes {
                    key_algorithm: *algorithm,
                    key_class: *class,
                    key_modes_of_use: *modes,
                    key_usage: *usage,
                };
                let key = fixture.key(&a);
                rows += 1;
                for op in OPS {
                    let outcome = fixture.run(op, &key, &a);
                    if allowed(op, &a) {
                        assert!(outcome.is_ok(), "{op:?} {usage} {class} {modes} should pass: {outcome:?}");
                        passed += 1;
                    } else {
                        let (err, path) = outcome.expect_err("should be refused");
                        assert_eq!(
                            err.exception(Plane::Data),
                            "ValidationException",
                            "{op:?} {usage} {modes}: {err}"
                        );
                        assert_eq!(
                            err.body(Plane::Data)["fieldList"][0]["path"],
                            json!(path),
                            "{op:?} {usage} {class} {modes}: {err}"
                        );
                        refused += 1;
                    }
                }
            }
        }
    }
    println!(
        "key separation: {rows} keys x {} operations: {passed} allowed cells passed, {refused} refused",
        OPS.len()
    );
    // D0: 12 Symmetric cells; B0: 2 sets x 4 Dukpt cells; D1: 7 Asymmetric cells (see the rule above).
    assert_eq!(passed, 12 + 8 + 7);
    assert!(refused > 300);
}
