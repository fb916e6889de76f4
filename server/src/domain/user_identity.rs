use super::EmailAddress;
use serde::Serialize;

/// Who asked for a reservation, as proved by a validated Office token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum UserIdentity {
    /// Entra ID access token (Nested App Authentication or Office SSO). `(tenant_id, object_id)`
    /// is the stable key; the email is informative only (it can change).
    Entra {
        tenant_id: String,
        object_id: String,
        email: Option<EmailAddress>,
        name: Option<String>,
    },
    /// Legacy Exchange user identity token (Exchange on-premises). `msexchuid` is only unique
    /// per Exchange organisation, so it is paired with the metadata URL that vouched for it.
    Exchange { msexchuid: String, amurl: String },
}

impl UserIdentity {
    /// A stable key for rate limits and "same user, same meeting" look-ups.
    pub fn key(&self) -> String {
        match self {
            Self::Entra {
                tenant_id,
                object_id,
                ..
            } => format!("entra:{tenant_id}:{object_id}"),
            Self::Exchange { msexchuid, amurl } => format!("exchange:{msexchuid}|{amurl}"),
        }
    }

    pub fn email(&self) -> Option<&EmailAddress> {
        match self {
            Self::Entra { email, .. } => email.as_ref(),
            Self::Exchange { .. } => None,
        }
    }
}
