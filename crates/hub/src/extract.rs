//! Request extractors that answer bad input with our JSON error (naming the field) instead of
//! axum's plain-text rejections; shared with the cloud (`kidyboard-http`).

pub use kidyboard_http::{parse_json, ApiJson, ApiQuery};
