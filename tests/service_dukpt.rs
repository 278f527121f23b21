//! Known answers through the service for DUKPT: EncryptData with a BDK reproduces ANSI X9.24-1 Annex A's
//! data-request encryptions and encrypts under X9.24-3's AES data-encryption working keys; the variants
//! and defaults; every DUKPT validation rule; ReEncryptData from DUKPT to a zone key and back.

mod common;

use serde::Deserialize;
use serde_json::{Value, json};

use common::service::{Svc, decrypt, encrypt, import, svc};
use common::{Tally, load, unhex};
use paycrypt::service::{Plane, ReEncryptDataInput, ServiceError};
use paycrypt::{Algorithm, Mode, SymmetricKey};

fn bdk(svc: &Svc, algorithm: &str, material: &str) -> String {
    let attrs = json!({"KeyAlgorithm": algorithm, "KeyClass": "SYMMETRIC_KEY",
        "KeyUsage": "TR31_B0_BASE_DERIVATION_KEY", "KeyModesOfUse": {"DeriveKey": true}});
    import(svc, attrs, material).expect("bdk")
}

#[derive(Deserialize)]
struct TdesCase {
    ksn: String,
    encrypted_data_request: Option<String>,
}

#[test]
fn tdes_dukpt_data_request_reproduces_x9_24_1_annex_a() {
    let file = load::<TdesCase>("dukpt_tdes_x9_24_1_2009");
    let raw: Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/vectors/dukpt_tdes_x9_24_1_2009.json"
        ))
        .expect("read"),
    )
    .expect("json");
    let mac_data = raw["mac_data"].as_str().expect("mac_data");
    // The data, zero-padded to 24 bytes (three TDES blocks), as the vector's semantics say.
    let mut plain = mac_data.to_owned();
    while plain.len() < 48 {
        plain.push('0');
    }
    let s = svc();
    let key = bdk(&s, "TDES_2KEY", raw["bdk"].as_str().expect("bdk"));
    let mut tally = Tally::new("tdes_dukpt_data_request");
    for case in &file.cases {
        let Some(expected) = &case.encrypted_data_request else {
            tally.skip();
            continue;
        };
        for variant in ["REQUEST", "BIDIRECTIONAL"] {
            let attrs = json!({"Dukpt": {"KeySerialNumber": case.ksn, "DukptKeyVariant": variant}});
            let outcome = match encrypt(&s, &key, &plain, attrs.clone()) {
                Ok(ct) if &ct == expected => match decrypt(&s, &key, &ct, attrs) {
                    Ok(pt) if pt == plain.to_uppercase() => Ok(()),
                    other => Err(format!("decrypt gave {other:?}")),
                },
                other => Err(format!("got {other:?} expected {expected}")),
            };
            tally.record(&format!("{} {variant}", case.ksn), outcome);
        }
    }
    tally.finish();
}

#[derive(Deserialize)]
struct WorkingKey {
    usage: String,
    key_type: String,
    key: String,
}

#[derive(Deserialize)]
struct AesCase {
    bdk_algorithm: String,
    bdk: String,
    ksn: Option<String>,
    #[serde(default)]
    working_keys: Vec<WorkingKey>,
    #[serde(default)]
    valid: Option<bool>,
}

#[test]
fn aes_dukpt_encrypts_under_x9_24_3_data_keys() {
    let file = load::<AesCase>("dukpt_aes_x9_24_3_2017");
    let s = svc();
    let mut tally = Tally::new("aes_dukpt_data_encryption");
    for case in &file.cases {
        let (Some(ksn), Some(true)) = (&case.ksn, case.valid) else {
            tally.skip();
            continue;
        };
        let key = bdk(&s, &case.bdk_algorithm, &case.bdk);
        for wk in case.working_keys.iter().filter(|w| w.usage == "DATA_ENCRYPTION") {
            let algorithm: Algorithm = wk.key_type.parse().expect("key type");
            let block = algorithm.block_len();
            let plain = "5A".repeat(block * 3);
            let iv = "00".repeat(block);
            let expected = SymmetricKey::new(algorithm, &unhex("key", &wk.key))
                .and_then(|k| k.encrypt(Mode::Cbc, Some(&unhex("iv", &iv)), &unhex("plain", &plain)))
                .map(hex::encode_upper)
                .expect("reference");
            let attrs = json!({"Dukpt": {"KeySerialNumber": ksn, "DukptKeyVariant": "REQUEST",
                "DukptKeyDerivationType": wk.key_type, "Mode": "CBC"}});
            let outcome = match encrypt(&s, &key, &plain, attrs) {
                Ok(ct) if ct == expected => Ok(()),
                other => Err(format!("got {other:?} expected {expected}")),
            };
            tally.record(&format!("{ksn} {}", wk.key_type), outcome);
        }
    }
    tally.finish();
}

#[test]
fn dukpt_variants_and_defaults() {
    let s = svc();
    let key = bdk(&s, "AES_128", "FEDCBA9876543210F1F1F1F1F1F1F1F1");
    let ksn = "123456789012345600000001";
    let plain = "00".repeat(16);
    let ct = |variant: &str| {
        encrypt(&s, &key, &plain, json!({"Dukpt": {"KeySerialNumber": ksn, "DukptKeyVariant": variant}}))
    };
    let (req, resp, both) =
        (ct("REQUEST").expect("req"), ct("RESPONSE").expect("resp"), ct("BIDIRECTIONAL").expect("both"));
    assert!(req != resp && resp != both && req != both);
    // Defaults: BIDIRECTIONAL, CBC, zero IV.
    let default = encrypt(&s, &key, &plain, json!({"Dukpt": {"KeySerialNumber": ksn}})).expect("default");
    assert_eq!(default, both);
    let ecb =
        encrypt(&s, &key, &plain, json!({"Dukpt": {"KeySerialNumber": ksn, "Mode": "ECB"}})).expect("ecb");
    assert_eq!(ecb, both, "one block under a zero IV: CBC equals ECB");
}

fn dukpt_error(result: Result<String, ServiceError>, path: &str) -> String {
    let err = result.expect_err("should fail");
    assert_eq!(err.exception(Plane::Data), "ValidationException", "{err:?}");
    assert_eq!(err.body(Plane::Data)["fieldList"][0]["path"], json!(path), "{err:?}");
    err.to_string()
}

#[test]
fn dukpt_validation() {
    let s = svc();
    let tdes = bdk(&s, "TDES_2KEY", "0123456789ABCDEFFEDCBA9876543210");
    let plain = "00".repeat(8);
    let ksn_path = "EncryptionAttributes.Dukpt.KeySerialNumber";
    let msg = dukpt_error(
        encrypt(&s, &tdes, &plain, json!({"Dukpt": {"KeySerialNumber": "FFFF9876543210E0000"}})),
        ksn_path,
    );
    assert_eq!(msg, format!("{ksn_path} (19 characters) must be 16, 20 or 24 hex digits."));
    dukpt_error(
        encrypt(&s, &tdes, &plain, json!({"Dukpt": {"KeySerialNumber": "9876543210E00001"}})),
        ksn_path,
    );
    dukpt_error(
        encrypt(&s, &tdes, &plain, json!({"Dukpt": {"KeySerialNumber": "FFFF9876543210E00000"}})),
        ksn_path,
    );
    let too_strong =
        json!({"Dukpt": {"KeySerialNumber": "FFFF9876543210E00001", "DukptKeyDerivationType": "TDES_3KEY"}});
    dukpt_error(encrypt(&s, &tdes, &plain, too_strong), "EncryptionAttributes.Dukpt.DukptKeyDerivationType");
    let aes_ksn = json!({"Dukpt": {"KeySerialNumber": "123456789012345600000001"}});
    dukpt_error(encrypt(&s, &tdes, &plain, aes_ksn), "KeyIdentifier");
    let iv_ecb = json!({"Dukpt": {"KeySerialNumber": "FFFF9876543210E00001", "Mode": "ECB", "InitializationVector": "0000000000000000"}});
    dukpt_error(encrypt(&s, &tdes, &plain, iv_ecb), "EncryptionAttributes.Dukpt.InitializationVector");
    dukpt_error(
        encrypt(&s, &tdes, "0000", json!({"Dukpt": {"KeySerialNumber": "FFFF9876543210E00001"}})),
        "PlainText",
    );
}

#[test]
fn re_encrypt_dukpt_to_zone_key_and_back() {
    let s = svc();
    let bdk_arn = bdk(&s, "TDES_2KEY", "0123456789ABCDEFFEDCBA9876543210");
    let zone_attrs = json!({"KeyAlgorithm": "AES_128", "KeyClass": "SYMMETRIC_KEY",
        "KeyUsage": "TR31_D0_SYMMETRIC_DATA_ENCRYPTION_KEY", "KeyModesOfUse": {"Encrypt": true, "Decrypt": true, "Wrap": true, "Unwrap": true}});
    let zone = import(&s, zone_attrs, "2B7E151628AED2A6ABF7158809CF4F3C").expect("zone");
    let dukpt = json!({"Dukpt": {"KeySerialNumber": "FFFF9876543210E00003", "DukptKeyVariant": "REQUEST"}});
    let plain = "4E6F77206973207468652074696D6520"; // 16 bytes: whole blocks for TDES and AES
    let terminal_ct = encrypt(&s, &bdk_arn, plain, dukpt.clone()).expect("terminal");
    let re = |inc: &str, out: &str, ct: &str, ia: Value, oa: Value| {
        s.re_encrypt_data(ReEncryptDataInput {
            incoming_key_identifier: inc.into(),
            outgoing_key_identifier: out.into(),
            cipher_text: ct.into(),
            incoming_encryption_attributes: serde_json::from_value(ia).expect("ia"),
            outgoing_encryption_attributes: serde_json::from_value(oa).expect("oa"),
            incoming_wrapped_key: None,
            outgoing_wrapped_key: None,
        })
    };
    let sym =
        json!({"Symmetric": {"Mode": "CBC", "InitializationVector": "000102030405060708090A0B0C0D0E0F"}});
    let out = re(&bdk_arn, &zone, &terminal_ct, dukpt.clone(), sym.clone()).expect("dukpt -> zone");
    assert!(out.key_arn.ends_with(zone.rsplit('/').next().unwrap_or("")));
    assert_eq!(
        decrypt(&s, &zone, &out.cipher_text, sym.clone()).expect("zone decrypt"),
        plain.to_uppercase()
    );
    let back = re(&zone, &bdk_arn, &out.cipher_text, sym, dukpt).expect("zone -> dukpt");
    assert_eq!(back.cipher_text, terminal_ct);
    // The response names the outgoing key, a BDK: its ARN and check value.
    assert_eq!(back.key_arn, bdk_arn);
    assert_eq!(back.key_check_value, "08D7B4");
}
