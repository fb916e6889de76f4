//! The Outlook add-in's web side: the function file and task pane pages rendered per
//! integration, their scripts under a content-hashed build id, the npm copies of Office.js and
//! MSAL.js, and the Content-Security-Policy of the pages.
//!
//! Pages are rendered once at start ([`AddinPages::build`]); a request only looks one up.

mod assets;
mod csp;
mod page;
mod page_config;
mod vendor;

pub use assets::{asset_base, build_id, find as find_asset, Asset, ASSETS};
pub use csp::{content_security_policy, OFFICE_JS_CDN_URL, OUTLOOK_FRAME_ANCESTORS};
pub use page::{Page, PageError};
pub use page_config::{script_safe_json, PageConfig, TokenConfig, FUNCTION_NAME};
pub use vendor::{
    missing_files as missing_vendor_files, MissingVendorFile, VendorFile, MSAL_URL,
    OFFICE_JS_LOCAL_URL,
};

use crate::config::{AddinToken, IntegrationSettings, Settings};
use page::PageValues;
use std::collections::HashMap;
use std::path::PathBuf;

/// Both pages of one integration and the policy they are served with.
#[derive(Debug, Clone)]
pub struct IntegrationPages {
    pub commands_html: String,
    pub taskpane_html: String,
    pub content_security_policy: String,
}

impl IntegrationPages {
    pub fn html(&self, page: Page) -> &str {
        match page {
            Page::Commands => &self.commands_html,
            Page::Taskpane => &self.taskpane_html,
        }
    }
}

/// Every integration's pages, and where the vendor files are.
#[derive(Debug)]
pub struct AddinPages {
    /// By integration id; an integration whose pages failed to render keeps the error, so its
    /// page routes answer 500 while the rest of the service runs.
    pages: HashMap<String, Result<IntegrationPages, PageError>>,
    vendor_dir: Option<PathBuf>,
}

impl AddinPages {
    /// Renders every integration's pages and logs, as errors, what will not work: a page that
    /// failed to render and each vendor file that is needed but missing.
    pub fn build(settings: &Settings) -> Self {
        let pages = settings
            .integrations
            .iter()
            .map(|integration| {
                let rendered = render(integration, &settings.server.public_url);
                if let Err(error) = &rendered {
                    tracing::error!(integration = integration.id.as_str(), %error, "add-in pages unavailable");
                }
                (integration.id.as_str().to_string(), rendered)
            })
            .collect();
        for missing in vendor::missing_files(settings) {
            tracing::error!(
                integration = missing.integration.as_str(),
                file = missing.file,
                "{missing}"
            );
        }
        Self {
            pages,
            vendor_dir: settings.server.addin_vendor_dir.clone(),
        }
    }

    /// `None` for an unknown integration.
    pub fn integration(&self, id: &str) -> Option<Result<&IntegrationPages, &PageError>> {
        self.pages.get(id).map(Result::as_ref)
    }

    /// MSAL.js from the vendor folder, if configured and present.
    pub async fn msal_file(&self) -> Option<VendorFile> {
        vendor::msal(self.vendor_dir.as_deref()?).await
    }

    /// A file of the Office.js folder, e.g. `office.js` or `en-us/outlook_strings.js`.
    pub async fn office_js_file(&self, requested: &str) -> Option<VendorFile> {
        vendor::office_js(self.vendor_dir.as_deref()?, requested).await
    }
}

fn render(
    integration: &IntegrationSettings,
    public_url: &url::Url,
) -> Result<IntegrationPages, PageError> {
    let addin = &integration.addin;
    let shared = integration.shared_values(public_url);
    let config = PageConfig::new(integration, &shared).map_err(|error| PageError {
        page: "configuration",
        reason: error.to_string(),
    })?;
    let title = config
        .strings
        .get(addin.default_locale.as_str())
        .and_then(|strings| strings.get("pane_title"))
        .cloned()
        .unwrap_or_default();
    let asset_base = asset_base();
    let config_json = config.to_script_json();
    let values = PageValues {
        lang: &addin.default_locale,
        title: &title,
        office_js_url: if addin.air_gapped {
            OFFICE_JS_LOCAL_URL
        } else {
            OFFICE_JS_CDN_URL
        },
        msal_js_url: match addin.token {
            AddinToken::Naa { .. } => MSAL_URL,
            AddinToken::Sso { .. } | AddinToken::Exchange => "",
        },
        asset_base: &asset_base,
        config_json: &config_json,
    };
    Ok(IntegrationPages {
        commands_html: page::render(Page::Commands, &values)?,
        taskpane_html: page::render(Page::Taskpane, &values)?,
        content_security_policy: content_security_policy(addin, &integration.auth),
    })
}
