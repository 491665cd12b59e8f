//! Globally unique, time-ordered ids (ULID) for every record and event, so records made on
//! different devices never collide and sort by creation time.

pub fn new_id() -> String {
    ulid::Ulid::new().to_string()
}

/// Accepts only what `new_id` could have produced, so an id from a request can be used in a
/// query or a log line without further checks.
pub fn is_valid(id: &str) -> bool {
    id.len() == 26 && ulid::Ulid::from_string(id).is_ok()
}
