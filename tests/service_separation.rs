//! Key separation: every KeyUsage x KeyModesOfUse set x operation. Only the attribute combinations AWS
//! accepts can be created (all 512 sets of modes are tried for each usage), and of the keys that can
//! exist, exactly the allowed cells of each data operation pass; the others fail with a
//! ValidationException on the member that named the key.

use serde_json::json;

use paycrypt::keys::{KeyAlgorithm, KeyAttributes, KeyClass, KeyModesOfUse, KeyUsage, MemoryStore};
use paycrypt::service::{
    CreateKeyInput, DecryptDataInput, EncryptDataInput, PaymentCryptography, Plane, ReEncryptDataInput,
    ServiceError, Settings,
};

type Svc = PaymentCryptography<MemoryStore>;

/// One data operation and the key-side rule for when it is allowed.
#[derive(Clone, Copy, Debug)]
enum Op {
    EncryptSymmetric,
    DecryptSymmetric,
    ReEncryptIncomingSymmetric,
    ReEncryptOutgoingSymmetric,
}

impl Op {
    const ALL: [Op; 4] = [
        Op::EncryptSymmetric,
        Op::DecryptSymmetric,
        Op::ReEncryptIncomingSymmetric,
        Op::ReEncryptOutgoingSymmetric,
    ];

    /// AWS's rule: Symmetric needs a TR31_D0 key whose modes allow the direction.
    fn allowed(self, a: &KeyAttributes) -> bool {
        let m = a.key_modes_of_use;
        let d0 = a.key_usage == KeyUsage::D0SymmetricDataEncryptionKey;
        match self {
            Op::EncryptSymmetric | Op::ReEncryptOutgoingSymmetric => d0 && (m.encrypt || m.no_restrictions),
            Op::DecryptSymmetric | Op::ReEncryptIncomingSymmetric => d0 && (m.decrypt || m.no_restrictions),
        }
    }

    /// Runs the operation with `key` in the role under test; `helper` is a NoRestrictions D0 key of the
    /// same algorithm for the other role.
    fn run(
        self,
        svc: &Svc,
        key: &str,
        helper: &str,
        block_hex: &str,
    ) -> Result<(), (ServiceError, &'static str)> {
        let attrs = || serde_json::from_value(json!({"Symmetric": {"Mode": "CBC"}})).unwrap_or_default();
        match self {
            Op::EncryptSymmetric => svc
                .encrypt_data(EncryptDataInput {
                    key_identifier: key.into(),
                    plain_text: block_hex.into(),
                    encryption_attributes: attrs(),
                    wrapped_key: None,
                })
                .map(|_| ())
                .map_err(|e| (e, "KeyIdentifier")),
            Op::DecryptSymmetric => svc
                .decrypt_data(DecryptDataInput {
                    key_identifier: key.into(),
                    cipher_text: block_hex.into(),
                    decryption_attributes: attrs(),
                    wrapped_key: None,
                })
                .map(|_| ())
                .map_err(|e| (e, "KeyIdentifier")),
            Op::ReEncryptIncomingSymmetric | Op::ReEncryptOutgoingSymmetric => {
                let incoming = matches!(self, Op::ReEncryptIncomingSymmetric);
                let (inc, out, path) = if incoming {
                    (key, helper, "IncomingKeyIdentifier")
                } else {
                    (helper, key, "OutgoingKeyIdentifier")
                };
                let re = || serde_json::from_value(json!({"Symmetric": {"Mode": "CBC"}})).unwrap_or_default();
                svc.re_encrypt_data(ReEncryptDataInput {
                    incoming_key_identifier: inc.into(),
                    outgoing_key_identifier: out.into(),
                    cipher_text: block_hex.into(),
                    incoming_encryption_attributes: re(),
                    outgoing_encryption_attributes: re(),
                    incoming_wrapped_key: None,
                    outgoing_wrapped_key: None,
                })
                .map(|_| ())
                .map_err(|e| (e, path))
            }
        }
    }
}

fn create(svc: &Svc, attrs: KeyAttributes) -> Result<String, ServiceError> {
    let input = CreateKeyInput {
        key_attributes: attrs,
        exportable: true,
        key_check_value_algorithm: None,
        enabled: None,
        tags: None,
    };
    svc.create_key(input).map(|o| o.key.key_arn.to_string())
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
    let (mut passed, mut refused) = (0usize, 0usize);
    for usage in KeyUsage::ALL {
        // One symmetric algorithm per usage stands for all: the rule does not depend on it.
        let Some(algorithm) =
            KeyAttributes::allowed_algorithms(*usage).iter().find(|a| a.symmetric().is_some())
        else {
            continue; // HMAC and asymmetric usages: no symmetric key exists to run Symmetric with.
        };
        let helper_attrs = KeyAttributes {
            key_algorithm: *algorithm,
            key_class: KeyClass::SymmetricKey,
            key_modes_of_use: KeyModesOfUse::NO_RESTRICTIONS,
            key_usage: KeyUsage::D0SymmetricDataEncryptionKey,
        };
        let helper = create(&svc, helper_attrs).expect("helper");
        let block_hex = "00".repeat(algorithm.symmetric().map_or(16, |a| a.block_len()));
        for modes in KeyAttributes::allowed_modes(*usage, KeyClass::SymmetricKey) {
            let attrs = KeyAttributes { key_modes_of_use: *modes, ..helper_attrs };
            let attrs = KeyAttributes { key_usage: *usage, ..attrs };
            let key = create(&svc, attrs).expect("allowed combination");
            for op in Op::ALL {
                let outcome = op.run(&svc, &key, &helper, &block_hex);
                if op.allowed(&attrs) {
                    assert!(outcome.is_ok(), "{op:?} {usage} {modes} should pass: {outcome:?}");
                    passed += 1;
                } else {
                    let (err, path) = outcome.expect_err("should be refused");
                    assert_eq!(err.exception(Plane::Data), "ValidationException", "{op:?} {usage} {modes}");
                    assert_eq!(
                        err.body(Plane::Data)["fieldList"][0]["path"],
                        json!(path),
                        "{op:?} {usage} {modes}"
                    );
                    refused += 1;
                }
            }
        }
    }
    println!("key separation: {passed} allowed cells passed, {refused} refused");
    assert_eq!(passed, 12); // D0: {E,D,W,U} x4, {E,W} x2, {D,U} x2, {NoRestrictions} x4
    assert!(refused > 50);
}
