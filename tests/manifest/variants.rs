//! The add-in configurations every schema test generates manifests for, through the same
//! configuration loading and generator as the service.

use std::path::{Path, PathBuf};
use vmr_scheduler::config::Settings;
use vmr_scheduler::manifest::{ManifestInput, Revision};

pub const PUBLIC_URL: &str = "https://vmr.example.org";
const API_AUDIENCE: &str = "api://vmr.example.org/6e4c7a10-3b2d-4f8e-9a1c-5d7b2e9f0c41";

const TWO_LOCALES: &str = r#"
[integrations.main.addin.locales.fr-FR]
display_name = "Planification VMR"
description = "Ajoute une salle de visioconférence à l'invitation."
group_label = "Visio"
button_label = "Ajouter une visio"
supertip_title = "Ajouter une salle"
supertip_description = "Ajoute une salle de visioconférence à usage unique."
task_pane_button_label = "Options de la salle"
task_pane_supertip_description = "Choisir une salle personnelle ou des options."

[integrations.main.addin.locales.de-DE]
button_label = "Videokonferenz hinzufügen"
"#;

pub struct Variant {
    pub name: &'static str,
    /// Lines of `[integrations.main.addin]`.
    addin: &'static str,
    /// Further tables (locales).
    extra: &'static str,
    /// Needs the mobile-capable schema set (MobileFormFactor, WebApplicationInfo).
    pub mobile_schema: bool,
}

pub const VARIANTS: &[Variant] = &[
    Variant {
        name: "function command only",
        addin: "task_pane = false",
        extra: "",
        mobile_schema: false,
    },
    Variant {
        name: "task pane only",
        addin: "function_command = false",
        extra: "",
        mobile_schema: false,
    },
    Variant {
        name: "with task pane",
        addin: "",
        extra: "",
        mobile_schema: false,
    },
    Variant {
        name: "with mobile",
        addin: "mobile = true",
        extra: "",
        mobile_schema: true,
    },
    Variant {
        name: "with SSO",
        addin: "token = \"sso\"",
        extra: "",
        mobile_schema: true,
    },
    Variant {
        name: "with two extra locales",
        addin: "",
        extra: TWO_LOCALES,
        mobile_schema: false,
    },
    Variant {
        name: "with every feature",
        addin: "mobile = true\ntoken = \"sso\"\npersonal_vmrs = true\nmeeting_options = true\n\
                support_url = \"https://help.example.org/vmr\"",
        extra: TWO_LOCALES,
        mobile_schema: true,
    },
];

impl Variant {
    pub fn settings(&self) -> Settings {
        let text = format!(
            r#"[server]
public_url = "{PUBLIC_URL}"

[integrations.main]
display_name = "VMR Scheduling"
equipment_resource = {{ name = "Video Meeting Room", email = "vmr@example.com" }}

[integrations.main.aliases]
prefix = "meet"
domain = "vc.example.com"

[integrations.main.auth.entra]
audiences = ["{API_AUDIENCE}"]

[integrations.main.addin]
{addin}
{extra}
"#,
            addin = self.addin,
            extra = self.extra,
        );
        Settings::from_toml(&text, Path::new("manifest-test.toml"), Vec::new(), &|_| {
            None
        })
        .unwrap_or_else(|error| panic!("{}: invalid configuration: {error}", self.name))
    }
}

/// The generator's input for `settings`, with a fixed id and version 3.
pub fn input(settings: &Settings) -> ManifestInput<'_> {
    ManifestInput::new(
        &settings.integrations[0],
        &settings.server.public_url,
        Revision {
            addin_id: uuid::Uuid::parse_str("4d3c2b1a-5e6f-4a7b-8c9d-0e1f2a3b4c5d").unwrap(),
            version: 3,
        },
    )
}

pub fn repository_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ lies in the repository")
        .to_path_buf()
}

/// Says why a suite cannot run and returns, or fails when `require_var` is `1`.
pub fn unavailable(require_var: &str, reason: &str) {
    if std::env::var(require_var).is_ok_and(|value| value == "1") {
        panic!("{reason}, and {require_var}=1 requires it");
    }
    eprintln!("SKIPPED: {reason}; set {require_var}=1 to make this a failure");
}

/// A file in a fresh temporary folder, removed when dropped.
pub struct TempFile(pub PathBuf);

impl TempFile {
    pub fn with(name: &str, contents: &[u8]) -> Self {
        let dir = std::env::temp_dir().join(format!("vmr-manifest-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).expect("temporary folder");
        let path = dir.join(name);
        std::fs::write(&path, contents).expect("temporary file");
        Self(path)
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if let Some(dir) = self.0.parent() {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}
