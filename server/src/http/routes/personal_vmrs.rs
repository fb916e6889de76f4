//! `GET /api/v1/integrations/{integration}/personal-vmrs`: the signed-in user's own VMRs, with
//! the joining instructions and location the add-in inserts for each.

use super::caller::{self, storage_unavailable, Caller};
use crate::domain::UserIdentity;
use crate::http::problem::Problem;
use crate::http::state::{AppState, Integration};
use crate::personal_vmrs::template_context;
use crate::store::StoredPersonalVmr;
use crate::templates::{RenderError, TemplateName};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;

#[derive(Serialize)]
struct ListBody {
    personal_vmrs: Vec<Item>,
}

#[derive(Serialize)]
struct Item {
    id: String,
    /// The button label (`personal_vmr_name`).
    name: String,
    /// The button's hover text (`personal_vmr_description`).
    description: String,
    /// The alias people should call.
    alias: String,
    instructions_html: String,
    location: String,
}

pub async fn list(
    request: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, Problem> {
    let integration = caller::integration(&state, &path)?;
    if !integration.settings.addin.features.personal_vmrs {
        return Err(Problem::new(
            StatusCode::NOT_FOUND,
            "personal_vmrs_disabled",
            "Personal VMRs are turned off",
            format!(
                "personal VMRs are turned off for this integration; an administrator can turn \
                 them on with integrations.{}.addin.personal_vmrs = true",
                integration.settings.id
            ),
        ));
    }
    let Caller { user, .. } = caller::authenticate(&request, &state, integration).await?;
    let email = user.email().ok_or_else(|| email_unknown(&user))?;
    let stored = state
        .store
        .personal_vmrs(&integration.settings.id, Some(email))
        .await
        .map_err(storage_unavailable)?;
    let personal_vmrs = stored
        .iter()
        .map(|vmr| item(integration, vmr))
        .collect::<Result<_, _>>()
        .map_err(|error| {
            tracing::error!(%error, integration = %integration.settings.id, "template rendering failed");
            Problem::internal("template_error", "Personal VMRs could not be rendered")
        })?;
    Ok(HttpResponse::Ok().json(ListBody { personal_vmrs }))
}

fn email_unknown(user: &UserIdentity) -> Problem {
    let detail = match user {
        UserIdentity::Exchange { .. } => {
            "personal VMRs are found by their owner's email address, which Exchange identity \
             tokens do not carry; sign in with Entra ID (add-in token mode naa or sso) to list them"
        }
        UserIdentity::Entra { .. } => {
            "personal VMRs are found by their owner's email address, and the token carries none \
             (no preferred_username, upn, email or unique_name claim with an address)"
        }
    };
    Problem::bad_request("email_unknown", detail)
}

fn item(integration: &Integration, stored: &StoredPersonalVmr) -> Result<Item, RenderError> {
    let settings = &integration.settings;
    let context = template_context(
        &stored.vmr,
        &settings.joining,
        integration.shared_values.clone(),
    );
    let render = |name| settings.templates.render(name, &context);
    Ok(Item {
        id: stored.id.to_string(),
        name: render(TemplateName::PersonalVmrName)?,
        description: render(TemplateName::PersonalVmrDescription)?,
        alias: context.preferred_alias().unwrap_or_default().to_string(),
        instructions_html: render(TemplateName::PersonalVmrInstructions)?,
        location: render(TemplateName::PersonalVmrLocation)?,
    })
}
