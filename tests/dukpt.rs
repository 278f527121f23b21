//! DUKPT known answers: every value of `vectors/dukpt_tdes_x9_24_1_2009.json` (X9.24-1:2009 Annex A.4)
//! and `vectors/dukpt_aes_x9_24_3_2017.json` (X9.24-3-2017 supplement), host side and device side, and
//! every typed error with its message.
#![allow(clippy::unwrap_used)] // a test: a panic with the value is the report

mod common;

use common::{Tally, load_value as load, s, unhex};
use paycrypt::dukpt::{
    self, AesDevice, AesKsn, Deriver, Error, KeyUsage, Ksn, TdesDevice, TdesKsn, TdesVariant,
};
use paycrypt::{Algorithm, Mode, SymmetricKey};
use serde_json::Value;

fn key(algorithm: Algorithm, hex: &str) -> SymmetricKey {
    SymmetricKey::new(algorithm, &unhex("key", hex)).unwrap()
}

fn ecb(key: &SymmetricKey, data: &[u8]) -> Vec<u8> {
    key.encrypt(Mode::Ecb, None, data).unwrap()
}

/// ANSI X9.19 retail MAC (ISO 9797-1 algorithm 3, zero padding), leftmost 4 bytes.
fn retail_mac(key: &SymmetricKey, data: &[u8]) -> Vec<u8> {
    let k = key.as_bytes();
    let single = SymmetricKey::new(Algorithm::Tdes2Key, &[&k[..8], &k[..8]].concat()).unwrap();
    let mut padded = data.to_vec();
    padded.resize(data.len().div_ceil(8) * 8, 0);
    let blocks: Vec<&[u8]> = padded.chunks(8).collect();
    let mut h = vec![0u8; 8];
    for (i, block) in blocks.iter().enumerate() {
        let x: Vec<u8> = h.iter().zip(block.iter()).map(|(a, b)| a ^ b).collect();
        h = if i + 1 == blocks.len() { ecb(key, &x) } else { ecb(&single, &x) };
    }
    h[..4].to_vec()
}

/// Checks one TDES transaction's results from its transaction key.
fn check_tdes_case(t: &mut Tally, file: &Value, case: &Value, id: &str, txn: &SymmetricKey) {
    t.eq(&format!("{id} transaction key"), txn.as_bytes(), s(case, "transaction_key"));
    let variant = |v| dukpt::tdes::variant_key(txn, v).unwrap();
    let pin = ecb(&variant(TdesVariant::Pin), &unhex("pin", s(file, "pin_block")));
    t.eq(&format!("{id} PIN block"), pin, s(case, "encrypted_pin_block"));
    let data = unhex("data", s(file, "mac_data"));
    t.eq(
        &format!("{id} MAC request"),
        retail_mac(&variant(TdesVariant::MacRequest), &data),
        s(case, "mac_request"),
    );
    t.eq(
        &format!("{id} MAC response"),
        retail_mac(&variant(TdesVariant::MacResponse), &data),
        s(case, "mac_response"),
    );
    let mut padded = data.clone();
    padded.resize(24, 0);
    let ct = variant(TdesVariant::DataRequest).encrypt(Mode::Cbc, Some(&[0; 8]), &padded).unwrap();
    t.eq(&format!("{id} data request"), ct, s(case, "encrypted_data_request"));
}

#[test]
fn tdes_host_side() {
    let file = load("dukpt_tdes_x9_24_1_2009");
    let mut t = Tally::new("tdes_host_side");
    let bdk = key(Algorithm::Tdes2Key, s(&file, "bdk"));
    let initial: TdesKsn = s(&file, "initial_ksn").parse().unwrap();
    let ipek = dukpt::tdes::derive_ipek(&bdk, &initial).unwrap();
    t.eq("IPEK", ipek.as_bytes(), s(&file, "ipek"));
    let mut deriver = Deriver::new(&bdk, 4);
    let cases = file["cases"].as_array().unwrap();
    for case in cases {
        let ksn: TdesKsn = s(case, "ksn").parse().unwrap();
        let id = format!("{} {ksn}", s(case, "table"));
        let txn = dukpt::tdes::derive_transaction_key(&ipek, &ksn).unwrap();
        check_tdes_case(&mut t, &file, case, &id, &txn);
        t.eq(
            &format!("{id} deriver IPEK"),
            deriver.initial_key(&ksn.into()).unwrap().as_bytes(),
            s(&file, "ipek"),
        );
        for v in TdesVariant::ALL {
            let one_shot = dukpt::tdes::derive_key(&bdk, &ksn, v).unwrap();
            let cached = deriver.derive(&ksn.into(), dukpt::Usage::Tdes(v), None).unwrap();
            let want = dukpt::tdes::variant_key(&txn, v).unwrap();
            t.eq(&format!("{id} {v} one-shot"), one_shot.as_bytes(), &hex::encode(want.as_bytes()));
            t.eq(&format!("{id} {v} cached"), cached.as_bytes(), &hex::encode(want.as_bytes()));
        }
    }
    let ksns: Vec<Ksn> = cases.iter().rev().map(|c| s(c, "ksn").parse().unwrap()).collect();
    let batch = deriver.derive_batch(&ksns, "DATA_REQUEST".parse().unwrap(), None);
    for (ksn, got) in ksns.iter().zip(batch) {
        let Ksn::Tdes(k) = ksn else { unreachable!() };
        let want = dukpt::tdes::derive_key(&bdk, k, TdesVariant::DataRequest).unwrap();
        t.eq(&format!("batch {ksn}"), got.unwrap().as_bytes(), &hex::encode(want.as_bytes()));
    }
    t.finish();
}

#[test]
fn tdes_device_side() {
    let file = load("dukpt_tdes_x9_24_1_2009");
    let mut t = Tally::new("tdes_device_side");
    let ipek = key(Algorithm::Tdes2Key, s(&file, "ipek"));
    let initial: TdesKsn = s(&file, "initial_ksn").parse().unwrap();
    let cases = file["cases"].as_array().unwrap();
    let mut device = TdesDevice::load(&ipek, &initial).unwrap();
    let mut rollover: Option<TdesDevice> = None;
    for case in cases {
        let want: TdesKsn = s(case, "ksn").parse().unwrap();
        let id = format!("{} {want} device", s(case, "table"));
        if s(case, "table") == "A.4.3" {
            // The rollover table starts deep into the device's life: resume there, then run on.
            device = rollover.take().unwrap_or_else(|| TdesDevice::resume_at(&ipek, &want).unwrap());
        }
        let txn = device.next_transaction().unwrap();
        t.record(
            &format!("{id} KSN"),
            if txn.ksn() == want { Ok(()) } else { Err(format!("got {}", txn.ksn())) },
        );
        check_tdes_case(&mut t, &file, case, &id, &txn.transaction_key().unwrap());
        if s(case, "table") == "A.4.3" {
            rollover = Some(device);
            device = TdesDevice::load(&ipek, &initial).unwrap();
        }
    }
    assert!(rollover.is_some());
    let last_ksn = initial.with_counter(0x1F_F800).unwrap();
    let mut last = TdesDevice::resume_at(&ipek, &last_ksn).unwrap();
    let used = last.next_transaction().map(|txn| txn.ksn());
    t.record("last KSN", if used == Ok(last_ksn) { Ok(()) } else { Err(format!("got {used:?}")) });
    let err = last.next_transaction().err();
    let want = Some(Error::Exhausted { scheme: dukpt::Scheme::Tdes });
    t.record("exhausted after the last KSN", if err == want { Ok(()) } else { Err(format!("got {err:?}")) });
    t.finish();
}

/// Checks one AES transaction's results from its intermediate key.
fn check_aes_case(
    t: &mut Tally,
    file: &Value,
    case: &Value,
    id: &str,
    ksn: &AesKsn,
    intermediate: &SymmetricKey,
) {
    t.eq(&format!("{id} intermediate key"), intermediate.as_bytes(), s(case, "intermediate_key"));
    for w in case["working_keys"].as_array().unwrap() {
        let usage: KeyUsage = s(w, "usage").parse().unwrap();
        let key_type: Algorithm = s(w, "key_type").parse().unwrap();
        let got = dukpt::aes::working_key_from_intermediate(intermediate, ksn, usage, key_type).unwrap();
        t.eq(&format!("{id} {usage} {key_type}"), got.as_bytes(), s(w, "key"));
        let pin_block = case["encrypted_pin_block"].as_str();
        if let (KeyUsage::PinEncryption, Algorithm::Aes128, Some(want)) = (usage, key_type, pin_block) {
            let a = ecb(&got, &unhex("pin", s(file, "pin_field")));
            let b: Vec<u8> = a.iter().zip(unhex("pan", s(file, "pan_field"))).map(|(x, y)| x ^ y).collect();
            t.eq(&format!("{id} ISO 9564-4 PIN block"), ecb(&got, &b), want);
        }
    }
}

fn aes_cases(file: &Value) -> impl Iterator<Item = &Value> {
    file["cases"].as_array().unwrap().iter()
}

#[test]
fn aes_host_side() {
    let file = load("dukpt_aes_x9_24_3_2017");
    let mut t = Tally::new("aes_host_side");
    for case in aes_cases(&file) {
        let bdk_alg: Algorithm = s(case, "bdk_algorithm").parse().unwrap();
        let bdk = key(bdk_alg, s(case, "bdk"));
        let ik_id: [u8; 8] = unhex("id", s(case, "initial_key_id")).try_into().unwrap();
        let ik = dukpt::aes::derive_initial_key(&bdk, &ik_id).unwrap();
        t.eq(&format!("{bdk_alg} initial key"), ik.as_bytes(), s(case, "initial_key"));
        if s(case, "kind") == "update_key" {
            let key_type: Algorithm = s(case, "key_type").parse().unwrap();
            let got = dukpt::aes::derive_update_key(&ik, &ik_id, key_type).unwrap();
            t.eq(&format!("{bdk_alg} update key {key_type}"), got.as_bytes(), s(case, "key"));
            continue;
        }
        let id = format!("{bdk_alg} {}", s(case, "ksn"));
        if case["valid"] == Value::Bool(false) {
            let err = s(case, "ksn").parse::<AesKsn>().unwrap_err();
            let ok = matches!(err, Error::CounterBits { ones: 17, max: 16, .. });
            t.record(&format!("{id} rejected"), if ok { Ok(()) } else { Err(format!("got {err}")) });
            let counter = u32::try_from(case["counter"].as_u64().unwrap()).unwrap();
            let got = dukpt::aes::dangerous_intermediate_key_any_counter(&ik, &ik_id, counter).unwrap();
            t.eq(
                &format!("{id} published value (any-counter walk)"),
                got.as_bytes(),
                s(case, "intermediate_key"),
            );
            continue;
        }
        let ksn: AesKsn = s(case, "ksn").parse().unwrap();
        let intermediate = dukpt::aes::derive_intermediate_key(&ik, &ksn).unwrap();
        check_aes_case(&mut t, &file, case, &id, &ksn, &intermediate);
        let mut deriver = Deriver::new(&bdk, 2);
        for w in case["working_keys"].as_array().unwrap() {
            let usage: KeyUsage = s(w, "usage").parse().unwrap();
            let key_type: Algorithm = s(w, "key_type").parse().unwrap();
            let one_shot = dukpt::aes::derive_key(&bdk, &ksn, usage, Some(key_type)).unwrap();
            let cached = deriver.derive(&ksn.into(), dukpt::Usage::Aes(usage), Some(key_type)).unwrap();
            t.eq(&format!("{id} {usage} {key_type} one-shot"), one_shot.as_bytes(), s(w, "key"));
            t.eq(&format!("{id} {usage} {key_type} cached"), cached.as_bytes(), s(w, "key"));
        }
    }
    t.finish();
}

#[test]
fn aes_device_side() {
    let file = load("dukpt_aes_x9_24_3_2017");
    let mut t = Tally::new("aes_device_side");
    let mut device: Option<(String, AesDevice)> = None;
    for case in aes_cases(&file).filter(|c| s(c, "kind") == "transaction") {
        let id = format!("{} {} device", s(case, "bdk_algorithm"), s(case, "ksn"));
        if case["valid"] == Value::Bool(false) {
            t.skip_because(&id, "a counter with 17 one-bits is never used by a device");
            continue;
        }
        let bdk_alg: Algorithm = s(case, "bdk_algorithm").parse().unwrap();
        let ik = key(bdk_alg, s(case, "initial_key"));
        let want: AesKsn = s(case, "ksn").parse().unwrap();
        // Run on while the device's next KSN is this one; else load (counter 1) or resume (deeper).
        let running = device.take().filter(|(b, d)| *b == s(case, "bdk") && d.next_ksn() == Some(want));
        let (bdk_hex, mut d) = running.unwrap_or_else(|| {
            let d = if want.counter() == 1 {
                AesDevice::load(&ik, &want.with_counter(0).unwrap()).unwrap()
            } else {
                AesDevice::resume_at(&ik, &want).unwrap()
            };
            (s(case, "bdk").to_owned(), d)
        });
        let txn = d.next_transaction().unwrap();
        t.record(
            &format!("{id} KSN"),
            if txn.ksn() == want { Ok(()) } else { Err(format!("got {}", txn.ksn())) },
        );
        check_aes_case(&mut t, &file, case, &id, &want, &txn.intermediate_key().unwrap());
        for w in case["working_keys"].as_array().unwrap() {
            let usage: KeyUsage = s(w, "usage").parse().unwrap();
            let key_type: Algorithm = s(w, "key_type").parse().unwrap();
            t.eq(
                &format!("{id} {usage} {key_type} device"),
                txn.working_key(usage, key_type).unwrap().as_bytes(),
                s(w, "key"),
            );
        }
        if want.counter() == 0xFFFF_0000 {
            let err = d.next_transaction().err();
            t.record(
                &format!("{id} exhausted after"),
                if err.is_some() { Ok(()) } else { Err("not exhausted".into()) },
            );
        }
        device = Some((bdk_hex, d));
    }
    t.finish();
}

/// Every bad input: one typed error each, message pinned.
#[test]
fn errors_are_typed_and_pinned() {
    let tdes_bdk = key(Algorithm::Tdes2Key, "0123456789ABCDEFFEDCBA9876543210");
    let aes_bdk = key(Algorithm::Aes128, "FEDCBA9876543210F1F1F1F1F1F1F1F1");
    let tksn: Ksn = "FFFF9876543210E00001".parse().unwrap();
    let aksn: Ksn = "123456789012345600000001".parse().unwrap();
    let msg = |r: Result<dukpt::Derivation, Error>| r.unwrap_err().to_string();
    let cases: Vec<(String, &str)> = vec![
        (
            "FFFF9876543210E000".parse::<Ksn>().unwrap_err().to_string(),
            "KeySerialNumber (18 hex chars) must be 20 or 24 hex characters.",
        ),
        ("FFFF9876543210E0000X".parse::<Ksn>().unwrap_err().to_string(), "KeySerialNumber is not valid hex."),
        (
            "FFFF9876543210E0FFE0".parse::<Ksn>().unwrap_err().to_string(),
            "KeySerialNumber counter 0xFFE0 has 11 one-bits; TDES DUKPT allows at most 10.",
        ),
        (
            "1234567890123456FFFFFFFF".parse::<Ksn>().unwrap_err().to_string(),
            "KeySerialNumber counter 0xFFFFFFFF is reserved in AES DUKPT.",
        ),
        (
            msg(dukpt::derive(
                &tdes_bdk,
                &"FFFF9876543210E00000".parse().unwrap(),
                "PIN".parse().unwrap(),
                None,
            )),
            "KeySerialNumber counter is 0, which no transaction uses; the first TDES DUKPT transaction is 1.",
        ),
        (
            msg(dukpt::derive(&aes_bdk, &tksn, "PIN".parse().unwrap(), None)),
            "BaseDerivationKey algorithm AES_128 does not fit TDES DUKPT: expected TDES_2KEY or TDES_3KEY.",
        ),
        (
            msg(dukpt::derive(&tdes_bdk, &aksn, "PIN_ENCRYPTION".parse().unwrap(), None)),
            "BaseDerivationKey algorithm TDES_2KEY does not fit AES DUKPT: expected AES_128, AES_192 or AES_256.",
        ),
        (
            msg(dukpt::derive(&aes_bdk, &aksn, "DATA_BOTH".parse().unwrap(), Some(Algorithm::Aes256))),
            "DerivedKeyAlgorithm AES_256 is stronger than the AES_128 BaseDerivationKey.",
        ),
        (
            msg(dukpt::derive(&tdes_bdk, &tksn, "PIN".parse().unwrap(), Some(Algorithm::Aes128))),
            "DerivedKeyAlgorithm AES_128 is stronger than the TDES_2KEY BaseDerivationKey.",
        ),
        (
            msg(dukpt::derive(
                &key(Algorithm::Tdes3Key, &"01".repeat(24)),
                &tksn,
                "PIN".parse().unwrap(),
                Some(Algorithm::Tdes3Key),
            )),
            "DerivedKeyAlgorithm TDES_3KEY is not defined for TDES DUKPT: its keys are TDES_2KEY.",
        ),
        (
            msg(dukpt::derive(&tdes_bdk, &tksn, "DATA_ENCRYPTION".parse().unwrap(), None)),
            "KeyUsage DATA_ENCRYPTION does not exist for TDES DUKPT: expected one of PIN, MAC_REQUEST, \
             MAC_RESPONSE, DATA_REQUEST, DATA_RESPONSE.",
        ),
        (
            "DATA".parse::<dukpt::Usage>().unwrap_err().to_string(),
            "Unknown KeyUsage 'DATA': expected one of PIN, MAC_REQUEST, MAC_RESPONSE, DATA_REQUEST, \
             DATA_RESPONSE (TDES); KEY_ENCRYPTION, PIN_ENCRYPTION, MAC_GENERATION, MAC_VERIFICATION, MAC_BOTH, \
             DATA_ENCRYPTION, DATA_DECRYPTION, DATA_BOTH, KEY_DERIVATION (AES).",
        ),
        (
            dukpt::bdk_from_bytes(dukpt::Scheme::Tdes, &[0; 10]).unwrap_err().to_string(),
            "BaseDerivationKey (20 hex chars) must be 32 or 48 hex characters for TDES DUKPT.",
        ),
        (
            dukpt::bdk_from_bytes(dukpt::Scheme::Aes, &[0; 20]).unwrap_err().to_string(),
            "BaseDerivationKey (40 hex chars) must be 32, 48 or 64 hex characters for AES DUKPT.",
        ),
        (
            dukpt::initial_key_from_bytes(dukpt::Scheme::Tdes, &[0; 24]).unwrap_err().to_string(),
            "InitialKey (48 hex chars) must be 32 hex characters for TDES DUKPT.",
        ),
    ];
    let mut t = Tally::new("errors_are_typed_and_pinned");
    let ten = "FFFF9876543210E0FFC0".parse::<Ksn>().map(|_| ()).map_err(|e| e.to_string());
    t.record("10 one-bits are allowed", ten);
    for (i, (got, want)) in cases.iter().enumerate() {
        t.record(&format!("error {i}"), if got == want { Ok(()) } else { Err(format!("got {got:?}")) });
    }
    t.finish();
}
