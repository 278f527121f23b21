//! TR-34 key blocks: blocks built by an independent Python peer open to the right key and header;
//! Rust-built blocks open in Rust and in the Python peer; every tampering is refused with its own
//! typed error.
#![allow(clippy::unwrap_used)] // helpers of tests, where a panic is the failure report

mod common;

use std::process::Command;
use std::sync::OnceLock;

use common::Tally;
use paycrypt::primitives::pki::Certificate;
use paycrypt::primitives::tr34::{self, Freshness, Tr34Error};
use paycrypt::rsa::RsaPrivateKey;
use proptest::prelude::*;
use serde_json::Value;

/// The committed blocks and the test keys and certificates they were made with.
struct Fixture {
    file: Value,
    ca: Certificate,
    kdh: Certificate,
    kdh_key: RsaPrivateKey,
    krd: Certificate,
    krd_key: RsaPrivateKey,
    other_kdh: Certificate,
    other_kdh_key: RsaPrivateKey,
    other_krd: Certificate,
    other_krd_key: RsaPrivateKey,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let file = common::load_value("tr34/python_peer");
        let cert = |name: &str| Certificate::from_pem(file[name].as_str().unwrap()).unwrap();
        let key = |name: &str| RsaPrivateKey::from_pem(file[name].as_str().unwrap()).unwrap();
        Fixture {
            ca: cert("ca_cert"),
            kdh: cert("kdh_cert"),
            kdh_key: key("kdh_key"),
            krd: cert("krd_cert"),
            krd_key: key("krd_key"),
            other_kdh: cert("other_kdh_cert"),
            other_kdh_key: key("other_kdh_key"),
            other_krd: cert("other_krd_cert"),
            other_krd_key: key("other_krd_key"),
            file,
        }
    })
}

fn case(name: &str) -> &'static Value {
    fixture().file["cases"].as_array().unwrap().iter().find(|c| c["name"] == name).unwrap()
}

fn unhex(value: &Value) -> Vec<u8> {
    hex::decode(value.as_str().unwrap()).unwrap()
}

/// A Rust-built block from the fixture's KDH to its KRD.
fn rust_block(key: &[u8], header: &str, nonce: Option<&[u8]>) -> Vec<u8> {
    let f = fixture();
    tr34::build(key, header, &f.kdh_key, &f.kdh, &f.krd, nonce).unwrap()
}

fn open(block: &[u8], nonce: Option<&[u8]>) -> Result<tr34::Opened, Tr34Error> {
    let f = fixture();
    tr34::open(block, &f.kdh, &f.krd_key, &f.krd, nonce)
}

/// Opens every case of a peer file (the committed one, or a fresh one) with its KDH and KRD.
fn open_peer_cases(file: &Value, tally: &mut Tally) {
    let cert = |name: &str| Certificate::from_pem(file[name].as_str().unwrap()).unwrap();
    let (kdh, krd) = (cert("kdh_cert"), cert("krd_cert"));
    let krd_key = RsaPrivateKey::from_pem(file["krd_key"].as_str().unwrap()).unwrap();
    for case in file["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let nonce = case["nonce"].as_str().map(|n| hex::decode(n).unwrap());
        let opened = tr34::open(&unhex(&case["block"]), &kdh, &krd_key, &krd, nonce.as_deref());
        let outcome = opened.map_err(|e| e.to_string()).and_then(|opened| {
            let want_freshness = nonce.clone().map_or(Freshness::None, Freshness::RandomNonce);
            let ok = opened.key.as_slice() == unhex(&case["key"]).as_slice()
                && opened.header.as_str() == case["header"].as_str().unwrap()
                && opened.kdh_signing_time_or_nonce == want_freshness;
            if ok { Ok(()) } else { Err(format!("opened to {opened:?}")) }
        });
        tally.record(name, outcome);
    }
}

#[test]
fn python_peer_blocks_open_to_their_key_and_header() {
    let mut tally = Tally::new("tr34 python peer");
    open_peer_cases(&fixture().file, &mut tally);
    tally.finish();
}

/// Fresh blocks from the Python peer, when tests/interop/test_tr34_peer.py names a file of them in
/// `PAYCRYPT_TR34_PEER_CASES` (same format as vectors/tr34/python_peer.json); nothing otherwise.
#[test]
fn fresh_python_peer_blocks_open() {
    let Ok(path) = std::env::var("PAYCRYPT_TR34_PEER_CASES") else { return };
    let file: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let mut tally = Tally::new("tr34 fresh python peer");
    open_peer_cases(&file, &mut tally);
    tally.finish();
}

#[test]
fn the_fixture_chain_verifies() {
    let f = fixture();
    let now = 1_767_225_600 + 86_400; // 2026-01-02
    for leaf in [&f.kdh, &f.krd, &f.other_kdh, &f.other_krd] {
        paycrypt::primitives::pki::verify_chain(leaf, &[], &f.ca, now).unwrap();
    }
}

#[test]
fn rust_blocks_open_in_rust() {
    for (key, header, nonce) in [
        (&[0x11u8; 16][..], "D0000K0TB00E0000", Some(&[1u8, 2, 3, 4, 5, 6, 7, 8][..])),
        (&[0x22u8; 24][..], "D0000B0TX00N0000", Some(&[9u8; 16][..])),
        (&[0x33u8; 16][..], "D0000K0AB00E0000", None),
        (&[0x44u8; 32][..], "D9999K1AB00E0000", Some(&[7u8; 8][..])),
    ] {
        let opened = open(&rust_block(key, header, nonce), nonce).unwrap();
        assert_eq!(opened.key.as_slice(), key);
        assert_eq!(opened.header.as_str(), header);
        let want = nonce.map_or(Freshness::None, |n| Freshness::RandomNonce(n.to_vec()));
        assert_eq!(opened.kdh_signing_time_or_nonce, want);
        // Without an expected nonce the nonce is not checked, only reported.
        assert!(open(&rust_block(key, header, nonce), None).is_ok());
    }
}

#[test]
fn another_signer_is_refused() {
    let f = fixture();
    let block = rust_block(&[1; 16], "D0000K0TB00E0000", Some(&[5; 8]));
    let err = tr34::open(&block, &f.other_kdh, &f.krd_key, &f.krd, Some(&[5; 8])).unwrap_err();
    assert_eq!(err, Tr34Error::WrongSigner { kdh: "CN=Other KDH".into() });
    // Signed by the other KDH's key while naming the expected KDH: the signature does not verify.
    let forged =
        tr34::build(&[1; 16], "D0000K0TB00E0000", &f.other_kdh_key, &f.other_kdh, &f.krd, Some(&[5; 8]))
            .unwrap();
    assert!(matches!(open(&forged, Some(&[5; 8])), Err(Tr34Error::WrongSigner { .. })));
}

/// The offset of the last occurrence of `needle` in `haystack`.
fn rfind(haystack: &[u8], needle: &[u8]) -> usize {
    haystack.windows(needle.len()).rposition(|w| w == needle).unwrap()
}

#[test]
fn a_tampered_signature_is_refused() {
    let mut block = rust_block(&[1; 16], "D0000K0TB00E0000", Some(&[5; 8]));
    let last = block.len() - 1; // the signature is the block's last field
    block[last] ^= 0x01;
    assert_eq!(
        open(&block, Some(&[5; 8])).unwrap_err(),
        Tr34Error::SignatureInvalid { kdh: "CN=TR34 Test KDH".into() }
    );
}

#[test]
fn tampered_ciphertext_is_refused_by_the_signed_digest() {
    for name in ["tdes2_k0_tdes_cbc", "aes128_k0_aes128_cbc"] {
        let case = case(name);
        let mut block = unhex(&case["block"]);
        let nonce = unhex(&case["nonce"]);
        // The encrypted content follows the cipher OID and the IV: `06 .. <oid> 04 <n> <iv> 80 <len>`.
        let cipher_oid: &[u8] = if name.starts_with("tdes") {
            &[0x06, 0x08, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x03, 0x07]
        } else {
            &[0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x01, 0x02]
        };
        let iv = rfind(&block, cipher_oid) + cipher_oid.len();
        let content = iv + 2 + usize::from(block[iv + 1]);
        assert_eq!(block[content], 0x80, "{name}");
        block[content + 4] ^= 0x80;
        assert!(matches!(open(&block, Some(&nonce)), Err(Tr34Error::SignatureInvalid { .. })), "{name}");
    }
}

#[test]
fn a_wrong_or_missing_nonce_is_refused() {
    let block = rust_block(&[1; 16], "D0000K0TB00E0000", Some(&[5; 8]));
    assert_eq!(open(&block, Some(&[6; 8])).unwrap_err(), Tr34Error::NonceMismatch);
    assert_eq!(open(&block, Some(&[5; 7])).unwrap_err(), Tr34Error::NonceMismatch);
    let case = case("tdes2_no_nonce");
    assert_eq!(open(&unhex(&case["block"]), Some(&[5; 8])).unwrap_err(), Tr34Error::NonceMismatch);
}

#[test]
fn a_block_for_another_krd_is_refused() {
    let f = fixture();
    let block = rust_block(&[1; 16], "D0000K0TB00E0000", None);
    let err = tr34::open(&block, &f.kdh, &f.other_krd_key, &f.other_krd, None).unwrap_err();
    assert_eq!(err, Tr34Error::NotForThisKrd { krd: "CN=Other KRD".into() });
    // The right certificate with the wrong private key: one opaque decryption failure.
    let err = tr34::open(&block, &f.kdh, &f.other_krd_key, &f.krd, None).unwrap_err();
    assert_eq!(err, Tr34Error::Decrypt);
    assert_eq!(err.to_string(), "TR-34 key block could not be decrypted.");
}

#[test]
fn every_truncation_is_malformed() {
    let block = unhex(&case("tdes2_k0_tdes_cbc")["block"]);
    for len in 0..block.len() {
        let err = open(&block[..len], None).err();
        assert!(matches!(err, Some(Tr34Error::Malformed { .. })), "length {len}: {err:?}");
    }
    let mut longer = block.clone();
    longer.push(0);
    assert_eq!(open(&longer, None).unwrap_err(), Tr34Error::Malformed { what: "ContentInfo" });
}

#[test]
fn bad_inputs_to_build_are_refused() {
    let f = fixture();
    let build = |key: &[u8], header: &str, nonce: Option<&[u8]>| {
        tr34::build(key, header, &f.kdh_key, &f.kdh, &f.krd, nonce)
    };
    assert!(matches!(build(&[1; 16], "D0000K0TB00E", None), Err(Tr34Error::Header { .. })));
    assert!(matches!(build(&[1; 16], "D0000K0TB00E 000", None), Err(Tr34Error::Header { .. })));
    assert!(matches!(build(&[], "D0000K0TB00E0000", None), Err(Tr34Error::Length { what: "key", .. })));
    assert!(matches!(build(&[1; 16], "D0000K0TB00E0000", Some(&[])), Err(Tr34Error::Length { .. })));
    let mismatched = tr34::build(&[1; 16], "D0000K0TB00E0000", &f.other_kdh_key, &f.kdh, &f.krd, None);
    assert!(matches!(mismatched, Err(Tr34Error::Build { .. })));
}

#[test]
fn errors_say_what_failed() {
    assert_eq!(
        Tr34Error::NonceMismatch.to_string(),
        "TR-34 key block does not carry the expected random nonce."
    );
    assert_eq!(
        Tr34Error::UnsupportedAlgorithm { role: "key transport", oid: "1.2.840.113549.1.1.1".into() }
            .to_string(),
        "TR-34 key block uses unsupported key transport algorithm 1.2.840.113549.1.1.1."
    );
}

/// The Python interpreter to check Rust-built blocks with: `PAYCRYPT_PYTHON`, else `python3`, if
/// it has pyca/cryptography and asn1crypto.
fn python() -> Option<String> {
    let python = std::env::var("PAYCRYPT_PYTHON").unwrap_or_else(|_| "python3".into());
    let ok = Command::new(&python)
        .args(["-c", "import cryptography.hazmat.decrepit, asn1crypto"])
        .output()
        .is_ok_and(|o| o.status.success());
    ok.then_some(python)
}

#[test]
fn rust_blocks_open_in_the_python_peer() {
    let mut tally = Tally::new("tr34 rust -> python peer");
    let Some(python) = python() else {
        tally.skip_because("all", "no python3 with cryptography and asn1crypto (set PAYCRYPT_PYTHON)");
        eprintln!("DONE: started 0 passed 0 skipped 1 failed 0 (no Python peer)");
        return;
    };
    let f = fixture();
    let dir = std::env::temp_dir().join(format!("paycrypt-tr34-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut jobs = Vec::new();
    for (i, (key, header, nonce)) in [
        (vec![0x5Au8; 16], "D0000K0TB00E0000", Some(vec![1u8; 8])),
        (vec![0x6Bu8; 24], "D0000B0TX00N0000", Some(vec![2u8; 16])),
        (vec![0x7Cu8; 16], "D0000K0AB00E0000", None),
        (vec![0x8Du8; 32], "D0000K1AB00E0000", Some(vec![3u8; 8])),
    ]
    .into_iter()
    .enumerate()
    {
        let block = rust_block(&key, header, nonce.as_deref());
        let path = dir.join(format!("block{i}.der"));
        std::fs::write(&path, &block).unwrap();
        jobs.push(serde_json::json!({
            "block": path, "key": hex::encode_upper(&key), "header": header,
            "nonce": nonce.map(hex::encode_upper),
        }));
    }
    let jobs_path = dir.join("jobs.json");
    let jobs_doc =
        serde_json::json!({ "kdh_cert": f.file["kdh_cert"], "krd_key": f.file["krd_key"], "jobs": jobs });
    std::fs::write(&jobs_path, jobs_doc.to_string()).unwrap();
    let script = r#"
import json, sys
sys.path.insert(0, sys.argv[1])
import tr34_peer as peer
from cryptography import x509
from cryptography.hazmat.primitives import serialization
doc = json.load(open(sys.argv[2]))
kdh = x509.load_pem_x509_certificate(doc["kdh_cert"].encode())
krd_key = serialization.load_pem_private_key(doc["krd_key"].encode(), None)
for job in doc["jobs"]:
    nonce = bytes.fromhex(job["nonce"]) if job["nonce"] else None
    header, key = peer.open_block(open(job["block"], "rb").read(), kdh, krd_key, nonce)
    print("ok" if (header, key.hex().upper()) == (job["header"], job["key"]) else "MISMATCH %s %s" % (header, key.hex()))
"#;
    let peer_dir = format!("{}/tests/interop", env!("CARGO_MANIFEST_DIR"));
    let output = Command::new(python).args(["-c", script, &peer_dir]).arg(&jobs_path).output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "python peer failed: {}", String::from_utf8_lossy(&output.stderr));
    for (i, line) in stdout.lines().enumerate() {
        tally.record(&format!("block{i}"), if line == "ok" { Ok(()) } else { Err(line.to_owned()) });
    }
    std::fs::remove_dir_all(&dir).unwrap();
    tally.finish();
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]

    /// Any key, header and nonce survive a build and an open.
    #[test]
    fn build_then_open_round_trips(
        key in proptest::collection::vec(any::<u8>(), 1..=48),
        usage in "[A-Z][0-9]",
        algorithm in prop::sample::select(vec!['T', 'A', 'D', 'R']),
        nonce in proptest::option::of(proptest::collection::vec(any::<u8>(), 1..=32)),
    ) {
        let header = format!("D0000{usage}{algorithm}B00E0000");
        let opened = open(&rust_block(&key, &header, nonce.as_deref()), nonce.as_deref()).unwrap();
        prop_assert_eq!(opened.key.as_slice(), &key[..]);
        prop_assert_eq!(opened.header.as_str(), header.as_str());
    }
}

fn contains(haystack: &[u8], hex_needle: &str) -> bool {
    let needle = hex::decode(hex_needle.replace(' ', "")).unwrap();
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// The pieces of AWS's layout (docs/tr34.md) in a Rust-built block, byte for byte.
#[test]
fn rust_blocks_follow_the_aws_layout() {
    let block = rust_block(&[1; 16], "D0000K0TB00E0000", Some(&[5; 8]));
    // ContentInfo(signedData), SignedData v1, digestAlgorithms { sha256 } without NULL.
    assert_eq!(&block[4..15], &hex::decode("06092A864886F70D010702").unwrap()[..]);
    assert!(contains(&block, "020101 310D 300B 0609608648016503040201 30"));
    // eContent: the EnvelopedData fields without their SEQUENCE (INTEGER 0 first).
    assert!(contains(&block, "06092A864886F70D010703 A082"));
    let at = rfind(&block, &hex::decode("06092A864886F70D010703A082").unwrap());
    assert_eq!(&block[at + 15..at + 17], &[0x04, 0x82]);
    assert_eq!(&block[at + 19..at + 22], &[0x02, 0x01, 0x00]);
    // RSAES-OAEP SHA-256 / MGF1-SHA-256 / empty pSpecified, untagged parameters.
    assert!(contains(
        &block,
        "06092A864886F70D010107 3038 300D 0609608648016503040201 0500 \
         3018 06092A864886F70D010108 300B 0609608648016503040201 \
         300D 06092A864886F70D010109 0400"
    ));
    // des-ede3-cbc, the IV, then the ciphertext inside the same SEQUENCE.
    assert!(contains(&block, "06082A864886F70D0307 0408"));
    // Signed attributes: contentType, randomNonce, header, messageDigest; rsaEncryption signature.
    assert!(contains(&block, "3018 06092A864886F70D010903 310B 06092A864886F70D010703"));
    assert!(contains(&block, "3018 060A2A864886F70D01091903 310A 0408 0505050505050505"));
    assert!(contains(&block, "301F 06092A864886F70D010701 3112 0410 44303030304B305442303045303030 30"));
    assert!(contains(&block, "302F 06092A864886F70D010904 3122 0420"));
    assert!(contains(&block, "300D 06092A864886F70D010101 0500 048201 00"));
}

/// vectors/tr34/SOURCES.md lists the fixture's SHA-256, so an edit shows.
#[test]
fn the_fixture_is_the_file_sources_md_lists() {
    use sha2::{Digest, Sha256};
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/vectors/tr34");
    let sources = std::fs::read_to_string(format!("{dir}/SOURCES.md")).unwrap();
    let sum = hex::encode(Sha256::digest(std::fs::read(format!("{dir}/python_peer.json")).unwrap()));
    assert!(
        sources.contains(&format!("| `python_peer.json` | `{sum}` |")),
        "SHA-256 {sum} not in SOURCES.md"
    );
}
