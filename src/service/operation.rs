//! The operation tables: every operation paycrypt serves, one enum per AWS service, each carrying
//! its AWS name, how it travels on the wire and whether it writes to the key store.
//!
//! The router (`paycrypt serve`), the dispatch ([`PaymentCryptography::dispatch`],
//! [`Kms::dispatch`]) and the CLI's remote calls all read these tables, so an operation is named in
//! one place only.
//!
//! | Service | Enum | Protocol | Addressed by |
//! |---|---|---|---|
//! | `payment-cryptography-data` | [`DataOperation`] | restJson1 | `POST /keys/{KeyIdentifier}/<action>` |
//! | `payment-cryptography` | [`ControlOperation`] | awsJson1_0 | `X-Amz-Target: PaymentCryptographyControlPlane.<Name>` |
//! | `kms` | [`KmsOperation`] | awsJson1_1 | `X-Amz-Target: TrentService.<Name>` |
//!
//! # Examples
//! ```
//! use paycrypt::service::{ControlOperation, DataOperation, KmsOperation, Operation, Plane};
//!
//! let op: DataOperation = "ReEncryptData".parse()?;
//! assert_eq!((op.action(), op.uri_member()), ("reencrypt", "IncomingKeyIdentifier"));
//! assert_eq!(DataOperation::from_action("encrypt"), Some(DataOperation::EncryptData));
//! assert!(ControlOperation::CreateAlias.writes() && !ControlOperation::GetAlias.writes());
//! assert_eq!(KmsOperation::TARGET_PREFIX, "TrentService");
//! assert_eq!("GetKey".parse::<Operation>()?.plane(), Plane::Control);
//! assert!("Frobnicate".parse::<KmsOperation>().is_err());
//! # Ok::<(), paycrypt::service::UnknownOperation>(())
//! ```
//!
//! [`PaymentCryptography::dispatch`]: crate::service::PaymentCryptography::dispatch
//! [`Kms::dispatch`]: crate::service::kms::Kms::dispatch

use std::fmt;
use std::str::FromStr;

use thiserror::Error;

use crate::service::Plane;

/// The AWS protocol an API speaks: its request addressing and its `Content-Type`.
#[derive(Clone, Copy, Debug, Eq, Hash, PartialEq)]
pub enum Protocol {
    /// restJson1: the operation is the method and path, members travel in the path and the body.
    RestJson1,
    /// awsJson1_0: `POST /`, the operation in `X-Amz-Target`.
    AwsJson1_0,
    /// awsJson1_1: as awsJson1_0, with its own content type.
    AwsJson1_1,
}

impl Protocol {
    /// The `Content-Type` of the protocol's responses (and of its requests, for awsJson).
    pub const fn content_type(self) -> &'static str {
        match self {
            Protocol::RestJson1 => "application/json",
            Protocol::AwsJson1_0 => "application/x-amz-json-1.0",
            Protocol::AwsJson1_1 => "application/x-amz-json-1.1",
        }
    }
}

/// A name that is not an operation of the table it was looked up in.
#[derive(Clone, Debug, Eq, PartialEq, Error)]
#[error("{name} is not a {service} operation that paycrypt serves")]
pub struct UnknownOperation {
    /// The name asked for.
    pub name: String,
    /// The service whose table was searched, e.g. `kms`.
    pub service: &'static str,
}

/// Whether an operation reads or writes the key store (the table's second column).
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
enum Access {
    Read,
    Write,
}

/// Stamps one operation enum: the variants (named as AWS names the operations) with their access,
/// the service's name, protocol and signing name, `ALL`, `as_str`, `writes`, `FromStr` and
/// `Display`.
macro_rules! operation_table {
    (
        $(#[$meta:meta])*
        $name:ident, service $service:literal, protocol $protocol:ident, signing $signing:literal {
            $( $(#[$vmeta:meta])* $variant:ident: $access:ident, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, Eq, Hash, PartialEq)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
        }

        impl $name {
            /// Every operation of the table.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// The service name (`aws <service> …`, and the endpoint prefix).
            pub const SERVICE: &'static str = $service;
            /// The protocol the operations travel on.
            pub const PROTOCOL: Protocol = Protocol::$protocol;
            /// The SigV4 signing name.
            pub const SIGNING_NAME: &'static str = $signing;

            /// AWS's name of the operation, e.g. `EncryptData`.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => stringify!($variant),)+
                }
            }

            /// Whether the operation changes the key store (create, import, delete, alias and state
            /// changes), as opposed to reading it and computing.
            pub const fn writes(self) -> bool {
                match self {
                    $($name::$variant => matches!(Access::$access, Access::Write),)+
                }
            }
        }

        impl FromStr for $name {
            type Err = UnknownOperation;

            fn from_str(name: &str) -> Result<Self, UnknownOperation> {
                Self::ALL
                    .iter()
                    .copied()
                    .find(|op| op.as_str() == name)
                    .ok_or_else(|| UnknownOperation { name: name.to_owned(), service: $service })
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

operation_table! {
    /// The payment-cryptography data plane (`payment-cryptography-data`, restJson1): each operation is
    /// `POST /keys/{<uri_member>}/<action>`.
    DataOperation, service "payment-cryptography-data", protocol RestJson1, signing "payment-cryptography" {
        /// Encrypts data under a key.
        EncryptData: Read,
        /// Decrypts data under a key.
        DecryptData: Read,
        /// Decrypts under one key and encrypts under another.
        ReEncryptData: Read,
    }
}

impl DataOperation {
    /// The last segment of the operation's path, e.g. `reencrypt`.
    pub const fn action(self) -> &'static str {
        match self {
            DataOperation::EncryptData => "encrypt",
            DataOperation::DecryptData => "decrypt",
            DataOperation::ReEncryptData => "reencrypt",
        }
    }

    /// The request member that travels in the path, e.g. `IncomingKeyIdentifier`.
    pub const fn uri_member(self) -> &'static str {
        match self {
            DataOperation::EncryptData | DataOperation::DecryptData => "KeyIdentifier",
            DataOperation::ReEncryptData => "IncomingKeyIdentifier",
        }
    }

    /// The operation whose path ends in `action`, if any.
    pub fn from_action(action: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|op| op.action() == action)
    }

    /// The operation's path for a key identifier already percent-encoded as a path segment.
    pub fn path(self, encoded_key: &str) -> String {
        format!("/keys/{encoded_key}/{}", self.action())
    }
}

operation_table! {
    /// The payment-cryptography control plane (`payment-cryptography`, awsJson1_0): the subset an
    /// emulator needs, each `POST /` with `X-Amz-Target: PaymentCryptographyControlPlane.<Name>`.
    ControlOperation, service "payment-cryptography", protocol AwsJson1_0, signing "payment-cryptography" {
        /// Generates a key.
        CreateKey: Write,
        /// Imports a key.
        ImportKey: Write,
        /// Describes a key.
        GetKey: Read,
        /// Lists keys, a page at a time.
        ListKeys: Read,
        /// Schedules a key for deletion.
        DeleteKey: Write,
        /// Cancels a scheduled deletion.
        RestoreKey: Write,
        /// Enables a key.
        StartKeyUsage: Write,
        /// Disables a key.
        StopKeyUsage: Write,
        /// Creates an alias.
        CreateAlias: Write,
        /// Describes an alias.
        GetAlias: Read,
        /// Lists aliases, a page at a time.
        ListAliases: Read,
        /// Points an alias at another key, or at none.
        UpdateAlias: Write,
        /// Deletes an alias.
        DeleteAlias: Write,
        /// Exports a key wrapped (TR-31, TR-34, RSA key cryptogram). Signs and encrypts with RSA, so it
        /// runs off the event loop like the writes.
        ExportKey: Write,
        /// Makes an import token: an RSA key pair and its certificate.
        GetParametersForImport: Write,
        /// Makes an export token: an RSA signing key pair and its certificate.
        GetParametersForExport: Write,
        /// Issues a certificate for a key pair's public key.
        GetPublicKeyCertificate: Write,
    }
}

impl ControlOperation {
    /// The `X-Amz-Target` prefix: the header is `<prefix>.<Name>`.
    pub const TARGET_PREFIX: &'static str = "PaymentCryptographyControlPlane";
}

operation_table! {
    /// AWS KMS (`kms`, awsJson1_1): each `POST /` with `X-Amz-Target: TrentService.<Name>`.
    KmsOperation, service "kms", protocol AwsJson1_1, signing "kms" {
        /// Creates a key.
        CreateKey: Write,
        /// Describes a key.
        DescribeKey: Read,
        /// Lists keys, a page at a time.
        ListKeys: Read,
        /// Enables a key.
        EnableKey: Write,
        /// Disables a key.
        DisableKey: Write,
        /// Schedules a key for deletion.
        ScheduleKeyDeletion: Write,
        /// Cancels a scheduled deletion.
        CancelKeyDeletion: Write,
        /// Creates an alias.
        CreateAlias: Write,
        /// Lists aliases, a page at a time.
        ListAliases: Read,
        /// Deletes an alias.
        DeleteAlias: Write,
        /// Points an alias at another key.
        UpdateAlias: Write,
        /// Encrypts under a key.
        Encrypt: Read,
        /// Decrypts a ciphertext blob.
        Decrypt: Read,
        /// Decrypts under one key and encrypts under another.
        ReEncrypt: Read,
        /// Generates a data key, in the clear and encrypted.
        GenerateDataKey: Read,
        /// Generates a data key, encrypted only.
        GenerateDataKeyWithoutPlaintext: Read,
        /// Random bytes.
        GenerateRandom: Read,
        /// Creates a grant.
        CreateGrant: Write,
        /// Lists a key's grants.
        ListGrants: Read,
        /// Retires a grant.
        RetireGrant: Write,
        /// Revokes a grant.
        RevokeGrant: Write,
    }
}

impl KmsOperation {
    /// The `X-Amz-Target` prefix: the header is `<prefix>.<Name>`.
    pub const TARGET_PREFIX: &'static str = "TrentService";
}

/// An operation of AWS Payment Cryptography, either plane: what [`PaymentCryptography::dispatch`]
/// runs.
///
/// [`PaymentCryptography::dispatch`]: crate::service::PaymentCryptography::dispatch
#[derive(Clone, Copy, Debug, Eq, Hash, PartialEq)]
pub enum Operation {
    /// A data-plane operation.
    Data(DataOperation),
    /// A control-plane operation.
    Control(ControlOperation),
}

impl Operation {
    /// Every operation of both planes, the data plane first.
    pub fn all() -> impl Iterator<Item = Operation> {
        let data = DataOperation::ALL.iter().copied().map(Operation::Data);
        data.chain(ControlOperation::ALL.iter().copied().map(Operation::Control))
    }

    /// AWS's name of the operation.
    pub const fn as_str(self) -> &'static str {
        match self {
            Operation::Data(op) => op.as_str(),
            Operation::Control(op) => op.as_str(),
        }
    }

    /// The plane the operation belongs to.
    pub const fn plane(self) -> Plane {
        match self {
            Operation::Data(_) => Plane::Data,
            Operation::Control(_) => Plane::Control,
        }
    }

    /// The protocol the operation travels on.
    pub const fn protocol(self) -> Protocol {
        match self {
            Operation::Data(_) => DataOperation::PROTOCOL,
            Operation::Control(_) => ControlOperation::PROTOCOL,
        }
    }

    /// Whether the operation changes the key store.
    pub const fn writes(self) -> bool {
        match self {
            Operation::Data(op) => op.writes(),
            Operation::Control(op) => op.writes(),
        }
    }
}

impl FromStr for Operation {
    type Err = UnknownOperation;

    fn from_str(name: &str) -> Result<Self, UnknownOperation> {
        match name.parse::<DataOperation>() {
            Ok(op) => Ok(Operation::Data(op)),
            Err(_) => name
                .parse()
                .map(Operation::Control)
                .map_err(|_| UnknownOperation { name: name.to_owned(), service: "payment-cryptography" }),
        }
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<DataOperation> for Operation {
    fn from(op: DataOperation) -> Self {
        Operation::Data(op)
    }
}

impl From<ControlOperation> for Operation {
    fn from(op: ControlOperation) -> Self {
        Operation::Control(op)
    }
}

/// Every payment-cryptography operation with its plane, as `(name, plane)` pairs: a view of
/// [`DataOperation::ALL`] and [`ControlOperation::ALL`] for callers that work with names.
pub const OPERATIONS: &[(&str, Plane)] = &{
    const DATA: &[DataOperation] = DataOperation::ALL;
    const CONTROL: &[ControlOperation] = ControlOperation::ALL;
    let mut out = [("", Plane::Data); DATA.len() + CONTROL.len()];
    let mut i = 0;
    while i < DATA.len() {
        out[i] = (DATA[i].as_str(), Plane::Data);
        i += 1;
    }
    let mut j = 0;
    while j < CONTROL.len() {
        out[DATA.len() + j] = (CONTROL[j].as_str(), Plane::Control);
        j += 1;
    }
    out
};

/// Every KMS operation's name: a view of [`KmsOperation::ALL`] for callers that work with names.
pub const KMS_OPERATIONS: &[&str] = &{
    const ALL: &[KmsOperation] = KmsOperation::ALL;
    let mut out = [""; ALL.len()];
    let mut i = 0;
    while i < ALL.len() {
        out[i] = ALL[i].as_str();
        i += 1;
    }
    out
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_unique_per_table() {
        for op in Operation::all() {
            assert_eq!(op.as_str().parse::<Operation>(), Ok(op));
        }
        for op in KmsOperation::ALL {
            assert_eq!(op.as_str().parse::<KmsOperation>(), Ok(*op));
        }
        let mut names: Vec<&str> = Operation::all().map(Operation::as_str).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), DataOperation::ALL.len() + ControlOperation::ALL.len());
    }

    #[test]
    fn name_views_follow_the_tables() {
        let pairs: Vec<(&str, Plane)> = Operation::all().map(|op| (op.as_str(), op.plane())).collect();
        assert_eq!(OPERATIONS, pairs.as_slice());
        let kms: Vec<&str> = KmsOperation::ALL.iter().map(|op| op.as_str()).collect();
        assert_eq!(KMS_OPERATIONS, kms.as_slice());
    }

    #[test]
    fn data_plane_paths() {
        for op in DataOperation::ALL {
            assert_eq!(DataOperation::from_action(op.action()), Some(*op));
        }
        assert_eq!(DataOperation::EncryptData.path("alias%2Fa"), "/keys/alias%2Fa/encrypt");
        assert_eq!(DataOperation::from_action("frobnicate"), None);
    }

    #[test]
    fn unknown_names_say_which_service() {
        let e = "EncryptData".parse::<ControlOperation>().unwrap_err();
        assert_eq!(e.to_string(), "EncryptData is not a payment-cryptography operation that paycrypt serves");
        assert!(ControlOperation::ALL.iter().all(|op| op.as_str().parse::<DataOperation>().is_err()));
    }
}
