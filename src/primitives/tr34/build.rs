//! Building a TR-34 block as the KDH, in AWS's layout (see docs/tr34.md).

use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::primitives::pki::tlv::{encode, tag};
use crate::primitives::pki::{Certificate, sign};
use crate::primitives::rsa::{RsaPadding, RsaPrivateKey};
use crate::primitives::tr34::{Tr34Error, Tr34Header, oid};
use crate::primitives::{Algorithm, Cipher, Mode};

/// Builds a TR-34 block carrying `key` under `header`, signed with `kdh_key` (whose certificate
/// `kdh_cert` is referenced by issuer and serial number, not included: AWS passes it separately)
/// and encrypted to `krd_cert`. With `nonce` the block is two-pass and signs the KRD's random
/// nonce; without, it carries no freshness attribute.
///
/// The content is encrypted with AES-128-CBC when the header's algorithm is `A`, TDES-CBC (three
/// keys) otherwise, as AWS's samples do. Returns the DER; AWS's `WrappedKeyBlock` is its upper-case
/// hex.
///
/// # Errors
/// [`Tr34Error::Header`], [`Tr34Error::Length`] for an empty or over-long key or nonce,
/// [`Tr34Error::Certificate`] if a certificate's key is not RSA or `kdh_key` is not `kdh_cert`'s
/// key, [`Tr34Error::Build`] if an RSA operation or the random number generator fails.
pub fn build(
    key: &[u8],
    header: &str,
    kdh_key: &RsaPrivateKey,
    kdh_cert: &Certificate,
    krd_cert: &Certificate,
    nonce: Option<&[u8]>,
) -> Result<Vec<u8>, Tr34Error> {
    let header = Tr34Header::new(header)?;
    if key.is_empty() || key.len() > 64 {
        return Err(Tr34Error::Length { what: "key", got: key.len(), expected: "1 to 64 bytes" });
    }
    if let Some(nonce) = nonce
        && (nonce.is_empty() || nonce.len() > 64)
    {
        return Err(Tr34Error::Length { what: "random nonce", got: nonce.len(), expected: "1 to 64 bytes" });
    }
    if kdh_cert.public_key()? != *kdh_key.as_public_key() {
        return Err(Tr34Error::Build { detail: "the KDH key is not the key of the KDH certificate".into() });
    }
    let krd_public = krd_cert.public_key()?;

    let header_attr_value = encode(tag::SET, &[&encode(tag::OCTET_STRING, &[header.as_str().as_bytes()])]);
    // Every buffer that holds the clear key is zeroized when dropped, and sized up front so that
    // no reallocation leaves a copy behind.
    let key_field = Zeroizing::new(encode(tag::OCTET_STRING, &[key]));
    let key_block = Zeroizing::new(encode(
        tag::SEQUENCE,
        &[
            &encode(tag::INTEGER, &[&[1]]),
            kdh_cert.issuer_and_serial(),
            &key_field,
            &encode(tag::SEQUENCE, &[oid::DATA, &header_attr_value]),
        ],
    ));

    let (algorithm, cbc_oid) = if header.algorithm() == 'A' {
        (Algorithm::Aes128, oid::AES128_CBC)
    } else {
        (Algorithm::Tdes3Key, oid::DES_EDE3_CBC)
    };
    let block_len = algorithm.block_len();
    let mut cek = Zeroizing::new(vec![0u8; algorithm.key_len()]);
    let mut iv = vec![0u8; block_len];
    getrandom::fill(&mut cek).map_err(|_| rng_failed())?;
    getrandom::fill(&mut iv).map_err(|_| rng_failed())?;
    let pad = block_len - key_block.len() % block_len;
    let mut content = Zeroizing::new(Vec::with_capacity(key_block.len() + pad));
    content.extend_from_slice(&key_block);
    content.extend(std::iter::repeat_n(u8::try_from(pad).unwrap_or(0), pad));
    let cipher = Cipher::new(algorithm, &cek).map_err(|e| Tr34Error::Build { detail: e.to_string() })?;
    cipher
        .encrypt_in_place(Mode::Cbc, Some(&iv), &mut content)
        .map_err(|e| Tr34Error::Build { detail: e.to_string() })?;
    let wrapped_cek = krd_public
        .encrypt(RsaPadding::OaepSha256, None, &cek)
        .map_err(|e| Tr34Error::Build { detail: e.to_string() })?;

    let sha256_null = encode(tag::SEQUENCE, &[oid::SHA256, &encode(tag::NULL, &[])]);
    let oaep_params = encode(
        tag::SEQUENCE,
        &[
            &sha256_null,
            &encode(tag::SEQUENCE, &[oid::MGF1, &encode(tag::SEQUENCE, &[oid::SHA256])]),
            &encode(tag::SEQUENCE, &[oid::P_SPECIFIED, &encode(tag::OCTET_STRING, &[])]),
        ],
    );
    let recipient = encode(
        tag::SEQUENCE,
        &[
            &encode(tag::INTEGER, &[&[0]]),
            krd_cert.issuer_and_serial(),
            &encode(tag::SEQUENCE, &[oid::RSAES_OAEP, &oaep_params]),
            &encode(tag::OCTET_STRING, &[&wrapped_cek]),
        ],
    );
    let encrypted_content_info = encode(
        tag::SEQUENCE,
        &[
            oid::DATA,
            &encode(
                tag::SEQUENCE,
                &[
                    cbc_oid,
                    &encode(tag::OCTET_STRING, &[&iv]),
                    &encode(tag::CONTEXT_0_PRIMITIVE, &[&content]),
                ],
            ),
        ],
    );
    // AWS's layout: the eContent OCTET STRING holds the EnvelopedData's fields without its
    // SEQUENCE header, and the message digest is taken over exactly those bytes.
    let enveloped_body =
        [encode(tag::INTEGER, &[&[0]]), encode(tag::SET, &[&recipient]), encrypted_content_info].concat();

    let nonce_attr = nonce.map(|n| {
        encode(tag::SEQUENCE, &[oid::RANDOM_NONCE, &encode(tag::SET, &[&encode(tag::OCTET_STRING, &[n])])])
    });
    let attrs = [
        Some(encode(tag::SEQUENCE, &[oid::CONTENT_TYPE, &encode(tag::SET, &[oid::ENVELOPED_DATA])])),
        nonce_attr,
        Some(encode(tag::SEQUENCE, &[oid::DATA, &header_attr_value])),
        Some(encode(
            tag::SEQUENCE,
            &[
                oid::MESSAGE_DIGEST,
                &encode(tag::SET, &[&encode(tag::OCTET_STRING, &[&Sha256::digest(&enveloped_body)])]),
            ],
        )),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .concat();
    let signature = sign::sign_sha256(kdh_key, &encode(tag::SET, &[&attrs]))
        .map_err(|_| Tr34Error::Build { detail: "signing failed".into() })?;

    let sha256_alg = encode(tag::SEQUENCE, &[oid::SHA256]);
    let signer_info = encode(
        tag::SEQUENCE,
        &[
            &encode(tag::INTEGER, &[&[1]]),
            kdh_cert.issuer_and_serial(),
            &sha256_alg,
            &encode(tag::CONTEXT_0, &[&attrs]),
            &encode(tag::SEQUENCE, &[oid::RSA_ENCRYPTION, &encode(tag::NULL, &[])]),
            &encode(tag::OCTET_STRING, &[&signature]),
        ],
    );
    let signed_data = encode(
        tag::SEQUENCE,
        &[
            &encode(tag::INTEGER, &[&[1]]),
            &encode(tag::SET, &[&sha256_alg]),
            &encode(
                tag::SEQUENCE,
                &[
                    oid::ENVELOPED_DATA,
                    &encode(tag::CONTEXT_0, &[&encode(tag::OCTET_STRING, &[&enveloped_body])]),
                ],
            ),
            &encode(tag::SET, &[&signer_info]),
        ],
    );
    Ok(encode(tag::SEQUENCE, &[oid::SIGNED_DATA, &encode(tag::CONTEXT_0, &[&signed_data])]))
}

fn rng_failed() -> Tr34Error {
    Tr34Error::Build { detail: "the random number generator failed".into() }
}
