//! A strict DER reader and writer of tag-length-value items, for the structures read byte for byte
//! (a certificate's signed part, CMS as TR-34 lays it out).
//!
//! Only what DER allows: one-byte tags, definite lengths in their shortest form, at most four length
//! bytes. Every slice taken is checked, so no input can make it panic.

/// DER tags used by the certificate and TR-34 code.
pub(crate) mod tag {
    /// INTEGER.
    pub(crate) const INTEGER: u8 = 0x02;
    /// OCTET STRING.
    pub(crate) const OCTET_STRING: u8 = 0x04;
    /// NULL.
    pub(crate) const NULL: u8 = 0x05;
    /// OBJECT IDENTIFIER.
    pub(crate) const OID: u8 = 0x06;
    /// SEQUENCE (constructed).
    pub(crate) const SEQUENCE: u8 = 0x30;
    /// SET (constructed).
    pub(crate) const SET: u8 = 0x31;
    /// `[0]` constructed (EXPLICIT, or IMPLICIT over a constructed type).
    pub(crate) const CONTEXT_0: u8 = 0xA0;
    /// `[0]` primitive (IMPLICIT over an OCTET STRING).
    pub(crate) const CONTEXT_0_PRIMITIVE: u8 = 0x80;
}

/// Why DER could not be read: the item that was expected. Static text only, never input bytes.
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
pub(crate) struct TlvError(pub(crate) &'static str);

/// One item: its tag, its contents, and its whole encoding (tag and length included).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Tlv<'a> {
    pub(crate) tag: u8,
    pub(crate) value: &'a [u8],
    pub(crate) raw: &'a [u8],
}

/// Reads items one after another from a slice.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    /// A reader over `input`.
    pub(crate) fn new(input: &'a [u8]) -> Self {
        Reader { rest: input }
    }

    /// Whether everything has been read.
    pub(crate) fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }

    /// What has not been read yet.
    pub(crate) fn remaining(&self) -> &'a [u8] {
        self.rest
    }

    /// The tag of the next item, if there is one.
    pub(crate) fn peek_tag(&self) -> Option<u8> {
        self.rest.first().copied()
    }

    /// The next item, whatever its tag.
    pub(crate) fn any(&mut self, what: &'static str) -> Result<Tlv<'a>, TlvError> {
        let err = TlvError(what);
        let (&tag, after_tag) = self.rest.split_first().ok_or(err)?;
        if tag & 0x1F == 0x1F {
            return Err(err);
        }
        let (&first, mut after_len) = after_tag.split_first().ok_or(err)?;
        let len = if first < 0x80 {
            usize::from(first)
        } else {
            let count = usize::from(first & 0x7F);
            if count == 0 || count > 4 {
                return Err(err);
            }
            let (bytes, rest) = after_len.split_at_checked(count).ok_or(err)?;
            after_len = rest;
            if bytes.first() == Some(&0) {
                return Err(err);
            }
            let len = bytes.iter().fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
            if len < 0x80 {
                return Err(err);
            }
            len
        };
        let (value, rest) = after_len.split_at_checked(len).ok_or(err)?;
        let header_len = self.rest.len() - after_len.len();
        let raw = self.rest.get(..header_len + len).ok_or(err)?;
        self.rest = rest;
        Ok(Tlv { tag, value, raw })
    }

    /// The next item, which must carry `tag`; returns it whole.
    pub(crate) fn tlv(&mut self, tag: u8, what: &'static str) -> Result<Tlv<'a>, TlvError> {
        let item = self.any(what)?;
        if item.tag != tag {
            return Err(TlvError(what));
        }
        Ok(item)
    }

    /// The contents of the next item, which must carry `tag`.
    pub(crate) fn value(&mut self, tag: u8, what: &'static str) -> Result<&'a [u8], TlvError> {
        Ok(self.tlv(tag, what)?.value)
    }

    /// The next item if it carries `tag`; nothing (and nothing read) otherwise.
    pub(crate) fn optional(&mut self, tag: u8, what: &'static str) -> Result<Option<Tlv<'a>>, TlvError> {
        if self.peek_tag() == Some(tag) { self.tlv(tag, what).map(Some) } else { Ok(None) }
    }

    /// A small non-negative INTEGER (a version number).
    pub(crate) fn small_uint(&mut self, what: &'static str) -> Result<u8, TlvError> {
        match self.value(tag::INTEGER, what)? {
            [v] if *v < 0x80 => Ok(*v),
            _ => Err(TlvError(what)),
        }
    }

    /// Fails unless everything has been read.
    pub(crate) fn finish(&self, what: &'static str) -> Result<(), TlvError> {
        if self.rest.is_empty() { Ok(()) } else { Err(TlvError(what)) }
    }
}

/// Reads `input` as exactly one item carrying `tag` and returns a reader over its contents.
pub(crate) fn single<'a>(input: &'a [u8], tag: u8, what: &'static str) -> Result<Reader<'a>, TlvError> {
    let mut outer = Reader::new(input);
    let item = outer.tlv(tag, what)?;
    outer.finish(what)?;
    Ok(Reader::new(item.value))
}

/// Encodes one item from its tag and the concatenation of `parts`.
pub(crate) fn encode(tag: u8, parts: &[&[u8]]) -> Vec<u8> {
    let len: usize = parts.iter().map(|p| p.len()).sum();
    let mut out = Vec::with_capacity(len + 2 + size_of::<usize>());
    out.push(tag);
    push_len(&mut out, len);
    for part in parts {
        out.extend_from_slice(part);
    }
    out
}

fn push_len(out: &mut Vec<u8>, len: usize) {
    if len < 0x80 {
        out.push(len.to_be_bytes()[size_of::<usize>() - 1]);
        return;
    }
    let bytes = len.to_be_bytes();
    let skip = bytes.iter().take_while(|&&b| b == 0).count();
    let used = &bytes[skip..];
    out.push(0x80 | used.len().to_be_bytes()[size_of::<usize>() - 1]);
    out.extend_from_slice(used);
}

/// The signed part of a certificate, its issuer name and serial number INTEGER, each as encoded.
#[derive(Clone, Copy, Debug)]
pub(crate) struct CertParts<'a> {
    pub(crate) tbs: &'a [u8],
    pub(crate) serial: &'a [u8],
    pub(crate) issuer: &'a [u8],
}

/// Splits a DER certificate into the parts signatures and TR-34 identifiers cover.
pub(crate) fn cert_parts<'a>(der: &'a [u8]) -> Result<CertParts<'a>, TlvError> {
    let mut cert = single(der, tag::SEQUENCE, "Certificate")?;
    let tbs = cert.tlv(tag::SEQUENCE, "TBSCertificate")?;
    let mut fields = Reader::new(tbs.value);
    fields.optional(tag::CONTEXT_0, "version")?;
    let serial = fields.tlv(tag::INTEGER, "serialNumber")?.raw;
    fields.tlv(tag::SEQUENCE, "signature")?;
    let issuer = fields.tlv(tag::SEQUENCE, "issuer")?.raw;
    Ok(CertParts { tbs: tbs.raw, serial, issuer })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_round_trip_in_shortest_form() {
        for len in [0usize, 1, 127, 128, 255, 256, 65_535, 65_536] {
            let value = vec![7u8; len];
            let der = encode(tag::OCTET_STRING, &[&value]);
            let mut reader = Reader::new(&der);
            let item = reader.tlv(tag::OCTET_STRING, "x").unwrap();
            assert_eq!(item.value.len(), len);
            assert_eq!(item.raw, &der[..]);
            assert!(reader.is_empty());
        }
    }

    #[test]
    fn non_der_lengths_are_refused() {
        for bad in [
            &[0x04, 0x81, 0x05, 0, 0, 0, 0, 0][..],
            &[0x04, 0x80],
            &[0x04, 0x82, 0x00, 0x90],
            &[0x04, 0x03, 1],
        ] {
            assert!(Reader::new(bad).any("x").is_err(), "{bad:02X?}");
        }
    }
}
