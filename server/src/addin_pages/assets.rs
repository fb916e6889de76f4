//! The add-in's own scripts and style sheet, compiled into the binary and served under a build
//! id derived from their content, so browsers may cache them forever and still pick up an upgrade.

use sha2::{Digest, Sha256};
use std::sync::OnceLock;

const JAVASCRIPT: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";

/// One file of `addin-web/src`.
#[derive(Debug)]
pub struct Asset {
    pub name: &'static str,
    pub content_type: &'static str,
    pub body: &'static str,
}

macro_rules! assets {
    ($($name:literal => $content_type:expr),* $(,)?) => {
        &[$(Asset {
            name: $name,
            content_type: $content_type,
            body: include_str!(concat!("../../../addin-web/src/", $name)),
        }),*]
    };
}

/// Every asset; the pages load them from `{asset_base}/{name}`.
pub const ASSETS: &[Asset] = assets![
    "body.js" => JAVASCRIPT,
    "auth.js" => JAVASCRIPT,
    "api.js" => JAVASCRIPT,
    "addin.js" => JAVASCRIPT,
    "commands.js" => JAVASCRIPT,
    "taskpane.js" => JAVASCRIPT,
    "taskpane.css" => CSS,
];

/// Hex digits of the content hash in the build id: enough that two builds never share one.
const BUILD_ID_LENGTH: usize = 12;

/// The short SHA-256 of every asset's name and content, e.g. `3f2a9c1b04de`.
pub fn build_id() -> &'static str {
    static BUILD_ID: OnceLock<String> = OnceLock::new();
    BUILD_ID.get_or_init(|| {
        let mut hasher = Sha256::new();
        for asset in ASSETS {
            // Lengths keep `a` + `bc` from hashing like `ab` + `c`.
            for part in [asset.name, asset.body] {
                hasher.update((part.len() as u64).to_le_bytes());
                hasher.update(part.as_bytes());
            }
        }
        let digest = hasher.finalize();
        let hex: String = digest.iter().map(|byte| format!("{byte:02x}")).collect();
        hex[..BUILD_ID_LENGTH].to_string()
    })
}

/// The path prefix of the current build's assets, without a trailing slash.
pub fn asset_base() -> String {
    format!("/addin/assets/{}", build_id())
}

/// The asset `name` of build `build`; `None` for an unknown name or another build's id.
pub fn find(build: &str, name: &str) -> Option<&'static Asset> {
    if build != build_id() {
        return None;
    }
    ASSETS.iter().find(|asset| asset.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn build_id_is_short_lowercase_hex_and_stable() {
        let id = build_id();
        assert_eq!(id.len(), BUILD_ID_LENGTH);
        assert!(id
            .chars()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
        assert_eq!(id, build_id());
        assert_eq!(asset_base(), format!("/addin/assets/{id}"));
    }

    #[test]
    fn assets_are_found_only_under_the_current_build() {
        let id = build_id();
        let script = find(id, "commands.js").expect("commands.js is embedded");
        assert_eq!(script.content_type, JAVASCRIPT);
        assert_eq!(find(id, "taskpane.css").unwrap().content_type, CSS);
        assert!(find("000000000000", "commands.js").is_none());
        assert!(find(id, "missing.js").is_none());
        assert!(find(id, "../commands.js").is_none());
    }
}
