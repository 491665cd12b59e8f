//! The HTTP plumbing the hub and the cloud share, so each declares only its own routes and
//! domain errors: the error body every answer uses (`body`, with its OpenAPI schema), the error
//! answer itself (`HttpError`), strict JSON and query extractors that refuse with that body
//! (`extract`), the bearer token of a request, the stop signal (`shutdown_signal`), the bearer
//! scheme of an OpenAPI document (`openapi`), CORS and request labels (`layers`), and the listener that keeps a busy or hostile
//! network from exhausting the server (`connections`).
//!
//! Without the default `server` feature only the body's wire types remain (for clients).

pub mod body;
#[cfg(feature = "server")]
pub mod connections;
#[cfg(feature = "server")]
pub mod error;
#[cfg(feature = "server")]
pub mod extract;
#[cfg(feature = "server")]
pub mod layers;
pub mod openapi;
#[cfg(feature = "server")]
mod shutdown;
#[cfg(feature = "server")]
pub mod strict_json;

pub use body::{ErrorBody, ErrorDetail};
#[cfg(feature = "server")]
pub use error::HttpError;
#[cfg(feature = "server")]
pub use extract::{bearer, parse_json, ApiJson, ApiQuery};
#[cfg(feature = "server")]
pub use shutdown::shutdown_signal;
