//! The offline XML schemas beside the repository (`../shared/schemas`) and `xmllint`, for
//! tests that validate generated documents. Where either is missing a test says why and
//! passes, unless the named variable (e.g. `VMR_REQUIRE_SCHEMAS`) is `1`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// `../shared/schemas` seen from the repository root.
pub fn shared_schemas_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/schemas")
}

/// Says why a suite cannot run and returns, or fails when `require_var` is `1`.
pub fn unavailable(require_var: &str, reason: &str) {
    if std::env::var(require_var).is_ok_and(|value| value == "1") {
        panic!("{reason}, and {require_var}=1 requires it");
    }
    eprintln!("SKIPPED: {reason}; set {require_var}=1 to make this a failure");
}

/// The schema at `relative` below the shared schemas folder, if it and xmllint are there;
/// otherwise reports through [`unavailable`] with `VMR_REQUIRE_SCHEMAS`.
pub fn find_schema(relative: &str) -> Option<PathBuf> {
    let schema = shared_schemas_dir().join(relative);
    if !schema.is_file() {
        unavailable(
            "VMR_REQUIRE_SCHEMAS",
            &format!("the schema {} is missing", schema.display()),
        );
        return None;
    }
    if Command::new("xmllint").arg("--version").output().is_err() {
        unavailable(
            "VMR_REQUIRE_SCHEMAS",
            "xmllint is not installed (Debian: apt-get install libxml2-utils)",
        );
        return None;
    }
    Some(schema)
}

/// `Ok` if `xml` validates against `schema`, else xmllint's report. Panics when xmllint gives
/// no verdict on the document (e.g. exit 5: the schema does not compile).
pub fn xmllint_validate(schema: &Path, xml: &str) -> Result<(), String> {
    let mut child = Command::new("xmllint")
        .args(["--noout", "--nonet", "--schema"])
        .arg(schema)
        .arg("-")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("xmllint starts");
    child
        .stdin
        .take()
        .expect("stdin is piped")
        .write_all(xml.as_bytes())
        .expect("xmllint reads the document");
    let output = child.wait_with_output().expect("xmllint runs");
    let report = String::from_utf8_lossy(&output.stderr).into_owned();
    match output.status.code() {
        Some(0) => Ok(()),
        Some(3) => Err(report),
        other => panic!("xmllint could not validate (exit {other:?}):\n{report}"),
    }
}
