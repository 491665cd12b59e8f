//! Roles and what each may do. The hub asks these questions on every route; keeping the matrix
//! here means the CLI, the hub and the tests all share one definition.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{CoreError, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    SuperAdmin,
    AdminViewer,
    Reception,
    Kidibar,
    Monitor,
    Totem,
}

/// A thing a role may or may not do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    ReadProducts,
    ReadServicesAndPackages,
    ReadBranches,
    WriteCatalog,
    ReadUsers,
    WriteUsers,
    SellProducts,
    SellServicesAndPackages,
    ReadSales,
    /// Every sale, play time included; without it only product-only sales (the kid bar's).
    ReadAllSales,
    /// Guardians' names and phones on timers and sales (the desk that hands children back).
    ReadGuardians,
    ReadTimers,
    OperateTimers,
    ReadDayClosings,
    CloseDay,
    ReadReports,
    ReadEvents,
    /// See saved menu designs, their previews and exports (the totem plays the menu).
    ReadMenus,
    /// Create, change and delete menu designs; choose the one the totem plays.
    WriteMenus,
    /// Export a menu as PDF, MP4 or PNG (CPU-heavy background jobs: admins only).
    ExportMenus,
    /// Send visitor counts and the camera's status (the totem's vision runner).
    RecordVisits,
    /// See the clip library, schedules and audio settings; a speaker player reports its status.
    ReadAudio,
    /// Upload clips, edit schedules and audio settings.
    WriteAudio,
    /// List, take and restore database backups (a restore replaces every record: owner only).
    ManageBackups,
    /// Give money back for a sale this role may read (a refund or a void).
    RefundSales,
    /// Refund, or authorise someone else's refund, without a supervisor's PIN.
    AuthorizeRefunds,
    /// Give play time without selling it (a free extension), or authorise someone else's.
    GiveFreeTime,
    /// Open a drawer with its float, drop cash to the safe or deposit it, print a shift report.
    OperateTill,
    /// Correct a closed day's count (a new amendment record).
    AmendClosings,
    /// Give a discount above the branch's limit for one's role, or authorise someone else's.
    AuthorizeDiscounts,
    /// Register families and change them, take their consent (the desk).
    WriteFamilies,
    /// Export a family's data or erase it (access and erasure requests).
    EraseFamilies,
    /// Let children in over the venue's capacity, or authorise it.
    OverrideCapacity,
    /// Send a message to the speakers.
    Announce,
    /// Let an adult who is not on a family's list collect its children, or authorise it.
    AuthorizePickup,
    /// See the party calendar, its areas and packages (bookings carry the family's contact).
    ReadBookings,
    /// Book, move, cancel and check in parties.
    WriteBookings,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Role::SuperAdmin,
        Role::AdminViewer,
        Role::Reception,
        Role::Kidibar,
        Role::Monitor,
        Role::Totem,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::SuperAdmin => "super_admin",
            Role::AdminViewer => "admin_viewer",
            Role::Reception => "reception",
            Role::Kidibar => "kidibar",
            Role::Monitor => "monitor",
            Role::Totem => "totem",
        }
    }

    pub fn parse(field: &str, s: &str) -> Result<Role> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| {
                CoreError::validation(
                    field,
                    "rol desconocido (super_admin, admin_viewer, reception, kidibar, monitor, totem)",
                )
            })
    }

    /// The role matrix of DESIGN.md.
    pub fn can(self, p: Permission) -> bool {
        use Permission::*;
        match self {
            Role::SuperAdmin => true,
            Role::AdminViewer => !matches!(
                p,
                WriteCatalog
                    | WriteUsers
                    | SellProducts
                    | SellServicesAndPackages
                    | OperateTimers
                    | CloseDay
                    | WriteMenus
                    | RecordVisits
                    | WriteAudio
                    | ManageBackups
                    | RefundSales
                    | AuthorizeRefunds
                    | GiveFreeTime
                    | OperateTill
                    | AmendClosings
                    | AuthorizeDiscounts
                    | WriteFamilies
                    | EraseFamilies
                    | OverrideCapacity
                    | Announce
                    | AuthorizePickup
                    | WriteBookings
            ),
            Role::Reception => matches!(
                p,
                ReadProducts
                    | ReadServicesAndPackages
                    | ReadBranches
                    | SellProducts
                    | SellServicesAndPackages
                    | ReadSales
                    | ReadAllSales
                    | ReadGuardians
                    | ReadTimers
                    | OperateTimers
                    | ReadDayClosings
                    | CloseDay
                    | ReadAudio
                    | RefundSales
                    | OperateTill
                    | WriteFamilies
                    | Announce
                    | ReadBookings
                    | WriteBookings
            ),
            Role::Kidibar => matches!(
                p,
                ReadProducts | ReadBranches | SellProducts | ReadSales | RefundSales | OperateTill
            ),
            // A wall monitor may own the speakers: it plays announcements and jingles.
            Role::Monitor => matches!(p, ReadTimers | ReadBranches | ReadAudio),
            Role::Totem => matches!(
                p,
                ReadProducts | ReadServicesAndPackages | ReadBranches | ReadMenus | RecordVisits
            ),
        }
    }

    pub fn require(self, p: Permission) -> Result<()> {
        if self.can(p) {
            Ok(())
        } else {
            Err(CoreError::Forbidden(format!(
                "el rol {} no tiene permiso para esta acción",
                self.as_str()
            )))
        }
    }
}

/// Who is doing something, stamped on every event.
#[derive(Debug, Clone)]
pub struct Actor {
    pub user_id: Option<String>,
    pub role: Role,
}

impl Actor {
    /// The hub itself (schedulers, migrations, demo data).
    pub fn system() -> Actor {
        Actor {
            user_id: None,
            role: Role::SuperAdmin,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_super_admin_writes_the_catalogue() {
        for r in Role::ALL {
            assert_eq!(
                r.can(Permission::WriteCatalog),
                r == Role::SuperAdmin,
                "{r:?}"
            );
        }
    }

    #[test]
    fn kidibar_sells_products_but_not_play_time() {
        assert!(Role::Kidibar.can(Permission::SellProducts));
        assert!(!Role::Kidibar.can(Permission::SellServicesAndPackages));
        assert!(!Role::Kidibar.can(Permission::ReadTimers));
    }

    #[test]
    fn monitor_reads_timers_only() {
        assert!(Role::Monitor.can(Permission::ReadTimers));
        assert!(!Role::Monitor.can(Permission::OperateTimers));
        assert!(!Role::Monitor.can(Permission::ReadSales));
    }

    #[test]
    fn admin_viewer_reads_everything_and_writes_nothing() {
        assert!(Role::AdminViewer.can(Permission::ReadReports));
        assert!(Role::AdminViewer.can(Permission::ReadUsers));
        assert!(!Role::AdminViewer.can(Permission::CloseDay));
        assert!(!Role::AdminViewer.can(Permission::SellProducts));
    }

    #[test]
    fn menus_are_written_by_super_admin_and_read_by_admins_and_the_totem() {
        for r in Role::ALL {
            assert_eq!(
                r.can(Permission::WriteMenus),
                r == Role::SuperAdmin,
                "{r:?}"
            );
            assert_eq!(
                r.can(Permission::ReadMenus),
                matches!(r, Role::SuperAdmin | Role::AdminViewer | Role::Totem),
                "{r:?}"
            );
            assert_eq!(
                r.can(Permission::ExportMenus),
                matches!(r, Role::SuperAdmin | Role::AdminViewer),
                "{r:?}"
            );
        }
    }

    #[test]
    fn only_super_admin_manages_backups() {
        for r in Role::ALL {
            assert_eq!(
                r.can(Permission::ManageBackups),
                r == Role::SuperAdmin,
                "{r:?}"
            );
        }
    }

    #[test]
    fn role_names_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::parse("role", r.as_str()).expect("parses"), r);
        }
        assert!(Role::parse("role", "root").is_err());
    }
}
