//! Fault injection: rules that answer matching requests with an AWS error or slow them down, so a
//! team can test its error paths ("key unavailable", "dependency timeout", throttling).
//!
//! ```json
//! {"Seed": 7,
//!  "Rules": [
//!    {"Operation": "Encrypt", "KeyId": "alias/app", "Error": "KeyUnavailableException", "Every": 3},
//!    {"Operation": "EncryptData", "LatencyMs": 250, "Probability": 0.5},
//!    {"Error": "ThrottlingException", "Message": "Rate exceeded", "Probability": 0.01}]}
//! ```
//!
//! A rule matches a request when its `Operation` (AWS's name, or absent for any) and its `KeyId` (the
//! identifier exactly as the request names it, or the key ARN it resolves to; absent for any) match.
//! Of the matching calls it fires on every `Every`-th one (the N-th, 2N-th, …), or with `Probability`
//! drawn from a generator seeded with `Seed` (the same sequence on every run), or on every one. A
//! firing rule first waits `LatencyMs`, then answers with `Error` if it has one. The first rule with an
//! `Error` that fires ends the request; latencies of several firing rules add up.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use serde::Deserialize;
use thiserror::Error;

use crate::server::route::Api;
use crate::service::kms::KmsError;

/// A fault file as it is written.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct FaultFile {
    /// The seed of the generator behind `Probability` (default 0).
    #[serde(default)]
    pub seed: u64,
    /// The rules, tried in order.
    pub rules: Vec<FaultRule>,
}

/// One rule of a fault file.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct FaultRule {
    /// The operation, e.g. `Encrypt` or `EncryptData`; absent for any.
    #[serde(default)]
    pub operation: Option<String>,
    /// The key identifier as the request names it, or the ARN it resolves to; absent for any.
    #[serde(default)]
    pub key_id: Option<String>,
    /// The AWS exception to answer with, e.g. `ThrottlingException`.
    #[serde(default)]
    pub error: Option<String>,
    /// The error's message (default: AWS's usual sentence for it).
    #[serde(default)]
    pub message: Option<String>,
    /// The HTTP status (default: the one AWS sends for this exception on this API).
    #[serde(default)]
    pub status: Option<u16>,
    /// Milliseconds to wait before answering.
    #[serde(default)]
    pub latency_ms: Option<u64>,
    /// Fire on every N-th matching call.
    #[serde(default)]
    pub every: Option<u64>,
    /// Fire with this probability (0 to 1).
    #[serde(default)]
    pub probability: Option<f64>,
}

/// A fault file that cannot be used.
#[derive(Debug, Error)]
#[error("fault rule {rule}: {message}")]
pub struct FaultFileError {
    /// The rule's position, from 1.
    pub rule: usize,
    /// What is wrong.
    pub message: String,
}

/// The loaded rules with their counters and generator.
#[derive(Debug)]
pub struct Faults {
    rules: Vec<(FaultRule, AtomicU64)>,
    rng: Mutex<u64>,
    seed: u64,
}

/// What the rules decided for one request.
#[derive(Clone, Debug, Default, Eq, PartialEq)]
pub struct Verdict {
    /// Total added latency in milliseconds.
    pub latency_ms: u64,
    /// An error to answer with.
    pub error: Option<InjectedError>,
}

/// An injected AWS error.
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct InjectedError {
    /// The exception name.
    pub exception: String,
    /// The HTTP status.
    pub status: u16,
    /// The message.
    pub message: String,
}

impl Faults {
    /// Checks and loads the rules of `file`.
    ///
    /// # Errors
    /// [`FaultFileError`] for a rule that does nothing, an `Every` of 0, a probability outside 0..=1,
    /// both `Every` and `Probability`, or a status outside 400..=599.
    pub fn new(file: FaultFile) -> Result<Self, FaultFileError> {
        for (i, rule) in file.rules.iter().enumerate() {
            let fail = |message: &str| Err(FaultFileError { rule: i + 1, message: message.to_owned() });
            if rule.error.is_none() && rule.latency_ms.is_none() {
                return fail("give Error, LatencyMs or both");
            }
            if rule.every == Some(0) {
                return fail("Every must be at least 1");
            }
            if rule.probability.is_some_and(|p| !(0.0..=1.0).contains(&p)) {
                return fail("Probability must be between 0 and 1");
            }
            if rule.every.is_some() && rule.probability.is_some() {
                return fail("give Every or Probability, not both");
            }
            if rule.status.is_some_and(|s| !(400..=599).contains(&s)) {
                return fail("Status must be an HTTP error status (400-599)");
            }
            if rule
                .error
                .as_deref()
                .is_some_and(|e| e.is_empty() || !e.chars().all(|c| c.is_ascii_alphanumeric()))
            {
                return fail("Error must be an exception name such as ThrottlingException");
            }
        }
        Ok(Faults {
            rules: file.rules.into_iter().map(|r| (r, AtomicU64::new(0))).collect(),
            rng: Mutex::new(file.seed),
            seed: file.seed,
        })
    }

    /// Parses and loads a fault file's JSON text.
    ///
    /// # Errors
    /// [`FaultFileError`] (rule 0 for JSON that does not parse).
    pub fn from_json(text: &str) -> Result<Self, FaultFileError> {
        let file: FaultFile =
            serde_json::from_str(text).map_err(|e| FaultFileError { rule: 0, message: e.to_string() })?;
        Self::new(file)
    }

    /// Restarts every counter and the generator, as at load time.
    pub fn reset(&self) {
        for (_, count) in &self.rules {
            count.store(0, Ordering::Relaxed);
        }
        if let Ok(mut state) = self.rng.lock() {
            *state = self.seed;
        }
    }

    /// Applies the rules to a call of `operation` on `api`, naming its key by `keys` (the identifier
    /// as given and, where known, the ARN it resolves to). `resolve` follows a rule's `KeyId` (an
    /// alias, say) to a key ARN, so a rule written with an alias matches a request naming the ARN.
    pub fn check(
        &self,
        api: Api,
        operation: &str,
        keys: &[&str],
        resolve: &dyn Fn(&str) -> Option<String>,
    ) -> Verdict {
        let mut verdict = Verdict::default();
        for (rule, count) in &self.rules {
            if rule.operation.as_deref().is_some_and(|op| op != operation) {
                continue;
            }
            if let Some(k) = rule.key_id.as_deref() {
                let matches = keys.contains(&k)
                    || (!keys.is_empty() && resolve(k).is_some_and(|arn| keys.contains(&arn.as_str())));
                if !matches {
                    continue;
                }
            }
            let n = count.fetch_add(1, Ordering::Relaxed) + 1;
            let fires = match (rule.every, rule.probability) {
                (Some(every), _) => n % every == 0,
                (None, Some(p)) => self.draw() < p,
                (None, None) => true,
            };
            if !fires {
                continue;
            }
            verdict.latency_ms = verdict.latency_ms.saturating_add(rule.latency_ms.unwrap_or(0));
            if let Some(exception) = &rule.error {
                let (status, default_message) = known_error(api, exception);
                verdict.error = Some(InjectedError {
                    exception: exception.clone(),
                    status: rule.status.unwrap_or(status),
                    message: rule.message.clone().unwrap_or_else(|| default_message.to_owned()),
                });
                break;
            }
        }
        verdict
    }

    /// The next number in [0, 1) of a SplitMix64 sequence.
    fn draw(&self) -> f64 {
        let mut state = match self.rng.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = *state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        #[allow(clippy::cast_precision_loss)]
        let x = (z >> 11) as f64 / (1u64 << 53) as f64;
        x
    }
}

/// AWS's HTTP status and usual message for an exception on `api`. KMS exceptions take the status
/// the KMS service itself gives them ([`KmsError::http_status`]), so an injected error looks like a
/// real one.
fn known_error(api: Api, exception: &str) -> (u16, &'static str) {
    let message = match exception {
        "ThrottlingException" => "Rate exceeded",
        "InternalServerException" | "KMSInternalException" => {
            "The service encountered an internal error. Try your request again."
        }
        "ServiceUnavailableException" => "The service is unavailable. Try your request again later.",
        "KeyUnavailableException" => {
            "The request was rejected because the specified KMS key was not available. You can retry the request."
        }
        "DependencyTimeoutException" => {
            "The system timed out while trying to fulfill the request. You can retry the request."
        }
        "AccessDeniedException" => "Access denied.",
        _ => "Injected fault.",
    };
    let kms_status = match api {
        Api::Kms => KmsError::injected(exception, String::new()).map(|e| e.http_status()),
        Api::Data | Api::Control => None,
    };
    let status = kms_status.unwrap_or(match (exception, api) {
        ("ThrottlingException", Api::Data) => 429,
        ("AccessDeniedException", _) => 403,
        ("InternalServerException" | "KMSInternalException" | "KeyUnavailableException", _) => 500,
        ("ServiceUnavailableException" | "DependencyTimeoutException", _) => 503,
        _ if exception.ends_with("Fault") => 500,
        _ => 400,
    });
    (status, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn none(_: &str) -> Option<String> {
        None
    }

    fn faults(json: &str) -> Faults {
        Faults::from_json(json).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn every_nth_matching_call() {
        let f = faults(
            r#"{"Rules":[{"Operation":"Encrypt","KeyId":"alias/a","Error":"KeyUnavailableException","Every":3}]}"#,
        );
        let fired: Vec<bool> =
            (0..6).map(|_| f.check(Api::Kms, "Encrypt", &["alias/a"], &none).error.is_some()).collect();
        assert_eq!(fired, [false, false, true, false, false, true]);
        // Other operations and keys neither fire nor count.
        assert!(f.check(Api::Kms, "Decrypt", &["alias/a"], &none).error.is_none());
        assert!(f.check(Api::Kms, "Encrypt", &["alias/b"], &none).error.is_none());
        let e = (0..3).filter_map(|_| f.check(Api::Kms, "Encrypt", &["alias/a"], &none).error).next();
        assert_eq!(e.map(|e| (e.exception, e.status)), Some(("KeyUnavailableException".into(), 500)));
        // A rule's alias matches a request that names the key by its ARN.
        let f = faults(r#"{"Rules":[{"KeyId":"alias/a","Error":"DependencyTimeoutException"}]}"#);
        let resolve = |k: &str| (k == "alias/a").then(|| "arn:k".to_owned());
        assert!(f.check(Api::Kms, "Decrypt", &["arn:k"], &resolve).error.is_some());
        assert!(f.check(Api::Kms, "Decrypt", &["arn:other"], &resolve).error.is_none());
        assert!(f.check(Api::Kms, "Decrypt", &[], &resolve).error.is_none());
    }

    #[test]
    fn probability_is_reproducible_and_near_its_rate() {
        let json = r#"{"Seed":42,"Rules":[{"Error":"ThrottlingException","Probability":0.25}]}"#;
        let run = |f: &Faults| -> Vec<bool> {
            (0..4000).map(|_| f.check(Api::Data, "EncryptData", &[], &none).error.is_some()).collect()
        };
        let f = faults(json);
        let first = run(&f);
        f.reset();
        assert_eq!(first, run(&f));
        assert_eq!(first, run(&faults(json)));
        let hits = first.iter().filter(|b| **b).count();
        assert!((800..1200).contains(&hits), "{hits}");
        assert_eq!(f.check(Api::Data, "X", &[], &none).error.map(|e| e.status).unwrap_or(429), 429);
    }

    #[test]
    fn kms_errors_take_the_status_kms_gives_them() {
        assert_eq!(known_error(Api::Kms, "DisabledException").0, 409);
        assert_eq!(known_error(Api::Kms, "NotFoundException").0, 404);
        assert_eq!(known_error(Api::Kms, "DependencyTimeoutException").0, 503);
        assert_eq!(known_error(Api::Kms, "KeyUnavailableException").0, 500);
        assert_eq!(known_error(Api::Data, "ThrottlingException").0, 429);
        assert_eq!(known_error(Api::Control, "ThrottlingException").0, 400);
        assert_eq!(known_error(Api::Data, "AccessDeniedException").0, 403);
    }

    #[test]
    fn latency_adds_up_and_bad_rules_are_refused() {
        let f = faults(r#"{"Rules":[{"LatencyMs":5},{"LatencyMs":7,"Error":"DependencyTimeoutException"}]}"#);
        let v = f.check(Api::Kms, "Encrypt", &[], &none);
        assert_eq!(v.latency_ms, 12);
        assert_eq!(v.error.map(|e| e.status), Some(503));
        for bad in [
            r#"{"Rules":[{"Operation":"X"}]}"#,
            r#"{"Rules":[{"Error":"ThrottlingException","Every":0}]}"#,
            r#"{"Rules":[{"Error":"ThrottlingException","Probability":1.5}]}"#,
            r#"{"Rules":[{"Error":"ThrottlingException","Every":2,"Probability":0.5}]}"#,
            r#"{"Rules":[{"Error":"Bad Name"}]}"#,
            r#"{"Rules":[{"Error":"X","Status":200}]}"#,
            r#"{"Rules":[{"Eror":"X"}]}"#,
        ] {
            assert!(Faults::from_json(bad).is_err(), "{bad}");
        }
    }
}
