//! `--query` and `--output json|text|table`: a response printed as the AWS CLI prints it.
//!
//! The rules, as the AWS CLI (awscli's `formatter.py`, `text.py`, `table.py`) applies them:
//! - `--query` (JMESPath) runs first, on the whole response; for `--output text` on a list command, on
//!   each page.
//! - json: indented by four spaces; an empty response (`{}`) prints nothing.
//! - text: a scalar prints as it is; a list of scalars on one line, tab-separated; an object prints its
//!   scalar members on one line in the order of their sorted names, then each list or object member in
//!   turn, its lines led by the member's name in upper case; a list of objects prints one line per
//!   object, over the union of their scalar names.
//! - table: a box as wide as its widest section (at least the 80 columns of a terminal it cannot measure:
//!   wider sections are turned on their side), titled with the operation's name; each object a section
//!   with its scalar members as columns, its nested members as indented sections below.

use std::io::Write;

use serde_json::{Map, Value};

use crate::cli::CliError;
use crate::cli::failure::Failure;
use crate::cli::global::OutputFormat;

/// The terminal width the AWS CLI assumes when standard output is not a terminal.
const TERMINAL_WIDTH: usize = 80;

/// What an operation answered: one response, or the pages of a list command.
pub(crate) enum Response {
    /// One response.
    One(Value),
    /// The pages of a list command (each holding only its result list), and their merge.
    Pages {
        /// Each page, as the text output prints them.
        pages: Vec<Value>,
        /// Every page's results in one response, as the json and table outputs print them.
        merged: Value,
    },
}

/// Prints `response` of `operation` with `--query` and `--output`.
pub(crate) fn print(
    operation: &str,
    response: Response,
    format: OutputFormat,
    query: Option<&str>,
) -> Result<(), Failure> {
    let mut out = String::new();
    match (format, response) {
        (OutputFormat::Text, Response::Pages { pages, .. }) => {
            for page in pages {
                text(&search(query, page)?, &mut out);
            }
        }
        (OutputFormat::Text, Response::One(value)) => text(&search(query, value)?, &mut out),
        (OutputFormat::Json, response) => {
            let value = search(query, response.into_merged())?;
            if value != Value::Object(Map::new()) {
                out = json(&value)?;
            }
        }
        (OutputFormat::Table, response) => {
            let value = search(query, response.into_merged())?;
            out = table(operation, &value);
        }
    }
    std::io::stdout()
        .write_all(out.as_bytes())
        .map_err(|e| Failure::Local(CliError::new(format!("cannot write to stdout: {e}"))))
}

impl Response {
    fn into_merged(self) -> Value {
        match self {
            Response::One(value) | Response::Pages { merged: value, .. } => value,
        }
    }
}

/// Applies a `--query` expression (already checked when the flag was parsed).
fn search(query: Option<&str>, value: Value) -> Result<Value, Failure> {
    let Some(query) = query else { return Ok(value) };
    let failed = |e: &dyn std::fmt::Display| Failure::Local(CliError::new(format!("--query {query}: {e}")));
    let expression = jmespath::compile(query).map_err(|e| failed(&e))?;
    let found = expression.search(value.clone()).map_err(|e| failed(&e))?;
    let mut result = serde_json::to_value(&*found).map_err(|e| failed(&e))?;
    restore_order(&mut result, &value);
    Ok(result)
}

/// JMESPath returns objects with sorted members; puts back the response's order for every object that
/// the response holds as it is (a multi-select hash's own objects keep the sorted order).
fn restore_order(result: &mut Value, source: &Value) {
    match result {
        Value::Object(map) => {
            if let Some(original) = find_object(source, map) {
                let mut ordered = Map::new();
                for (name, _) in original {
                    if let Some(v) = map.remove(name) {
                        ordered.insert(name.clone(), v);
                    }
                }
                ordered.append(map);
                *map = ordered;
            }
            for v in map.values_mut() {
                restore_order(v, source);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| restore_order(v, source)),
        _ => {}
    }
}

/// An object inside `source` equal to `wanted` (member order aside).
fn find_object<'a>(source: &'a Value, wanted: &Map<String, Value>) -> Option<&'a Map<String, Value>> {
    match source {
        Value::Object(map) => {
            if map.len() == wanted.len() && map.iter().all(|(k, v)| wanted.get(k) == Some(v)) {
                return Some(map);
            }
            map.values().find_map(|v| find_object(v, wanted))
        }
        Value::Array(items) => items.iter().find_map(|v| find_object(v, wanted)),
        _ => None,
    }
}

/// JSON indented by four spaces, one trailing newline.
pub(crate) fn json(value: &Value) -> Result<String, Failure> {
    let mut out = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut ser = serde_json::Serializer::with_formatter(&mut out, formatter);
    serde::Serialize::serialize(value, &mut ser)
        .map_err(|e| Failure::Local(CliError::new(format!("cannot write JSON: {e}"))))?;
    out.push(b'\n');
    String::from_utf8(out).map_err(|e| Failure::Local(CliError::new(format!("cannot write JSON: {e}"))))
}

/// A scalar as Python's `str()` prints it, which is what the AWS CLI's text and table outputs show.
fn scalar(value: &Value) -> String {
    match value {
        Value::Null => "None".to_owned(),
        Value::Bool(true) => "True".to_owned(),
        Value::Bool(false) => "False".to_owned(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn is_scalar(value: &Value) -> bool {
    !matches!(value, Value::Object(_) | Value::Array(_))
}

/// The text output of `value`.
fn text(value: &Value, out: &mut String) {
    text_item(value, None, None, out);
}

fn text_item(value: &Value, identifier: Option<&str>, columns: Option<&[String]>, out: &mut String) {
    match value {
        Value::Object(map) => text_object(map, identifier, columns, out),
        Value::Array(items) => text_list(items, identifier, out),
        other => {
            out.push_str(&scalar(other));
            out.push('\n');
        }
    }
}

fn text_list(items: &[Value], identifier: Option<&str>, out: &mut String) {
    if items.iter().any(Value::is_object) {
        let columns = scalar_names(items.iter().filter_map(Value::as_object));
        for item in items {
            text_item(item, identifier, Some(&columns), out);
        }
    } else if items.iter().any(Value::is_array) {
        let scalars: Vec<&Value> = items.iter().filter(|v| is_scalar(v)).collect();
        if !scalars.is_empty() {
            text_scalars(&scalars, identifier, out);
        }
        for item in items.iter().filter(|v| !is_scalar(v)) {
            text_item(item, identifier, None, out);
        }
    } else if !items.is_empty() {
        text_scalars(&items.iter().collect::<Vec<_>>(), identifier, out);
    }
}

fn text_scalars(items: &[&Value], identifier: Option<&str>, out: &mut String) {
    match identifier {
        Some(id) => {
            for item in items {
                out.push_str(&format!("{}\t{}\n", id.to_uppercase(), scalar(item)));
            }
        }
        None => {
            out.push_str(&items.iter().map(|v| scalar(v)).collect::<Vec<_>>().join("\t"));
            out.push('\n');
        }
    }
}

fn text_object(
    map: &Map<String, Value>,
    identifier: Option<&str>,
    columns: Option<&[String]>,
    out: &mut String,
) {
    let mut cells = Vec::new();
    let mut nested: Vec<(&String, &Value)> = Vec::new();
    match columns {
        None => {
            let mut members: Vec<_> = map.iter().collect();
            members.sort_by(|a, b| a.0.cmp(b.0));
            for (name, v) in members {
                if is_scalar(v) { cells.push(scalar(v)) } else { nested.push((name, v)) }
            }
        }
        Some(columns) => {
            cells.extend(columns.iter().map(|c| map.get(c).map_or_else(String::new, scalar)));
            nested = map.iter().filter(|(name, _)| !columns.contains(name)).collect();
            nested.sort_by(|a, b| a.0.cmp(b.0));
        }
    }
    if !cells.is_empty() {
        if let Some(id) = identifier {
            cells.insert(0, id.to_uppercase());
        }
        out.push_str(&cells.join("\t"));
        out.push('\n');
    }
    for (name, v) in nested {
        text_item(v, Some(name), None, out);
    }
}

/// The sorted names of the scalar members of `objects`, all together.
fn scalar_names<'a>(objects: impl Iterator<Item = &'a Map<String, Value>>) -> Vec<String> {
    let mut names: Vec<String> =
        objects.flat_map(|m| m.iter().filter(|(_, v)| is_scalar(v)).map(|(k, _)| k.clone())).collect();
    names.sort();
    names.dedup();
    names
}

/// One section of a table: a title, column headers, rows, and how deep it is nested.
#[derive(Default)]
struct Section {
    title: String,
    headers: Vec<String>,
    rows: Vec<Vec<String>>,
    indent: usize,
    widths: Vec<usize>,
}

impl Section {
    fn add_header(&mut self, headers: Vec<String>) {
        self.update_widths(&headers);
        self.headers = headers;
    }

    fn add_row(&mut self, row: Vec<String>) {
        self.update_widths(&row);
        self.rows.push(row);
    }

    fn update_widths(&mut self, row: &[String]) {
        if self.widths.is_empty() {
            self.widths = row.iter().map(|c| c.chars().count()).collect();
        } else {
            for (w, c) in self.widths.iter_mut().zip(row) {
                *w = (*w).max(c.chars().count());
            }
        }
    }

    /// The columns' widths (each cell plus `padding`), scaled to add up to `max_width`.
    fn column_widths(&self, padding: usize, max_width: usize) -> Vec<usize> {
        let unscaled: Vec<usize> = self.widths.iter().map(|w| w + padding).collect();
        let total: usize = unscaled.iter().sum();
        if unscaled.is_empty() || total == 0 {
            return unscaled;
        }
        #[allow(clippy::cast_precision_loss)]
        let factor = max_width as f64 / total as f64;
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss, clippy::cast_precision_loss)]
        let mut scaled: Vec<i64> =
            unscaled.iter().map(|&w| (factor * w as f64).round_ties_even() as i64).collect();
        let target = i64::try_from(max_width).unwrap_or(i64::MAX);
        let mut off_by: i64 = scaled.iter().sum::<i64>() - target;
        while off_by != 0 {
            let order: Vec<usize> =
                if off_by < 0 { (0..scaled.len()).rev().collect() } else { (0..scaled.len()).collect() };
            for i in order {
                if off_by > 0 {
                    scaled[i] -= 1;
                    off_by -= 1;
                } else {
                    scaled[i] += 1;
                    off_by += 1;
                }
                if off_by == 0 {
                    break;
                }
            }
        }
        scaled.into_iter().map(|w| usize::try_from(w).unwrap_or(0)).collect()
    }

    /// The section's width with borders: its columns (plus `padding` each) or its title.
    fn total_width(&self, padding: usize) -> usize {
        let columns: usize = self.widths.iter().map(|w| w + padding).sum::<usize>() + 2 + 2 * self.indent;
        (self.title.chars().count() + 2 + 2 * self.indent).max(columns)
    }
}

/// Builds the sections of a table, as the AWS CLI's table formatter walks a response.
#[derive(Default)]
struct TableBuilder {
    sections: Vec<Section>,
}

impl TableBuilder {
    fn current(&mut self) -> &mut Section {
        if self.sections.is_empty() {
            self.sections.push(Section::default());
        }
        let last = self.sections.len() - 1;
        &mut self.sections[last]
    }

    fn new_section(&mut self, title: &str, indent: usize) {
        self.sections.push(Section { title: title.to_owned(), indent, ..Section::default() });
    }

    /// Adds `value` under `title`; false when it is empty (Python's falsy), which prints nothing.
    fn build(&mut self, title: Option<&str>, value: &Value, indent: usize) -> bool {
        if is_falsy(value) {
            return false;
        }
        if let Some(title) = title {
            self.new_section(title, indent);
        }
        match value {
            Value::Array(items) => {
                if items.first().is_some_and(Value::is_object) {
                    self.list_of_objects(items, indent, title);
                } else {
                    for item in items {
                        match item {
                            Value::Array(row) if row.iter().all(is_scalar) => {
                                self.current().add_row(row.iter().map(scalar).collect());
                            }
                            v if is_scalar(v) => self.current().add_row(vec![scalar(v)]),
                            v => {
                                self.build(None, v, 0);
                            }
                        }
                    }
                }
            }
            Value::Object(map) => self.object(map, indent),
            _ => {}
        }
        true
    }

    fn object(&mut self, map: &Map<String, Value>, indent: usize) {
        let (headers, more) = split_names(map);
        if headers.len() == 1 {
            let value = scalar(&map[&headers[0]]);
            self.current().add_row(vec![headers[0].clone(), value]);
        } else if !headers.is_empty() {
            let row = headers.iter().map(|h| scalar(&map[h])).collect();
            self.current().add_header(headers);
            self.current().add_row(row);
        }
        for name in more {
            self.build(Some(&name), &map[&name], indent + 1);
        }
    }

    fn list_of_objects(&mut self, items: &[Value], indent: usize, title: Option<&str>) {
        let mut headers = Vec::new();
        let mut more = Vec::new();
        for map in items.iter().filter_map(Value::as_object) {
            let (h, m) = split_names(map);
            headers.extend(h);
            more.extend(m);
        }
        headers.sort();
        headers.dedup();
        more.sort();
        more.dedup();
        self.current().add_header(headers.clone());
        for (i, item) in items.iter().enumerate() {
            if i > 0 && !more.is_empty() {
                self.new_section(title.unwrap_or_default(), indent);
                self.current().add_header(headers.clone());
            }
            let row = headers.iter().map(|h| item.get(h).map_or_else(String::new, scalar)).collect();
            self.current().add_row(row);
            for name in &more {
                if let Some(v) = item.get(name) {
                    self.build(Some(name), v, indent + 1);
                }
            }
        }
    }
}

/// An object's member names split into sorted scalar ones and sorted nested ones.
fn split_names(map: &Map<String, Value>) -> (Vec<String>, Vec<String>) {
    let (mut headers, mut more): (Vec<String>, Vec<String>) =
        map.keys().cloned().partition(|name| is_scalar(&map[name]));
    headers.sort();
    more.sort();
    (headers, more)
}

/// Python's falsiness, which decides whether the AWS CLI's table formatter prints a value at all.
fn is_falsy(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::Bool(b) => !b,
        Value::Number(n) => n.as_f64() == Some(0.0),
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(m) => m.is_empty(),
    }
}

/// The table output of `value`, titled `title`.
fn table(title: &str, value: &Value) -> String {
    let mut builder = TableBuilder::default();
    if !builder.build(Some(title), value, 0) {
        return String::new();
    }
    let mut sections = builder.sections;
    let mut max_width = sections.iter().map(|s| s.total_width(4)).max().unwrap_or(0);
    if max_width > TERMINAL_WIDTH {
        for section in &mut sections {
            if section.rows.len() == 1 && !section.headers.is_empty() {
                let headers = std::mem::take(&mut section.headers);
                let row = std::mem::take(&mut section.rows[0]);
                let mut vertical =
                    Section { title: section.title.clone(), indent: section.indent, ..Section::default() };
                for (header, cell) in headers.into_iter().zip(row) {
                    vertical.add_row(vec![header, cell]);
                }
                *section = vertical;
            }
        }
        max_width = sections.iter().map(|s| s.total_width(4)).max().unwrap_or(0);
    }
    let mut out = format!("{}\n", "-".repeat(max_width));
    for section in &sections {
        render_section(section, max_width, &mut out);
    }
    out
}

fn render_section(section: &Section, max_width: usize, out: &mut String) {
    let width = max_width.saturating_sub(section.indent * 2);
    let edge = "|".repeat(section.indent);
    let mut line = |text: String| {
        out.push_str(&edge);
        out.push_str(&text);
        out.push_str(&edge);
        out.push('\n');
    };
    if !section.title.is_empty() {
        line(center(&section.title, width, "|"));
        if section.headers.is_empty() && section.rows.is_empty() {
            line(format!("+{}+", "-".repeat(width.saturating_sub(2))));
        }
    }
    if !section.headers.is_empty() {
        let widths = section.column_widths(4, width);
        line(border(&widths));
        let cells: String = section
            .headers
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(i, (h, &w))| center(h, w, if i == 0 { "|" } else { "" }))
            .collect();
        line(cells);
    }
    if !section.rows.is_empty() {
        let widths = section.column_widths(4, width);
        if widths.is_empty() {
            return;
        }
        line(border(&widths));
        for row in &section.rows {
            let cells: String = row
                .iter()
                .zip(&widths)
                .enumerate()
                .map(|(i, (cell, &w))| align_left(cell, w, if i == 0 { "|" } else { "" }))
                .collect();
            line(cells);
        }
        line(border(&widths));
    }
}

/// `+----+------+`: the line under a section's headers and around its rows.
fn border(widths: &[usize]) -> String {
    widths
        .iter()
        .enumerate()
        .map(|(i, &w)| {
            if i == 0 {
                format!("+{}+", "-".repeat(w.saturating_sub(2)))
            } else {
                format!("{}+", "-".repeat(w.saturating_sub(1)))
            }
        })
        .collect()
}

/// `text` centred in a cell `length` wide, between `left` and `|`, as the AWS CLI centres it.
fn center(text: &str, length: usize, left: &str) -> String {
    let len = signed(text.chars().count());
    let length = signed(length);
    let start = length / 2 - len / 2 - 1;
    let right = length - 1 - (signed(left.len()) + start + len);
    format!("{left}{}{text}{}|", spaces(start), spaces(right))
}

/// `text` left-aligned in a cell `length` wide after two spaces (none when it does not fit).
fn align_left(text: &str, length: usize, left: &str) -> String {
    let len = signed(text.chars().count());
    let length = signed(length);
    let left_len = signed(left.len());
    let padding = if length - (len + 2 + left_len + 1) >= 0 { 2 } else { 0 };
    let right = length - (left_len + padding + len) - 1;
    format!("{left}{}{text}{}|", spaces(padding), spaces(right))
}

fn signed(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// `n` spaces; none when `n` is negative (as Python's `' ' * n`).
fn spaces(n: i64) -> String {
    " ".repeat(usize::try_from(n).unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn text_of(value: Value) -> String {
        let mut out = String::new();
        text(&value, &mut out);
        out
    }

    #[test]
    fn text_prints_scalars_then_nested_members_with_their_names() {
        let value = json!({"Key": {"KeyArn": "arn", "Enabled": true, "KeyAttributes": {"KeyUsage": "U",
            "KeyModesOfUse": {"Encrypt": true, "Decrypt": false}}}});
        assert_eq!(text_of(value), "KEY\tTrue\tarn\nKEYATTRIBUTES\tU\nKEYMODESOFUSE\tFalse\tTrue\n");
    }

    #[test]
    fn text_prints_lists_of_objects_over_the_union_of_their_names() {
        let value = json!({"Aliases": [{"AliasName": "alias/a", "KeyArn": "k"}, {"AliasName": "alias/b"}]});
        assert_eq!(text_of(value), "ALIASES\talias/a\tk\nALIASES\talias/b\t\n");
        assert_eq!(text_of(json!(["a", "b", 3])), "a\tb\t3\n");
        assert_eq!(text_of(json!({"Tags": ["x", "y"]})), "TAGS\tx\nTAGS\ty\n");
        assert_eq!(text_of(json!([])), "");
        assert_eq!(text_of(json!(null)), "None\n");
    }

    #[test]
    fn table_boxes_a_single_object() {
        let value = json!({"KeyCheckValue": "1A0B2D", "KeyArn": "arn:x"});
        assert_eq!(
            table("GetKey", &value),
            "-------------------------------------\n\
             |              GetKey               |\n\
             +-----------+-----------------------+\n\
             |  KeyArn   |     KeyCheckValue     |\n\
             +-----------+-----------------------+\n\
             |  arn:x    |  1A0B2D               |\n\
             +-----------+-----------------------+\n"
        );
        assert_eq!(table("DeleteAlias", &json!({})), "");
    }

    #[test]
    fn query_keeps_the_response_order() {
        let value = json!({"Key": {"b": 1, "a": 2}});
        assert_eq!(search(Some("Key"), value).ok().map(|v| v.to_string()), Some(r#"{"b":1,"a":2}"#.into()));
    }
}
