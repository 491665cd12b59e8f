//! Kidyboard's domain: catalogue, sales, the stock ledger, play timers, day closing, reports
//! and the event log, stored in SQLite. Synchronous and free of HTTP, GUI and async runtimes, so
//! the hub, the desktop shell, the CLI and the tests all share one implementation.

pub mod audio;
pub mod bookings;
pub mod branches;
pub mod clock;
pub mod day_close;
pub mod demo;
pub mod demo_history;
pub mod error;
pub mod events;
pub mod families;
pub mod ids;
pub mod menus;
pub mod migrate;
pub mod money;
pub mod overrides;
pub mod packages;
pub mod passwords;
pub mod pickup;
pub mod privacy;
pub mod products;
pub mod refunds;
pub mod reports;
pub mod restore;
pub mod roles;
pub mod sales;
pub mod services;
pub mod stock;
pub mod store;
pub mod sync;
pub mod tax;
pub mod till;
pub mod timers;
pub mod tx;
pub mod users;
pub mod validate;
pub mod vision;

pub use error::{CoreError, Result};
pub use roles::{Actor, Permission, Role};
pub use store::Store;
