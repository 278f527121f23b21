//! `--output table`: the AWS CLI's boxed table, section by section.

use serde_json::{Map, Value};

use super::{is_scalar, scalar};

/// The terminal width the AWS CLI assumes when standard output is not a terminal.
const TERMINAL_WIDTH: usize = 80;

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
        let (scalars, more) = split_members(map);
        if let [(name, value)] = scalars.as_slice() {
            self.current().add_row(vec![(*name).clone(), scalar(value)]);
        } else if !scalars.is_empty() {
            let row = scalars.iter().map(|(_, v)| scalar(v)).collect();
            self.current().add_header(scalars.iter().map(|(name, _)| (*name).clone()).collect());
            self.current().add_row(row);
        }
        for (name, value) in more {
            self.build(Some(name), value, indent + 1);
        }
    }

    fn list_of_objects(&mut self, items: &[Value], indent: usize, title: Option<&str>) {
        let mut headers = Vec::new();
        let mut more = Vec::new();
        for map in items.iter().filter_map(Value::as_object) {
            let (h, m) = split_members(map);
            headers.extend(h.into_iter().map(|(name, _)| name.clone()));
            more.extend(m.into_iter().map(|(name, _)| name.clone()));
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

/// The members of one object, each with its name.
type Members<'a> = Vec<(&'a String, &'a Value)>;

/// An object's members split into the scalar ones and the nested ones, each sorted by name.
fn split_members(map: &Map<String, Value>) -> (Members<'_>, Members<'_>) {
    let (mut scalars, mut more): (Members<'_>, Members<'_>) = map.iter().partition(|(_, v)| is_scalar(v));
    scalars.sort_by(|a, b| a.0.cmp(b.0));
    more.sort_by(|a, b| a.0.cmp(b.0));
    (scalars, more)
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
pub(super) fn table(title: &str, value: &Value) -> String {
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

    #[test]
    fn table_boxes_a_single_object() {
        let value = json!({"KeyCheckValue": "1A0B2D", "KeyArn": "arn:x"});
        assert_eq!(
            table("GetKey", &value),
            // What awscli's TableFormatter prints for the same object (--color off).
            "-----------------------------\n\
             |          GetKey           |\n\
             +---------+-----------------+\n\
             | KeyArn  |  KeyCheckValue  |\n\
             +---------+-----------------+\n\
             |  arn:x  |  1A0B2D         |\n\
             +---------+-----------------+\n"
        );
        assert_eq!(table("DeleteAlias", &json!({})), "");
    }
}
