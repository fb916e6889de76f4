//! Where tokens come from and what they are for: the Microsoft identity platform's v1 endpoints
//! (`resource=`) or v2 endpoints (scopes), under the configured authority and tenant.

use crate::config::{ExchangeAuth, ExchangeSettings, OAuthEndpoints};
use url::Url;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthEndpoint {
    pub authority: Url,
    pub tenant_id: String,
    pub client_id: String,
    pub version: OAuthEndpoints,
    /// The EWS endpoint's origin, e.g. `https://outlook.office365.com`: the token's audience.
    pub resource: String,
}

impl OAuthEndpoint {
    /// `None` for Basic authentication.
    pub fn for_settings(settings: &ExchangeSettings) -> Option<Self> {
        let (authority, tenant_id, client_id, version) = match &settings.auth {
            ExchangeAuth::Basic { .. } => return None,
            ExchangeAuth::OAuthApp {
                authority,
                tenant_id,
                client_id,
                ..
            } => (authority, tenant_id, client_id, OAuthEndpoints::V2),
            ExchangeAuth::OAuthDelegated {
                authority,
                tenant_id,
                client_id,
                endpoints,
                ..
            } => (authority, tenant_id, client_id, *endpoints),
        };
        Some(Self {
            authority: authority.clone(),
            tenant_id: tenant_id.clone(),
            client_id: client_id.clone(),
            version,
            resource: settings
                .url
                .origin()
                .ascii_serialization()
                .trim_end_matches('/')
                .to_string(),
        })
    }

    pub fn token_url(&self) -> Url {
        self.under(match self.version {
            OAuthEndpoints::V1 => "oauth2/token",
            OAuthEndpoints::V2 => "oauth2/v2.0/token",
        })
    }

    pub fn authorize_url(&self) -> Url {
        self.under(match self.version {
            OAuthEndpoints::V1 => "oauth2/authorize",
            OAuthEndpoints::V2 => "oauth2/v2.0/authorize",
        })
    }

    /// What a delegated token asks for: EWS as the signed-in account, a refresh token (v2 needs
    /// `offline_access` for one), and the account's name for the status page.
    pub fn delegated_target(&self) -> (&'static str, String) {
        match self.version {
            OAuthEndpoints::V1 => ("resource", self.resource.clone()),
            OAuthEndpoints::V2 => (
                "scope",
                format!(
                    "{}/EWS.AccessAsUser.All offline_access openid profile",
                    self.resource
                ),
            ),
        }
    }

    /// App-only tokens carry the application permissions granted to the app (`full_access_as_app`
    /// or `EWS.AccessAsApp`), which `/.default` asks for.
    pub fn app_target(&self) -> (&'static str, String) {
        match self.version {
            OAuthEndpoints::V1 => ("resource", self.resource.clone()),
            OAuthEndpoints::V2 => ("scope", format!("{}/.default", self.resource)),
        }
    }

    fn under(&self, path: &str) -> Url {
        let mut url = self.authority.clone();
        let base = url.path().trim_end_matches('/').to_string();
        url.set_path(&format!("{base}/{}/{path}", self.tenant_id));
        url.set_query(None);
        url
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn endpoint(version: OAuthEndpoints) -> OAuthEndpoint {
        OAuthEndpoint {
            authority: Url::parse("https://login.microsoftonline.com").unwrap(),
            tenant_id: "contoso.onmicrosoft.com".into(),
            client_id: "00000000-0000-0000-0000-000000000001".into(),
            version,
            resource: "https://outlook.office365.com".into(),
        }
    }

    #[test]
    fn v2_endpoints_ask_for_scopes() {
        let v2 = endpoint(OAuthEndpoints::V2);
        assert_eq!(
            v2.token_url().as_str(),
            "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token"
        );
        assert_eq!(
            v2.authorize_url().as_str(),
            "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/authorize"
        );
        let (name, scope) = v2.delegated_target();
        assert_eq!(name, "scope");
        assert!(scope.starts_with("https://outlook.office365.com/EWS.AccessAsUser.All "));
        assert!(scope.contains("offline_access"));
        assert_eq!(
            v2.app_target(),
            (
                "scope",
                "https://outlook.office365.com/.default".to_string()
            )
        );
    }

    #[test]
    fn v1_endpoints_name_the_resource() {
        let v1 = endpoint(OAuthEndpoints::V1);
        assert_eq!(
            v1.token_url().as_str(),
            "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/token"
        );
        assert_eq!(
            v1.delegated_target(),
            ("resource", "https://outlook.office365.com".to_string())
        );
    }

    #[test]
    fn an_authority_with_a_path_keeps_it() {
        let mut v2 = endpoint(OAuthEndpoints::V2);
        v2.authority = Url::parse("http://127.0.0.1:9000/login/").unwrap();
        assert_eq!(
            v2.token_url().as_str(),
            "http://127.0.0.1:9000/login/contoso.onmicrosoft.com/oauth2/v2.0/token"
        );
    }
}
