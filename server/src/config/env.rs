//! Environment overrides: `VMR_SCHEDULER__SECTION__KEY=value` replaces `[section] key` of the
//! TOML file, e.g. `VMR_SCHEDULER__DATABASE__URL` or
//! `VMR_SCHEDULER__INTEGRATIONS__MAIN__ALIASES__PREFIX`. Segments are lowercased.

use toml::{Table, Value};

pub const PREFIX: &str = "VMR_SCHEDULER__";

/// Applies every override and returns the dotted keys that were set, so later checks can tell
/// a value that came from the environment from one written in the file.
pub fn apply_overrides(
    table: &mut Table,
    vars: impl IntoIterator<Item = (String, String)>,
) -> Result<Vec<String>, String> {
    let mut applied = Vec::new();
    for (name, raw) in vars {
        let Some(path) = name.strip_prefix(PREFIX) else {
            continue;
        };
        let segments: Vec<String> = path.split("__").map(str::to_ascii_lowercase).collect();
        if segments.iter().any(String::is_empty) {
            return Err(format!(
                "environment variable {name} has an empty key segment"
            ));
        }
        set_path(table, &segments, &raw)
            .map_err(|problem| format!("environment variable {name}: {problem}"))?;
        applied.push(segments.join("."));
    }
    Ok(applied)
}

fn set_path(table: &mut Table, segments: &[String], raw: &str) -> Result<(), String> {
    let (last, parents) = segments.split_last().ok_or("no key")?;
    let mut current = table;
    for segment in parents {
        let entry = current
            .entry(segment.clone())
            .or_insert_with(|| Value::Table(Table::new()));
        current = entry
            .as_table_mut()
            .ok_or_else(|| format!("`{segment}` is a value in the file, not a section"))?;
    }
    let value = typed_value(current.get(last), raw);
    current.insert(last.clone(), value);
    Ok(())
}

/// Keeps the type the file already has for the key (so `PREFIX=123` stays text where the file
/// has text); otherwise reads the value as TOML (numbers, booleans, arrays) or else as text.
fn typed_value(existing: Option<&Value>, raw: &str) -> Value {
    if matches!(existing, Some(Value::String(_))) {
        return Value::String(raw.to_string());
    }
    format!("v = {raw}")
        .parse::<Table>()
        .ok()
        .and_then(|mut parsed| parsed.remove("v"))
        .unwrap_or_else(|| Value::String(raw.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn overrides_nested_keys_and_keeps_types() {
        let mut table: Table =
            "[integrations.main.aliases]\nprefix = \"meet\"\nsuffix_length = 6\n"
                .parse()
                .unwrap();
        let applied = apply_overrides(
            &mut table,
            vars(&[
                ("VMR_SCHEDULER__INTEGRATIONS__MAIN__ALIASES__PREFIX", "123"),
                (
                    "VMR_SCHEDULER__INTEGRATIONS__MAIN__ALIASES__SUFFIX_LENGTH",
                    "8",
                ),
                ("VMR_SCHEDULER__DATABASE__URL", "postgres://db/vmr"),
                ("PATH", "/usr/bin"),
            ]),
        )
        .unwrap();
        assert_eq!(applied.len(), 3);
        let aliases = &table["integrations"]["main"]["aliases"];
        assert_eq!(aliases["prefix"], Value::String("123".into()));
        assert_eq!(aliases["suffix_length"], Value::Integer(8));
        assert_eq!(
            table["database"]["url"],
            Value::String("postgres://db/vmr".into())
        );
    }

    #[test]
    fn refuses_to_replace_a_value_with_a_section() {
        let mut table: Table = "[database]\nurl = \"sqlite://x\"\n".parse().unwrap();
        let error = apply_overrides(
            &mut table,
            vars(&[("VMR_SCHEDULER__DATABASE__URL__X", "1")]),
        )
        .unwrap_err();
        assert!(error.contains("VMR_SCHEDULER__DATABASE__URL__X"), "{error}");
    }
}
