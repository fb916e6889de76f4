//! Command line: `vmr-scheduler [--config FILE] <serve|check-config|render-template NAME|
//! personal-vmrs import|list|manifest xml|json|status|exchange setup-script|check|
//! janitor [--once]>`.

use crate::config::{ConfigError, Settings};
use crate::startup::Application;
use crate::templates::{TemplateName, Templates};
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Parser)]
#[command(
    name = "vmr-scheduler",
    version,
    about = "One-click video meeting rooms for Outlook, kept in step with Exchange"
)]
pub struct Cli {
    /// Configuration file (TOML); VMR_SCHEDULER__SECTION__KEY variables override its values.
    #[arg(
        long,
        short,
        env = "VMR_SCHEDULER_CONFIG",
        default_value = "vmr-scheduler.toml",
        global = true
    )]
    pub config: PathBuf,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the service (the default).
    Serve,
    /// Validate the configuration and report every problem, then exit.
    CheckConfig,
    /// Render one template with sample values, to preview an edit.
    RenderTemplate {
        /// Template name; run with `--list` to see them all.
        #[arg(required_unless_present = "list")]
        name: Option<String>,
        /// Integration whose templates to use (default: the first).
        #[arg(long)]
        integration: Option<String>,
        /// List the template names and their variables.
        #[arg(long)]
        list: bool,
    },
    /// Import or list users' personal VMRs.
    #[command(subcommand)]
    PersonalVmrs(crate::personal_vmrs::cli::PersonalVmrsCommand),
    /// Print or write an integration's add-in manifest (the same id and version as served).
    Manifest(crate::manifest::command::ManifestCommand),
    /// Exchange side of an integration: the PowerShell to set it up, and a check that the
    /// service can work its resource's mailbox.
    #[command(subcommand)]
    Exchange(ExchangeCommand),
    /// Show each integration's mailbox worker: last successful sync, backlog, recent failures.
    Status {
        /// Print JSON (as the admin route `GET /admin/api/v1/status` answers) instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Expire unused reservations and remove the rooms of past meetings; with `--once`, one
    /// pass that prints what it did, else every `janitor.interval_seconds` until stopped.
    Janitor {
        #[arg(long)]
        once: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum ExchangeCommand {
    /// Print the PowerShell for the Exchange side (equipment resource, calendar processing,
    /// impersonation or application RBAC, app registration steps) with the configured values.
    SetupScript {
        /// Integration (default: the first).
        #[arg(long)]
        integration: Option<String>,
    },
    /// Sign in, impersonate the resource, read its inbox and calendar; warn when something
    /// else still answers its meeting requests. Exits 1 when the service could not work.
    Check {
        /// Integration (default: the first).
        #[arg(long)]
        integration: Option<String>,
    },
}

pub async fn run(cli: Cli) -> ExitCode {
    let settings = match Settings::load(&cli.config) {
        Ok(settings) => settings,
        Err(error) => return config_failure(&error),
    };
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(settings).await,
        Command::CheckConfig => {
            println!(
                "{}: configuration is valid ({} integration(s): {})",
                cli.config.display(),
                settings.integrations.len(),
                settings.integration_ids()
            );
            // Not fatal: the service starts without them, but those add-in pages will not work.
            for missing in crate::addin_pages::missing_vendor_files(&settings) {
                eprintln!("warning: {missing}");
            }
            ExitCode::SUCCESS
        }
        Command::RenderTemplate {
            name,
            integration,
            list,
        } => render_template(&settings, name, integration, list),
        Command::PersonalVmrs(command) => crate::personal_vmrs::cli::run(&settings, command).await,
        Command::Manifest(command) => crate::manifest::command::run(&settings, command).await,
        Command::Status { json } => status(&settings, json).await,
        Command::Exchange(command) => exchange(&settings, command).await,
        Command::Janitor { once } => crate::janitor::command::run(&settings, once).await,
    }
}

async fn exchange(settings: &Settings, command: ExchangeCommand) -> ExitCode {
    let (ExchangeCommand::SetupScript { integration } | ExchangeCommand::Check { integration }) =
        &command;
    let Some(chosen) = (match integration {
        Some(id) => settings.integration(id),
        None => settings.integrations.first(),
    }) else {
        eprintln!(
            "no integration `{}`; configured: {}",
            integration.as_deref().unwrap_or_default(),
            settings.integration_ids()
        );
        return ExitCode::from(2);
    };
    use crate::exchange::tooling;
    match command {
        ExchangeCommand::SetupScript { .. } => {
            print!(
                "{}",
                tooling::setup_script(chosen, &settings.server.public_url)
            );
            ExitCode::SUCCESS
        }
        ExchangeCommand::Check { .. } => {
            let store = match crate::store::Store::connect(&settings.database).await {
                Ok(store) => store,
                Err(error) => {
                    eprintln!("{error}");
                    return ExitCode::FAILURE;
                }
            };
            let report = tooling::check(chosen, &store).await;
            for line in &report.passed {
                println!("ok: {line}");
            }
            for line in &report.warnings {
                println!("warning: {line}");
            }
            for line in &report.problems {
                println!("problem: {line}");
            }
            if report.problems.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
    }
}

async fn status(settings: &Settings, json: bool) -> ExitCode {
    let report = match crate::store::Store::connect(&settings.database).await {
        Ok(store) => crate::scheduling::status::collect(settings, &store).await,
        Err(error) => Err(error),
    };
    match report {
        Ok(report) if json => {
            let document = serde_json::json!({ "integrations": report });
            println!(
                "{}",
                serde_json::to_string_pretty(&document).expect("status serializes")
            );
            ExitCode::SUCCESS
        }
        Ok(report) => {
            print!("{}", crate::scheduling::status::render_text(&report));
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("{error}");
            ExitCode::FAILURE
        }
    }
}

fn config_failure(error: &ConfigError) -> ExitCode {
    eprint!("{error}");
    if !matches!(error, ConfigError::Invalid { .. }) {
        eprintln!();
    }
    ExitCode::from(2)
}

async fn serve(settings: Settings) -> ExitCode {
    crate::telemetry::init(&settings.logging);
    let application = match Application::build(settings).await {
        Ok(application) => application,
        Err(error) => {
            tracing::error!(%error, "cannot start");
            eprintln!("cannot start: {error}");
            return ExitCode::FAILURE;
        }
    };
    match application.run_until_stopped().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("server stopped with an error: {error}");
            ExitCode::FAILURE
        }
    }
}

fn render_template(
    settings: &Settings,
    name: Option<String>,
    integration: Option<String>,
    list: bool,
) -> ExitCode {
    if list {
        for name in TemplateName::all() {
            println!("{:<36} {}", name.key(), name.variables().join(", "));
        }
        return ExitCode::SUCCESS;
    }
    let chosen = match &integration {
        Some(id) => settings.integration(id),
        None => settings.integrations.first(),
    };
    let Some(chosen) = chosen else {
        eprintln!("no integration named `{}`", integration.unwrap_or_default());
        return ExitCode::from(2);
    };
    let name = name.unwrap_or_default();
    let Some(template) = TemplateName::parse(&name) else {
        eprintln!("no template named `{name}`; `render-template --list` shows them");
        return ExitCode::from(2);
    };
    match chosen
        .templates
        .render(template, &Templates::sample_values(template))
    {
        Ok(text) => {
            println!("{text}");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("{}: {error}", template.key());
            ExitCode::FAILURE
        }
    }
}
