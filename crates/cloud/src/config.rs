//! The cloud's settings, one typed struct. Secrets never appear in `Debug`.

use std::net::SocketAddr;

use serde::Deserialize;

#[derive(Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CloudConfig {
    /// Address to listen on.
    pub listen: SocketAddr,
    /// PostgreSQL connection string, e.g. `host=/run/postgresql dbname=kidyboard user=kidyboard`
    /// or `postgres://user:pass@127.0.0.1/kidyboard` (no TLS: keep the database on loopback).
    pub database_url: String,
    /// Connections kept to PostgreSQL.
    pub max_connections: usize,
    /// The operator's secret: it alone may create organisations. Empty disables that route.
    pub operator_token: String,
    /// 64 hex digits (32 random bytes: `openssl rand -hex 32`) that seal the second-factor
    /// secrets kept in the database; every process of one cloud has the same. Empty: nobody can
    /// turn the second factor on. Changing it makes the sealed ones unreadable.
    pub secret_key: String,
    /// Largest request body accepted, in bytes (a push batch is the biggest).
    pub max_body_bytes: usize,
    /// Most events accepted in one push.
    pub max_push_events: usize,
    /// How long a pairing code can be redeemed, in minutes.
    pub pairing_code_minutes: i64,
    /// Open HTTP connections one client address may hold; past it new ones are closed at once.
    /// Behind a reverse proxy every connection comes from the proxy's address, so this stays high.
    pub max_client_connections_per_address: usize,
    /// Open HTTP connections in all (also kept under the process's open-file limit).
    pub max_client_connections: usize,
    /// Seconds a client has to send a request's headers once it starts (slow senders are cut).
    pub header_read_timeout_secs: u64,
    /// Seconds a connection may stay silent both ways before it is closed.
    pub idle_timeout_secs: u64,
    /// Behind a reverse proxy (Caddy, nginx): a client's address is the last one the proxy put
    /// in `X-Forwarded-For`. Off, the header is ignored (anyone could write it).
    pub behind_proxy: bool,
    /// The console's address as people reach it (`https://nube.example.mx`): invitation links
    /// start with it. Empty: `http://` + `listen`.
    pub public_url: String,
    /// Days a sign-in lasts.
    pub session_days: i64,
    /// Days an invitation link can be used.
    pub invitation_days: i64,
    /// A store that reached the cloud within this many minutes is online.
    pub online_minutes: i64,
    /// Seconds between two alert checks (each process checks; an alert is still raised once).
    pub alert_check_secs: u64,
    /// The mail server alerts are sent through; empty: no alert mail.
    pub smtp_host: String,
    pub smtp_port: u16,
    /// `starttls` (default, port 587), `tls` (port 465) or `none` (a relay on this machine).
    pub smtp_security: String,
    pub smtp_username: String,
    pub smtp_password: String,
    /// The sender, e.g. `Kidyboard <alertas@example.mx>`.
    pub smtp_from: String,
    /// The console's built files (`ui/dist-console`); unset, the cloud serves only its API.
    pub console_dir: Option<std::path::PathBuf>,
    /// Other sites allowed to call the API from a browser (the console served here needs none).
    pub cors_origins: Vec<String>,
    /// Serve HTTPS with this certificate chain and key (PEM files); unset, plain HTTP for a
    /// reverse proxy in front (see README).
    pub tls_cert_file: Option<std::path::PathBuf>,
    pub tls_key_file: Option<std::path::PathBuf>,
    /// Sign-in, sign-up, invitations and pairing per client address: this many at once, then
    /// `public_rate_per_sec`.
    pub public_rate_burst: u32,
    pub public_rate_per_sec: f64,
    /// Push and pull per store: this many at once, then `sync_rate_per_sec`.
    pub sync_rate_burst: u32,
    pub sync_rate_per_sec: f64,
    /// Anyone may create an organisation with `POST /api/v1/signup`; off, only the operator can.
    pub allow_signup: bool,
}

impl Default for CloudConfig {
    fn default() -> Self {
        CloudConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 8090)),
            database_url: "host=/var/run/postgresql dbname=kidyboard".into(),
            max_connections: 16,
            operator_token: String::new(),
            secret_key: String::new(),
            max_body_bytes: 8 * 1024 * 1024,
            max_push_events: 1_000,
            pairing_code_minutes: 30,
            max_client_connections_per_address: 1024,
            max_client_connections: 4096,
            header_read_timeout_secs: 10,
            idle_timeout_secs: 75,
            behind_proxy: false,
            public_url: String::new(),
            session_days: 30,
            invitation_days: 7,
            allow_signup: false,
            online_minutes: 5,
            console_dir: None,
            cors_origins: Vec::new(),
            tls_cert_file: None,
            tls_key_file: None,
            public_rate_burst: 30,
            public_rate_per_sec: 1.0,
            sync_rate_burst: 120,
            sync_rate_per_sec: 20.0,
            alert_check_secs: 60,
            smtp_host: String::new(),
            smtp_port: 587,
            smtp_security: "starttls".into(),
            smtp_username: String::new(),
            smtp_password: String::new(),
            smtp_from: "Kidyboard <alertas@localhost>".into(),
        }
    }
}

impl CloudConfig {
    pub fn online_minutes(&self) -> i32 {
        i32::try_from(self.online_minutes.clamp(1, 24 * 60)).unwrap_or(5)
    }

    /// Where people reach the console, without a trailing slash.
    pub fn public_url(&self) -> String {
        if self.public_url.trim().is_empty() {
            format!("http://{}", self.listen)
        } else {
            self.public_url.trim().trim_end_matches('/').to_string()
        }
    }

    /// How the listener protects itself (connection caps and deadlines).
    pub fn connection_limits(&self) -> kidyboard_http::connections::Limits {
        kidyboard_http::connections::Limits::new(
            self.max_client_connections_per_address,
            self.max_client_connections,
            self.header_read_timeout_secs,
            self.idle_timeout_secs,
        )
    }
}

impl std::fmt::Debug for CloudConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CloudConfig")
            .field("listen", &self.listen)
            .field("max_connections", &self.max_connections)
            .field("max_body_bytes", &self.max_body_bytes)
            .field("max_push_events", &self.max_push_events)
            .field("pairing_code_minutes", &self.pairing_code_minutes)
            .field(
                "max_client_connections_per_address",
                &self.max_client_connections_per_address,
            )
            .field("max_client_connections", &self.max_client_connections)
            .field("header_read_timeout_secs", &self.header_read_timeout_secs)
            .field("idle_timeout_secs", &self.idle_timeout_secs)
            .field("behind_proxy", &self.behind_proxy)
            .field("public_url", &self.public_url)
            .field("session_days", &self.session_days)
            .field("invitation_days", &self.invitation_days)
            .field("allow_signup", &self.allow_signup)
            .field("online_minutes", &self.online_minutes)
            .field("alert_check_secs", &self.alert_check_secs)
            .field("console_dir", &self.console_dir)
            .field("cors_origins", &self.cors_origins)
            .field("tls_cert_file", &self.tls_cert_file)
            .field("public_rate_burst", &self.public_rate_burst)
            .field("public_rate_per_sec", &self.public_rate_per_sec)
            .field("sync_rate_burst", &self.sync_rate_burst)
            .field("sync_rate_per_sec", &self.sync_rate_per_sec)
            .field("smtp_host", &self.smtp_host)
            .field("smtp_port", &self.smtp_port)
            .field("smtp_security", &self.smtp_security)
            .field("smtp_from", &self.smtp_from)
            .finish_non_exhaustive()
    }
}
