//! What the AWS-mirroring commands share: where they run (the key store or an endpoint), the request
//! body (flags, `--cli-input-json`, JSON and `file://` parameters), pagination, and printing.

use std::process::ExitCode;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use paycrypt::keys::{AccountId, FileStore, OpenOptions, Region, default_data_dir};
use paycrypt::service::kms::Kms;
use paycrypt::service::{PaymentCryptography, Settings};

use crate::cli::CliError;
use crate::cli::failure::{Failure, finish, is_data_plane};
use crate::cli::global::GlobalArgs;
use crate::cli::output::{self, Api, Response};
use crate::cli::remote::{EndpointOptions, Remote, Wire};

/// Where an AWS-mirroring command runs: on the key store, or at a remote endpoint.
pub(crate) enum Backend {
    /// The payment-cryptography service over the key store on this machine.
    Local(Box<PaymentCryptography<FileStore>>),
    /// KMS over the key store on this machine.
    LocalKms(Box<Kms<FileStore>>),
    /// A running server.
    Remote(Box<Remote>),
}

impl Backend {
    /// The payment-cryptography backend that the global options name: the endpoint of
    /// `--endpoint-url`, else the key store.
    pub(crate) fn payment_cryptography(g: &GlobalArgs) -> Result<Self, Failure> {
        Self::remote_or(g, |store, settings| {
            Backend::Local(Box::new(PaymentCryptography::new(store, settings)))
        })
    }

    /// The KMS backend that the global options name.
    pub(crate) fn kms(g: &GlobalArgs) -> Result<Self, Failure> {
        Self::remote_or(g, |store, settings| Backend::LocalKms(Box::new(Kms::new(store, settings))))
    }

    /// The endpoint of `--endpoint-url`, else `local` over the key store.
    fn remote_or(g: &GlobalArgs, local: impl FnOnce(FileStore, Settings) -> Self) -> Result<Self, Failure> {
        match remote(g)? {
            Some(remote) => Ok(Backend::Remote(Box::new(remote))),
            None => {
                let (store, settings) = open_store(g)?;
                Ok(local(store, settings))
            }
        }
    }

    /// Runs the AWS operation `operation` with `input`, returning its JSON output.
    pub(crate) fn call<I: Serialize>(&self, operation: &str, input: &I) -> Result<Value, Failure> {
        let body = to_json(input)?;
        match self {
            Backend::Local(svc) => match svc.call(operation, body) {
                Some(result) => Ok(result?),
                None => Err(Failure::Local(CliError::new(format!("{operation} is not an operation")))),
            },
            Backend::LocalKms(kms) => match kms.call(operation, body) {
                Some(result) => Ok(result?),
                None => Err(Failure::Local(CliError::new(format!("{operation} is not a KMS operation")))),
            },
            Backend::Remote(remote) => {
                let wire = if is_data_plane(operation) { Wire::Data } else { Wire::Control };
                remote.call(wire, operation, body)
            }
        }
    }

    /// Runs a KMS operation (remotely on the KMS protocol).
    pub(crate) fn call_kms(&self, operation: &str, body: Value) -> Result<Value, Failure> {
        match self {
            Backend::Remote(remote) => remote.call(Wire::Kms, operation, body),
            local => local.call(operation, &body),
        }
    }

    /// Runs one of paycrypt's own operations (`import-key` with clear material, `seed`): locally
    /// through `local`, remotely on `POST /_paycrypt/<route>`.
    pub(crate) fn extension<I: Serialize, O: Serialize>(
        &self,
        route: &str,
        input: &I,
        local: impl FnOnce(&PaymentCryptography<FileStore>) -> Result<O, Failure>,
    ) -> Result<Value, Failure> {
        match self {
            Backend::Local(svc) => to_json(&local(svc)?),
            Backend::LocalKms(_) => {
                Err(Failure::Local(CliError::new(format!("{route} is not a KMS operation"))))
            }
            Backend::Remote(remote) => remote.call(Wire::Extension, route, to_json(input)?),
        }
    }
}

/// One AWS operation from the command line: its request built from the flags (and
/// `--cli-input-json`), sent to the backend, its response printed.
pub(crate) struct Call<'a> {
    /// The global options.
    pub(crate) globals: &'a GlobalArgs,
    /// The AWS operation, e.g. `EncryptData`.
    pub(crate) operation: &'static str,
    /// The members the request must have.
    pub(crate) required: &'static [&'static str],
}

impl Call<'_> {
    /// Runs a payment-cryptography operation with the request that `build` makes from the flags.
    pub(crate) fn run(self, build: impl FnOnce() -> Result<Value, Failure>) -> ExitCode {
        let operation = self.operation;
        finish(
            operation,
            (|| {
                let body = self.request(build()?)?;
                let out = Backend::payment_cryptography(self.globals)?.call(operation, &body)?;
                print(self.globals, Api::PaymentCryptography, operation, out)
            })(),
        )
    }

    /// The request: the flags' members, then `--cli-input-json`'s for those not given, checked for
    /// the required ones.
    pub(crate) fn request(&self, flags: Value) -> Result<Value, Failure> {
        let mut body = match flags {
            Value::Object(map) => map,
            _ => Map::new(),
        };
        body.retain(|_, v| !v.is_null());
        if let Some(input) = &self.globals.cli_input_json {
            let text = param_file("--cli-input-json", input)?;
            let given: Map<String, Value> = serde_json::from_str(&text).map_err(|e| Failure::Parameter {
                flag: "--cli-input-json",
                message: format!("Invalid JSON received: {e}"),
            })?;
            for (name, value) in given {
                body.entry(name).or_insert(value);
            }
        }
        let missing: Vec<&'static str> =
            self.required.iter().copied().filter(|m| !body.contains_key(*m)).collect();
        if !missing.is_empty() {
            return Err(Failure::Missing { members: missing });
        }
        Ok(Value::Object(body))
    }
}

/// A request body under construction: members in AWS's names, absent ones left out.
pub(crate) struct Body(Map<String, Value>);

impl Body {
    /// An empty body.
    pub(crate) fn new() -> Self {
        Body(Map::new())
    }

    /// Sets member `name`.
    pub(crate) fn set(mut self, name: &str, value: impl Into<Value>) -> Self {
        self.0.insert(name.to_owned(), value.into());
        self
    }

    /// Sets member `name` if `value` is given.
    pub(crate) fn opt(self, name: &str, value: Option<impl Into<Value>>) -> Self {
        match value {
            Some(v) => self.set(name, v),
            None => self,
        }
    }

    /// Sets `GrantTokens` if any are given.
    pub(crate) fn tokens(self, tokens: Vec<String>) -> Self {
        if tokens.is_empty() { self } else { self.set("GrantTokens", tokens) }
    }

    /// The body as JSON.
    pub(crate) fn done(self) -> Value {
        Value::Object(self.0)
    }
}

/// The endpoint of `--endpoint-url`, if given.
pub(crate) fn remote(g: &GlobalArgs) -> Result<Option<Remote>, Failure> {
    g.endpoint_url
        .as_ref()
        .map(|url| {
            Remote::new(&EndpointOptions {
                url: url.clone(),
                ca_bundle: g.ca_bundle.clone(),
                client_cert: g.client_cert.clone(),
                client_key: g.client_key.clone(),
                profile: g.profile.clone(),
                region: g.region.clone(),
            })
        })
        .transpose()
}

pub(crate) fn open_store(g: &GlobalArgs) -> Result<(FileStore, Settings), Failure> {
    let region = Region::parse(&g.region)
        .map_err(|e| Failure::Parameter { flag: "--region", message: e.to_string() })?;
    let account = AccountId::parse(&g.account_id)
        .map_err(|e| Failure::Parameter { flag: "--account-id", message: e.to_string() })?;
    let dir = g.data_dir.clone().unwrap_or_else(default_data_dir);
    let mut options = OpenOptions::default();
    if let Some(secs) = std::env::var("PAYCRYPT_LOCK_TIMEOUT").ok().and_then(|s| s.parse::<f64>().ok()) {
        options.wait = std::time::Duration::try_from_secs_f64(secs).unwrap_or(options.wait);
    }
    let store = FileStore::open(&dir, &options).map_err(|e| {
        let hint = if matches!(e, paycrypt::keys::StoreError::Locked { .. }) {
            "if `paycrypt serve` holds this store, send the command to it instead: \
             --endpoint-url http://127.0.0.1:8080 (its ready line gives the address)"
        } else {
            "choose another store with --data-dir or PAYCRYPT_DATA_DIR"
        };
        Failure::Local(
            CliError::new(format!("cannot open the key store in {}: {e}", dir.display())).hint(hint),
        )
    })?;
    Ok((store, Settings { region, account }))
}

/// The text of a parameter that the AWS CLI lets come from a file: `file://PATH` reads it, anything
/// else is the value itself.
pub(crate) fn param_file(flag: &'static str, value: &str) -> Result<String, Failure> {
    match value.strip_prefix("file://") {
        Some(path) => std::fs::read_to_string(path).map_err(|e| Failure::Parameter {
            flag,
            message: format!("Unable to load paramfile {value}: {e}"),
        }),
        None => Ok(value.to_owned()),
    }
}

/// The bytes of a parameter that the AWS CLI lets come from a binary file: `fileb://PATH`.
pub(crate) fn param_fileb(flag: &'static str, value: &str) -> Result<Option<Vec<u8>>, Failure> {
    value
        .strip_prefix("fileb://")
        .map(|path| {
            std::fs::read(path).map_err(|e| Failure::Parameter {
                flag,
                message: format!("Unable to load paramfile {value}: {e}"),
            })
        })
        .transpose()
}

/// Parses a structure parameter given as JSON, or as `file://PATH` holding JSON (as the AWS CLI).
pub(crate) fn json_arg<T: DeserializeOwned>(flag: &'static str, value: &str) -> Result<T, Failure> {
    serde_json::from_str(&param_file(flag, value)?)
        .map_err(|e| Failure::Parameter { flag, message: format!("Invalid JSON: {e}") })
}

/// A structure parameter (JSON or `file://`), checked against its shape `T`, as JSON for the body.
pub(crate) fn shaped_arg<T: DeserializeOwned + Serialize>(
    flag: &'static str,
    value: Option<&str>,
) -> Result<Option<Value>, Failure> {
    value.map(|v| to_json(&json_arg::<T>(flag, v)?)).transpose()
}

/// A scalar parameter that the AWS CLI lets come from a file (`file://PATH`).
pub(crate) fn text_arg(flag: &'static str, value: Option<String>) -> Result<Option<String>, Failure> {
    value.map(|v| param_file(flag, &v)).transpose()
}

fn to_json<T: Serialize>(value: &T) -> Result<Value, Failure> {
    serde_json::to_value(value).map_err(|e| Failure::Local(CliError::new(format!("cannot write JSON: {e}"))))
}

/// Prints a response of `operation` as the AWS CLI does, with `--query` and `--output`.
pub(crate) fn print(g: &GlobalArgs, api: Api, operation: &str, mut value: Value) -> Result<(), Failure> {
    iso_timestamps(&mut value);
    output::print(api, operation, Response::One(value), g.output, g.query.as_deref())
}

/// How a list operation pages: its token members and the list it returns.
pub(crate) struct Paging {
    /// The request member carrying the previous page's token (`NextToken`, `Marker`).
    pub(crate) input_token: &'static str,
    /// The response member carrying the next page's token (`NextToken`, `NextMarker`).
    pub(crate) output_token: &'static str,
    /// The request member limiting a page (`MaxResults`, `Limit`).
    pub(crate) limit: &'static str,
    /// The response member holding the results (`Keys`, `Aliases`, `Grants`).
    pub(crate) result: &'static str,
}

/// Runs a list operation as the AWS CLI does: every page, merged into one list, unless the request
/// names a page (its token or limit member) or `--no-paginate` asks for one; then prints it.
/// `--page-size` sets the limit of each page while still reading them all.
pub(crate) fn paginate(
    g: &GlobalArgs,
    api: Api,
    operation: &str,
    paging: &Paging,
    mut request: Value,
    page: impl FnMut(&Value) -> Result<Value, Failure>,
) -> Result<(), Failure> {
    let names_a_page = [paging.input_token, paging.limit].iter().any(|m| request.get(*m).is_some());
    let response = if g.no_paginate || names_a_page {
        let mut page = page;
        let mut value = page(&request)?;
        iso_timestamps(&mut value);
        Response::One(value)
    } else {
        if let (Some(size), Value::Object(map)) = (g.page_size, &mut request) {
            map.insert(paging.limit.to_owned(), Value::from(size));
        }
        every_page(paging, request, page)?
    };
    output::print(api, operation, response, g.output, g.query.as_deref())
}

/// Reads every page of a list operation, from `request` on, following its tokens.
fn every_page(
    paging: &Paging,
    mut request: Value,
    mut page: impl FnMut(&Value) -> Result<Value, Failure>,
) -> Result<Response, Failure> {
    let mut pages = Vec::new();
    let mut results = Vec::new();
    let mut previous: Option<String> = None;
    loop {
        let mut response = page(&request)?;
        iso_timestamps(&mut response);
        let items = response.get(paging.result).cloned().unwrap_or(Value::Null);
        if let Value::Array(list) = &items {
            results.extend(list.iter().cloned());
        }
        let mut only = Map::new();
        only.insert(paging.result.to_owned(), items);
        pages.push(Value::Object(only));
        let token = match response.get(paging.output_token).and_then(Value::as_str) {
            Some(token) if !token.is_empty() => token.to_owned(),
            _ => break,
        };
        if previous.as_deref() == Some(token.as_str()) {
            return Err(Failure::Local(CliError::new(format!(
                "the same {} was received twice: {token}",
                paging.output_token
            ))));
        }
        if let Value::Object(map) = &mut request {
            map.insert(paging.input_token.to_owned(), Value::String(token.clone()));
        }
        previous = Some(token);
    }
    let mut merged = Map::new();
    merged.insert(paging.result.to_owned(), Value::Array(results));
    Ok(Response::Pages { pages, merged: Value::Object(merged) })
}

/// Rewrites every number member named `…Timestamp` or `…Date` as the AWS CLI prints timestamps.
pub(crate) fn iso_timestamps(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (name, v) in map.iter_mut() {
                match v.as_f64() {
                    Some(secs) if name.ends_with("Timestamp") || name.ends_with("Date") => {
                        #[allow(clippy::cast_possible_truncation)]
                        let millis = (secs * 1000.0).round() as i64;
                        *v = Value::String(paycrypt::keys::Timestamp(millis).to_iso8601());
                    }
                    _ => iso_timestamps(v),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(iso_timestamps),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const PAGING: Paging =
        Paging { input_token: "NextToken", output_token: "NextToken", limit: "MaxResults", result: "Keys" };

    #[test]
    fn every_page_follows_the_tokens_and_merges_the_lists() {
        let mut asked = Vec::new();
        let pages = every_page(&PAGING, json!({"KeyState": "CREATE_COMPLETE"}), |request| {
            asked.push(request.clone());
            Ok(match request.get("NextToken").and_then(Value::as_str) {
                None => json!({"Keys": [{"K": 1}, {"K": 2}], "NextToken": "a"}),
                Some("a") => json!({"Keys": [{"K": 3}], "NextToken": "b"}),
                Some(_) => json!({"Keys": []}),
            })
        });
        let Ok(Response::Pages { pages, merged }) = pages else { panic!("not pages") };
        assert_eq!(merged, json!({"Keys": [{"K": 1}, {"K": 2}, {"K": 3}]}));
        assert_eq!(
            pages,
            vec![json!({"Keys": [{"K": 1}, {"K": 2}]}), json!({"Keys": [{"K": 3}]}), json!({"Keys": []})]
        );
        assert_eq!(asked[2], json!({"KeyState": "CREATE_COMPLETE", "NextToken": "b"}));
    }

    #[test]
    fn a_token_received_twice_stops_the_loop() {
        let pages = every_page(&PAGING, json!({}), |_| Ok(json!({"Keys": [], "NextToken": "same"})));
        assert!(pages.is_err());
    }
}
