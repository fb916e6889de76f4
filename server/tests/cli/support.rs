//! Running the binary in a temporary folder and reading what it printed.

pub use std::path::{Path, PathBuf};
pub use std::process::{Command, Output};
pub use vmr_scheduler::templates::TemplateName;

pub const BIN: &str = env!("CARGO_BIN_EXE_vmr-scheduler");
pub const EXAMPLE_CONFIG: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../config/example.toml");

/// A JWKS with one 2048-bit RSA signing key (public part only).
pub const TEST_JWKS: &str = r#"{"keys":[{"kty":"RSA","use":"sig","alg":"RS256","kid":"test-key","e":"AQAB","n":"pvTGLwIr06L8FDostogpC0Ppk5cEGQ2QdRcdIDe1prYg0FiwfvdNm_E2BZPpiGhoqCPsFTsIKIjQ057KsEygvmgiKiMqx0pZwSkdy1C-5jMVRMMn6Xcx2YgZhH7ybTdLR82cv8WHYwvzvghTwfxrXJgJsINyhRsPrTYD-QG9WWtaK7ksAjdCWcG8SipDB8gj67zepXrTmByBwwTRQyjcku_68YFvsg0aMpv2DzvZYp4pzF8agAbLYcxb9WORyFMCRmyPQ4v9rOaex4MbHiR0OUddPlrR6f27zsBQxqySxEBmvPqBpYt8_fmbnrL-csD-8U00Uq4f_6eILsgi_S2mNw"}]}"#;

pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new() -> Self {
        let path = std::env::temp_dir().join(format!("vmr-cli-test-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&path).unwrap();
        Self(path)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    pub fn write(&self, name: &str, contents: &str) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, contents).unwrap();
        path
    }

    /// `config/example.toml` with its `jwks_file` pointing to a key set written in this folder.
    pub fn example_config(&self) -> PathBuf {
        let jwks = self.write("jwks.json", TEST_JWKS);
        let example = std::fs::read_to_string(EXAMPLE_CONFIG).unwrap();
        let needle = "jwks_file = \"../.dev/jwks.json\"";
        assert!(example.contains(needle), "{EXAMPLE_CONFIG} changed");
        let config = example.replace(
            needle,
            &format!("jwks_file = {:?}", jwks.display().to_string()),
        );
        self.write("vmr-scheduler-example.toml", &config)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The binary run in `dir`, without any configuration variable inherited from this process.
pub fn command(dir: &Path) -> Command {
    let mut command = Command::new(BIN);
    command.current_dir(dir);
    for (name, _) in std::env::vars() {
        if name.starts_with("VMR_SCHEDULER") {
            command.env_remove(name);
        }
    }
    command
}

pub fn run(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = command(dir);
    command.args(args);
    for (name, value) in env {
        command.env(name, value);
    }
    command.output().expect("run vmr-scheduler")
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

pub fn describe(output: &Output) -> String {
    format!(
        "status {:?}\n--- stdout\n{}--- stderr\n{}",
        output.status.code(),
        stdout(output),
        stderr(output)
    )
}

pub fn assert_exit(output: &Output, code: i32) {
    assert_eq!(output.status.code(), Some(code), "{}", describe(output));
}
