//! Personal VMRs: users' own permanent rooms, imported from a CSV or JSON file by an admin and
//! offered to their owners in the add-in.
//!
//! Both formats have the same fields: `owner_email`, `name` (unique per owner), `description`,
//! `aliases`, `pin`, `guest_pin`, `allow_guests`. A file is imported whole or not at all: every
//! row is validated first and every problem is reported with its row and field.

pub mod cli;
mod csv_format;
mod json_format;

use crate::config::JoiningSettings;
use crate::domain::{FieldProblem, IntegrationId, PersonalVmr, PersonalVmrFields, Pin};
use crate::store::{SaveMode, SavedCounts, Store, StoreError};
use crate::templates::{PersonalVmrContext, SharedValues};
use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

/// The fields of an import file, in the documented order.
pub const FIELDS: [&str; 7] = [
    "owner_email",
    "name",
    "description",
    "aliases",
    "pin",
    "guest_pin",
    "allow_guests",
];

/// Where a row is in its file: a CSV line (1-based, the header is line 1) or a JSON array index
/// (0-based).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowLocation {
    Line(u64),
    Index(usize),
}

impl fmt::Display for RowLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Line(line) => write!(f, "line {line}"),
            Self::Index(index) => write!(f, "entry [{index}]"),
        }
    }
}

/// One problem of one row, e.g. "line 4, pin: must be 4–20 digits".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowProblem {
    pub location: RowLocation,
    pub field: &'static str,
    pub problem: String,
}

impl fmt::Display for RowProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}, {}: {}", self.location, self.field, self.problem)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: unknown file type; the name must end in .csv or .json", path.display())]
    UnknownFormat { path: PathBuf },
    #[error("{} is not a valid {format} file: {detail}", path.display())]
    Syntax {
        path: PathBuf,
        format: &'static str,
        detail: String,
    },
    #[error(
        "{} has {} problem(s); nothing was imported:{}",
        path.display(),
        problems.len(),
        bullet_list(problems)
    )]
    Invalid {
        path: PathBuf,
        problems: Vec<RowProblem>,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn bullet_list(problems: &[RowProblem]) -> String {
    problems
        .iter()
        .map(|problem| format!("\n  - {problem}"))
        .collect()
}

/// A row as a file format read it: the fields (`None` when it is not a record at all), and what
/// was wrong with their form (a value of the wrong type, say) before their content is checked.
struct Row {
    location: RowLocation,
    fields: Option<PersonalVmrFields>,
    problems: Vec<FieldProblem>,
}

/// A file's structure is wrong (not rows at all), as opposed to some rows being invalid.
struct SyntaxError(String);

/// A file format's reader: the text of a file into rows.
type ReadRows = fn(&str) -> Result<Vec<Row>, SyntaxError>;

/// Reads and validates an import file (`.csv` or `.json`, by its name).
pub fn read_file(path: &Path) -> Result<Vec<PersonalVmr>, ImportError> {
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let (format, parse): (&'static str, ReadRows) = match extension.as_deref() {
        Some("csv") => ("CSV", csv_format::rows),
        Some("json") => ("JSON", json_format::rows),
        _ => {
            return Err(ImportError::UnknownFormat {
                path: path.to_path_buf(),
            })
        }
    };
    let text = std::fs::read_to_string(path).map_err(|source| ImportError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    // Spreadsheet programs start UTF-8 exports with a byte-order mark.
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let rows = parse(text).map_err(|SyntaxError(detail)| ImportError::Syntax {
        path: path.to_path_buf(),
        format,
        detail,
    })?;
    validate(rows).map_err(|problems| ImportError::Invalid {
        path: path.to_path_buf(),
        problems,
    })
}

/// Reads `path` and saves its personal VMRs for `integration`; nothing is saved if any row is
/// invalid. `now` is Unix milliseconds.
pub async fn import_file(
    store: &Store,
    integration: &IntegrationId,
    path: &Path,
    mode: SaveMode,
    now: i64,
) -> Result<SavedCounts, ImportError> {
    let vmrs = read_file(path)?;
    Ok(store
        .save_personal_vmrs(integration, &vmrs, mode, now)
        .await?)
}

/// Every row valid and no two with the same owner and name, or every problem found.
fn validate(rows: Vec<Row>) -> Result<Vec<PersonalVmr>, Vec<RowProblem>> {
    let mut problems = Vec::new();
    let mut vmrs = Vec::with_capacity(rows.len());
    let mut seen: HashMap<(String, String), RowLocation> = HashMap::new();
    for row in rows {
        let at = |problem: FieldProblem| RowProblem {
            location: row.location,
            field: problem.field,
            problem: problem.problem,
        };
        let form_problems: Vec<&str> = row.problems.iter().map(|p| p.field).collect();
        match row.fields.as_ref().map(PersonalVmr::parse) {
            Some(Ok(vmr)) if row.problems.is_empty() => {
                let key = (
                    vmr.owner_email().as_str().to_string(),
                    vmr.name().to_string(),
                );
                if let Some(first) = seen.get(&key) {
                    problems.push(at(FieldProblem::new(
                        "name",
                        format!(
                            "`{}` already has a personal VMR named `{}` ({first})",
                            key.0, key.1
                        ),
                    )));
                } else {
                    seen.insert(key, row.location);
                    vmrs.push(vmr);
                }
            }
            outcome => {
                // A field whose form was wrong reads as empty; its content problem would only
                // repeat that.
                let content = outcome
                    .and_then(Result::err)
                    .unwrap_or_default()
                    .into_iter()
                    .filter(|p| !form_problems.contains(&p.field));
                problems.extend(row.problems.clone().into_iter().chain(content).map(at));
            }
        }
    }
    if problems.is_empty() {
        Ok(vmrs)
    } else {
        Err(problems)
    }
}

/// What the personal VMR templates are rendered from. The browser link points at the alias
/// people should call.
pub fn template_context(
    vmr: &PersonalVmr,
    joining: &JoiningSettings,
    shared: SharedValues,
) -> PersonalVmrContext {
    let aliases = vmr.aliases();
    let mut context = PersonalVmrContext {
        name: vmr.name().to_string(),
        description: vmr.description().to_string(),
        domain_aliases: aliases.domain().to_vec(),
        other_aliases: aliases.other().to_vec(),
        numeric_aliases: aliases.numeric().to_vec(),
        allow_guests: vmr.allow_guests(),
        pin: vmr.pin().map(Pin::as_str).map(str::to_string),
        guest_pin: vmr.guest_pin().map(Pin::as_str).map(str::to_string),
        web_join_url: None,
        dial_in_number: joining.dial_in_number.clone(),
        shared,
    };
    context.web_join_url = context
        .preferred_alias()
        .map(|alias| joining.web_join_url_for(alias));
    context
}

#[cfg(test)]
mod tests;
