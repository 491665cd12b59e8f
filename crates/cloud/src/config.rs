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
}

impl Default for CloudConfig {
    fn default() -> Self {
        CloudConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 8090)),
            database_url: "host=/var/run/postgresql dbname=kidyboard".into(),
            max_connections: 16,
            operator_token: String::new(),
            max_body_bytes: 8 * 1024 * 1024,
            max_push_events: 1_000,
            pairing_code_minutes: 30,
            max_client_connections_per_address: 1024,
            max_client_connections: 4096,
            header_read_timeout_secs: 10,
            idle_timeout_secs: 75,
        }
    }
}

impl CloudConfig {
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
            .finish_non_exhaustive()
    }
}
