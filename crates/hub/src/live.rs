//! The live feed: every change is published once to a broadcast channel and fanned out to each
//! WebSocket client whose role may see it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use kidyboard_core::day_close::DayClosing;
use kidyboard_core::privacy::RoleView;
use kidyboard_core::products::Product;
use kidyboard_core::sales::Sale;
use kidyboard_core::timers::Timer;
use kidyboard_core::{Permission, Role};
use serde::Serialize;
use tokio::sync::{broadcast, watch};
use utoipa::ToSchema;

/// How many messages a slow client may fall behind before it is told to resync.
const CHANNEL_CAPACITY: usize = 1024;

/// A change as the feed announces it. Its schema is in the API document (inside `LiveFrame`), and
/// the UI's types are generated from it, so a change of shape here fails the UI's type check.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(tag = "type")]
pub enum LiveMessage {
    #[serde(rename = "timer.updated")]
    TimerUpdated { timer: Box<Timer> },
    #[serde(rename = "sale.created")]
    SaleCreated { sale: Box<Sale> },
    #[serde(rename = "stock.changed")]
    StockChanged { product: Product },
    #[serde(rename = "stock.low")]
    StockLow { product: Product },
    #[serde(rename = "catalog.changed")]
    CatalogChanged {
        /// What kind of record: `product`, `service`, `package`, `branch`, `user`, …
        #[schema(value_type = String)]
        entity: &'static str,
        id: String,
    },
    #[serde(rename = "day.closed")]
    DayClosed { closing: DayClosing },
    /// A background job (export) moved on; sent to its owner and to admins.
    #[serde(rename = "job.progress")]
    JobProgress { job: Box<crate::jobs::JobStatus> },
    /// A menu design was created, changed or deleted (the totem reloads its slides).
    #[serde(rename = "menu.changed")]
    MenuChanged { id: String },
    /// A running timer is nearly up: its guardian is called ("quedan 5 minutos").
    #[serde(rename = "timer.warning")]
    TimerWarning {
        timer: Box<Timer>,
        minutes_left: i64,
    },
    /// The desk sent a message to the speakers.
    #[serde(rename = "announcement")]
    Announcement {
        announcement: kidyboard_core::pickup::Announcement,
    },
    /// Children were handed to an adult (names: only for the desk and admins).
    #[serde(rename = "checkout.created")]
    CheckoutCreated {
        checkout: Box<kidyboard_core::pickup::Checkout>,
    },
    /// A booking was made, moved, paid, checked in or cancelled: every open calendar shows it
    /// as it is now (the desk and admins only: it names the family).
    #[serde(rename = "booking.updated")]
    BookingUpdated {
        booking: Box<kidyboard_core::bookings::Booking>,
    },
    /// The whole database was replaced (a backup restored): every client reloads what it shows.
    #[serde(rename = "resync")]
    Resync,
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
            LiveMessage::TimerWarning { .. } => Some(Permission::ReadTimers),
            LiveMessage::Announcement { .. } => Some(Permission::ReadAudio),
            LiveMessage::CheckoutCreated { .. } => Some(Permission::ReadGuardians),
            LiveMessage::BookingUpdated { .. } => Some(Permission::ReadBookings),
            LiveMessage::Resync => None,
        }
    }

    /// A user who receives this message whatever the audience (a job's owner).
    fn owner(&self) -> Option<String> {
        match self {
            LiveMessage::JobProgress { job } => job.owner.clone(),
            _ => None,
        }
    }

    /// The message as `role` may receive it (the same rule as the HTTP answers), if at all.
    pub fn for_role(&self, role: Role) -> Option<LiveMessage> {
        if !self.audience().is_none_or(|p| role.can(p)) {
            return None;
        }
        Some(match self {
            LiveMessage::TimerUpdated { timer } => LiveMessage::TimerUpdated {
                timer: Box::new(timer.for_role(role)?),
            },
            LiveMessage::SaleCreated { sale } => LiveMessage::SaleCreated {
                sale: Box::new(sale.for_role(role)?),
            },
            LiveMessage::TimerWarning {
                timer,
                minutes_left,
            } => LiveMessage::TimerWarning {
                timer: Box::new(timer.for_role(role)?),
                minutes_left: *minutes_left,
            },
            other => other.clone(),
        })
    }
}

/// A message serialised once per distinct view, shared by every subscriber.
#[derive(Debug)]
pub struct Published {
    /// What each role receives (indexed like `Role::ALL`); roles that see the same share one
    /// string.
    by_role: [Option<Arc<str>>; Role::ALL.len()],
    /// The whole message, for its owner (a job's owner sees their job whatever their role).
    owner_json: Option<(String, Arc<str>)>,
}

impl Published {
    fn new(msg: &LiveMessage) -> serde_json::Result<Published> {
        let mut views: Vec<(String, Arc<str>)> = Vec::new();
        let mut by_role: [Option<Arc<str>>; Role::ALL.len()] = Default::default();
        for (i, role) in Role::ALL.into_iter().enumerate() {
            let Some(view) = msg.for_role(role) else {
                continue;
            };
            let json = serde_json::to_string(&view)?;
            let shared = match views.iter().find(|(j, _)| *j == json) {
                Some((_, a)) => a.clone(),
                None => {
                    let a: Arc<str> = Arc::from(json.as_str());
                    views.push((json, a.clone()));
                    a
                }
            };
            by_role[i] = Some(shared);
        }
        let owner_json = match msg.owner() {
            Some(owner) => Some((owner, Arc::from(serde_json::to_string(msg)?.as_str()))),
            None => None,
        };
        Ok(Published {
            by_role,
            owner_json,
        })
    }

    /// What the signed-in `user` receives, if anything.
    pub fn for_user(&self, user: &kidyboard_core::users::User) -> Option<&str> {
        if let Some((owner, json)) = &self.owner_json {
            if *owner == user.id {
                return Some(json);
            }
        }
        self.for_role(user.role)
    }

    /// What a client of `role` receives, if anything.
    pub fn for_role(&self, role: Role) -> Option<&str> {
        let i = Role::ALL.iter().position(|r| *r == role)?;
        self.by_role[i].as_deref()
    }
}

#[derive(Clone)]
pub struct LiveFeed {
    tx: broadcast::Sender<Arc<Published>>,
    /// Bumped whenever a session may have ended or a user changed (logout, deactivation,
    /// password or role change): every open feed then checks its token again at once.
    sessions: Arc<watch::Sender<u64>>,
    /// Open feeds per user id, to cap how many one account holds.
    seats: Arc<Mutex<HashMap<String, usize>>>,
}

impl Default for LiveFeed {
    fn default() -> Self {
        let (tx, _) = broadcast::channel(CHANNEL_CAPACITY);
        LiveFeed {
            tx,
            sessions: Arc::new(watch::channel(0).0),
            seats: Arc::default(),
        }
    }
}

/// One open feed of a user; its place is given back when dropped.
pub struct Seat {
    user_id: String,
    seats: Arc<Mutex<HashMap<String, usize>>>,
}

impl Drop for Seat {
    fn drop(&mut self) {
        let mut map = self.seats.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(n) = map.get_mut(&self.user_id) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                map.remove(&self.user_id);
            }
        }
    }
}

impl LiveFeed {
    /// A place for one more feed of `user_id`, unless the user already holds `cap`.
    pub fn take_seat(&self, user_id: &str, cap: usize) -> Option<Seat> {
        let mut map = self.seats.lock().unwrap_or_else(|p| p.into_inner());
        let n = map.entry(user_id.to_string()).or_default();
        if *n >= cap {
            return None;
        }
        *n += 1;
        Some(Seat {
            user_id: user_id.to_string(),
            seats: self.seats.clone(),
        })
    }

    /// Tells every open feed to check its session now.
    pub fn sessions_changed(&self) {
        self.sessions.send_modify(|n| *n = n.wrapping_add(1));
    }

    pub fn watch_sessions(&self) -> watch::Receiver<u64> {
        self.sessions.subscribe()
    }

    pub fn publish(&self, msg: LiveMessage) {
        // Whatever changed a user (here or pulled from the cloud) may have ended sessions.
        if matches!(&msg, LiveMessage::CatalogChanged { entity: "user", .. }) {
            self.sessions_changed();
        }
        match Published::new(&msg) {
            // No subscribers is fine: nobody is watching.
            Ok(published) => {
                let _ = self.tx.send(Arc::new(published));
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
