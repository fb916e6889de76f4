//! `dev-idp`: a local signing key and Entra-style v2.0 access tokens for demos and benchmarks.
//!
//! ```text
//! dev-idp init DIR
//! dev-idp token --dir DIR --tenant GUID --audience AUD [--scope access_as_user] [--oid GUID]
//!               [--email x@y] [--lifetime-secs 3600]
//!               [--issuer-v2-template https://login.microsoftonline.com/{tenantid}/v2.0]
//! ```
//!
//! `init` writes `DIR/private-key.pem` (PKCS#8) and `DIR/jwks.json` unless they exist. `token`
//! prints a token signed with that key, whose `kid` is taken from `jwks.json`, so a server
//! configured with `jwks_file = DIR/jwks.json` accepts it.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context};
use serde_json::Value;
use vmr_scheduler_tests::{jwk_set, EntraToken, TestKey};

const USAGE: &str = "usage:
  dev-idp init DIR
  dev-idp token --dir DIR --tenant GUID --audience AUD [--scope access_as_user] [--oid GUID]
                [--email x@y] [--lifetime-secs 3600]
                [--issuer-v2-template https://login.microsoftonline.com/{tenantid}/v2.0]";

/// Object ID used when `--oid` is not given, so repeated tokens name the same user.
const DEMO_OID: &str = "00000000-0000-4000-8000-00000000d3e0";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("init") if args.len() == 2 => init(Path::new(&args[1])),
        Some("token") => parse_flags(&args[1..]).and_then(|flags| token(&flags)),
        Some("-h" | "--help" | "help") => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("dev-idp: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn key_path(dir: &Path) -> PathBuf {
    dir.join("private-key.pem")
}

fn jwks_path(dir: &Path) -> PathBuf {
    dir.join("jwks.json")
}

fn init(dir: &Path) -> anyhow::Result<()> {
    fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let key_file = key_path(dir);
    let key = if key_file.exists() {
        load_key(&key_file)?
    } else {
        let key = TestKey::generate();
        write_private(&key_file, key.private_key_pem())?;
        eprintln!("wrote {}", key_file.display());
        key
    };
    let jwks_file = jwks_path(dir);
    if !jwks_file.exists() {
        let jwks = serde_json::to_string_pretty(&jwk_set(&[key], None))?;
        fs::write(&jwks_file, jwks + "\n")
            .with_context(|| format!("writing {}", jwks_file.display()))?;
        eprintln!("wrote {}", jwks_file.display());
    }
    Ok(())
}

fn load_key(path: &Path) -> anyhow::Result<TestKey> {
    let pem = fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    TestKey::from_pkcs8_pem(&pem).with_context(|| format!("parsing {}", path.display()))
}

fn write_private(path: &Path, pem: &str) -> anyhow::Result<()> {
    use std::io::Write as _;
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(path)
        .with_context(|| format!("creating {}", path.display()))?;
    file.write_all(pem.as_bytes())?;
    Ok(())
}

fn parse_flags(args: &[String]) -> anyhow::Result<HashMap<String, String>> {
    const KNOWN: [&str; 8] = [
        "dir",
        "tenant",
        "audience",
        "scope",
        "oid",
        "email",
        "lifetime-secs",
        "issuer-v2-template",
    ];
    let mut flags = HashMap::new();
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        let Some(name) = arg.strip_prefix("--").filter(|n| KNOWN.contains(n)) else {
            bail!("unexpected argument {arg:?}\n{USAGE}");
        };
        let value = rest
            .next()
            .with_context(|| format!("--{name} needs a value"))?;
        flags.insert(name.to_owned(), value.clone());
    }
    for required in ["dir", "tenant", "audience"] {
        if !flags.contains_key(required) {
            bail!("missing --{required}\n{USAGE}");
        }
    }
    Ok(flags)
}

fn token(flags: &HashMap<String, String>) -> anyhow::Result<()> {
    let flag = |name: &str, default: &'static str| flags.get(name).map_or(default, String::as_str);
    let dir = Path::new(&flags["dir"]);
    let key = load_key(&key_path(dir))?;
    let kid = kid_from_jwks(&jwks_path(dir), &key)?;
    let lifetime: i64 = flag("lifetime-secs", "3600")
        .parse()
        .context("--lifetime-secs must be an integer")?;
    let token = EntraToken::v2(&key.with_kid(kid), &flags["tenant"], &flags["audience"])
        .issuer_template(flag(
            "issuer-v2-template",
            "https://login.microsoftonline.com/{tenantid}/v2.0",
        ))
        .scope(flag("scope", "access_as_user"))
        .oid(flag("oid", DEMO_OID))
        .username(flag("email", "demo.user@example.com"))
        .name("Demo User")
        .expires_in(lifetime)
        .build();
    println!("{token}");
    Ok(())
}

/// The `kid` of the `jwks.json` entry whose modulus matches `key`.
fn kid_from_jwks(path: &Path, key: &TestKey) -> anyhow::Result<String> {
    let text = fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let jwks: Value =
        serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
    let entry = jwks["keys"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|jwk| jwk["n"] == key.n())
        .with_context(|| format!("{} has no entry for private-key.pem", path.display()))?;
    let kid = entry["kid"]
        .as_str()
        .with_context(|| format!("{}: matching key has no kid", path.display()))?;
    Ok(kid.to_owned())
}
