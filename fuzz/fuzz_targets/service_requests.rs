//! The service's parsers and validation: any JSON as an EncryptData, DecryptData, ReEncryptData,
//! ImportKey or seed request never panics, and any string as a key ARN, alias or key identifier parses
//! back to itself.
#![no_main]

use libfuzzer_sys::fuzz_target;
use paycrypt::keys::{AliasName, KeyArn, KeyIdentifier, MemoryStore};
use paycrypt::service::{
    DecryptDataInput, EncryptDataInput, ImportKeyInput, PaymentCryptography, ReEncryptDataInput, SeedFile, Settings,
};

fuzz_target!(|input: &str| {
    if let Ok(arn) = KeyArn::parse(input) {
        assert_eq!(arn.as_str(), input);
        assert_eq!(KeyArn::parse(&KeyArn::new(&arn.region(), &arn.account(), &arn.key_id()).to_string()), Ok(arn));
    }
    if let Ok(alias) = AliasName::parse(input) {
        assert_eq!(alias.as_str(), input);
    }
    if let Ok(id) = KeyIdentifier::parse(input) {
        assert_eq!(KeyIdentifier::parse(&id.to_string()), Ok(id));
    }
    let svc = PaymentCryptography::new(MemoryStore::new(), Settings::default());
    let aes = r#"{"KeyMaterial":{"ClearKey":{"KeyAttributes":{"KeyAlgorithm":"AES_128","KeyClass":"SYMMETRIC_KEY",
        "KeyUsage":"TR31_D0_SYMMETRIC_DATA_ENCRYPTION_KEY","KeyModesOfUse":{"NoRestrictions":true}},
        "KeyMaterial":"2B7E151628AED2A6ABF7158809CF4F3C"}}}"#;
    if let Ok(import) = serde_json::from_str::<ImportKeyInput>(aes) {
        let _ = svc.import_key(import);
    }
    if let Ok(req) = serde_json::from_str::<EncryptDataInput>(input) {
        let _ = svc.encrypt_data(req);
    }
    if let Ok(req) = serde_json::from_str::<DecryptDataInput>(input) {
        let _ = svc.decrypt_data(req);
    }
    if let Ok(req) = serde_json::from_str::<ReEncryptDataInput>(input) {
        let _ = svc.re_encrypt_data(req);
    }
    if let Ok(req) = serde_json::from_str::<ImportKeyInput>(input) {
        let _ = svc.import_key(req);
    }
    if let Ok(seed) = serde_json::from_str::<SeedFile>(input) {
        let _ = svc.seed(&seed);
    }
});
