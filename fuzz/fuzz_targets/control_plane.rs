//! Every control-plane and data-plane operation through `PaymentCryptography::call` over any JSON
//! body, on a seeded store: never a panic, every error an AWS exception.
#![no_main]

use libfuzzer_sys::fuzz_target;
use paycrypt::keys::MemoryStore;
use paycrypt::service::{Operation, PaymentCryptography, Settings};
use serde_json::{Value, json};

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let service = PaymentCryptography::new(MemoryStore::new(), Settings::default());
    let attributes = json!({"KeyAlgorithm": "AES_128", "KeyClass": "SYMMETRIC_KEY",
        "KeyUsage": "TR31_D0_SYMMETRIC_DATA_ENCRYPTION_KEY", "KeyModesOfUse": {"NoRestrictions": true}});
    if let Some(Ok(key)) = service.call("CreateKey", json!({"KeyAttributes": attributes, "Exportable": true})) {
        let _ = service.call("CreateAlias", json!({"AliasName": "alias/fuzz", "KeyArn": key["Key"]["KeyArn"]}));
    }
    let operations: Vec<Operation> = Operation::all().collect();
    let operation = operations[usize::from(selector) % operations.len()];
    if let Ok(body) = serde_json::from_slice::<Value>(rest) {
        if let Err(e) = service.dispatch(operation, body) {
            assert!(!e.to_string().is_empty());
        }
    }
});
