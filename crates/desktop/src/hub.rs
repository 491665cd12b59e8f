//! The store's hub as this device sees it: started in-process when the store is hosted here,
//! or reached at a URL. Either way the window loads the one UI from the hub.

use std::time::Duration;

use anyhow::Context;
use kidyboard_core::{demo, users, Actor, Store};
use kidyboard_hub::{Config, Hub};

use crate::device::HubPlacement;

/// A hub running in this process, and the way to stop it cleanly.
pub struct EmbeddedHub {
    pub base_url: String,
    pub store: std::sync::Arc<Store>,
    /// The hub's shared state (its scheduler, live feed…), for the shell's own parts and tests.
    pub state: kidyboard_hub::AppState,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tauri::async_runtime::JoinHandle<()>>,
}

/// The hub's settings for a store hosted here: the hub's own defaults and `kidyboard.toml`
/// (so a technician configures both the same way), with this device's listen address.
pub fn embedded_config(placement: &HubPlacement) -> anyhow::Result<Config> {
    let HubPlacement::Host { listen, data_dir } = placement else {
        anyhow::bail!("this device does not host the store");
    };
    let mut config = Config::load(data_dir.as_deref())?;
    config.listen = *listen;
    Ok(config)
}

impl EmbeddedHub {
    pub async fn start(config: Config) -> anyhow::Result<EmbeddedHub> {
        if config.ui_dir.is_none() {
            tracing::warn!("the web UI was not found; set KIDYBOARD_UI_DIR to ui/dist");
        }
        let hub = Hub::bind(config).await?;
        let addr = hub.local_addr()?;
        // Other devices use the LAN address; this window always uses loopback.
        let port = addr.port();
        let base_url = format!("http://127.0.0.1:{port}");
        let store = hub.state.store.clone();
        let state = hub.state.clone();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let task = tauri::async_runtime::spawn(async move {
            let stopped = async {
                let _ = rx.await;
            };
            if let Err(e) = hub.serve(stopped).await {
                tracing::error!(error = %e, "the embedded hub stopped");
            }
        });
        tracing::info!(%addr, "embedded hub started");
        Ok(EmbeddedHub {
            base_url,
            store,
            state,
            shutdown: Some(tx),
            task: Some(task),
        })
    }

    /// Stops serving and waits (briefly) for in-flight requests and the store to close.
    pub async fn stop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = tokio::time::timeout(Duration::from_secs(5), task).await;
        }
    }
}

/// First run on the device that hosts the store: the owner's account (`admin`, with the
/// password chosen on the setup screen) when the store has none, and the demo catalogue and
/// staff when asked for.
pub fn prepare_store(store: &Store, admin_password: &str, demo_data: bool) -> anyhow::Result<()> {
    let actor = Actor::system();
    let now = kidyboard_core::clock::now_ms();
    store
        .change(&actor, now, |tx| {
            let exists: bool = tx.conn.query_row(
                "SELECT EXISTS(SELECT 1 FROM users WHERE username = 'admin')",
                [],
                |r| r.get(0),
            )?;
            if !exists {
                users::create(
                    tx,
                    &users::UserInput {
                        username: Some("admin".into()),
                        password: Some(admin_password.into()),
                        role: Some("super_admin".into()),
                        display_name: Some("Administración".into()),
                        active: Some(true),
                        pin: None,
                    },
                )?;
            }
            Ok(())
        })
        .context("creating the admin account")?;
    if demo_data {
        demo::load_catalogue(store).context("loading the demo catalogue")?;
        demo::ensure_users(store).context("creating the demo staff")?;
    }
    Ok(())
}

/// Whether a Kidyboard hub answers at `base_url`; the error is for people (Spanish).
pub async fn probe(base_url: &str) -> Result<(), String> {
    // One client for the life of the shell: the watchdog probes every 5 s on a kiosk that runs
    // for weeks, and a client per probe rebuilt its TLS roots and connection pool each time.
    static CLIENT: std::sync::OnceLock<reqwest::Client> = std::sync::OnceLock::new();
    let client = match CLIENT.get() {
        Some(c) => c,
        None => {
            // No idle connections kept: a probe must see a hub that went away, and a pooled
            // connection would outlive the runtime that opened it.
            let c = reqwest::Client::builder()
                .timeout(Duration::from_secs(3))
                .pool_max_idle_per_host(0)
                .build()
                .map_err(|e| e.to_string())?;
            CLIENT.get_or_init(|| c)
        }
    };
    let res = client
        .get(format!("{base_url}/healthz"))
        .send()
        .await
        .map_err(|e| {
            if e.is_timeout() {
                "El hub no respondió a tiempo".to_string()
            } else {
                format!("No se pudo conectar con el hub: {e}")
            }
        })?;
    let status = res.status();
    let body: serde_json::Value = res
        .json()
        .await
        .map_err(|_| "Esa dirección responde, pero no es un hub de Kidyboard".to_string())?;
    if status.is_success() && body["status"] == "ok" {
        Ok(())
    } else {
        Err(format!("El hub respondió con el estado {status}"))
    }
}
