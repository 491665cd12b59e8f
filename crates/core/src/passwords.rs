//! The password policy for staff accounts: long enough in real characters, not the username,
//! not one of the passwords every guessing list tries first.

use std::collections::HashSet;
use std::sync::OnceLock;

use crate::error::{CoreError, Result};

pub const MIN_PASSWORD_LEN: usize = 8;
pub const MAX_PASSWORD_LEN: usize = 256;
/// Fewer different characters than this ("aaaaaaaa", "12121212") is a pattern, not a secret.
const MIN_DISTINCT_CHARS: usize = 4;

/// Embedded so the policy is the same on every machine and works offline.
const COMMON: &str = include_str!("common_passwords.txt");

fn common() -> &'static HashSet<String> {
    static SET: OnceLock<HashSet<String>> = OnceLock::new();
    SET.get_or_init(|| {
        COMMON
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(str::to_lowercase)
            .collect()
    })
}

fn weak(message: impl Into<String>) -> CoreError {
    CoreError::validation("password", message)
}

/// Refuses a password a guesser would find early. `username` is the account's own name; the
/// password may not contain it in any letter case.
pub fn check(password: &str, username: &str) -> Result<()> {
    // Counted in characters, and whitespace does not count: eight spaces are not eight
    // characters of secret. A passphrase with spaces between words is fine.
    let total = password.chars().count();
    let visible = password.chars().filter(|c| !c.is_whitespace()).count();
    if total > MAX_PASSWORD_LEN {
        return Err(weak(format!(
            "la contraseña puede tener a lo más {MAX_PASSWORD_LEN} caracteres"
        )));
    }
    if visible < MIN_PASSWORD_LEN {
        return Err(weak(format!(
            "la contraseña debe tener al menos {MIN_PASSWORD_LEN} caracteres (sin contar espacios)"
        )));
    }
    if password.chars().any(char::is_control) {
        return Err(weak("la contraseña no puede llevar caracteres de control"));
    }
    let lower = password.to_lowercase();
    let user = username.trim().to_lowercase();
    if !user.is_empty() && lower.contains(&user) {
        return Err(weak("la contraseña no puede contener el nombre de usuario"));
    }
    let distinct: HashSet<char> = lower.chars().filter(|c| !c.is_whitespace()).collect();
    if distinct.len() < MIN_DISTINCT_CHARS {
        return Err(weak(
            "la contraseña repite muy pocos caracteres distintos; elige una más variada",
        ));
    }
    if common().contains(lower.trim()) {
        return Err(weak(
            "esa contraseña es de las más usadas y se adivina fácilmente; elige otra",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weak_passwords_are_refused_naming_the_field() {
        let cases = [
            ("12345678", "ana"),
            ("        ", "ana"),
            ("   \t   \u{3000}  x", "ana"),
            ("password", "ana"),
            ("PASSWORD", "ana"),
            ("Contraseña", "ana"),
            ("qwertyui", "ana"),
            ("aaaaaaaaaaaa", "ana"),
            ("12121212", "ana"),
            ("recepcion2026", "recepcion"),
            ("MiRecepcion!99", "recepcion"),
            ("corto", "ana"),
            ("áéíóú", "ana"),
        ];
        for (pw, user) in cases {
            let err = check(pw, user).expect_err(&format!("{pw:?} for {user} should be refused"));
            assert_eq!(
                err.field(),
                Some("password"),
                "{pw:?} names the password field"
            );
        }
        assert!(
            check(&"ab1!".repeat(65), "ana").is_err(),
            "over 256 characters"
        );
    }

    #[test]
    fn reasonable_passwords_pass() {
        for (pw, user) in [
            ("caballo bateria grapa", "ana"),
            ("Tortuga-Azul-42", "recepcion"),
            ("contraseña-segura", "caja"),
            ("ñandú rápido 7", "ana"),
        ] {
            assert!(
                check(pw, user).is_ok(),
                "{pw:?} for {user} should be accepted"
            );
        }
    }

    #[test]
    fn the_demo_password_passes_for_every_demo_user() {
        for (username, _, _) in crate::demo::DEMO_USERS {
            assert!(
                check(crate::demo::DEMO_PASSWORD, username).is_ok(),
                "demo users are created with the policy in force; {username} must stay creatable"
            );
        }
    }

    #[test]
    fn the_list_is_a_few_hundred_lower_case_entries() {
        let n = common().len();
        assert!((300..=1_000).contains(&n), "{n} common passwords embedded");
        assert!(common().contains("contraseña") && common().contains("12345678"));
    }
}
