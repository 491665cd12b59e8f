//! Guardians' notifications through the owner's SMS/WhatsApp gateway: when a child's time is
//! nearly up (`timer.warning`) or up (`timer.expired`) and the ticket has the guardian's phone,
//! the hub posts a JSON message to the branch's webhook, signed with its secret. Off while no
//! webhook is set. The gateway is the owner's: nothing is sent anywhere else.

use std::collections::VecDeque;
use std::time::Duration;

use kidyboard_core::{pickup, Role};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::state::AppState;

/// How long the gateway may take to answer one attempt.
const TIMEOUT: Duration = Duration::from_secs(10);
/// Attempts per message, with these waits between them.
const RETRY_WAITS: [Duration; 2] = [Duration::from_secs(1), Duration::from_secs(5)];
/// Messages already sent, so a replayed live message is not sent twice.
const REMEMBERED: usize = 2_000;

/// What the gateway receives.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct GuardianMessage {
    /// `timer.warning` or `timer.expired`.
    pub kind: String,
    /// E.164: `+52` and the ten digits.
    pub phone: String,
    pub guardian_name: String,
    pub child_first_name: String,
    pub minutes_left: i64,
    /// The text to send.
    pub message: String,
    /// The same message as a WhatsApp link, for gateways that only forward links.
    pub whatsapp_url: String,
    pub timer_id: String,
}

/// The message for a live-feed frame (the full view, as an admin receives it), if it calls a
/// guardian.
pub fn message_for(frame: &serde_json::Value) -> Option<GuardianMessage> {
    let timer = &frame["timer"];
    let kind = match frame["type"].as_str()? {
        "timer.warning" => "timer.warning",
        "timer.updated" if timer["state"] == "expired" => "timer.expired",
        _ => return None,
    };
    let digits: String = timer["guardian_phone"]
        .as_str()?
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    let phone = kidyboard_core::families::phone("guardian_phone", &digits).ok()?;
    let first = timer["child_name"]
        .as_str()?
        .split_whitespace()
        .next()?
        .to_string();
    let minutes_left = frame["minutes_left"].as_i64().unwrap_or(0);
    let message = if kind == "timer.warning" {
        format!("Kidyboard: a {first} le quedan {minutes_left} minutos de juego. Le esperamos en recepción con su código de recogida.")
    } else {
        format!("Kidyboard: terminó el tiempo de juego de {first}. Favor de pasar a recepción con su código de recogida.")
    };
    Some(GuardianMessage {
        kind: kind.to_string(),
        whatsapp_url: kidyboard_core::families::whatsapp_link(&phone, &message),
        phone: format!("+52{phone}"),
        guardian_name: timer["guardian_name"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
        child_first_name: first,
        minutes_left,
        message,
        timer_id: timer["id"].as_str().unwrap_or_default().to_string(),
    })
}

/// HMAC-SHA256 (RFC 2104) of `body` with `key`, in hex.
pub fn sign(key: &[u8], body: &[u8]) -> String {
    const BLOCK: usize = 64;
    let mut k = if key.len() > BLOCK {
        Sha256::digest(key).to_vec()
    } else {
        key.to_vec()
    };
    k.resize(BLOCK, 0);
    let inner: Vec<u8> = k.iter().map(|b| b ^ 0x36).collect();
    let outer: Vec<u8> = k.iter().map(|b| b ^ 0x5c).collect();
    let mut h = Sha256::new();
    h.update(&inner);
    h.update(body);
    let inner_hash = h.finalize();
    let mut h = Sha256::new();
    h.update(&outer);
    h.update(inner_hash);
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Follows the live feed and calls the gateway for each guardian message.
pub async fn run(st: AppState) {
    let client = match reqwest::Client::builder().timeout(TIMEOUT).build() {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(error = %e, "no HTTP client for guardians' notifications");
            return;
        }
    };
    let mut feed = st.live.subscribe();
    let mut sent: VecDeque<String> = VecDeque::new();
    loop {
        let published = match feed.recv().await {
            Ok(p) => p,
            Err(tokio::sync::broadcast::error::RecvError::Lagged(n)) => {
                tracing::warn!(
                    missed = n,
                    "guardians' notifications fell behind the live feed"
                );
                continue;
            }
            Err(_) => return,
        };
        let Some(json) = published.for_role(Role::SuperAdmin) else {
            continue;
        };
        let Ok(frame) = serde_json::from_str::<serde_json::Value>(json) else {
            continue;
        };
        let Some(msg) = message_for(&frame) else {
            continue;
        };
        let key = format!(
            "{}:{}:{}",
            msg.kind, msg.timer_id, frame["timer"]["ends_at"]
        );
        if sent.contains(&key) {
            continue;
        }
        let store = st.store.clone();
        let config = tokio::task::spawn_blocking(move || {
            store.read(|c| pickup::notify_config(c, store.branch_id()))
        })
        .await;
        let Ok(Ok((url, secret))) = config else {
            continue;
        };
        if url.is_empty() {
            continue;
        }
        sent.push_back(key);
        if sent.len() > REMEMBERED {
            sent.pop_front();
        }
        let client = client.clone();
        tokio::spawn(async move { deliver(&client, &url, &secret, &msg).await });
    }
}

async fn deliver(client: &reqwest::Client, url: &str, secret: &str, msg: &GuardianMessage) {
    let Ok(body) = serde_json::to_vec(msg) else {
        return;
    };
    for attempt in 0..=RETRY_WAITS.len() {
        let mut req = client
            .post(url)
            .header("content-type", "application/json")
            .body(body.clone());
        if !secret.is_empty() {
            req = req.header(
                "x-kidyboard-signature",
                format!("sha256={}", sign(secret.as_bytes(), &body)),
            );
        }
        match req.send().await {
            Ok(r) if r.status().is_success() => {
                tracing::info!(kind = %msg.kind, timer = %msg.timer_id, "guardian notified");
                return;
            }
            Ok(r) if r.status().is_client_error() && r.status().as_u16() != 429 => {
                tracing::warn!(status = %r.status(), "the notification gateway refused the message");
                return;
            }
            Ok(r) => tracing::warn!(status = %r.status(), attempt, "notification gateway error"),
            Err(e) => tracing::warn!(error = %e, attempt, "notification gateway unreachable"),
        }
        if let Some(wait) = RETRY_WAITS.get(attempt) {
            tokio::time::sleep(*wait).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_rfc_4231_case_2() {
        assert_eq!(
            sign(b"Jefe", b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn a_warning_with_a_phone_calls_the_guardian_by_the_childs_first_name() {
        let frame = serde_json::json!({
            "type": "timer.warning", "minutes_left": 5,
            "timer": {"id": "T1", "child_name": "Sofía López", "guardian_name": "Ana",
                      "guardian_phone": "5512345678", "state": "running", "ends_at": "x"}
        });
        let m = message_for(&frame).expect("a message");
        assert_eq!(m.phone, "+525512345678");
        assert_eq!(m.child_first_name, "Sofía");
        assert!(m.message.contains("5 minutos") && !m.message.contains("López"));
        assert!(m
            .whatsapp_url
            .starts_with("https://wa.me/525512345678?text="));
        let no_phone = serde_json::json!({"type": "timer.warning", "timer": {"child_name": "Leo", "guardian_phone": ""}});
        assert!(message_for(&no_phone).is_none());
        let running = serde_json::json!({"type": "timer.updated", "timer": {"state": "running", "child_name": "Leo", "guardian_phone": "5512345678"}});
        assert!(message_for(&running).is_none());
    }
}
