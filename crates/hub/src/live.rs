//! The live feed: every change is published once to a broadcast channel and fanned out to each
//! WebSocket client whose role may see it.

use std::sync::Arc;

use kidyboard_core::day_close::DayClosing;
use kidyboard_core::products::Product;
use kidyboard_core::sales::Sale;
use kidyboard_core::timers::Timer;
use kidyboard_core::Permission;
use serde::Serialize;
use tokio::sync::broadcast;

/// How many messages a slow client may fall behind before it is told to resync.
const CHANNEL_CAPACITY: usize = 1024;

#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type")]
pub enum LiveMessage {
    #[serde(rename = "timer.updated")]
    TimerUpdated { timer: Timer },
    #[serde(rename = "sale.created")]
    SaleCreated { sale: Box<Sale> },
    #[serde(rename = "stock.changed")]
    StockChanged { product: Product },
    #[serde(rename = "stock.low")]
    StockLow { product: Product },
    #[serde(rename = "catalog.changed")]
    CatalogChanged { entity: &'static str, id: String },
    #[serde(rename = "day.closed")]
    DayClosed { closing: DayClosing },
    /// A background job (export) moved on; sent to its owner and to admins.
    #[serde(rename = "job.progress")]
    JobProgress { job: Box<crate::jobs::JobStatus> },
    /// A menu design was created, changed or deleted (the totem reloads its slides).
    #[serde(rename = "menu.changed")]
    MenuChanged { id: String },
}

impl LiveMessage {
    /// What a client's role must allow for it to receive this message.
    fn audience(&self) -> Option<Permission> {
        match self {
            LiveMessage::TimerUpdated { .. } => Some(Permission::ReadTimers),
            LiveMessage::SaleCreated { .. } => Some(Permission::ReadSales),
            LiveMessage::StockChanged { .. } | LiveMessage::StockLow { .. } => {
                Some(Permission::ReadProducts)
            }
            LiveMessage::CatalogChanged { .. } => None,
            LiveMessage::DayClosed { .. } => Some(Permission::ReadDayClosings),
            LiveMessage::JobProgress { .. } => Some(Permission::ReadEvents),
            LiveMessage::MenuChanged { .. } => Some(Permission::ReadMenus),
        }
    }

    /// A user who receives this message whatever the audience (a job's owner).
    fn owner(&self) -> Option<String> {
        match self {
            LiveMessage::JobProgress { job } => job.owner.clone(),
            _ => None,
        }
    }
}

/// A message serialised once, shared by every subscriber.
#[derive(Debug)]
pub struct Published {
    pub json: String,
    /// The same message without guardians' names and phones, for wall screens (monitor role).
    pub redacted_json: Option<String>,
    pub audience: Option<Permission>,
    /// This user receives it even when the audience rule would not let their role.
    pub owner: Option<String>,
}

impl Published {
    /// What the signed-in `user` receives, if anything.
    pub fn for_user(&self, user: &kidyboard_core::users::User) -> Option<&str> {
        if self.owner.as_deref() == Some(user.id.as_str()) {
            return Some(&self.json);
        }
        self.for_role(user.role)
    }

    /// What a client of `role` receives, if anything.
    pub fn for_role(&self, role: kidyboard_core::Role) -> Option<&str> {
        if !self.audience.is_none_or(|p| role.can(p)) {
            return None;
        }
        match (&self.redacted_json, role) {
            (Some(r), kidyboard_core::Role::Monitor) => Some(r),
            _ => Some(&self.json),
        }
    }
}

/// A timer as a wall screen may show it: no guardian contact details.
pub fn redact_timer(t: &Timer) -> Timer {
    Timer {
        guardian_name: String::new(),
        guardian_phone: String::new(),
        ..t.clone()
    }
}

#[derive(Clone)]
pub struct LiveFeed {
    tx: broadcast::Sender<Arc<Published>>,
}

impl Default for LiveFeed {
    fn default() -> Self {
        let (tx, _) = broadcast::channel(CHANNEL_CAPACITY);
        LiveFeed { tx }
    }
}

impl LiveFeed {
    pub fn publish(&self, msg: LiveMessage) {
        match serde_json::to_string(&msg) {
            Ok(json) => {
                let redacted_json = match &msg {
                    LiveMessage::TimerUpdated { timer } => {
                        serde_json::to_string(&LiveMessage::TimerUpdated {
                            timer: redact_timer(timer),
                        })
                        .ok()
                    }
                    _ => None,
                };
                // No subscribers is fine: nobody is watching.
                let _ = self.tx.send(Arc::new(Published {
                    json,
                    redacted_json,
                    audience: msg.audience(),
                    owner: msg.owner(),
                }));
            }
            Err(e) => tracing::error!(error = %e, "live message not serialisable"),
        }
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Published>> {
        self.tx.subscribe()
    }

    pub fn subscribers(&self) -> usize {
        self.tx.receiver_count()
    }
}
