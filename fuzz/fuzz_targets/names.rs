//! The name parsers (algorithm, mode, padding, KCV algorithm): never panic, and a parsed name prints
//! back to a spelling that parses to the same value.
#![no_main]

use libfuzzer_sys::fuzz_target;
use paycrypt::kcv::KcvAlgorithm;
use paycrypt::padding::Padding;
use paycrypt::{Algorithm, Mode};

fuzz_target!(|input: &str| {
    if let Ok(a) = input.parse::<Algorithm>() {
        assert_eq!(a.to_string().parse::<Algorithm>(), Ok(a));
    }
    if let Ok(m) = input.parse::<Mode>() {
        assert_eq!(m.to_string().parse::<Mode>(), Ok(m));
    }
    if let Ok(p) = input.parse::<Padding>() {
        assert_eq!(p.to_string().parse::<Padding>(), Ok(p));
    }
    if let Ok(k) = input.parse::<KcvAlgorithm>() {
        assert_eq!(k.to_string().parse::<KcvAlgorithm>(), Ok(k));
    }
});
