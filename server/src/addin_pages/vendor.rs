//! Files of the add-in's npm packages (`npm ci` in addin-web), served from
//! `server.addin_vendor_dir`: MSAL.js for Nested App Authentication, and Office.js for sites
//! that cannot reach Microsoft's CDN (`air_gapped`).

use crate::config::{AddinToken, Settings};
use std::fmt;
use std::path::{Path, PathBuf};

/// MSAL.js, relative to the vendor folder.
pub const MSAL_FILE: &str = "@azure/msal-browser/lib/msal-browser.min.js";
pub const MSAL_URL: &str = "/addin/vendor/msal-browser.min.js";
/// The folder of Office.js and the scripts it loads, relative to the vendor folder.
pub const OFFICE_JS_DIR: &str = "@microsoft/office-js/dist";
pub const OFFICE_JS_LOCAL_URL: &str = "/addin/vendor/office-js/office.js";
/// Office.js itself, relative to the vendor folder.
const OFFICE_JS_FILE: &str = "@microsoft/office-js/dist/office.js";

/// Longest path accepted under the Office.js folder; its real paths are far shorter.
const MAX_OFFICE_JS_PATH: usize = 200;

/// A file found in the vendor folder, ready to be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VendorFile {
    pub path: PathBuf,
    pub content_type: &'static str,
}

/// MSAL.js in `dir`, if it is there.
pub async fn msal(dir: &Path) -> Option<VendorFile> {
    let path = dir.join(MSAL_FILE);
    is_file(&path).await.then_some(VendorFile {
        path,
        content_type: "text/javascript; charset=utf-8",
    })
}

/// The file `requested` (a `/`-separated path such as `en-us/outlook_strings.js`) under the
/// Office.js folder of `dir`. Only plain names are accepted (no `..`, no hidden files), only
/// types a browser loads from there, and nothing that resolves outside the folder. Office.js
/// asks for some files with capitals (`AgaveErrorUX/index.html`) that npm installs in lower
/// case, as Microsoft's CDN ignores case; the lower-case name is tried second.
pub async fn office_js(dir: &Path, requested: &str) -> Option<VendorFile> {
    if requested.len() > MAX_OFFICE_JS_PATH || !requested.split('/').all(is_plain_name) {
        return None;
    }
    let content_type = content_type(requested)?;
    let root = tokio::fs::canonicalize(dir.join(OFFICE_JS_DIR))
        .await
        .ok()?;
    let lower = requested.to_ascii_lowercase();
    let candidates = if lower == requested {
        vec![requested]
    } else {
        vec![requested, lower.as_str()]
    };
    for candidate in candidates {
        let Ok(path) = tokio::fs::canonicalize(root.join(candidate)).await else {
            continue;
        };
        if path.starts_with(&root) && is_file(&path).await {
            return Some(VendorFile { path, content_type });
        }
    }
    None
}

fn is_plain_name(segment: &str) -> bool {
    !segment.is_empty()
        && !segment.starts_with('.')
        && segment
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

fn content_type(path: &str) -> Option<&'static str> {
    let extension = path.rsplit_once('.')?.1.to_ascii_lowercase();
    Some(match extension.as_str() {
        "js" => "text/javascript; charset=utf-8",
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "png" => "image/png",
        _ => return None,
    })
}

async fn is_file(path: &Path) -> bool {
    tokio::fs::metadata(path)
        .await
        .is_ok_and(|metadata| metadata.is_file())
}

/// A vendor file an integration's pages load, which the vendor folder does not have.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingVendorFile {
    pub integration: String,
    /// The setting that makes the pages load it, e.g. `token = "naa"`.
    pub needed_for: &'static str,
    /// Relative to the vendor folder.
    pub file: &'static str,
    pub vendor_dir: Option<PathBuf>,
}

impl fmt::Display for MissingVendorFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "integration `{}` ({}) needs {}, ",
            self.integration, self.needed_for, self.file
        )?;
        match &self.vendor_dir {
            Some(dir) => write!(
                f,
                "which is not in server.addin_vendor_dir ({})",
                dir.display()
            )?,
            None => f.write_str("but server.addin_vendor_dir is not set")?,
        }
        f.write_str(
            "; its add-in pages will not work until then: run `npm ci` in addin-web and set \
             server.addin_vendor_dir to its node_modules folder",
        )
    }
}

/// Every vendor file some integration needs but the vendor folder lacks.
pub fn missing_files(settings: &Settings) -> Vec<MissingVendorFile> {
    let vendor_dir = settings.server.addin_vendor_dir.as_deref();
    let mut missing = Vec::new();
    for integration in &settings.integrations {
        let addin = &integration.addin;
        let needs = [
            (
                matches!(addin.token, AddinToken::Naa { .. }),
                "token = \"naa\"",
                MSAL_FILE,
            ),
            (addin.air_gapped, "air_gapped = true", OFFICE_JS_FILE),
        ];
        for (needed, needed_for, file) in needs {
            let present = vendor_dir.is_some_and(|dir| dir.join(file).is_file());
            if needed && !present {
                missing.push(MissingVendorFile {
                    integration: integration.id.as_str().to_string(),
                    needed_for,
                    file,
                    vendor_dir: vendor_dir.map(Path::to_path_buf),
                });
            }
        }
    }
    missing
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_names_of_served_types_are_accepted() {
        assert!(is_plain_name("outlook-web-16.01.js"));
        for bad in ["", ".", "..", ".hidden", "a b", "a\\b", "%2e%2e", "a:b"] {
            assert!(!is_plain_name(bad), "{bad:?}");
        }
        assert_eq!(
            content_type("office.js"),
            Some("text/javascript; charset=utf-8")
        );
        assert_eq!(
            content_type("AgaveErrorUX/index.HTML"),
            Some("text/html; charset=utf-8")
        );
        assert_eq!(content_type("office.d.ts"), None);
        assert_eq!(content_type("LICENSE"), None);
    }

    #[tokio::test]
    async fn office_js_files_resolve_inside_the_folder_only() {
        let dir = std::env::temp_dir().join(format!("vmr-vendor-{}", uuid::Uuid::new_v4()));
        let dist = dir.join(OFFICE_JS_DIR);
        std::fs::create_dir_all(dist.join("agaveerrorux")).unwrap();
        std::fs::write(dist.join("office.js"), "//").unwrap();
        std::fs::write(dist.join("agaveerrorux/index.html"), "<p>").unwrap();
        std::fs::write(dir.join("secret.js"), "//").unwrap();

        let found = office_js(&dir, "office.js").await.expect("office.js");
        assert_eq!(found.content_type, "text/javascript; charset=utf-8");
        let upper = office_js(&dir, "AgaveErrorUX/index.html").await;
        assert!(upper.is_some_and(|file| file.path.ends_with("agaveerrorux/index.html")));
        for refused in [
            "../../../secret.js",
            "..",
            "agaveerrorux",
            "",
            "missing.js",
            "/office.js",
        ] {
            assert_eq!(office_js(&dir, refused).await, None, "{refused}");
        }
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(dir.join("secret.js"), dist.join("link.js")).unwrap();
            assert_eq!(
                office_js(&dir, "link.js").await,
                None,
                "symlink out of the folder"
            );
        }
        assert!(msal(&dir).await.is_none());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    fn settings(server_extra: &str, addin: &str) -> Settings {
        let text = format!(
            r#"[server]
public_url = "https://vmr.example.com"
{server_extra}
[integrations.main]
equipment_resource = {{ name = "Video Meeting Room", email = "vmr@example.com" }}
aliases = {{ prefix = "meet", domain = "vc.example.com" }}
[integrations.main.auth.entra]
audiences = ["api://vmr.example.com/6e4c7a10-3b2d-4f8e-9a1c-5d7b2e9f0c41"]
[integrations.main.addin]
{addin}
"#
        );
        Settings::from_toml(&text, Path::new("/etc/vmr/vmr.toml"), Vec::new(), &|_| None)
            .unwrap_or_else(|error| panic!("{error}"))
    }

    #[test]
    fn each_needed_file_missing_is_named_with_its_integration_and_the_fix() {
        let missing = missing_files(&settings("", "air_gapped = true"));
        let files: Vec<&str> = missing.iter().map(|m| m.file).collect();
        assert_eq!(files, [MSAL_FILE, OFFICE_JS_FILE]);
        let message = missing[0].to_string();
        for part in [
            "integration `main`",
            "token = \"naa\"",
            MSAL_FILE,
            "server.addin_vendor_dir is not set",
            "run `npm ci` in addin-web",
        ] {
            assert!(message.contains(part), "{part} in {message}");
        }
        let relative = settings("addin_vendor_dir = \"node_modules\"", "");
        let message = missing_files(&relative)[0].to_string();
        assert!(message.contains("(/etc/vmr/node_modules)"), "{message}");
    }

    #[test]
    fn nothing_is_missing_when_nothing_is_needed_or_everything_is_there() {
        assert!(missing_files(&settings("", "token = \"sso\"")).is_empty());
        let dir = std::env::temp_dir().join(format!("vmr-vendor-{}", uuid::Uuid::new_v4()));
        for file in [MSAL_FILE, OFFICE_JS_FILE] {
            std::fs::create_dir_all(dir.join(file).parent().unwrap()).unwrap();
            std::fs::write(dir.join(file), "//").unwrap();
        }
        let line = format!("addin_vendor_dir = \"{}\"", dir.display());
        assert!(missing_files(&settings(&line, "air_gapped = true")).is_empty());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
