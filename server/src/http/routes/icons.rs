//! `GET /addin/{integration}/icons/{version}/{file}`: the add-in's icons.
//!
//! The version in the URL is a hash of the icon source, so a URL of the current version never
//! changes content and may be cached for good. Outlook keeps icon URLs from the manifest it
//! installed; after the icon changes, those old URLs get the current icon with a short cache
//! life. Never `no-cache`/`no-store`: Office then shows its default icon instead.

use super::caller;
use crate::http::problem::Problem;
use crate::http::state::AppState;
use crate::icons::{COLOR_SIZES, MOBILE_SCALES, MOBILE_SIZES, OUTLINE_FILE};
use actix_web::http::header::{self, EntityTag, IfNoneMatch};
use actix_web::{web, HttpMessage, HttpRequest, HttpResponse};
use serde::Deserialize;

const CURRENT: &str = "public, max-age=31536000, immutable";
const STALE: &str = "public, max-age=300";

#[derive(Deserialize)]
pub struct IconPath {
    integration: String,
    version: String,
    file: String,
}

pub async fn serve(
    request: HttpRequest,
    path: web::Path<IconPath>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, Problem> {
    let integration = caller::integration(&state, &path.integration)?;
    let icons = &integration.settings.addin.icons;
    let png = icons.file(&path.file).ok_or_else(|| {
        Problem::not_found(format!(
            "there is no such icon; the icons are {}",
            icon_names()
        ))
    })?;
    let cache_control = if path.version == icons.version() {
        CURRENT
    } else {
        STALE
    };
    let etag = EntityTag::new_strong(icons.version().to_string());
    let (mut response, body) = if is_cached(&request, &etag) {
        (HttpResponse::NotModified(), None)
    } else {
        (HttpResponse::Ok(), Some(png))
    };
    response
        .insert_header((header::CACHE_CONTROL, cache_control))
        .insert_header(header::ETag(etag));
    Ok(match body {
        Some(png) => response.content_type("image/png").body(png.to_vec()),
        None => response.finish(),
    })
}

fn icon_names() -> String {
    let list = |values: &[u32]| {
        values
            .iter()
            .map(u32::to_string)
            .collect::<Vec<_>>()
            .join("|")
    };
    format!(
        "icon-<{}>.png, mobile-<{}>-<{}>x.png and {OUTLINE_FILE}",
        list(COLOR_SIZES),
        list(MOBILE_SIZES),
        list(MOBILE_SCALES)
    )
}

/// Whether the client's `If-None-Match` already names this icon's ETag.
fn is_cached(request: &HttpRequest, etag: &EntityTag) -> bool {
    match request.get_header::<IfNoneMatch>() {
        Some(IfNoneMatch::Any) => true,
        Some(IfNoneMatch::Items(tags)) => tags.iter().any(|tag| tag.weak_eq(etag)),
        None => false,
    }
}
