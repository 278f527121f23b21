//! RSA keys as JSON Web Keys (RFC 7517, RFC 7518 §6.3) and key sets, with the members that limit
//! what a key may do (`use`, `key_ops`, `alg`) checked before every operation.

use std::fmt;

use base64ct::{Base64UrlUnpadded, Encoding};
use rsa::pkcs1::{RsaPrivateKeyRef, RsaPublicKey as Pkcs1PublicKey, UintRef};
use rsa::pkcs8::der::Decode;
use serde_json::{Map, Value};
use zeroize::Zeroizing;

use crate::rsa::{KeyError, RsaPrivateKey, RsaPublicKey};

/// What a key is asked to do, for the `use` and `key_ops` checks.
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
pub enum KeyOp {
    /// Encrypt, or wrap a content-encryption key (JWE): needs `use` `enc` and `key_ops` `encrypt` or
    /// `wrapKey` when those members are present.
    Encrypt,
    /// Decrypt, or unwrap a content-encryption key: needs `use` `enc` and `key_ops` `decrypt` or
    /// `unwrapKey` when present, and the private key.
    Decrypt,
}

impl KeyOp {
    fn key_ops(self) -> [&'static str; 2] {
        match self {
            KeyOp::Encrypt => ["encrypt", "wrapKey"],
            KeyOp::Decrypt => ["decrypt", "unwrapKey"],
        }
    }

    fn verb(self) -> &'static str {
        match self {
            KeyOp::Encrypt => "encryption",
            KeyOp::Decrypt => "decryption",
        }
    }
}

/// An RSA key with its JWK members: `kid`, `use`, `key_ops`, `alg`.
///
/// A key read from PEM or DER has none of them, so nothing limits it.
///
/// # Examples
/// ```
/// use paycrypt::rsa::{Jwk, KeyOp, RsaPrivateKey};
///
/// let key = Jwk::from_private(RsaPrivateKey::generate(2048)?).with_kid("k1").with_alg("RSA-OAEP-256");
/// let public = Jwk::from_json(&key.to_public_json().to_string())?;
/// assert_eq!(public.kid(), Some("k1"));
/// assert!(public.check(KeyOp::Encrypt, "RSA-OAEP-256").is_ok());
/// assert!(public.check(KeyOp::Encrypt, "RSA-OAEP").is_err()); // alg says RSA-OAEP-256 only
/// assert!(public.check(KeyOp::Decrypt, "RSA-OAEP-256").is_err()); // no private key
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct Jwk {
    public: RsaPublicKey,
    private: Option<RsaPrivateKey>,
    kid: Option<String>,
    key_use: Option<String>,
    key_ops: Option<Vec<String>>,
    alg: Option<String>,
}

impl Jwk {
    /// A public key with no JWK members.
    pub fn from_public(key: RsaPublicKey) -> Self {
        Jwk { public: key, private: None, kid: None, key_use: None, key_ops: None, alg: None }
    }

    /// A private key with no JWK members.
    pub fn from_private(key: RsaPrivateKey) -> Self {
        Jwk {
            public: key.public_key(),
            private: Some(key),
            kid: None,
            key_use: None,
            key_ops: None,
            alg: None,
        }
    }

    /// Reads a PEM key, private (`PRIVATE KEY`, `RSA PRIVATE KEY`) or public (`PUBLIC KEY`,
    /// `RSA PUBLIC KEY`).
    ///
    /// # Errors
    /// As [`RsaPrivateKey::from_pem`] and [`RsaPublicKey::from_pem`].
    pub fn from_pem(text: &str) -> Result<Self, KeyError> {
        if text.contains("PRIVATE KEY-----") {
            RsaPrivateKey::from_pem(text).map(Jwk::from_private)
        } else {
            RsaPublicKey::from_pem(text).map(Jwk::from_public)
        }
    }

    /// Reads a DER key: PKCS#8 or PKCS#1 private, SubjectPublicKeyInfo or PKCS#1 public.
    ///
    /// # Errors
    /// [`KeyError::Malformed`] when the bytes are none of these.
    pub fn from_der(der: &[u8]) -> Result<Self, KeyError> {
        RsaPrivateKey::from_der(der)
            .map(Jwk::from_private)
            .or_else(|_| RsaPublicKey::from_der(der).map(Jwk::from_public))
    }

    /// Reads one JWK from JSON text.
    ///
    /// # Errors
    /// [`KeyError::Malformed`] for text that is not a JSON object, [`KeyError::JwkMember`] for a
    /// missing or bad member (`kty` other than `RSA`, bad base64url, `oth` multi-prime keys, CRT
    /// values that do not match the primes).
    pub fn from_json(text: &str) -> Result<Self, KeyError> {
        let value: Value = serde_json::from_str(text).map_err(|e| KeyError::Malformed {
            what: "JWK",
            format: "JSON",
            detail: e.to_string(),
        })?;
        Jwk::from_value(&value)
    }

    /// Reads one JWK from a parsed JSON value. See [`Jwk::from_json`].
    ///
    /// # Errors
    /// As [`Jwk::from_json`].
    pub fn from_value(value: &Value) -> Result<Self, KeyError> {
        let Some(obj) = value.as_object() else {
            return Err(KeyError::Malformed {
                what: "JWK",
                format: "JWK",
                detail: "it is not a JSON object".to_owned(),
            });
        };
        match text_member(obj, "kty")? {
            Some("RSA") => {}
            Some(other) => return Err(member("kty", format!("is '{other}'; only RSA keys are supported"))),
            None => return Err(member("kty", "is missing".to_owned())),
        }
        let n = required_bytes(obj, "n")?;
        let e = required_bytes(obj, "e")?;
        let (public, private) = if obj.contains_key("d") {
            let private = private_key(obj, &n, &e)?;
            (private.public_key(), Some(private))
        } else {
            (public_key(&n, &e)?, None)
        };
        let key_ops = match obj.get("key_ops") {
            None => None,
            Some(Value::Array(ops)) => Some(
                ops.iter()
                    .map(|op| op.as_str().map(str::to_owned))
                    .collect::<Option<Vec<_>>>()
                    .ok_or_else(|| member("key_ops", "must be an array of strings".to_owned()))?,
            ),
            Some(_) => return Err(member("key_ops", "must be an array of strings".to_owned())),
        };
        Ok(Jwk {
            public,
            private,
            kid: text_member(obj, "kid")?.map(str::to_owned),
            key_use: text_member(obj, "use")?.map(str::to_owned),
            key_ops,
            alg: text_member(obj, "alg")?.map(str::to_owned),
        })
    }

    /// Sets the `kid`.
    pub fn with_kid(mut self, kid: impl Into<String>) -> Self {
        self.kid = Some(kid.into());
        self
    }

    /// Sets the `alg` the key is limited to.
    pub fn with_alg(mut self, alg: impl Into<String>) -> Self {
        self.alg = Some(alg.into());
        self
    }

    /// Sets `use` (`enc` for encryption keys).
    pub fn with_use(mut self, key_use: impl Into<String>) -> Self {
        self.key_use = Some(key_use.into());
        self
    }

    /// The key id, when the key has one.
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// The `alg` member, when the key has one.
    pub fn alg(&self) -> Option<&str> {
        self.alg.as_deref()
    }

    /// The public key.
    pub fn public_key(&self) -> &RsaPublicKey {
        &self.public
    }

    /// The private key, when this JWK holds one.
    pub fn private_key(&self) -> Option<&RsaPrivateKey> {
        self.private.as_ref()
    }

    /// Checks that the key may do `op` with the JOSE algorithm `alg` (`RSA-OAEP-256`, or
    /// [`RsaPadding::jose_alg`](crate::rsa::RsaPadding::jose_alg) for plain RSA).
    ///
    /// # Errors
    /// [`KeyError::NotAllowed`] when `use`, `key_ops` or `alg` forbids it, [`KeyError::NotPrivate`]
    /// for [`KeyOp::Decrypt`] with a public key.
    pub fn check(&self, op: KeyOp, alg: &str) -> Result<(), KeyError> {
        let refuse = |reason: String| KeyError::NotAllowed {
            kid: self.kid.clone(),
            operation: format!("{} with {alg}", op.verb()),
            reason,
        };
        if let Some(key_use) = self.key_use.as_deref().filter(|u| *u != "enc") {
            return Err(refuse(format!("its use is '{key_use}', not 'enc'")));
        }
        if let Some(ops) = &self.key_ops {
            let wanted = op.key_ops();
            if !ops.iter().any(|o| wanted.contains(&o.as_str())) {
                return Err(refuse(format!(
                    "its key_ops [{}] has neither {} nor {}",
                    ops.join(", "),
                    wanted[0],
                    wanted[1]
                )));
            }
        }
        if let Some(key_alg) = self.alg.as_deref().filter(|a| *a != alg) {
            return Err(refuse(format!("its alg is '{key_alg}'")));
        }
        if op == KeyOp::Decrypt && self.private.is_none() {
            let what = self.kid.as_ref().map_or_else(|| "The key".to_owned(), |k| format!("Key '{k}'"));
            return Err(KeyError::NotPrivate { what });
        }
        Ok(())
    }

    /// The public JWK: `kty`, `n`, `e` and the members this key has (`kid`, `use`, `key_ops`,
    /// `alg`), in that order.
    pub fn to_public_json(&self) -> Value {
        let mut obj = Map::new();
        obj.insert("kty".to_owned(), Value::from("RSA"));
        if let Some(kid) = &self.kid {
            obj.insert("kid".to_owned(), Value::from(kid.as_str()));
        }
        if let Some(key_use) = &self.key_use {
            obj.insert("use".to_owned(), Value::from(key_use.as_str()));
        }
        if let Some(ops) = &self.key_ops {
            obj.insert("key_ops".to_owned(), Value::from(ops.clone()));
        }
        if let Some(alg) = &self.alg {
            obj.insert("alg".to_owned(), Value::from(alg.as_str()));
        }
        obj.insert("n".to_owned(), Value::from(b64(&self.public.n())));
        obj.insert("e".to_owned(), Value::from(b64(&self.public.e())));
        Value::Object(obj)
    }

    /// The private JWK as JSON text: the public members plus `d`, `p`, `q`, `dp`, `dq`, `qi`; `None`
    /// for a public key. The text is zeroized on drop.
    ///
    /// # Errors
    /// [`KeyError::Operation`] if the key cannot be encoded (it can, for a valid key).
    pub fn to_private_json(&self) -> Result<Option<Zeroizing<String>>, KeyError> {
        let Some(private) = &self.private else { return Ok(None) };
        let der = private.to_pkcs1_der()?;
        let parts =
            RsaPrivateKeyRef::from_der(&der).map_err(|e| KeyError::Operation { detail: e.to_string() })?;
        let Value::Object(mut obj) = self.to_public_json() else { return Ok(None) };
        for (name, value) in [
            ("d", parts.private_exponent),
            ("p", parts.prime1),
            ("q", parts.prime2),
            ("dp", parts.exponent1),
            ("dq", parts.exponent2),
            ("qi", parts.coefficient),
        ] {
            obj.insert(name.to_owned(), Value::from(b64(value.as_bytes())));
        }
        let text = Zeroizing::new(Value::Object(obj).to_string());
        Ok(Some(text))
    }
}

impl fmt::Debug for Jwk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Jwk")
            .field("kid", &self.kid)
            .field("use", &self.key_use)
            .field("key_ops", &self.key_ops)
            .field("alg", &self.alg)
            .field("bits", &self.public.bits())
            .field("private", &self.private.as_ref().map(|_| "..."))
            .finish()
    }
}

/// Unpadded base64url (RFC 7515 §2), as every JOSE member is written.
pub(crate) fn b64(bytes: &[u8]) -> String {
    Base64UrlUnpadded::encode_string(bytes)
}

fn member(name: &'static str, problem: String) -> KeyError {
    KeyError::JwkMember { member: name, problem }
}

fn text_member<'a>(obj: &'a Map<String, Value>, name: &'static str) -> Result<Option<&'a str>, KeyError> {
    match obj.get(name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(member(name, "must be a string".to_owned())),
    }
}

fn optional_bytes(
    obj: &Map<String, Value>,
    name: &'static str,
) -> Result<Option<Zeroizing<Vec<u8>>>, KeyError> {
    let Some(text) = text_member(obj, name)? else { return Ok(None) };
    let bytes = Base64UrlUnpadded::decode_vec(text)
        .map_err(|_| member(name, "is not unpadded base64url".to_owned()))?;
    if bytes.is_empty() {
        return Err(member(name, "is empty".to_owned()));
    }
    Ok(Some(Zeroizing::new(bytes)))
}

fn required_bytes(obj: &Map<String, Value>, name: &'static str) -> Result<Zeroizing<Vec<u8>>, KeyError> {
    optional_bytes(obj, name)?.ok_or_else(|| member(name, "is missing".to_owned()))
}

fn uint<'a>(name: &'static str, bytes: &'a [u8]) -> Result<UintRef<'a>, KeyError> {
    UintRef::new(bytes).map_err(|_| member(name, "is too long".to_owned()))
}

fn public_key(n: &[u8], e: &[u8]) -> Result<RsaPublicKey, KeyError> {
    let pkcs1 = Pkcs1PublicKey { modulus: uint("n", n)?, public_exponent: uint("e", e)? };
    let inner = rsa::PublicKey::try_from(pkcs1)
        .map_err(|e| member("n", format!("and 'e' do not make a valid RSA public key ({e})")))?;
    Ok(RsaPublicKey::from_inner(inner))
}

fn private_key(obj: &Map<String, Value>, n: &[u8], e: &[u8]) -> Result<RsaPrivateKey, KeyError> {
    if obj.contains_key("oth") {
        return Err(member("oth", "is present: multi-prime keys are not supported".to_owned()));
    }
    let d = required_bytes(obj, "d")?;
    let p = required_bytes(obj, "p")?;
    let q = required_bytes(obj, "q")?;
    let pkcs1 = rsa::pkcs1::RsaPrivateKey {
        modulus: uint("n", n)?,
        public_exponent: uint("e", e)?,
        private_exponent: uint("d", &d)?,
        prime1: uint("p", &p)?,
        prime2: uint("q", &q)?,
        exponent1: uint("d", &d)?,
        exponent2: uint("d", &d)?,
        coefficient: uint("d", &d)?,
        other_prime_infos: None,
    };
    let inner = rsa::PrivateKey::try_from(pkcs1)
        .map_err(|e| member("d", format!("and the primes do not make a valid RSA private key ({e})")))?;
    let key = RsaPrivateKey::from_inner(inner);
    // The CRT values are recomputed from p, q and d; given ones must agree.
    let der = key.to_pkcs1_der()?;
    let parts =
        RsaPrivateKeyRef::from_der(&der).map_err(|e| KeyError::Operation { detail: e.to_string() })?;
    for (name, ours) in [("dp", parts.exponent1), ("dq", parts.exponent2), ("qi", parts.coefficient)] {
        if let Some(given) = optional_bytes(obj, name)?
            && uint(name, &given)?.as_bytes() != ours.as_bytes()
        {
            return Err(member(name, "does not match p, q and d".to_owned()));
        }
    }
    Ok(key)
}
