//! Credentials: random tokens shown once, kept only as SHA-256 hashes, compared by hash.

use base64::Engine;
use sha2::{Digest, Sha256};

use crate::error::{CloudError, Result};

/// A random token of 32 bytes, URL-safe base64, with a prefix that says what it is for.
pub fn new_token(prefix: &str) -> Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::getrandom(&mut bytes)
        .map_err(|e| CloudError::Internal(format!("no randomness: {e}")))?;
    Ok(format!(
        "{prefix}_{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    ))
}

/// A pairing code a person can type: 10 characters of Crockford base32 in two groups.
pub fn new_pairing_code() -> Result<String> {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let mut bytes = [0u8; 10];
    getrandom::getrandom(&mut bytes)
        .map_err(|e| CloudError::Internal(format!("no randomness: {e}")))?;
    let chars: String = bytes
        .iter()
        .map(|b| char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]))
        .collect();
    Ok(format!("{}-{}", &chars[..5], &chars[5..]))
}

/// Pairing codes are compared without dashes, spaces or case.
pub fn normalise_code(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

pub fn hash(secret: &str) -> String {
    sha256_hex(secret.as_bytes())
}

/// SHA-256 as 64 lowercase hex digits (tokens' hashes, migrations' checksums, pictures' names).
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Constant-time equality of two secrets (by their hashes, so lengths do not leak either).
pub fn same(a: &str, b: &str) -> bool {
    let (x, y) = (Sha256::digest(a.as_bytes()), Sha256::digest(b.as_bytes()));
    x.iter()
        .zip(y.iter())
        .fold(0u8, |acc, (p, q)| acc | (p ^ q))
        == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairing_codes_are_typeable_and_compare_loosely() {
        let code = new_pairing_code().expect("code");
        assert_eq!(code.len(), 11, "two groups of five");
        assert_eq!(
            normalise_code(&code.to_lowercase().replace('-', " ")),
            normalise_code(&code)
        );
    }

    #[test]
    fn tokens_are_unique_and_compared_by_value() {
        let (a, b) = (new_token("dev").expect("a"), new_token("dev").expect("b"));
        assert_ne!(a, b);
        assert!(same(&a, &a.clone()));
        assert!(!same(&a, &b));
        assert_eq!(hash(&a).len(), 64);
    }
}
