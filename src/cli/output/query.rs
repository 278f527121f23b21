//! `--query`: JMESPath as the AWS CLI runs it (Python's jmespath): legacy backtick literals, and the
//! response's member order kept.

use serde_json::{Map, Value};

use crate::cli::CliError;
use crate::cli::failure::Failure;

/// Applies a `--query` expression (already checked when the flag was parsed).
pub(super) fn search(query: Option<&str>, value: Value) -> Result<Value, Failure> {
    let Some(query) = query else { return Ok(value) };
    let failed = |e: &dyn std::fmt::Display| Failure::Local(CliError::new(format!("--query {query}: {e}")));
    let expression = compile(query).map_err(|e| failed(&e))?;
    let found = expression.search(value.clone()).map_err(|e| failed(&e))?;
    let mut result = serde_json::to_value(&*found).map_err(|e| failed(&e))?;
    restore_order(&mut result, &value);
    Ok(result)
}

/// Compiles a `--query` expression as the AWS CLI (Python's jmespath) reads it: a literal between
/// backticks that is not JSON (`` `alias/t` ``, the form the AWS CLI's documentation uses) is the string
/// it spells, as in Python's jmespath.
pub(crate) fn compile(query: &str) -> Result<jmespath::Expression<'static>, jmespath::JmespathError> {
    jmespath::compile(&legacy_literals(query))
}

/// Rewrites each backtick literal that is not JSON as a JSON string.
fn legacy_literals(query: &str) -> String {
    let mut out = String::with_capacity(query.len());
    let mut chars = query.chars();
    let mut quote: Option<char> = None;
    while let Some(c) = chars.next() {
        match quote {
            Some(q) => {
                out.push(c);
                if c == '\\' {
                    if let Some(next) = chars.next() {
                        out.push(next);
                    }
                } else if c == q {
                    quote = None;
                }
            }
            None if c == '\'' || c == '"' => {
                quote = Some(c);
                out.push(c);
            }
            None if c == '`' => {
                let mut literal = String::new();
                while let Some(c) = chars.next() {
                    match c {
                        '\\' => match chars.next() {
                            Some('`') => literal.push('`'),
                            Some(other) => {
                                literal.push('\\');
                                literal.push(other);
                            }
                            None => literal.push('\\'),
                        },
                        '`' => break,
                        other => literal.push(other),
                    }
                }
                let json = if serde_json::from_str::<Value>(&literal).is_ok() {
                    literal
                } else {
                    Value::String(literal.trim_start().to_owned()).to_string()
                };
                out.push('`');
                out.push_str(&json.replace('`', "\\`"));
                out.push('`');
            }
            None => out.push(c),
        }
    }
    out
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

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn backtick_literals_that_are_not_json_are_strings() {
        assert_eq!(legacy_literals("a[?starts_with(n, `alias/t`)]"), "a[?starts_with(n, `\"alias/t\"`)]");
        assert_eq!(legacy_literals("a[?n == `1`]"), "a[?n == `1`]");
        assert_eq!(legacy_literals("a[?n == 'x`y']"), "a[?n == 'x`y']");
        let found = search(Some("[?starts_with(@, `al`)]"), json!(["alpha", "beta"]));
        assert_eq!(found.ok(), Some(json!(["alpha"])));
    }

    #[test]
    fn query_keeps_the_response_order() {
        let value = json!({"Key": {"b": 1, "a": 2}});
        assert_eq!(search(Some("Key"), value).ok().map(|v| v.to_string()), Some(r#"{"b":1,"a":2}"#.into()));
    }
}
