//! `vmr-scheduler janitor [--once]`.

use super::{render_text, unix_millis, Janitor};
use crate::config::Settings;
use crate::store::Store;
use std::process::ExitCode;
use time::OffsetDateTime;

pub async fn run(settings: &Settings, once: bool) -> ExitCode {
    let store = match Store::connect(&settings.database).await {
        Ok(store) => store,
        Err(error) => {
            eprintln!("{error}");
            return ExitCode::FAILURE;
        }
    };
    let janitor = Janitor::from_settings(settings, store.clone());
    let code = if once {
        match janitor
            .run_once(unix_millis(OffsetDateTime::now_utc()))
            .await
        {
            Ok(passes) => {
                print!("{}", render_text(&passes));
                ExitCode::SUCCESS
            }
            Err(error) => {
                eprintln!("{error}");
                ExitCode::FAILURE
            }
        }
    } else {
        let (stop, shutdown) = tokio::sync::watch::channel(false);
        let stopper = tokio::spawn(async move {
            let _ = tokio::signal::ctrl_c().await;
            let _ = stop.send(true);
        });
        janitor.run(settings.janitor.interval, shutdown).await;
        stopper.abort();
        ExitCode::SUCCESS
    };
    store.close().await;
    code
}
