//! What each role may see of a sale or a timer: the one rule for personal data, used by every
//! HTTP answer and every live message alike.
//!
//! - Guardians' names and phones reach only roles with [`Permission::ReadGuardians`] (the desk
//!   that hands children back, and admins). A wall monitor sees a child's first name and time.
//! - Roles without [`Permission::ReadAllSales`] (the kid bar) see only product-only sales: the
//!   ones their counter makes. A ticket with play time names children, so it is not theirs.

use crate::roles::{Permission, Role};
use crate::sales::{ItemKind, Sale};
use crate::timers::Timer;

/// A record as one role may see it.
pub trait RoleView: Sized {
    /// The record as `role` may see it, or `None` when the role may not see it at all.
    fn for_role(&self, role: Role) -> Option<Self>;
}

impl RoleView for Timer {
    fn for_role(&self, role: Role) -> Option<Timer> {
        if !role.can(Permission::ReadTimers) && !role.can(Permission::ReadAllSales) {
            return None;
        }
        if role.can(Permission::ReadGuardians) {
            return Some(self.clone());
        }
        // The wall sees what it calls the child, never a code that would let a stranger collect
        // them, nor the family's notes.
        let public = if self.public_name.is_empty() {
            crate::timers::public_name(&self.child_name, false)
        } else {
            self.public_name.clone()
        };
        Some(Timer {
            child_name: public,
            guardian_name: String::new(),
            guardian_phone: String::new(),
            pickup_code: None,
            family_id: None,
            child_id: None,
            child_notes: String::new(),
            ..self.clone()
        })
    }
}

impl RoleView for Sale {
    fn for_role(&self, role: Role) -> Option<Sale> {
        if !role.can(Permission::ReadSales) {
            return None;
        }
        if !role.can(Permission::ReadAllSales)
            && self.items.iter().any(|i| i.kind != ItemKind::Product)
        {
            return None;
        }
        if role.can(Permission::ReadGuardians) {
            return Some(self.clone());
        }
        let mut sale = self.clone();
        sale.pickup_code = None;
        sale.family_id = None;
        for item in &mut sale.items {
            if let Some(child) = &mut item.child {
                child.guardian_name = None;
                child.guardian_phone = None;
            }
        }
        sale.timers = sale
            .timers
            .iter()
            .filter_map(|t| t.for_role(role))
            .collect();
        Some(sale)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sales::{Child, SaleItem};
    use crate::timers::TimerState;

    fn timer() -> Timer {
        Timer {
            id: "t".into(),
            sale_id: Some("s".into()),
            service_id: None,
            service_name: "1 hora".into(),
            child_name: "Leo".into(),
            guardian_name: "Ana".into(),
            guardian_phone: "55 1234 5678".into(),
            state: TimerState::Running,
            starts_at: String::new(),
            ends_at: None,
            duration_ms: 0,
            remaining_ms: 0,
            extended_minutes: 0,
            updated_at: String::new(),
            extra_block_minutes: 0,
            extra_block_price_cents: 0,
            grace_minutes: 0,
            overtime_minutes: 0,
            overtime_due_cents: 0,
            overtime_settlement: None,
            pickup_code: Some("4821".into()),
            family_id: Some("f".into()),
            child_id: Some("c".into()),
            child_notes: "Alergia al cacahuate".into(),
            public_name: "Leo".into(),
            booking_id: None,
            group: String::new(),
        }
    }

    fn item(kind: ItemKind, child: Option<Child>) -> SaleItem {
        SaleItem {
            id: "s.0".into(),
            kind,
            product_id: None,
            service_id: None,
            package_id: None,
            name: "x".into(),
            quantity: 1,
            unit_price_cents: 100,
            total_cents: 100,
            child,
            children: Vec::new(),
            refunded_quantity: 0,
            timer_id: None,
            extra: None,
            extra_minutes: None,
            gross_cents: 100,
            discount_cents: 0,
            iva_rate: Default::default(),
            iva_cents: 14,
            booking_id: None,
        }
    }

    fn sale(items: Vec<SaleItem>, timers: Vec<Timer>) -> Sale {
        Sale {
            id: "s".into(),
            number: 1,
            folio: "A-000001".into(),
            business_day: "2026-12-06".into(),
            created_at: String::new(),
            user_id: "u".into(),
            user_name: "Recepción".into(),
            total_cents: 100,
            paid_cents: 100,
            change_cents: 0,
            note: String::new(),
            items,
            payments: Vec::new(),
            timers,
            refunded_cents: 0,
            pickup_code: Some("4821".into()),
            family_id: Some("f".into()),
            capacity_override_by: None,
            gross_cents: 100,
            discount_cents: 0,
            discount_reason: String::new(),
            discount_authorized_by: None,
            taxes: Vec::new(),
            refunds: Vec::new(),
        }
    }

    #[test]
    fn only_the_desk_and_admins_see_guardians() {
        for role in Role::ALL {
            let seen = timer().for_role(role);
            let phone = seen.as_ref().map(|t| t.guardian_phone.clone());
            let expected = match role {
                Role::SuperAdmin | Role::AdminViewer | Role::Reception => {
                    Some("55 1234 5678".to_string())
                }
                Role::Monitor => Some(String::new()),
                Role::Kidibar | Role::Totem => None,
            };
            assert_eq!(
                phone, expected,
                "{role:?} sees the guardian's phone as expected"
            );
        }
    }

    #[test]
    fn the_kid_bar_sees_product_sales_only_and_never_children() {
        let child = Child {
            name: "Leo".into(),
            guardian_name: Some("Ana".into()),
            guardian_phone: Some("55".into()),
        };
        let play = sale(
            vec![item(ItemKind::Service, Some(child.clone()))],
            vec![timer()],
        );
        let snack = sale(vec![item(ItemKind::Product, None)], Vec::new());
        assert!(play.for_role(Role::Kidibar).is_none());
        assert!(snack.for_role(Role::Kidibar).is_some());
        assert!(play.for_role(Role::Monitor).is_none());
        assert!(play.for_role(Role::Totem).is_none());
        let desk = play.for_role(Role::Reception).expect("reception sees it");
        assert_eq!(desk.items[0].child, Some(child));
        assert_eq!(desk.timers[0].guardian_phone, "55 1234 5678");
    }
}
