//! Money rules: integer centavos, exact totals, payments that cover the total, change only in cash.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{CoreError, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PaymentMethod {
    Cash,
    Card,
    Transfer,
}

impl PaymentMethod {
    pub const ALL: [PaymentMethod; 3] = [
        PaymentMethod::Cash,
        PaymentMethod::Card,
        PaymentMethod::Transfer,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PaymentMethod::Cash => "cash",
            PaymentMethod::Card => "card",
            PaymentMethod::Transfer => "transfer",
        }
    }

    pub fn from_db(s: &str) -> PaymentMethod {
        match s {
            "card" => PaymentMethod::Card,
            "transfer" => PaymentMethod::Transfer,
            _ => PaymentMethod::Cash,
        }
    }
}

/// `unit × quantity` without overflow.
pub fn line_total(unit_cents: i64, quantity: i64) -> Result<i64> {
    unit_cents
        .checked_mul(quantity)
        .ok_or_else(|| CoreError::validation("items", "el total es demasiado grande"))
}

pub fn sum(field: &str, amounts: impl IntoIterator<Item = i64>) -> Result<i64> {
    amounts.into_iter().try_fold(0i64, |acc, a| {
        acc.checked_add(a)
            .ok_or_else(|| CoreError::validation(field, "el total es demasiado grande"))
    })
}

/// What a set of payments does to a total: how much was paid and how much change is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settlement {
    pub paid_cents: i64,
    pub change_cents: i64,
}

/// Payments must cover the total exactly, except that cash may exceed what is left after the
/// other methods (the excess is the change). Card and transfer never produce change: a terminal
/// charge above the total is a mistake, not a tip.
pub fn settle(total_cents: i64, payments: &[(PaymentMethod, i64)]) -> Result<Settlement> {
    let paid = sum("payments", payments.iter().map(|p| p.1))?;
    let non_cash = sum(
        "payments",
        payments
            .iter()
            .filter(|p| p.0 != PaymentMethod::Cash)
            .map(|p| p.1),
    )?;
    if paid < total_cents {
        return Err(CoreError::InsufficientPayment {
            message: format!(
                "faltan {} para cubrir el total",
                format_mxn(total_cents - paid)
            ),
        });
    }
    if non_cash > total_cents {
        return Err(CoreError::validation(
            "payments",
            "los pagos con tarjeta o transferencia no pueden exceder el total",
        ));
    }
    let change = paid - total_cents;
    Ok(Settlement {
        paid_cents: paid,
        change_cents: change,
    })
}

/// `$1,234.50` — how amounts read in messages for people in Mexico.
pub fn format_mxn(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    format!(
        "{sign}${}.{:02}",
        group_thousands(abs / 100, ","),
        abs % 100
    )
}

/// `1234567` → `"1,234,567"` with `separator` between groups of three digits. Shared with the
/// menu renderer's configurable currency format, so both print amounts the same way.
pub fn group_thousands(units: u64, separator: &str) -> String {
    let digits = units.to_string();
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3 * separator.len());
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push_str(separator);
        }
        grouped.push(ch);
    }
    grouped
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn formats_pesos_with_thousands() {
        assert_eq!(format_mxn(0), "$0.00");
        assert_eq!(format_mxn(5), "$0.05");
        assert_eq!(format_mxn(123_450), "$1,234.50");
        assert_eq!(format_mxn(100_000_000), "$1,000,000.00");
        assert_eq!(format_mxn(-2_500), "-$25.00");
        assert_eq!(format_mxn(i64::MIN), "-$92,233,720,368,547,758.08");
        assert_eq!(group_thousands(1_234_567, " "), "1 234 567");
        assert_eq!(group_thousands(999, ","), "999");
    }

    #[test]
    fn cash_over_the_total_gives_change() {
        let s = settle(18_000, &[(PaymentMethod::Cash, 20_000)]).expect("covers");
        assert_eq!(
            s,
            Settlement {
                paid_cents: 20_000,
                change_cents: 2_000
            }
        );
    }

    #[test]
    fn card_over_the_total_is_refused() {
        assert!(settle(18_000, &[(PaymentMethod::Card, 20_000)]).is_err());
    }

    #[test]
    fn short_payment_is_refused() {
        let e = settle(
            18_000,
            &[(PaymentMethod::Cash, 10_000), (PaymentMethod::Card, 5_000)],
        )
        .expect_err("short");
        assert_eq!(e.code(), "insufficient_payment");
    }

    proptest! {
        /// Whatever the split, a settled sale balances to the centavo: paid − change = total.
        #[test]
        fn settlement_balances(total in 0i64..10_000_000, card in 0i64..10_000_000, cash in 0i64..10_000_000) {
            let payments = [(PaymentMethod::Card, card), (PaymentMethod::Cash, cash)];
            match settle(total, &payments) {
                Ok(s) => {
                    prop_assert_eq!(s.paid_cents - s.change_cents, total);
                    prop_assert!(s.change_cents >= 0);
                    prop_assert!(s.change_cents <= cash, "change never exceeds the cash handed over");
                }
                Err(_) => prop_assert!(card + cash < total || card > total),
            }
        }

        #[test]
        fn line_totals_are_exact_or_refused(unit in 0i64..=i64::MAX, q in 1i64..1000) {
            match line_total(unit, q) {
                Ok(t) => prop_assert_eq!(t as i128, unit as i128 * q as i128),
                Err(_) => prop_assert!(unit as i128 * q as i128 > i64::MAX as i128),
            }
        }
    }
}
