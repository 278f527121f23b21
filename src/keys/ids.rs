//! Identifiers: key ids, key ARNs, alias names, regions, accounts. Each type's constructor checks AWS's
//! pattern, so code holding one never re-checks.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Why an identifier was rejected: which kind, and the pattern it must match.
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct IdError {
    /// What was being parsed, e.g. `KeyArn`.
    pub what: &'static str,
    /// The rule it broke, in words.
    pub rule: &'static str,
}

impl fmt::Display for IdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} must be {}.", self.what, self.rule)
    }
}

impl std::error::Error for IdError {}

/// Implements `Display`, `FromStr`, `AsRef<str>` and string serde for a `String` newtype with a
/// `parse(&str) -> Result<Self, IdError>` constructor.
macro_rules! string_id {
    ($name:ident) => {
        impl $name {
            /// The identifier as a string.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl FromStr for $name {
            type Err = IdError;

            fn from_str(s: &str) -> Result<Self, IdError> {
                $name::parse(s)
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.0)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                $name::parse(&s).map_err(serde::de::Error::custom)
            }
        }
    };
}
pub(crate) use string_id;

/// The id part of a key ARN: 16 to 64 letters and digits (paycrypt creates 16 lowercase ones, as AWS).
#[derive(Clone, Debug, Eq, Hash, Ord, PartialEq, PartialOrd)]
pub struct KeyId(String);

impl KeyId {
    /// Parses a key id.
    ///
    /// # Errors
    /// [`IdError`] unless `s` is 16 to 64 ASCII letters and digits.
    pub fn parse(s: &str) -> Result<Self, IdError> {
        if (16..=64).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric()) {
            Ok(KeyId(s.to_owned()))
        } else {
            Err(IdError { what: "KeyId", rule: "16 to 64 letters and digits" })
        }
    }

    /// A fresh random key id: 16 lowercase letters and digits, as AWS makes them.
    ///
    /// # Errors
    /// [`getrandom::Error`] when the operating system has no randomness to give.
    pub fn random() -> Result<Self, getrandom::Error> {
        const ALPHABET: &[u8; 36] = b"abcdefghijklmnopqrstuvwxyz0123456789";
        let mut id = String::with_capacity(16);
        while id.len() < 16 {
            let mut bytes = [0u8; 32];
            getrandom::fill(&mut bytes)?;
            // 252 = 7 * 36: rejecting larger bytes keeps every character equally likely.
            for b in bytes.iter().filter(|b| **b < 252).take(16 - id.len()) {
                id.push(char::from(ALPHABET[usize::from(*b % 36)]));
            }
        }
        Ok(KeyId(id))
    }
}

string_id!(KeyId);

/// An AWS region name such as `us-east-1` (pattern `[a-z]{2}-[a-z]{1,16}-[0-9]+`).
#[derive(Clone, Debug, Eq, Hash, PartialEq)]
pub struct Region(String);

impl Region {
    /// Parses a region name.
    ///
    /// # Errors
    /// [`IdError`] unless `s` matches `[a-z]{2}-[a-z]{1,16}-[0-9]+`.
    pub fn parse(s: &str) -> Result<Self, IdError> {
        let mut parts = s.split('-');
        let ok = match (parts.next(), parts.next(), parts.next(), parts.next()) {
            (Some(a), Some(b), Some(c), None) => {
                a.len() == 2
                    && a.bytes().all(|x| x.is_ascii_lowercase())
                    && (1..=16).contains(&b.len())
                    && b.bytes().all(|x| x.is_ascii_lowercase())
                    && !c.is_empty()
                    && c.bytes().all(|x| x.is_ascii_digit())
            }
            _ => false,
        };
        if ok { Ok(Region(s.to_owned())) } else { Err(IdError { what: "Region", rule: "like us-east-1" }) }
    }
}

impl Region {
    /// A region from a string the caller knows to match the pattern (constants).
    pub(crate) fn trusted(s: &str) -> Self {
        Region(s.to_owned())
    }
}

string_id!(Region);

/// A 12-digit AWS account id.
#[derive(Clone, Debug, Eq, Hash, PartialEq)]
pub struct AccountId(String);

impl AccountId {
    /// Parses an account id.
    ///
    /// # Errors
    /// [`IdError`] unless `s` is exactly 12 digits.
    pub fn parse(s: &str) -> Result<Self, IdError> {
        if s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit()) {
            Ok(AccountId(s.to_owned()))
        } else {
            Err(IdError { what: "AccountId", rule: "12 digits" })
        }
    }
}

impl AccountId {
    /// An account id from a string the caller knows to match the pattern (constants).
    pub(crate) fn trusted(s: &str) -> Self {
        AccountId(s.to_owned())
    }
}

string_id!(AccountId);

/// A key ARN: `arn:aws:payment-cryptography:<region>:<account>:key/<key id>`.
#[derive(Clone, Debug, Eq, Hash, Ord, PartialEq, PartialOrd)]
pub struct KeyArn(String);

const ARN_PREFIX: &str = "arn:aws:payment-cryptography:";

impl KeyArn {
    /// The ARN of `id` in `region` and `account`.
    pub fn new(region: &Region, account: &AccountId, id: &KeyId) -> Self {
        KeyArn(format!("{ARN_PREFIX}{region}:{account}:key/{id}"))
    }

    /// Parses a key ARN.
    ///
    /// # Errors
    /// [`IdError`] unless `s` is `arn:aws:payment-cryptography:<region>:<12 digits>:key/<16-64 alnum>`.
    ///
    /// # Examples
    /// ```
    /// use paycrypt::keys::KeyArn;
    ///
    /// let arn = KeyArn::parse("arn:aws:payment-cryptography:us-east-2:111122223333:key/alsuwfxug3pgy6xh")?;
    /// assert_eq!(arn.key_id().as_str(), "alsuwfxug3pgy6xh");
    /// assert_eq!(arn.region().as_str(), "us-east-2");
    /// assert!(KeyArn::parse("arn:aws:kms:us-east-2:111122223333:key/alsuwfxug3pgy6xh").is_err());
    /// # Ok::<(), paycrypt::keys::IdError>(())
    /// ```
    pub fn parse(s: &str) -> Result<Self, IdError> {
        let err =
            IdError { what: "KeyArn", rule: "arn:aws:payment-cryptography:<region>:<account>:key/<key id>" };
        let rest = s.strip_prefix(ARN_PREFIX).ok_or(err.clone())?;
        let mut parts = rest.splitn(3, ':');
        let (Some(region), Some(account), Some(resource)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(err);
        };
        let id = resource.strip_prefix("key/").ok_or(err.clone())?;
        Region::parse(region).map_err(|_| err.clone())?;
        AccountId::parse(account).map_err(|_| err.clone())?;
        KeyId::parse(id).map_err(|_| err)?;
        Ok(KeyArn(s.to_owned()))
    }

    /// The key id at the end of the ARN.
    pub fn key_id(&self) -> KeyId {
        KeyId(self.0.rsplit('/').next().unwrap_or_default().to_owned())
    }

    /// The ARN's region.
    pub fn region(&self) -> Region {
        Region(self.0.split(':').nth(3).unwrap_or_default().to_owned())
    }

    /// The ARN's account.
    pub fn account(&self) -> AccountId {
        AccountId(self.0.split(':').nth(4).unwrap_or_default().to_owned())
    }
}

string_id!(KeyArn);

/// An alias name: `alias/` then letters, digits, `/`, `_` and `-`; 7 to 256 characters in all.
#[derive(Clone, Debug, Eq, Hash, Ord, PartialEq, PartialOrd)]
pub struct AliasName(String);

impl AliasName {
    /// Parses an alias name.
    ///
    /// # Errors
    /// [`IdError`] unless `s` is `alias/` followed by `[a-zA-Z0-9/_-]+`, 7 to 256 characters long.
    pub fn parse(s: &str) -> Result<Self, IdError> {
        let ok = (7..=256).contains(&s.len())
            && s.strip_prefix("alias/").is_some_and(|name| {
                !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b"/_-".contains(&b))
            });
        if ok {
            Ok(AliasName(s.to_owned()))
        } else {
            Err(IdError {
                what: "AliasName",
                rule: "alias/ followed by letters, digits, /, _ or -, 7 to 256 characters",
            })
        }
    }
}

string_id!(AliasName);

/// How a request names a key (AWS `KeyArnOrKeyAliasType`): its ARN, an alias name, or an alias ARN.
#[derive(Clone, Debug, Eq, Hash, PartialEq)]
pub enum KeyIdentifier {
    /// A key ARN.
    Arn(KeyArn),
    /// An alias name, bare (`alias/x`) or inside an alias ARN (`arn:…:alias/x`).
    Alias(AliasName),
}

impl KeyIdentifier {
    /// Parses a key identifier.
    ///
    /// # Errors
    /// [`IdError`] unless `s` is a key ARN, an alias name, or an alias ARN, 7 to 322 characters long.
    pub fn parse(s: &str) -> Result<Self, IdError> {
        let err = IdError { what: "KeyIdentifier", rule: "a key ARN or an alias (alias/<name>)" };
        if !(7..=322).contains(&s.len()) {
            return Err(err);
        }
        if s.starts_with("alias/") {
            return AliasName::parse(s).map(KeyIdentifier::Alias).map_err(|_| err);
        }
        if let Ok(arn) = KeyArn::parse(s) {
            return Ok(KeyIdentifier::Arn(arn));
        }
        // An alias ARN: arn:aws:payment-cryptography:<region>:<account>:alias/<name>.
        let rest = s.strip_prefix(ARN_PREFIX).ok_or(err.clone())?;
        let mut parts = rest.splitn(3, ':');
        match (parts.next().map(Region::parse), parts.next().map(AccountId::parse), parts.next()) {
            (Some(Ok(_)), Some(Ok(_)), Some(alias)) => {
                AliasName::parse(alias).map(KeyIdentifier::Alias).map_err(|_| err)
            }
            _ => Err(err),
        }
    }
}

impl fmt::Display for KeyIdentifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyIdentifier::Arn(a) => a.fmt(f),
            KeyIdentifier::Alias(a) => a.fmt(f),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_ids_are_16_lowercase_alnum() {
        for _ in 0..50 {
            let id = KeyId::random().map(|k| k.0).unwrap_or_default();
            assert_eq!(id.len(), 16);
            assert!(id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()));
        }
    }

    #[test]
    fn identifiers() {
        assert!(matches!(KeyIdentifier::parse("alias/zone"), Ok(KeyIdentifier::Alias(_))));
        assert!(matches!(
            KeyIdentifier::parse("arn:aws:payment-cryptography:us-east-1:111122223333:alias/zone"),
            Ok(KeyIdentifier::Alias(_))
        ));
        assert!(KeyIdentifier::parse("alias/").is_err());
        assert!(KeyIdentifier::parse("alias/a b").is_err());
        assert!(KeyIdentifier::parse("zone").is_err());
        assert!(Region::parse("us-east-1").is_ok());
        assert!(Region::parse("US-east-1").is_err());
        assert!(AccountId::parse("11112222333").is_err());
    }

    #[test]
    fn arn_round_trip() {
        let arn = KeyArn::new(
            &Region("eu-west-1".into()),
            &AccountId("111122223333".into()),
            &KeyId("abcdefghijklmnop".into()),
        );
        assert_eq!(KeyArn::parse(arn.as_str()), Ok(arn.clone()));
        assert_eq!(arn.account().as_str(), "111122223333");
    }
}
