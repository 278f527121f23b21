//! TR-31 key blocks: round trips of random keys, headers and optional blocks (versions B and D, and
//! the legacy A and C); every one-character change of a block fails to unwrap, or is a typed header
//! error, never a different key; wrong and short KBPKs; truncated blocks; the header rules and their
//! messages.

#![allow(clippy::unwrap_used)]

use proptest::prelude::*;

use paycrypt::primitives::tr31::{self, Header, OptionalBlock, Tr31Error, Version};

/// A usage with a mode and algorithm it may have.
const USAGES: &[(&str, &str)] = &[
    ("K0", "BDEN"),
    ("K1", "BDE"),
    ("P0", "BDE"),
    ("D0", "BDE"),
    ("M3", "CGV"),
    ("B0", "XN"),
    ("C0", "CGV"),
    ("V2", "CGV"),
];

fn version() -> impl Strategy<Value = Version> {
    prop_oneof![Just(Version::B), Just(Version::D)]
}

fn kbpk_for(version: Version) -> BoxedStrategy<Vec<u8>> {
    let lens: Vec<usize> = match version {
        Version::A | Version::C => vec![8, 16, 24],
        Version::B => vec![16, 24],
        Version::D => vec![16, 24, 32],
    };
    prop::sample::select(lens).prop_flat_map(|n| prop::collection::vec(any::<u8>(), n)).boxed()
}

fn optional_block() -> impl Strategy<Value = OptionalBlock> {
    prop_oneof![
        "[0-9A-F]{2,24}".prop_map(|d| OptionalBlock::new("KS", d)),
        ("0[01]", "([0-9A-F]{2}){3,5}").prop_map(|(a, k)| OptionalBlock::new("KC", a + &k)),
        ("0[01]", "([0-9A-F]{2}){3,5}").prop_map(|(a, k)| OptionalBlock::new("KP", a + &k)),
        "20[0-9]{2}(0[1-9]|1[0-2])[0-2][0-9][01][0-9][0-5][0-9]{3}Z"
            .prop_map(|t| OptionalBlock::new("TS", t)),
        "[ -~]{0,40}".prop_map(|d| OptionalBlock::new("LB", d)),
        "[ -~]{250,300}".prop_map(|d| OptionalBlock::new("99", d)),
    ]
}

/// A header with a usage, mode and algorithm that go together, and 0 to 3 optional blocks.
fn header(version: Version) -> impl Strategy<Value = (Header, Vec<u8>)> {
    let usage = prop::sample::select(USAGES.to_vec());
    let key = prop_oneof![
        prop::sample::select(vec![8usize, 16, 24]).prop_map(|n| ('T', n)),
        prop::sample::select(vec![16usize, 24, 32]).prop_map(|n| ('A', n)),
        Just(('D', 8)),
        (1usize..80).prop_map(|n| ('H', n)),
    ]
    .prop_flat_map(|(alg, n)| (Just(alg), prop::collection::vec(any::<u8>(), n)));
    (
        usage,
        any::<prop::sample::Index>(),
        "[0-9A-Za-z]{2}",
        prop::sample::select(vec!['E', 'N', 'S']),
        key,
        prop::collection::vec(optional_block(), 0..4),
    )
        .prop_map(move |((usage, modes), mode, kv, exp, (alg, key), blocks)| {
            let header = Header {
                version,
                key_usage: usage.to_owned(),
                algorithm: alg,
                mode_of_use: mode.get(&modes.chars().collect::<Vec<_>>()).to_owned(),
                key_version: kv,
                exportability: exp,
                optional_blocks: blocks,
            };
            (header, key)
        })
}

fn case() -> impl Strategy<Value = (Vec<u8>, Header, Vec<u8>)> {
    version().prop_flat_map(|v| (kbpk_for(v), header(v))).prop_map(|(kbpk, (h, key))| (kbpk, h, key))
}

/// The header `wrap` writes for `header`: the same, with a padding block when one was needed.
fn without_padding(header: &Header) -> Vec<OptionalBlock> {
    header.optional_blocks.iter().filter(|b| b.id != "PB").cloned().collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn wrap_unwrap_round_trip((kbpk, header, key) in case(), mask in prop::option::of(0usize..64)) {
        let block = tr31::wrap_with_mask_len(&kbpk, &header, &key, mask).unwrap();
        prop_assert_eq!(block.len() % header.version.block_len(), 0);
        prop_assert_eq!(block[1..5].parse::<usize>().unwrap(), block.len());
        let out = tr31::unwrap(&kbpk, &block).unwrap();
        prop_assert_eq!(&out.key[..], &key[..]);
        prop_assert_eq!(without_padding(&out.header), without_padding(&header));
        let parsed = Header::parse(&block).unwrap();
        prop_assert_eq!(&parsed, &out.header);
        // The header read back wraps to the same header text.
        let again = tr31::wrap_with_mask_len(&kbpk, &out.header, &key, mask).unwrap();
        prop_assert_eq!(&again[..16], &block[..16]);
        prop_assert_eq!(Header::parse(&again).unwrap(), out.header);
    }

    #[test]
    fn header_text_round_trip((_, header, _) in case()) {
        let text = header.to_string();
        prop_assert_eq!(Header::parse(&text).unwrap(), header);
    }

    #[test]
    fn a_wrong_kbpk_is_the_opaque_error((kbpk, header, key) in case(), flip in any::<prop::sample::Index>()) {
        let block = tr31::wrap(&kbpk, &header, &key).unwrap();
        let mut wrong = kbpk.clone();
        wrong[flip.index(kbpk.len())] ^= 0x01 << (flip.index(7) + 1);
        prop_assert_eq!(tr31::unwrap(&wrong, &block).unwrap_err(), Tr31Error::Invalid);
    }

    #[test]
    fn legacy_versions_round_trip(v in prop_oneof![Just(Version::A), Just(Version::C)], seed in any::<u64>()) {
        let kbpk = kbpk_for(v);
        let mut runner = proptest::test_runner::TestRunner::deterministic();
        let kbpk = kbpk.new_tree(&mut runner).unwrap().current();
        let key: Vec<u8> = seed.to_be_bytes().repeat(2);
        let header = Header::parse(&format!("{}0000P0TE00N0000", v.as_char())).unwrap();
        let block = tr31::wrap(&kbpk, &header, &key).unwrap();
        prop_assert_eq!(&tr31::unwrap(&kbpk, &block).unwrap().key[..], &key[..]);
    }
}

/// Every character of `block` replaced by every other printable character: the result never
/// unwraps to another key; it unwraps only when the change is invisible to the parser, and fails
/// with a typed error or the opaque one otherwise.
fn every_change_fails(kbpk: &[u8], block: &str, key: &[u8]) {
    let mut opaque = 0;
    for i in 0..block.len() {
        for c in (b' '..=b'~').map(char::from) {
            if block.as_bytes()[i] == c as u8 {
                continue;
            }
            let mut changed = block.to_owned();
            changed.replace_range(i..=i, &c.to_string());
            match tr31::unwrap(kbpk, &changed) {
                Ok(out) => panic!(
                    "{changed} unwrapped (to {})",
                    hex::encode_upper(&out.key[..]) + if out.key[..] == *key { " the same key" } else { "" }
                ),
                Err(Tr31Error::Invalid) => opaque += 1,
                Err(_) => {}
            }
        }
    }
    assert!(opaque > block.len(), "only {opaque} changes reached the MAC check");
}

#[test]
fn every_one_character_change_fails() {
    let header = Header::parse("B0000K0TB00E0200KS1800604B120F9292800000TS1320200818221218Z").unwrap();
    let kbpk = hex::decode("DD7515F2BFC17F85CE48F3CA25CB21F6").unwrap();
    let key = hex::decode("3F419E1CB7079442AA37474C2EFBF8B8").unwrap();
    every_change_fails(&kbpk, &tr31::wrap(&kbpk, &header, &key).unwrap(), &key);
    let header = Header { version: Version::D, ..header };
    let kbpk = hex::decode("88E1AB2A2E3DD38C1FA039A536500CC8A87AB9D62DC92C01058FA79F44657DE6").unwrap();
    every_change_fails(&kbpk, &tr31::wrap(&kbpk, &header, &key).unwrap(), &key);
    let header = Header::parse("A0000P0TE00E0000").unwrap();
    let kbpk = hex::decode("89E88CF7931444F334BD7547FC3F380C").unwrap();
    every_change_fails(&kbpk, &tr31::wrap(&kbpk, &header, &key).unwrap(), &key);
}

#[test]
fn truncated_and_extended_blocks_fail() {
    let kbpk = [0x41u8; 32];
    let header = Header::parse("D0000D0AB00N0000").unwrap();
    let block = tr31::wrap(&kbpk, &header, &[7u8; 32]).unwrap();
    for n in 0..block.len() {
        assert!(tr31::unwrap(&kbpk, &block[..n]).is_err(), "{n} characters unwrapped");
    }
    assert!(tr31::unwrap(&kbpk, &(block.clone() + "00")).is_err());
    // A length field that agrees with a truncated block: the MAC check fails, without detail.
    let cut = &block[..block.len() - 32];
    let relabeled = format!("D{:04}{}", cut.len(), &cut[5..]);
    assert_eq!(tr31::unwrap(&kbpk, &relabeled).unwrap_err(), Tr31Error::Invalid);
}

#[test]
fn kbpk_lengths_are_checked_per_version() {
    let key = [1u8; 16];
    for (text, good, bad) in [
        ("A0000P0TE00E0000", &[8usize, 16, 24][..], &[0usize, 7, 32][..]),
        ("B0000P0TE00E0000", &[16, 24], &[8, 32]),
        ("C0000P0TE00E0000", &[8, 16, 24], &[15, 33]),
        ("D0000P0AE00E0000", &[16, 24, 32], &[8, 31, 48]),
    ] {
        let header = Header::parse(text).unwrap();
        for &n in good {
            let block = tr31::wrap(&vec![3u8; n], &header, &key).unwrap();
            assert_eq!(&tr31::unwrap(&vec![3u8; n], &block).unwrap().key[..], &key[..]);
        }
        for &n in bad {
            assert!(
                matches!(tr31::wrap(&vec![3u8; n], &header, &key), Err(Tr31Error::KbpkLength { got, .. }) if got == n)
            );
        }
    }
    let err = tr31::wrap(&[0u8; 8], &Header::parse("B0000P0TE00E0000").unwrap(), &key).unwrap_err();
    assert_eq!(
        err.to_string(),
        "The key block protection key (8 bytes) must be 16 or 24 bytes for version B."
    );
}

#[test]
fn masked_length_sets_the_payload_length() {
    let kbpk = [9u8; 16];
    let tdes = Header::parse("B0000P0TE00E0000").unwrap();
    // 2 + 24 masked bytes, padded to 32: 64 hex digits.
    assert_eq!(tr31::wrap(&kbpk, &tdes, &[1u8; 16]).unwrap().len(), 16 + 64 + 16);
    assert_eq!(tr31::wrap_with_mask_len(&kbpk, &tdes, &[1u8; 16], Some(16)).unwrap().len(), 16 + 48 + 16);
    assert_eq!(tr31::wrap_with_mask_len(&kbpk, &tdes, &[1u8; 16], Some(0)).unwrap().len(), 16 + 48 + 16);
    let aes = Header::parse("D0000P0AE00E0000").unwrap();
    assert_eq!(tr31::wrap(&kbpk, &aes, &[1u8; 16]).unwrap().len(), 144);
}

#[test]
fn a_padding_block_is_added_when_needed() {
    let kbpk = [5u8; 16];
    let header = Header::parse("D0000P0AE00E0100KS0C0123456789").unwrap();
    let block = tr31::wrap(&kbpk, &header, &[1u8; 16]).unwrap();
    let out = Header::parse(&block).unwrap();
    assert_eq!(out.optional_blocks.len(), 2);
    assert_eq!(out.optional_blocks[1].id, "PB");
    assert_eq!((16 + 12 + 4 + out.optional_blocks[1].data.len()) % 16, 0);
    assert!(block.starts_with("D") && &block[12..14] == "02");
}

#[test]
fn header_rules_and_their_messages() {
    let cases = [
        ("B0016P0TE00N000", "The key block header (15 characters) must be at least 16 characters."),
        ("E0016P0TE00N0000", "Version ID (E) must be A, B, C or D."),
        ("B00X6P0TE00N0000", "KeyBlockLength (00X6) must be 4 digits."),
        ("B0016Z9TE00N0000", "KeyUsage (Z9) is not a key usage of ANSI X9.143."),
        ("B0016P-TE00N0000", "KeyUsage (P-) must be 2 letters or digits."),
        ("B0016P0QE00N0000", "Algorithm (Q) must be one of A, D, E, H, R, S, T."),
        ("B0016P0TZ00N0000", "ModeOfUse (Z) must be one of B, C, D, E, G, N, S, T, V, X, Y."),
        ("B0016P0TC00N0000", "ModeOfUse (C) is not allowed with KeyUsage P0; it must be one of B, D, E, N."),
        ("B0016M3TE00N0000", "ModeOfUse (E) is not allowed with KeyUsage M3; it must be one of C, G, N, V."),
        ("B0016B0TE00N0000", "ModeOfUse (E) is not allowed with KeyUsage B0; it must be one of N, X."),
        ("B0016P0TE0-N0000", "KeyVersionNumber (0-) must be 2 letters or digits."),
        ("B0016P0TE00Q0000", "Exportability (Q) must be E, N or S."),
        ("B0016P0TE00N0A00", "NumberOfOptionalBlocks (0A) must be 2 digits."),
        ("B0016P0TE00N0010", "Reserved (10) must be 00."),
        ("B0016P0TE00N0100", "Optional block #1: the header ends before the block."),
        ("B0016P0TE00N0100KS", "Optional block KS: the header ends in its length."),
        ("B0016P0TE00N0100KS0G", "Optional block KS: the length must be 2 hex digits."),
        ("B0016P0TE00N0100KS02", "Optional block KS: the length is shorter than the block's ID and length."),
        ("B0016P0TE00N0100KS10ab", "Optional block KS: the block runs past the key block."),
        ("B0016P0TE00N0100KS08abcd", "Optional block KS: data must be upper-case hex digits."),
        (
            "B0016P0TE00N0100KC0A02ABCD",
            "Optional block KC: the KCV algorithm must be 00 (legacy) or 01 (CMAC).",
        ),
        ("B0016P0TE00N0100KP0800AB", "Optional block KP: the check value must be 2 to 16 bytes of hex."),
        (
            "B0016P0TE00N0100TS082020",
            "Optional block TS: must be an ISO 8601 UTC time, e.g. 20201231235959Z or 2020-12-31T23:59:59Z.",
        ),
        (
            "B0016P0TE00N0100TS172020-08-18 22:12:18Z",
            "Optional block TS: must be an ISO 8601 UTC time, e.g. 20201231235959Z or 2020-12-31T23:59:59Z.",
        ),
        ("B0016P0TE00N0100K-06AB", "Optional block K-: the ID must be 2 letters or digits."),
        ("B0016P0TE00N0100LB06\u{e9}", "Optional block LB: data must be printable ASCII characters."),
        ("B0016P0TE00N0100CT00080010", "Optional block CT: an extended length must give its size as 04."),
    ];
    for (text, message) in cases {
        let err = Header::parse(text).unwrap_err();
        assert_eq!(err.to_string(), message, "{text}");
        // unwrap reports the same header error before anything else.
        assert_eq!(tr31::unwrap(&[0u8; 16], text).unwrap_err(), err, "{text}");
    }
    for good in [
        "B0016P0TE00N0100TS1320200818221218Z",
        "B0016P0TE00N0100TS152020081822121801Z",
        "B0016P0TE00N0100TS182020-08-18T22:12:18Z",
        "B0016P0TE00N0100TS1B2020-08-18T22:12:18.25Z",
        "B0016K0TN00N0000",
        "B001699TN00N0000",
        "B0016P0T100N0000",
        "B0016c0TN00N0000".replace('c', "1").as_str(),
    ] {
        Header::parse(good).unwrap();
    }
}

#[test]
fn unwrap_errors_seen_without_the_key_are_typed() {
    let kbpk = [0x41u8; 16];
    let block = tr31::wrap(&kbpk, &Header::parse("B0000P0TE00E0000").unwrap(), &[2u8; 16]).unwrap();
    let lower = block[..16].to_owned() + &block[16..].to_ascii_lowercase();
    assert_eq!(tr31::unwrap(&kbpk, &lower).unwrap_err(), Tr31Error::NotHex { part: "encrypted key" });
    let err = tr31::unwrap(&kbpk, &block[..block.len() - 1]).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("The key block is {} characters but its length field says {}.", block.len() - 1, block.len())
    );
    let err = tr31::unwrap(&[0x41u8; 32], &block).unwrap_err();
    assert_eq!(
        err.to_string(),
        "The key block protection key (32 bytes) must be 16 or 24 bytes for version B."
    );
    assert_eq!(
        Tr31Error::Invalid.to_string(),
        "The key block could not be unwrapped: it is corrupt or the key block protection key is wrong."
    );
}

#[test]
fn wrap_checks_the_key_and_the_header() {
    let kbpk = [1u8; 16];
    let tdes = Header::parse("B0000P0TE00E0000").unwrap();
    assert_eq!(
        tr31::wrap(&kbpk, &tdes, &[1u8; 15]).unwrap_err().to_string(),
        "The key (15 bytes) must be 8, 16 or 24 bytes for algorithm T."
    );
    let bad = Header { key_usage: "ZZ".into(), ..tdes.clone() };
    assert_eq!(
        tr31::wrap(&kbpk, &bad, &[1u8; 16]).unwrap_err(),
        Tr31Error::UnknownKeyUsage { got: "ZZ".into() }
    );
    let many = Header { optional_blocks: vec![OptionalBlock::new("LB", "x"); 100], ..tdes.clone() };
    assert_eq!(tr31::wrap(&kbpk, &many, &[1u8; 16]).unwrap_err(), Tr31Error::TooManyBlocks { got: 100 });
    let long = Header { optional_blocks: vec![OptionalBlock::new("LB", "x".repeat(9990))], ..tdes.clone() };
    let huge = tr31::wrap_with_mask_len(&kbpk, &tdes, &[1u8; 16], Some(usize::MAX)).unwrap_err();
    assert!(matches!(huge, Tr31Error::TooLong { .. }), "{huge:?}");
    let hmac = Header::parse("B0000M7HC00E0000").unwrap();
    assert!(matches!(tr31::wrap(&kbpk, &hmac, &[1u8; 5000]), Err(Tr31Error::TooLong { .. })));
    let err = tr31::wrap(&kbpk, &long, &[1u8; 16]).unwrap_err();
    assert!(matches!(err, Tr31Error::TooLong { .. }), "{err:?}");
}

#[test]
fn debug_does_not_show_the_key() {
    let kbpk = [1u8; 16];
    let block = tr31::wrap(&kbpk, &Header::parse("B0000P0TE00E0000").unwrap(), &[0xABu8; 16]).unwrap();
    let text = format!("{:?}", tr31::unwrap(&kbpk, &block).unwrap());
    assert!(!text.contains("171") && !text.to_lowercase().contains("abab"), "{text}");
}
