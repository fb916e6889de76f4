//! The JSON the pages read from `<script type="application/json" id="vmr-config">`: where the
//! API is, how to get a token, which surfaces are on, and every pane string in every locale.

use crate::config::{AddinFeatures, AddinToken, EquipmentResource, IntegrationSettings};
use crate::templates::{RenderError, SharedValues, TemplateName};
use serde::Serialize;
use std::collections::BTreeMap;

/// The name the function file registers with `Office.actions.associate`; the manifest's
/// `FunctionName` must be the same.
pub const FUNCTION_NAME: &str = "addSingleUseVmr";

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PageConfig<'a> {
    pub integration: &'a str,
    /// `{public_url}/api/v1/integrations/{id}`, without a trailing slash.
    pub api_base: String,
    pub function_name: &'static str,
    pub token: TokenConfig<'a>,
    pub features: AddinFeatures,
    pub equipment_resource: &'a EquipmentResource,
    pub default_locale: &'a str,
    /// Locale tag → pane string key (`pane_title`, …) → text.
    pub strings: BTreeMap<&'a str, BTreeMap<String, String>>,
    /// The rendered `placeholder_instructions`, inserted when the service cannot be reached.
    pub placeholder_html: String,
}

/// What the scripts need to obtain a token; secrets never appear here (there are none).
#[derive(Debug, Serialize)]
#[serde(tag = "mode", rename_all = "lowercase")]
pub enum TokenConfig<'a> {
    Naa {
        #[serde(rename = "clientId")]
        client_id: &'a str,
        authority: &'a str,
        scopes: &'a [String],
    },
    Sso {
        scopes: &'a [String],
    },
    Exchange,
}

impl<'a> From<&'a AddinToken> for TokenConfig<'a> {
    fn from(token: &'a AddinToken) -> Self {
        match token {
            AddinToken::Naa {
                client_id,
                scopes,
                authority,
            } => Self::Naa {
                client_id,
                authority,
                scopes,
            },
            AddinToken::Sso { scopes, .. } => Self::Sso { scopes },
            AddinToken::Exchange => Self::Exchange,
        }
    }
}

impl<'a> PageConfig<'a> {
    /// Renders every pane string of the default and extra locales with `shared`.
    pub fn new(
        integration: &'a IntegrationSettings,
        shared: &SharedValues,
    ) -> Result<Self, RenderError> {
        let addin = &integration.addin;
        let mut strings = BTreeMap::new();
        strings.insert(
            addin.default_locale.as_str(),
            integration.templates.pane_strings(shared)?,
        );
        for locale in &addin.locales {
            strings.insert(locale.tag.as_str(), locale.templates.pane_strings(shared)?);
        }
        Ok(Self {
            integration: integration.id.as_str(),
            api_base: format!(
                "{}/api/v1/integrations/{}",
                shared.public_url,
                integration.id.as_str()
            ),
            function_name: FUNCTION_NAME,
            token: TokenConfig::from(&addin.token),
            features: addin.features,
            equipment_resource: &integration.equipment_resource,
            default_locale: &addin.default_locale,
            strings,
            placeholder_html: integration
                .templates
                .render(TemplateName::PlaceholderInstructions, shared)?,
        })
    }

    /// The JSON, safe to place between `<script type="application/json">` tags.
    pub fn to_script_json(&self) -> String {
        script_safe_json(
            &serde_json::to_string(self).expect("page configuration serializes to JSON"),
        )
    }
}

/// Escapes what could end the script element or start markup (`</script>`, `<!--`), and the two
/// characters JavaScript once treated as line ends. They only occur inside JSON strings, where
/// `\uXXXX` means the same character, so the JSON parses to the same value.
pub fn script_safe_json(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_safe_json_cannot_close_the_element_and_parses_to_the_same_value() {
        let value = serde_json::json!({
            "html": "</script><!-- <b>&amp;</b> -->",
            "lines": "a\u{2028}b\u{2029}c",
        });
        let safe = script_safe_json(&value.to_string());
        for forbidden in ['<', '>', '&', '\u{2028}', '\u{2029}'] {
            assert!(!safe.contains(forbidden), "{forbidden:?} in {safe}");
        }
        let parsed: serde_json::Value = serde_json::from_str(&safe).unwrap();
        assert_eq!(parsed, value);
    }

    #[test]
    fn token_modes_serialize_as_the_pages_expect() {
        let scopes = vec!["api://x/access_as_user".to_string()];
        let naa = AddinToken::Naa {
            client_id: "c1".into(),
            scopes: scopes.clone(),
            authority: "https://login.microsoftonline.com/t".into(),
        };
        assert_eq!(
            serde_json::to_value(TokenConfig::from(&naa)).unwrap(),
            serde_json::json!({"mode": "naa", "clientId": "c1",
                "authority": "https://login.microsoftonline.com/t", "scopes": scopes})
        );
        let sso = AddinToken::Sso {
            client_id: "c1".into(),
            resource: "api://x".into(),
            scopes: scopes.clone(),
        };
        assert_eq!(
            serde_json::to_value(TokenConfig::from(&sso)).unwrap(),
            serde_json::json!({"mode": "sso", "scopes": scopes})
        );
        assert_eq!(
            serde_json::to_value(TokenConfig::from(&AddinToken::Exchange)).unwrap(),
            serde_json::json!({"mode": "exchange"})
        );
    }
}
