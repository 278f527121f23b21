//! A job: the operation, its request template and the result columns; and what one worker does to one
//! record with them (fields in, the service call, the record out or a reject).

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use serde::Serialize;
use serde_json::Value;
use zeroize::Zeroize;

use crate::batch::BatchError;
use crate::batch::format::{self, Format, Members};
use crate::batch::template::Template;
use crate::keys::KeyStore;
use crate::service::kms::{Kms, KmsError, KmsOperation};
use crate::service::{
    DataSession, DecryptDataInput, EncryptDataInput, PaymentCryptography, Plane, ReEncryptDataInput,
    ServiceError,
};

/// The operations a batch runs once per record.
#[derive(Clone, Copy, Debug, Eq, Hash, PartialEq)]
pub enum Operation {
    /// AWS Payment Cryptography EncryptData.
    EncryptData,
    /// AWS Payment Cryptography DecryptData.
    DecryptData,
    /// AWS Payment Cryptography ReEncryptData.
    ReEncryptData,
    /// AWS KMS Encrypt.
    KmsEncrypt,
    /// AWS KMS Decrypt.
    KmsDecrypt,
    /// AWS KMS ReEncrypt.
    KmsReEncrypt,
}

impl Operation {
    /// Every operation, in the order of the command's help.
    pub const ALL: [Operation; 6] = [
        Operation::EncryptData,
        Operation::DecryptData,
        Operation::ReEncryptData,
        Operation::KmsEncrypt,
        Operation::KmsDecrypt,
        Operation::KmsReEncrypt,
    ];

    /// The command's name: `re-encrypt-data`, `kms-encrypt`, …
    pub fn command(self) -> &'static str {
        match self {
            Operation::EncryptData => "encrypt-data",
            Operation::DecryptData => "decrypt-data",
            Operation::ReEncryptData => "re-encrypt-data",
            Operation::KmsEncrypt => "kms-encrypt",
            Operation::KmsDecrypt => "kms-decrypt",
            Operation::KmsReEncrypt => "kms-re-encrypt",
        }
    }

    /// AWS's name of the operation: `ReEncryptData`, `Encrypt` (KMS), …
    pub fn aws_name(self) -> &'static str {
        match self {
            Operation::EncryptData => "EncryptData",
            Operation::DecryptData => "DecryptData",
            Operation::ReEncryptData => "ReEncryptData",
            Operation::KmsEncrypt => "Encrypt",
            Operation::KmsDecrypt => "Decrypt",
            Operation::KmsReEncrypt => "ReEncrypt",
        }
    }

    /// The members of the operation's response, as `--result` names them.
    pub fn response_members(self) -> &'static [&'static str] {
        match self {
            Operation::EncryptData | Operation::ReEncryptData => &["CipherText", "KeyArn", "KeyCheckValue"],
            Operation::DecryptData => &["PlainText", "KeyArn", "KeyCheckValue"],
            Operation::KmsEncrypt => &["CiphertextBlob", "KeyId", "EncryptionAlgorithm"],
            Operation::KmsDecrypt => &["Plaintext", "KeyId", "EncryptionAlgorithm"],
            Operation::KmsReEncrypt => &[
                "CiphertextBlob",
                "KeyId",
                "SourceKeyId",
                "SourceEncryptionAlgorithm",
                "DestinationEncryptionAlgorithm",
            ],
        }
    }

    fn kms(self) -> Option<KmsOperation> {
        match self {
            Operation::KmsEncrypt => Some(KmsOperation::Encrypt),
            Operation::KmsDecrypt => Some(KmsOperation::Decrypt),
            Operation::KmsReEncrypt => Some(KmsOperation::ReEncrypt),
            _ => None,
        }
    }
}

impl FromStr for Operation {
    type Err = BatchError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Operation::ALL.into_iter().find(|op| op.command() == s).ok_or_else(|| {
            let names: Vec<&str> = Operation::ALL.iter().map(|op| op.command()).collect();
            BatchError::Job(format!("unknown batch operation {s:?}: one of {}.", names.join(", ")))
        })
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.command())
    }
}

/// `--result COLUMN=Member`: a response member written into a column (replaced, or added at the end).
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct ResultColumn {
    /// The column (CSV) or top-level member (JSON Lines) written.
    pub column: String,
    /// The response member written into it.
    pub member: String,
}

impl FromStr for ResultColumn {
    type Err = BatchError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.split_once('=') {
            Some((column, member)) if !column.is_empty() && !member.is_empty() => {
                Ok(ResultColumn { column: column.to_owned(), member: member.to_owned() })
            }
            _ => {
                Err(BatchError::Job(format!("--result {s:?} must be COLUMN=Member, e.g. track2=CipherText.")))
            }
        }
    }
}

/// A batch job: run `operation` once per record, with `request`'s placeholders taking the record's
/// values, and write `results` into the record.
#[derive(Clone, Debug)]
pub struct Job {
    /// The operation.
    pub operation: Operation,
    /// The request, with `{column}` placeholders.
    pub request: Template,
    /// The response members written back into each record.
    pub results: Vec<ResultColumn>,
    /// The record format.
    pub format: Format,
}

impl Job {
    /// A job, checked: at least one result, each naming a member of the operation's response, no column
    /// written twice, and a request whose member names are the operation's.
    ///
    /// # Errors
    /// [`BatchError::Job`] naming what is wrong.
    pub fn new(
        operation: Operation,
        request: Template,
        results: Vec<ResultColumn>,
        format: Format,
    ) -> Result<Self, BatchError> {
        if results.is_empty() {
            return Err(BatchError::Job(format!(
                "give at least one --result COLUMN=Member (members of {}: {}).",
                operation.aws_name(),
                operation.response_members().join(", ")
            )));
        }
        for (i, r) in results.iter().enumerate() {
            if !operation.response_members().contains(&r.member.as_str()) {
                return Err(BatchError::Job(format!(
                    "--result {}={}: {} is not a member of the {} response ({}).",
                    r.column,
                    r.member,
                    r.member,
                    operation.aws_name(),
                    operation.response_members().join(", ")
                )));
            }
            if results[..i].iter().any(|o| o.column == r.column) {
                return Err(BatchError::Job(format!("--result writes column {} twice.", r.column)));
            }
        }
        check_request_shape(operation, &request)?;
        Ok(Job { operation, request, results, format })
    }

    /// A fingerprint of what the job does (operation, request, results, format): a resumed run must
    /// have the same.
    pub fn fingerprint(&self) -> String {
        let results: Vec<String> =
            self.results.iter().map(|r| format!("{}={}", r.column, r.member)).collect();
        let text = serde_json::json!({
            "Operation": self.operation.command(),
            "Request": self.request.value(),
            "Results": results,
            "Format": self.format.name(),
        })
        .to_string();
        crate::batch::checkpoint::sha256_hex(text.as_bytes())
    }
}

/// Refuses a request whose member names the operation does not have (a misspelled member would
/// otherwise reject every record). Values are not judged here: a placeholder's value is the record's.
fn check_request_shape(operation: Operation, request: &Template) -> Result<(), BatchError> {
    let value = request.value().clone();
    let outcome = match operation {
        Operation::EncryptData => serde_json::from_value::<EncryptDataInput>(value).map(drop),
        Operation::DecryptData => serde_json::from_value::<DecryptDataInput>(value).map(drop),
        Operation::ReEncryptData => serde_json::from_value::<ReEncryptDataInput>(value).map(drop),
        Operation::KmsEncrypt => {
            serde_json::from_value::<crate::service::kms::EncryptRequest>(value).map(drop)
        }
        Operation::KmsDecrypt => {
            serde_json::from_value::<crate::service::kms::DecryptRequest>(value).map(drop)
        }
        Operation::KmsReEncrypt => {
            serde_json::from_value::<crate::service::kms::ReEncryptRequest>(value).map(drop)
        }
    };
    match outcome {
        Err(e)
            if e.to_string().starts_with("unknown field") || e.to_string().starts_with("missing field") =>
        {
            Err(BatchError::Job(format!("--request is not a valid {} request: {e}.", operation.aws_name())))
        }
        _ => Ok(()),
    }
}

/// Where the placeholders' values and the results are in a record: fixed by the header (CSV) or by
/// member names (JSON Lines).
#[derive(Clone, Debug)]
pub(crate) enum Layout {
    /// CSV: the header's width, the field of each placeholder column, and where each result goes.
    Csv { width: usize, sources: Vec<usize>, targets: Vec<Target> },
    /// JSON Lines: members by name.
    Json,
}

/// Where a result goes in a CSV record.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Target {
    /// Replaces field `i`.
    Replace(usize),
    /// A new column at the end.
    Append,
}

impl Layout {
    /// The layout for a CSV header, and the header line to write (with the added result columns).
    ///
    /// # Errors
    /// [`BatchError::Job`] for a header that is not CSV or not UTF-8, a placeholder naming no column, or
    /// a column named twice that the job uses.
    pub(crate) fn csv(job: &Job, header: &[u8]) -> Result<(Layout, Vec<u8>), BatchError> {
        let (body, end) = format::split_line_end(header);
        let mut fields = Vec::new();
        format::csv_fields(body, &mut fields)
            .map_err(|e| BatchError::Job(format!("the header row: {e}.")))?;
        let mut names = Vec::with_capacity(fields.len());
        for (i, range) in fields.iter().enumerate() {
            let raw = format::csv_value(&body[range.clone()]);
            let raw = if i == 0 {
                raw.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&raw).to_vec()
            } else {
                raw.to_vec()
            };
            let name = String::from_utf8(raw)
                .map_err(|_| BatchError::Job(format!("the header row: column {} is not UTF-8.", i + 1)))?;
            names.push(name);
        }
        let find = |name: &str, what: &str| -> Result<Option<usize>, BatchError> {
            let mut at = names.iter().enumerate().filter(|(_, n)| *n == name).map(|(i, _)| i);
            let first = at.next();
            if first.is_some() && at.next().is_some() {
                return Err(BatchError::Job(format!("{what} {name}: the header names column {name} twice.")));
            }
            Ok(first)
        };
        let mut sources = Vec::new();
        for column in job.request.columns() {
            match find(column, "placeholder")? {
                Some(i) => sources.push(i),
                None => {
                    return Err(BatchError::Job(format!(
                        "--request placeholder {{{column}}} names no column; the header has: {}.",
                        names.join(", ")
                    )));
                }
            }
        }
        let mut targets = Vec::new();
        let mut out = body.to_vec();
        for r in &job.results {
            match find(&r.column, "--result")? {
                Some(i) => targets.push(Target::Replace(i)),
                None => {
                    targets.push(Target::Append);
                    out.push(b',');
                    format::csv_write(&mut out, r.column.as_bytes());
                }
            }
        }
        out.extend_from_slice(if end.is_empty() { b"\n" } else { end });
        Ok((Layout::Csv { width: names.len(), sources, targets }, out))
    }
}

/// What became of one record.
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
pub(crate) enum Outcome {
    /// Written to the output.
    Done,
    /// Written to the rejects.
    Rejected,
    /// A blank line: passed through, not a record.
    Blank,
}

/// Why a record was rejected: the AWS exception (or `MalformedRecord`) and its message.
struct Refusal {
    exception: &'static str,
    message: String,
}

impl Refusal {
    fn malformed(message: String) -> Self {
        Refusal { exception: "MalformedRecord", message }
    }
}

/// The service handles a batch calls.
pub struct Services<'a, S> {
    /// AWS Payment Cryptography, for the data-plane operations.
    pub payment: &'a PaymentCryptography<S>,
    /// AWS KMS, for the `kms-*` operations.
    pub kms: &'a Kms<S>,
}

impl<S> Clone for Services<'_, S> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<S> Copy for Services<'_, S> {}

/// One worker's state: a data-plane session (keys resolved once, DUKPT caches) and scratch space.
pub(crate) struct Worker<'a, S> {
    job: &'a Job,
    layout: &'a Layout,
    session: DataSession<'a, S>,
    kms: &'a Kms<S>,
    /// Scratch space kept from record to record: the CSV fields, the request text, the results.
    fields: Vec<std::ops::Range<usize>>,
    request: String,
    results: Vec<String>,
    /// The data-plane request parsed once from the template, its placeholder strings overwritten for
    /// each record; `None` when a placeholder sits where the typed request has no string (then each
    /// record's request is rendered as JSON text and parsed).
    typed: Option<Typed>,
    /// The member path of each placeholder string, for `typed`.
    slot_paths: Vec<Vec<&'a str>>,
}

/// A data-plane request kept typed by a worker.
enum Typed {
    Encrypt(EncryptDataInput),
    Decrypt(DecryptDataInput),
    ReEncrypt(ReEncryptDataInput),
}

impl Typed {
    /// Runs the request on `session` and appends the response's `members` to `results`.
    fn run<'m, S: KeyStore>(
        &self,
        session: &mut DataSession<'_, S>,
        members: impl Iterator<Item = &'m str>,
        results: &mut Vec<String>,
    ) -> Result<(), ServiceError> {
        let (value, arn, kcv, name) = match self {
            Typed::Encrypt(input) => {
                let o = session.encrypt_data(input)?;
                (o.cipher_text, o.key_arn, o.key_check_value, "CipherText")
            }
            Typed::Decrypt(input) => {
                let o = session.decrypt_data(input)?;
                (o.plain_text, o.key_arn, o.key_check_value, "PlainText")
            }
            Typed::ReEncrypt(input) => {
                let o = session.re_encrypt_data(input)?;
                (o.cipher_text, o.key_arn, o.key_check_value, "CipherText")
            }
        };
        let mut out = [(name, value), ("KeyArn", arn), ("KeyCheckValue", kcv)];
        results.extend(members.map(|m| take(&mut out, m)));
        // A plaintext not asked for is not left in freed memory.
        out[0].1.zeroize();
        Ok(())
    }

    /// The request for `job`, if every placeholder is in a string member of the typed request.
    fn of(job: &Job) -> Option<Typed> {
        let value = job.request.value().clone();
        let mut typed = match job.operation {
            Operation::EncryptData => Typed::Encrypt(serde_json::from_value(value).ok()?),
            Operation::DecryptData => Typed::Decrypt(serde_json::from_value(value).ok()?),
            Operation::ReEncryptData => Typed::ReEncrypt(serde_json::from_value(value).ok()?),
            _ => return None,
        };
        for i in 0..job.request.slot_count() {
            typed.string_at(&job.request.slot_path(i)?)?;
        }
        Some(typed)
    }

    /// The string member at `path`.
    fn string_at(&mut self, path: &[&str]) -> Option<&mut String> {
        match (self, path) {
            (Typed::Encrypt(i), ["KeyIdentifier"]) => Some(&mut i.key_identifier),
            (Typed::Encrypt(i), ["PlainText"]) => Some(&mut i.plain_text),
            (Typed::Encrypt(i), ["EncryptionAttributes", rest @ ..]) => attributes_string(
                &mut i.encryption_attributes.symmetric,
                &mut i.encryption_attributes.dukpt,
                rest,
            ),
            (Typed::Decrypt(i), ["KeyIdentifier"]) => Some(&mut i.key_identifier),
            (Typed::Decrypt(i), ["CipherText"]) => Some(&mut i.cipher_text),
            (Typed::Decrypt(i), ["DecryptionAttributes", rest @ ..]) => attributes_string(
                &mut i.decryption_attributes.symmetric,
                &mut i.decryption_attributes.dukpt,
                rest,
            ),
            (Typed::ReEncrypt(i), ["IncomingKeyIdentifier"]) => Some(&mut i.incoming_key_identifier),
            (Typed::ReEncrypt(i), ["OutgoingKeyIdentifier"]) => Some(&mut i.outgoing_key_identifier),
            (Typed::ReEncrypt(i), ["CipherText"]) => Some(&mut i.cipher_text),
            (Typed::ReEncrypt(i), ["IncomingEncryptionAttributes", rest @ ..]) => attributes_string(
                &mut i.incoming_encryption_attributes.symmetric,
                &mut i.incoming_encryption_attributes.dukpt,
                rest,
            ),
            (Typed::ReEncrypt(i), ["OutgoingEncryptionAttributes", rest @ ..]) => attributes_string(
                &mut i.outgoing_encryption_attributes.symmetric,
                &mut i.outgoing_encryption_attributes.dukpt,
                rest,
            ),
            _ => None,
        }
    }
}

/// The string member at `path` inside an attributes union.
fn attributes_string<'a>(
    symmetric: &'a mut Option<crate::service::SymmetricEncryptionAttributes>,
    dukpt: &'a mut Option<crate::service::DukptEncryptionAttributes>,
    path: &[&str],
) -> Option<&'a mut String> {
    match path {
        ["Symmetric", "InitializationVector"] => symmetric.as_mut()?.initialization_vector.as_mut(),
        ["Dukpt", "KeySerialNumber"] => Some(&mut dukpt.as_mut()?.key_serial_number),
        ["Dukpt", "InitializationVector"] => dukpt.as_mut()?.initialization_vector.as_mut(),
        _ => None,
    }
}

impl<'a, S: KeyStore> Worker<'a, S> {
    pub(crate) fn new(job: &'a Job, layout: &'a Layout, services: Services<'a, S>) -> Self {
        Worker {
            job,
            layout,
            session: services.payment.session(),
            kms: services.kms,
            fields: Vec::new(),
            request: String::new(),
            results: Vec::new(),
            typed: Typed::of(job),
            slot_paths: (0..job.request.slot_count())
                .map(|i| job.request.slot_path(i).unwrap_or_default())
                .collect(),
        }
    }

    /// Runs the job on one record (line end included), appending it to `out` or a reject to `rejects`.
    pub(crate) fn record(
        &mut self,
        record: &[u8],
        line: u64,
        out: &mut Vec<u8>,
        rejects: &mut Vec<u8>,
    ) -> Outcome {
        let (body, end) = format::split_line_end(record);
        if format::is_blank(body) {
            out.extend_from_slice(record);
            return Outcome::Blank;
        }
        let start = out.len();
        let done = match self.layout {
            Layout::Csv { width, sources, targets } => self.csv(body, *width, sources, targets, out),
            Layout::Json => self.json(body, out),
        };
        match done {
            Ok(()) => {
                out.extend_from_slice(end);
                Outcome::Done
            }
            Err(refusal) => {
                out.truncate(start);
                write_reject(rejects, line, body, &refusal);
                Outcome::Rejected
            }
        }
    }

    fn csv(
        &mut self,
        body: &[u8],
        width: usize,
        sources: &[usize],
        targets: &[Target],
        out: &mut Vec<u8>,
    ) -> Result<(), Refusal> {
        let mut fields = std::mem::take(&mut self.fields);
        let done = self.csv_fields(body, width, sources, targets, &mut fields, out);
        self.fields = fields;
        done
    }

    fn csv_fields(
        &mut self,
        body: &[u8],
        width: usize,
        sources: &[usize],
        targets: &[Target],
        fields: &mut Vec<std::ops::Range<usize>>,
        out: &mut Vec<u8>,
    ) -> Result<(), Refusal> {
        format::csv_fields(body, fields).map_err(Refusal::malformed)?;
        if fields.len() != width {
            return Err(Refusal::malformed(format!(
                "the record has {} fields; the header has {width}",
                fields.len()
            )));
        }
        let mut values: Vec<Cow<'_, str>> = Vec::with_capacity(sources.len());
        for (&i, name) in sources.iter().zip(self.job.request.columns()) {
            let raw = fields.get(i).map(|r| &body[r.clone()]).unwrap_or_default();
            values.push(utf8(format::csv_value(raw), name)?);
        }
        self.call(&values)?;
        let results = &self.results;
        for (i, range) in fields.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            match targets.iter().position(|t| matches!(t, Target::Replace(j) if *j == i)) {
                Some(r) => format::csv_write(out, results[r].as_bytes()),
                None => out.extend_from_slice(&body[range.clone()]),
            }
        }
        for (t, value) in targets.iter().zip(results) {
            if matches!(t, Target::Append) {
                out.push(b',');
                format::csv_write(out, value.as_bytes());
            }
        }
        Ok(())
    }

    fn json(&mut self, body: &[u8], out: &mut Vec<u8>) -> Result<(), Refusal> {
        let members = Members::parse(body).map_err(Refusal::malformed)?;
        let mut values: Vec<Cow<'_, str>> = Vec::with_capacity(self.job.request.columns().len());
        for name in self.job.request.columns() {
            let raw = members
                .0
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| *v)
                .ok_or_else(|| Refusal::malformed(format!("the record has no member {name}")))?;
            values
                .push(format::json_value(raw).map_err(|e| Refusal::malformed(format!("member {name} {e}")))?);
        }
        self.call(&values)?;
        let results = &self.results;
        out.push(b'{');
        let mut first = true;
        let mut comma = |out: &mut Vec<u8>| {
            if !first {
                out.push(b',');
            }
            first = false;
        };
        for (name, raw) in &members.0 {
            comma(out);
            json_string(out, name);
            out.push(b':');
            match self.job.results.iter().position(|r| r.column == *name) {
                Some(r) => json_string(out, &results[r]),
                None => out.extend_from_slice(raw.get().as_bytes()),
            }
        }
        for (r, value) in self.job.results.iter().zip(results) {
            if !members.0.iter().any(|(n, _)| *n == r.column) {
                comma(out);
                json_string(out, &r.column);
                out.push(b':');
                json_string(out, value);
            }
        }
        out.push(b'}');
        Ok(())
    }

    /// The service call for one record's values; the results in `--result` order, in `self.results`.
    fn call(&mut self, values: &[Cow<'_, str>]) -> Result<(), Refusal> {
        let values: Vec<&str> = values.iter().map(AsRef::as_ref).collect();
        let data = |e: ServiceError| Refusal { exception: e.exception(Plane::Data), message: e.to_string() };
        let results = &mut self.results;
        results.clear();
        let members = self.job.results.iter().map(|r| r.member.as_str());
        if let Some(typed) = &mut self.typed {
            let template = &self.job.request;
            for (i, path) in self.slot_paths.iter().enumerate() {
                if let Some(s) = typed.string_at(path) {
                    template.fill_slot(i, &values, s);
                }
            }
            return typed.run(&mut self.session, members, results).map_err(data);
        }
        self.job.request.render_text(&values, &mut self.request);
        let request = self.request.as_str();
        match self.job.operation {
            Operation::EncryptData | Operation::DecryptData | Operation::ReEncryptData => {
                let typed = match self.job.operation {
                    Operation::EncryptData => Typed::Encrypt(parse(request).map_err(data)?),
                    Operation::DecryptData => Typed::Decrypt(parse(request).map_err(data)?),
                    _ => Typed::ReEncrypt(parse(request).map_err(data)?),
                };
                typed.run(&mut self.session, members, results).map_err(data)?;
            }
            Operation::KmsEncrypt | Operation::KmsDecrypt | Operation::KmsReEncrypt => {
                let op = self
                    .job
                    .operation
                    .kms()
                    .ok_or_else(|| Refusal::malformed("not a KMS operation".into()))?;
                let kms_error = |e: KmsError| Refusal { exception: e.exception(), message: e.to_string() };
                let body: Value = serde_json::from_str(request).map_err(|e| {
                    kms_error(KmsError::Validation(format!("Invalid request: {}.", without_position(&e))))
                })?;
                let out = self.kms.dispatch(op, body).map_err(kms_error)?;
                results.extend(members.map(|m| match out.get(m) {
                    Some(Value::String(s)) => s.clone(),
                    Some(Value::Null) | None => String::new(),
                    Some(other) => other.to_string(),
                }));
            }
        }
        Ok(())
    }
}

/// Parses a rendered request into the operation's input, failing as the service's dispatch does for a
/// body that does not fit the shape.
fn parse<T: serde::de::DeserializeOwned>(request: &str) -> Result<T, ServiceError> {
    serde_json::from_str(request)
        .map_err(|e| ServiceError::validation(format!("Invalid request: {}.", without_position(&e))))
}

/// serde_json's message without " at line 1 column N": the position is in the rendered request, which
/// the user never sees.
fn without_position(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.rsplit_once(" at line ") {
        Some((message, _)) => message.to_owned(),
        None => text,
    }
}

/// Moves the member `name` out of a response's members (empty if it is not there).
fn take(members: &mut [(&'static str, String)], name: &str) -> String {
    members.iter_mut().find(|(n, _)| *n == name).map(|(_, v)| std::mem::take(v)).unwrap_or_default()
}

fn utf8<'v>(value: Cow<'v, [u8]>, column: &str) -> Result<Cow<'v, str>, Refusal> {
    let bad = || Refusal::malformed(format!("column {column} is not UTF-8"));
    match value {
        Cow::Borrowed(b) => std::str::from_utf8(b).map(Cow::Borrowed).map_err(|_| bad()),
        Cow::Owned(v) => String::from_utf8(v).map(Cow::Owned).map_err(|_| bad()),
    }
}

fn json_string(out: &mut Vec<u8>, s: &str) {
    // Writing a string into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, s);
}

/// One reject line: `{"Line":N,"Record":"…","Exception":"…","Message":"…"}` (`RecordBase64` instead of
/// `Record` when the record is not UTF-8).
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Reject<'r> {
    line: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    record: Option<&'r str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    record_base64: Option<String>,
    exception: &'r str,
    message: &'r str,
}

fn write_reject(rejects: &mut Vec<u8>, line: u64, body: &[u8], refusal: &Refusal) {
    let text = std::str::from_utf8(body).ok();
    let reject = Reject {
        line,
        record: text,
        record_base64: match text {
            Some(_) => None,
            None => Some(<base64ct::Base64 as base64ct::Encoding>::encode_string(body)),
        },
        exception: refusal.exception,
        message: &refusal.message,
    };
    let _ = serde_json::to_writer(&mut *rejects, &reject);
    rejects.push(b'\n');
}
