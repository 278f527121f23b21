//! Key sets: several keys, one chosen by `kid`. Reads JWKS, a single JWK, PEM or DER alike.

use serde_json::Value;

use crate::rsa::{Jwk, KeyError, KeyOp};

/// A set of RSA keys, each with its JWK members, from which operations choose by `kid`.
///
/// # Examples
/// ```
/// use paycrypt::rsa::{Jwk, Jwks, KeyOp, RsaPrivateKey};
///
/// let a = Jwk::from_private(RsaPrivateKey::generate(2048)?).with_kid("a");
/// let b = Jwk::from_private(RsaPrivateKey::generate(2048)?).with_kid("b");
/// let set = Jwks::new(vec![a, b]);
/// assert_eq!(set.select(Some("b"), KeyOp::Encrypt, "RSA-OAEP-256")?.kid(), Some("b"));
/// assert!(set.select(None, KeyOp::Encrypt, "RSA-OAEP-256").is_err()); // two keys: which one?
/// assert!(set.select(Some("c"), KeyOp::Encrypt, "RSA-OAEP-256").is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct Jwks {
    keys: Vec<Jwk>,
}

impl Jwks {
    /// A set of `keys`.
    pub fn new(keys: Vec<Jwk>) -> Self {
        Jwks { keys }
    }

    /// Reads keys from bytes in any format paycrypt knows: a JWKS (`{"keys": [...]}`, keys other
    /// than RSA skipped), one JWK, a PEM key, or a DER key.
    ///
    /// # Errors
    /// [`KeyError::EmptyKeySet`] for a JWKS without RSA keys; otherwise as [`Jwk::from_json`],
    /// [`Jwk::from_pem`] and [`Jwk::from_der`].
    pub fn parse(bytes: &[u8]) -> Result<Self, KeyError> {
        let Ok(text) = std::str::from_utf8(bytes) else {
            return Jwk::from_der(bytes).map(|k| Jwks::new(vec![k]));
        };
        let trimmed = text.trim_start();
        if trimmed.starts_with('{') {
            let value: Value = serde_json::from_str(trimmed).map_err(|e| KeyError::Malformed {
                what: "key",
                format: "JWK or JWKS",
                detail: e.to_string(),
            })?;
            match value.get("keys") {
                Some(Value::Array(keys)) => {
                    let rsa = keys.iter().filter(|k| k.get("kty").and_then(Value::as_str) == Some("RSA"));
                    let keys = rsa.map(Jwk::from_value).collect::<Result<Vec<_>, _>>()?;
                    if keys.is_empty() {
                        return Err(KeyError::EmptyKeySet);
                    }
                    Ok(Jwks::new(keys))
                }
                Some(_) => Err(KeyError::Malformed {
                    what: "key",
                    format: "JWKS",
                    detail: "member 'keys' must be an array".to_owned(),
                }),
                None => Jwk::from_value(&value).map(|k| Jwks::new(vec![k])),
            }
        } else if trimmed.starts_with("-----BEGIN") {
            Jwk::from_pem(trimmed).map(|k| Jwks::new(vec![k]))
        } else {
            Jwk::from_der(bytes).map(|k| Jwks::new(vec![k]))
        }
    }

    /// The keys.
    pub fn keys(&self) -> &[Jwk] {
        &self.keys
    }

    /// The one key to use for `op` with `alg`: the key whose `kid` is `kid` (a key without a `kid`,
    /// as read from PEM, answers to any), or, with no `kid`, the only key.
    ///
    /// # Errors
    /// [`KeyError::KidNotFound`], [`KeyError::KidRequired`] when several keys fit and no `kid`
    /// chose, [`KeyError::EmptyKeySet`], and the [`Jwk::check`] error of the key found.
    pub fn select(&self, kid: Option<&str>, op: KeyOp, alg: &str) -> Result<&Jwk, KeyError> {
        let keys = self.candidates(kid, op, alg)?;
        match keys.as_slice() {
            [key] => Ok(key),
            _ => Err(KeyError::KidRequired { count: keys.len() }),
        }
    }

    /// Every key that may do `op` with `alg` and answers to `kid`: those with that `kid`, or if none
    /// has it, those without a `kid`; with no `kid`, all.
    ///
    /// # Errors
    /// [`KeyError::KidNotFound`] when no key answers to `kid`, [`KeyError::EmptyKeySet`], and the
    /// [`Jwk::check`] error of the first key when every one is refused.
    pub fn candidates(&self, kid: Option<&str>, op: KeyOp, alg: &str) -> Result<Vec<&Jwk>, KeyError> {
        if self.keys.is_empty() {
            return Err(KeyError::EmptyKeySet);
        }
        let named: Vec<&Jwk> = match kid {
            Some(kid) => {
                let exact: Vec<&Jwk> = self.keys.iter().filter(|k| k.kid() == Some(kid)).collect();
                if exact.is_empty() {
                    self.keys.iter().filter(|k| k.kid().is_none()).collect()
                } else {
                    exact
                }
            }
            None => self.keys.iter().collect(),
        };
        if named.is_empty() {
            let kids: Vec<&str> = self.keys.iter().filter_map(Jwk::kid).collect();
            return Err(KeyError::KidNotFound {
                kid: kid.unwrap_or_default().to_owned(),
                available: if kids.is_empty() {
                    "no kid".to_owned()
                } else {
                    format!("kid {}", kids.join(", "))
                },
            });
        }
        let mut first_refusal = None;
        let mut usable = Vec::new();
        for key in named {
            match key.check(op, alg) {
                Ok(()) => usable.push(key),
                Err(err) => {
                    first_refusal.get_or_insert(err);
                }
            }
        }
        match (usable.is_empty(), first_refusal) {
            (true, Some(err)) => Err(err),
            _ => Ok(usable),
        }
    }
}
