//! The DUKPT parsers and derivations: KSN and usage parsing never panic and round-trip through their text
//! form; any KSN bytes with any BDK bytes either derive keys for every usage or fail with a typed error,
//! and a device resumed at that KSN agrees with the host.
#![no_main]

use libfuzzer_sys::fuzz_target;
use paycrypt::dukpt::{self, AesDevice, KeyUsage, Ksn, TdesDevice, TdesVariant, Usage};

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(ksn) = text.parse::<Ksn>() {
            assert_eq!(ksn.to_string().parse::<Ksn>(), Ok(ksn));
        }
        if let Ok(usage) = text.parse::<Usage>() {
            assert_eq!(usage.to_string().parse::<Usage>(), Ok(usage));
        }
    }
    for n in [10, 12] {
        let Some((ksn, bdk)) = data.split_at_checked(n) else { continue };
        let Ok(ksn) = Ksn::from_slice(ksn) else { continue };
        let Ok(bdk) = dukpt::bdk_from_bytes(ksn.scheme(), bdk) else { continue };
        let usages: Vec<Usage> = match ksn {
            Ksn::Tdes(_) => TdesVariant::ALL.into_iter().map(Usage::Tdes).collect(),
            Ksn::Aes(_) => KeyUsage::ALL.into_iter().map(Usage::Aes).collect(),
        };
        for usage in usages {
            let Ok(host) = dukpt::derive(&bdk, &ksn, usage, None) else { continue };
            let device_key = match (ksn, usage) {
                (Ksn::Tdes(k), Usage::Tdes(v)) => TdesDevice::resume_at(&host.initial_key, &k)
                    .and_then(|mut d| d.next_transaction())
                    .and_then(|t| t.key(v)),
                (Ksn::Aes(k), Usage::Aes(u)) => AesDevice::resume_at(&host.initial_key, &k)
                    .and_then(|mut d| d.next_transaction())
                    .and_then(|t| t.working_key(u, bdk.algorithm())),
                _ => continue,
            };
            assert_eq!(device_key.map(|k| k.as_bytes().to_vec()).ok(), Some(host.key.as_bytes().to_vec()));
        }
    }
});
