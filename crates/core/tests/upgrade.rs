//! A store upgrading from the previous schema keeps everything it had: its sales, their refund
//! lines (still pointing at the lines they refund) and the foreign keys between them, through the
//! migration that rebuilds the sale lines' table.

use kidyboard_core::migrate::{self, MIGRATIONS};
use rusqlite::{params, Connection};

/// A database on schema `version`, as a store that ran that program would have it.
fn at_version(path: &std::path::Path, version: i64) -> Connection {
    let mut conn = Connection::open(path).expect("db");
    conn.execute_batch(
        "PRAGMA foreign_keys = ON;
         CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL,
             checksum TEXT NOT NULL, applied_at INTEGER NOT NULL) STRICT;",
    )
    .expect("migrations table");
    for m in MIGRATIONS.iter().filter(|m| m.version <= version) {
        let tx = conn.transaction().expect("tx");
        tx.execute_batch(m.sql).expect("old migration");
        tx.execute(
            "INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (?1, ?2, ?3, 0)",
            params![m.version, m.name, migrate::checksum(m.sql)],
        )
        .expect("recorded");
        tx.commit().expect("commit");
    }
    conn
}

#[test]
fn a_store_with_refunds_upgrades_to_bookings_and_keeps_every_refund_line() {
    let tmp = tempfile::tempdir().expect("tmp");
    let path = tmp.path().join("kb.sqlite");
    let mut conn = at_version(&path, 10);
    conn.execute_batch(
        "INSERT INTO branches (id, name, timezone, created_at, updated_at)
             VALUES ('B1', 'Centro', 'America/Mexico_City', 0, 0);
         INSERT INTO users (id, username, display_name, role, password_hash, created_at, updated_at)
             VALUES ('U1', 'caja', 'Caja', 'reception', 'x', 0, 0);
         INSERT INTO products (id, name, price_cents, cost_cents, stock, low_stock_threshold, created_at, updated_at)
             VALUES ('P1', 'Agua', 2000, 800, 10, 2, 0, 0), ('P2', 'Jugo', 2500, 1000, 10, 2, 0, 0);
         INSERT INTO sales (id, number, branch_id, business_day, created_at, user_id, device_id,
                            total_cents, paid_cents, change_cents, folio)
             VALUES ('S1', 1, 'B1', '2026-12-01', 0, 'U1', 'D1', 4500, 5000, 500, 'A-000001');
         INSERT INTO sale_items (sale_id, position, kind, product_id, name, quantity, unit_price_cents, total_cents, iva_rate, iva_cents)
             VALUES ('S1', 0, 'product', 'P1', 'Agua', 1, 2000, 2000, '0', 0),
                    ('S1', 1, 'product', 'P2', 'Jugo', 1, 2500, 2500, '16', 345);
         INSERT INTO refunds (id, number, sale_id, branch_id, business_day, created_at, user_id,
                              device_id, folio, reason, total_cents, is_void)
             VALUES ('R1', 1, 'S1', 'B1', '2026-12-01', 0, 'U1', 'D1', 'A-D000001', 'derramado', 2500, 0);
         INSERT INTO refund_items (refund_id, position, sale_id, sale_position, quantity, total_cents, damaged)
             VALUES ('R1', 0, 'S1', 1, 1, 2500, 1);",
    )
    .expect("a store's day");
    let applied = migrate::apply(&mut conn).expect("the upgrade applies");
    assert!(
        applied.contains(&11),
        "the bookings migration ran: {applied:?}"
    );
    let broken: i64 = conn
        .query_row("SELECT COUNT(*) FROM pragma_foreign_key_check", [], |r| {
            r.get(0)
        })
        .expect("check");
    assert_eq!(broken, 0, "every foreign key still holds");
    let refunded: (String, i64, i64) = conn
        .query_row(
            "SELECT si.name, ri.total_cents, ri.damaged FROM refund_items ri
             JOIN sale_items si ON si.sale_id = ri.sale_id AND si.position = ri.sale_position",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .expect("the refund line");
    assert_eq!(refunded, ("Jugo".to_string(), 2500, 1));
    let lines: (i64, i64) = conn
        .query_row(
            "SELECT COUNT(*), SUM(iva_cents) FROM sale_items WHERE sale_id = 'S1'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("lines");
    assert_eq!(
        lines,
        (2, 345),
        "the sale's lines and their IVA are all there"
    );
    // The rebuilt table takes the new kind; the refund lines' table still refuses a line that
    // does not exist.
    conn.execute(
        "INSERT INTO sale_items (sale_id, position, kind, name, quantity, unit_price_cents, total_cents)
         VALUES ('S1', 2, 'booking', 'Anticipo', 1, 100, 100)",
        [],
    )
    .expect("a booking line");
    let orphan = conn.execute(
        "INSERT INTO refund_items (refund_id, position, sale_id, sale_position, quantity, total_cents)
         VALUES ('R1', 1, 'S1', 9, 1, 100)",
        [],
    );
    assert!(
        orphan.is_err(),
        "a refund of a line that does not exist is refused"
    );
    // And the store opens on it.
    drop(conn);
    kidyboard_core::Store::open(&path).expect("the upgraded store opens");
}
