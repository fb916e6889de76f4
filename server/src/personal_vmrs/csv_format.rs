//! CSV: a header row naming the columns (any order; `owner_email`, `name` and `aliases` are
//! required), then one personal VMR per row. Aliases are separated by `;`; `allow_guests` is
//! true/false, yes/no or 1/0, and empty means false. Values are trimmed.

use super::{Row, RowLocation, SyntaxError, FIELDS};
use crate::domain::{FieldProblem, PersonalVmrFields};

const REQUIRED: [&str; 3] = ["owner_email", "name", "aliases"];

/// Position of each of [`FIELDS`] in the file's columns, if present.
type Columns = [Option<usize>; FIELDS.len()];

pub(super) fn rows(text: &str) -> Result<Vec<Row>, SyntaxError> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        // Rows of the wrong width are reported as row problems, with the rest of the file.
        .flexible(true)
        .from_reader(text.as_bytes());
    let header = reader
        .headers()
        .map_err(|e| SyntaxError(e.to_string()))?
        .clone();
    let columns = columns(&header)?;
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| SyntaxError(e.to_string()))?;
        if record.iter().all(str::is_empty) {
            continue;
        }
        let line = record.position().map_or(0, csv::Position::line);
        rows.push(row(&columns, &record, line, header.len()));
    }
    Ok(rows)
}

fn field_index(name: &str) -> usize {
    FIELDS
        .iter()
        .position(|field| *field == name)
        .expect("a documented field")
}

fn columns(header: &csv::StringRecord) -> Result<Columns, SyntaxError> {
    let mut columns: Columns = [None; FIELDS.len()];
    for (position, name) in header.iter().enumerate() {
        let Some(field) = FIELDS.iter().position(|f| f.eq_ignore_ascii_case(name)) else {
            return Err(SyntaxError(format!(
                "the header row names an unknown column `{name}`; the columns are {}",
                FIELDS.join(", ")
            )));
        };
        if columns[field].replace(position).is_some() {
            return Err(SyntaxError(format!(
                "the header row names the column `{name}` twice"
            )));
        }
    }
    let missing: Vec<&str> = REQUIRED
        .into_iter()
        .filter(|name| columns[field_index(name)].is_none())
        .collect();
    if !missing.is_empty() {
        return Err(SyntaxError(format!(
            "the header row lacks the column(s) {}; the first row must name the columns, e.g. {}",
            missing.join(", "),
            FIELDS.join(",")
        )));
    }
    Ok(columns)
}

fn row(columns: &Columns, record: &csv::StringRecord, line: u64, width: usize) -> Row {
    let value = |name: &str| {
        columns[field_index(name)]
            .and_then(|position| record.get(position))
            .unwrap_or("")
    };
    let optional = |name: &str| Some(value(name).to_string()).filter(|v| !v.is_empty());
    let mut problems = Vec::new();
    if record.len() != width {
        problems.push(FieldProblem::new(
            "row",
            format!(
                "has {} values but the header row has {width} columns",
                record.len()
            ),
        ));
    }
    let allow_guests = yes_or_no(value("allow_guests")).unwrap_or_else(|problem| {
        problems.push(problem);
        false
    });
    let fields = PersonalVmrFields {
        owner_email: value("owner_email").to_string(),
        name: value("name").to_string(),
        description: value("description").to_string(),
        aliases: value("aliases")
            .split(';')
            .map(str::trim)
            .filter(|alias| !alias.is_empty())
            .map(str::to_string)
            .collect(),
        pin: optional("pin"),
        guest_pin: optional("guest_pin"),
        allow_guests,
    };
    Row {
        location: RowLocation::Line(line),
        fields: Some(fields),
        problems,
    }
}

fn yes_or_no(value: &str) -> Result<bool, FieldProblem> {
    match value.to_ascii_lowercase().as_str() {
        "" | "false" | "no" | "0" => Ok(false),
        "true" | "yes" | "1" => Ok(true),
        _ => Err(FieldProblem::new(
            "allow_guests",
            format!("`{value}` is not true/false, yes/no or 1/0"),
        )),
    }
}
