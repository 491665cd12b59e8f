//! The body of every error answer, `{ "error": { "code", "message", "field"? } }`, as the hub
//! and the cloud send it and their clients read it.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The body of every error answer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable, machine-readable: clients branch on it.
    pub code: String,
    /// For people (Spanish).
    pub message: String,
    /// The input field at fault, when there is one (e.g. `items[0].quantity`).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub field: Option<String>,
}
