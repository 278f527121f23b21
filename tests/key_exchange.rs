//! Key exchange through the service: ImportKey with TR-31 blocks, RSA key cryptograms and
//! certificates, ExportKey as TR-31 and as a cryptogram, the data plane's WrappedKey, the tokens of
//! GetParametersForImport/Export and GetPublicKeyCertificate; and every key-separation refusal.
//! The TR-31 blocks are checked against the primitive, which tests/tr31*.rs and the psec interop
//! test check against published blocks and an independent implementation.

use serde_json::{Value, json};

use paycrypt::keys::{KeyStore, MemoryStore, Timestamp};
use paycrypt::primitives::kcv::{KcvAlgorithm, kcv};
use paycrypt::primitives::pki::{self, Certificate, LeafUsage};
use paycrypt::primitives::tr31::{self, Header};
use paycrypt::primitives::{Algorithm, SymmetricKey};
use paycrypt::rsa::{RsaPadding, RsaPrivateKey};
use paycrypt::service::{ControlOperation, DataOperation, PaymentCryptography, ServiceError, Settings};

type Svc = PaymentCryptography<MemoryStore>;

const KEK_AES256: &str = "000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F";
const KEK_TDES2: &str = "0123456789ABCDEFFEDCBA9876543210";
const AES128: &str = "2B7E151628AED2A6ABF7158809CF4F3C";

fn svc() -> Svc {
    PaymentCryptography::new(MemoryStore::new(), Settings::default())
}

fn control(svc: &Svc, op: ControlOperation, body: Value) -> Result<Value, ServiceError> {
    svc.dispatch(op.into(), body)
}

fn attrs(alg: &str, usage: &str, modes: Value) -> Value {
    json!({"KeyAlgorithm": alg, "KeyClass": "SYMMETRIC_KEY", "KeyUsage": usage, "KeyModesOfUse": modes})
}

/// Imports clear `hex` with `attributes`; returns the key ARN.
fn clear(svc: &Svc, attributes: Value, hex: &str, exportable: bool) -> String {
    let out = control(
        svc,
        ControlOperation::ImportKey,
        json!({"KeyMaterial": {"ClearKey": {"KeyAttributes": attributes, "KeyMaterial": hex, "Exportable": exportable}}}),
    )
    .expect("test setup");
    out["Key"]["KeyArn"].as_str().expect("test setup").to_owned()
}

fn kek(svc: &Svc, alg: &str, hex: &str) -> String {
    clear(
        svc,
        attrs(
            alg,
            "TR31_K0_KEY_ENCRYPTION_KEY",
            json!({"Encrypt":true,"Decrypt":true,"Wrap":true,"Unwrap":true}),
        ),
        hex,
        true,
    )
}

fn key(alg: Algorithm, hex_key: &str) -> SymmetricKey {
    SymmetricKey::new(alg, &hex::decode(hex_key).expect("test setup")).expect("test setup")
}

fn kcv_hex(alg: Algorithm, hex_key: &str, k: KcvAlgorithm) -> String {
    hex::encode_upper(kcv(&key(alg, hex_key), k))
}

fn field_message(e: &ServiceError) -> String {
    e.to_string()
}

/// `key_hex` wrapped under `kbpk_hex` with `header` (the TR-31 primitive, which tests/tr31*.rs check).
fn wrap(kbpk_hex: &str, header: &str, key_hex: &str) -> String {
    tr31::wrap(
        &hex::decode(kbpk_hex).expect("test setup"),
        &Header::parse(header).expect("test setup"),
        &hex::decode(key_hex).expect("test setup"),
    )
    .expect("test setup")
}

#[test]
fn tr31_import_maps_the_header_and_the_key_works() {
    let svc = svc();
    let kek_arn = kek(&svc, "AES_256", KEK_AES256);
    let block = wrap(KEK_AES256, "D0000D0AB00E0000", AES128);
    let out = control(
        &svc,
        ControlOperation::ImportKey,
        json!({"KeyMaterial": {"Tr31KeyBlock": {"WrappingKeyIdentifier": kek_arn, "WrappedKeyBlock": block}}}),
    )
    .expect("test setup");
    let k = &out["Key"];
    assert_eq!(k["KeyAttributes"]["KeyAlgorithm"], "AES_128");
    assert_eq!(k["KeyAttributes"]["KeyUsage"], "TR31_D0_SYMMETRIC_DATA_ENCRYPTION_KEY");
    assert_eq!(k["KeyAttributes"]["KeyModesOfUse"]["Encrypt"], true);
    assert_eq!(k["KeyAttributes"]["KeyModesOfUse"]["Unwrap"], true);
    assert_eq!(k["KeyOrigin"], "EXTERNAL");
    assert_eq!(k["Exportable"], true);
    assert_eq!(k["KeyCheckValue"], kcv_hex(Algorithm::Aes128, AES128, KcvAlgorithm::Cmac));
    // The imported key encrypts as the clear key does (SP 800-38A F.2.1).
    let arn = k["KeyArn"].as_str().expect("test setup");
    let enc = svc
        .dispatch(
            DataOperation::EncryptData.into(),
            json!({"KeyIdentifier": arn, "PlainText": "6BC1BEE22E409F96E93D7E117393172A",
                   "EncryptionAttributes": {"Symmetric": {"Mode": "CBC", "InitializationVector": "000102030405060708090A0B0C0D0E0F"}}}),
        )
        .expect("test setup");
    assert_eq!(enc["CipherText"], "7649ABAC8119B246CEE98E9B12E9197D");
}

#[test]
fn tr31_import_refusals() {
    let svc = svc();
    let aes_kek = kek(&svc, "AES_256", KEK_AES256);
    let tdes_kek = kek(&svc, "TDES_2KEY", KEK_TDES2);
    let data_key = clear(
        &svc,
        attrs("AES_256", "TR31_D0_SYMMETRIC_DATA_ENCRYPTION_KEY", json!({"NoRestrictions":true})),
        KEK_AES256,
        true,
    );
    let enc_only_kek = clear(
        &svc,
        attrs("AES_256", "TR31_K0_KEY_ENCRYPTION_KEY", json!({"Encrypt":true,"Wrap":true})),
        KEK_AES256,
        true,
    );
    let aes_block = wrap(KEK_AES256, "D0000D0AB00E0000", AES128);
    let import = |kek: &str, block: &str| {
        control(
            &svc,
            ControlOperation::ImportKey,
            json!({"KeyMaterial": {"Tr31KeyBlock": {"WrappingKeyIdentifier": kek, "WrappedKeyBlock": block}}}),
        )
    };
    // A KEK of the wrong usage, one that may not unwrap.
    let e = import(&data_key, &aes_block).unwrap_err();
    assert!(field_message(&e).contains("TR31_K0"), "{e}");
    let e = import(&enc_only_kek, &aes_block).unwrap_err();
    assert!(field_message(&e).contains("does not allow Unwrap"), "{e}");
    // Another KEK: the block does not unwrap (one opaque message).
    let e = import(&tdes_kek, &aes_block).unwrap_err();
    assert_eq!(e.exception(paycrypt::service::Plane::Control), "ValidationException");
    // Every single-character change fails.
    for i in 0..aes_block.len() {
        let mut bytes = aes_block.clone().into_bytes();
        bytes[i] = if bytes[i] == b'0' { b'1' } else { b'0' };
        let tampered = String::from_utf8(bytes).expect("test setup");
        assert!(import(&aes_kek, &tampered).is_err(), "change at {i} accepted");
    }
    // Truncated.
    assert!(import(&aes_kek, &aes_block[..aes_block.len() - 2]).is_err());
    // A weaker KEK may not wrap a stronger key: a TDES KEK's block holding an AES-256 key.
    let strong = wrap(KEK_TDES2, "B0000D0AB00E0000", KEK_AES256);
    let e = import(&tdes_kek, &strong).unwrap_err();
    assert!(field_message(&e).contains("weaker"), "{e}");
    // A header AWS has no attributes for: an initialization-vector key (I0).
    let bad = wrap(KEK_AES256, "D0000I0AN00E0000", AES128);
    assert!(import(&aes_kek, &bad).unwrap_err().to_string().contains("no AWS KeyUsage"));
    // Nothing was stored by any refusal.
    assert_eq!(
        control(&svc, ControlOperation::ListKeys, json!({})).expect("test setup")["Keys"]
            .as_array()
            .expect("test setup")
            .len(),
        4
    );
}

#[test]
fn tr31_export_round_trips_and_respects_exportability() {
    let svc = svc();
    let kek_arn = kek(&svc, "TDES_2KEY", KEK_TDES2);
    let tdes = "89ABCDEF0123456776543210FEDCBA98";
    let bdk =
        clear(&svc, attrs("TDES_2KEY", "TR31_B0_BASE_DERIVATION_KEY", json!({"DeriveKey":true})), tdes, true);
    let out = control(
        &svc,
        ControlOperation::ExportKey,
        json!({"ExportKeyIdentifier": bdk, "KeyMaterial": {"Tr31KeyBlock": {"WrappingKeyIdentifier": kek_arn,
              "KeyBlockHeaders": {"KeyExportability": "NON_EXPORTABLE", "KeyVersion": "12", "OptionalBlocks": {"KS": "00604B120F9292800000"}}}}}),
    )
    .expect("test setup");
    let w = &out["WrappedKey"];
    assert_eq!(w["WrappedKeyMaterialFormat"], "TR31_KEY_BLOCK");
    assert_eq!(w["WrappingKeyArn"], kek_arn.as_str());
    assert_eq!(w["KeyCheckValue"], kcv_hex(Algorithm::Tdes2Key, tdes, KcvAlgorithm::AnsiX924));
    let block = w["KeyMaterial"].as_str().expect("test setup");
    let un = tr31::unwrap(&hex::decode(KEK_TDES2).expect("test setup"), block).expect("test setup");
    assert_eq!(hex::encode_upper(&*un.key), tdes);
    assert_eq!(
        (un.header.version, un.header.key_usage.as_str(), un.header.algorithm, un.header.mode_of_use),
        (tr31::Version::B, "B0", 'T', 'X')
    );
    assert_eq!((un.header.key_version.as_str(), un.header.exportability), ("12", 'N'));
    assert!(un.header.optional_blocks.iter().any(|b| b.id == "KS" && b.data == "00604B120F9292800000"));
    // It imports back under the same KEK to the same key.
    let back = control(&svc, ControlOperation::ImportKey, json!({"KeyMaterial": {"Tr31KeyBlock": {"WrappingKeyIdentifier": kek_arn, "WrappedKeyBlock": block}}})).expect("test setup");
    assert_eq!(back["Key"]["KeyCheckValue"], w["KeyCheckValue"]);
    assert_eq!(back["Key"]["Exportable"], false);
    // A non-exportable key does not leave; nor a stronger key under a weaker KEK; nor modes beyond the key's.
    let fixed = clear(
        &svc,
        attrs("TDES_2KEY", "TR31_D0_SYMMETRIC_DATA_ENCRYPTION_KEY", json!({"NoRestrictions":true})),
        tdes,
        false,
    );
    let export = |k: &str, headers: Value| {
        control(
            &svc,
            ControlOperation::ExportKey,
            json!({"ExportKeyIdentifier": k, "KeyMaterial": {"Tr31KeyBlock": {"WrappingKeyIdentifier": kek_arn, "KeyBlockHeaders": headers}}}),
        )
    };
    assert!(field_message(&export(&fixed, json!({})).unwrap_err()).contains("not exportable"));
    let aes = clear(
        &svc,
        attrs("AES_128", "TR31_D0_SYMMETRIC_DATA_ENCRYPTION_KEY", json!({"Encrypt":true,"Wrap":true})),
        AES128,
        true,
    );
    assert!(field_message(&export(&aes, json!({})).unwrap_err()).contains("weaker"));
    let tdes_enc = clear(
        &svc,
        attrs("TDES_2KEY", "TR31_D0_SYMMETRIC_DATA_ENCRYPTION_KEY", json!({"Encrypt":true,"Wrap":true})),
        tdes,
        true,
    );
    assert!(export(&tdes_enc, json!({"KeyModesOfUse": {"Decrypt": true, "Unwrap": true}})).is_err());
    assert!(export(&tdes_enc, json!({"KeyModesOfUse": {"Encrypt": true, "Wrap": true}})).is_ok());
}

#[test]
fn export_dukpt_initial_key() {
    // X9.24-1-2009 A.4: BDK 0123456789ABCDEFFEDCBA9876543210, KSN FFFF9876543210E00000 -> IPEK 6AC292FAA1315B4D858AB3A3D7D5933A.
    let svc = svc();
    let kek_arn = kek(&svc, "TDES_3KEY", "0123456789ABCDEFFEDCBA987654321089ABCDEF01234567");
    let bdk = clear(
        &svc,
        attrs("TDES_2KEY", "TR31_B0_BASE_DERIVATION_KEY", json!({"DeriveKey":true})),
        KEK_TDES2,
        true,
    );
    let out = control(
        &svc,
        ControlOperation::ExportKey,
        json!({"ExportKeyIdentifier": bdk, "KeyMaterial": {"Tr31KeyBlock": {"WrappingKeyIdentifier": kek_arn}},
               "ExportAttributes": {"ExportDukptInitialKey": {"KeySerialNumber": "FFFF9876543210E00000"}}}),
    )
    .expect("test setup");
    let block = out["WrappedKey"]["KeyMaterial"].as_str().expect("test setup");
    let un = tr31::unwrap(
        &hex::decode("0123456789ABCDEFFEDCBA987654321089ABCDEF01234567").expect("test setup"),
        block,
    )
    .expect("test setup");
    assert_eq!(hex::encode_upper(&*un.key), "6AC292FAA1315B4D858AB3A3D7D5933A");
    assert_eq!(un.header.key_usage, "B1");
    assert!(
        un.header.optional_blocks.iter().any(|b| b.id == "KS" && b.data == "FFFF9876543210E00000"),
        "{:?}",
        un.header
    );
    // A KSN of the other scheme is refused.
    assert!(control(&svc, ControlOperation::ExportKey, json!({"ExportKeyIdentifier": bdk, "KeyMaterial": {"Tr31KeyBlock": {"WrappingKeyIdentifier": kek_arn}},
        "ExportAttributes": {"ExportDukptInitialKey": {"KeySerialNumber": "123456789012345600000001"}}})).is_err());
}

#[test]
fn wrapped_key_in_the_data_plane() {
    let svc = svc();
    let kek_arn = kek(&svc, "AES_256", KEK_AES256);
    let block = wrap(KEK_AES256, "D0000D0AB00N0000", AES128);
    let wrapped = json!({"WrappedKeyMaterial": {"Tr31KeyBlock": block}});
    let enc = svc
        .dispatch(
            DataOperation::EncryptData.into(),
            json!({"KeyIdentifier": kek_arn, "PlainText": "6BC1BEE22E409F96E93D7E117393172A", "WrappedKey": wrapped,
                   "EncryptionAttributes": {"Symmetric": {"Mode": "ECB"}}}),
        )
        .expect("test setup");
    assert_eq!(enc["CipherText"], "3AD77BB40D7A3660A89ECAF32466EF97");
    assert_eq!(enc["KeyArn"], kek_arn.as_str());
    assert_eq!(enc["KeyCheckValue"], kcv_hex(Algorithm::Aes128, AES128, KcvAlgorithm::Cmac));
    // ReEncryptData with the incoming key wrapped, outgoing the same wrapped key: identity.
    let re = svc
        .dispatch(
            DataOperation::ReEncryptData.into(),
            json!({"IncomingKeyIdentifier": kek_arn, "OutgoingKeyIdentifier": kek_arn, "CipherText": "3AD77BB40D7A3660A89ECAF32466EF97",
                   "IncomingWrappedKey": wrapped, "OutgoingWrappedKey": wrapped,
                   "IncomingEncryptionAttributes": {"Symmetric": {"Mode": "ECB"}}, "OutgoingEncryptionAttributes": {"Symmetric": {"Mode": "ECB"}}}),
        )
        .expect("test setup");
    assert_eq!(re["CipherText"], "3AD77BB40D7A3660A89ECAF32466EF97");
    // Without the wrapped key the KEK itself is refused for data (usage K0).
    assert!(svc
        .dispatch(DataOperation::EncryptData.into(), json!({"KeyIdentifier": kek_arn, "PlainText": "00", "EncryptionAttributes": {"Symmetric": {"Mode": "ECB"}}}))
        .is_err());
    // Diffie-Hellman is refused by name.
    let e = svc
        .dispatch(
            DataOperation::EncryptData.into(),
            json!({"KeyIdentifier": kek_arn, "PlainText": "00", "WrappedKey": {"WrappedKeyMaterial": {"DiffieHellmanSymmetricKey": {}}},
                   "EncryptionAttributes": {"Symmetric": {"Mode": "ECB"}}}),
        )
        .unwrap_err();
    assert!(e.to_string().contains("DiffieHellmanSymmetricKey"), "{e}");
}

/// A CA (imported as a root) and a receiving key pair with a certificate it issued.
fn ca_and_leaf(svc: &Svc) -> (String, RsaPrivateKey, String) {
    let ca_key = RsaPrivateKey::generate(2048).expect("test setup");
    let now = Timestamp::now().0 / 1000;
    let ca = pki::issue_ca(&ca_key, "test root", 30, now).expect("test setup");
    let root = control(
        svc,
        ControlOperation::ImportKey,
        json!({"KeyMaterial": {"RootCertificatePublicKey": {"KeyAttributes": {"KeyAlgorithm": "RSA_2048", "KeyClass": "PUBLIC_KEY",
              "KeyUsage": "TR31_S0_ASYMMETRIC_KEY_FOR_DIGITAL_SIGNATURE", "KeyModesOfUse": {"Verify": true}},
              "PublicKeyCertificate": Certificate::to_aws_base64(std::slice::from_ref(&ca))}}}),
    )
    .expect("test setup");
    let receiver = RsaPrivateKey::generate(2048).expect("test setup");
    let leaf = pki::issue_leaf(
        &receiver.public_key(),
        "receiver",
        LeafUsage::KeyEncipherment,
        &ca,
        &ca_key,
        30,
        now,
    )
    .expect("test setup");
    (
        root["Key"]["KeyArn"].as_str().expect("test setup").to_owned(),
        receiver,
        Certificate::to_aws_base64(std::slice::from_ref(&leaf)),
    )
}

#[test]
fn key_cryptograms_both_ways() {
    let svc = svc();
    for (spec, padding) in
        [("RSA_OAEP_SHA_256", RsaPadding::OaepSha256), ("RSA_OAEP_SHA_512", RsaPadding::OaepSha512)]
    {
        let params = control(
            &svc,
            ControlOperation::GetParametersForImport,
            json!({"KeyMaterialType": "KEY_CRYPTOGRAM", "WrappingKeyAlgorithm": "RSA_2048"}),
        )
        .expect("test setup");
        let token = params["ImportToken"].as_str().expect("test setup");
        assert!(token.starts_with("import-token-"));
        let certs =
            Certificate::from_aws_base64(params["WrappingKeyCertificate"].as_str().expect("test setup"))
                .expect("test setup");
        let chain =
            Certificate::from_aws_base64(params["WrappingKeyCertificateChain"].as_str().expect("test setup"))
                .expect("test setup");
        pki::verify_chain(&certs[0], &[], &chain[0], Timestamp::now().0 / 1000).expect("test setup");
        let cryptogram = certs[0]
            .public_key()
            .expect("test setup")
            .encrypt(padding, None, &hex::decode(AES128).expect("test setup"))
            .expect("test setup");
        let out = control(
            &svc,
            ControlOperation::ImportKey,
            json!({"KeyMaterial": {"KeyCryptogram": {"KeyAttributes": attrs("AES_128", "TR31_D0_SYMMETRIC_DATA_ENCRYPTION_KEY", json!({"NoRestrictions": true})),
                  "Exportable": true, "WrappedKeyCryptogram": hex::encode_upper(&cryptogram), "ImportToken": token, "WrappingSpec": spec}}}),
        )
        .expect("test setup");
        assert_eq!(out["Key"]["KeyCheckValue"], kcv_hex(Algorithm::Aes128, AES128, KcvAlgorithm::Cmac));
        // The other OAEP hash does not decrypt it.
        let other = if spec == "RSA_OAEP_SHA_256" { "RSA_OAEP_SHA_512" } else { "RSA_OAEP_SHA_256" };
        assert!(control(&svc, ControlOperation::ImportKey, json!({"KeyMaterial": {"KeyCryptogram": {"KeyAttributes": attrs("AES_128", "TR31_D0_SYMMETRIC_DATA_ENCRYPTION_KEY", json!({"NoRestrictions": true})),
            "Exportable": true, "WrappedKeyCryptogram": hex::encode_upper(&cryptogram), "ImportToken": token, "WrappingSpec": other}}})).is_err());
    }
    // Export as a cryptogram to a certificate issued by an imported root.
    let (root, receiver, leaf) = ca_and_leaf(&svc);
    let data_key = clear(
        &svc,
        attrs("AES_128", "TR31_D0_SYMMETRIC_DATA_ENCRYPTION_KEY", json!({"NoRestrictions": true})),
        AES128,
        true,
    );
    let out = control(
        &svc,
        ControlOperation::ExportKey,
        json!({"ExportKeyIdentifier": data_key, "KeyMaterial": {"KeyCryptogram": {"CertificateAuthorityPublicKeyIdentifier": root,
               "WrappingKeyCertificate": leaf, "WrappingSpec": "RSA_OAEP_SHA_256"}}}),
    )
    .expect("test setup");
    assert_eq!(out["WrappedKey"]["WrappedKeyMaterialFormat"], "KEY_CRYPTOGRAM");
    let c = hex::decode(out["WrappedKey"]["KeyMaterial"].as_str().expect("test setup")).expect("test setup");
    assert_eq!(
        hex::encode_upper(&*receiver.decrypt(RsaPadding::OaepSha256, None, &c).expect("test setup")),
        AES128
    );
    // A certificate from another CA is refused.
    let (_, _, stranger) = ca_and_leaf(&svc);
    assert!(
        control(
            &svc,
            ControlOperation::ExportKey,
            json!({"ExportKeyIdentifier": data_key, "KeyMaterial": {"KeyCryptogram": {
        "CertificateAuthorityPublicKeyIdentifier": root, "WrappingKeyCertificate": stranger}}})
        )
        .is_err()
    );
}

#[test]
fn tokens_expire_and_are_typed() {
    let svc = svc();
    let params = control(
        &svc,
        ControlOperation::GetParametersForImport,
        json!({"KeyMaterialType": "KEY_CRYPTOGRAM", "WrappingKeyAlgorithm": "RSA_2048"}),
    )
    .expect("test setup");
    let token = params["ImportToken"].as_str().expect("test setup").to_owned();
    let again = control(&svc, ControlOperation::GetParametersForImport, json!({"KeyMaterialType": "KEY_CRYPTOGRAM", "WrappingKeyAlgorithm": "RSA_2048", "ReuseLastGeneratedToken": true})).expect("test setup");
    assert_eq!(again["ImportToken"], token.as_str());
    // An import token is not for TR-34 imports, nor an export token.
    let import = |t: &str| {
        control(
            &svc,
            ControlOperation::ImportKey,
            json!({"KeyMaterial": {"KeyCryptogram": {"KeyAttributes": attrs("AES_128", "TR31_D0_SYMMETRIC_DATA_ENCRYPTION_KEY", json!({"NoRestrictions": true})),
            "Exportable": true, "WrappedKeyCryptogram": "00".repeat(256), "ImportToken": t}}}),
        )
    };
    assert!(import("import-token-aaaaaaaaaaaaaaaa").unwrap_err().to_string().contains("not a token"));
    assert!(import("certificate-authority").is_err());
    // Expired: the same record, its validity moved into the past.
    let mut record = svc.store().get_exchange(&token).expect("test setup").expect("test setup");
    record.parameters.name = "import-token-expiredexpired00".to_owned();
    record.parameters.valid_until = Timestamp(Timestamp::now().0 - 1000);
    svc.store().insert_exchange(&record).expect("test setup");
    assert!(import("import-token-expiredexpired00").unwrap_err().to_string().contains("expired"));
    // Types that need no parameters are refused.
    assert!(
        control(
            &svc,
            ControlOperation::GetParametersForImport,
            json!({"KeyMaterialType": "TR31_KEY_BLOCK", "WrappingKeyAlgorithm": "RSA_2048"})
        )
        .is_err()
    );
    assert!(
        control(
            &svc,
            ControlOperation::GetParametersForImport,
            json!({"KeyMaterialType": "KEY_CRYPTOGRAM", "WrappingKeyAlgorithm": "AES_128"})
        )
        .is_err()
    );
    let export = control(
        &svc,
        ControlOperation::GetParametersForExport,
        json!({"KeyMaterialType": "TR34_KEY_BLOCK", "SigningKeyAlgorithm": "RSA_2048"}),
    )
    .expect("test setup");
    assert!(export["ExportToken"].as_str().expect("test setup").starts_with("export-token-"));
    assert!(import(export["ExportToken"].as_str().expect("test setup")).is_err());
}

#[test]
fn public_key_certificate_chains_to_the_authority() {
    let svc = svc();
    let out = control(
        &svc,
        ControlOperation::CreateKey,
        json!({"KeyAttributes": {"KeyAlgorithm": "RSA_2048", "KeyClass": "ASYMMETRIC_KEY_PAIR", "KeyUsage": "TR31_D1_ASYMMETRIC_KEY_FOR_DATA_ENCRYPTION",
               "KeyModesOfUse": {"Encrypt": true, "Decrypt": true, "Wrap": true, "Unwrap": true}}, "Exportable": false}),
    )
    .expect("test setup");
    let arn = out["Key"]["KeyArn"].as_str().expect("test setup");
    let certs = control(&svc, ControlOperation::GetPublicKeyCertificate, json!({"KeyIdentifier": arn}))
        .expect("test setup");
    let leaf = Certificate::from_aws_base64(certs["KeyCertificate"].as_str().expect("test setup"))
        .expect("test setup");
    let chain = Certificate::from_aws_base64(certs["KeyCertificateChain"].as_str().expect("test setup"))
        .expect("test setup");
    pki::verify_chain(&leaf[0], &[], &chain[0], Timestamp::now().0 / 1000).expect("test setup");
    // A symmetric key has no certificate.
    let aes = clear(
        &svc,
        attrs("AES_128", "TR31_D0_SYMMETRIC_DATA_ENCRYPTION_KEY", json!({"NoRestrictions": true})),
        AES128,
        true,
    );
    assert!(control(&svc, ControlOperation::GetPublicKeyCertificate, json!({"KeyIdentifier": aes})).is_err());
}

#[test]
fn certificates_import_and_refusals() {
    let svc = svc();
    let (root, receiver, leaf) = ca_and_leaf(&svc);
    // A trusted certificate of a D1 public key encrypts data that the private key decrypts.
    let trusted = control(
        &svc,
        ControlOperation::ImportKey,
        json!({"KeyMaterial": {"TrustedCertificatePublicKey": {"KeyAttributes": {"KeyAlgorithm": "RSA_2048", "KeyClass": "PUBLIC_KEY",
              "KeyUsage": "TR31_D1_ASYMMETRIC_KEY_FOR_DATA_ENCRYPTION", "KeyModesOfUse": {"Encrypt": true, "Wrap": true}},
              "PublicKeyCertificate": leaf, "CertificateAuthorityPublicKeyIdentifier": root}}}),
    )
    .expect("test setup");
    let arn = trusted["Key"]["KeyArn"].as_str().expect("test setup");
    let enc = svc
        .dispatch(DataOperation::EncryptData.into(), json!({"KeyIdentifier": arn, "PlainText": "31323334", "EncryptionAttributes": {"Asymmetric": {"PaddingType": "OAEP_SHA256"}}}))
        .expect("test setup");
    let c = hex::decode(enc["CipherText"].as_str().expect("test setup")).expect("test setup");
    assert_eq!(&*receiver.decrypt(RsaPadding::OaepSha256, None, &c).expect("test setup"), b"1234");
    // A leaf is not a root; the root must be S0; a trusted certificate needs its issuer.
    let root_attrs = json!({"KeyAlgorithm": "RSA_2048", "KeyClass": "PUBLIC_KEY", "KeyUsage": "TR31_S0_ASYMMETRIC_KEY_FOR_DIGITAL_SIGNATURE", "KeyModesOfUse": {"Verify": true}});
    assert!(control(&svc, ControlOperation::ImportKey, json!({"KeyMaterial": {"RootCertificatePublicKey": {"KeyAttributes": root_attrs, "PublicKeyCertificate": leaf}}})).is_err());
    assert!(control(&svc, ControlOperation::ImportKey, json!({"KeyMaterial": {"RootCertificatePublicKey": {"KeyAttributes": root_attrs, "PublicKeyCertificate": "bm90IGEgY2VydA=="}}})).is_err());
    let (other_root, _, _) = ca_and_leaf(&svc);
    assert!(control(&svc, ControlOperation::ImportKey, json!({"KeyMaterial": {"TrustedCertificatePublicKey": {"KeyAttributes": {"KeyAlgorithm": "RSA_2048", "KeyClass": "PUBLIC_KEY",
        "KeyUsage": "TR31_D1_ASYMMETRIC_KEY_FOR_DATA_ENCRYPTION", "KeyModesOfUse": {"Encrypt": true, "Wrap": true}},
        "PublicKeyCertificate": leaf, "CertificateAuthorityPublicKeyIdentifier": other_root}}})).is_err());
    // The members paycrypt does not implement are refused by name.
    for member in ["DiffieHellmanTr31KeyBlock", "As2805KeyCryptogram"] {
        let e = control(&svc, ControlOperation::ImportKey, json!({"KeyMaterial": {member: {}}})).unwrap_err();
        assert!(e.to_string().contains(member), "{e}");
        let e = control(
            &svc,
            ControlOperation::ExportKey,
            json!({"ExportKeyIdentifier": root, "KeyMaterial": {member: {}}}),
        )
        .unwrap_err();
        assert!(e.to_string().contains(member) || e.to_string().contains("exportable"), "{e}");
    }
}

#[test]
fn tr34_import_and_export() {
    use paycrypt::primitives::tr34;
    let svc = svc();
    let now = Timestamp::now().0 / 1000;
    let ca_key = RsaPrivateKey::generate(2048).expect("test setup");
    let ca = pki::issue_ca(&ca_key, "kdh root", 30, now).expect("test setup");
    let root = control(
        &svc,
        ControlOperation::ImportKey,
        json!({"KeyMaterial": {"RootCertificatePublicKey": {"KeyAttributes": {"KeyAlgorithm": "RSA_2048", "KeyClass": "PUBLIC_KEY",
              "KeyUsage": "TR31_S0_ASYMMETRIC_KEY_FOR_DIGITAL_SIGNATURE", "KeyModesOfUse": {"Verify": true}},
              "PublicKeyCertificate": Certificate::to_aws_base64(std::slice::from_ref(&ca))}}}),
    )
    .expect("test setup")["Key"]["KeyArn"]
        .as_str()
        .expect("test setup")
        .to_owned();
    let kdh_key = RsaPrivateKey::generate(2048).expect("test setup");
    let kdh =
        pki::issue_leaf(&kdh_key.public_key(), "kdh", LeafUsage::DigitalSignature, &ca, &ca_key, 30, now)
            .expect("test setup");
    let params = control(
        &svc,
        ControlOperation::GetParametersForImport,
        json!({"KeyMaterialType": "TR34_KEY_BLOCK", "WrappingKeyAlgorithm": "RSA_2048"}),
    )
    .expect("test setup");
    let krd = Certificate::from_aws_base64(params["WrappingKeyCertificate"].as_str().expect("test setup"))
        .expect("test setup")
        .remove(0);
    let token = params["ImportToken"].as_str().expect("test setup").to_owned();
    let kek = hex::decode("0123456789ABCDEFFEDCBA987654321089ABCDEF01234567").expect("test setup");
    let nonce = [7u8; 8];
    let block =
        tr34::build(&kek, "D0000K0TB00E0000", &kdh_key, &kdh, &krd, Some(&nonce)).expect("test setup");
    let request = |token: &str, nonce: &str, signer: &Certificate| {
        json!({"KeyMaterial": {"Tr34KeyBlock": {"CertificateAuthorityPublicKeyIdentifier": root,
               "SigningKeyCertificate": Certificate::to_aws_base64(std::slice::from_ref(signer)), "ImportToken": token,
               "WrappedKeyBlock": hex::encode_upper(&block), "KeyBlockFormat": "X9_TR34_2012", "RandomNonce": nonce}}})
    };
    // A wrong nonce, a KEY_CRYPTOGRAM token, a signer not from the root: refused.
    assert!(control(&svc, ControlOperation::ImportKey, request(&token, "0808080808080808", &kdh)).is_err());
    let crypto_token = control(
        &svc,
        ControlOperation::GetParametersForImport,
        json!({"KeyMaterialType": "KEY_CRYPTOGRAM", "WrappingKeyAlgorithm": "RSA_2048"}),
    )
    .expect("test setup");
    assert!(
        control(
            &svc,
            ControlOperation::ImportKey,
            request(crypto_token["ImportToken"].as_str().expect("test setup"), "0707070707070707", &kdh)
        )
        .is_err()
    );
    let other_key = RsaPrivateKey::generate(2048).expect("test setup");
    let self_signed = pki::issue_ca(&other_key, "kdh", 30, now).expect("test setup");
    assert!(
        control(&svc, ControlOperation::ImportKey, request(&token, "0707070707070707", &self_signed))
            .is_err()
    );
    // An expired copy of the token: refused.
    let mut expired = svc.store().get_exchange(&token).expect("test setup").expect("test setup");
    expired.parameters.name = "import-token-expired0000000000".to_owned();
    expired.parameters.valid_until = Timestamp(Timestamp::now().0 - 1);
    svc.store().insert_exchange(&expired).expect("test setup");
    let e = control(
        &svc,
        ControlOperation::ImportKey,
        request("import-token-expired0000000000", "0707070707070707", &kdh),
    )
    .unwrap_err();
    assert!(e.to_string().contains("expired"), "{e}");
    // The right one imports the KEK with its header's attributes.
    let out = control(&svc, ControlOperation::ImportKey, request(&token, "0707070707070707", &kdh))
        .expect("test setup");
    assert_eq!(out["Key"]["KeyAttributes"]["KeyAlgorithm"], "TDES_3KEY");
    assert_eq!(out["Key"]["KeyAttributes"]["KeyUsage"], "TR31_K0_KEY_ENCRYPTION_KEY");
    assert_eq!(
        out["Key"]["KeyCheckValue"],
        kcv_hex(
            Algorithm::Tdes3Key,
            "0123456789ABCDEFFEDCBA987654321089ABCDEF01234567",
            KcvAlgorithm::AnsiX924
        )
    );

    // Export a key as TR-34 to a receiver the root certified; it opens with the receiver's key.
    let receiver_key = RsaPrivateKey::generate(2048).expect("test setup");
    let receiver =
        pki::issue_leaf(&receiver_key.public_key(), "krd", LeafUsage::KeyEncipherment, &ca, &ca_key, 30, now)
            .expect("test setup");
    let export_params = control(
        &svc,
        ControlOperation::GetParametersForExport,
        json!({"KeyMaterialType": "TR34_KEY_BLOCK", "SigningKeyAlgorithm": "RSA_2048"}),
    )
    .expect("test setup");
    let signer =
        Certificate::from_aws_base64(export_params["SigningKeyCertificate"].as_str().expect("test setup"))
            .expect("test setup")
            .remove(0);
    let data_key = clear(
        &svc,
        attrs("AES_128", "TR31_D0_SYMMETRIC_DATA_ENCRYPTION_KEY", json!({"NoRestrictions": true})),
        AES128,
        true,
    );
    let out = control(
        &svc,
        ControlOperation::ExportKey,
        json!({"ExportKeyIdentifier": data_key, "KeyMaterial": {"Tr34KeyBlock": {"CertificateAuthorityPublicKeyIdentifier": root,
               "WrappingKeyCertificate": Certificate::to_aws_base64(std::slice::from_ref(&receiver)),
               "ExportToken": export_params["ExportToken"], "KeyBlockFormat": "X9_TR34_2012", "RandomNonce": "0102030405060708"}}}),
    )
    .expect("test setup");
    let der =
        hex::decode(out["WrappedKey"]["KeyMaterial"].as_str().expect("test setup")).expect("test setup");
    let opened = tr34::open(&der, &signer, &receiver_key, &receiver, Some(&[1, 2, 3, 4, 5, 6, 7, 8]))
        .expect("test setup");
    assert_eq!(hex::encode_upper(&*opened.key), AES128);
    assert_eq!(&opened.header[5..7], "D0");
    // An import token cannot sign an export.
    assert!(control(
        &svc,
        ControlOperation::ExportKey,
        json!({"ExportKeyIdentifier": data_key, "KeyMaterial": {"Tr34KeyBlock": {"CertificateAuthorityPublicKeyIdentifier": root,
               "WrappingKeyCertificate": Certificate::to_aws_base64(std::slice::from_ref(&receiver)),
               "ExportToken": token, "KeyBlockFormat": "X9_TR34_2012"}}}),
    )
    .is_err());
}
