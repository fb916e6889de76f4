//! The two HTML pages (`addin-web/commands.html`, `addin-web/taskpane.html`), compiled into the
//! binary as Handlebars templates and rendered once per integration at start.

use handlebars::Handlebars;
use serde::Serialize;
use std::sync::OnceLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page {
    /// The function file: registers the one-click command.
    Commands,
    /// The task pane (also the legacy `FormSettings` page).
    Taskpane,
}

impl Page {
    pub const ALL: [Page; 2] = [Page::Commands, Page::Taskpane];

    fn key(self) -> &'static str {
        match self {
            Self::Commands => "commands.html",
            Self::Taskpane => "taskpane.html",
        }
    }

    fn source(self) -> &'static str {
        match self {
            Self::Commands => include_str!("../../../addin-web/commands.html"),
            Self::Taskpane => include_str!("../../../addin-web/taskpane.html"),
        }
    }
}

/// Every variable the page templates receive (see the add-in's page contract).
#[derive(Debug, Serialize)]
pub struct PageValues<'a> {
    /// The default locale, for `<html lang>`.
    pub lang: &'a str,
    /// The `pane_title` string of the default locale.
    pub title: &'a str,
    pub office_js_url: &'a str,
    /// Empty when the pages do not load MSAL.js.
    pub msal_js_url: &'a str,
    /// `/addin/assets/{build}`, without a trailing slash.
    pub asset_base: &'a str,
    /// Already safe inside `<script type="application/json">`; the templates insert it raw.
    pub config_json: &'a str,
}

/// The pages could not be rendered; with the built-in templates this means a template uses a
/// variable [`PageValues`] does not have, which the tests catch.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("add-in page {page}: {reason}")]
pub struct PageError {
    pub page: &'static str,
    pub reason: String,
}

fn registry() -> Result<&'static Handlebars<'static>, PageError> {
    static REGISTRY: OnceLock<Result<Handlebars<'static>, PageError>> = OnceLock::new();
    REGISTRY
        .get_or_init(|| {
            let mut registry = Handlebars::new();
            // A variable the page names but the server does not send is an error, not "".
            registry.set_strict_mode(true);
            for page in Page::ALL {
                registry
                    .register_template_string(page.key(), page.source())
                    .map_err(|error| PageError {
                        page: page.key(),
                        reason: error.to_string(),
                    })?;
            }
            Ok(registry)
        })
        .as_ref()
        .map_err(Clone::clone)
}

pub fn render(page: Page, values: &PageValues<'_>) -> Result<String, PageError> {
    registry()?
        .render(page.key(), values)
        .map_err(|error| PageError {
            page: page.key(),
            reason: error.to_string(),
        })
}
