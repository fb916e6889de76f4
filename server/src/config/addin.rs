//! The `[integrations.<id>.addin]` section: what the Outlook add-in looks like (names, labels,
//! icon, locales), which surfaces it has, and how its pages obtain an identity token.
//!
//! ```toml
//! [integrations.main.addin]
//! provider_name = "Example Corp"
//! button_label = "Add video meeting"
//! token = "naa"
//! client_id = "a1b2c3d4-…"
//! mobile = true
//! [integrations.main.addin.locales.fr-FR]
//! button_label = "Ajouter une visio"
//! pane = { pane_title = "Salle de visioconférence" }
//! ```
//!
//! Lengths, https-only URLs and the other rules Office imposes on the manifest are checked by
//! the manifest generator, which names the key to change; this module checks shape and
//! consistency with the `auth` section.

use super::Problems;
use crate::icons::IconSet;
use crate::identity::{is_guid, AuthSettings};
use crate::templates::{RawTemplates, TemplateName, Templates};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The manifest strings of one locale, as written; unset ones fall back to the defaults.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct RawAddinStrings {
    /// The add-in's name in Outlook and the admin center (≤ 125 characters; ≤ 30 for the
    /// unified manifest's short name).
    pub display_name: Option<String>,
    /// What the add-in does, shown in the admin center (≤ 250 characters).
    pub description: Option<String>,
    /// The ribbon group holding the buttons (≤ 125 characters).
    pub group_label: Option<String>,
    /// The one-click button (≤ 125 characters).
    pub button_label: Option<String>,
    /// Hover title of the one-click button (≤ 125 characters).
    pub supertip_title: Option<String>,
    /// Hover text of the one-click button (≤ 250 characters).
    pub supertip_description: Option<String>,
    /// The button that opens the task pane (≤ 125 characters).
    pub task_pane_button_label: Option<String>,
    /// Hover text of the task-pane button (≤ 250 characters).
    pub task_pane_supertip_description: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAddinLocale {
    #[serde(flatten)]
    pub strings: RawAddinStrings,
    /// Overrides of the `pane_*` templates in this locale.
    #[serde(default)]
    pub pane: RawTemplates,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawAddin {
    #[serde(flatten)]
    pub strings: RawAddinStrings,
    /// The publisher shown in Outlook (≤ 125 characters). Default: the integration's display name.
    pub provider_name: Option<String>,
    /// Help page for users (https). Default: none in the XML manifest, the public URL in the
    /// unified manifest, which requires one.
    pub support_url: Option<String>,
    /// Privacy statement (https), for the unified manifest. Default: `support_url`, else the public URL.
    pub privacy_url: Option<String>,
    /// Terms of use (https), for the unified manifest. Default: `support_url`, else the public URL.
    pub terms_of_use_url: Option<String>,
    /// Locale of the default strings, e.g. `en-US`.
    pub default_locale: String,
    /// Extra locales, e.g. `[integrations.main.addin.locales.fr-FR]`.
    pub locales: BTreeMap<String, RawAddinLocale>,
    /// A square PNG or SVG file; every icon size is made from it. Default: the built-in icon.
    pub icon: Option<PathBuf>,
    /// The one-click button that adds a single-use VMR. Default true.
    pub function_command: bool,
    /// The task-pane button (options, personal VMRs, remove). Default true.
    pub task_pane: bool,
    /// The mobile online-meeting button (Outlook on Android and iOS). Default false.
    pub mobile: bool,
    /// List the user's personal VMRs in the task pane. Default false.
    pub personal_vmrs: bool,
    /// Per-meeting options in the task pane: host PIN, guest PIN, guests allowed. Default false.
    pub meeting_options: bool,
    /// Serve Office.js and MSAL.js from this service instead of Microsoft's CDN. Default false.
    pub air_gapped: bool,
    /// How the pages get a token: `naa` (Nested App Authentication), `sso` (Office SSO) or
    /// `exchange` (Exchange identity token, on-premises). Default: `naa` when `auth.entra` is
    /// configured, else `exchange`.
    pub token: Option<String>,
    /// The add-in's Entra app registration (client id), for `naa` and `sso`. Default: the API's
    /// client id as found in `auth.entra.audiences` (a GUID audience, or the GUID at the end of
    /// an `api://` audience), which is right when one app registration is both.
    pub client_id: Option<String>,
    /// Scopes the add-in asks for (`naa`, `sso`). Default: `<api audience>/<required scope>`,
    /// from the first `api://` audience of `auth.entra`.
    pub scopes: Option<Vec<String>>,
    /// MSAL authority for `naa`. Default: `https://login.microsoftonline.com/<tenant>` with the
    /// configured tenant, else `…/organizations`.
    pub authority: Option<String>,
    /// `WebApplicationInfo` resource for `sso`. Default: the first `api://` audience of `auth.entra`.
    pub sso_resource: Option<String>,
}

impl Default for RawAddin {
    fn default() -> Self {
        Self {
            strings: RawAddinStrings::default(),
            provider_name: None,
            support_url: None,
            privacy_url: None,
            terms_of_use_url: None,
            default_locale: "en-US".into(),
            locales: BTreeMap::new(),
            icon: None,
            function_command: true,
            task_pane: true,
            mobile: false,
            personal_vmrs: false,
            meeting_options: false,
            air_gapped: false,
            token: None,
            client_id: None,
            scopes: None,
            authority: None,
            sso_resource: None,
        }
    }
}

/// Manifest strings with every default filled in.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AddinStrings {
    pub display_name: String,
    pub description: String,
    pub group_label: String,
    pub button_label: String,
    pub supertip_title: String,
    pub supertip_description: String,
    pub task_pane_button_label: String,
    pub task_pane_supertip_description: String,
}

impl AddinStrings {
    fn resolve(raw: &RawAddinStrings, display_name: &str) -> Self {
        let or = |value: &Option<String>, default: &str| {
            value.clone().unwrap_or_else(|| default.to_string())
        };
        Self {
            display_name: or(&raw.display_name, display_name),
            description: or(
                &raw.description,
                "Adds a video meeting room and its joining instructions to Outlook meetings.",
            ),
            group_label: or(&raw.group_label, display_name),
            button_label: or(&raw.button_label, "Add video meeting"),
            supertip_title: or(&raw.supertip_title, "Add a video meeting room"),
            supertip_description: or(
                &raw.supertip_description,
                "Adds a single-use video meeting room and its joining instructions to this \
                 meeting. The room is booked when you select Send.",
            ),
            task_pane_button_label: or(&raw.task_pane_button_label, "Meeting room options"),
            task_pane_supertip_description: or(
                &raw.task_pane_supertip_description,
                "Choose a personal room, set meeting options, or remove the video meeting room.",
            ),
        }
    }
}

/// An extra locale: the manifest strings it overrides (unset ones are not overridden) and the
/// integration's templates with its `pane_*` overrides applied.
#[derive(Debug, Clone)]
pub struct AddinLocale {
    /// As written, e.g. `fr-FR`.
    pub tag: String,
    pub strings: RawAddinStrings,
    pub templates: Templates,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AddinToken {
    /// Nested App Authentication with MSAL.js: Outlook on the web, new Outlook, current
    /// classic Outlook and Mac, mobile.
    Naa {
        client_id: String,
        scopes: Vec<String>,
        authority: String,
    },
    /// `Office.auth.getAccessToken`; needs `WebApplicationInfo` in the manifest.
    Sso {
        client_id: String,
        resource: String,
        scopes: Vec<String>,
    },
    /// `getUserIdentityTokenAsync` (Exchange Server on-premises).
    Exchange,
}

impl AddinToken {
    pub fn mode(&self) -> &'static str {
        match self {
            Self::Naa { .. } => "naa",
            Self::Sso { .. } => "sso",
            Self::Exchange => "exchange",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct AddinFeatures {
    pub function_command: bool,
    pub task_pane: bool,
    pub mobile: bool,
    pub personal_vmrs: bool,
    pub meeting_options: bool,
}

#[derive(Debug, Clone)]
pub struct AddinSettings {
    pub default_locale: String,
    pub strings: AddinStrings,
    pub locales: Vec<AddinLocale>,
    pub provider_name: String,
    pub support_url: Option<url::Url>,
    pub privacy_url: Option<url::Url>,
    pub terms_of_use_url: Option<url::Url>,
    /// Resolved against the configuration file's folder; `None` means the built-in icon.
    pub icon: Option<PathBuf>,
    /// Every icon size, made from `icon`.
    pub icons: IconSet,
    pub features: AddinFeatures,
    pub air_gapped: bool,
    pub token: AddinToken,
}

/// A culture name as Office writes it: `en-US`, `fr-FR`, `zh-Hant-TW`.
pub fn is_locale_tag(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let language = parts.next().unwrap_or_default();
    (2..=3).contains(&language.len())
        && language.chars().all(|c| c.is_ascii_lowercase())
        && parts.all(|part| {
            (2..=8).contains(&part.len()) && part.chars().all(|c| c.is_ascii_alphanumeric())
        })
}

impl RawAddin {
    /// `key` is the section's key (`integrations.<id>.addin`); `templates` are the integration's
    /// own templates, `raw_templates` their overrides (each locale's pane overrides go on top).
    pub fn validate(
        &self,
        key: &str,
        display_name: &str,
        auth: Option<&AuthSettings>,
        raw_templates: &RawTemplates,
        base_dir: &Path,
        problems: &mut Problems,
    ) -> Option<AddinSettings> {
        let at = |field: &str| format!("{key}.{field}");
        let mut ok = true;
        if !is_locale_tag(&self.default_locale) {
            problems.push(
                at("default_locale"),
                format!("`{}` is not a locale", self.default_locale),
                "a culture name such as en-US",
            );
            ok = false;
        }
        let mut locales = Vec::new();
        for (tag, locale) in &self.locales {
            let locale_key = at(&format!("locales.{tag}"));
            if !is_locale_tag(tag) {
                problems.push(
                    &locale_key,
                    "is not a locale",
                    "a culture name such as fr-FR",
                );
                ok = false;
                continue;
            }
            if tag.eq_ignore_ascii_case(&self.default_locale) {
                problems.push(
                    &locale_key,
                    "is the default locale",
                    "extra locales only; the default strings are set directly in the section",
                );
                ok = false;
                continue;
            }
            for name in locale.pane.overrides.keys() {
                if TemplateName::parse(name).is_some_and(|n| !n.is_pane_string()) {
                    problems.push(
                        format!("{locale_key}.pane.{name}"),
                        "is not a pane string",
                        "only pane_* templates can differ per locale",
                    );
                    ok = false;
                }
            }
            let mut merged = raw_templates.clone();
            merged.overrides.extend(
                locale
                    .pane
                    .overrides
                    .iter()
                    .map(|(name, source)| (name.clone(), source.clone())),
            );
            match merged.validate(&format!("{locale_key}.pane"), base_dir, problems) {
                Some(templates) => locales.push(AddinLocale {
                    tag: tag.clone(),
                    strings: locale.strings.clone(),
                    templates,
                }),
                None => ok = false,
            }
        }
        if !self.function_command && !self.task_pane {
            problems.push(
                at("function_command"),
                "and task_pane are both false",
                "at least one of the two buttons",
            );
            ok = false;
        }
        if self.mobile && !self.function_command {
            problems.push(
                at("mobile"),
                "is true but function_command is false",
                "function_command = true: the mobile button runs the same one-click command",
            );
            ok = false;
        }
        let urls = [
            ("support_url", &self.support_url),
            ("privacy_url", &self.privacy_url),
            ("terms_of_use_url", &self.terms_of_use_url),
        ]
        .map(|(field, value)| {
            value.as_ref().and_then(|text| {
                let parsed = url::Url::parse(text).ok();
                if parsed.is_none() {
                    problems.push(at(field), format!("`{text}` is not a URL"), "an https URL");
                }
                parsed
            })
        });
        let icon = self.icon.as_ref().map(|path| base_dir.join(path));
        if let Some(path) = &icon {
            if !path.is_file() {
                problems.push(
                    at("icon"),
                    format!("`{}` does not exist or is not a file", path.display()),
                    "a square PNG or SVG file (relative paths start at the configuration file's folder)",
                );
                ok = false;
            }
        }
        let icons = if ok || icon.is_none() {
            problems.check(
                at("icon"),
                IconSet::load(icon.as_deref()),
                "a square PNG or SVG image of at least 192×192 pixels (SVG: any size)",
            )
        } else {
            None
        };
        let token = self.validate_token(key, auth, problems);
        let [support_url, privacy_url, terms_of_use_url] = urls;
        if !ok {
            return None;
        }
        Some(AddinSettings {
            default_locale: self.default_locale.clone(),
            strings: AddinStrings::resolve(&self.strings, display_name),
            locales,
            provider_name: self
                .provider_name
                .clone()
                .unwrap_or_else(|| display_name.to_string()),
            support_url,
            privacy_url,
            terms_of_use_url,
            icon,
            icons: icons?,
            features: AddinFeatures {
                function_command: self.function_command,
                task_pane: self.task_pane,
                mobile: self.mobile,
                personal_vmrs: self.personal_vmrs,
                meeting_options: self.meeting_options,
            },
            air_gapped: self.air_gapped,
            token: token?,
        })
    }

    fn validate_token(
        &self,
        key: &str,
        auth: Option<&AuthSettings>,
        problems: &mut Problems,
    ) -> Option<AddinToken> {
        let at = |field: &str| format!("{key}.{field}");
        // Without a valid auth section its own problems are already reported.
        let auth = auth?;
        let mode = match self.token.as_deref() {
            Some(mode) => mode,
            None if auth.accepts_entra() => "naa",
            None => "exchange",
        };
        let api_audience = auth.entra_api_audience();
        let default_scopes = || {
            api_audience
                .as_ref()
                .map(|audience| vec![format!("{audience}/{}", auth.entra_required_scope())])
        };
        let client_id = |problems: &mut Problems| match self
            .client_id
            .as_ref()
            .or(auth.entra_client_id().as_ref())
        {
            Some(id) if is_guid(id) => Some(id.to_ascii_lowercase()),
            Some(id) => {
                problems.push(
                    at("client_id"),
                    format!("`{id}` is not a GUID"),
                    "the application (client) id of the add-in's Entra app registration",
                );
                None
            }
            None => {
                problems.push(
                    at("client_id"),
                    format!("is missing (token = \"{mode}\")"),
                    "the application (client) id of the add-in's Entra app registration",
                );
                None
            }
        };
        let scopes = |problems: &mut Problems| match self.scopes.clone().or_else(default_scopes) {
            Some(scopes)
                if !scopes.is_empty()
                    && scopes
                        .iter()
                        .all(|s| !s.trim().is_empty() && !s.contains(char::is_whitespace)) =>
            {
                Some(scopes)
            }
            Some(_) => {
                problems.push(
                    at("scopes"),
                    "is empty or has a blank scope",
                    "scopes such as api://vmr.example.com/<api-client-id>/access_as_user",
                );
                None
            }
            None => {
                problems.push(
                    at("scopes"),
                    "is missing and auth.entra.audiences has no api:// audience to derive it from",
                    "scopes such as api://vmr.example.com/<api-client-id>/access_as_user",
                );
                None
            }
        };
        let needs_entra = |problems: &mut Problems| {
            if auth.accepts_entra() {
                true
            } else {
                problems.push(
                    at("token"),
                    format!("is `{mode}` but the integration has no auth.entra section"),
                    "token = \"exchange\", or an [auth.entra] section to validate the tokens",
                );
                false
            }
        };
        match mode {
            "naa" => {
                // Without an Entra section the ids below cannot be derived; one problem is enough.
                needs_entra(problems).then_some(())?;
                let client_id = client_id(problems);
                let scopes = scopes(problems);
                let authority = match &self.authority {
                    Some(text) => match url::Url::parse(text) {
                        Ok(url) if url.scheme() == "https" => {
                            Some(text.trim_end_matches('/').to_string())
                        }
                        _ => {
                            problems.push(
                                at("authority"),
                                format!("`{text}` is not an https URL"),
                                "e.g. https://login.microsoftonline.com/<tenant id>",
                            );
                            None
                        }
                    },
                    None => Some(format!(
                        "https://login.microsoftonline.com/{}",
                        auth.entra_tenant().unwrap_or("organizations")
                    )),
                };
                Some(AddinToken::Naa {
                    client_id: client_id?,
                    scopes: scopes?,
                    authority: authority?,
                })
            }
            "sso" => {
                // Without an Entra section the ids below cannot be derived; one problem is enough.
                needs_entra(problems).then_some(())?;
                let client_id = client_id(problems);
                let scopes = scopes(problems);
                let resource = match self.sso_resource.clone().or(api_audience) {
                    Some(resource) if resource.starts_with("api://") => Some(resource),
                    Some(resource) => {
                        problems.push(at("sso_resource"), format!("`{resource}` is not an api:// URI"), "the Application ID URI of the add-in's app registration, e.g. api://vmr.example.com/<client id>");
                        None
                    }
                    None => {
                        problems.push(
                            at("sso_resource"),
                            "is missing and auth.entra.audiences has no api:// audience",
                            "the Application ID URI of the add-in's app registration",
                        );
                        None
                    }
                };
                Some(AddinToken::Sso {
                    client_id: client_id?,
                    resource: resource?,
                    scopes: scopes?,
                })
            }
            "exchange" => {
                if auth.accepts_exchange() {
                    Some(AddinToken::Exchange)
                } else {
                    problems.push(
                        at("token"),
                        "is `exchange` but the integration has no auth.exchange section",
                        "token = \"naa\" or \"sso\", or an [auth.exchange] section",
                    );
                    None
                }
            }
            other => {
                problems.push(
                    at("token"),
                    format!("is `{other}`"),
                    "`naa`, `sso` or `exchange`",
                );
                None
            }
        }
    }
}
