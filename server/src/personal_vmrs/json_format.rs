//! JSON: an array of objects with the import fields; `aliases` is an array of strings,
//! `allow_guests` a boolean, the others strings. Absent and `null` fields are empty.

use super::{Row, RowLocation, SyntaxError, FIELDS};
use crate::domain::{FieldProblem, PersonalVmrFields};
use serde_json::{Map, Value};

pub(super) fn rows(text: &str) -> Result<Vec<Row>, SyntaxError> {
    let document: Value =
        serde_json::from_str(text).map_err(|error| SyntaxError(error.to_string()))?;
    let Value::Array(entries) = document else {
        return Err(SyntaxError(
            "the document must be an array of objects, one per personal VMR".into(),
        ));
    };
    Ok(entries.iter().enumerate().map(row).collect())
}

fn row((index, entry): (usize, &Value)) -> Row {
    let location = RowLocation::Index(index);
    let Value::Object(object) = entry else {
        return Row {
            location,
            fields: None,
            problems: vec![FieldProblem::new("entry", "is not an object")],
        };
    };
    let mut problems: Vec<FieldProblem> = object
        .keys()
        .filter(|key| !FIELDS.contains(&key.as_str()))
        .map(|key| {
            FieldProblem::new(
                "entry",
                format!(
                    "has an unknown field `{key}`; the fields are {}",
                    FIELDS.join(", ")
                ),
            )
        })
        .collect();
    let owner_email = or_default(string(object, "owner_email"), &mut problems);
    let name = or_default(string(object, "name"), &mut problems);
    let description = or_default(string(object, "description"), &mut problems);
    let pin = or_default(string(object, "pin"), &mut problems);
    let guest_pin = or_default(string(object, "guest_pin"), &mut problems);
    let aliases = or_default(aliases(object), &mut problems);
    let allow_guests = or_default(boolean(object, "allow_guests"), &mut problems);
    Row {
        location,
        fields: Some(PersonalVmrFields {
            owner_email: owner_email.unwrap_or_default(),
            name: name.unwrap_or_default(),
            description: description.unwrap_or_default(),
            aliases,
            pin,
            guest_pin,
            allow_guests,
        }),
        problems,
    }
}

/// The value, or its type's default with the problem recorded.
fn or_default<T: Default>(result: Result<T, FieldProblem>, problems: &mut Vec<FieldProblem>) -> T {
    result.unwrap_or_else(|problem| {
        problems.push(problem);
        T::default()
    })
}

fn string(
    object: &Map<String, Value>,
    field: &'static str,
) -> Result<Option<String>, FieldProblem> {
    match object.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(value)) => Ok(Some(value.clone())),
        Some(Value::Number(_)) if field.ends_with("pin") => Err(FieldProblem::new(
            field,
            "is a number; write PINs as strings, e.g. \"0123\", so leading zeros are kept",
        )),
        Some(other) => Err(FieldProblem::new(
            field,
            format!("is {}; expected a string", kind(other)),
        )),
    }
}

fn boolean(object: &Map<String, Value>, field: &'static str) -> Result<bool, FieldProblem> {
    match object.get(field) {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(value)) => Ok(*value),
        Some(other) => Err(FieldProblem::new(
            field,
            format!("is {}; expected true or false", kind(other)),
        )),
    }
}

fn aliases(object: &Map<String, Value>) -> Result<Vec<String>, FieldProblem> {
    let expected = |what: &str| {
        FieldProblem::new(
            "aliases",
            format!("{what}; expected an array of strings, e.g. [\"alice@vc.example.com\"]"),
        )
    };
    match object.get("aliases") {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| match item {
                Value::String(alias) => Ok(alias.clone()),
                other => Err(expected(&format!("has an item that is {}", kind(other)))),
            })
            .collect(),
        Some(other) => Err(expected(&format!("is {}", kind(other)))),
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
