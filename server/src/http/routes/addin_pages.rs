//! `GET /addin/{integration}/commands.html`, `…/taskpane.html`: the add-in's pages, rendered at
//! start; `GET /addin/assets/{build}/{file}`: their scripts, cached for good under the build id;
//! `GET /addin/vendor/…`: the npm copies of MSAL.js and Office.js.

use crate::addin_pages::{find_asset, Page, VendorFile};
use crate::http::problem::Problem;
use crate::http::state::AppState;
use actix_web::http::header;
use actix_web::{web, HttpResponse};

/// Pages are small and change with the configuration: revalidate every time.
const PAGE_CACHE: &str = "no-cache";
/// Assets never change under a build id.
const ASSET_CACHE: &str = "public, max-age=31536000, immutable";
/// npm files change only when the packages are upgraded, under the same URL.
const VENDOR_CACHE: &str = "public, max-age=86400";

pub async fn commands(
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, Problem> {
    page(&path, Page::Commands, &state)
}

pub async fn taskpane(
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, Problem> {
    page(&path, Page::Taskpane, &state)
}

fn page(integration: &str, page: Page, state: &AppState) -> Result<HttpResponse, Problem> {
    let pages = state
        .addin_pages
        .integration(integration)
        .ok_or_else(|| {
            Problem::not_found(format!("there is no integration named `{integration}`"))
        })?
        // The cause was logged at start with the integration's name.
        .map_err(|_| Problem::internal("addin_page_unavailable", "Add-in page unavailable"))?;
    // No X-Frame-Options: Outlook frames the pages; the policy's frame-ancestors says who may.
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, PAGE_CACHE))
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            pages.content_security_policy.as_str(),
        ))
        .body(pages.html(page).to_string()))
}

pub async fn asset(path: web::Path<(String, String)>) -> Result<HttpResponse, Problem> {
    let (build, file) = path.into_inner();
    let asset = find_asset(&build, &file).ok_or_else(|| {
        Problem::not_found(
            "no such add-in file in this version of the service; reload the page to get the current one",
        )
    })?;
    Ok(HttpResponse::Ok()
        .content_type(asset.content_type)
        .insert_header((header::CACHE_CONTROL, ASSET_CACHE))
        .body(asset.body))
}

pub async fn msal(state: web::Data<AppState>) -> Result<HttpResponse, Problem> {
    vendor_response(state.addin_pages.msal_file().await).await
}

pub async fn office_js(
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, Problem> {
    vendor_response(state.addin_pages.office_js_file(&path).await).await
}

async fn vendor_response(file: Option<VendorFile>) -> Result<HttpResponse, Problem> {
    let missing = || {
        Problem::not_found(
            "this file is not installed: run `npm ci` in addin-web and set server.addin_vendor_dir",
        )
    };
    let file = file.ok_or_else(missing)?;
    let body = tokio::fs::read(&file.path).await.map_err(|error| {
        tracing::warn!(path = %file.path.display(), %error, "cannot read add-in vendor file");
        missing()
    })?;
    Ok(HttpResponse::Ok()
        .content_type(file.content_type)
        .insert_header((header::CACHE_CONTROL, VENDOR_CACHE))
        .body(body))
}
