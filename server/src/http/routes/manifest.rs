//! `GET /addin/{integration}/manifest.xml` and `GET /addin/{integration}/app-package.zip`: the
//! add-in's manifests, for admins to download and upload to Microsoft 365 or Exchange.
//!
//! Public on purpose: a manifest holds nothing secret (names, labels and the public URLs that
//! Outlook fetches anyway), and admins fetch it before any sign-in exists. Never cached, so a
//! download always carries the current version.

use super::caller;
use crate::http::problem::Problem;
use crate::http::state::{AppState, Integration};
use crate::manifest::{self, ManifestError, ManifestInput};
use actix_web::http::header::{self, ContentDisposition, DispositionParam, DispositionType};
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};

pub async fn xml(
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, Problem> {
    let integration = caller::integration(&state, &path)?;
    let manifest = generate(&state, integration, manifest::generate_xml).await?;
    Ok(download(
        "application/xml; charset=utf-8",
        format!("{}-manifest.xml", integration.settings.id),
        manifest.text.into_bytes(),
    ))
}

pub async fn package(
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, Problem> {
    let integration = caller::integration(&state, &path)?;
    let package = generate(&state, integration, manifest::generate_package).await?;
    Ok(download(
        "application/zip",
        format!("{}-app-package.zip", integration.settings.id),
        package,
    ))
}

/// Looks up the stored id and version, then generates with `generator`.
async fn generate<T>(
    state: &AppState,
    integration: &Integration,
    generator: fn(&ManifestInput<'_>) -> Result<T, ManifestError>,
) -> Result<T, Problem> {
    let public_url = &state.settings.server.public_url;
    let settings = &integration.settings;
    manifest::current_revision(&state.store, settings, public_url)
        .await
        .and_then(|revision| generator(&ManifestInput::new(settings, public_url, revision)))
        .map_err(|error| failed(&integration.settings.id.to_string(), error))
}

fn failed(integration: &str, error: ManifestError) -> Problem {
    match error {
        ManifestError::Store(error) => {
            tracing::error!(%error, integration, "manifest version could not be recorded");
            Problem::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "storage_unavailable",
                "Storage unavailable",
                "the manifest version could not be recorded; try again shortly",
            )
            .with_retry_after(5)
        }
        error => {
            tracing::error!(%error, integration, "manifest cannot be generated");
            Problem::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "manifest_invalid",
                "Manifest cannot be generated",
                error.to_string(),
            )
        }
    }
}

fn download(content_type: &str, file_name: String, body: Vec<u8>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(content_type)
        .insert_header(ContentDisposition {
            disposition: DispositionType::Attachment,
            parameters: vec![DispositionParam::Filename(file_name)],
        })
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .body(body)
}
