//! Staff accounts: argon2id password hashes, roles, and opaque session tokens kept only as hashes.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use base64::Engine;
use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use crate::clock::{self, Millis};
use crate::error::{CoreError, Result};
use crate::ids;
use crate::passwords;
use crate::roles::Role;
use crate::tx::Tx;
use crate::validate;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct User {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub active: bool,
    pub created_at: String,
    /// Whether the user has a PIN for the quick switch and for authorisations.
    #[serde(default)]
    pub has_pin: bool,
}

/// Create a user, or change some fields (absent = unchanged). Never logged: holds a password.
#[derive(Clone, Default, Deserialize, ToSchema)]
pub struct UserInput {
    pub username: Option<String>,
    pub password: Option<String>,
    pub role: Option<String>,
    pub display_name: Option<String>,
    pub active: Option<bool>,
    /// A 4–6 digit PIN for the quick user switch and for authorising; `""` removes it.
    pub pin: Option<String>,
}

impl std::fmt::Debug for UserInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserInput")
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("role", &self.role)
            .field("pin", &self.pin.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

/// An issued session: the token is shown once, to the client; only its hash is stored.
#[derive(Clone, Serialize, ToSchema)]
pub struct Session {
    pub token: String,
    pub expires_at: String,
    pub user: User,
}

pub use crate::passwords::{MAX_PASSWORD_LEN, MIN_PASSWORD_LEN};
/// How long a token lives without use; each use slides it forward.
pub const SESSION_TTL_MS: Millis = 12 * 60 * 60 * 1000;

const COLUMNS: &str = "id, username, display_name, role, active, created_at, pin_hash IS NOT NULL";

fn from_row(r: &Row<'_>) -> rusqlite::Result<User> {
    let role: String = r.get(3)?;
    Ok(User {
        id: r.get(0)?,
        username: r.get(1)?,
        display_name: r.get(2)?,
        role: Role::parse("role", &role).unwrap_or(Role::Monitor),
        active: r.get(4)?,
        created_at: clock::to_rfc3339(r.get(5)?),
        has_pin: r.get(6)?,
    })
}

pub fn get(conn: &Connection, id: &str) -> Result<User> {
    conn.query_row(
        &format!("SELECT {COLUMNS} FROM users WHERE id = ?1"),
        [id],
        from_row,
    )
    .optional()?
    .ok_or_else(|| CoreError::not_found("usuario", id))
}

/// The user whose PIN authorised something, if they may authorise `what`: an active user whose
/// role can do it themselves. Their id, for the record.
pub fn supervisor(conn: &Connection, id: &str, what: crate::roles::Permission) -> Result<String> {
    let u = get(conn, id)
        .map_err(|_| CoreError::AuthorizationRequired("autorización no válida".into()))?;
    if !u.active || !u.role.can(what) {
        return Err(CoreError::AuthorizationRequired(
            "ese usuario no puede autorizarlo: hace falta un administrador".into(),
        ));
    }
    Ok(u.id)
}

pub fn list(conn: &Connection) -> Result<Vec<User>> {
    let mut stmt =
        conn.prepare_cached(&format!("SELECT {COLUMNS} FROM users ORDER BY username"))?;
    let rows = stmt.query_map([], from_row)?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

pub fn hash_password(password: &str) -> Result<String> {
    let mut salt = [0u8; 16];
    getrandom::getrandom(&mut salt)
        .map_err(|e| CoreError::Corrupt(format!("no randomness: {e}")))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| CoreError::Corrupt(e.to_string()))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| CoreError::Corrupt(format!("password hashing failed: {e}")))
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A PIN is 4 to 6 digits, and not one a stranger tries first (all one digit, or a run such as
/// 1234 or 9876).
pub fn check_pin(pin: &str) -> Result<String> {
    let digits: Vec<u8> = pin.bytes().collect();
    if !(4..=6).contains(&digits.len()) || !digits.iter().all(u8::is_ascii_digit) {
        return Err(CoreError::validation(
            "pin",
            "el PIN lleva de 4 a 6 dígitos",
        ));
    }
    let steps: Vec<i16> = digits
        .windows(2)
        .map(|w| i16::from(w[1]) - i16::from(w[0]))
        .collect();
    let obvious = steps.iter().all(|d| *d == 0)
        || steps.iter().all(|d| *d == 1)
        || steps.iter().all(|d| *d == -1);
    if obvious {
        return Err(CoreError::validation(
            "pin",
            "ese PIN es de los primeros que se prueban; elige otro",
        ));
    }
    Ok(pin.to_string())
}

fn check_username(u: &str) -> Result<String> {
    let u = u.trim();
    let ok = (3..=40).contains(&u.len())
        && u.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if ok {
        Ok(u.to_string())
    } else {
        Err(CoreError::validation(
            "username",
            "el usuario lleva de 3 a 40 letras, números, punto, guion o guion bajo",
        ))
    }
}

pub fn create(tx: &Tx<'_>, input: &UserInput) -> Result<User> {
    let username = check_username(input.username.as_deref().unwrap_or(""))?;
    let password = input.password.as_deref().unwrap_or("");
    passwords::check(password, &username)?;
    let role = Role::parse("role", input.role.as_deref().unwrap_or(""))?;
    let display = match input.display_name.as_deref() {
        Some(d) => validate::name("display_name", d)?,
        None => username.clone(),
    };
    let taken: bool = tx.conn.query_row(
        "SELECT EXISTS(SELECT 1 FROM users WHERE username = ?1)",
        [&username],
        |r| r.get(0),
    )?;
    if taken {
        return Err(CoreError::Conflict {
            code: "conflict",
            message: format!("el usuario «{username}» ya existe"),
            field: Some("username".into()),
        });
    }
    let id = ids::new_id();
    tx.conn.execute(
        "INSERT INTO users (id, username, display_name, role, password_hash, active, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
        params![
            id,
            username,
            display,
            role.as_str(),
            hash_password(password)?,
            input.active.unwrap_or(true),
            tx.now()
        ],
    )?;
    if let Some(pin) = input.pin.as_deref().filter(|p| !p.is_empty()) {
        tx.conn.execute(
            "UPDATE users SET pin_hash = ?2 WHERE id = ?1",
            params![id, hash_password(&check_pin(pin)?)?],
        )?;
    }
    let user = get(tx.conn, &id)?;
    tx.event("user.created", "user", &id, &user)?;
    Ok(user)
}

pub fn update(tx: &Tx<'_>, id: &str, input: &UserInput) -> Result<User> {
    let before = get(tx.conn, id)?;
    if input.username.is_some() {
        return Err(CoreError::validation(
            "username",
            "el nombre de usuario no se puede cambiar",
        ));
    }
    let role = match input.role.as_deref() {
        Some(r) => Role::parse("role", r)?,
        None => before.role,
    };
    let display = match input.display_name.as_deref() {
        Some(d) => validate::name("display_name", d)?,
        None => before.display_name.clone(),
    };
    let active = input.active.unwrap_or(before.active);
    if before.role == Role::SuperAdmin && (role != Role::SuperAdmin || !active) {
        let others: i64 = tx.conn.query_row(
            "SELECT COUNT(*) FROM users WHERE role = 'super_admin' AND active = 1 AND id <> ?1",
            [id],
            |r| r.get(0),
        )?;
        if others == 0 {
            return Err(CoreError::conflict(
                "conflict",
                "debe quedar al menos un administrador activo",
            ));
        }
    }
    tx.conn.execute(
        "UPDATE users SET role = ?2, display_name = ?3, active = ?4, updated_at = ?5 WHERE id = ?1",
        params![id, role.as_str(), display, active, tx.now()],
    )?;
    if let Some(pw) = input.password.as_deref() {
        passwords::check(pw, &before.username)?;
        tx.conn.execute(
            "UPDATE users SET password_hash = ?2 WHERE id = ?1",
            params![id, hash_password(pw)?],
        )?;
    }
    if let Some(pin) = input.pin.as_deref() {
        let hash = match pin {
            "" => None,
            pin => Some(hash_password(&check_pin(pin)?)?),
        };
        tx.conn.execute(
            "UPDATE users SET pin_hash = ?2 WHERE id = ?1",
            params![id, hash],
        )?;
    }
    if !active || input.password.is_some() || role != before.role {
        // A changed password, role or a deactivation ends every open session of that user.
        tx.conn
            .execute("DELETE FROM sessions WHERE user_id = ?1", [id])?;
    }
    let after = get(tx.conn, id)?;
    tx.event("user.updated", "user", id, &after)?;
    Ok(after)
}

fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// What a login checks a password against: read first, verified outside any database lock
/// (the hash is deliberately slow), then [`open_session`] writes the session. One error for an
/// unknown user and a wrong password, and the same work for both.
pub struct Credentials {
    user_id: Option<String>,
    hash: String,
    active: bool,
}

/// Looks up a username's stored hash. An unknown username gets a dummy hash, so that checking
/// it costs the same and nothing tells which usernames exist.
pub fn credentials(conn: &Connection, username: &str) -> Result<Credentials> {
    stored_secret(conn, username, "password_hash")
}

/// Like [`credentials`], for the user's PIN: a user without a PIN gets the dummy hash and can
/// never pass.
pub fn pin_credentials(conn: &Connection, username: &str) -> Result<Credentials> {
    stored_secret(conn, username, "pin_hash")
}

fn stored_secret(conn: &Connection, username: &str, column: &str) -> Result<Credentials> {
    if username.len() > 100 {
        return Ok(Credentials::unknown());
    }
    let row: Option<(String, Option<String>, bool)> = conn
        .query_row(
            &format!("SELECT id, {column}, active FROM users WHERE username = ?1"),
            [username.trim()],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    Ok(match row {
        Some((id, Some(hash), active)) => Credentials {
            user_id: Some(id),
            hash,
            active,
        },
        _ => Credentials::unknown(),
    })
}

impl Credentials {
    fn unknown() -> Credentials {
        Credentials {
            user_id: None,
            hash: DUMMY_HASH.to_string(),
            active: false,
        }
    }

    /// The user id when `password` is right and the account active. Slow on purpose (argon2):
    /// call it with no lock held.
    pub fn verify(&self, password: &str) -> Result<String> {
        if password.len() > MAX_PASSWORD_LEN * 4 {
            return Err(CoreError::InvalidCredentials);
        }
        let ok = verify_password(password, &self.hash);
        match &self.user_id {
            Some(id) if ok && self.active => Ok(id.clone()),
            _ => Err(CoreError::InvalidCredentials),
        }
    }
}

/// Opens a session for a user whose password was just verified. The user is read again in this
/// transaction: one deactivated meanwhile gets no session.
pub fn open_session(tx: &Tx<'_>, user_id: &str) -> Result<Session> {
    let user = get(tx.conn, user_id).map_err(|_| CoreError::InvalidCredentials)?;
    if !user.active {
        return Err(CoreError::InvalidCredentials);
    }
    let mut raw = [0u8; 32];
    getrandom::getrandom(&mut raw)
        .map_err(|e| CoreError::Corrupt(format!("no randomness: {e}")))?;
    let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw);
    let expires = tx.now() + SESSION_TTL_MS;
    tx.conn.execute(
        "INSERT INTO sessions (token_hash, user_id, created_at, expires_at, last_seen_at) VALUES (?1, ?2, ?3, ?4, ?3)",
        params![token_hash(&token), user_id, tx.now(), expires],
    )?;
    tx.conn
        .execute("DELETE FROM sessions WHERE expires_at < ?1", [tx.now()])?;
    tx.event(
        "user.logged_in",
        "user",
        user_id,
        &serde_json::json!({ "username": user.username }),
    )?;
    Ok(Session {
        token,
        expires_at: clock::to_rfc3339(expires),
        user,
    })
}

/// The user behind a token, if it is valid now. `needs_refresh` tells the caller the expiry
/// should slide forward (done rarely, so reads stay reads).
pub fn authenticate(conn: &Connection, token: &str, now: Millis) -> Result<(User, bool)> {
    if token.is_empty() || token.len() > 200 {
        return Err(CoreError::Unauthenticated);
    }
    let row: Option<(String, Millis)> = conn
        .query_row(
            "SELECT s.user_id, s.expires_at FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE s.token_hash = ?1 AND u.active = 1",
            [token_hash(token)],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    match row {
        Some((user_id, expires)) if expires > now => {
            let needs_refresh = expires - now < SESSION_TTL_MS - 10 * 60 * 1000;
            Ok((get(conn, &user_id)?, needs_refresh))
        }
        _ => Err(CoreError::Unauthenticated),
    }
}

pub fn refresh(conn: &Connection, token: &str, now: Millis) -> Result<()> {
    conn.execute(
        "UPDATE sessions SET expires_at = ?2, last_seen_at = ?3 WHERE token_hash = ?1",
        params![token_hash(token), now + SESSION_TTL_MS, now],
    )?;
    Ok(())
}

pub fn logout(conn: &Connection, token: &str) -> Result<()> {
    conn.execute(
        "DELETE FROM sessions WHERE token_hash = ?1",
        [token_hash(token)],
    )?;
    Ok(())
}

/// An argon2id hash of a random password, checked against when the username does not exist.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$V3vdPm0rbC5x5Yk8yU7iSc2nZ0v0xWn3mNZ5c3S3Yl8";
