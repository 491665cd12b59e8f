//! The hub's settings: defaults, then `<data-dir>/kidyboard.toml`, then `KIDYBOARD_*` variables,
//! then command-line flags (applied by the caller).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

#[derive(Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Where the database, backups and caches live.
    pub data_dir: PathBuf,
    /// Address to listen on. Loopback by default: a LAN address must be chosen on purpose.
    pub listen: SocketAddr,
    /// The built web UI (a folder with index.html); when absent the hub serves the API only.
    pub ui_dir: Option<PathBuf>,
    /// Origins allowed to call the API from a browser besides the hub's own (CORS).
    pub cors_origins: Vec<String>,
    /// Minutes between automatic online backups; 0 turns them off.
    pub backup_interval_minutes: u64,
    /// Hourly backups kept (older ones are deleted).
    pub backups_kept: usize,
    /// Day-close backups kept.
    pub day_close_backups_kept: usize,
    /// Manual backups (and copies kept aside by a restore) kept.
    pub manual_backups_kept: usize,
    /// Backups older than this many days are deleted (the newest is always kept); 0 keeps them.
    pub backup_max_age_days: u64,
    /// Megabytes all backups may take together, in each place; past it the oldest go first
    /// (the newest is always kept). 0: no limit.
    pub backup_budget_mb: u64,
    /// A second place for every backup: a mounted USB drive or a network folder. It must exist
    /// (it is never created, so an unplugged drive's empty mount point is not filled instead);
    /// when it is missing the backup stays local and the failure is logged.
    pub backup_copy_dir: Option<PathBuf>,
    /// Largest JSON request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// Largest picture upload accepted, in bytes (the image pipeline also limits pixels).
    pub max_image_bytes: usize,
    /// Memory, in MiB, that picture decodes running at the same time may take together
    /// (uploads, variants, prefetch); a picture that does not fit waits for the others.
    pub image_decode_budget_mb: u64,
    /// Let catalogue picture fetches reach loopback and private-network addresses (a picture
    /// server on the shop's own network). Off, a catalogue address cannot make the hub reach
    /// into the shop's network or itself.
    pub image_fetch_private: bool,
    /// Failed logins of one username from one address before each further try is delayed
    /// (1 s, doubling, up to `login_max_delay_secs`). Other devices are never slowed by them.
    pub login_failures_per_user: u32,
    /// The longest delay between tries of one username from one address, in seconds.
    pub login_max_delay_secs: u64,
    /// Failed logins one address may make within the window, whatever the usernames.
    pub login_failures_per_address: u32,
    /// The address window, in seconds (at most 60: nobody is kept out for longer).
    pub login_window_secs: u64,
    /// Password checks (argon2, ~20 MB and tens of ms each) run at once; the rest queue, so a
    /// burst of logins cannot take every core from sales.
    pub login_concurrent_checks: usize,
    /// Open connections one client address may hold; past it new ones are closed at once
    /// (a browser page uses about 6, a desktop shell with its speaker and camera parts ~15).
    pub max_connections_per_address: usize,
    /// Open connections in all (also kept under the process's open-file limit).
    pub max_connections: usize,
    /// Seconds a client has to send a request's headers once it starts (slow senders are cut).
    pub header_read_timeout_secs: u64,
    /// Seconds a connection may stay silent both ways before it is closed (live feeds ping
    /// every 20 s, so they stay open).
    pub idle_timeout_secs: u64,
    /// Live-feed (WebSocket) connections one user may hold at once (wall monitors often share
    /// one account).
    pub live_connections_per_user: usize,
    /// Log as JSON lines (for collectors) instead of human-readable text.
    pub log_json: bool,
    /// Seconds between cloud sync rounds while the link works (a sale or "sync now" does not
    /// wait for it).
    pub sync_interval_secs: u64,
    /// A secret a Prometheus scraper on the LAN sends as `Authorization: Bearer …` to read
    /// `/metrics` (which shows sales figures). Unset: only loopback peers and signed-in
    /// super_admin/admin_viewer sessions may read it. Never shown in `Debug` or logs.
    pub metrics_token: Option<String>,
    /// Whether loopback peers read `/metrics` without credentials. Turn it off when a reverse
    /// proxy on this machine forwards LAN requests, which then all arrive from loopback.
    pub metrics_allow_loopback: bool,
    /// HTTPS: the certificate chain and key (PEM). `kidyboard tls init` makes the store's own in
    /// `<data-dir>/tls/`, used when these are not set.
    pub tls_cert_file: Option<PathBuf>,
    pub tls_key_file: Option<PathBuf>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            data_dir: default_data_dir(),
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            ui_dir: None,
            cors_origins: Vec::new(),
            tls_cert_file: None,
            tls_key_file: None,
            backup_interval_minutes: 60,
            backups_kept: 24,
            day_close_backups_kept: 60,
            manual_backups_kept: 20,
            backup_max_age_days: 180,
            backup_budget_mb: 2048,
            backup_copy_dir: None,
            max_body_bytes: 1024 * 1024,
            max_image_bytes: 30 * 1024 * 1024,
            image_decode_budget_mb: 320,
            image_fetch_private: false,
            login_failures_per_user: 3,
            login_max_delay_secs: 30,
            login_failures_per_address: 20,
            login_window_secs: 60,
            login_concurrent_checks: 1,
            max_connections_per_address: 128,
            max_connections: 4096,
            header_read_timeout_secs: 10,
            idle_timeout_secs: 75,
            live_connections_per_user: 64,
            log_json: false,
            sync_interval_secs: 15,
            metrics_token: None,
            metrics_allow_loopback: true,
        }
    }
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("data_dir", &self.data_dir)
            .field("listen", &self.listen)
            .field("ui_dir", &self.ui_dir)
            .field("backup_interval_minutes", &self.backup_interval_minutes)
            .field("backup_copy_dir", &self.backup_copy_dir)
            .field(
                "metrics_token",
                &self.metrics_token.as_ref().map(|_| "<redacted>"),
            )
            .finish_non_exhaustive()
    }
}

/// `$XDG_DATA_HOME/kidyboard` (e.g. `~/.local/share/kidyboard`), or `./kidyboard-data`.
pub fn default_data_dir() -> PathBuf {
    dirs::data_dir()
        .map(|d| d.join("kidyboard"))
        .unwrap_or_else(|| PathBuf::from("kidyboard-data"))
}

impl Config {
    /// Defaults, then the data dir's `kidyboard.toml` if any, then environment variables.
    pub fn load(data_dir: Option<&Path>) -> anyhow::Result<Config> {
        let dir = data_dir
            .map(Path::to_path_buf)
            .or_else(|| std::env::var_os("KIDYBOARD_DATA_DIR").map(PathBuf::from))
            .unwrap_or_else(default_data_dir);
        let file = dir.join("kidyboard.toml");
        let mut cfg: Config = if file.exists() {
            let text = std::fs::read_to_string(&file)?;
            toml::from_str(&text).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?
        } else {
            Config::default()
        };
        cfg.data_dir = dir;
        cfg.apply_env()?;
        if cfg.tls_cert_file.is_none() && cfg.tls_key_file.is_none() {
            if let Some((cert, key)) = crate::tls::hub_files(&cfg.data_dir) {
                cfg.tls_cert_file = Some(cert);
                cfg.tls_key_file = Some(key);
            }
        }
        if cfg.ui_dir.is_none() {
            cfg.ui_dir = find_ui_dir();
        }
        Ok(cfg)
    }

    fn apply_env(&mut self) -> anyhow::Result<()> {
        if let Ok(v) = std::env::var("KIDYBOARD_LISTEN") {
            self.listen = v
                .parse()
                .map_err(|e| anyhow::anyhow!("KIDYBOARD_LISTEN: {e}"))?;
        }
        if let Some(v) = std::env::var_os("KIDYBOARD_UI_DIR") {
            self.ui_dir = Some(PathBuf::from(v));
        }
        if let Ok(v) = std::env::var("KIDYBOARD_CORS_ORIGINS") {
            self.cors_origins = v
                .split(',')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect();
        }
        if let Ok(v) = std::env::var("KIDYBOARD_BACKUP_INTERVAL_MINUTES") {
            self.backup_interval_minutes = v.parse()?;
        }
        if let Some(v) = std::env::var_os("KIDYBOARD_BACKUP_COPY_DIR") {
            self.backup_copy_dir = (!v.is_empty()).then(|| PathBuf::from(v));
        }
        if let Ok(v) = std::env::var("KIDYBOARD_BACKUP_BUDGET_MB") {
            self.backup_budget_mb = v
                .parse()
                .map_err(|e| anyhow::anyhow!("KIDYBOARD_BACKUP_BUDGET_MB: {e}"))?;
        }
        if let Ok(v) = std::env::var("KIDYBOARD_SYNC_INTERVAL_SECS") {
            self.sync_interval_secs = v
                .parse()
                .map_err(|e| anyhow::anyhow!("KIDYBOARD_SYNC_INTERVAL_SECS: {e}"))?;
        }
        if let Ok(v) = std::env::var("KIDYBOARD_METRICS_TOKEN") {
            self.metrics_token = Some(v).filter(|t| !t.trim().is_empty());
        }
        if let Some(v) = std::env::var_os("KIDYBOARD_TLS_CERT_FILE") {
            self.tls_cert_file = Some(PathBuf::from(v));
        }
        if let Some(v) = std::env::var_os("KIDYBOARD_TLS_KEY_FILE") {
            self.tls_key_file = Some(PathBuf::from(v));
        }
        if let Ok(v) = std::env::var("KIDYBOARD_LOG_JSON") {
            self.log_json = matches!(v.as_str(), "1" | "true" | "yes");
        }
        Ok(())
    }

    pub fn database_path(&self) -> PathBuf {
        self.data_dir.join("kidyboard.sqlite")
    }

    pub fn images_dir(&self) -> PathBuf {
        self.data_dir.join("images")
    }

    pub fn backups_dir(&self) -> PathBuf {
        self.data_dir.join("backups")
    }

    /// How the listener protects itself (connection caps and deadlines).
    pub fn connection_limits(&self) -> kidyboard_http::connections::Limits {
        kidyboard_http::connections::Limits::new(
            self.max_connections_per_address,
            self.max_connections,
            self.header_read_timeout_secs,
            self.idle_timeout_secs,
        )
    }
}

/// The built UI next to the installed binary (`../share/kidyboard/ui`), or in the source tree.
fn find_ui_dir() -> Option<PathBuf> {
    let mut candidates = Vec::new();
    if let Ok(exe) = std::env::current_exe() {
        if let Some(bin) = exe.parent() {
            candidates.push(bin.join("../share/kidyboard/ui"));
            candidates.push(bin.join("ui"));
        }
    }
    candidates.push(PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../ui/dist"
    )));
    candidates
        .into_iter()
        .find(|p| p.join("index.html").is_file())
}
