//! Schema validation of request envelopes with `xmllint` against the EWS envelope schema.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

/// Environment variable naming the folder with `ews-soap-envelope.xsd` (overrides the default
/// location next to the repository).
pub const SCHEMA_DIR_VAR: &str = "VMR_EWS_SCHEMA_DIR";
/// When `1`, a missing `xmllint` or schema is an error instead of a skipped check.
pub const REQUIRE_VAR: &str = "VMR_REQUIRE_SCHEMAS";

/// The envelope schema, if it and `xmllint` are available. Says once why validation is off.
pub fn envelope_schema() -> Option<&'static Path> {
    static SCHEMA: OnceLock<Option<PathBuf>> = OnceLock::new();
    SCHEMA
        .get_or_init(|| {
            let dir = std::env::var_os(SCHEMA_DIR_VAR)
                .map(PathBuf::from)
                .unwrap_or_else(|| {
                    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/schemas/ews")
                });
            let schema = dir.join("ews-soap-envelope.xsd");
            let problem = if !schema.is_file() {
                Some(format!("the EWS schemas are not in {}", dir.display()))
            } else if Command::new("xmllint").arg("--version").output().is_err() {
                Some("xmllint is not installed (Debian: apt-get install libxml2-utils)".to_owned())
            } else {
                None
            };
            match problem {
                None => Some(schema),
                Some(problem) if std::env::var(REQUIRE_VAR).as_deref() == Ok("1") => {
                    panic!("EWS schema validation required ({REQUIRE_VAR}=1), but {problem}")
                }
                Some(problem) => {
                    eprintln!("EWS emulator: request validation skipped: {problem}");
                    None
                }
            }
        })
        .as_deref()
}

/// `Ok` if `xml` validates against `schema`, else xmllint's report.
pub fn check(schema: &Path, xml: &str) -> Result<(), String> {
    let mut child = Command::new("xmllint")
        .args(["--noout", "--nonet", "--schema"])
        .arg(schema)
        .arg("-")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("xmllint did not start: {e}"))?;
    if let Some(mut stdin) = child.stdin.take() {
        // A write error means xmllint stopped early; its exit status tells why.
        let _ = stdin.write_all(xml.as_bytes());
    }
    let output = child
        .wait_with_output()
        .map_err(|e| format!("xmllint failed: {e}"))?;
    let report = String::from_utf8_lossy(&output.stderr).trim().to_owned();
    match output.status.code() {
        Some(0) => Ok(()),
        _ => Err(report.replace("-:", "line ")),
    }
}
