//! `vmr-scheduler manifest xml|json [--integration NAME] [--out FILE]`: the same manifests the
//! service serves, with the same stored id and version (the command opens the database).

use super::{current_revision, generate_package, generate_xml, ManifestError, ManifestInput};
use crate::config::{IntegrationSettings, Settings};
use crate::store::Store;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ManifestFormat {
    /// The add-in-only XML manifest (Exchange, Microsoft 365 admin center).
    Xml,
    /// The Microsoft 365 app package: a zip with the unified JSON manifest.
    Json,
}

#[derive(Debug, clap::Args)]
pub struct ManifestCommand {
    #[arg(value_enum)]
    pub format: ManifestFormat,
    /// Integration whose add-in to generate (default: the only one configured).
    #[arg(long)]
    pub integration: Option<String>,
    /// Write to this file instead of standard output.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

pub async fn run(settings: &Settings, command: ManifestCommand) -> ExitCode {
    let integration = match choose(settings, command.integration.as_deref()) {
        Ok(integration) => integration,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    if command.format == ManifestFormat::Json
        && command.out.is_none()
        && std::io::stdout().is_terminal()
    {
        eprintln!(
            "the app package is a zip file: write it with --out FILE or redirect standard output"
        );
        return ExitCode::from(2);
    }
    let store = match Store::connect(&settings.database).await {
        Ok(store) => store,
        Err(error) => {
            eprintln!("{error}");
            return ExitCode::FAILURE;
        }
    };
    let generated = generate(&store, settings, integration, command.format).await;
    store.close().await;
    let generated = match generated {
        Ok(generated) => generated,
        Err(error) => {
            eprintln!(
                "cannot generate the manifest of integration `{}`:\n{error}",
                integration.id
            );
            return ExitCode::FAILURE;
        }
    };
    if let Some(warning) = generated.warning {
        eprintln!("warning: {warning}");
    }
    match write(command.out.as_deref(), &generated.bytes) {
        Ok(()) => {
            if let Some(path) = &command.out {
                eprintln!("wrote {} (version {})", path.display(), generated.version);
            }
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("{error}");
            ExitCode::FAILURE
        }
    }
}

/// The named integration, or the only one.
fn choose<'a>(
    settings: &'a Settings,
    name: Option<&str>,
) -> Result<&'a IntegrationSettings, String> {
    match (name, settings.integrations.as_slice()) {
        (Some(name), _) => settings.integration(name).ok_or_else(|| {
            format!(
                "no integration named `{name}`; the configuration has: {}",
                settings.integration_ids()
            )
        }),
        (None, [only]) => Ok(only),
        (None, _) => Err(format!(
            "the configuration has {} integrations ({}); choose one with --integration",
            settings.integrations.len(),
            settings.integration_ids()
        )),
    }
}

struct Generated {
    bytes: Vec<u8>,
    /// As written in the document.
    version: String,
    warning: Option<&'static str>,
}

async fn generate(
    store: &Store,
    settings: &Settings,
    integration: &IntegrationSettings,
    format: ManifestFormat,
) -> Result<Generated, ManifestError> {
    let public_url = &settings.server.public_url;
    let revision = current_revision(store, integration, public_url).await?;
    let input = ManifestInput::new(integration, public_url, revision);
    let (bytes, version) = match format {
        ManifestFormat::Xml => {
            let manifest = generate_xml(&input)?;
            (manifest.text.into_bytes(), manifest.version)
        }
        ManifestFormat::Json => (generate_package(&input)?, input.json_version()?),
    };
    Ok(Generated {
        bytes,
        version,
        warning: input.development_warning(),
    })
}

fn write(out: Option<&Path>, bytes: &[u8]) -> Result<(), String> {
    match out {
        Some(path) => std::fs::write(path, bytes)
            .map_err(|error| format!("cannot write {}: {error}", path.display())),
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout
                .write_all(bytes)
                .and_then(|()| stdout.flush())
                .map_err(|error| format!("cannot write to standard output: {error}"))
        }
    }
}
