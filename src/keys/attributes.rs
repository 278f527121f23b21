//! Key attributes with AWS's enums, and the combinations AWS Payment Cryptography accepts.
//!
//! The allowed combinations follow AWS's "Understanding key attributes" table: each `KeyUsage` admits
//! some key algorithms and a short list of `KeyModesOfUse` sets; anything else is refused at creation.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::primitives::Algorithm;

/// Declares a field-less enum whose serde and display names are AWS's spellings.
macro_rules! aws_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $aws:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, Eq, Hash, PartialEq, Ord, PartialOrd, Serialize, Deserialize)]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $aws)] $variant,)+
        }

        impl $name {
            /// Every value, in AWS's order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            /// The AWS spelling.
            pub const fn name(self) -> &'static str {
                match self { $($name::$variant => $aws,)+ }
            }

            /// The value with AWS spelling `s`, if any.
            pub fn from_name(s: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|v| v.name() == s)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.name())
            }
        }
    };
}

aws_enum! {
    /// What a key is for (AWS `KeyUsage`, after the TR-31 key usage codes).
    KeyUsage {
        /// B0: base derivation key (DUKPT BDK).
        B0BaseDerivationKey = "TR31_B0_BASE_DERIVATION_KEY",
        /// C0: card verification key (CVV, CSC).
        C0CardVerificationKey = "TR31_C0_CARD_VERIFICATION_KEY",
        /// D0: symmetric data encryption key.
        D0SymmetricDataEncryptionKey = "TR31_D0_SYMMETRIC_DATA_ENCRYPTION_KEY",
        /// D1: asymmetric key for data encryption (RSA).
        D1AsymmetricKeyForDataEncryption = "TR31_D1_ASYMMETRIC_KEY_FOR_DATA_ENCRYPTION",
        /// E0: EMV master key for application cryptograms.
        E0EmvMkeyAppCryptograms = "TR31_E0_EMV_MKEY_APP_CRYPTOGRAMS",
        /// E1: EMV master key for secure messaging confidentiality.
        E1EmvMkeyConfidentiality = "TR31_E1_EMV_MKEY_CONFIDENTIALITY",
        /// E2: EMV master key for secure messaging integrity.
        E2EmvMkeyIntegrity = "TR31_E2_EMV_MKEY_INTEGRITY",
        /// E4: EMV master key for dynamic numbers.
        E4EmvMkeyDynamicNumbers = "TR31_E4_EMV_MKEY_DYNAMIC_NUMBERS",
        /// E5: EMV master key for card personalization.
        E5EmvMkeyCardPersonalization = "TR31_E5_EMV_MKEY_CARD_PERSONALIZATION",
        /// E6: EMV master key, other.
        E6EmvMkeyOther = "TR31_E6_EMV_MKEY_OTHER",
        /// K0: key encryption key.
        K0KeyEncryptionKey = "TR31_K0_KEY_ENCRYPTION_KEY",
        /// K1: TR-31 key block protection key.
        K1KeyBlockProtectionKey = "TR31_K1_KEY_BLOCK_PROTECTION_KEY",
        /// K3: asymmetric key for key agreement (ECDH).
        K3AsymmetricKeyForKeyAgreement = "TR31_K3_ASYMMETRIC_KEY_FOR_KEY_AGREEMENT",
        /// M0: ISO 16609 MAC key.
        M0Iso16609MacKey = "TR31_M0_ISO_16609_MAC_KEY",
        /// M3: ISO 9797-1 MAC algorithm 3 key.
        M3Iso9797_3MacKey = "TR31_M3_ISO_9797_3_MAC_KEY",
        /// M1: ISO 9797-1 MAC algorithm 1 key.
        M1Iso9797_1MacKey = "TR31_M1_ISO_9797_1_MAC_KEY",
        /// M6: ISO 9797-1 MAC algorithm 5 (CMAC) key.
        M6Iso9797_5CmacKey = "TR31_M6_ISO_9797_5_CMAC_KEY",
        /// M7: HMAC key.
        M7HmacKey = "TR31_M7_HMAC_KEY",
        /// P0: PIN encryption key.
        P0PinEncryptionKey = "TR31_P0_PIN_ENCRYPTION_KEY",
        /// P1: PIN generation key.
        P1PinGenerationKey = "TR31_P1_PIN_GENERATION_KEY",
        /// S0: asymmetric key for digital signature.
        S0AsymmetricKeyForDigitalSignature = "TR31_S0_ASYMMETRIC_KEY_FOR_DIGITAL_SIGNATURE",
        /// V1: IBM 3624 PIN verification key.
        V1Ibm3624PinVerificationKey = "TR31_V1_IBM3624_PIN_VERIFICATION_KEY",
        /// V2: Visa PIN verification key.
        V2VisaPinVerificationKey = "TR31_V2_VISA_PIN_VERIFICATION_KEY",
        /// K2: TR-34 asymmetric key.
        K2Tr34AsymmetricKey = "TR31_K2_TR34_ASYMMETRIC_KEY",
    }
}

aws_enum! {
    /// Whether a key is symmetric, a key pair, or one half of one (AWS `KeyClass`).
    KeyClass {
        /// A symmetric key.
        SymmetricKey = "SYMMETRIC_KEY",
        /// An asymmetric key pair (private and public half).
        AsymmetricKeyPair = "ASYMMETRIC_KEY_PAIR",
        /// The private half only.
        PrivateKey = "PRIVATE_KEY",
        /// The public half only.
        PublicKey = "PUBLIC_KEY",
    }
}

aws_enum! {
    /// A key's algorithm (AWS `KeyAlgorithm`).
    KeyAlgorithm {
        /// Two-key triple DES.
        Tdes2Key = "TDES_2KEY",
        /// Three-key triple DES.
        Tdes3Key = "TDES_3KEY",
        /// AES-128.
        Aes128 = "AES_128",
        /// AES-192.
        Aes192 = "AES_192",
        /// AES-256.
        Aes256 = "AES_256",
        /// HMAC with SHA-256.
        HmacSha256 = "HMAC_SHA256",
        /// HMAC with SHA-384.
        HmacSha384 = "HMAC_SHA384",
        /// HMAC with SHA-512.
        HmacSha512 = "HMAC_SHA512",
        /// HMAC with SHA-224.
        HmacSha224 = "HMAC_SHA224",
        /// RSA, 2048-bit modulus.
        Rsa2048 = "RSA_2048",
        /// RSA, 3072-bit modulus.
        Rsa3072 = "RSA_3072",
        /// RSA, 4096-bit modulus.
        Rsa4096 = "RSA_4096",
        /// ECC over NIST P-256.
        EccNistP256 = "ECC_NIST_P256",
        /// ECC over NIST P-384.
        EccNistP384 = "ECC_NIST_P384",
        /// ECC over NIST P-521.
        EccNistP521 = "ECC_NIST_P521",
    }
}

impl KeyAlgorithm {
    /// The block-cipher algorithm, for TDES and AES keys.
    pub const fn symmetric(self) -> Option<Algorithm> {
        match self {
            KeyAlgorithm::Tdes2Key => Some(Algorithm::Tdes2Key),
            KeyAlgorithm::Tdes3Key => Some(Algorithm::Tdes3Key),
            KeyAlgorithm::Aes128 => Some(Algorithm::Aes128),
            KeyAlgorithm::Aes192 => Some(Algorithm::Aes192),
            KeyAlgorithm::Aes256 => Some(Algorithm::Aes256),
            _ => None,
        }
    }

    /// The RSA modulus length in bits, for RSA keys.
    pub const fn rsa_bits(self) -> Option<usize> {
        match self {
            KeyAlgorithm::Rsa2048 => Some(2048),
            KeyAlgorithm::Rsa3072 => Some(3072),
            KeyAlgorithm::Rsa4096 => Some(4096),
            _ => None,
        }
    }

    /// Whether this is an HMAC key algorithm.
    pub const fn is_hmac(self) -> bool {
        matches!(
            self,
            KeyAlgorithm::HmacSha224
                | KeyAlgorithm::HmacSha256
                | KeyAlgorithm::HmacSha384
                | KeyAlgorithm::HmacSha512
        )
    }

    /// Whether this is an asymmetric algorithm (RSA or ECC).
    pub const fn is_asymmetric(self) -> bool {
        self.rsa_bits().is_some()
            || matches!(
                self,
                KeyAlgorithm::EccNistP256 | KeyAlgorithm::EccNistP384 | KeyAlgorithm::EccNistP521
            )
    }
}

impl From<Algorithm> for KeyAlgorithm {
    fn from(a: Algorithm) -> Self {
        match a {
            Algorithm::Tdes2Key => KeyAlgorithm::Tdes2Key,
            Algorithm::Tdes3Key => KeyAlgorithm::Tdes3Key,
            Algorithm::Aes128 => KeyAlgorithm::Aes128,
            Algorithm::Aes192 => KeyAlgorithm::Aes192,
            Algorithm::Aes256 => KeyAlgorithm::Aes256,
        }
    }
}

/// The operations a key may take part in (AWS `KeyModesOfUse`, after TR-31's modes of use).
///
/// Serialized with all nine members, as AWS returns them.
#[derive(Clone, Copy, Debug, Default, Eq, Hash, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct KeyModesOfUse {
    /// The key may decrypt data.
    #[serde(default)]
    pub decrypt: bool,
    /// The key may derive other keys.
    #[serde(default)]
    pub derive_key: bool,
    /// The key may encrypt data.
    #[serde(default)]
    pub encrypt: bool,
    /// The key may generate card and PIN verification values.
    #[serde(default)]
    pub generate: bool,
    /// No restriction beyond what the key usage implies.
    #[serde(default)]
    pub no_restrictions: bool,
    /// The key may sign.
    #[serde(default)]
    pub sign: bool,
    /// The key may unwrap other keys.
    #[serde(default)]
    pub unwrap: bool,
    /// The key may verify.
    #[serde(default)]
    pub verify: bool,
    /// The key may wrap other keys.
    #[serde(default)]
    pub wrap: bool,
}

impl KeyModesOfUse {
    /// `{Encrypt, Decrypt, Wrap, Unwrap}`.
    pub const ENCRYPT_DECRYPT_WRAP_UNWRAP: KeyModesOfUse =
        KeyModesOfUse { encrypt: true, decrypt: true, wrap: true, unwrap: true, ..KeyModesOfUse::NONE };
    /// `{Encrypt, Wrap}`.
    pub const ENCRYPT_WRAP: KeyModesOfUse =
        KeyModesOfUse { encrypt: true, wrap: true, ..KeyModesOfUse::NONE };
    /// `{Decrypt, Unwrap}`.
    pub const DECRYPT_UNWRAP: KeyModesOfUse =
        KeyModesOfUse { decrypt: true, unwrap: true, ..KeyModesOfUse::NONE };
    /// `{DeriveKey}`.
    pub const DERIVE_KEY: KeyModesOfUse = KeyModesOfUse { derive_key: true, ..KeyModesOfUse::NONE };
    /// `{NoRestrictions}`.
    pub const NO_RESTRICTIONS: KeyModesOfUse = KeyModesOfUse { no_restrictions: true, ..KeyModesOfUse::NONE };
    /// `{Generate}`.
    pub const GENERATE: KeyModesOfUse = KeyModesOfUse { generate: true, ..KeyModesOfUse::NONE };
    /// `{Verify}`.
    pub const VERIFY: KeyModesOfUse = KeyModesOfUse { verify: true, ..KeyModesOfUse::NONE };
    /// `{Generate, Verify}`.
    pub const GENERATE_VERIFY: KeyModesOfUse =
        KeyModesOfUse { generate: true, verify: true, ..KeyModesOfUse::NONE };
    /// `{Sign}`.
    pub const SIGN: KeyModesOfUse = KeyModesOfUse { sign: true, ..KeyModesOfUse::NONE };
    /// No mode at all.
    pub const NONE: KeyModesOfUse = KeyModesOfUse {
        decrypt: false,
        derive_key: false,
        encrypt: false,
        generate: false,
        no_restrictions: false,
        sign: false,
        unwrap: false,
        verify: false,
        wrap: false,
    };

    /// Every one of the 512 sets of modes, for exhaustive tests.
    pub fn all_sets() -> impl Iterator<Item = KeyModesOfUse> {
        (0u16..512).map(|bits| KeyModesOfUse {
            decrypt: bits & 1 != 0,
            derive_key: bits & 2 != 0,
            encrypt: bits & 4 != 0,
            generate: bits & 8 != 0,
            no_restrictions: bits & 16 != 0,
            sign: bits & 32 != 0,
            unwrap: bits & 64 != 0,
            verify: bits & 128 != 0,
            wrap: bits & 256 != 0,
        })
    }

    /// Whether the key may encrypt data (`Encrypt` or `NoRestrictions`).
    pub const fn allows_encrypt(&self) -> bool {
        self.encrypt || self.no_restrictions
    }

    /// Whether the key may decrypt data (`Decrypt` or `NoRestrictions`).
    pub const fn allows_decrypt(&self) -> bool {
        self.decrypt || self.no_restrictions
    }

    /// Whether the key may derive keys (`DeriveKey` or `NoRestrictions`).
    pub const fn allows_derive(&self) -> bool {
        self.derive_key || self.no_restrictions
    }
}

impl fmt::Display for KeyModesOfUse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names = [
            (self.encrypt, "Encrypt"),
            (self.decrypt, "Decrypt"),
            (self.wrap, "Wrap"),
            (self.unwrap, "Unwrap"),
            (self.generate, "Generate"),
            (self.sign, "Sign"),
            (self.verify, "Verify"),
            (self.derive_key, "DeriveKey"),
            (self.no_restrictions, "NoRestrictions"),
        ];
        let set: Vec<&str> = names.iter().filter(|(on, _)| *on).map(|(_, n)| *n).collect();
        write!(f, "{{{}}}", set.join(", "))
    }
}

/// A key's immutable attributes (AWS `KeyAttributes`).
#[derive(Clone, Copy, Debug, Eq, Hash, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct KeyAttributes {
    /// The key's algorithm.
    pub key_algorithm: KeyAlgorithm,
    /// Symmetric key, key pair, or one half.
    pub key_class: KeyClass,
    /// The operations it may take part in.
    pub key_modes_of_use: KeyModesOfUse,
    /// What it is for.
    pub key_usage: KeyUsage,
}

/// Why a set of key attributes is not one AWS accepts: the rule broken, with the values that broke
/// it and what the rule allows.
#[derive(Clone, Debug, Eq, PartialEq)]
#[non_exhaustive]
pub enum AttributesError {
    /// The key class does not fit the algorithm: a symmetric class with an asymmetric algorithm, or
    /// the reverse.
    ClassAlgorithm {
        /// The key class given.
        class: KeyClass,
        /// The key algorithm given.
        algorithm: KeyAlgorithm,
    },
    /// The algorithm is not one that the usage allows.
    AlgorithmNotAllowed {
        /// The key algorithm given.
        algorithm: KeyAlgorithm,
        /// The key usage given.
        usage: KeyUsage,
        /// The algorithms the usage allows ([`KeyAttributes::allowed_algorithms`]).
        allowed: &'static [KeyAlgorithm],
    },
    /// The modes of use are not one of the sets that the usage and class allow.
    ModesNotAllowed {
        /// The modes of use given.
        modes: KeyModesOfUse,
        /// The key usage given.
        usage: KeyUsage,
        /// The key class given.
        class: KeyClass,
        /// The sets the usage and class allow ([`KeyAttributes::allowed_modes`]).
        allowed: &'static [KeyModesOfUse],
    },
}

impl fmt::Display for AttributesError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AttributesError::ClassAlgorithm { class, algorithm } => {
                write!(f, "KeyClass {class} does not fit KeyAlgorithm {algorithm}.")
            }
            AttributesError::AlgorithmNotAllowed { algorithm, usage, allowed } => {
                let names: Vec<&str> = allowed.iter().map(|a| a.name()).collect();
                write!(
                    f,
                    "KeyAlgorithm {algorithm} is not allowed for KeyUsage {usage}; allowed: {}.",
                    names.join(", ")
                )
            }
            AttributesError::ModesNotAllowed { modes, usage, class, allowed } => {
                let names: Vec<String> = allowed.iter().map(|m| m.to_string()).collect();
                write!(
                    f,
                    "KeyModesOfUse {modes} is not allowed for KeyUsage {usage} ({class}); allowed: {}.",
                    names.join(", ")
                )
            }
        }
    }
}

impl std::error::Error for AttributesError {}

use KeyAlgorithm as A;
use KeyModesOfUse as M;
use KeyUsage as U;

const TDES_AES: &[KeyAlgorithm] = &[A::Tdes2Key, A::Tdes3Key, A::Aes128, A::Aes192, A::Aes256];
const TDES: &[KeyAlgorithm] = &[A::Tdes2Key, A::Tdes3Key];
const HMAC: &[KeyAlgorithm] = &[A::HmacSha224, A::HmacSha256, A::HmacSha384, A::HmacSha512];
const RSA: &[KeyAlgorithm] = &[A::Rsa2048, A::Rsa3072, A::Rsa4096];
const ECC: &[KeyAlgorithm] = &[A::EccNistP256, A::EccNistP384, A::EccNistP521];
const RSA_ECC: &[KeyAlgorithm] =
    &[A::Rsa2048, A::Rsa3072, A::Rsa4096, A::EccNistP256, A::EccNistP384, A::EccNistP521];

const ENC_SETS: &[KeyModesOfUse] =
    &[M::ENCRYPT_DECRYPT_WRAP_UNWRAP, M::ENCRYPT_WRAP, M::DECRYPT_UNWRAP, M::NO_RESTRICTIONS];
const DERIVE_SETS: &[KeyModesOfUse] = &[M::DERIVE_KEY, M::NO_RESTRICTIONS];
const GEN_VERIFY_SETS: &[KeyModesOfUse] = &[M::GENERATE, M::VERIFY, M::GENERATE_VERIFY, M::NO_RESTRICTIONS];

impl KeyAttributes {
    /// The key algorithms AWS allows for `usage`.
    pub fn allowed_algorithms(usage: KeyUsage) -> &'static [KeyAlgorithm] {
        match usage {
            U::B0BaseDerivationKey | U::C0CardVerificationKey | U::D0SymmetricDataEncryptionKey => TDES_AES,
            U::E0EmvMkeyAppCryptograms
            | U::E1EmvMkeyConfidentiality
            | U::E2EmvMkeyIntegrity
            | U::E4EmvMkeyDynamicNumbers
            | U::E5EmvMkeyCardPersonalization
            | U::E6EmvMkeyOther => TDES_AES,
            U::K0KeyEncryptionKey | U::K1KeyBlockProtectionKey | U::P0PinEncryptionKey => TDES_AES,
            U::P1PinGenerationKey => TDES_AES,
            U::M0Iso16609MacKey | U::M1Iso9797_1MacKey | U::M3Iso9797_3MacKey => TDES,
            U::M6Iso9797_5CmacKey => TDES_AES,
            U::M7HmacKey => HMAC,
            U::V1Ibm3624PinVerificationKey | U::V2VisaPinVerificationKey => TDES,
            U::D1AsymmetricKeyForDataEncryption | U::K2Tr34AsymmetricKey => RSA,
            U::S0AsymmetricKeyForDigitalSignature => RSA_ECC,
            U::K3AsymmetricKeyForKeyAgreement => ECC,
        }
    }

    /// The sets of modes of use AWS allows for `usage` and `class`.
    pub fn allowed_modes(usage: KeyUsage, class: KeyClass) -> &'static [KeyModesOfUse] {
        const PUBLIC_ENC: &[KeyModesOfUse] = &[M::ENCRYPT_WRAP];
        const PRIVATE_ENC: &[KeyModesOfUse] = &[M::ENCRYPT_DECRYPT_WRAP_UNWRAP, M::DECRYPT_UNWRAP];
        const SIGN_SETS: &[KeyModesOfUse] = &[M::SIGN];
        const VERIFY_SETS: &[KeyModesOfUse] = &[M::VERIFY];
        match usage {
            U::B0BaseDerivationKey
            | U::E0EmvMkeyAppCryptograms
            | U::E1EmvMkeyConfidentiality
            | U::E2EmvMkeyIntegrity
            | U::E4EmvMkeyDynamicNumbers
            | U::E5EmvMkeyCardPersonalization
            | U::E6EmvMkeyOther => DERIVE_SETS,
            U::C0CardVerificationKey
            | U::P1PinGenerationKey
            | U::M0Iso16609MacKey
            | U::M1Iso9797_1MacKey
            | U::M3Iso9797_3MacKey
            | U::M6Iso9797_5CmacKey
            | U::M7HmacKey
            | U::V1Ibm3624PinVerificationKey
            | U::V2VisaPinVerificationKey => GEN_VERIFY_SETS,
            U::D0SymmetricDataEncryptionKey
            | U::K0KeyEncryptionKey
            | U::K1KeyBlockProtectionKey
            | U::P0PinEncryptionKey => ENC_SETS,
            U::D1AsymmetricKeyForDataEncryption | U::K2Tr34AsymmetricKey => match class {
                KeyClass::PublicKey => PUBLIC_ENC,
                _ => PRIVATE_ENC,
            },
            U::S0AsymmetricKeyForDigitalSignature => match class {
                KeyClass::PublicKey => VERIFY_SETS,
                _ => SIGN_SETS,
            },
            U::K3AsymmetricKeyForKeyAgreement => DERIVE_SETS,
        }
    }

    /// Checks that the attributes form a combination AWS accepts: a key class that fits the algorithm, an
    /// algorithm allowed for the usage, and one of the usage's sets of modes of use.
    ///
    /// # Errors
    /// [`AttributesError`] saying which rule was broken and what would be allowed.
    ///
    /// # Examples
    /// ```
    /// use paycrypt::keys::{AttributesError, KeyAlgorithm, KeyAttributes, KeyClass, KeyModesOfUse, KeyUsage};
    ///
    /// let bdk = KeyAttributes {
    ///     key_algorithm: KeyAlgorithm::Tdes2Key,
    ///     key_class: KeyClass::SymmetricKey,
    ///     key_modes_of_use: KeyModesOfUse::DERIVE_KEY,
    ///     key_usage: KeyUsage::B0BaseDerivationKey,
    /// };
    /// assert!(bdk.check().is_ok());
    /// let bad = KeyAttributes { key_modes_of_use: KeyModesOfUse::ENCRYPT_WRAP, ..bdk };
    /// assert!(matches!(bad.check(), Err(AttributesError::ModesNotAllowed { .. })));
    /// ```
    pub fn check(&self) -> Result<(), AttributesError> {
        let symmetric_class = self.key_class == KeyClass::SymmetricKey;
        if symmetric_class == self.key_algorithm.is_asymmetric() {
            return Err(AttributesError::ClassAlgorithm {
                class: self.key_class,
                algorithm: self.key_algorithm,
            });
        }
        let allowed = Self::allowed_algorithms(self.key_usage);
        if !allowed.contains(&self.key_algorithm) {
            return Err(AttributesError::AlgorithmNotAllowed {
                algorithm: self.key_algorithm,
                usage: self.key_usage,
                allowed,
            });
        }
        let allowed = Self::allowed_modes(self.key_usage, self.key_class);
        if !allowed.contains(&self.key_modes_of_use) {
            return Err(AttributesError::ModesNotAllowed {
                modes: self.key_modes_of_use,
                usage: self.key_usage,
                class: self.key_class,
                allowed,
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enum_names_round_trip() {
        for u in KeyUsage::ALL {
            assert_eq!(KeyUsage::from_name(u.name()), Some(*u));
            assert_eq!(serde_json::to_string(u).ok(), Some(format!("\"{}\"", u.name())));
        }
        assert_eq!(KeyUsage::ALL.len(), 24);
        assert_eq!(KeyAlgorithm::ALL.len(), 15);
    }

    #[test]
    fn modes_serialize_all_members() {
        let json = serde_json::to_string(&KeyModesOfUse::DERIVE_KEY).unwrap_or_default();
        assert_eq!(
            json,
            r#"{"Decrypt":false,"DeriveKey":true,"Encrypt":false,"Generate":false,"NoRestrictions":false,"Sign":false,"Unwrap":false,"Verify":false,"Wrap":false}"#
        );
        let partial: KeyModesOfUse =
            serde_json::from_str(r#"{"Encrypt":true,"Wrap":true}"#).unwrap_or_default();
        assert_eq!(partial, KeyModesOfUse::ENCRYPT_WRAP);
        assert!(serde_json::from_str::<KeyModesOfUse>(r#"{"Encrypts":true}"#).is_err());
    }

    #[test]
    fn d0_sets_are_exactly_awss() {
        let allowed: Vec<KeyModesOfUse> = KeyModesOfUse::all_sets()
            .filter(|m| {
                KeyAttributes {
                    key_algorithm: KeyAlgorithm::Aes128,
                    key_class: KeyClass::SymmetricKey,
                    key_modes_of_use: *m,
                    key_usage: KeyUsage::D0SymmetricDataEncryptionKey,
                }
                .check()
                .is_ok()
            })
            .collect();
        assert_eq!(allowed.len(), 4);
    }
}
