//! IVA. Prices include it; each sale line keeps its rate and the tax inside its total, rounded
//! half up to the centavo, so receipts, reports and the accountant's export add up the same
//! lines. Rates: 16 % (the general rate), 0 % (taxed at zero) and exento (not taxed).

use chrono::NaiveDate;
use rusqlite::{params, Connection};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{CoreError, Result};

#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    ToSchema,
)]
pub enum IvaRate {
    #[default]
    #[serde(rename = "16")]
    General,
    #[serde(rename = "0")]
    Zero,
    #[serde(rename = "exento")]
    Exempt,
}

impl IvaRate {
    pub const ALL: [IvaRate; 3] = [IvaRate::General, IvaRate::Zero, IvaRate::Exempt];

    pub fn as_str(self) -> &'static str {
        match self {
            IvaRate::General => "16",
            IvaRate::Zero => "0",
            IvaRate::Exempt => "exento",
        }
    }

    pub fn parse(field: &str, s: &str) -> Result<IvaRate> {
        IvaRate::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| CoreError::validation(field, "tasa de IVA: 16, 0 o exento"))
    }

    /// Stored values are checked by the schema; anything else reads as the general rate.
    pub fn from_db(s: &str) -> IvaRate {
        IvaRate::parse("iva_rate", s).unwrap_or_default()
    }

    /// Percent applied (exento: none).
    pub fn percent(self) -> i64 {
        match self {
            IvaRate::General => 16,
            IvaRate::Zero | IvaRate::Exempt => 0,
        }
    }

    /// The IVA inside a price that includes it, half up to the centavo.
    pub fn included_in(self, total_cents: i64) -> i64 {
        let p = i128::from(self.percent());
        if p == 0 || total_cents <= 0 {
            return 0;
        }
        let t = i128::from(total_cents);
        let num = t * p;
        let den = 100 + p;
        i64::try_from((2 * num + den) / (2 * den)).unwrap_or(0)
    }
}

/// Sets the IVA rate of a catalogue row (`products`, `services` or `packages`).
pub(crate) fn set_rate(conn: &Connection, table: &str, id: &str, rate: IvaRate) -> Result<()> {
    let sql = match table {
        "products" => "UPDATE products SET iva_rate = ?2 WHERE id = ?1",
        "services" => "UPDATE services SET iva_rate = ?2 WHERE id = ?1",
        _ => "UPDATE packages SET iva_rate = ?2 WHERE id = ?1",
    };
    conn.execute(sql, params![id, rate.as_str()])?;
    Ok(())
}

/// One rate's share of a sale, a receipt or a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct TaxLine {
    pub rate: IvaRate,
    /// Before tax.
    pub subtotal_cents: i64,
    pub iva_cents: i64,
    pub total_cents: i64,
}

/// Groups `(rate, total, iva)` by rate, in the order 16 %, 0 %, exento.
pub fn breakdown(lines: impl IntoIterator<Item = (IvaRate, i64, i64)>) -> Vec<TaxLine> {
    let mut out: Vec<TaxLine> = Vec::new();
    for (rate, total, iva) in lines {
        match out.iter_mut().find(|t| t.rate == rate) {
            Some(t) => {
                t.total_cents += total;
                t.iva_cents += iva;
                t.subtotal_cents += total - iva;
            }
            None => out.push(TaxLine {
                rate,
                subtotal_cents: total - iva,
                iva_cents: iva,
                total_cents: total,
            }),
        }
    }
    out.sort_by_key(|t| t.rate);
    out
}

/// A business day for the accountant: per rate, what was sold less what was refunded that day.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct TaxDay {
    pub business_day: String,
    pub sales_count: i64,
    pub first_folio: Option<String>,
    pub last_folio: Option<String>,
    pub rates: Vec<TaxLine>,
    pub subtotal_cents: i64,
    pub iva_cents: i64,
    pub total_cents: i64,
}

/// A day being added up: `(rate, total, iva)` parts, sales, first and last folio.
type DayParts = (
    Vec<(IvaRate, i64, i64)>,
    i64,
    Option<String>,
    Option<String>,
);

/// Each business day of `from..=to` with sales or refunds. A refunded line gives back its IVA
/// in proportion to what it gives back (rounded per refund line, like sales per sale line).
pub fn days(
    conn: &Connection,
    branch_id: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<TaxDay>> {
    let (f, t) = (from.to_string(), to.to_string());
    let mut per_day: std::collections::BTreeMap<String, DayParts> = Default::default();
    let mut stmt = conn.prepare_cached(
        "SELECT s.business_day, i.iva_rate, SUM(i.total_cents), SUM(i.iva_cents)
         FROM sales s JOIN sale_items i ON i.sale_id = s.id
         WHERE s.branch_id = ?1 AND s.business_day BETWEEN ?2 AND ?3
         GROUP BY s.business_day, i.iva_rate",
    )?;
    for row in stmt.query_map(params![branch_id, f, t], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, i64>(2)?,
            r.get::<_, i64>(3)?,
        ))
    })? {
        let (day, rate, total, iva) = row?;
        per_day
            .entry(day)
            .or_default()
            .0
            .push((IvaRate::from_db(&rate), total, iva));
    }
    let mut stmt = conn.prepare_cached(
        "SELECT r.business_day, si.iva_rate, ri.total_cents
         FROM refunds r JOIN refund_items ri ON ri.refund_id = r.id
         JOIN sale_items si ON si.sale_id = ri.sale_id AND si.position = ri.sale_position
         WHERE r.branch_id = ?1 AND r.business_day BETWEEN ?2 AND ?3",
    )?;
    for row in stmt.query_map(params![branch_id, f, t], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, i64>(2)?,
        ))
    })? {
        let (day, rate, total) = row?;
        let rate = IvaRate::from_db(&rate);
        per_day
            .entry(day)
            .or_default()
            .0
            .push((rate, -total, -rate.included_in(total)));
    }
    let mut stmt = conn.prepare_cached(
        "SELECT business_day, COUNT(*), MIN(folio), MAX(folio) FROM sales
         WHERE branch_id = ?1 AND business_day BETWEEN ?2 AND ?3 GROUP BY business_day",
    )?;
    for row in stmt.query_map(params![branch_id, f, t], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, Option<String>>(2)?,
            r.get::<_, Option<String>>(3)?,
        ))
    })? {
        let (day, count, first, last) = row?;
        let e = per_day.entry(day).or_default();
        e.1 = count;
        e.2 = first;
        e.3 = last;
    }
    Ok(per_day
        .into_iter()
        .map(
            |(business_day, (lines, sales_count, first_folio, last_folio))| {
                let rates = breakdown(lines);
                TaxDay {
                    business_day,
                    sales_count,
                    first_folio,
                    last_folio,
                    subtotal_cents: rates.iter().map(|r| r.subtotal_cents).sum(),
                    iva_cents: rates.iter().map(|r| r.iva_cents).sum(),
                    total_cents: rates.iter().map(|r| r.total_cents).sum(),
                    rates,
                }
            },
        )
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iva_inside_a_price_rounds_half_up() {
        assert_eq!(IvaRate::General.included_in(11_600), 1_600);
        assert_eq!(
            IvaRate::General.included_in(15_000),
            2_069,
            "150 × 16/116 = 20.689…"
        );
        assert_eq!(IvaRate::General.included_in(1), 0);
        assert_eq!(IvaRate::General.included_in(4), 1, "0.55… rounds up");
        assert_eq!(IvaRate::Zero.included_in(15_000), 0);
        assert_eq!(IvaRate::Exempt.included_in(15_000), 0);
        assert_eq!(IvaRate::General.included_in(-5), 0);
    }

    #[test]
    fn a_breakdown_groups_by_rate_in_order() {
        let b = breakdown([
            (IvaRate::Exempt, 1_000, 0),
            (IvaRate::General, 11_600, 1_600),
            (IvaRate::General, 2_320, 320),
        ]);
        assert_eq!(b.len(), 2);
        assert_eq!(b[0].rate, IvaRate::General);
        assert_eq!(
            (b[0].subtotal_cents, b[0].iva_cents, b[0].total_cents),
            (12_000, 1_920, 13_920)
        );
        assert_eq!(b[1].rate, IvaRate::Exempt);
        assert_eq!(b[1].subtotal_cents, 1_000);
    }
}

/// The accountant's view of a period: each day, and the period by rate.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TaxReport {
    pub period: crate::reports::PeriodInfo,
    pub days: Vec<TaxDay>,
    pub totals: Vec<TaxLine>,
}

pub fn report(conn: &Connection, period: &crate::reports::Period) -> Result<TaxReport> {
    let days = days(conn, &period.branch_id, period.from, period.to)?;
    let totals = breakdown(
        days.iter()
            .flat_map(|d| d.rates.iter().map(|t| (t.rate, t.total_cents, t.iva_cents))),
    );
    Ok(TaxReport {
        period: period.info(),
        days,
        totals,
    })
}
