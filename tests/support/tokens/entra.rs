//! Entra ID (Azure AD) access tokens, v1.0 and v2.0.

use serde_json::Value;

use super::{now, JwtParts};
use crate::keys::TestKey;

/// Client ID of the Office clients (legacy Office SSO puts it in `azp`/`appid`).
pub const OFFICE_CLIENT_ID: &str = "d3590ed6-52b3-4102-aeff-aad2292ab01c";

/// Microsoft's v2.0 issuer template.
const V2_ISSUER_TEMPLATE: &str = "https://login.microsoftonline.com/{tenantid}/v2.0";
/// Microsoft's v1.0 issuer template.
const V1_ISSUER_TEMPLATE: &str = "https://sts.windows.net/{tenantid}/";

/// Builder for an Entra ID access token, valid by default (RS256, lifetime one hour).
///
/// Claims: `aud`, `iss`, `iat`, `nbf`, `exp` (numbers), `tid`, `oid`, `sub`, `scp`
/// (`access_as_user`), `ver`, `name`, `uti`, and for v2 `azp`, `azpacr`, `preferred_username`,
/// for v1 `appid`, `appidacr`, `upn`, `unique_name`. Header: `typ`, `alg`, `kid`, plus `x5t` for v1.
#[derive(Clone, Debug)]
pub struct EntraToken {
    jwt: JwtParts,
    v1: bool,
}

impl EntraToken {
    /// A v2.0 token for tenant `tenant` (the `tid` GUID) and audience `audience`, issued by
    /// `https://login.microsoftonline.com/{tid}/v2.0`.
    pub fn v2(key: &TestKey, tenant: &str, audience: &str) -> EntraToken {
        let mut token = EntraToken::common(key, tenant, audience, false);
        let claims = &mut token.jwt.claims;
        claims.insert("ver".into(), "2.0".into());
        claims.insert("azp".into(), OFFICE_CLIENT_ID.into());
        claims.insert("azpacr".into(), "0".into());
        claims.insert(
            "preferred_username".into(),
            "adele.vance@contoso.example".into(),
        );
        token.issuer_template(V2_ISSUER_TEMPLATE)
    }

    /// A v1.0 token for tenant `tenant` and audience `audience`, issued by
    /// `https://sts.windows.net/{tid}/`.
    pub fn v1(key: &TestKey, tenant: &str, audience: &str) -> EntraToken {
        let mut token = EntraToken::common(key, tenant, audience, true);
        token.jwt.header.insert("x5t".into(), key.x5t().into());
        let claims = &mut token.jwt.claims;
        claims.insert("ver".into(), "1.0".into());
        claims.insert("appid".into(), OFFICE_CLIENT_ID.into());
        claims.insert("appidacr".into(), "0".into());
        claims.insert("upn".into(), "adele.vance@contoso.example".into());
        claims.insert("unique_name".into(), "adele.vance@contoso.example".into());
        token.issuer_template(V1_ISSUER_TEMPLATE)
    }

    fn common(key: &TestKey, tenant: &str, audience: &str, v1: bool) -> EntraToken {
        let mut jwt = JwtParts::new(key);
        jwt.header.insert("kid".into(), key.kid().into());
        let issued = now() - 60;
        let oid = uuid::Uuid::new_v4().to_string();
        let claims = &mut jwt.claims;
        claims.insert("aud".into(), audience.into());
        claims.insert("iat".into(), issued.into());
        claims.insert("nbf".into(), issued.into());
        claims.insert("exp".into(), (issued + 3600).into());
        claims.insert("tid".into(), tenant.into());
        claims.insert("sub".into(), super::b64url(oid.as_bytes()).into());
        claims.insert("oid".into(), oid.into());
        claims.insert("scp".into(), "access_as_user".into());
        claims.insert("name".into(), "Adele Vance".into());
        claims.insert(
            "uti".into(),
            super::b64url(uuid::Uuid::new_v4().as_bytes()).into(),
        );
        EntraToken { jwt, v1 }
    }

    jwt_builder_methods!();

    /// Sets `iss` from a template, replacing `{tenantid}` with the token's current `tid`.
    pub fn issuer_template(self, template: &str) -> EntraToken {
        let tid = self
            .jwt
            .claims
            .get("tid")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let issuer = template.replace("{tenantid}", tid);
        self.claim("iss", issuer)
    }

    /// Sets `iss` verbatim.
    pub fn issuer(self, issuer: &str) -> EntraToken {
        self.claim("iss", issuer)
    }

    /// Sets `aud`.
    pub fn audience(self, audience: &str) -> EntraToken {
        self.claim("aud", audience)
    }

    /// Sets `tid` only (leaves `iss` unchanged).
    pub fn tenant(self, tid: &str) -> EntraToken {
        self.claim("tid", tid)
    }

    /// Sets `oid` (the stable user ID within the tenant) and a `sub` derived from it.
    pub fn oid(self, oid: &str) -> EntraToken {
        let sub = super::b64url(oid.as_bytes());
        self.claim("oid", oid).claim("sub", sub)
    }

    /// Sets `scp` (space-separated delegated scopes).
    pub fn scope(self, scp: &str) -> EntraToken {
        self.claim("scp", scp)
    }

    /// Sets `roles` (application permissions) as an array.
    pub fn roles(self, roles: &[&str]) -> EntraToken {
        self.claim("roles", roles.to_vec())
    }

    /// Sets the user name: `preferred_username` (v2) or `upn` and `unique_name` (v1).
    pub fn username(self, username: &str) -> EntraToken {
        if self.v1 {
            self.claim("upn", username).claim("unique_name", username)
        } else {
            self.claim("preferred_username", username)
        }
    }

    /// Sets `name`.
    pub fn name(self, name: &str) -> EntraToken {
        self.claim("name", name)
    }

    /// Sets the client ID: `azp` (v2) or `appid` (v1).
    pub fn client_id(self, client_id: &str) -> EntraToken {
        let claim = if self.v1 { "appid" } else { "azp" };
        self.claim(claim, client_id)
    }

    /// Sets `iat` and `nbf` to `not_before` and `exp` to `expires` (Unix seconds).
    pub fn valid_between(self, not_before: i64, expires: i64) -> EntraToken {
        self.claim("iat", not_before)
            .claim("nbf", not_before)
            .claim("exp", expires)
    }

    /// Valid from a minute ago until `seconds` from now (negative: already expired).
    pub fn expires_in(self, seconds: i64) -> EntraToken {
        let now = now();
        self.valid_between(now - 60, now + seconds)
    }

    /// Expired ten minutes ago (well beyond usual clock-skew leeway).
    pub fn expired(self) -> EntraToken {
        let now = now();
        self.valid_between(now - 4200, now - 600)
    }

    /// Not valid until ten minutes from now.
    pub fn not_yet_valid(self) -> EntraToken {
        let now = now();
        self.valid_between(now + 600, now + 4200)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tokens::{decode_segment, Signing};
    use jsonwebtoken::{decode, Algorithm, DecodingKey, Validation};

    const TID: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";

    fn validation(audience: &str) -> Validation {
        let mut v = Validation::new(Algorithm::RS256);
        v.set_audience(&[audience]);
        v
    }

    fn rs_key(key: &TestKey) -> DecodingKey {
        DecodingKey::from_rsa_components(key.n(), key.e()).unwrap()
    }

    #[test]
    fn v2_defaults_are_valid() {
        let key = TestKey::pooled(0);
        let token = EntraToken::v2(&key, TID, "api-client-id").build();
        let data = decode::<Value>(&token, &rs_key(&key), &validation("api-client-id")).unwrap();
        assert_eq!(data.header.kid.as_deref(), Some(key.kid()));
        assert_eq!(data.header.x5t, None);
        let c = &data.claims;
        assert_eq!(
            c["iss"],
            format!("https://login.microsoftonline.com/{TID}/v2.0")
        );
        assert_eq!(c["ver"], "2.0");
        assert_eq!(c["tid"], TID);
        assert!(c["exp"].is_i64() && c["nbf"].is_i64() && c["iat"].is_i64());
        assert!(c.get("preferred_username").is_some() && c.get("azp").is_some());
    }

    #[test]
    fn v1_defaults_are_valid() {
        let key = TestKey::pooled(0);
        let token = EntraToken::v1(&key, TID, "api://host/id")
            .username("u@x.example")
            .build();
        let data = decode::<Value>(&token, &rs_key(&key), &validation("api://host/id")).unwrap();
        assert_eq!(data.header.x5t.as_deref(), Some(key.x5t()));
        let c = &data.claims;
        assert_eq!(c["iss"], format!("https://sts.windows.net/{TID}/"));
        assert_eq!(c["ver"], "1.0");
        assert_eq!(c["upn"], "u@x.example");
        assert!(c.get("appid").is_some());
    }

    #[test]
    fn overrides_and_removals() {
        let key = TestKey::pooled(0);
        let token = EntraToken::v2(&key, TID, "a")
            .issuer_template("http://127.0.0.1:1/{tenantid}/v2.0")
            .without_claim("scp")
            .claim("extra", 5)
            .header("jku", "http://127.0.0.1:1/keys")
            .without_header("kid")
            .build();
        let header = decode_segment(&token, 0);
        let claims = decode_segment(&token, 1);
        assert_eq!(claims["iss"], format!("http://127.0.0.1:1/{TID}/v2.0"));
        assert!(claims.get("scp").is_none());
        assert_eq!(claims["extra"], 5);
        assert_eq!(header["jku"], "http://127.0.0.1:1/keys");
        assert!(header.get("kid").is_none());
    }

    #[test]
    fn expired_token_is_rejected() {
        let key = TestKey::pooled(0);
        let token = EntraToken::v2(&key, TID, "a").expired().build();
        assert!(decode::<Value>(&token, &rs_key(&key), &validation("a")).is_err());
    }

    #[test]
    fn broken_signatures_fail_rs256_verification() {
        let key = TestKey::pooled(0);
        let other = TestKey::pooled(1);
        let base = EntraToken::v2(&key, TID, "a");
        let wrong_key = base.clone().signing(Signing::Rs256With(other)).build();
        let tampered = base.clone().tamper_claim("oid", "someone-else").build();
        for token in [wrong_key, tampered] {
            assert!(decode::<Value>(&token, &rs_key(&key), &validation("a")).is_err());
        }
        assert!(decode::<Value>(&base.build(), &rs_key(&key), &validation("a")).is_ok());
    }

    #[test]
    fn key_confusion_token_is_hmac_over_public_pem() {
        let key = TestKey::pooled(0);
        let token = EntraToken::v2(&key, TID, "a")
            .signing(Signing::Hs256PublicKeyPem)
            .build();
        assert_eq!(decode_segment(&token, 0)["alg"], "HS256");
        let hmac = DecodingKey::from_secret(key.public_key_pem().as_bytes());
        let mut v = Validation::new(Algorithm::HS256);
        v.set_audience(&["a"]);
        assert!(decode::<Value>(&token, &hmac, &v).is_ok());
        assert!(decode::<Value>(&token, &rs_key(&key), &validation("a")).is_err());
    }

    #[test]
    fn alg_none_has_empty_signature() {
        let key = TestKey::pooled(0);
        let token = EntraToken::v2(&key, TID, "a")
            .signing(Signing::None)
            .build();
        assert!(token.ends_with('.'));
        assert_eq!(decode_segment(&token, 0)["alg"], "none");
        let custom = EntraToken::v2(&key, TID, "a")
            .signing(Signing::None)
            .header("alg", "None")
            .build();
        assert_eq!(decode_segment(&custom, 0)["alg"], "None");
    }
}
