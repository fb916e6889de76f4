//! Entra ID access tokens, from Nested App Authentication or legacy Office SSO, validated as
//! Microsoft's access-token documentation prescribes for multi-tenant APIs: the issuer is a
//! template filled with the token's own `tid`, and the signing key's `issuer` must agree.

use super::claims::{check_audience, check_lifetime, is_guid, optional_str, required_str, Claims};
use super::fetch::{DocumentKind, RemoteKeys};
use super::header::UnverifiedToken;
use super::jwks::{KeyId, TrustedKey};
use super::keys::{KeyCache, KeySource};
use super::reject::{RejectReason, Rejection};
use super::settings::{AuthSettings, EntraKeys, EntraSettings, Tenancy, TENANT_PLACEHOLDER};
use crate::domain::{EmailAddress, UserIdentity};
use std::time::Instant;

/// Display names are informative only; the cap keeps a hostile value out of logs and pages.
const MAX_NAME_CHARS: usize = 256;

pub(crate) struct EntraValidator {
    settings: EntraSettings,
    keys: KeySource,
    leeway: i64,
}

impl EntraValidator {
    pub(crate) fn new(settings: EntraSettings, auth: &AuthSettings) -> Self {
        let remote = |kind, url: &url::Url| {
            let fetcher = RemoteKeys::new(kind, url.clone(), auth.fetch_timeout);
            KeySource::Cached(KeyCache::new(
                Box::new(fetcher),
                auth.key_refresh_min_interval,
                auth.fetch_timeout,
            ))
        };
        let keys = match &settings.keys {
            EntraKeys::Metadata(url) => remote(DocumentKind::OpenIdMetadata, url),
            EntraKeys::Jwks(url) => remote(DocumentKind::Jwks, url),
            EntraKeys::File { keys, .. } => KeySource::Fixed(keys.clone()),
        };
        Self {
            settings,
            keys,
            leeway: auth.leeway_seconds,
        }
    }

    pub(crate) async fn validate(
        &self,
        token: &UnverifiedToken<'_>,
        now_unix: i64,
        now: Instant,
    ) -> Result<UserIdentity, Rejection> {
        // v1 tokens carry both `kid` and `x5t` (the same thumbprint); v2 tokens only `kid`.
        let key_id = match (&token.header.kid, &token.header.x5t) {
            (Some(kid), _) => KeyId::Kid(kid),
            (None, Some(x5t)) => KeyId::X5t(x5t),
            (None, None) => {
                return Err(Rejection::malformed(
                    "the token header names no signing key",
                ))
            }
        };
        check_lifetime(&token.claims, now_unix, self.leeway)?;
        let key = self.keys.get(key_id, now).await?;
        token.verify(&key.key)?;

        // From here on the claims are authentic.
        let claims = &token.claims;
        let issuer_template = self.issuer_template(claims)?;
        let tid = required_str(claims, "tid", "the token has no tid claim")?;
        if !is_guid(tid) {
            return Err(Rejection::malformed("the token's tid claim is not a GUID"));
        }
        // Tenant first: for a foreign tenant that is the useful answer, whatever its issuer.
        self.check_tenant(tid)?;
        check_issuer(claims, issuer_template, tid, &key, &self.settings.issuer_v2)?;
        check_audience(claims, &self.settings.audiences)?;
        check_scope(claims, &self.settings.required_scope)?;
        identity(claims, tid)
    }

    fn issuer_template(&self, claims: &Claims) -> Result<&str, Rejection> {
        let wrong = || {
            Rejection::new(
                RejectReason::WrongTokenVersion,
                "this token version is not accepted; check the API's accessTokenAcceptedVersion",
            )
        };
        match optional_str(claims, "ver").map_err(|_| wrong())? {
            Some("1.0") if self.settings.accept_v1 => Ok(&self.settings.issuer_v1),
            Some("2.0") if self.settings.accept_v2 => Ok(&self.settings.issuer_v2),
            _ => Err(wrong()),
        }
    }

    fn check_tenant(&self, tid: &str) -> Result<(), Rejection> {
        let tid = tid.to_ascii_lowercase();
        let allowed = match &self.settings.tenancy {
            Tenancy::Single(only) => *only == tid,
            Tenancy::Multi {
                allowed: Some(list),
            } => list.contains(&tid),
            Tenancy::Multi { allowed: None } => true,
        };
        if allowed {
            Ok(())
        } else {
            Err(Rejection::new(
                RejectReason::TenantNotAllowed,
                "your organisation is not allowed to use this service",
            ))
        }
    }
}

/// `iss` must be exactly the template for the token's version with its own `tid` filled in, and
/// a key that names an issuer must name this one. Keys carry v2-style issuers even when they
/// sign v1 tokens, so the v2 form is accepted for the key check as well.
pub(crate) fn check_issuer(
    claims: &Claims,
    template: &str,
    tid: &str,
    key: &TrustedKey,
    issuer_v2_template: &str,
) -> Result<(), Rejection> {
    let wrong = |detail: &str| Rejection::new(RejectReason::WrongIssuer, detail);
    let iss = optional_str(claims, "iss")
        .ok()
        .flatten()
        .ok_or_else(|| wrong("the token has no issuer"))?;
    if iss != template.replace(TENANT_PLACEHOLDER, tid) {
        return Err(wrong(
            "the token was not issued by the expected identity provider",
        ));
    }
    if let Some(key_issuer) = &key.issuer {
        let key_issuer = key_issuer.replace(TENANT_PLACEHOLDER, tid);
        if key_issuer != iss && key_issuer != issuer_v2_template.replace(TENANT_PLACEHOLDER, tid) {
            return Err(wrong(
                "the token's signing key belongs to a different issuer",
            ));
        }
    }
    Ok(())
}

/// User tokens carry delegated scopes in `scp`; app-only tokens carry `roles` and must not act
/// for a user.
fn check_scope(claims: &Claims, required: &str) -> Result<(), Rejection> {
    let scopes = optional_str(claims, "scp")
        .ok()
        .flatten()
        .unwrap_or_default();
    if scopes.split_whitespace().any(|scope| scope == required) {
        return Ok(());
    }
    let detail = if scopes.is_empty() && claims.contains_key("roles") {
        "application tokens are not accepted; sign in as a user"
    } else {
        "the token lacks the scope this service requires"
    };
    Err(Rejection::new(RejectReason::InsufficientScope, detail))
}

fn identity(claims: &Claims, tid: &str) -> Result<UserIdentity, Rejection> {
    let oid = required_str(claims, "oid", "the token has no oid claim")?;
    let email = ["preferred_username", "upn", "email", "unique_name"]
        .iter()
        .filter_map(|name| claims.get(*name).and_then(|v| v.as_str()))
        .find_map(|value| EmailAddress::parse(value).ok());
    let name = claims
        .get("name")
        .and_then(|v| v.as_str())
        .map(|name| name.trim().chars().take(MAX_NAME_CHARS).collect::<String>())
        .filter(|name| !name.is_empty());
    Ok(UserIdentity::Entra {
        tenant_id: tid.to_ascii_lowercase(),
        object_id: oid.to_ascii_lowercase(),
        email,
        name,
    })
}
