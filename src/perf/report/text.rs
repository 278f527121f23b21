//! Text for the reports: escaping what comes from a run, and numbers as people read them.

/// `s` made safe as XML/HTML text or a quoted attribute value.
///
/// Markup characters become entities; control characters XML forbids become U+FFFD. The colon of
/// every `://` is written as `&#58;`, so the only literal URL in a report is the SVG namespace name
/// and a check for fetched resources can be a plain string search (browsers show the colon as usual).
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(c) = rest.chars().next() {
        rest = &rest[c.len_utf8()..];
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            ':' if rest.starts_with("//") => out.push_str("&#58;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if c.is_control() => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// A number with three significant figures and an SI suffix: `1.36 G`, `412 k`, `0.21`.
pub(crate) fn si(v: f64) -> String {
    if v.is_nan() {
        return "NaN".to_owned();
    }
    if v.is_infinite() {
        return if v > 0.0 { "∞" } else { "-∞" }.to_owned();
    }
    let a = v.abs();
    if a >= 1e15 || (a > 0.0 && a < 0.01) {
        return format!("{v:.2e}");
    }
    let (scale, suffix) = [(1e12, " T"), (1e9, " G"), (1e6, " M"), (1e3, " k")]
        .into_iter()
        .find(|(scale, _)| a >= *scale)
        .unwrap_or((1.0, ""));
    let s = v / scale;
    let digits = if s.abs() >= 100.0 {
        format!("{s:.0}")
    } else if s.abs() >= 10.0 {
        format!("{s:.1}")
    } else {
        format!("{s:.2}")
    };
    format!("{}{suffix}", trim_zeros(&digits))
}

/// A throughput in bytes a second: `1.36 GB/s`.
pub(crate) fn bytes_per_second(v: f64) -> String {
    format!("{}B/s", spaced(si(v)))
}

/// A size in bytes with binary units: `16 B`, `4 KiB`, `1 MiB`.
pub(crate) fn bytes(v: f64) -> String {
    if !v.is_finite() {
        return si(v);
    }
    let mut value = v;
    let mut unit = "B";
    for next in ["KiB", "MiB", "GiB", "TiB", "PiB"] {
        if value.abs() < 1024.0 {
            break;
        }
        value /= 1024.0;
        unit = next;
    }
    format!("{} {unit}", trim_zeros(&format!("{value:.1}")))
}

/// `s` cut to at most `max` characters, the cut marked with an ellipsis (labels that must fit a chart).
pub(crate) fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_owned();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// `v` with a thin separator before a unit when `si` gave no suffix: `412 ` for `412`, `1.2 k` as is.
fn spaced(s: String) -> String {
    if s.ends_with(|c: char| c.is_ascii_digit()) { format!("{s} ") } else { s }
}

fn trim_zeros(s: &str) -> &str {
    if s.contains('.') && !s.contains('e') { s.trim_end_matches('0').trim_end_matches('.') } else { s }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_urls() {
        assert_eq!(escape("<a href=\"x\">&'</a>"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;");
        assert_eq!(escape("http://127.0.0.1:8080"), "http&#58;//127.0.0.1:8080");
        assert_eq!(escape("a\u{0}b"), "a\u{FFFD}b");
    }

    #[test]
    fn numbers() {
        assert_eq!(si(1_360_000_000.0), "1.36 G");
        assert_eq!(si(412_000.0), "412 k");
        assert_eq!(si(0.21), "0.21");
        assert_eq!(si(10.0), "10");
        assert_eq!(si(f64::NAN), "NaN");
        assert_eq!(bytes_per_second(1.36e9), "1.36 GB/s");
        assert_eq!(bytes_per_second(412.0), "412 B/s");
        assert_eq!(bytes(16.0), "16 B");
        assert_eq!(bytes(1_048_576.0), "1 MiB");
        assert_eq!(bytes(1536.0), "1.5 KiB");
        assert_eq!(shorten("AES-128-CBC encrypt", 40), "AES-128-CBC encrypt");
        assert_eq!(shorten("AES-128-CBC encrypt", 8), "AES-128…");
    }
}
