//! Secrets the cloud has to read back, kept sealed in PostgreSQL: the seeds of the TOTP second
//! factor. A copy of the database (a backup, a dump that leaks) then gives nobody's second
//! factor away: each seed is encrypted with ChaCha20-Poly1305 under the `secret_key` setting,
//! which lives in the cloud's configuration, never in the database, and is bound to the user it
//! belongs to, so a sealed seed copied onto another account does not open there.
//!
//! Stored form: `v1:` and, in unpadded base64url, a random 96-bit nonce followed by the
//! ciphertext and its tag. A value without the prefix is a seed stored before sealing existed:
//! it is still read, and sealed when a process with a key starts.

use std::sync::Arc;

use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, CHACHA20_POLY1305, NONCE_LEN};

use crate::error::{CloudError, Result};
use crate::state::CloudState;

const PREFIX: &str = "v1:";

/// The key that seals and opens; cheap to clone.
#[derive(Clone)]
pub struct Sealer {
    key: Arc<LessSafeKey>,
}

impl Sealer {
    /// From the `secret_key` setting: 64 hex digits (32 random bytes), or empty for none.
    pub fn from_setting(hex: &str) -> Result<Option<Sealer>> {
        let hex = hex.trim();
        if hex.is_empty() {
            return Ok(None);
        }
        let bad = || {
            CloudError::validation(
                "secret_key",
                "secret_key: 64 dígitos hexadecimales (32 bytes al azar, p. ej. `openssl rand -hex 32`)",
            )
        };
        let bytes = data_encoding::HEXLOWER_PERMISSIVE
            .decode(hex.as_bytes())
            .map_err(|_| bad())?;
        let key = UnboundKey::new(&CHACHA20_POLY1305, &bytes).map_err(|_| bad())?;
        Ok(Some(Sealer {
            key: Arc::new(LessSafeKey::new(key)),
        }))
    }

    /// `plain` sealed for `owner` (the user's id).
    pub fn seal(&self, owner: &str, plain: &str) -> Result<String> {
        let mut nonce = [0u8; NONCE_LEN];
        getrandom::getrandom(&mut nonce)
            .map_err(|e| CloudError::Internal(format!("no randomness: {e}")))?;
        let mut data = plain.as_bytes().to_vec();
        self.key
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(owner.as_bytes()),
                &mut data,
            )
            .map_err(|_| CloudError::Internal("could not seal a secret".into()))?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&data);
        Ok(format!(
            "{PREFIX}{}",
            data_encoding::BASE64URL_NOPAD.encode(&out)
        ))
    }

    /// What `seal(owner, …)` sealed; `None` for another key, another owner or altered bytes.
    pub fn open(&self, owner: &str, sealed: &str) -> Option<String> {
        let body = sealed.strip_prefix(PREFIX)?;
        let mut data = data_encoding::BASE64URL_NOPAD
            .decode(body.as_bytes())
            .ok()?;
        if data.len() < NONCE_LEN {
            return None;
        }
        let rest = data.split_off(NONCE_LEN);
        let nonce: [u8; NONCE_LEN] = data.try_into().ok()?;
        let mut rest = rest;
        let plain = self
            .key
            .open_in_place(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(owner.as_bytes()),
                &mut rest,
            )
            .ok()?;
        String::from_utf8(plain.to_vec()).ok()
    }
}

pub fn is_sealed(stored: &str) -> bool {
    stored.starts_with(PREFIX)
}

/// A stored seed made readable: sealed ones through the key, older plain ones as they are.
/// A sealed seed that does not open (no key, or another one) is the operator's to mend, not the
/// person's: the cloud answers 503 and logs the user's id.
pub fn reveal(st: &CloudState, owner: &str, stored: &str) -> Result<String> {
    if !is_sealed(stored) {
        return Ok(stored.to_string());
    }
    st.sealer
        .as_ref()
        .and_then(|s| s.open(owner, stored))
        .ok_or_else(|| {
            tracing::error!(
                user = owner,
                "a second-factor secret does not open with this cloud's secret_key"
            );
            CloudError::Unavailable(
                "el segundo factor no se puede leer con la `secret_key` de este servidor".into(),
            )
        })
}

/// On start: seals the seeds stored before sealing existed (with a key), or says how many are
/// still plain (without one).
pub async fn seal_stored(st: &CloudState) -> Result<()> {
    let db = st.db().await?;
    let rows = db
        .query(
            "SELECT id, totp_secret, totp_pending FROM users
             WHERE (totp_secret IS NOT NULL AND totp_secret NOT LIKE 'v1:%')
                OR (totp_pending IS NOT NULL AND totp_pending NOT LIKE 'v1:%')",
            &[],
        )
        .await?;
    if rows.is_empty() {
        return Ok(());
    }
    let Some(sealer) = &st.sealer else {
        tracing::warn!(
            users = rows.len(),
            "second-factor secrets are stored unsealed: set secret_key to seal them"
        );
        return Ok(());
    };
    let seal = |id: &str, v: Option<String>| -> Result<Option<String>> {
        v.map(|v| {
            if is_sealed(&v) {
                Ok(v)
            } else {
                sealer.seal(id, &v)
            }
        })
        .transpose()
    };
    for r in &rows {
        let id: String = r.get(0);
        let (secret, pending): (Option<String>, Option<String>) = (r.get(1), r.get(2));
        // Only if nobody changed them meanwhile (another process sealing them too).
        db.execute(
            "UPDATE users SET totp_secret = $2, totp_pending = $3
             WHERE id = $1 AND totp_secret IS NOT DISTINCT FROM $4
               AND totp_pending IS NOT DISTINCT FROM $5",
            &[
                &id,
                &seal(&id, secret.clone())?,
                &seal(&id, pending.clone())?,
                &secret,
                &pending,
            ],
        )
        .await?;
    }
    tracing::info!(users = rows.len(), "second-factor secrets sealed");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

    #[test]
    fn a_sealed_secret_opens_only_for_its_owner_and_key() {
        let sealer = Sealer::from_setting(KEY).expect("key").expect("some");
        let sealed = sealer.seal("u1", "JBSWY3DPEHPK3PXP").expect("seal");
        assert!(is_sealed(&sealed));
        assert!(!sealed.contains("JBSWY3DPEHPK3PXP"));
        assert_ne!(
            sealed,
            sealer.seal("u1", "JBSWY3DPEHPK3PXP").expect("seal"),
            "fresh nonce"
        );
        assert_eq!(
            sealer.open("u1", &sealed).as_deref(),
            Some("JBSWY3DPEHPK3PXP")
        );
        assert_eq!(sealer.open("u2", &sealed), None, "another account");
        let other = Sealer::from_setting(&KEY.replace("00", "ff"))
            .expect("key")
            .expect("some");
        assert_eq!(other.open("u1", &sealed), None, "another key");
        let mut altered = sealed.clone();
        altered.pop();
        altered.push(if sealed.ends_with('A') { 'B' } else { 'A' });
        assert_eq!(sealer.open("u1", &altered), None, "altered");
        assert_eq!(sealer.open("u1", "v1:"), None, "too short");
        assert_eq!(sealer.open("u1", "JBSWY3DPEHPK3PXP"), None, "not sealed");
    }

    #[test]
    fn the_key_setting_is_64_hex_digits_or_empty() {
        assert!(Sealer::from_setting("").expect("empty").is_none());
        for bad in [
            "abc",
            &KEY[..62],
            &format!("{KEY}00"),
            &KEY.replace('a', "g"),
        ] {
            let Err(CloudError::Validation { field, .. }) = Sealer::from_setting(bad) else {
                panic!("{bad} accepted");
            };
            assert_eq!(field, "secret_key");
        }
    }
}
