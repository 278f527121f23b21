//! The AWS shared credentials file (`~/.aws/credentials`): INI sections, one per profile, holding
//! `aws_access_key_id`, `aws_secret_access_key` and optionally `aws_session_token`.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use thiserror::Error;
use zeroize::Zeroizing;

use super::sign::Credentials;

/// Where [`verify`](super::verify) finds the secret access key of an access key id.
pub trait CredentialLookup {
    /// The secret access key of `access_key_id`, or `None` when the id is unknown.
    fn secret(&self, access_key_id: &str) -> Option<Zeroizing<String>>;
}

/// The credentials of an AWS credentials file, by profile and by access key id. `Debug` shows
/// profile names and access key ids only.
#[derive(Clone, Default)]
pub struct CredentialsFile {
    profiles: BTreeMap<String, Credentials>,
    by_access_key: BTreeMap<String, Zeroizing<String>>,
}

/// An AWS credentials file that cannot be read. Messages name the line, never its text (which may
/// hold a secret).
#[derive(Clone, Debug, Eq, PartialEq, Error)]
#[non_exhaustive]
pub enum CredentialsFileError {
    /// A `[` line without its closing `]`, or with an empty name.
    #[error("line {line}: a profile header must be `[name]`.")]
    BadSection {
        /// The line number, from 1.
        line: usize,
    },
    /// A line that is neither a comment, a `[profile]` header nor `key = value`.
    #[error("line {line}: expected `key = value`, a `[profile]` header or a comment.")]
    NotKeyValue {
        /// The line number, from 1.
        line: usize,
    },
    /// A `key = value` line before the first `[profile]` header.
    #[error("line {line}: `{key}` is outside any `[profile]` section.")]
    OutsideProfile {
        /// The line number, from 1.
        line: usize,
        /// The key.
        key: String,
    },
    /// A profile header seen twice.
    #[error("line {line}: profile [{profile}] appears twice.")]
    DuplicateProfile {
        /// The line number, from 1.
        line: usize,
        /// The profile.
        profile: String,
    },
    /// A key set twice in one profile.
    #[error("line {line}: `{key}` is set twice in profile [{profile}].")]
    DuplicateKey {
        /// The line number, from 1.
        line: usize,
        /// The profile.
        profile: String,
        /// The key.
        key: String,
    },
    /// A profile with an access key id but no secret, or a secret but no access key id.
    #[error("line {line}: profile [{profile}] has no `{key}`.")]
    MissingKey {
        /// The line number of the profile's header.
        line: usize,
        /// The profile.
        profile: String,
        /// The missing key.
        key: &'static str,
    },
    /// The same access key id with different secrets in two profiles.
    #[error("line {line}: access key id {access_key_id} has another secret in an earlier profile.")]
    ConflictingSecret {
        /// The line number of the second profile's header.
        line: usize,
        /// The access key id.
        access_key_id: String,
    },
}

/// One `[profile]` while it is being read.
struct Section {
    name: String,
    line: usize,
    values: BTreeMap<String, Zeroizing<String>>,
}

impl CredentialsFile {
    /// Parses the text of an AWS credentials file. Comment lines start with `#` or `;`; whitespace
    /// around names, keys and values is ignored; keys are matched without regard to case; indented
    /// lines under a key with an empty value (nested settings) are skipped; profiles without an
    /// access key (only settings such as `region`) are allowed.
    ///
    /// # Errors
    /// [`CredentialsFileError`], with the line number.
    ///
    /// # Examples
    /// ```
    /// use paycrypt::sigv4::{CredentialLookup, CredentialsFile};
    ///
    /// let file = CredentialsFile::parse("# team keys\n[default]\naws_access_key_id = AKID1\naws_secret_access_key = s1\n")?;
    /// assert_eq!(file.secret("AKID1").as_deref().map(String::as_str), Some("s1"));
    /// assert!(file.secret("AKID2").is_none());
    /// # Ok::<(), paycrypt::sigv4::CredentialsFileError>(())
    /// ```
    pub fn parse(text: &str) -> Result<Self, CredentialsFileError> {
        let mut file = CredentialsFile::default();
        let mut section: Option<Section> = None;
        let mut nested = false;
        let mut seen = BTreeSet::new();
        for (index, raw) in text.lines().enumerate() {
            let line = index + 1;
            let trimmed = raw.trim();
            if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with(';') {
                continue;
            }
            if nested && raw.starts_with(char::is_whitespace) {
                continue;
            }
            nested = false;
            if let Some(header) = trimmed.strip_prefix('[') {
                let name = header.strip_suffix(']').map(str::trim).filter(|n| !n.is_empty());
                let name = name.ok_or(CredentialsFileError::BadSection { line })?;
                if let Some(done) = section.take() {
                    file.add_section(done)?;
                }
                if !seen.insert(name.to_owned()) {
                    return Err(CredentialsFileError::DuplicateProfile { line, profile: name.to_owned() });
                }
                section = Some(Section { name: name.to_owned(), line, values: BTreeMap::new() });
                continue;
            }
            let Some((key, value)) = trimmed.split_once('=') else {
                return Err(CredentialsFileError::NotKeyValue { line });
            };
            let (key, value) = (key.trim().to_ascii_lowercase(), value.trim());
            let Some(current) = section.as_mut() else {
                return Err(CredentialsFileError::OutsideProfile { line, key });
            };
            if current.values.contains_key(&key) {
                let profile = current.name.clone();
                return Err(CredentialsFileError::DuplicateKey { line, profile, key });
            }
            nested = value.is_empty();
            current.values.insert(key, Zeroizing::new(value.to_owned()));
        }
        if let Some(done) = section.take() {
            file.add_section(done)?;
        }
        Ok(file)
    }

    /// A lookup holding the given credentials, each as its own profile named after its access key
    /// id (for credentials from the environment, or a built-in test key).
    pub fn from_credentials(credentials: impl IntoIterator<Item = Credentials>) -> Self {
        let mut file = CredentialsFile::default();
        for c in credentials {
            file.by_access_key
                .insert(c.access_key_id.clone(), Zeroizing::new(c.secret_access_key().to_owned()));
            file.profiles.insert(c.access_key_id.clone(), c);
        }
        file
    }

    /// The credentials of `profile`, for signing.
    pub fn profile(&self, profile: &str) -> Option<&Credentials> {
        self.profiles.get(profile)
    }

    /// The names of the profiles that hold credentials, in order.
    pub fn profile_names(&self) -> impl Iterator<Item = &str> {
        self.profiles.keys().map(String::as_str)
    }

    /// The number of distinct access key ids.
    pub fn len(&self) -> usize {
        self.by_access_key.len()
    }

    /// Whether the file holds no credentials.
    pub fn is_empty(&self) -> bool {
        self.by_access_key.is_empty()
    }

    fn add_section(&mut self, section: Section) -> Result<(), CredentialsFileError> {
        let Section { name, line, mut values } = section;
        let id = values.remove("aws_access_key_id");
        let secret = values.remove("aws_secret_access_key");
        let token = values.remove("aws_session_token").filter(|t| !t.is_empty());
        let (id, secret) = match (id, secret) {
            (None, None) => return Ok(()),
            (Some(id), Some(secret)) => (id, secret),
            (None, Some(_)) => {
                return Err(CredentialsFileError::MissingKey {
                    line,
                    profile: name,
                    key: "aws_access_key_id",
                });
            }
            (Some(_), None) => {
                return Err(CredentialsFileError::MissingKey {
                    line,
                    profile: name,
                    key: "aws_secret_access_key",
                });
            }
        };
        let id = id.to_string();
        if self.by_access_key.get(&id).is_some_and(|known| known.as_bytes() != secret.as_bytes()) {
            return Err(CredentialsFileError::ConflictingSecret { line, access_key_id: id });
        }
        let credentials = Credentials::new(id.clone(), secret.to_string(), token.map(|t| t.to_string()));
        self.by_access_key.insert(id, secret);
        self.profiles.insert(name, credentials);
        Ok(())
    }
}

impl CredentialLookup for CredentialsFile {
    fn secret(&self, access_key_id: &str) -> Option<Zeroizing<String>> {
        self.by_access_key.get(access_key_id).cloned()
    }
}

impl CredentialLookup for Credentials {
    fn secret(&self, access_key_id: &str) -> Option<Zeroizing<String>> {
        (access_key_id == self.access_key_id).then(|| Zeroizing::new(self.secret_access_key().to_owned()))
    }
}

impl fmt::Debug for CredentialsFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let profiles: BTreeMap<&str, &str> =
            self.profiles.iter().map(|(p, c)| (p.as_str(), c.access_key_id.as_str())).collect();
        f.debug_struct("CredentialsFile").field("profiles", &profiles).finish()
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    const FILE: &str = "\
# comment
; another comment

[default]
aws_access_key_id = AKIDDEFAULT
aws_secret_access_key=secret/default+1
region = us-east-1

[  ci  ]
AWS_ACCESS_KEY_ID   =   AKIDCI\r
aws_secret_access_key =\tsecret-ci\t
aws_session_token = token-ci
s3 =
    max_concurrent_requests = 10

[settings-only]
region = eu-west-1
";

    fn secret(file: &CredentialsFile, id: &str) -> Option<String> {
        file.secret(id).map(|s| s.to_string())
    }

    #[test]
    fn reads_profiles() {
        let file = CredentialsFile::parse(FILE).unwrap();
        assert_eq!(file.len(), 2);
        assert_eq!(secret(&file, "AKIDDEFAULT").as_deref(), Some("secret/default+1"));
        assert_eq!(secret(&file, "AKIDCI").as_deref(), Some("secret-ci"));
        assert_eq!(secret(&file, "akidci"), None);
        let ci = file.profile("ci").unwrap();
        assert_eq!(ci.session_token(), Some("token-ci"));
        assert_eq!(file.profile_names().collect::<Vec<_>>(), ["ci", "default"]);
        assert!(CredentialsFile::parse("").unwrap().is_empty());
    }

    #[test]
    fn debug_shows_no_secret() {
        let file = CredentialsFile::parse(FILE).unwrap();
        let shown = format!("{file:?} {:?}", file.profile("ci"));
        assert!(shown.contains("AKIDCI"), "{shown}");
        for secret in ["secret/default+1", "secret-ci", "token-ci"] {
            assert!(!shown.contains(secret), "{shown}");
        }
    }

    #[test]
    fn errors_name_the_line() {
        let cases: [(&str, CredentialsFileError); 8] = [
            ("[default\n", CredentialsFileError::BadSection { line: 1 }),
            ("\n[ ]\n", CredentialsFileError::BadSection { line: 2 }),
            ("[a]\njunk secret\n", CredentialsFileError::NotKeyValue { line: 2 }),
            ("k = v\n", CredentialsFileError::OutsideProfile { line: 1, key: "k".into() }),
            ("[a]\n[a]\n", CredentialsFileError::DuplicateProfile { line: 2, profile: "a".into() }),
            (
                "[a]\nregion=x\nREGION=y\n",
                CredentialsFileError::DuplicateKey { line: 3, profile: "a".into(), key: "region".into() },
            ),
            (
                "[a]\naws_access_key_id=A\n",
                CredentialsFileError::MissingKey {
                    line: 1,
                    profile: "a".into(),
                    key: "aws_secret_access_key",
                },
            ),
            (
                "[a]\naws_access_key_id=A\naws_secret_access_key=1\n[b]\naws_access_key_id=A\naws_secret_access_key=2\n",
                CredentialsFileError::ConflictingSecret { line: 4, access_key_id: "A".into() },
            ),
        ];
        for (text, want) in cases {
            assert_eq!(CredentialsFile::parse(text).err(), Some(want), "{text:?}");
        }
        let error = CredentialsFile::parse("[a]\naws_secret_access_key supersecret\n").unwrap_err();
        assert_eq!(error.to_string(), "line 2: expected `key = value`, a `[profile]` header or a comment.");
    }

    #[test]
    fn same_key_in_two_profiles_is_fine() {
        let text = "[a]\naws_access_key_id=A\naws_secret_access_key=1\n[b]\naws_access_key_id=A\naws_secret_access_key=1\n";
        assert_eq!(CredentialsFile::parse(text).unwrap().len(), 1);
    }

    fn render(profiles: &[(String, String, String)]) -> String {
        profiles
            .iter()
            .map(|(p, id, s)| {
                format!("[{p}]\n  aws_access_key_id = {id}\naws_secret_access_key={s}  \n\n# x\n")
            })
            .collect()
    }

    proptest! {
        #[test]
        fn round_trips(profiles in prop::collection::btree_map(
            "[a-z][a-z0-9-]{0,8}", ("AKIA[A-Z0-9]{4,16}", "[A-Za-z0-9/+]{1,40}"), 0..6)
        ) {
            let profiles: Vec<(String, String, String)> =
                profiles.into_iter().enumerate().map(|(i, (p, (id, s)))| (p, format!("{id}{i}"), s)).collect();
            let file = CredentialsFile::parse(&render(&profiles)).unwrap();
            prop_assert_eq!(file.len(), profiles.len());
            for (p, id, s) in &profiles {
                prop_assert_eq!(secret(&file, id), Some(s.clone()));
                prop_assert_eq!(file.profile(p).map(|c| c.access_key_id.as_str()), Some(id.as_str()));
            }
        }

        #[test]
        fn never_panics(text in "[\\[\\]=#; a-z\\n\\t]{0,80}") {
            let _ = CredentialsFile::parse(&text);
        }
    }
}
