//! People: signing in and out (email, password, optional TOTP), sessions, invitations by link,
//! and the owner's list of the organisation's people with their roles and branches.

use std::sync::OnceLock;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use deadpool_postgres::GenericClient;
use kidyboard_http::ApiJson;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::{ClientAddr, CloudRole, Member, Operator, Owner};
use crate::error::{CloudError, ErrorBody, Result};
use crate::state::CloudState;
use crate::{secrets, throttle, totp};

/// A timestamp column as RFC 3339 UTC with milliseconds.
macro_rules! iso {
    ($col:literal) => {
        concat!(
            "to_char(",
            $col,
            " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
        )
    };
}

// ---------------------------------------------------------------------------------------------
// Checking what people type

/// An email address, lower-cased: one `@`, a dotted domain, no spaces, at most 254 characters.
pub fn check_email(field: &str, raw: &str) -> Result<String> {
    let email = raw.trim().to_lowercase();
    let ok = email.len() <= 254
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        && match email.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && !domain.contains('@')
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
            }
            None => false,
        };
    if ok {
        Ok(email)
    } else {
        Err(CloudError::validation(field, "correo electrónico inválido"))
    }
}

/// A password of 10 to 200 characters that is not the email address.
fn check_password(field: &str, password: &str, email: &str) -> Result<()> {
    let n = password.chars().count();
    if !(10..=200).contains(&n) {
        return Err(CloudError::validation(
            field,
            "la contraseña lleva de 10 a 200 caracteres",
        ));
    }
    if password.trim().to_lowercase() == email {
        return Err(CloudError::validation(
            field,
            "la contraseña no puede ser tu correo",
        ));
    }
    Ok(())
}

fn check_person_name(field: &str, name: &str) -> Result<String> {
    crate::routes::catalog::text(field, name, 120, true)
}

/// argon2id is slow on purpose: off the request threads.
async fn hash_password(password: String) -> Result<String> {
    tokio::task::spawn_blocking(move || kidyboard_core::users::hash_password(&password))
        .await
        .map_err(|e| CloudError::Internal(format!("hashing: {e}")))?
        .map_err(CloudError::from)
}

/// Checks `password` against `hash`; with no account, against a throwaway hash, so an unknown
/// address takes as long to refuse as a wrong password.
async fn password_matches(password: String, hash: Option<String>) -> Result<bool> {
    static DUMMY: OnceLock<String> = OnceLock::new();
    tokio::task::spawn_blocking(move || {
        let hash = match hash {
            Some(h) => h,
            None => DUMMY
                .get_or_init(|| {
                    kidyboard_core::users::hash_password("una contraseña que nadie usa")
                        .unwrap_or_default()
                })
                .clone(),
        };
        kidyboard_core::users::verify_password(&password, &hash)
    })
    .await
    .map_err(|e| CloudError::Internal(format!("checking a password: {e}")))
}

fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
}

fn user_agent(headers: &HeaderMap) -> String {
    headers
        .get(axum::http::header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .chars()
        .filter(|c| !c.is_control())
        .take(200)
        .collect()
}

// ---------------------------------------------------------------------------------------------
// What is answered

/// The signed-in person and their organisation.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Me {
    pub id: String,
    pub email: String,
    pub name: String,
    pub role: CloudRole,
    pub organisation_id: String,
    pub organisation_name: String,
    /// Sees every branch (always true for owners).
    pub all_branches: bool,
    /// The branches given to a manager or viewer (empty with `all_branches`).
    pub branch_ids: Vec<String>,
    pub totp_enabled: bool,
}

/// A new sign-in: the bearer token for every console call, shown once.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SessionAnswer {
    pub token: String,
    pub expires_at: String,
    pub user: Me,
}

async fn me(db: &impl GenericClient, user_id: &str) -> Result<Me> {
    let r = db
        .query_opt(
            "SELECT u.id, u.email, u.name, u.role, u.org_id, o.name, u.all_branches,
                    ARRAY(SELECT branch_id FROM user_branches WHERE user_id = u.id ORDER BY branch_id),
                    u.totp_secret IS NOT NULL
             FROM users u JOIN organisations o ON o.id = u.org_id WHERE u.id = $1",
            &[&user_id],
        )
        .await?
        .ok_or(CloudError::Unauthorized)?;
    let role = CloudRole::from_db(r.get::<_, &str>(3));
    Ok(Me {
        id: r.get(0),
        email: r.get(1),
        name: r.get(2),
        role,
        organisation_id: r.get(4),
        organisation_name: r.get(5),
        all_branches: role == CloudRole::Owner || r.get::<_, bool>(6),
        branch_ids: r.get(7),
        totp_enabled: r.get(8),
    })
}

/// Opens a session for `user_id` and answers its token.
async fn open_session(
    st: &CloudState,
    db: &impl GenericClient,
    user_id: &str,
    user_agent: &str,
    address: &str,
) -> Result<SessionAnswer> {
    let token = secrets::new_token("ses")?;
    let days = i32::try_from(st.config.session_days.clamp(1, 365)).unwrap_or(30);
    let row = db
        .query_one(
            concat!(
                "INSERT INTO sessions (id, token_hash, user_id, expires_at, user_agent, address)
                 VALUES ($1, $2, $3, now() + make_interval(days => $4::int4), $5, $6)
                 RETURNING ",
                iso!("expires_at")
            ),
            &[
                &ulid::Ulid::new().to_string(),
                &secrets::hash(&token),
                &user_id,
                &days,
                &user_agent,
                &address,
            ],
        )
        .await?;
    Ok(SessionAnswer {
        token,
        expires_at: row.get(0),
        user: me(db, user_id).await?,
    })
}

// ---------------------------------------------------------------------------------------------
// Signing in and out

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
    /// The six digits of the authenticator app, when the second factor is on.
    #[serde(default)]
    pub totp_code: Option<String>,
}

/// Signs in with email and password (and the TOTP code when the second factor is on).
/// Wrong credentials: 401 `wrong_credentials`; second factor missing: 401 `totp_required`;
/// too many failures: 429 `too_many_attempts` with `Retry-After`.
#[utoipa::path(post, path = "/api/v1/auth/login", request_body = LoginRequest,
    responses((status = 200, body = SessionAnswer), (status = 401, body = ErrorBody),
        (status = 429, body = ErrorBody)),
    tag = "accounts")]
pub async fn login(
    State(st): State<CloudState>,
    ClientAddr(address): ClientAddr,
    headers: HeaderMap,
    ApiJson(req): ApiJson<LoginRequest>,
) -> Result<Json<SessionAnswer>> {
    crate::metrics::check(&st, &st.limits.public, &address)?;
    let email: String = req.email.trim().to_lowercase().chars().take(254).collect();
    let (account, addr_key) = (
        throttle::account_key(&email),
        throttle::address_key(&address),
    );
    let mut db = st.db().await?;
    let tx = db.transaction().await?;
    throttle::reserve(&tx, &account, &addr_key).await?;
    let user = tx
        .query_opt(
            "SELECT id, password_hash, totp_secret, totp_last_step FROM users
             WHERE email = $1 AND disabled_at IS NULL",
            &[&email],
        )
        .await?;
    let hash = user.as_ref().map(|u| u.get::<_, String>(1));
    let wrong = || CloudError::Denied {
        code: "wrong_credentials",
        message: "correo o contraseña incorrectos".into(),
    };
    let (Some(user), true) = (user, password_matches(req.password, hash).await?) else {
        throttle::failed(&tx, &account, &addr_key).await?;
        tx.commit().await?;
        return Err(wrong());
    };
    let user_id: String = user.get(0);
    if let Some(stored) = user.get::<_, Option<String>>(2) {
        let secret = crate::sealed::reveal(&st, &user_id, &stored)?;
        let Some(code) = req.totp_code.filter(|c| !c.trim().is_empty()) else {
            // The password was right: no failure is counted, the client asks for the code.
            tx.commit().await?;
            return Err(CloudError::Denied {
                code: "totp_required",
                message: "escribe el código de tu aplicación de autenticación".into(),
            });
        };
        let last = u64::try_from(user.get::<_, i64>(3)).unwrap_or_default();
        let Some(step) = totp::verify(&secret, &code, now_secs(), last) else {
            throttle::failed(&tx, &account, &addr_key).await?;
            tx.commit().await?;
            return Err(CloudError::Denied {
                code: "wrong_totp",
                message: "el código no es válido o ya se usó".into(),
            });
        };
        tx.execute(
            "UPDATE users SET totp_last_step = $2 WHERE id = $1",
            &[&user_id, &i64::try_from(step).unwrap_or(i64::MAX)],
        )
        .await?;
    }
    throttle::succeeded(&tx, &account).await?;
    let answer = open_session(&st, &tx, &user_id, &user_agent(&headers), &address).await?;
    tx.commit().await?;
    Ok(Json(answer))
}

/// Ends this session (its token stops working at once).
#[utoipa::path(post, path = "/api/v1/auth/logout",
    responses((status = 204), (status = 401, body = ErrorBody)),
    security(("bearer" = [])), tag = "accounts")]
pub async fn logout(State(st): State<CloudState>, member: Member) -> Result<StatusCode> {
    st.db()
        .await?
        .execute(
            "UPDATE sessions SET revoked_at = now() WHERE id = $1",
            &[&member.session_id],
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Who is signed in, their role and branches.
#[utoipa::path(get, path = "/api/v1/auth/me", responses((status = 200, body = Me),
    (status = 401, body = ErrorBody)), security(("bearer" = [])), tag = "accounts")]
pub async fn whoami(State(st): State<CloudState>, member: Member) -> Result<Json<Me>> {
    Ok(Json(me(&st.db().await?, &member.user_id).await?))
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SessionView {
    pub id: String,
    pub created_at: String,
    pub last_used_at: String,
    pub expires_at: String,
    pub user_agent: String,
    pub address: String,
    /// The session making this request.
    pub current: bool,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SessionList {
    pub items: Vec<SessionView>,
}

/// The person's open sessions (every device signed in), newest first.
#[utoipa::path(get, path = "/api/v1/auth/sessions", responses((status = 200, body = SessionList)),
    security(("bearer" = [])), tag = "accounts")]
pub async fn list_sessions(
    State(st): State<CloudState>,
    member: Member,
) -> Result<Json<SessionList>> {
    let rows = st
        .db()
        .await?
        .query(
            concat!(
                "SELECT id, ",
                iso!("created_at"),
                ", ",
                iso!("last_used_at"),
                ", ",
                iso!("expires_at"),
                ", user_agent, address FROM sessions
                 WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > now()
                 ORDER BY created_at DESC"
            ),
            &[&member.user_id],
        )
        .await?;
    let items = rows
        .iter()
        .map(|r| {
            let id: String = r.get(0);
            SessionView {
                current: id == member.session_id,
                id,
                created_at: r.get(1),
                last_used_at: r.get(2),
                expires_at: r.get(3),
                user_agent: r.get(4),
                address: r.get(5),
            }
        })
        .collect();
    Ok(Json(SessionList { items }))
}

/// Signs one of the person's devices out.
#[utoipa::path(delete, path = "/api/v1/auth/sessions/{id}",
    params(("id" = String, Path, description = "session id")),
    responses((status = 204), (status = 404, body = ErrorBody)),
    security(("bearer" = [])), tag = "accounts")]
pub async fn revoke_session(
    State(st): State<CloudState>,
    member: Member,
    Path(id): Path<String>,
) -> Result<StatusCode> {
    let n = st
        .db()
        .await?
        .execute(
            "UPDATE sessions SET revoked_at = now()
             WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL",
            &[&id, &member.user_id],
        )
        .await?;
    if n == 0 {
        return Err(CloudError::NotFound("la sesión"));
    }
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    pub current_password: String,
    pub new_password: String,
}

/// Changes the person's password; every other session of theirs is signed out.
#[utoipa::path(post, path = "/api/v1/auth/password", request_body = PasswordChange,
    responses((status = 204), (status = 422, body = ErrorBody)),
    security(("bearer" = [])), tag = "accounts")]
pub async fn change_password(
    State(st): State<CloudState>,
    member: Member,
    ApiJson(req): ApiJson<PasswordChange>,
) -> Result<StatusCode> {
    let mut db = st.db().await?;
    let row = db
        .query_one(
            "SELECT email, password_hash FROM users WHERE id = $1",
            &[&member.user_id],
        )
        .await?;
    let email: String = row.get(0);
    if !password_matches(req.current_password, Some(row.get(1))).await? {
        return Err(CloudError::validation(
            "current_password",
            "la contraseña actual no es correcta",
        ));
    }
    check_password("new_password", &req.new_password, &email)?;
    let hash = hash_password(req.new_password).await?;
    let tx = db.transaction().await?;
    tx.execute(
        "UPDATE users SET password_hash = $2 WHERE id = $1",
        &[&member.user_id, &hash],
    )
    .await?;
    tx.execute(
        "UPDATE sessions SET revoked_at = now()
         WHERE user_id = $1 AND id <> $2 AND revoked_at IS NULL",
        &[&member.user_id, &member.session_id],
    )
    .await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

// ---------------------------------------------------------------------------------------------
// The second factor

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct TotpSetup {
    /// Base32, for typing into the app by hand.
    pub secret: String,
    /// `otpauth://` link, shown as a QR code.
    pub otpauth_url: String,
}

/// Starts turning the second factor on: a new secret for the authenticator app. It takes effect
/// once a code from the app is confirmed with `POST /auth/totp/enable`.
#[utoipa::path(post, path = "/api/v1/auth/totp/setup",
    responses((status = 200, body = TotpSetup), (status = 409, body = ErrorBody)),
    security(("bearer" = [])), tag = "accounts")]
pub async fn totp_setup(State(st): State<CloudState>, member: Member) -> Result<Json<TotpSetup>> {
    let sealer = st.sealer.as_ref().ok_or_else(|| CloudError::Conflict {
        code: "totp_unavailable",
        message: "la verificación en dos pasos no está disponible en este servidor: falta configurar su clave (`secret_key`)".into(),
    })?;
    let secret = totp::new_secret()?;
    let row = st
        .db()
        .await?
        .query_opt(
            "UPDATE users SET totp_pending = $2 WHERE id = $1 AND totp_secret IS NULL
             RETURNING email",
            &[&member.user_id, &sealer.seal(&member.user_id, &secret)?],
        )
        .await?
        .ok_or_else(totp_already_on)?;
    let email: String = row.get(0);
    Ok(Json(TotpSetup {
        otpauth_url: totp::otpauth_url(&secret, &email, "Kidyboard"),
        secret,
    }))
}

fn totp_already_on() -> CloudError {
    CloudError::Conflict {
        code: "totp_already_enabled",
        message: "la verificación en dos pasos ya está activa".into(),
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TotpConfirm {
    pub code: String,
}

/// Turns the second factor on with a code from the app set up by `totp/setup`.
#[utoipa::path(post, path = "/api/v1/auth/totp/enable", request_body = TotpConfirm,
    responses((status = 204), (status = 422, body = ErrorBody)),
    security(("bearer" = [])), tag = "accounts")]
pub async fn totp_enable(
    State(st): State<CloudState>,
    member: Member,
    ApiJson(req): ApiJson<TotpConfirm>,
) -> Result<StatusCode> {
    let db = st.db().await?;
    let row = db
        .query_one(
            "SELECT totp_pending, totp_secret IS NOT NULL FROM users WHERE id = $1",
            &[&member.user_id],
        )
        .await?;
    if row.get::<_, bool>(1) {
        return Err(totp_already_on());
    }
    let pending: Option<String> = row.get(0);
    let pending = pending.ok_or_else(|| {
        CloudError::validation("code", "primero pide un secreto nuevo (totp/setup)")
    })?;
    let secret = crate::sealed::reveal(&st, &member.user_id, &pending)?;
    let step = totp::verify(&secret, &req.code, now_secs(), 0)
        .ok_or_else(|| CloudError::validation("code", "el código no coincide"))?;
    db.execute(
        "UPDATE users SET totp_secret = totp_pending, totp_pending = NULL, totp_last_step = $2
         WHERE id = $1 AND totp_pending = $3",
        &[
            &member.user_id,
            &i64::try_from(step).unwrap_or(i64::MAX),
            &pending,
        ],
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TotpDisable {
    pub password: String,
}

/// Turns the second factor off (the password is asked again).
#[utoipa::path(post, path = "/api/v1/auth/totp/disable", request_body = TotpDisable,
    responses((status = 204), (status = 422, body = ErrorBody)),
    security(("bearer" = [])), tag = "accounts")]
pub async fn totp_disable(
    State(st): State<CloudState>,
    member: Member,
    ApiJson(req): ApiJson<TotpDisable>,
) -> Result<StatusCode> {
    let db = st.db().await?;
    let hash: String = db
        .query_one(
            "SELECT password_hash FROM users WHERE id = $1",
            &[&member.user_id],
        )
        .await?
        .get(0);
    if !password_matches(req.password, Some(hash)).await? {
        return Err(CloudError::validation(
            "password",
            "la contraseña no es correcta",
        ));
    }
    db.execute(
        "UPDATE users SET totp_secret = NULL, totp_pending = NULL WHERE id = $1",
        &[&member.user_id],
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

// ---------------------------------------------------------------------------------------------
// Invitations

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewInvitation {
    pub email: String,
    pub role: CloudRole,
    /// A manager or viewer who sees every branch (default false).
    #[serde(default)]
    pub all_branches: bool,
    /// The branches a manager or viewer sees.
    #[serde(default)]
    pub branch_ids: Vec<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct InvitationView {
    pub id: String,
    pub email: String,
    pub role: CloudRole,
    pub all_branches: bool,
    pub branch_ids: Vec<String>,
    pub created_at: String,
    pub expires_at: String,
    pub accepted_at: Option<String>,
    pub revoked_at: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CreatedInvitation {
    pub invitation: InvitationView,
    /// The link to send (shown once): it opens the console's page to choose a password.
    pub url: String,
    pub token: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct InvitationList {
    pub items: Vec<InvitationView>,
}

const INVITATION_COLUMNS: &str = concat!(
    "id, email, role, all_branches, branch_ids, ",
    iso!("created_at"),
    ", ",
    iso!("expires_at"),
    ", ",
    iso!("accepted_at"),
    ", ",
    iso!("revoked_at")
);

fn invitation_view(r: &tokio_postgres::Row) -> InvitationView {
    InvitationView {
        id: r.get(0),
        email: r.get(1),
        role: CloudRole::from_db(r.get::<_, &str>(2)),
        all_branches: r.get(3),
        branch_ids: r.get(4),
        created_at: r.get(5),
        expires_at: r.get(6),
        accepted_at: r.get(7),
        revoked_at: r.get(8),
    }
}

/// Every id in `branch_ids` is a branch of `org_id` (422 naming the first that is not).
pub async fn check_branch_ids(
    db: &impl GenericClient,
    org_id: &str,
    branch_ids: &[String],
) -> Result<Vec<String>> {
    let mut ids: Vec<String> = Vec::new();
    for (i, id) in branch_ids.iter().enumerate() {
        let known = db
            .query_opt(
                "SELECT 1 FROM branches WHERE id = $1 AND org_id = $2",
                &[id, &org_id],
            )
            .await?
            .is_some();
        if !known {
            return Err(CloudError::validation(
                format!("branch_ids[{i}]"),
                "esa sucursal no es de la organización",
            ));
        }
        if !ids.contains(id) {
            ids.push(id.clone());
        }
    }
    Ok(ids)
}

/// Writes an invitation and answers its link (shared by the operator's new organisation and the
/// owner's invitations).
pub async fn invite(
    st: &CloudState,
    db: &impl GenericClient,
    org_id: &str,
    req: &NewInvitation,
    invited_by: Option<&str>,
) -> Result<CreatedInvitation> {
    let email = check_email("email", &req.email)?;
    let taken = db
        .query_opt("SELECT 1 FROM users WHERE email = $1", &[&email])
        .await?
        .is_some();
    if taken {
        return Err(email_taken());
    }
    let owner = req.role == CloudRole::Owner;
    let branch_ids = if owner || req.all_branches {
        Vec::new()
    } else {
        check_branch_ids(db, org_id, &req.branch_ids).await?
    };
    let token = secrets::new_token("inv")?;
    let days = i32::try_from(st.config.invitation_days.clamp(1, 90)).unwrap_or(7);
    let row = db
        .query_one(
            &format!(
                "INSERT INTO invitations (id, org_id, token_hash, email, role, all_branches,
                    branch_ids, invited_by, expires_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now() + make_interval(days => $9::int4))
                 RETURNING {INVITATION_COLUMNS}"
            ),
            &[
                &ulid::Ulid::new().to_string(),
                &org_id,
                &secrets::hash(&token),
                &email,
                &req.role.as_str(),
                &(owner || req.all_branches),
                &branch_ids,
                &invited_by,
                &days,
            ],
        )
        .await?;
    Ok(CreatedInvitation {
        invitation: invitation_view(&row),
        url: format!("{}/#/invitacion/{token}", st.config.public_url()),
        token,
    })
}

/// A new person's account (answers its id); an address already in use is 409 `email_taken`.
async fn insert_user(
    db: &impl GenericClient,
    org_id: &str,
    email: &str,
    name: &str,
    role: CloudRole,
    all_branches: bool,
    password_hash: &str,
) -> Result<String> {
    let user_id = ulid::Ulid::new().to_string();
    let inserted = db
        .execute(
            "INSERT INTO users (id, org_id, email, name, role, all_branches, password_hash)
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (email) DO NOTHING",
            &[
                &user_id,
                &org_id,
                &email,
                &name,
                &role.as_str(),
                &all_branches,
                &password_hash,
            ],
        )
        .await?;
    if inserted == 0 {
        return Err(email_taken());
    }
    Ok(user_id)
}

fn email_taken() -> CloudError {
    CloudError::Conflict {
        code: "email_taken",
        message: "ya hay una cuenta con ese correo".into(),
    }
}

/// Invites a person to the organisation by email with a role and branches (owner only).
#[utoipa::path(post, path = "/api/v1/invitations", request_body = NewInvitation,
    responses((status = 201, body = CreatedInvitation), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = [])), tag = "accounts")]
pub async fn create_invitation(
    State(st): State<CloudState>,
    owner: Owner,
    ApiJson(req): ApiJson<NewInvitation>,
) -> Result<(StatusCode, Json<CreatedInvitation>)> {
    let db = st.db().await?;
    let created = invite(&st, &db, &owner.org_id, &req, Some(&owner.user_id)).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// The organisation's invitations, newest first (owner only).
#[utoipa::path(get, path = "/api/v1/invitations", responses((status = 200, body = InvitationList)),
    security(("bearer" = [])), tag = "accounts")]
pub async fn list_invitations(
    State(st): State<CloudState>,
    owner: Owner,
) -> Result<Json<InvitationList>> {
    let rows = st
        .db()
        .await?
        .query(
            &format!(
                "SELECT {INVITATION_COLUMNS} FROM invitations WHERE org_id = $1
                 ORDER BY created_at DESC LIMIT 200"
            ),
            &[&owner.org_id],
        )
        .await?;
    Ok(Json(InvitationList {
        items: rows.iter().map(invitation_view).collect(),
    }))
}

/// Withdraws an invitation not yet accepted (owner only).
#[utoipa::path(delete, path = "/api/v1/invitations/{id}",
    params(("id" = String, Path, description = "invitation id")),
    responses((status = 204), (status = 404, body = ErrorBody)),
    security(("bearer" = [])), tag = "accounts")]
pub async fn revoke_invitation(
    State(st): State<CloudState>,
    owner: Owner,
    Path(id): Path<String>,
) -> Result<StatusCode> {
    let n = st
        .db()
        .await?
        .execute(
            "UPDATE invitations SET revoked_at = now()
             WHERE id = $1 AND org_id = $2 AND accepted_at IS NULL AND revoked_at IS NULL",
            &[&id, &owner.org_id],
        )
        .await?;
    if n == 0 {
        return Err(CloudError::NotFound("la invitación pendiente"));
    }
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InvitationToken {
    pub token: String,
}

/// What an invitation link is for, before its person chooses a password.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct InvitationPreview {
    pub email: String,
    pub organisation_name: String,
    pub role: CloudRole,
    pub expires_at: String,
}

fn bad_invitation() -> CloudError {
    CloudError::validation(
        "token",
        "la invitación no existe, ya se usó, se retiró o expiró",
    )
}

/// Reads an invitation link: for whom, which organisation, which role.
#[utoipa::path(post, path = "/api/v1/invitations/preview", request_body = InvitationToken,
    responses((status = 200, body = InvitationPreview), (status = 422, body = ErrorBody)),
    tag = "accounts")]
pub async fn preview_invitation(
    State(st): State<CloudState>,
    ClientAddr(address): ClientAddr,
    ApiJson(req): ApiJson<InvitationToken>,
) -> Result<Json<InvitationPreview>> {
    crate::metrics::check(&st, &st.limits.public, &address)?;
    let r = st
        .db()
        .await?
        .query_opt(
            concat!(
                "SELECT i.email, o.name, i.role, ",
                iso!("i.expires_at"),
                " FROM invitations i JOIN organisations o ON o.id = i.org_id
                 WHERE i.token_hash = $1 AND i.accepted_at IS NULL AND i.revoked_at IS NULL
                   AND i.expires_at > now()"
            ),
            &[&secrets::hash(req.token.trim())],
        )
        .await?
        .ok_or_else(bad_invitation)?;
    Ok(Json(InvitationPreview {
        email: r.get(0),
        organisation_name: r.get(1),
        role: CloudRole::from_db(r.get::<_, &str>(2)),
        expires_at: r.get(3),
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcceptInvitation {
    pub token: String,
    pub name: String,
    pub password: String,
}

/// Accepts an invitation: the person's account is made with the chosen password and signed in.
/// A link works once, until it expires.
#[utoipa::path(post, path = "/api/v1/invitations/accept", request_body = AcceptInvitation,
    responses((status = 201, body = SessionAnswer), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    tag = "accounts")]
pub async fn accept_invitation(
    State(st): State<CloudState>,
    ClientAddr(address): ClientAddr,
    headers: HeaderMap,
    ApiJson(req): ApiJson<AcceptInvitation>,
) -> Result<(StatusCode, Json<SessionAnswer>)> {
    crate::metrics::check(&st, &st.limits.public, &address)?;
    let name = check_person_name("name", &req.name)?;
    let mut db = st.db().await?;
    // Checked before the slow hash, without taking the invitation yet.
    let email: String = db
        .query_opt(
            "SELECT email FROM invitations WHERE token_hash = $1 AND accepted_at IS NULL
               AND revoked_at IS NULL AND expires_at > now()",
            &[&secrets::hash(req.token.trim())],
        )
        .await?
        .ok_or_else(bad_invitation)?
        .get(0);
    check_password("password", &req.password, &email)?;
    let hash = hash_password(req.password).await?;
    let tx = db.transaction().await?;
    let inv = tx
        .query_opt(
            "UPDATE invitations SET accepted_at = now()
             WHERE token_hash = $1 AND accepted_at IS NULL AND revoked_at IS NULL
               AND expires_at > now()
             RETURNING org_id, email, role, all_branches, branch_ids",
            &[&secrets::hash(req.token.trim())],
        )
        .await?
        .ok_or_else(bad_invitation)?;
    let org_id: String = inv.get(0);
    let role = CloudRole::from_db(inv.get::<_, &str>(2));
    let user_id = insert_user(
        &tx,
        &org_id,
        inv.get(1),
        &name,
        role,
        inv.get::<_, bool>(3),
        &hash,
    )
    .await?;
    // A branch removed since the invitation was sent is skipped.
    tx.execute(
        "INSERT INTO user_branches (user_id, branch_id)
         SELECT $1, b.id FROM branches b WHERE b.id = ANY($2) AND b.org_id = $3",
        &[&user_id, &inv.get::<_, Vec<String>>(4), &org_id],
    )
    .await?;
    let answer = open_session(&st, &tx, &user_id, &user_agent(&headers), &address).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(answer)))
}

// ---------------------------------------------------------------------------------------------
// New organisations

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewOrganisation {
    pub name: String,
    /// The first owner, invited by link.
    pub owner_email: String,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct CreatedOrganisation {
    pub id: String,
    pub name: String,
    /// The owner's invitation: the link chooses their password and signs them in.
    pub invitation: CreatedInvitation,
}

async fn insert_organisation(db: &impl GenericClient, name: &str) -> Result<String> {
    let id = ulid::Ulid::new().to_string();
    db.execute(
        "INSERT INTO organisations (id, name) VALUES ($1, $2)",
        &[&id, &name],
    )
    .await?;
    Ok(id)
}

/// Creates an organisation and invites its first owner (operator only).
#[utoipa::path(post, path = "/api/v1/organisations", request_body = NewOrganisation,
    responses((status = 201, body = CreatedOrganisation), (status = 401, body = ErrorBody),
        (status = 409, body = ErrorBody)),
    security(("bearer" = [])), tag = "organisations")]
pub async fn create_organisation(
    State(st): State<CloudState>,
    _op: Operator,
    ApiJson(req): ApiJson<NewOrganisation>,
) -> Result<(StatusCode, Json<CreatedOrganisation>)> {
    let name = crate::routes::orgs::check_name("name", &req.name)?;
    let mut db = st.db().await?;
    let tx = db.transaction().await?;
    let id = insert_organisation(&tx, &name).await?;
    let invitation = NewInvitation {
        email: req.owner_email,
        role: CloudRole::Owner,
        all_branches: true,
        branch_ids: Vec::new(),
    };
    let invitation = invite(&st, &tx, &id, &invitation, None)
        .await
        .map_err(|e| match e {
            CloudError::Validation { message, .. } => {
                CloudError::validation("owner_email", message)
            }
            e => e,
        })?;
    tx.commit().await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedOrganisation {
            id,
            name,
            invitation,
        }),
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Signup {
    pub organisation_name: String,
    pub name: String,
    pub email: String,
    pub password: String,
}

/// Self-service sign-up: a new organisation with its first owner, signed in. Only where the
/// cloud's `allow_signup` setting is on (409 `signup_closed` otherwise).
#[utoipa::path(post, path = "/api/v1/signup", request_body = Signup,
    responses((status = 201, body = SessionAnswer), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    tag = "accounts")]
pub async fn signup(
    State(st): State<CloudState>,
    ClientAddr(address): ClientAddr,
    headers: HeaderMap,
    ApiJson(req): ApiJson<Signup>,
) -> Result<(StatusCode, Json<SessionAnswer>)> {
    crate::metrics::check(&st, &st.limits.public, &address)?;
    if !st.config.allow_signup {
        return Err(CloudError::Conflict {
            code: "signup_closed",
            message: "el registro está cerrado; pide una invitación".into(),
        });
    }
    let org_name = crate::routes::orgs::check_name("organisation_name", &req.organisation_name)?;
    let name = check_person_name("name", &req.name)?;
    let email = check_email("email", &req.email)?;
    check_password("password", &req.password, &email)?;
    let hash = hash_password(req.password).await?;
    let mut db = st.db().await?;
    let tx = db.transaction().await?;
    let org_id = insert_organisation(&tx, &org_name).await?;
    let user_id = insert_user(&tx, &org_id, &email, &name, CloudRole::Owner, true, &hash).await?;
    let answer = open_session(&st, &tx, &user_id, &user_agent(&headers), &address).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(answer)))
}

// ---------------------------------------------------------------------------------------------
// The organisation's people

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct UserView {
    pub id: String,
    pub email: String,
    pub name: String,
    pub role: CloudRole,
    pub all_branches: bool,
    pub branch_ids: Vec<String>,
    pub totp_enabled: bool,
    pub disabled: bool,
    pub created_at: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct UserList {
    pub items: Vec<UserView>,
}

const USER_COLUMNS: &str = concat!(
    "u.id, u.email, u.name, u.role, u.all_branches,
     ARRAY(SELECT branch_id FROM user_branches WHERE user_id = u.id ORDER BY branch_id),
     u.totp_secret IS NOT NULL, u.disabled_at IS NOT NULL, ",
    iso!("u.created_at")
);

fn user_view(r: &tokio_postgres::Row) -> UserView {
    let role = CloudRole::from_db(r.get::<_, &str>(3));
    UserView {
        id: r.get(0),
        email: r.get(1),
        name: r.get(2),
        role,
        all_branches: role == CloudRole::Owner || r.get::<_, bool>(4),
        branch_ids: r.get(5),
        totp_enabled: r.get(6),
        disabled: r.get(7),
        created_at: r.get(8),
    }
}

/// The organisation's people (owner only).
#[utoipa::path(get, path = "/api/v1/users", responses((status = 200, body = UserList)),
    security(("bearer" = [])), tag = "accounts")]
pub async fn list_users(State(st): State<CloudState>, owner: Owner) -> Result<Json<UserList>> {
    let rows = st
        .db()
        .await?
        .query(
            &format!("SELECT {USER_COLUMNS} FROM users u WHERE u.org_id = $1 ORDER BY u.name"),
            &[&owner.org_id],
        )
        .await?;
    Ok(Json(UserList {
        items: rows.iter().map(user_view).collect(),
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserEdit {
    pub name: Option<String>,
    pub role: Option<CloudRole>,
    pub all_branches: Option<bool>,
    /// Replaces the branches a manager or viewer sees.
    pub branch_ids: Option<Vec<String>>,
    /// Disabled people cannot sign in; their sessions end at once.
    pub disabled: Option<bool>,
}

/// Changes a person's name, role, branches or access (owner only). The organisation always
/// keeps one active owner (409 `last_owner`).
#[utoipa::path(patch, path = "/api/v1/users/{id}", request_body = UserEdit,
    params(("id" = String, Path, description = "user id")),
    responses((status = 200, body = UserView), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])), tag = "accounts")]
pub async fn update_user(
    State(st): State<CloudState>,
    owner: Owner,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<UserEdit>,
) -> Result<Json<UserView>> {
    let mut db = st.db().await?;
    let tx = db.transaction().await?;
    // Owners are locked in one order, so two owners demoting each other cannot both win.
    tx.query(
        "SELECT id FROM users WHERE org_id = $1 AND role = 'owner' ORDER BY id FOR UPDATE",
        &[&owner.org_id],
    )
    .await?;
    tx.query_opt(
        "SELECT 1 FROM users WHERE id = $1 AND org_id = $2 FOR UPDATE",
        &[&id, &owner.org_id],
    )
    .await?
    .ok_or(CloudError::NotFound("la persona"))?;
    if let Some(name) = &req.name {
        let name = check_person_name("name", name)?;
        tx.execute("UPDATE users SET name = $2 WHERE id = $1", &[&id, &name])
            .await?;
    }
    if let Some(role) = req.role {
        tx.execute(
            "UPDATE users SET role = $2 WHERE id = $1",
            &[&id, &role.as_str()],
        )
        .await?;
    }
    if let Some(all) = req.all_branches {
        tx.execute(
            "UPDATE users SET all_branches = $2 WHERE id = $1",
            &[&id, &all],
        )
        .await?;
    }
    if let Some(branch_ids) = &req.branch_ids {
        let ids = check_branch_ids(&tx, &owner.org_id, branch_ids).await?;
        tx.execute("DELETE FROM user_branches WHERE user_id = $1", &[&id])
            .await?;
        tx.execute(
            "INSERT INTO user_branches (user_id, branch_id) SELECT $1, unnest($2::text[])",
            &[&id, &ids],
        )
        .await?;
    }
    if let Some(disabled) = req.disabled {
        tx.execute(
            "UPDATE users SET disabled_at = CASE WHEN $2 THEN COALESCE(disabled_at, now()) END
             WHERE id = $1",
            &[&id, &disabled],
        )
        .await?;
        if disabled {
            tx.execute(
                "UPDATE sessions SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL",
                &[&id],
            )
            .await?;
        }
    }
    let owners: i64 = tx
        .query_one(
            "SELECT count(*) FROM users WHERE org_id = $1 AND role = 'owner' AND disabled_at IS NULL",
            &[&owner.org_id],
        )
        .await?
        .get(0);
    if owners == 0 {
        return Err(CloudError::Conflict {
            code: "last_owner",
            message: "la organización necesita al menos un dueño activo".into(),
        });
    }
    let row = tx
        .query_one(
            &format!("SELECT {USER_COLUMNS} FROM users u WHERE u.id = $1"),
            &[&id],
        )
        .await?;
    tx.commit().await?;
    Ok(Json(user_view(&row)))
}
