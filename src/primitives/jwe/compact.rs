//! The compact serialization: `header.encrypted_key.iv.ciphertext.tag`, each part base64url.

use std::fmt;

use base64ct::{Base64UrlUnpadded, Encoding};
use serde_json::{Map, Value};
use zeroize::Zeroizing;

use crate::jwe::gcm::{self, IV_LEN, TAG_LEN};
use crate::jwe::{AllowList, EncryptOptions, JweAlg, JweEnc, JweError};
use crate::rsa::{Jwk, Jwks, KeyOp, b64};

/// The protected header members paycrypt reads.
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct Header {
    /// The key-management algorithm.
    pub alg: JweAlg,
    /// The content-encryption algorithm.
    pub enc: JweEnc,
    /// The key id, if any.
    pub kid: Option<String>,
    /// The `typ` member, if any.
    pub typ: Option<String>,
    /// The `cty` member, if any.
    pub cty: Option<String>,
}

/// A decrypted JWE: its header and the payload (zeroized on drop).
pub struct Decrypted {
    /// The protected header.
    pub header: Header,
    /// The plaintext.
    pub payload: Zeroizing<Vec<u8>>,
}

impl fmt::Debug for Decrypted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Decrypted").field("header", &self.header).field("payload", &"...").finish()
    }
}

/// Encrypts `payload` to the public half of `key` and returns the compact JWE.
///
/// A fresh content key and IV come from the operating system's random number generator for every
/// call.
///
/// # Errors
/// [`JweError::Key`] when the key's `use`, `key_ops` or `alg` forbid encryption with
/// `options.alg`, or the key is under 2048 bits; [`JweError::Random`] if the random number generator
/// fails.
pub fn encrypt(payload: &[u8], key: &Jwk, options: &EncryptOptions) -> Result<String, JweError> {
    key.check(KeyOp::Encrypt, options.alg.name())?;
    let mut header = Map::new();
    header.insert("alg".to_owned(), Value::from(options.alg.name()));
    header.insert("enc".to_owned(), Value::from(options.enc.name()));
    if let Some(kid) = options.kid.as_deref().or(key.kid()) {
        header.insert("kid".to_owned(), Value::from(kid));
    }
    for (name, value) in [("typ", &options.typ), ("cty", &options.cty)] {
        if let Some(value) = value {
            header.insert(name.to_owned(), Value::from(value.as_str()));
        }
    }
    let header = b64(Value::Object(header).to_string().as_bytes());

    let mut cek = Zeroizing::new(vec![0u8; options.enc.key_len()]);
    let mut iv = [0u8; IV_LEN];
    getrandom::fill(&mut cek).map_err(|_| JweError::Random)?;
    getrandom::fill(&mut iv).map_err(|_| JweError::Random)?;
    let encrypted_key = key.public_key().encrypt(options.alg.padding(), None, &cek)?;
    let (ciphertext, tag) =
        gcm::encrypt(&cek, &iv, header.as_bytes(), payload).map_err(|_| JweError::Random)?;
    Ok([header, b64(&encrypted_key), b64(&iv), b64(&ciphertext), b64(&tag)].join("."))
}

/// Decrypts a compact JWE with a key from `keys`, accepting only the `alg` and `enc` in `allow`.
///
/// The key is the one whose `kid` is the header's (a key without a `kid` answers to any); with no
/// `kid` in the header every key that allows decryption with the `alg` is tried.
///
/// # Errors
/// In the order checked: [`JweError::Parts`], [`JweError::Base64`], [`JweError::Header`],
/// [`JweError::HeaderMember`], [`JweError::AlgNone`], [`JweError::UnsupportedAlg`],
/// [`JweError::AlgNotAllowed`], [`JweError::UnsupportedEnc`], [`JweError::EncNotAllowed`],
/// [`JweError::Zip`], [`JweError::Crit`], [`JweError::IvLength`], [`JweError::TagLength`],
/// [`JweError::Key`] (no key answers to the `kid`, or the key forbids it); then only
/// [`JweError::Decryption`], the same for a bad encrypted key and a bad tag.
pub fn decrypt(token: &str, keys: &Jwks, allow: &AllowList) -> Result<Decrypted, JweError> {
    let parts: Vec<&str> = token.trim().split('.').collect();
    let [header_b64, key_b64, iv_b64, ct_b64, tag_b64] = parts.as_slice() else {
        return Err(JweError::Parts { got: parts.len() });
    };
    let header_json = unb64(header_b64, "protected header")?;
    let encrypted_key = unb64(key_b64, "encrypted key")?;
    let iv = unb64(iv_b64, "IV")?;
    let ciphertext = unb64(ct_b64, "ciphertext")?;
    let tag = unb64(tag_b64, "tag")?;

    let header = parse_header(&header_json, allow)?;
    let iv: [u8; IV_LEN] = iv.as_slice().try_into().map_err(|_| JweError::IvLength { got: iv.len() })?;
    let tag: [u8; TAG_LEN] = tag.as_slice().try_into().map_err(|_| JweError::TagLength { got: tag.len() })?;

    let candidates = keys.candidates(header.kid.as_deref(), KeyOp::Decrypt, header.alg.name())?;
    for key in candidates {
        let Some(private) = key.private_key() else { continue };
        // RFC 7516 §11.5: a key that does not unwrap is replaced by a random one, so a bad encrypted
        // key fails at the tag like a bad ciphertext does.
        let cek = match private.decrypt(header.alg.padding(), None, &encrypted_key) {
            Ok(cek) if cek.len() == header.enc.key_len() => cek,
            _ => random_cek(header.enc.key_len())?,
        };
        if let Ok(payload) = gcm::decrypt(&cek, &iv, header_b64.as_bytes(), &ciphertext, &tag) {
            return Ok(Decrypted { header, payload });
        }
    }
    Err(JweError::Decryption)
}

/// Decodes one part; JOSE base64url has no padding and no whitespace.
fn unb64(part: &str, name: &'static str) -> Result<Vec<u8>, JweError> {
    Base64UrlUnpadded::decode_vec(part).map_err(|_| JweError::Base64 { part: name })
}

fn random_cek(len: usize) -> Result<Zeroizing<Vec<u8>>, JweError> {
    let mut cek = Zeroizing::new(vec![0u8; len]);
    getrandom::fill(&mut cek).map_err(|_| JweError::Random)?;
    Ok(cek)
}

/// Parses and checks the protected header against `allow`.
fn parse_header(json: &[u8], allow: &AllowList) -> Result<Header, JweError> {
    let value: Value =
        serde_json::from_slice(json).map_err(|e| JweError::Header { detail: e.to_string() })?;
    let Value::Object(obj) = value else {
        return Err(JweError::Header { detail: "it is not an object".to_owned() });
    };
    let alg_name =
        text(&obj, "alg")?.ok_or(JweError::HeaderMember { member: "alg", problem: "is missing" })?;
    if alg_name.eq_ignore_ascii_case("none") {
        return Err(JweError::AlgNone);
    }
    let alg: JweAlg = alg_name.parse().map_err(|_| JweError::UnsupportedAlg { alg: alg_name.to_owned() })?;
    if !allow.allows_alg(alg) {
        return Err(JweError::AlgNotAllowed { alg: alg_name.to_owned(), allowed: allow.alg_names() });
    }
    let enc_name =
        text(&obj, "enc")?.ok_or(JweError::HeaderMember { member: "enc", problem: "is missing" })?;
    let enc: JweEnc = enc_name.parse().map_err(|_| JweError::UnsupportedEnc { enc: enc_name.to_owned() })?;
    if !allow.allows_enc(enc) {
        return Err(JweError::EncNotAllowed { enc: enc_name.to_owned(), allowed: allow.enc_names() });
    }
    if let Some(zip) = obj.get("zip") {
        return Err(JweError::Zip { zip: zip.as_str().map_or_else(|| zip.to_string(), str::to_owned) });
    }
    if let Some(crit) = obj.get("crit") {
        // No extension is understood, so any `crit` is refused; say which name it asked for.
        let name = match crit.as_array().and_then(|names| names.first()).and_then(Value::as_str) {
            Some(name) => format!("'{name}'"),
            None => format!("list {crit}"),
        };
        return Err(JweError::Crit { name });
    }
    Ok(Header {
        alg,
        enc,
        kid: text(&obj, "kid")?.map(str::to_owned),
        typ: text(&obj, "typ")?.map(str::to_owned),
        cty: text(&obj, "cty")?.map(str::to_owned),
    })
}

fn text<'a>(obj: &'a Map<String, Value>, member: &'static str) -> Result<Option<&'a str>, JweError> {
    match obj.get(member) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(JweError::HeaderMember { member, problem: "must be a string" }),
    }
}
