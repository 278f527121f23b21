//! Every relative link in README.md and `docs/*.md` resolves: the file it names exists, and its
//! `#anchor`, if any, is a heading of that file as GitHub spells heading anchors.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The Markdown files of the documentation: README.md and `docs/*.md`.
fn markdown_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir("docs")
        .expect("read docs/")
        .map(|entry| entry.expect("read a docs/ entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "md"))
        .collect();
    files.sort();
    files.insert(0, PathBuf::from("README.md"));
    files
}

/// The lines of `text` outside fenced code blocks.
fn prose_lines(text: &str) -> Vec<&str> {
    let mut fence: Option<String> = None;
    let mut lines = Vec::new();
    for line in text.lines() {
        let trimmed = line.trim_start();
        let ticks = trimmed.chars().take_while(|c| *c == '`' || *c == '~').count();
        if ticks >= 3 {
            let marker = trimmed[..ticks].to_owned();
            match &fence {
                None => fence = Some(marker),
                Some(open) if marker.starts_with(open.as_str()) && trimmed[ticks..].trim().is_empty() => {
                    fence = None;
                }
                Some(_) => {}
            }
            continue;
        }
        if fence.is_none() {
            lines.push(line);
        }
    }
    lines
}

/// `line` with its inline code spans removed (a link's text may hold code; a code span holds no link).
fn without_code_spans(line: &str) -> String {
    let mut out = String::new();
    let mut in_code = false;
    for c in line.chars() {
        if c == '`' {
            in_code = !in_code;
        } else if !in_code {
            out.push(c);
        }
    }
    out
}

/// The link targets of `text`: inline links `[text](target)` and reference definitions `[label]: target`.
fn link_targets(text: &str) -> Vec<String> {
    let mut targets = Vec::new();
    for line in prose_lines(text) {
        let line = without_code_spans(line);
        let mut rest = line.as_str();
        while let Some(start) = rest.find("](") {
            let after = &rest[start + 2..];
            let end = after.find(')').unwrap_or(after.len());
            let target = after[..end].split_whitespace().next().unwrap_or("");
            targets.push(target.trim_matches(|c| c == '<' || c == '>').to_owned());
            rest = &after[end..];
        }
        let trimmed = line.trim_start();
        if trimmed.starts_with('[')
            && let Some(close) = trimmed.find("]:")
        {
            let target = trimmed[close + 2..].split_whitespace().next().unwrap_or("");
            targets.push(target.to_owned());
        }
    }
    targets
}

/// GitHub's anchor for a heading: lower case, punctuation but `-` and `_` dropped, spaces to `-`.
fn slug(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '_'))
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

/// The anchors of `text`'s headings, repeats numbered `-1`, `-2`, … as GitHub numbers them.
fn anchors(text: &str) -> Vec<String> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut out = Vec::new();
    for line in prose_lines(text) {
        let hashes = line.chars().take_while(|c| *c == '#').count();
        if !(1..=6).contains(&hashes) || !line[hashes..].starts_with(' ') {
            continue;
        }
        let base = slug(&line[hashes..]);
        let count = seen.entry(base.clone()).or_insert(0);
        out.push(if *count == 0 { base.clone() } else { format!("{base}-{count}") });
        *count += 1;
    }
    out
}

/// Every broken relative link in the Markdown file `file` whose text is `text`.
fn broken_links(file: &Path, text: &str) -> Vec<String> {
    let dir = file.parent().unwrap_or(Path::new(""));
    let mut broken = Vec::new();
    for target in link_targets(text) {
        if target.contains("://") || target.starts_with("mailto:") {
            continue;
        }
        let (path, anchor) = match target.split_once('#') {
            Some((path, anchor)) => (path, Some(anchor)),
            None => (target.as_str(), None),
        };
        if path.is_empty() {
            let anchor = anchor.unwrap_or("");
            if !anchors(text).iter().any(|a| a == anchor) {
                broken.push(format!("{}: {target}: no heading #{anchor} in this file", file.display()));
            }
            continue;
        }
        let normalized = normalize(&dir.join(path));
        if !normalized.exists() {
            broken.push(format!("{}: {target}: no file {}", file.display(), normalized.display()));
            continue;
        }
        if let Some(anchor) = anchor {
            let Ok(linked) = std::fs::read_to_string(&normalized) else {
                broken.push(format!("{}: {target}: #{anchor} in a file that is not text", file.display()));
                continue;
            };
            if !anchors(&linked).iter().any(|a| a == anchor) {
                broken.push(format!(
                    "{}: {target}: no heading #{anchor} in {}",
                    file.display(),
                    normalized.display()
                ));
            }
        }
    }
    broken
}

/// `path` with `.` and `a/..` steps removed, so `docs/../README.md` is `README.md`.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    out
}

#[test]
fn every_relative_link_resolves() {
    let files = markdown_files();
    assert!(files.len() > 1, "no docs/*.md found");
    let mut checked = 0;
    let mut broken = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).expect("read a Markdown file");
        checked += link_targets(&text).len();
        broken.extend(broken_links(file, &text));
    }
    assert!(checked > 0, "no links found: the link parser is broken");
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

#[test]
fn the_checker_catches_broken_links() {
    let text = "# A `code` heading, twice\n## A `code` heading, twice\n\
                See [here](#a-code-heading-twice-1), [there](#nowhere), [x](missing.md),\n\
                [README](../README.md#two-commands-gone) and [ok](../README.md#paycrypt).\n\
                ```text\n[not a link](nowhere.md)\n```\n[ref]: ../docs/none.md\n";
    let broken = broken_links(Path::new("docs/example.md"), text);
    let expected = [
        "docs/example.md: #nowhere: no heading #nowhere in this file",
        "docs/example.md: missing.md: no file docs/missing.md",
        "docs/example.md: ../README.md#two-commands-gone: no heading #two-commands-gone in README.md",
        "docs/example.md: ../docs/none.md: no file docs/none.md",
    ];
    assert_eq!(broken, expected);
}

#[test]
fn slugs_are_githubs() {
    assert_eq!(slug("The `rsa` crate and Marvin"), "the-rsa-crate-and-marvin");
    assert_eq!(slug("Server (paycrypt serve)"), "server-paycrypt-serve");
    assert_eq!(slug("AWS KMS, offline"), "aws-kms-offline");
    assert_eq!(slug("The local AWS endpoint: paycrypt serve"), "the-local-aws-endpoint-paycrypt-serve");
}
