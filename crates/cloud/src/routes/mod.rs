//! The cloud's HTTP routes, grouped by audience.

pub mod accounts;
pub mod alerts;
pub mod catalog;
pub mod dashboard;
pub mod health;
pub mod insights;
pub mod menus;
pub mod orgs;
pub mod packages;
pub mod reports;
pub mod services;
pub mod sync;
