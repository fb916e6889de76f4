//! The add-in's pages: rendered per integration with their configuration, served with a policy
//! that lets only Outlook frame them and forbids inline code, scripts cached under a build id,
//! and the npm copies of Office.js and MSAL.js from the vendor folder.

use crate::helpers::*;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use vmr_scheduler::addin_pages::{build_id, ASSETS, FUNCTION_NAME, OUTLOOK_FRAME_ANCESTORS};
use vmr_scheduler::templates::TemplateName;
use vmr_scheduler_tests::test_db::{run_on, TestBackend};
use vmr_scheduler_tests::LoopbackIdp;

const PAGES: [&str; 2] = ["commands.html", "taskpane.html"];
const OFFICE_CDN: &str = "https://appsforoffice.microsoft.com/lib/1/hosted/office.js";
const MSAL_URL: &str = "/addin/vendor/msal-browser.min.js";
/// Written into the default pane title to prove the configuration cannot end its element.
const HOSTILE_TITLE: &str = "Rooms </script><script>alert(1)</script> & <!-- \u{2028}";

/// The pages do not touch the database, so SQLite alone is enough.
async fn on_sqlite<F, Fut>(case: F)
where
    F: FnOnce(String) -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    run_on(TestBackend::Sqlite, case).await;
}

/// Besides the standard integrations (`single`: token naa, `onprem`: token exchange):
/// - `pane`: token sso, French strings, personal VMRs and meeting options, a hostile title;
/// - `airgap`: token naa with Office.js served locally.
fn page_integrations(idp: &LoopbackIdp) -> String {
    let entra = entra_auth(
        idp,
        &format!(r#"tenant_id = "{TENANT}""#),
        &idp.v2_metadata_url(TENANT),
    );
    let title = toml_string(HOSTILE_TITLE);
    format!(
        r#"{pane}
        [integrations.pane.templates]
        pane_title = {title}
        [integrations.pane.addin]
        token = "sso"
        personal_vmrs = true
        meeting_options = true
        [integrations.pane.addin.locales.fr-FR]
        pane = {{ pane_title = "Salle de visioconférence", pane_error_heading = "Erreur <b>grave</b>" }}
        {airgap}
        [integrations.airgap.addin]
        air_gapped = true
        "#,
        pane = integration_toml("pane", 6, UNLIMITED, &entra),
        airgap = integration_toml("airgap", 6, UNLIMITED, &entra),
    )
}

/// A TOML basic string holding `text`.
fn toml_string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() || c == '\u{2028}' => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

async fn spawn_with_pages(db: &str, vendor_dir: Option<&Path>) -> TestApp {
    let server_extra = vendor_dir
        .map(|dir| {
            format!(
                "addin_vendor_dir = {}",
                toml_string(&dir.display().to_string())
            )
        })
        .unwrap_or_default();
    spawn_app_with(db, &server_extra, page_integrations).await
}

struct Page {
    headers: reqwest::header::HeaderMap,
    html: String,
}

impl Page {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(|value| value.to_str().unwrap())
    }

    /// The content of `#vmr-config`, parsed.
    fn config(&self) -> Value {
        let json = scripts(&self.html)
            .into_iter()
            .find(|script| script.attributes.contains(r#"id="vmr-config""#))
            .expect("a #vmr-config script")
            .content;
        serde_json::from_str(&json).unwrap_or_else(|e| panic!("config JSON: {e}\n{json}"))
    }

    fn script_sources(&self) -> Vec<String> {
        scripts(&self.html)
            .into_iter()
            .filter_map(|script| attribute(&script.attributes, "src"))
            .collect()
    }

    /// Directive name → sources.
    fn policy(&self) -> BTreeMap<String, Vec<String>> {
        let policy = self.header("content-security-policy").expect("a policy");
        policy
            .split(';')
            .map(|directive| {
                let mut words = directive.split_whitespace().map(str::to_string);
                (words.next().expect("directive name"), words.collect())
            })
            .collect()
    }
}

async fn get_page(app: &TestApp, integration: &str, page: &str) -> Page {
    let response = app
        .client
        .get(app.url(&format!("/addin/{integration}/{page}")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "{integration}/{page}");
    let headers = response.headers().clone();
    Page {
        headers,
        html: response.text().await.unwrap(),
    }
}

struct Script {
    attributes: String,
    content: String,
}

/// Every `<script …>…</script>` of `html`, in order.
fn scripts(html: &str) -> Vec<Script> {
    let mut found = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<script") {
        let after = &rest[start + "<script".len()..];
        let tag_end = after.find('>').expect("script tag ends");
        let body = &after[tag_end + 1..];
        let close = body.find("</script>").expect("script element ends");
        found.push(Script {
            attributes: after[..tag_end].to_string(),
            content: body[..close].to_string(),
        });
        rest = &body[close..];
    }
    found
}

fn attribute(attributes: &str, name: &str) -> Option<String> {
    let marker = format!("{name}=\"");
    let start = attributes
        .match_indices(&marker)
        .find(|(at, _)| *at == 0 || attributes[..*at].ends_with(char::is_whitespace))?
        .0
        + marker.len();
    let end = attributes[start..].find('"')?;
    Some(attributes[start..start + end].to_string())
}

/// What the policy forbids: inline scripts (other than the JSON data), inline event handlers,
/// inline styles and `javascript:` URLs.
fn assert_no_inline_code(html: &str, context: &str) {
    for script in scripts(html) {
        if attribute(&script.attributes, "src").is_some() {
            assert!(
                script.content.trim().is_empty(),
                "{context}: script with src and content"
            );
        } else {
            assert_eq!(
                attribute(&script.attributes, "type").as_deref(),
                Some("application/json"),
                "{context}: inline script {}",
                script.attributes
            );
        }
    }
    let lower = html.to_ascii_lowercase();
    assert!(!lower.contains("<style"), "{context}: <style> element");
    assert!(!lower.contains(" style=\""), "{context}: style attribute");
    assert!(!lower.contains("javascript:"), "{context}: javascript: URL");
    let handler = lower
        .match_indices(" on")
        .map(|(at, _)| &lower[at + 3..])
        .find(|tail| {
            let name_end = tail.find(|c: char| !c.is_ascii_lowercase()).unwrap_or(0);
            name_end > 0 && tail[name_end..].starts_with('=')
        });
    assert!(handler.is_none(), "{context}: inline event handler");
}

fn sources<'a>(policy: &'a BTreeMap<String, Vec<String>>, directive: &str) -> Vec<&'a str> {
    policy
        .get(directive)
        .unwrap_or_else(|| panic!("no {directive} in {policy:?}"))
        .iter()
        .map(String::as_str)
        .collect()
}

async fn pages_render_for_every_token_mode(db: String) {
    let app = spawn_with_pages(&db, None).await;
    let asset_base = format!("/addin/assets/{}", build_id());
    for (integration, mode) in [("single", "naa"), ("pane", "sso"), ("onprem", "exchange")] {
        for name in PAGES {
            let context = format!("{integration}/{name}");
            let page = get_page(&app, integration, name).await;
            assert_eq!(
                page.header("content-type"),
                Some("text/html; charset=utf-8")
            );
            assert_eq!(page.header("cache-control"), Some("no-cache"), "{context}");
            assert_eq!(
                page.header("x-frame-options"),
                None,
                "{context}: Outlook frames the pages"
            );
            assert_eq!(page.header("x-content-type-options"), Some("nosniff"));
            assert_no_inline_code(&page.html, &context);
            assert!(page.html.contains("lang=\"en-US\""), "{context}");

            let config = page.config();
            assert_eq!(config["integration"], integration, "{context}");
            assert_eq!(config["token"]["mode"], mode, "{context}");
            assert_eq!(config["functionName"], FUNCTION_NAME);
            assert_eq!(
                config["apiBase"],
                format!("http://localhost/api/v1/integrations/{integration}")
            );

            let sources = page.script_sources();
            assert_eq!(
                sources.first().map(String::as_str),
                Some(OFFICE_CDN),
                "{context}: office.js first"
            );
            assert_eq!(
                sources.iter().any(|s| s == MSAL_URL),
                mode == "naa",
                "{context}: MSAL only for naa"
            );
            let own: Vec<&String> = sources
                .iter()
                .filter(|s| s.starts_with("/addin/assets/"))
                .collect();
            assert!(!own.is_empty(), "{context}: the add-in's scripts");
            for source in own {
                assert!(
                    source.starts_with(&format!("{asset_base}/")),
                    "{context}: {source}"
                );
                let response = app.client.get(app.url(source)).send().await.unwrap();
                assert_eq!(response.status(), 200, "{source}");
            }
        }
    }
    let naa = get_page(&app, "single", "taskpane.html").await.config();
    assert_eq!(
        naa["token"]["clientId"],
        "6e4c7a10-3b2d-4f8e-9a1c-5d7b2e9f0c41"
    );
    assert_eq!(
        naa["token"]["authority"],
        format!("https://login.microsoftonline.com/{TENANT}")
    );
    assert_eq!(
        naa["token"]["scopes"],
        serde_json::json!([format!("{API_AUDIENCE}/access_as_user")])
    );
    let sso = get_page(&app, "pane", "taskpane.html").await.config();
    assert_eq!(
        sso["token"],
        serde_json::json!({"mode": "sso", "scopes": [format!("{API_AUDIENCE}/access_as_user")]})
    );
    let exchange = get_page(&app, "onprem", "commands.html").await.config();
    assert_eq!(exchange["token"], serde_json::json!({"mode": "exchange"}));
}

async fn configuration_holds_every_locale_feature_and_the_placeholder(db: String) {
    let app = spawn_with_pages(&db, None).await;
    let config = get_page(&app, "pane", "taskpane.html").await.config();
    assert_eq!(config["defaultLocale"], "en-US");
    let pane_keys: Vec<&str> = TemplateName::all()
        .iter()
        .filter(|name| name.is_pane_string())
        .map(|name| name.key())
        .collect();
    let strings = config["strings"].as_object().expect("strings");
    assert_eq!(strings.keys().collect::<Vec<_>>(), ["en-US", "fr-FR"]);
    for (locale, table) in strings {
        let keys: Vec<&str> = table
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let mut expected = pane_keys.clone();
        expected.sort_unstable();
        assert_eq!(keys, expected, "{locale}");
    }
    assert_eq!(
        config["strings"]["en-US"]["pane_title"],
        HOSTILE_TITLE.replace('\u{2028}', " ").trim()
    );
    assert_eq!(
        config["strings"]["fr-FR"]["pane_title"],
        "Salle de visioconférence"
    );
    assert_eq!(
        config["strings"]["fr-FR"]["pane_error_heading"],
        "Erreur <b>grave</b>"
    );
    // Strings the locale does not override come from the integration's own templates.
    assert_eq!(
        config["strings"]["fr-FR"]["pane_remove_button"],
        config["strings"]["en-US"]["pane_remove_button"]
    );
    assert_eq!(
        config["features"],
        serde_json::json!({"function_command": true, "task_pane": true, "mobile": false,
            "personal_vmrs": true, "meeting_options": true})
    );
    assert_eq!(
        config["equipmentResource"],
        serde_json::json!({"name": "VMR pane", "email": "vmr-pane@example.com"})
    );
    let placeholder = config["placeholderHtml"].as_str().expect("placeholderHtml");
    assert!(
        placeholder.contains("joining instructions will follow"),
        "{placeholder}"
    );

    let standard = get_page(&app, "single", "commands.html").await.config();
    assert_eq!(
        standard["strings"].as_object().unwrap().len(),
        1,
        "default locale only"
    );
    assert_eq!(
        standard["strings"]["en-US"]["pane_title"],
        "Video meeting room"
    );
    assert_eq!(standard["features"]["personal_vmrs"], false);
}

async fn configuration_cannot_break_out_of_its_script_element(db: String) {
    let app = spawn_with_pages(&db, None).await;
    let page = get_page(&app, "pane", "taskpane.html").await;
    assert!(!page.html.contains("<script>alert(1)"), "{}", page.html);
    assert!(!page.html.contains('\u{2028}'));
    let config = scripts(&page.html)
        .into_iter()
        .find(|script| script.attributes.contains("vmr-config"))
        .unwrap()
        .content;
    for raw in ['<', '>', '&'] {
        assert!(!config.contains(raw), "{raw} in {config}");
    }
    assert!(config.contains("\\u003c/script\\u003e"), "{config}");
    assert!(page.config()["strings"]["en-US"]["pane_title"]
        .as_str()
        .unwrap()
        .contains("</script>"));
}

async fn policy_allows_only_what_the_pages_need(db: String) {
    let vendor = VendorDir::new();
    let app = spawn_with_pages(&db, Some(vendor.path())).await;
    for integration in ["single", "pane", "onprem", "airgap"] {
        for name in PAGES {
            let page = get_page(&app, integration, name).await;
            let policy = page.policy();
            let context = format!("{integration}/{name}");
            // Nothing that allows inline code, any host, or any host of a scheme.
            for (directive, list) in &policy {
                for source in list {
                    let open = source.starts_with("'unsafe-")
                        || source == "*"
                        || source.ends_with(':') && !(directive == "img-src" && source == "data:");
                    assert!(!open, "{context}: {directive} {source}");
                }
            }
            assert_eq!(sources(&policy, "default-src"), ["'none'"], "{context}");
            assert_eq!(sources(&policy, "style-src"), ["'self'"], "{context}");
            assert_eq!(
                sources(&policy, "img-src"),
                ["'self'", "data:"],
                "{context}"
            );
            assert_eq!(sources(&policy, "base-uri"), ["'none'"], "{context}");
            assert_eq!(sources(&policy, "form-action"), ["'none'"], "{context}");
            let script_src = sources(&policy, "script-src");
            assert_eq!(script_src[0], "'self'", "{context}");
            let air_gapped = integration == "airgap";
            let cdn = "https://appsforoffice.microsoft.com";
            assert_eq!(
                script_src.contains(&cdn),
                !air_gapped,
                "{context}: {script_src:?}"
            );
            assert_eq!(
                sources(&policy, "frame-src").contains(&cdn),
                !air_gapped,
                "{context}"
            );
            let naa = matches!(integration, "single" | "airgap");
            let login = "https://login.microsoftonline.com";
            let connect_src = sources(&policy, "connect-src");
            assert_eq!(connect_src[0], "'self'");
            assert_eq!(
                connect_src.contains(&login),
                naa,
                "{context}: {connect_src:?}"
            );
            let ancestors = sources(&policy, "frame-ancestors");
            for outlook in OUTLOOK_FRAME_ANCESTORS {
                assert!(ancestors.contains(outlook), "{context}: {outlook}");
            }
            let exchange_server = app.idp.base_url();
            assert_eq!(
                ancestors.contains(&exchange_server),
                integration == "onprem",
                "{context}: on-premises Outlook on the web frames only exchange-mode pages"
            );
        }
    }
    let air_gapped = get_page(&app, "airgap", "taskpane.html").await;
    assert_eq!(
        air_gapped.script_sources().first().map(String::as_str),
        Some("/addin/vendor/office-js/office.js")
    );
    // The API keeps its own, stricter policy.
    let api = app
        .client
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        api.headers()["content-security-policy"],
        "default-src 'none'; frame-ancestors 'none'"
    );
}

async fn assets_are_served_under_the_build_id_only(db: String) {
    let app = spawn_app(&db).await;
    for asset in ASSETS {
        let response = app
            .client
            .get(app.url(&format!("/addin/assets/{}/{}", build_id(), asset.name)))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{}", asset.name);
        let expected_type = if asset.name.ends_with(".css") {
            "text/css; charset=utf-8"
        } else {
            "text/javascript; charset=utf-8"
        };
        assert_eq!(response.headers()["content-type"], expected_type);
        assert_eq!(
            response.headers()["cache-control"],
            "public, max-age=31536000, immutable"
        );
        assert_eq!(response.text().await.unwrap(), asset.body);
    }
    for path in [
        "/addin/assets/000000000000/commands.js".to_string(),
        format!("/addin/assets/{}/missing.js", build_id()),
        format!("/addin/assets/{}/..%2Fcommands.js", build_id()),
    ] {
        let response = app.client.get(app.url(&path)).send().await.unwrap();
        problem(response, 404, "not_found").await;
    }
}

async fn unknown_integration_and_other_methods_are_refused(db: String) {
    let app = spawn_app(&db).await;
    for name in PAGES {
        let response = app
            .client
            .get(app.url(&format!("/addin/nowhere/{name}")))
            .send()
            .await
            .unwrap();
        let body = problem(response, 404, "not_found").await;
        assert!(body["detail"].as_str().unwrap().contains("nowhere"));
        let response = app
            .client
            .post(app.url(&format!("/addin/single/{name}")))
            .send()
            .await
            .unwrap();
        problem(response, 405, "method_not_allowed").await;
    }
}

async fn vendor_files_come_from_the_configured_folder_only(db: String) {
    let vendor = VendorDir::new();
    let app = spawn_with_pages(&db, Some(vendor.path())).await;
    let get = |path: &'static str| {
        let request = app.client.get(app.url(path));
        async move { request.send().await.unwrap() }
    };
    for (path, content_type, body) in [
        (MSAL_URL, "text/javascript; charset=utf-8", "/* msal */"),
        (
            "/addin/vendor/office-js/office.js",
            "text/javascript; charset=utf-8",
            "/* office */",
        ),
        (
            "/addin/vendor/office-js/en-us/outlook_strings.js",
            "text/javascript; charset=utf-8",
            "/* strings */",
        ),
        (
            "/addin/vendor/office-js/AgaveErrorUX/index.html",
            "text/html; charset=utf-8",
            "<p>trust</p>",
        ),
    ] {
        let response = get(path).await;
        assert_eq!(response.status(), 200, "{path}");
        assert_eq!(response.headers()["content-type"], content_type, "{path}");
        assert_eq!(response.headers()["cache-control"], "public, max-age=86400");
        assert_eq!(response.text().await.unwrap(), body, "{path}");
    }
    for path in [
        "/addin/vendor/office-js/..%2F..%2F..%2Fsecret.js",
        "/addin/vendor/office-js/%2E%2E/%2E%2E/%2E%2E/secret.js",
        "/addin/vendor/office-js/../../secret.js",
        "/addin/vendor/office-js/office.d.ts",
        "/addin/vendor/office-js/.hidden.js",
        "/addin/vendor/office-js/missing.js",
        "/addin/vendor/office-js/en-us",
    ] {
        let response = get(path).await;
        assert_eq!(response.status(), 404, "{path}");
        let text = response.text().await.unwrap();
        assert!(!text.contains("secret"), "{path}: {text}");
    }
    // Without a vendor folder the routes answer 404 with the fix.
    let bare = spawn_app(&db).await;
    let response = bare.client.get(bare.url(MSAL_URL)).send().await.unwrap();
    let body = problem(response, 404, "not_found").await;
    assert!(body["detail"].as_str().unwrap().contains("npm ci"));
}

/// A stand-in for `addin-web/node_modules` with a few files, and one outside the Office.js
/// folder that must never be served.
struct VendorDir(PathBuf);

impl VendorDir {
    fn new() -> Self {
        let root = std::env::temp_dir().join(format!("vmr-vendor-{}", uuid::Uuid::new_v4()));
        let files = [
            ("@azure/msal-browser/lib/msal-browser.min.js", "/* msal */"),
            ("@microsoft/office-js/dist/office.js", "/* office */"),
            ("@microsoft/office-js/dist/office.d.ts", "declare"),
            ("@microsoft/office-js/dist/.hidden.js", "/* hidden */"),
            (
                "@microsoft/office-js/dist/en-us/outlook_strings.js",
                "/* strings */",
            ),
            (
                "@microsoft/office-js/dist/agaveerrorux/index.html",
                "<p>trust</p>",
            ),
            ("secret.js", "secret"),
        ];
        for (path, content) in files {
            let path = root.join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, content).unwrap();
        }
        Self(root)
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for VendorDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

macro_rules! on_sqlite {
    ($($name:ident => $case:path;)+) => {$(
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $name() {
            on_sqlite($case).await;
        }
    )+};
}

on_sqlite! {
    pages_render_for_each_token_mode => pages_render_for_every_token_mode;
    configuration_holds_locales_features_placeholder => configuration_holds_every_locale_feature_and_the_placeholder;
    configuration_is_safe_in_its_script_element => configuration_cannot_break_out_of_its_script_element;
    policy_is_minimal => policy_allows_only_what_the_pages_need;
    assets_need_the_current_build_id => assets_are_served_under_the_build_id_only;
    unknown_integration_and_methods => unknown_integration_and_other_methods_are_refused;
    vendor_files_from_folder_only => vendor_files_come_from_the_configured_folder_only;
}
