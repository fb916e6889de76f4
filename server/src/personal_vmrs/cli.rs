//! `vmr-scheduler personal-vmrs import|list`: the admin's side of personal VMRs.

use super::read_file;
use crate::config::{IntegrationSettings, Settings};
use crate::domain::{EmailAddress, Pin};
use crate::store::{SaveMode, Store, StoredPersonalVmr};
use clap::Subcommand;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Debug, Subcommand)]
pub enum PersonalVmrsCommand {
    /// Import personal VMRs from a CSV or JSON file. Every row is checked first; if any is
    /// invalid, all problems are listed and nothing is imported.
    Import {
        /// Integration the VMRs belong to.
        #[arg(long)]
        integration: String,
        /// Make the file the integration's whole set: VMRs not in it are deleted. By default
        /// VMRs are added or updated by owner and name, and others are kept.
        #[arg(long)]
        replace: bool,
        /// `.csv` with a header row (owner_email,name,description,aliases,pin,guest_pin,
        /// allow_guests; aliases separated by `;`), or `.json`: an array of objects with those
        /// fields, aliases as an array.
        file: PathBuf,
    },
    /// List personal VMRs, tab-separated (PINs show only whether they are set).
    List {
        /// Integration whose VMRs to list.
        #[arg(long)]
        integration: String,
        /// Only the VMRs of this owner (email address).
        #[arg(long)]
        owner: Option<String>,
    },
}

pub async fn run(settings: &Settings, command: PersonalVmrsCommand) -> ExitCode {
    match command {
        PersonalVmrsCommand::Import {
            integration,
            replace,
            file,
        } => {
            let mode = if replace {
                SaveMode::Replace
            } else {
                SaveMode::Upsert
            };
            match integration_named(settings, &integration) {
                Ok(integration) => import(settings, integration, &file, mode).await,
                Err(code) => code,
            }
        }
        PersonalVmrsCommand::List { integration, owner } => {
            let integration = match integration_named(settings, &integration) {
                Ok(integration) => integration,
                Err(code) => return code,
            };
            let owner = match owner.as_deref().map(EmailAddress::parse).transpose() {
                Ok(owner) => owner,
                Err(error) => {
                    eprintln!("--owner is not an email address: {error}");
                    return ExitCode::from(2);
                }
            };
            list(settings, integration, owner.as_ref()).await
        }
    }
}

fn integration_named<'a>(
    settings: &'a Settings,
    name: &str,
) -> Result<&'a IntegrationSettings, ExitCode> {
    settings.integration(name).ok_or_else(|| {
        eprintln!(
            "no integration named `{name}`; the configuration has: {}",
            settings.integration_ids()
        );
        ExitCode::from(2)
    })
}

async fn import(
    settings: &Settings,
    integration: &IntegrationSettings,
    file: &Path,
    mode: SaveMode,
) -> ExitCode {
    // Checked before connecting: a bad file needs no database to be reported.
    let vmrs = match read_file(file) {
        Ok(vmrs) => vmrs,
        Err(error) => return failed(&error),
    };
    let Some(store) = connect(settings).await else {
        return ExitCode::FAILURE;
    };
    let saved = store
        .save_personal_vmrs(&integration.id, &vmrs, mode, now_ms())
        .await;
    store.close().await;
    match saved {
        Ok(counts) => {
            println!(
                "imported {} personal VMR(s) into `{}` from {}: {} added, {} updated, {} removed",
                vmrs.len(),
                integration.id,
                file.display(),
                counts.added,
                counts.updated,
                counts.removed
            );
            ExitCode::SUCCESS
        }
        Err(error) => failed(&error),
    }
}

async fn list(
    settings: &Settings,
    integration: &IntegrationSettings,
    owner: Option<&EmailAddress>,
) -> ExitCode {
    let Some(store) = connect(settings).await else {
        return ExitCode::FAILURE;
    };
    let listed = store.personal_vmrs(&integration.id, owner).await;
    store.close().await;
    let vmrs = match listed {
        Ok(vmrs) => vmrs,
        Err(error) => return failed(&error),
    };
    println!("owner_email\tname\taliases\tpin\tguest_pin\tallow_guests\tdescription");
    for stored in &vmrs {
        println!("{}", list_line(stored));
    }
    ExitCode::SUCCESS
}

fn list_line(stored: &StoredPersonalVmr) -> String {
    let vmr = &stored.vmr;
    let set = |pin: Option<&Pin>| if pin.is_some() { "set" } else { "-" };
    [
        vmr.owner_email().as_str(),
        vmr.name(),
        &vmr.aliases().all().collect::<Vec<_>>().join(";"),
        set(vmr.pin()),
        set(vmr.guest_pin()),
        if vmr.allow_guests() { "yes" } else { "no" },
        vmr.description(),
    ]
    .join("\t")
}

async fn connect(settings: &Settings) -> Option<Store> {
    match Store::connect(&settings.database).await {
        Ok(store) => Some(store),
        Err(error) => {
            eprintln!("{error}");
            None
        }
    }
}

fn failed(error: &dyn std::fmt::Display) -> ExitCode {
    eprintln!("{error}");
    ExitCode::FAILURE
}

fn now_ms() -> i64 {
    i64::try_from(time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000)
        .unwrap_or(i64::MAX)
}
