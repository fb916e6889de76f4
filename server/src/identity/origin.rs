//! Which URLs we are willing to fetch keys from. Everything that decides trust compares
//! `url::Origin` values (scheme, host, port with the scheme's default filled in), never strings,
//! so `https://host`, `https://HOST:443/` and `https://host/` are the same origin while
//! `https://trusted.com@evil.com` is `evil.com`.

use std::net::IpAddr;
use url::{Host, Origin, Url};

/// Text shared by every problem and rejection about plain-HTTP URLs.
pub(crate) const HTTP_RULE: &str = "an https:// URL (http:// only with \
     insecure_allow_http_loopback = true and a loopback host: 127.0.0.0/8, ::1 or localhost)";

/// Checks a URL we may fetch from. Credentials and fragments are refused because they have no
/// meaning for a key document and are a classic way to make a URL look like another origin.
pub(crate) fn check_fetch_url(url: &Url, allow_http_loopback: bool) -> Result<(), String> {
    if !url.username().is_empty() || url.password().is_some() {
        return Err("contains a user name or password".to_string());
    }
    if url.fragment().is_some() {
        return Err("contains a #fragment".to_string());
    }
    match url.scheme() {
        "https" if url.host().is_some() => Ok(()),
        "http" if allow_http_loopback && is_loopback(url) => Ok(()),
        "http" if allow_http_loopback => Err("is http:// but its host is not loopback".to_string()),
        "http" => Err("is http:// and insecure_allow_http_loopback is not true".to_string()),
        other => Err(format!("has scheme `{other}`")),
    }
}

/// Parses a configured origin such as `https://mail.contoso.com` or `https://mail.contoso.com:8443`:
/// nothing after the authority but an optional `/`.
pub(crate) fn parse_origin(input: &str, allow_http_loopback: bool) -> Result<Origin, String> {
    let url = Url::parse(input.trim()).map_err(|e| format!("`{input}` is not a URL ({e})"))?;
    check_fetch_url(&url, allow_http_loopback).map_err(|e| format!("`{input}` {e}"))?;
    if url.path() != "/" || url.query().is_some() {
        return Err(format!("`{input}` has a path or query"));
    }
    Ok(url.origin())
}

/// The origin of a URL if it is a real (tuple) origin; `file:`, `data:` and the like have none.
pub(crate) fn origin_of(url: &Url) -> Option<Origin> {
    let origin = url.origin();
    origin.is_tuple().then_some(origin)
}

pub(crate) fn is_loopback(url: &Url) -> bool {
    url.host().is_some_and(|host| is_loopback_host(&host))
}

/// True for an origin on this machine, which no outbound proxy could reach for us.
pub(crate) fn is_loopback_origin(origin: &Origin) -> bool {
    match origin {
        Origin::Tuple(_, host, _) => is_loopback_host(host),
        Origin::Opaque(_) => false,
    }
}

fn is_loopback_host<S: AsRef<str>>(host: &Host<S>) -> bool {
    match host {
        Host::Ipv4(ip) => IpAddr::V4(*ip).is_loopback(),
        Host::Ipv6(ip) => IpAddr::V6(*ip).is_loopback(),
        Host::Domain(name) => name.as_ref().eq_ignore_ascii_case("localhost"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).expect("test URL")
    }

    #[test]
    fn origins_compare_scheme_host_and_port_with_defaults() {
        let trusted = parse_origin("https://mail.contoso.com", false).unwrap();
        for same in [
            "https://mail.contoso.com/autodiscover/metadata/json/1",
            "https://mail.contoso.com:443/autodiscover/metadata/json/1",
            "https://MAIL.Contoso.com/x",
        ] {
            assert_eq!(origin_of(&url(same)), Some(trusted.clone()), "{same}");
        }
        for other in [
            "http://mail.contoso.com/x",
            "https://mail.contoso.com:444/x",
            "https://mail.contoso.com.evil.com/x",
            "https://evil.com/mail.contoso.com",
            "https://mail.contoso.com@evil.com/x",
            "https://mail.contoso.com:443@evil.com/x",
            "https://evil.com\\@mail.contoso.com/x",
            "https://evil.com#@mail.contoso.com/x",
        ] {
            assert_ne!(origin_of(&url(other)), Some(trusted.clone()), "{other}");
        }
        let custom = parse_origin("https://mail.contoso.com:8443/", false).unwrap();
        assert_eq!(
            origin_of(&url("https://mail.contoso.com:8443/a")),
            Some(custom)
        );
        assert!(origin_of(&url("file:///etc/passwd")).is_none());
    }

    #[test]
    fn configured_origins_are_bare() {
        for bad in [
            "https://mail.contoso.com/autodiscover",
            "https://mail.contoso.com/?a=b",
            "https://user@mail.contoso.com",
            "mail.contoso.com",
            "ftp://mail.contoso.com",
        ] {
            assert!(parse_origin(bad, false).is_err(), "{bad}");
        }
    }

    #[test]
    fn plain_http_needs_the_flag_and_a_loopback_host() {
        for loopback in [
            "http://127.0.0.1:8080",
            "http://127.1.2.3",
            "http://[::1]:9",
            "http://localhost:1",
        ] {
            assert!(check_fetch_url(&url(loopback), true).is_ok(), "{loopback}");
            assert!(
                check_fetch_url(&url(loopback), false).is_err(),
                "{loopback}"
            );
        }
        for remote in [
            "http://10.0.0.1",
            "http://localhost.evil.com",
            "http://[::2]",
            "http://128.0.0.1",
        ] {
            assert!(check_fetch_url(&url(remote), true).is_err(), "{remote}");
        }
        assert!(check_fetch_url(&url("https://login.microsoftonline.com/x"), false).is_ok());
        assert!(check_fetch_url(&url("https://a.example/x#frag"), false).is_err());
        assert!(check_fetch_url(&url("https://u:p@a.example/x"), false).is_err());
    }
}
