//! `--output text`: tab-separated lines, as the AWS CLI's text formatter prints them.

use serde_json::{Map, Value};

use super::{is_scalar, scalar};

/// The text output of `value`.
pub(super) fn text(value: &Value, out: &mut String) {
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
        // A member that is a list in one object and a scalar in another prints as Python's repr.
        let mixed = json!({"L": [{"A": 1}, {"A": [null, "it's", true]}]});
        assert_eq!(text_of(mixed), "L\t1\nL\t[None, \"it's\", True]\n");
    }
}
