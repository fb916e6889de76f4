//! The Content-Security-Policy of the add-in's pages: only what the pages, Office.js and MSAL.js
//! load, and framing only by Outlook. (The API keeps its own stricter policy.)
//!
//! Office.js publishes no list of what it needs; each origin below says where it comes from.

use crate::config::{AddinSettings, AddinToken};
use crate::identity::AuthSettings;

/// Office.js from Microsoft's CDN; it loads its host-specific scripts, locale strings and (for
/// untrusted hosts such as Exchange on-premises) its trust prompt page from the same origin.
pub const OFFICE_CDN_ORIGIN: &str = "https://appsforoffice.microsoft.com";
pub const OFFICE_JS_CDN_URL: &str = "https://appsforoffice.microsoft.com/lib/1/hosted/office.js";

/// Office.js's Outlook scripts load `MicrosoftAjax.js` from this address themselves (a local
/// copy of Office.js does too), and fail to start without it.
const MICROSOFT_AJAX_ORIGIN: &str = "https://ajax.aspnetcdn.com";

/// Pages that may frame the add-in: Outlook on the web and the new Outlook for Windows (which
/// shows Outlook on the web), in Microsoft 365, Outlook.com and the national clouds. These are
/// the hosts Office.js itself accepts as Outlook (`isHostOriginTrusted` and
/// `isHostNameValidWacDomain` in its `outlook-web` script), plus `cloud.microsoft`, the newer
/// address of Outlook on the web. Classic Outlook, Outlook for Mac and mobile show the pages as
/// top-level documents, so framing rules do not apply there.
pub const OUTLOOK_FRAME_ANCESTORS: &[&str] = &[
    // outlook.office.com
    "https://*.office.com",
    // outlook.office365.com
    "https://*.office365.com",
    // outlook.cloud.microsoft
    "https://*.cloud.microsoft",
    // Outlook.com
    "https://outlook.live.com",
    // Office on the web frames
    "https://*.officeapps.live.com",
    "https://*.office.net",
    // US Government (GCC High, DoD), Germany, China (operated by 21Vianet)
    "https://*.office365.us",
    "https://*.office.de",
    "https://partner.outlook.cn",
    "https://*.officewebapps.cn",
];

/// The policy for one integration's pages.
pub fn content_security_policy(addin: &AddinSettings, auth: &AuthSettings) -> String {
    let office_js_origin = if addin.air_gapped {
        "'self'"
    } else {
        OFFICE_CDN_ORIGIN
    };
    // MSAL.js talks to the authority only when Nested App Authentication is unavailable and it
    // falls back to its own flows: token requests (fetch) and silent renewal (hidden iframe).
    let msal_authority = match &addin.token {
        AddinToken::Naa { authority, .. } => origin_of(authority),
        AddinToken::Sso { .. } | AddinToken::Exchange => None,
    };
    let mut script_src = vec!["'self'"];
    if !addin.air_gapped {
        script_src.push(OFFICE_CDN_ORIGIN);
    }
    script_src.push(MICROSOFT_AJAX_ORIGIN);
    // Office.js's usage telemetry endpoints are left out on purpose: blocking them costs only a
    // console line, and the pages then talk to nothing but this service and the authority.
    let mut connect_src = vec!["'self'".to_string()];
    // Office.js's trust prompt for hosts it does not know.
    let mut frame_src = vec![office_js_origin.to_string()];
    if let Some(authority) = msal_authority {
        connect_src.push(authority.clone());
        frame_src.push(authority);
    }
    let mut frame_ancestors: Vec<String> = OUTLOOK_FRAME_ANCESTORS
        .iter()
        .map(|origin| origin.to_string())
        .collect();
    // Outlook on the web of Exchange Server is served by the Exchange servers themselves.
    if addin.token == AddinToken::Exchange {
        frame_ancestors.extend(exchange_origins(auth));
    }
    [
        "default-src 'none'".to_string(),
        directive("script-src", &script_src),
        // Office.js's Outlook scripts style their own elements only through the CSSOM
        // (`element.style`), which the policy does not restrict (its Excel scripts write style
        // attributes, which would need 'unsafe-inline'); the pages have no inline styles.
        "style-src 'self'".to_string(),
        "img-src 'self' data:".to_string(),
        directive("connect-src", &connect_src),
        directive("frame-src", &frame_src),
        "base-uri 'none'".to_string(),
        "form-action 'none'".to_string(),
        directive("frame-ancestors", &frame_ancestors),
    ]
    .join("; ")
}

fn directive<S: AsRef<str>>(name: &str, sources: &[S]) -> String {
    let mut out = name.to_string();
    for source in sources {
        out.push(' ');
        out.push_str(source.as_ref());
    }
    out
}

fn origin_of(url: &str) -> Option<String> {
    let origin = url::Url::parse(url).ok()?.origin();
    origin.is_tuple().then(|| origin.ascii_serialization())
}

/// The Exchange servers the integration trusts for identity tokens, which also serve Outlook
/// on the web on-premises.
fn exchange_origins(auth: &AuthSettings) -> Vec<String> {
    auth.exchange
        .as_ref()
        .map(|exchange| {
            exchange
                .trusted_origins
                .iter()
                .map(url::Origin::ascii_serialization)
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origin_of_keeps_scheme_host_and_port_only() {
        assert_eq!(
            origin_of("https://login.microsoftonline.com/tenant/v2.0").as_deref(),
            Some("https://login.microsoftonline.com")
        );
        assert_eq!(
            origin_of("https://login.example:8443/x").as_deref(),
            Some("https://login.example:8443")
        );
        assert_eq!(origin_of("not a url"), None);
    }

    #[test]
    fn frame_ancestors_are_https_hosts_without_paths() {
        for origin in OUTLOOK_FRAME_ANCESTORS {
            let host = origin.strip_prefix("https://").expect("https");
            assert!(!host.contains('/') && !host.contains(' '), "{origin}");
        }
    }
}
