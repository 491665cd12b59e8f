//! Time-based one-time passwords (RFC 6238: HMAC-SHA1, 30-second steps, six digits), the second
//! factor any authenticator app (Google Authenticator, Aegis, 1Password…) reads from an
//! `otpauth://` link or its QR code.

use hmac::{Hmac, Mac};
use sha1::Sha1;

use crate::error::{CloudError, Result};

const STEP_SECS: u64 = 30;
const DIGITS: u32 = 6;

/// A new random secret: 20 bytes (RFC 4226's recommended length), base32 without padding.
pub fn new_secret() -> Result<String> {
    let mut bytes = [0u8; 20];
    getrandom::getrandom(&mut bytes)
        .map_err(|e| CloudError::Internal(format!("no randomness: {e}")))?;
    Ok(data_encoding::BASE32_NOPAD.encode(&bytes))
}

/// The code for time step `step` (HOTP over the step counter), `digits` long.
fn hotp(key: &[u8], step: u64, digits: u32) -> Option<u32> {
    let mut mac = Hmac::<Sha1>::new_from_slice(key).ok()?;
    mac.update(&step.to_be_bytes());
    let digest = mac.finalize().into_bytes();
    let offset = usize::from(digest.last()? & 0x0f);
    let bytes: [u8; 4] = digest.get(offset..offset + 4)?.try_into().ok()?;
    let value = u32::from_be_bytes(bytes) & 0x7fff_ffff;
    Some(value % 10u32.pow(digits))
}

fn key(secret: &str) -> Option<Vec<u8>> {
    let clean: String = secret
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '=')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    data_encoding::BASE32_NOPAD.decode(clean.as_bytes()).ok()
}

/// The six-digit code for `secret` at `unix_secs`.
pub fn code_at(secret: &str, unix_secs: u64) -> Option<String> {
    let code = hotp(&key(secret)?, unix_secs / STEP_SECS, DIGITS)?;
    Some(format!("{code:06}"))
}

/// The time step `code` is valid for at `unix_secs` (one step of clock drift either way), if
/// later than `last_step`: a code is accepted once, and never an older one after a newer.
pub fn verify(secret: &str, code: &str, unix_secs: u64, last_step: u64) -> Option<u64> {
    let code = code.trim().replace(' ', "");
    if code.len() != DIGITS as usize || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let key = key(secret)?;
    let now = unix_secs / STEP_SECS;
    [now.saturating_sub(1), now, now + 1]
        .into_iter()
        .filter(|step| *step > last_step)
        .find(|step| hotp(&key, *step, DIGITS).is_some_and(|c| format!("{c:06}") == code))
}

/// The link an authenticator app imports (shown as a QR code by the console).
pub fn otpauth_url(secret: &str, account: &str, issuer: &str) -> String {
    let enc = |s: &str| form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    format!(
        "otpauth://totp/{}:{}?secret={secret}&issuer={}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECS}",
        enc(issuer),
        enc(account),
        enc(issuer)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B, SHA-1 column: the seed is the ASCII "12345678901234567890".
    #[test]
    fn matches_rfc_6238_test_vectors() {
        let seed = b"12345678901234567890";
        for (time, expected) in [
            (59u64, 94_287_082u32),
            (1_111_111_109, 7_081_804),
            (1_111_111_111, 14_050_471),
            (1_234_567_890, 89_005_924),
            (2_000_000_000, 69_279_037),
            (20_000_000_000, 65_353_130),
        ] {
            assert_eq!(hotp(seed, time / 30, 8), Some(expected), "T = {time}");
        }
        let secret = data_encoding::BASE32_NOPAD.encode(seed);
        assert_eq!(code_at(&secret, 59).as_deref(), Some("287082"));
    }

    #[test]
    fn a_code_is_good_for_one_step_of_drift_and_only_once() {
        let secret = new_secret().expect("secret");
        let now = 1_800_000_015;
        let code = code_at(&secret, now).expect("code");
        let step = verify(&secret, &code, now, 0).expect("valid now");
        assert_eq!(step, now / 30);
        assert_eq!(verify(&secret, &code, now + 30, 0), Some(step), "30 s late");
        assert_eq!(verify(&secret, &code, now + 90, 0), None, "too late");
        assert_eq!(verify(&secret, &code, now, step), None, "replayed");
        assert_eq!(verify(&secret, "12345", now, 0), None);
        assert_eq!(verify(&secret, "abcdef", now, 0), None);
        assert_eq!(verify("not base32!", &code, now, 0), None);
        let url = otpauth_url(&secret, "ana@example.mx", "Kidyboard");
        assert!(url.starts_with("otpauth://totp/Kidyboard:ana%40example.mx?secret="));
    }
}
