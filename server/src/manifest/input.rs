//! What a manifest is generated from: the integration's settings, the public URL and the stored
//! add-in id and version; and the URLs and keys derived from them.

use super::{ManifestError, MAX_VERSION};
use crate::config::{AddinSettings, IntegrationSettings};
use crate::icons;
use uuid::Uuid;

/// Colour icon sizes of the ribbon buttons: the mandatory 16, 32 and 80 px and the optional ones
/// Outlook picks for other display scales.
pub(super) const RIBBON_ICON_SIZES: [u32; 8] = [16, 20, 24, 32, 40, 48, 64, 80];
/// `IconUrl` and `HighResolutionIconUrl` of the XML manifest.
pub(super) const ICON_PX: u32 = 64;
pub(super) const HIGH_RESOLUTION_ICON_PX: u32 = 128;
/// The unified manifest's colour icon.
pub(super) const PACKAGE_ICON_PX: u32 = 192;

const DEVELOPMENT_WARNING: &str = "For local testing only: server.public_url is http, and \
    Outlook loads add-ins only over https (https://localhost included).";

/// The stored identity of an integration's add-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Revision {
    /// The manifest `Id`, created once per integration.
    pub addin_id: Uuid,
    /// The counter `n` of version `1.0.<n>.0` (XML) / `1.0.<n>` (JSON); 0 for drafts.
    pub version: u64,
}

impl Revision {
    /// Stand-in identity for checks that do not consult storage.
    pub const DRAFT: Self = Self {
        addin_id: Uuid::nil(),
        version: 0,
    };
}

/// Everything a manifest is generated from.
#[derive(Debug, Clone, Copy)]
pub struct ManifestInput<'a> {
    pub integration: &'a IntegrationSettings,
    pub public_url: &'a url::Url,
    pub revision: Revision,
}

impl<'a> ManifestInput<'a> {
    pub fn new(
        integration: &'a IntegrationSettings,
        public_url: &'a url::Url,
        revision: Revision,
    ) -> Self {
        Self {
            integration,
            public_url,
            revision,
        }
    }

    pub(super) fn addin(&self) -> &'a AddinSettings {
        &self.integration.addin
    }

    /// The configuration key of a setting of the add-in section, e.g. `button_label`.
    pub(super) fn key(&self, field: &str) -> String {
        format!("integrations.{}.addin.{field}", self.integration.id)
    }

    /// The configuration key of a setting of one extra locale.
    pub(super) fn locale_key(&self, tag: &str, field: &str) -> String {
        self.key(&format!("locales.{tag}.{field}"))
    }

    pub(super) fn xml_version(&self) -> Result<String, ManifestError> {
        Ok(format!("1.0.{}.0", self.version_part()?))
    }

    pub(super) fn json_version(&self) -> Result<String, ManifestError> {
        Ok(format!("1.0.{}", self.version_part()?))
    }

    fn version_part(&self) -> Result<u64, ManifestError> {
        let version = self.revision.version;
        if version > u64::from(MAX_VERSION) {
            return Err(ManifestError::VersionExhausted {
                integration: self.integration.id.to_string(),
                version,
            });
        }
        Ok(version)
    }

    /// The public URL without a trailing slash.
    fn base(&self) -> &'a str {
        self.public_url.as_str().trim_end_matches('/')
    }

    /// `{public_url}/addin/{integration}/{file}`: the add-in's pages.
    pub(super) fn page_url(&self, file: &str) -> String {
        format!("{}/addin/{}/{file}", self.base(), self.integration.id)
    }

    /// An icon file's URL; the icon set's version in the path gives new icons new URLs, so they
    /// can be cached for good.
    pub(super) fn icon_url(&self, file: &str) -> String {
        self.page_url(&format!("icons/{}/{file}", self.addin().icons.version()))
    }

    pub(super) fn color_icon_url(&self, px: u32) -> String {
        self.icon_url(&icons::color_file(px))
    }

    /// Scheme, host and port of the public URL.
    pub(super) fn origin(&self) -> String {
        self.public_url.origin().ascii_serialization()
    }

    /// Set when the manifests are fit for local testing only: Office refuses http, but
    /// `server.public_url` accepts it for loopback hosts (local runs).
    pub fn development_warning(&self) -> Option<&'static str> {
        (self.public_url.scheme() == "http").then_some(DEVELOPMENT_WARNING)
    }

    /// Help page for users: `support_url`, else the public URL (the unified manifest needs one).
    pub(super) fn website_url(&self) -> String {
        self.addin()
            .support_url
            .as_ref()
            .map_or_else(|| self.public_url.to_string(), url::Url::to_string)
    }

    pub(super) fn privacy_url(&self) -> String {
        self.addin()
            .privacy_url
            .as_ref()
            .map_or_else(|| self.website_url(), url::Url::to_string)
    }

    pub(super) fn terms_of_use_url(&self) -> String {
        self.addin()
            .terms_of_use_url
            .as_ref()
            .map_or_else(|| self.website_url(), url::Url::to_string)
    }

    /// Which setting a URL in the manifest comes from, so that a URL Office refuses can be
    /// traced to the key to change.
    pub(super) fn url_key(&self, url: &str) -> Option<String> {
        let addin = self.addin();
        let configured = [
            ("support_url", &addin.support_url),
            ("privacy_url", &addin.privacy_url),
            ("terms_of_use_url", &addin.terms_of_use_url),
        ];
        configured
            .iter()
            .find(|(_, value)| value.as_ref().is_some_and(|value| value.as_str() == url))
            .map(|(field, _)| self.key(field))
            .or_else(|| {
                url.starts_with(self.base())
                    .then(|| "server.public_url".to_string())
            })
    }
}
