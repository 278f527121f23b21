//! The files paycrypt reads at start: fault rules (`Faults::from_json`), seed files, the master key
//! (`MasterKey::from_hex`) and what the store keeps as records (key, KMS key, alias and grant JSON):
//! never a panic; a master key read from hex seals and opens, and opens nothing it did not seal.
#![no_main]

use libfuzzer_sys::fuzz_target;
use paycrypt::keys::{Grant, Key, KmsAlias, KmsKey, MasterKey};
use paycrypt::server::Faults;
use paycrypt::service::SeedFile;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = Faults::from_json(&text);
    let _ = serde_json::from_slice::<SeedFile>(data);
    let _ = serde_json::from_slice::<Key>(data);
    let _ = serde_json::from_slice::<KmsKey>(data);
    let _ = serde_json::from_slice::<KmsAlias>(data);
    let _ = serde_json::from_slice::<Grant>(data);
    if let Ok(master) = MasterKey::from_hex(&text) {
        let sealed = master.seal(b"aad", b"secret").expect("seal");
        assert_eq!(&master.open(b"aad", &sealed, "fuzz").expect("open")[..], b"secret");
    }
    let master = MasterKey::from_bytes(&[7; 32]).expect("key");
    assert!(master.open(b"aad", data, "fuzz").is_err() || data.len() >= 28);
});
