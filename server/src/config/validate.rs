//! Turns [`RawConfig`] into [`Settings`], collecting every problem instead of stopping at the first.

use super::raw::{RawConfig, RawDatabase, RawIntegration, RawServer};
use super::settings::*;
use super::Problems;
use crate::domain::{
    AliasDomain, AliasPrefix, EmailAddress, IntegrationId, NumericPrefix, NumericSuffixLength,
};
use crate::reservations::AliasSettings;
use crate::store::DatabaseSettings;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

pub struct Context<'a> {
    /// Relative paths in the file (templates, TLS files) are resolved against its folder.
    pub base_dir: &'a Path,
    /// Dotted keys set from the environment rather than the file.
    pub from_env: &'a [String],
    pub lookup_env: &'a dyn Fn(&str) -> Option<String>,
}

pub fn validate(
    raw: &RawConfig,
    context: &Context<'_>,
    problems: &mut Problems,
) -> Option<Settings> {
    let server = validate_server(&raw.server, context, problems);
    let database = validate_database(&raw.database, context, problems);
    let logging = validate_logging(raw, problems);
    let janitor = raw.janitor.validate(problems);
    let admin = raw
        .admin
        .validate(context.base_dir, context.lookup_env, problems);
    let policy = match &raw.policy {
        Some(section) => section
            .validate(context.base_dir, context.lookup_env, problems)
            .map(Some),
        None => Some(None),
    };
    if raw.integrations.is_empty() {
        problems.push(
            "integrations",
            "no integration is configured",
            "at least one [integrations.<name>] section",
        );
    }
    // A server mistake is already recorded; integrations are still checked against a stand-in
    // URL so that their own mistakes are reported in the same pass.
    let public_url = server.as_ref().map_or_else(
        || url::Url::parse("https://public-url.invalid").expect("valid stand-in URL"),
        |server| server.public_url.clone(),
    );
    let integrations: Vec<_> = raw
        .integrations
        .iter()
        .filter_map(|(id, integration)| {
            validate_integration(id, integration, &public_url, context, problems)
        })
        .collect();
    refuse_shared_resources(raw, problems);
    // The manifests are generated on request; their limits are checked here, so that a label
    // too long for Outlook stops the start rather than the download.
    if server.is_some() {
        for integration in &integrations {
            for problem in crate::manifest::check_settings(integration, &public_url) {
                problems.push(problem.key, problem.problem, problem.expected);
            }
        }
    }
    if !problems.is_empty() {
        return None;
    }
    Some(Settings {
        server: server?,
        database: database?,
        logging: logging?,
        admin: admin?,
        policy: policy?,
        janitor,
        integrations,
    })
}

fn validate_server(
    raw: &RawServer,
    context: &Context<'_>,
    problems: &mut Problems,
) -> Option<ServerSettings> {
    let listen = problems.check(
        "server.listen",
        raw.listen
            .parse::<SocketAddr>()
            .map_err(|_| format!("`{}` is not an address and port", raw.listen)),
        "an address and port such as 127.0.0.1:8080 or [::]:443",
    );
    let public_url = match &raw.public_url {
        None => {
            problems.push(
                "server.public_url",
                "is missing",
                "the https URL Outlook uses to reach this service, e.g. https://vmr.example.com",
            );
            None
        }
        Some(text) => problems.check(
            "server.public_url",
            parse_public_url(text),
            "an https URL without query or fragment (http only for localhost)",
        ),
    };
    let tls = raw.tls.as_ref().and_then(|tls| {
        let cert_file = context.base_dir.join(&tls.cert_file);
        let key_file = context.base_dir.join(&tls.key_file);
        let mut ok = true;
        for (key, path) in [
            ("server.tls.cert_file", &cert_file),
            ("server.tls.key_file", &key_file),
        ] {
            if !path.is_file() {
                problems.push(
                    key,
                    format!("`{}` does not exist or is not a file", path.display()),
                    "a PEM file",
                );
                ok = false;
            }
        }
        ok.then_some(TlsSettings {
            cert_file,
            key_file,
        })
    });
    for origin in &raw.cors_allowed_origins {
        let valid = url::Url::parse(origin).is_ok_and(|u| {
            matches!(u.scheme(), "https" | "http")
                && u.path() == "/"
                && u.origin().ascii_serialization() == *origin
        });
        if !valid {
            problems.push(
                "server.cors_allowed_origins",
                format!("`{origin}` is not an origin"),
                "origins such as https://outlook.office.com (scheme, host, optional port; no path)",
            );
        }
    }
    Some(ServerSettings {
        listen: listen?,
        public_url: public_url?,
        tls,
        cors_allowed_origins: raw.cors_allowed_origins.clone(),
        // Missing files are reported at start and by check-config, not refused: deployments
        // that use neither MSAL nor local Office.js run without npm.
        addin_vendor_dir: raw
            .addin_vendor_dir
            .as_ref()
            .map(|dir| context.base_dir.join(dir)),
    })
}

fn parse_public_url(text: &str) -> Result<url::Url, String> {
    let url = url::Url::parse(text.trim_end_matches('/'))
        .map_err(|e| format!("`{text}` is not a URL ({e})"))?;
    if url.scheme() != "https" && !(url.scheme() == "http" && crate::identity::is_loopback(&url)) {
        return Err(format!(
            "`{text}` is not https (Outlook loads add-ins only over https)"
        ));
    }
    if url.query().is_some() || url.fragment().is_some() || !url.username().is_empty() {
        return Err(format!("`{text}` has a query, fragment or user name"));
    }
    Ok(url)
}

fn validate_database(
    raw: &RawDatabase,
    context: &Context<'_>,
    problems: &mut Problems,
) -> Option<DatabaseSettings> {
    let is_postgres = raw.url.starts_with("postgres://") || raw.url.starts_with("postgresql://");
    if !is_postgres && !raw.url.starts_with("sqlite:") {
        problems.push(
            "database.url",
            "is neither an SQLite nor a PostgreSQL URL",
            "sqlite://path/to/file.db or postgres://user@host:5432/database",
        );
        return None;
    }
    let mut url = raw.url.clone();
    if is_postgres {
        // Not echoing the URL: it may hold a password.
        let Ok(mut parsed) = url::Url::parse(&raw.url) else {
            problems.push(
                "database.url",
                "is not a valid URL (check the host, port and escaping)",
                "postgres://user@host:5432/database",
            );
            return None;
        };
        if parsed.password().is_some() && !context.from_env.iter().any(|k| k == "database.url") {
            problems.push("database.url", "contains a password in the file", "the password in database.password = { file = \"…\" } or { env = \"…\" }, or the whole URL in VMR_SCHEDULER__DATABASE__URL");
            return None;
        }
        if let Some(source) = &raw.password {
            let secret = problems.check(
                "database.password",
                source.read(context.base_dir, context.lookup_env),
                "a readable, non-empty secret",
            )?;
            if parsed.set_password(Some(secret.expose())).is_err() {
                problems.push(
                    "database.url",
                    "cannot carry a password",
                    "a postgres:// URL with a host",
                );
                return None;
            }
            url = parsed.to_string();
        }
    } else if raw.password.is_some() {
        problems.push(
            "database.password",
            "is set for SQLite",
            "no password for an SQLite database",
        );
    }
    let max_connections = raw
        .max_connections
        .unwrap_or(if is_postgres { 16 } else { 8 });
    if !(1..=200).contains(&max_connections) {
        problems.push(
            "database.max_connections",
            format!("is {max_connections}"),
            "1 to 200",
        );
    }
    if !(1..=300).contains(&raw.acquire_timeout_seconds) {
        problems.push(
            "database.acquire_timeout_seconds",
            format!("is {}", raw.acquire_timeout_seconds),
            "1 to 300",
        );
    }
    Some(DatabaseSettings {
        url,
        max_connections,
        acquire_timeout: Duration::from_secs(raw.acquire_timeout_seconds),
    })
}

fn validate_logging(raw: &RawConfig, problems: &mut Problems) -> Option<LoggingSettings> {
    let format = match raw.logging.format.as_str() {
        "text" => LogFormat::Text,
        "json" => LogFormat::Json,
        other => {
            problems.push(
                "logging.format",
                format!("is `{other}`"),
                "`text` or `json`",
            );
            return None;
        }
    };
    if tracing_subscriber::EnvFilter::try_new(&raw.logging.level).is_err() {
        problems.push(
            "logging.level",
            format!("`{}` is not a log filter", raw.logging.level),
            "a level (error, warn, info, debug, trace) or a filter like vmr_scheduler=debug,info",
        );
        return None;
    }
    Some(LoggingSettings {
        level: raw.logging.level.clone(),
        format,
    })
}

fn validate_integration(
    id: &str,
    raw: &RawIntegration,
    public_url: &url::Url,
    context: &Context<'_>,
    problems: &mut Problems,
) -> Option<IntegrationSettings> {
    let key = format!("integrations.{id}");
    let at = |field: &str| format!("{key}.{field}");
    let integration_id = problems.check(
        &key,
        IntegrationId::parse(id),
        "a section name of lowercase letters, digits and hyphens",
    );
    let resource_name = raw.equipment_resource.name.trim().to_string();
    if resource_name.is_empty() {
        problems.push(
            at("equipment_resource.name"),
            "is empty",
            "the display name of the equipment resource mailbox",
        );
    }
    let resource_email = problems.check(
        at("equipment_resource.email"),
        EmailAddress::parse(&raw.equipment_resource.email),
        "the SMTP address of the equipment resource mailbox",
    );
    let aliases = &raw.aliases;
    let prefix = problems.check(
        at("aliases.prefix"),
        AliasPrefix::parse(&aliases.prefix),
        "1–8 characters of a-z 0-9 . _ -, starting with a letter",
    );
    let domain = problems.check(
        at("aliases.domain"),
        AliasDomain::parse(&aliases.domain),
        "the SIP domain of the aliases, e.g. vc.example.com",
    );
    let suffix_length = problems.check(
        at("aliases.suffix_length"),
        NumericSuffixLength::parse(aliases.suffix_length),
        "a whole number from 5 to 15",
    );
    let numeric_prefix = problems.check(
        at("aliases.numeric_prefix"),
        NumericPrefix::parse(&aliases.numeric_prefix),
        "0–8 digits",
    );
    let lifetime_hours = aliases.reservation_lifetime_hours;
    if !(1..=2160).contains(&lifetime_hours) {
        problems.push(
            at("aliases.reservation_lifetime_hours"),
            format!("is {lifetime_hours}"),
            "1 to 2160 hours (90 days)",
        );
    }
    let buffers = buffer(
        problems,
        &at("buffers.before_minutes"),
        raw.buffers.before_minutes,
    )
    .zip(buffer(
        problems,
        &at("buffers.after_minutes"),
        raw.buffers.after_minutes,
    ))
    .map(|(before, after)| Buffers { before, after });
    let joining = validate_joining(raw, domain.as_ref(), &at("joining"), problems);
    let rate = &raw.rate_limit;
    for (field, value) in [("per_minute", rate.per_minute), ("burst", rate.burst)] {
        if value == 0 {
            problems.push(at(&format!("rate_limit.{field}")), "is 0", "at least 1");
        }
    }
    let auth = raw
        .auth
        .validate_in(&at("auth"), public_url, context.base_dir, problems);
    let templates = raw
        .templates
        .validate(&at("templates"), context.base_dir, problems);
    let display_name = raw.display_name.clone().unwrap_or_else(|| id.to_string());
    let addin = raw.addin.validate(
        &at("addin"),
        &display_name,
        auth.as_ref(),
        &raw.templates,
        context.base_dir,
        problems,
    );
    let exchange = match &raw.exchange {
        Some(section) => section
            .validate(
                &at("exchange"),
                context.base_dir,
                context.lookup_env,
                problems,
            )
            .map(Some),
        None => Some(None),
    };
    let pexip_push = match &raw.pexip_push {
        Some(section) => section
            .validate(
                &at("pexip_push"),
                context.base_dir,
                context.lookup_env,
                problems,
            )
            .map(Some),
        None => Some(None),
    };
    let policy = raw.policy.validate(&at("policy"), problems);
    Some(IntegrationSettings {
        exchange: exchange?,
        policy: policy?,
        pexip_push: pexip_push?,
        display_name,
        equipment_resource: EquipmentResource {
            name: resource_name,
            email: resource_email?,
        },
        aliases: AliasSettings {
            prefix: prefix?,
            domain: domain?,
            suffix_length: suffix_length?,
            numeric_prefix: numeric_prefix?,
        },
        reservation_lifetime: Duration::from_secs(u64::try_from(lifetime_hours).ok()? * 3600),
        buffers: buffers?,
        joining: joining?,
        rate_limit: RateLimitSettings {
            per_minute: rate.per_minute,
            burst: rate.burst,
        },
        auth: auth?,
        templates: templates?,
        addin: addin?,
        id: integration_id?,
    })
}

fn buffer(problems: &mut Problems, key: &str, minutes: i64) -> Option<Duration> {
    if (0..=180).contains(&minutes) {
        Some(Duration::from_secs(minutes as u64 * 60))
    } else {
        problems.push(key, format!("is {minutes}"), "0 to 180 minutes");
        None
    }
}

fn validate_joining(
    raw: &RawIntegration,
    domain: Option<&AliasDomain>,
    key: &str,
    problems: &mut Problems,
) -> Option<JoiningSettings> {
    let web_join_url = match &raw.joining.web_join_url {
        Some(url) => url.clone(),
        None => format!(
            "https://{}/webapp/#/?conference={{alias}}",
            domain?.as_str()
        ),
    };
    let probe = web_join_url.replace("{alias}", "meet123456@vc.example.com");
    let valid = web_join_url.contains("{alias}")
        && url::Url::parse(&probe).is_ok_and(|u| u.scheme() == "https");
    if !valid {
        problems.push(
            format!("{key}.web_join_url"),
            format!("`{web_join_url}` is not an https URL containing {{alias}}"),
            "e.g. https://vc.example.com/webapp/#/?conference={alias}",
        );
        return None;
    }
    let dial_in_number = raw
        .joining
        .dial_in_number
        .as_ref()
        .map(|n| n.trim().to_string());
    if let Some(number) = &dial_in_number {
        if number.is_empty()
            || !number
                .chars()
                .all(|c| c.is_ascii_digit() || " +-().".contains(c))
        {
            problems.push(
                format!("{key}.dial_in_number"),
                format!("`{number}` is not a phone number"),
                "digits with optional + - ( ) . and spaces",
            );
            return None;
        }
    }
    Some(JoiningSettings {
        web_join_url,
        dial_in_number,
    })
}

/// One equipment resource mailbox is watched by exactly one integration. Checked on the raw
/// sections so that a clash is reported even when either integration has other mistakes.
fn refuse_shared_resources(raw: &RawConfig, problems: &mut Problems) {
    let mut owners: HashMap<String, &str> = HashMap::new();
    for (id, integration) in &raw.integrations {
        let Ok(email) = EmailAddress::parse(&integration.equipment_resource.email) else {
            continue; // already reported by the integration's own check
        };
        let email = email.as_str().to_ascii_lowercase();
        if let Some(first) = owners.insert(email.clone(), id) {
            problems.push(
                format!("integrations.{id}.equipment_resource.email"),
                format!("`{email}` is already the resource of integration `{first}`"),
                "a resource mailbox used by only one integration",
            );
        }
    }
}
