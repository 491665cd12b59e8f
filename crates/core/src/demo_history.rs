//! A plausible recent past for the demo store, so a newcomer's first look at the dashboards,
//! reports and forecasts shows them working: weeks of check-ins (busier on weekends and in the
//! afternoon), children collected on time, snacks at the desk and at the kid bar, the camera's
//! visitors, restocking, and each day closed with its cash count (a recount now and then).
//!
//! Everything goes through the same functions the hub's routes use, each change at its own past
//! instant, so the records, events and reports are exactly those a real store would have. The
//! day being lived stays empty, and the catalogue's stock ends where the demo catalogue set it.

use chrono::{
    Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Timelike, Weekday,
};
use rusqlite::params;
use serde_json::json;

use crate::bookings::setup;
use crate::clock::{self, Millis};
use crate::day_close::{self, CloseOutcome, DayCloseRequest};
use crate::error::{CoreError, Result};
use crate::roles::{Actor, Role};
use crate::sales::{self, SaleRequest};
use crate::stock::{self, StockAdjustment};
use crate::store::Store;
use crate::timers;
use crate::vision::{self, VisitBatch, VisitInput};
use crate::{branches, ids};

/// What the history holds, for the start-up message and tests.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct History {
    pub days: usize,
    pub tickets: usize,
    pub children: usize,
    pub closings: usize,
    pub visitors: usize,
}

const CHILDREN: [&str; 32] = [
    "Sofía",
    "Mateo",
    "Valentina",
    "Santiago",
    "Regina",
    "Sebastián",
    "Camila",
    "Leonardo",
    "Ximena",
    "Emiliano",
    "Renata",
    "Diego",
    "Victoria",
    "Iker",
    "Natalia",
    "Daniel",
    "María José",
    "Gael",
    "Romina",
    "Thiago",
    "Ana Paula",
    "Emilio",
    "Isabella",
    "Rodrigo",
    "Fernanda",
    "Nicolás",
    "Paula",
    "Alejandro",
    "Daniela",
    "Maximiliano",
    "Andrea",
    "Luciano",
];
const SURNAMES: [&str; 12] = [
    "García",
    "Hernández",
    "López",
    "Martínez",
    "González",
    "Pérez",
    "Rodríguez",
    "Sánchez",
    "Ramírez",
    "Flores",
    "Torres",
    "Morales",
];

/// A small deterministic generator: the same store gets the same history.
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// 0..n
    fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.next() % n
        }
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        items.get(self.below(items.len() as u64) as usize)
    }
}

struct Offer {
    id: String,
    price_cents: i64,
    minutes: i64,
}

struct Snack {
    id: String,
    price_cents: i64,
}

fn user_actor(store: &Store, username: &str, role: Role) -> Result<Actor> {
    let id: String = store.read(|c| {
        Ok(c.query_row(
            "SELECT id FROM users WHERE username = ?1",
            [username],
            |r| r.get(0),
        )?)
    })?;
    Ok(Actor {
        user_id: Some(id),
        role,
    })
}

fn at(tz: chrono_tz::Tz, day: NaiveDate, minutes_into_day: i64) -> Millis {
    let naive = NaiveDateTime::new(day, NaiveTime::MIN) + Duration::minutes(minutes_into_day);
    tz.from_local_datetime(&naive)
        .earliest()
        // A time skipped by a daylight-saving change: an hour later exists.
        .or_else(|| {
            tz.from_local_datetime(&(naive + Duration::hours(1)))
                .earliest()
        })
        .map_or(0, |t| t.timestamp_millis())
}

fn minutes_of(t: NaiveTime) -> i64 {
    i64::from(t.num_seconds_from_midnight() / 60)
}

/// Fills the `days` days before the branch's today with a store's ordinary life. Meant for a
/// demo store just loaded (`serve --demo`); refuses a store that already has sales.
pub fn generate(store: &Store, days: u32) -> Result<History> {
    let branch = store.branch_id().to_string();
    let now = clock::now_ms();
    let has_sales: bool =
        store.read(|c| Ok(c.query_row("SELECT EXISTS(SELECT 1 FROM sales)", [], |r| r.get(0))?))?;
    if has_sales {
        return Err(CoreError::Conflict {
            code: "has_sales",
            message: "la historia de demostración solo se genera en una tienda sin ventas".into(),
            field: None,
        });
    }
    // The demo's returning families: (family, its children's ids).
    let families: Vec<(String, Vec<String>)> = store.read(|c| {
        let mut stmt = c.prepare(
            "SELECT f.id, group_concat(k.id) FROM families f
             JOIN family_children k ON k.family_id = f.id AND k.active = 1
             GROUP BY f.id ORDER BY f.id",
        )?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?
                        .split(',')
                        .map(str::to_string)
                        .collect(),
                ))
            })?
            .collect::<std::result::Result<Vec<_>, _>>()?;
        Ok(rows)
    })?;
    let (tz, week, offers, snacks, stock_before) = store.read(|c| {
        let tz = branches::timezone(c, &branch)?;
        let week = setup::week(c, &branch)?;
        let mut stmt = c.prepare(
            "SELECT id, price_cents, duration_minutes FROM services WHERE active = 1 AND duration_minutes <= 180 ORDER BY duration_minutes",
        )?;
        let offers = stmt
            .query_map([], |r| {
                Ok(Offer {
                    id: r.get(0)?,
                    price_cents: r.get(1)?,
                    minutes: r.get(2)?,
                })
            })?
            .collect::<std::result::Result<Vec<_>, _>>()?;
        let mut stmt = c.prepare(
            "SELECT id, price_cents FROM products WHERE active = 1 ORDER BY name",
        )?;
        let snacks = stmt
            .query_map([], |r| {
                Ok(Snack {
                    id: r.get(0)?,
                    price_cents: r.get(1)?,
                })
            })?
            .collect::<std::result::Result<Vec<_>, _>>()?;
        let mut stmt = c.prepare("SELECT id, stock FROM products")?;
        let stock = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?
            .collect::<std::result::Result<Vec<_>, _>>()?;
        Ok((tz, week, offers, snacks, stock))
    })?;
    let today = clock::local_day(now, tz);
    if offers.is_empty() {
        return Ok(History::default());
    }
    let desk = user_actor(store, "recepcion", Role::Reception)?;
    let bar = user_actor(store, "kidibar", Role::Kidibar)?;
    let admin = user_actor(store, "admin", Role::SuperAdmin)?;
    let mut dice = Dice(0x9E37_79B9_7F4A_7C15 ^ u64::from(today.num_days_from_ce().unsigned_abs()));
    let mut history = History::default();
    let mut last_close: Option<Millis> = None;

    for back in (1..=i64::from(days)).rev() {
        let day = today - Duration::days(back);
        let hours = week[day.weekday().num_days_from_monday() as usize];
        if hours.closed {
            continue;
        }
        let (opens, closes) = (minutes_of(hours.opens), minutes_of(hours.closes));
        if closes <= opens + 60 {
            continue;
        }
        history.days += 1;

        // Restock before opening what the coming day may sell.
        let restock_at = at(tz, day, opens - 30);
        store.change(&admin, restock_at, |tx| {
            let mut stmt = tx
                .conn
                .prepare("SELECT id, stock FROM products WHERE active = 1 AND stock < 20")?;
            let low = stmt
                .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?
                .collect::<std::result::Result<Vec<_>, _>>()?;
            for (id, stock) in low {
                stock::adjust(
                    tx,
                    &id,
                    &StockAdjustment {
                        delta: 40 - stock,
                        reason: "Compra a proveedor".into(),
                    },
                )?;
            }
            Ok(())
        })?;

        let busy: u64 = match day.weekday() {
            Weekday::Sat | Weekday::Sun => 24,
            Weekday::Fri => 14,
            _ => 8,
        };
        let tickets = (busy + dice.below(busy / 2 + 1)) as usize;
        // Arrivals, biased to the afternoon: the later of two draws, now and then the earlier.
        let span = (closes - 90 - opens).max(30) as u64;
        let mut arrivals: Vec<i64> = (0..tickets)
            .map(|_| {
                let (a, b) = (dice.below(span), dice.below(span));
                opens + if dice.chance(70) { a.max(b) } else { a.min(b) } as i64
            })
            .collect();
        arrivals.sort_unstable();
        // Children inside: (when collected, timer id), collected in time order.
        let mut inside: Vec<(Millis, String)> = Vec::new();
        let mut visits: Vec<VisitInput> = Vec::new();
        // Everyone is out by a few minutes after closing.
        let last_out = at(tz, day, closes + 10);
        let collect_until = |until: Millis, inside: &mut Vec<(Millis, String)>| -> Result<()> {
            inside.sort_by_key(|(t, _)| *t);
            while let Some((t, _)) = inside.first() {
                if *t > until {
                    break;
                }
                let (t, id) = inside.remove(0);
                store.change(&desk, t, |tx| timers::stop(tx, &id, None).map(|_| ()))?;
            }
            Ok(())
        };
        for minute in arrivals {
            let when = at(tz, day, minute);
            collect_until(when, &mut inside)?;
            let Some(offer) = dice.pick(&offers) else {
                continue;
            };
            let n = match dice.below(10) {
                0..=5 => 1,
                6..=8 => 2,
                _ => 3,
            };
            let surname = dice.pick(&SURNAMES).copied().unwrap_or("García");
            // Now and then one of the returning families, with its own children.
            let family = dice.chance(15).then(|| dice.pick(&families)).flatten();
            let (children, n): (Vec<_>, i64) = match family {
                Some((_, kids)) => (
                    kids.iter().map(|id| json!({ "child_id": id })).collect(),
                    kids.len() as i64,
                ),
                None => (
                    (0..n)
                        .map(|_| {
                            let name = dice.pick(&CHILDREN).copied().unwrap_or("Sofía");
                            json!({ "name": format!("{name} {surname}") })
                        })
                        .collect(),
                    n,
                ),
            };
            let mut items = vec![json!({ "service_id": offer.id, "children": children })];
            let mut total = offer.price_cents * n;
            for _ in 0..dice.below(3) {
                if let Some(snack) = dice.pick(&snacks) {
                    items.push(json!({ "product_id": snack.id, "quantity": 1 }));
                    total += snack.price_cents;
                }
            }
            let payment = match dice.below(10) {
                0..=4 => {
                    json!({ "method": "cash", "amount_cents": (total + 4_999) / 5_000 * 5_000 })
                }
                5..=8 => json!({ "method": "card", "amount_cents": total }),
                _ => json!({ "method": "transfer", "amount_cents": total }),
            };
            let who = match family {
                Some((id, _)) => json!({ "family_id": id }),
                None => json!({ "guardian": { "name": format!("Familia {surname}") } }),
            };
            let mut body = json!({ "items": items, "payments": [payment] });
            if let (Some(b), Some(w)) = (body.as_object_mut(), who.as_object()) {
                b.extend(w.clone());
            }
            let req: SaleRequest = serde_json::from_value(body)
                .map_err(|e| CoreError::Corrupt(format!("demo sale: {e}")))?;
            let outcome = store.change(&desk, when, |tx| sales::create(tx, &req, None))?;
            history.tickets += 1;
            for t in &outcome.timers {
                history.children += 1;
                // Most are collected a few minutes early; the rest right at the end.
                let early = if dice.chance(70) {
                    dice.below(12) as i64
                } else {
                    0
                };
                let ends = t.ends_at.unwrap_or(when + offer.minutes * 60_000);
                inside.push((ends - early * 60_000, t.id.clone()));
                // Each child comes with an adult or two, who stop at the totem on the way in:
                // what its camera counts (seconds to a few minutes in front of it).
                for _ in 0..1 + dice.below(2) {
                    let start = when - (30 + dice.below(240) as i64) * 1_000;
                    // Mostly short looks, a few long reads of the menu.
                    let longest = dice.below(235) + 1;
                    let dwell = (5 + dice.below(longest) as i64) * 1_000;
                    visits.push(VisitInput {
                        id: ids::new_id(),
                        started_at: clock::to_rfc3339(start),
                        ended_at: clock::to_rfc3339((start + dwell).min(last_out)),
                    });
                }
            }
        }
        // People who stop at the totem and do not come in.
        for _ in 0..tickets {
            let start = at(tz, day, opens + dice.below((closes - opens) as u64) as i64);
            let dwell = (3 + dice.below(60) as i64) * 1_000;
            visits.push(VisitInput {
                id: ids::new_id(),
                started_at: clock::to_rfc3339(start),
                ended_at: clock::to_rfc3339((start + dwell).min(last_out)),
            });
        }
        // Snacks at the kid bar through the day.
        for _ in 0..tickets / 2 {
            let Some(snack) = dice.pick(&snacks) else {
                break;
            };
            let when = at(tz, day, opens + dice.below((closes - opens) as u64) as i64);
            let req: SaleRequest = serde_json::from_value(json!({
                "items": [{ "product_id": snack.id, "quantity": 1 + dice.below(2) }],
                "payments": [{ "method": "cash", "amount_cents": 50_000 }],
            }))
            .map_err(|e| CoreError::Corrupt(format!("demo sale: {e}")))?;
            store.change(&bar, when, |tx| sales::create(tx, &req, None))?;
            history.tickets += 1;
        }
        collect_until(Millis::MAX, &mut inside)?;

        let day_end = at(tz, day, closes + 20);
        history.visitors += visits.len();
        for chunk in visits.chunks(vision::MAX_BATCH) {
            let batch = VisitBatch {
                device_id: "totem".into(),
                visits: chunk.to_vec(),
            };
            store.change(&admin, day_end, |tx| vision::record(tx, &batch).map(|_| ()))?;
        }

        // The cash count: usually right, sometimes a few pesos off, now and then off by enough
        // to be counted again.
        let expected_cash =
            store.read(|c| Ok(day_close::expected(c, &branch, day)?.0.cash_cents))?;
        let off = match (back, dice.below(20)) {
            (10, _) => -12_000,
            (_, 1..=3) => -(dice.below(40) as i64 + 1) * 100,
            (_, 4) => 2_000,
            _ => 0,
        };
        let mut count = DayCloseRequest {
            counted_cash_cents: (expected_cash + off).max(0),
            business_day: Some(day.to_string()),
            note: (off != 0).then(|| "Diferencia revisada con el encargado".to_string()),
            ..DayCloseRequest::default()
        };
        let close_at = at(tz, day, closes + 30);
        let outcome = store.change(&desk, close_at, |tx| day_close::close(tx, &count))?;
        if matches!(outcome, CloseOutcome::RecountRequired { .. }) {
            // Counted again: a $100 bill was under the drawer's tray.
            count.counted_cash_cents += 10_000;
            store.change(&desk, close_at + 300_000, |tx| day_close::close(tx, &count))?;
        }
        history.closings += 1;
        last_close = Some(close_at + 600_000);
    }

    // The stock the demo catalogue set is what the last night's physical count found.
    let Some(count_at) = last_close else {
        return Ok(history);
    };
    // The totem's camera counted until last night, when the store closed.
    store.write(|c| {
        vision::put_status(
            c,
            &branch,
            &vision::VisionStatusInput {
                device_id: "totem".into(),
                state: vision::VisionState::Stopped,
                message: "Demostración: la cámara contó hasta el cierre de ayer".into(),
                source: "camera".into(),
                in_view: 0,
                fps: 0.0,
                last_frame_at: Some(clock::to_rfc3339(count_at)),
            },
            count_at,
        )
        .map(|_| ())
    })?;
    store.change(&admin, count_at, |tx| {
        for (id, wanted) in &stock_before {
            let now: i64 = tx.conn.query_row(
                "SELECT stock FROM products WHERE id = ?1",
                params![id],
                |r| r.get(0),
            )?;
            if now != *wanted {
                stock::adjust(
                    tx,
                    id,
                    &StockAdjustment {
                        delta: wanted - now,
                        reason: "Conteo físico".into(),
                    },
                )?;
            }
        }
        Ok(())
    })?;
    Ok(history)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo;

    #[test]
    fn a_demo_store_gets_weeks_of_closed_days_and_keeps_today_and_its_stock() {
        let tmp = tempfile::tempdir().expect("tmp");
        let store = Store::open(&tmp.path().join("kb.sqlite")).expect("store");
        demo::start(&store).expect("demo");
        let stock = |store: &Store| -> Vec<(String, i64)> {
            store
                .read(|c| {
                    let mut s = c.prepare("SELECT name, stock FROM products ORDER BY name")?;
                    let rows = s
                        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                        .collect::<std::result::Result<Vec<_>, _>>()?;
                    Ok(rows)
                })
                .expect("stock")
        };
        let before = stock(&store);
        let h = generate(&store, 28).expect("history");
        assert!(h.days >= 24, "{h:?}");
        assert_eq!(h.closings, h.days, "every open day is closed");
        assert!(h.tickets > h.days * 8, "{h:?}");
        assert!(h.visitors > h.children, "{h:?}");
        assert_eq!(
            stock(&store),
            before,
            "the catalogue's stock is where the demo set it"
        );

        let branch = store.branch_id().to_string();
        let (tz, inside, today_sales, running, weekend, weekday) = store
            .read(|c| {
                let tz = branches::timezone(c, &branch)?;
                let today = clock::local_day(clock::now_ms(), tz);
                let inside = timers::inside_count(c)?;
                let today_sales: i64 = c.query_row(
                    "SELECT COUNT(*) FROM sales WHERE business_day = ?1",
                    [today.to_string()],
                    |r| r.get(0),
                )?;
                let running: i64 = c.query_row(
                    "SELECT COUNT(*) FROM timers WHERE state <> 'finished'",
                    [],
                    |r| r.get(0),
                )?;
                let by_weekday = |sql_days: &str| -> rusqlite::Result<f64> {
                    c.query_row(
                        &format!(
                            "SELECT CAST(COUNT(*) AS REAL) / COUNT(DISTINCT business_day) FROM sales
                             WHERE strftime('%w', business_day) IN ({sql_days})"
                        ),
                        [],
                        |r| r.get(0),
                    )
                };
                Ok((
                    tz,
                    inside,
                    today_sales,
                    running,
                    by_weekday("'0','6'")?,
                    by_weekday("'1','2','3','4'")?,
                ))
            })
            .expect("read");
        assert_eq!(
            (inside, today_sales, running),
            (0, 0, 0),
            "today is still empty"
        );
        assert!(
            weekend > weekday * 1.8,
            "weekends are busier: {weekend} vs {weekday}"
        );
        let _ = tz;

        // Closings: every one matches its sales, a few counted again.
        let recounts: i64 = store
            .read(|c| {
                Ok(c.query_row(
                    "SELECT COUNT(*) FROM day_closings WHERE first_count_cash_cents IS NOT NULL",
                    [],
                    |r| r.get(0),
                )?)
            })
            .expect("recounts");
        assert!(recounts >= 1, "a recount now and then");
        // Returning families check in too, and people spend seconds to minutes at the totem.
        let (family_sales, longest_look): (i64, i64) = store
            .read(|c| {
                Ok((
                    c.query_row(
                        "SELECT COUNT(*) FROM sales WHERE family_id IS NOT NULL",
                        [],
                        |r| r.get(0),
                    )?,
                    c.query_row("SELECT MAX(dwell_ms) FROM vision_visits", [], |r| r.get(0))?,
                ))
            })
            .expect("families and looks");
        assert!(family_sales > 0);
        assert!(longest_look <= 240_000, "{longest_look} ms");
        // A second run does nothing to a store with sales.
        assert!(generate(&store, 28).is_err());
    }
}
