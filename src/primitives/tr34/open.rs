//! Opening a TR-34 block as the KRD: read the structure, check the signer and its signature, the
//! message digest and the nonce, then decrypt. Reads AWS's layout and plain CMS (see docs/tr34.md).

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::primitives::pki::tlv::{Reader, Tlv, TlvError, encode, single, tag};
use crate::primitives::pki::{Certificate, sign};
use crate::primitives::rsa::{RsaPadding, RsaPrivateKey};
use crate::primitives::tr34::{Freshness, Opened, Tr34Error, Tr34Header, oid};
use crate::primitives::{Algorithm, Cipher, Mode};

/// Opens a TR-34 block: checks that it is signed by `kdh_cert` (which the caller has already
/// checked against its chain) and that the signature verifies, that the signed random nonce is
/// `expected_nonce` when one is given, that the key is wrapped for `krd_cert`; then decrypts the
/// content-encryption key with `krd_key` (RSAES-OAEP) and the content with it, and reads the key
/// and its header.
///
/// # Errors
/// [`Tr34Error::Malformed`] and [`Tr34Error::UnsupportedAlgorithm`] for a block that cannot be
/// read; [`Tr34Error::WrongSigner`], [`Tr34Error::SignatureInvalid`], [`Tr34Error::NonceMismatch`],
/// [`Tr34Error::NotForThisKrd`] for a block that fails a check; [`Tr34Error::Decrypt`] (no detail)
/// when decryption or what it yields fails; [`Tr34Error::HeaderMismatch`] when the encrypted
/// header differs from the signed one; [`Tr34Error::Certificate`] if a certificate's key is not RSA.
pub fn open(
    block_der: &[u8],
    kdh_cert: &Certificate,
    krd_key: &RsaPrivateKey,
    krd_cert: &Certificate,
    expected_nonce: Option<&[u8]>,
) -> Result<Opened, Tr34Error> {
    let signed = read_signed_data(block_der)?;
    let envelope = read_enveloped_data(signed.content)?;

    if signed.signer.ct_eq(kdh_cert.issuer_and_serial()).unwrap_u8() == 0 {
        return Err(Tr34Error::WrongSigner { kdh: kdh_cert.subject() });
    }
    let kdh_public = kdh_cert.public_key()?;
    let signed_attrs = encode(tag::SET, &[signed.attrs_value]);
    let bad_signature = || Tr34Error::SignatureInvalid { kdh: kdh_cert.subject() };
    if !sign::verify(&kdh_public, sign::Digest::Sha256, &signed_attrs, signed.signature) {
        return Err(bad_signature());
    }
    let attrs = read_attributes(signed.attrs_value)?;
    if attrs.content_type != Some(oid::ENVELOPED_DATA) {
        return Err(Tr34Error::Malformed { what: "contentType attribute (expected envelopedData)" });
    }
    let digest = attrs.message_digest.ok_or(Tr34Error::Malformed { what: "messageDigest attribute" })?;
    if Sha256::digest(signed.content).as_slice().ct_eq(digest).unwrap_u8() == 0 {
        return Err(bad_signature());
    }
    if let Some(expected) = expected_nonce {
        match attrs.nonce {
            Some(found) if found.ct_eq(expected).unwrap_u8() == 1 => {}
            _ => return Err(Tr34Error::NonceMismatch),
        }
    }
    let header_bytes = attrs.header.ok_or(Tr34Error::Malformed { what: "key block header attribute" })?;
    let header = std::str::from_utf8(header_bytes)
        .ok()
        .and_then(|text| Tr34Header::new(text).ok())
        .ok_or(Tr34Error::Malformed { what: "key block header attribute (not a header)" })?;

    let recipient = envelope
        .recipients
        .iter()
        .find(|r| r.id.ct_eq(krd_cert.issuer_and_serial()).unwrap_u8() == 1)
        .ok_or_else(|| Tr34Error::NotForThisKrd { krd: krd_cert.subject() })?;
    let cek = krd_key
        .decrypt(recipient.padding, recipient.label, recipient.wrapped_key)
        .map_err(|_| Tr34Error::Decrypt)?;
    let cipher = Cipher::new(envelope.algorithm, &cek).map_err(|_| Tr34Error::Decrypt)?;
    let mut plain = Zeroizing::new(envelope.ciphertext.to_vec());
    cipher.decrypt_in_place(Mode::Cbc, Some(envelope.iv), &mut plain).map_err(|_| Tr34Error::Decrypt)?;
    let (inner_header, key) =
        read_key_block(&plain, envelope.algorithm.block_len(), kdh_cert.issuer_and_serial())
            .ok_or(Tr34Error::Decrypt)?;
    if inner_header != header_bytes {
        return Err(Tr34Error::HeaderMismatch);
    }
    let kdh_signing_time_or_nonce = match (attrs.nonce, attrs.signing_time) {
        (Some(nonce), _) => Freshness::RandomNonce(nonce.to_vec()),
        (None, Some(time)) => Freshness::SigningTime(time.to_vec()),
        (None, None) => Freshness::None,
    };
    Ok(Opened { header: header.into(), key, kdh_signing_time_or_nonce })
}

/// The parts of the SignedData that the checks need.
struct SignedParts<'a> {
    /// The eContent: the EnvelopedData (its fields, in AWS's layout), what messageDigest covers.
    content: &'a [u8],
    /// The signer's `IssuerAndSerialNumber` as encoded (or another SignerIdentifier, which then
    /// matches no certificate).
    signer: &'a [u8],
    /// The contents of the `[0]` signedAttrs.
    attrs_value: &'a [u8],
    signature: &'a [u8],
}

fn read_signed_data(der: &[u8]) -> Result<SignedParts<'_>, Tr34Error> {
    let mut content_info = single(der, tag::SEQUENCE, "ContentInfo")?;
    expect_oid(&mut content_info, oid::SIGNED_DATA, "ContentInfo contentType (expected signedData)")?;
    let explicit = content_info.value(tag::CONTEXT_0, "ContentInfo content")?;
    content_info.finish("ContentInfo (trailing data)")?;
    let mut signed_data = single(explicit, tag::SEQUENCE, "SignedData")?;
    signed_data.small_uint("SignedData version")?;
    let digest_algorithms = signed_data.value(tag::SET, "SignedData digestAlgorithms")?;
    let mut encap = Reader::new(signed_data.value(tag::SEQUENCE, "encapContentInfo")?);
    expect_oid(&mut encap, oid::ENVELOPED_DATA, "eContentType (expected envelopedData)")?;
    let content =
        single(encap.value(tag::CONTEXT_0, "eContent")?, tag::OCTET_STRING, "eContent")?.remaining();
    encap.finish("encapContentInfo (trailing data)")?;
    signed_data.optional(tag::CONTEXT_0, "SignedData certificates")?;
    signed_data.optional(0xA1, "SignedData crls")?;
    let mut signer_infos = Reader::new(signed_data.value(tag::SET, "SignedData signerInfos")?);
    signed_data.finish("SignedData (trailing data)")?;
    let mut signer_info = Reader::new(signer_infos.value(tag::SEQUENCE, "SignerInfo")?);
    signer_infos.finish("signerInfos (expected exactly one SignerInfo)")?;

    let mut digests = Reader::new(digest_algorithms);
    while !digests.is_empty() {
        algorithm(&mut digests, "digest", &[oid::SHA256])?;
    }
    signer_info.small_uint("SignerInfo version")?;
    let signer = signer_info.any("SignerInfo sid")?.raw;
    algorithm(&mut signer_info, "digest", &[oid::SHA256])?;
    let attrs_value = signer_info.value(tag::CONTEXT_0, "SignerInfo signedAttrs")?;
    algorithm(&mut signer_info, "signature", &[oid::RSA_ENCRYPTION, oid::SHA256_WITH_RSA])?;
    let signature = signer_info.value(tag::OCTET_STRING, "SignerInfo signature")?;
    signer_info.optional(0xA1, "SignerInfo unsignedAttrs")?;
    signer_info.finish("SignerInfo (trailing data)")?;
    Ok(SignedParts { content, signer, attrs_value, signature })
}

/// The signed attributes TR-34 uses; others are ignored.
#[derive(Default)]
struct Attributes<'a> {
    /// The encoded OID.
    content_type: Option<&'a [u8]>,
    message_digest: Option<&'a [u8]>,
    nonce: Option<&'a [u8]>,
    /// The encoded time.
    signing_time: Option<&'a [u8]>,
    header: Option<&'a [u8]>,
}

fn read_attributes(value: &[u8]) -> Result<Attributes<'_>, Tr34Error> {
    let mut attrs = Attributes::default();
    let mut reader = Reader::new(value);
    while !reader.is_empty() {
        let mut attr = Reader::new(reader.value(tag::SEQUENCE, "signed attribute")?);
        let kind = attr.tlv(tag::OID, "signed attribute type")?.raw;
        let mut values = Reader::new(attr.value(tag::SET, "signed attribute values")?);
        attr.finish("signed attribute (trailing data)")?;
        let (slot, value) = match kind {
            k if k == oid::CONTENT_TYPE => {
                (&mut attrs.content_type, values.tlv(tag::OID, "contentType attribute")?.raw)
            }
            k if k == oid::MESSAGE_DIGEST => {
                (&mut attrs.message_digest, values.value(tag::OCTET_STRING, "messageDigest attribute")?)
            }
            k if k == oid::RANDOM_NONCE => {
                (&mut attrs.nonce, values.value(tag::OCTET_STRING, "randomNonce attribute")?)
            }
            k if k == oid::SIGNING_TIME => {
                (&mut attrs.signing_time, values.any("signingTime attribute")?.raw)
            }
            k if k == oid::DATA => {
                (&mut attrs.header, values.value(tag::OCTET_STRING, "key block header attribute")?)
            }
            _ => continue,
        };
        values.finish("signed attribute (expected one value)")?;
        if slot.replace(value).is_some() {
            return Err(Tr34Error::Malformed { what: "signed attributes (one appears twice)" });
        }
    }
    Ok(attrs)
}

/// A KeyTransRecipientInfo.
struct Recipient<'a> {
    /// The `rid` as encoded.
    id: &'a [u8],
    padding: RsaPadding,
    label: Option<&'a [u8]>,
    wrapped_key: &'a [u8],
}

struct Envelope<'a> {
    recipients: Vec<Recipient<'a>>,
    algorithm: Algorithm,
    iv: &'a [u8],
    ciphertext: &'a [u8],
}

fn read_enveloped_data(content: &[u8]) -> Result<Envelope<'_>, Tr34Error> {
    // AWS's layout puts the fields straight in the eContent; plain CMS wraps them in a SEQUENCE.
    let mut fields = if content.first() == Some(&tag::SEQUENCE) {
        single(content, tag::SEQUENCE, "EnvelopedData")?
    } else {
        Reader::new(content)
    };
    fields.small_uint("EnvelopedData version")?;
    fields.optional(tag::CONTEXT_0, "EnvelopedData originatorInfo")?;
    let mut infos = Reader::new(fields.value(tag::SET, "EnvelopedData recipientInfos")?);
    let mut content_info = Reader::new(fields.value(tag::SEQUENCE, "EncryptedContentInfo")?);
    fields.optional(0xA1, "EnvelopedData unprotectedAttrs")?;
    fields.finish("EnvelopedData (trailing data)")?;

    let mut recipients = Vec::new();
    while !infos.is_empty() {
        let info = infos.any("RecipientInfo")?;
        if info.tag != tag::SEQUENCE {
            continue; // another kind of RecipientInfo (key agreement, KEK, password): not ours.
        }
        let mut ktri = Reader::new(info.value);
        ktri.small_uint("KeyTransRecipientInfo version")?;
        let id = ktri.any("KeyTransRecipientInfo rid")?.raw;
        let (padding, label) = key_transport(&mut ktri)?;
        let wrapped_key = ktri.value(tag::OCTET_STRING, "KeyTransRecipientInfo encryptedKey")?;
        ktri.finish("KeyTransRecipientInfo (trailing data)")?;
        recipients.push(Recipient { id, padding, label, wrapped_key });
    }

    expect_oid(&mut content_info, oid::DATA, "EncryptedContentInfo contentType (expected data)")?;
    let mut cipher_alg = Reader::new(content_info.value(tag::SEQUENCE, "contentEncryptionAlgorithm")?);
    let cipher_oid = cipher_alg.tlv(tag::OID, "contentEncryptionAlgorithm")?.raw;
    let algorithm = match cipher_oid {
        o if o == oid::DES_EDE3_CBC => Algorithm::Tdes3Key,
        o if o == oid::AES128_CBC => Algorithm::Aes128,
        o if o == oid::AES192_CBC => Algorithm::Aes192,
        o if o == oid::AES256_CBC => Algorithm::Aes256,
        o => return Err(Tr34Error::UnsupportedAlgorithm { role: "content encryption", oid: oid::dotted(o) }),
    };
    let iv = cipher_alg.value(tag::OCTET_STRING, "content encryption IV")?;
    // AWS's layout puts the encryptedContent inside the algorithm SEQUENCE; plain CMS after it.
    let inside = cipher_alg.optional(tag::CONTEXT_0_PRIMITIVE, "encryptedContent")?;
    cipher_alg.finish("contentEncryptionAlgorithm (trailing data)")?;
    let after = content_info.optional(tag::CONTEXT_0_PRIMITIVE, "encryptedContent")?;
    content_info.finish("EncryptedContentInfo (trailing data)")?;
    let ciphertext = match (inside, after) {
        (Some(Tlv { value, .. }), None) | (None, Some(Tlv { value, .. })) => value,
        _ => return Err(Tr34Error::Malformed { what: "encryptedContent (expected exactly one)" }),
    };
    let block_len = algorithm.block_len();
    if iv.len() != block_len {
        return Err(Tr34Error::Malformed { what: "content encryption IV (wrong length)" });
    }
    if ciphertext.is_empty() || ciphertext.len() % block_len != 0 {
        return Err(Tr34Error::Malformed { what: "encryptedContent (not whole blocks)" });
    }
    Ok(Envelope { recipients, algorithm, iv, ciphertext })
}

/// The key transport algorithm: RSAES-OAEP with SHA-1, SHA-256 or SHA-512 (MGF1 over the same
/// hash). RFC 4055 tags the three parameters `[0]`, `[1]`, `[2]`; AWS's layout leaves the tags out.
fn key_transport<'a>(reader: &mut Reader<'a>) -> Result<(RsaPadding, Option<&'a [u8]>), Tr34Error> {
    let mut alg = Reader::new(reader.value(tag::SEQUENCE, "keyEncryptionAlgorithm")?);
    let kind = alg.tlv(tag::OID, "keyEncryptionAlgorithm")?.raw;
    if kind != oid::RSAES_OAEP {
        return Err(Tr34Error::UnsupportedAlgorithm { role: "key transport", oid: oid::dotted(kind) });
    }
    let params = alg.optional(tag::SEQUENCE, "RSAES-OAEP-params")?;
    alg.finish("keyEncryptionAlgorithm (trailing data)")?;
    let (mut hash, mut mgf_hash, mut label) = (oid::SHA1, oid::SHA1, None);
    let mut items = Reader::new(params.map_or(&[][..], |p| p.value));
    let mut position = 0u8;
    while !items.is_empty() {
        let item = items.any("RSAES-OAEP-params")?;
        let (index, body) = match item.tag {
            0xA0..=0xA2 => (item.tag - 0xA0, single(item.value, tag::SEQUENCE, "RSAES-OAEP-params")?),
            tag::SEQUENCE => (position, Reader::new(item.value)),
            _ => return Err(Tr34Error::Malformed { what: "RSAES-OAEP-params" }),
        };
        position = index + 1;
        let mut body = body;
        match index {
            0 => hash = oaep_hash(&mut body)?,
            1 => {
                let mgf = body.tlv(tag::OID, "maskGenAlgorithm")?.raw;
                if mgf != oid::MGF1 {
                    return Err(Tr34Error::UnsupportedAlgorithm {
                        role: "mask generation",
                        oid: oid::dotted(mgf),
                    });
                }
                mgf_hash = oaep_hash(&mut Reader::new(body.value(tag::SEQUENCE, "MGF1 hash")?))?;
            }
            _ => {
                let source = body.tlv(tag::OID, "pSourceAlgorithm")?.raw;
                if source != oid::P_SPECIFIED {
                    return Err(Tr34Error::UnsupportedAlgorithm {
                        role: "OAEP label source",
                        oid: oid::dotted(source),
                    });
                }
                let value = body.value(tag::OCTET_STRING, "pSpecified label")?;
                label = (!value.is_empty()).then_some(value);
            }
        }
        body.finish("RSAES-OAEP-params (trailing data)")?;
    }
    if hash != mgf_hash {
        return Err(Tr34Error::UnsupportedAlgorithm {
            role: "MGF1 hash (differs from the OAEP hash)",
            oid: oid::dotted(mgf_hash),
        });
    }
    let padding = match hash {
        h if h == oid::SHA1 => RsaPadding::OaepSha1,
        h if h == oid::SHA256 => RsaPadding::OaepSha256,
        h if h == oid::SHA512 => RsaPadding::OaepSha512,
        h => return Err(Tr34Error::UnsupportedAlgorithm { role: "OAEP hash", oid: oid::dotted(h) }),
    };
    Ok((padding, label))
}

/// A hash AlgorithmIdentifier's OID (parameters absent or NULL), read from the identifier's fields.
fn oaep_hash<'a>(fields: &mut Reader<'a>) -> Result<&'a [u8], Tr34Error> {
    let hash = fields.tlv(tag::OID, "OAEP hash")?.raw;
    if fields.optional(tag::NULL, "OAEP hash parameters")?.is_some_and(|n| !n.value.is_empty()) {
        return Err(Tr34Error::Malformed { what: "OAEP hash parameters" });
    }
    fields.finish("OAEP hash (trailing data)")?;
    Ok(hash)
}

/// Reads an AlgorithmIdentifier whose OID must be one of `allowed` and whose parameters are absent
/// or NULL.
fn algorithm(reader: &mut Reader<'_>, role: &'static str, allowed: &[&[u8]]) -> Result<(), Tr34Error> {
    let mut fields = Reader::new(reader.value(tag::SEQUENCE, "AlgorithmIdentifier")?);
    let kind = fields.tlv(tag::OID, "AlgorithmIdentifier")?.raw;
    if !allowed.contains(&kind) {
        return Err(Tr34Error::UnsupportedAlgorithm { role, oid: oid::dotted(kind) });
    }
    if fields.optional(tag::NULL, "AlgorithmIdentifier parameters")?.is_some_and(|n| !n.value.is_empty()) {
        return Err(Tr34Error::Malformed { what: "AlgorithmIdentifier parameters" });
    }
    fields.finish("AlgorithmIdentifier (trailing data)")?;
    Ok(())
}

fn expect_oid(reader: &mut Reader<'_>, expected: &[u8], what: &'static str) -> Result<(), Tr34Error> {
    if reader.tlv(tag::OID, what)?.raw != expected {
        return Err(Tr34Error::Malformed { what });
    }
    Ok(())
}

/// The decrypted TR-34 key block: version 1, the KDH's issuer and serial number, the key, the
/// header attribute; then padding shorter than a block or one whole block. `None` for anything
/// else, so that the caller reports one opaque failure.
fn read_key_block<'a>(
    plain: &'a [u8],
    block_len: usize,
    kdh_id: &[u8],
) -> Option<(&'a [u8], Zeroizing<Vec<u8>>)> {
    let mut outer = Reader::new(plain);
    let block = outer.tlv(tag::SEQUENCE, "").ok()?;
    if outer.remaining().len() > block_len {
        return None;
    }
    let mut fields = Reader::new(block.value);
    (fields.small_uint("").ok()? == 1).then_some(())?;
    (fields.tlv(tag::SEQUENCE, "").ok()?.raw == kdh_id).then_some(())?;
    let key = Zeroizing::new(fields.value(tag::OCTET_STRING, "").ok()?.to_vec());
    let mut attr = Reader::new(fields.value(tag::SEQUENCE, "").ok()?);
    fields.finish("").ok()?;
    (attr.tlv(tag::OID, "").ok()?.raw == oid::DATA).then_some(())?;
    let mut values = Reader::new(attr.value(tag::SET, "").ok()?);
    let header = values.value(tag::OCTET_STRING, "").ok()?;
    (values.is_empty() && attr.is_empty()).then_some((header, key))
}

impl From<TlvError> for Tr34Error {
    fn from(e: TlvError) -> Self {
        Tr34Error::Malformed { what: e.0 }
    }
}
