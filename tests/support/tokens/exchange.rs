//! Legacy Exchange user identity tokens (`getUserIdentityTokenAsync`).

use serde_json::{json, Value};

use super::{now, JsonObject, JwtParts};
use crate::keys::TestKey;

/// Application ID of the Exchange service principal (prefix of `iss` and `appctxsender`).
pub const EXCHANGE_PRINCIPAL: &str = "00000002-0000-0ff1-ce00-000000000000";

/// Builder for an Exchange identity token, valid by default (RS256, lifetime eight hours).
///
/// Header `{typ: JWT, alg: RS256, x5t}`; claims `aud`, `iss` and `appctxsender`
/// (`00000002-0000-0ff1-ce00-000000000000@<amurl host>`), `nbf`/`exp` as numeric **strings**,
/// `isbrowserhostedapp: "true"`, and `appctx` as a JSON **string** holding `msexchuid`,
/// `version: ExIdTok.V1` and `amurl`.
#[derive(Clone, Debug)]
pub struct ExchangeToken {
    jwt: JwtParts,
    appctx: JsonObject,
    appctx_as_object: bool,
    numeric_times: bool,
}

impl ExchangeToken {
    /// A token whose certificate thumbprint is `key.x5t()`, pointing at the auth metadata
    /// document `amurl`, for the add-in URL `audience`.
    pub fn new(key: &TestKey, amurl: &str, audience: &str) -> ExchangeToken {
        let host = url::Url::parse(amurl)
            .ok()
            .and_then(|u| u.host_str().map(str::to_owned))
            .unwrap_or_else(|| "exchange.invalid".to_owned());
        let principal = format!("{EXCHANGE_PRINCIPAL}@{host}");
        let mut jwt = JwtParts::new(key);
        jwt.header.insert("x5t".into(), key.x5t().into());
        jwt.claims.insert("aud".into(), audience.into());
        jwt.claims.insert("iss".into(), principal.clone().into());
        jwt.claims.insert("appctxsender".into(), principal.into());
        jwt.claims
            .insert("isbrowserhostedapp".into(), "true".into());
        let mut appctx = JsonObject::new();
        let msexchuid = format!("{}@{host}", uuid::Uuid::new_v4());
        appctx.insert("msexchuid".into(), msexchuid.into());
        appctx.insert("version".into(), "ExIdTok.V1".into());
        appctx.insert("amurl".into(), amurl.into());
        let token = ExchangeToken {
            jwt,
            appctx,
            appctx_as_object: false,
            numeric_times: false,
        };
        let now = now();
        token
            .valid_between(now - 60, now - 60 + 8 * 3600)
            .render_appctx()
    }

    jwt_builder_methods!();

    fn render_appctx(mut self) -> ExchangeToken {
        let value = if self.appctx_as_object {
            Value::Object(self.appctx.clone())
        } else {
            Value::String(Value::Object(self.appctx.clone()).to_string())
        };
        self.jwt.claims.insert("appctx".into(), value);
        self
    }

    fn time_value(&self, seconds: i64) -> Value {
        if self.numeric_times {
            json!(seconds)
        } else {
            json!(seconds.to_string())
        }
    }

    /// Sets `aud`.
    pub fn audience(self, audience: &str) -> ExchangeToken {
        self.claim("aud", audience)
    }

    /// Sets `appctx.msexchuid` (the user's ID on that Exchange server).
    pub fn msexchuid(self, msexchuid: &str) -> ExchangeToken {
        self.appctx_field("msexchuid", msexchuid)
    }

    /// Sets `appctx.version` (valid tokens carry `ExIdTok.V1`).
    pub fn version(self, version: &str) -> ExchangeToken {
        self.appctx_field("version", version)
    }

    /// Sets `appctx.amurl` only; `iss` and `appctxsender` keep the host given to [`new`](Self::new).
    pub fn amurl(self, amurl: &str) -> ExchangeToken {
        self.appctx_field("amurl", amurl)
    }

    /// Sets any field inside `appctx`.
    pub fn appctx_field(mut self, name: &str, value: impl Into<Value>) -> ExchangeToken {
        self.appctx.insert(name.to_owned(), value.into());
        self.render_appctx()
    }

    /// Removes a field from `appctx`.
    pub fn without_appctx_field(mut self, name: &str) -> ExchangeToken {
        self.appctx.remove(name);
        self.render_appctx()
    }

    /// Encodes `appctx` as a nested JSON object instead of a JSON string.
    pub fn appctx_as_object(mut self) -> ExchangeToken {
        self.appctx_as_object = true;
        self.render_appctx()
    }

    /// Encodes `nbf`/`exp` as JSON numbers instead of numeric strings (also for later calls).
    pub fn numeric_times(mut self) -> ExchangeToken {
        self.numeric_times = true;
        for name in ["nbf", "exp"] {
            let parsed = self.jwt.claims.get(name).and_then(|v| match v {
                Value::String(s) => s.parse::<i64>().ok(),
                other => other.as_i64(),
            });
            if let Some(seconds) = parsed {
                self.jwt.claims.insert(name.into(), json!(seconds));
            }
        }
        self
    }

    /// Sets `nbf` and `exp` (Unix seconds) in the current encoding (strings by default).
    pub fn valid_between(mut self, not_before: i64, expires: i64) -> ExchangeToken {
        let nbf = self.time_value(not_before);
        let exp = self.time_value(expires);
        self.jwt.claims.insert("nbf".into(), nbf);
        self.jwt.claims.insert("exp".into(), exp);
        self
    }

    /// Valid from a minute ago until `seconds` from now (negative: already expired).
    pub fn expires_in(self, seconds: i64) -> ExchangeToken {
        let now = now();
        self.valid_between(now - 60, now + seconds)
    }

    /// Expired ten minutes ago.
    pub fn expired(self) -> ExchangeToken {
        let now = now();
        self.valid_between(now - 8 * 3600, now - 600)
    }

    /// Not valid until ten minutes from now.
    pub fn not_yet_valid(self) -> ExchangeToken {
        let now = now();
        self.valid_between(now + 600, now + 8 * 3600)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tokens::decode_segment;
    use jsonwebtoken::{decode, Algorithm, DecodingKey, Validation};

    const AMURL: &str = "https://mail.contoso.example:443/autodiscover/metadata/json/1";
    const AUD: &str = "https://addin.example/read.html";

    #[test]
    fn default_token_matches_exchange_wire_format() {
        let key = TestKey::pooled(1);
        let token = ExchangeToken::new(&key, AMURL, AUD).build();
        let header = decode_segment(&token, 0);
        assert_eq!(header["typ"], "JWT");
        assert_eq!(header["alg"], "RS256");
        assert_eq!(header["x5t"], key.x5t());
        let claims = decode_segment(&token, 1);
        let principal = format!("{EXCHANGE_PRINCIPAL}@mail.contoso.example");
        assert_eq!(claims["iss"], principal.as_str());
        assert_eq!(claims["appctxsender"], principal.as_str());
        assert_eq!(claims["isbrowserhostedapp"], "true");
        assert!(claims["nbf"].is_string() && claims["exp"].is_string());
        let appctx: Value = serde_json::from_str(claims["appctx"].as_str().unwrap()).unwrap();
        assert_eq!(appctx["version"], "ExIdTok.V1");
        assert_eq!(appctx["amurl"], AMURL);
        assert!(appctx["msexchuid"]
            .as_str()
            .unwrap()
            .ends_with("@mail.contoso.example"));
    }

    #[test]
    fn string_times_need_manual_checks_in_jsonwebtoken() {
        let key = TestKey::pooled(1);
        let cert = DecodingKey::from_rsa_pem(key.certificate_pem().as_bytes()).unwrap();
        let mut strict = Validation::new(Algorithm::RS256);
        strict.set_audience(&[AUD]);
        let token = ExchangeToken::new(&key, AMURL, AUD).build();
        assert!(decode::<Value>(&token, &cert, &strict).is_err());
        let mut lenient = strict.clone();
        lenient.required_spec_claims.clear();
        lenient.validate_exp = false;
        assert!(decode::<Value>(&token, &cert, &lenient).is_ok());
        let numeric = ExchangeToken::new(&key, AMURL, AUD).numeric_times().build();
        assert!(decode::<Value>(&numeric, &cert, &strict).is_ok());
    }

    #[test]
    fn appctx_variants() {
        let key = TestKey::pooled(1);
        let token = ExchangeToken::new(&key, AMURL, AUD)
            .appctx_as_object()
            .version("ExIdTok.V2")
            .amurl("https://evil.example/autodiscover/metadata/json/1")
            .without_appctx_field("msexchuid")
            .expired()
            .build();
        let claims = decode_segment(&token, 1);
        assert_eq!(claims["appctx"]["version"], "ExIdTok.V2");
        assert_eq!(
            claims["appctx"]["amurl"],
            "https://evil.example/autodiscover/metadata/json/1"
        );
        assert!(claims["appctx"].get("msexchuid").is_none());
        let exp: i64 = claims["exp"].as_str().unwrap().parse().unwrap();
        assert!(exp < now());
    }
}
