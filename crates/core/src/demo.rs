//! A realistic demo store for a play centre in Mexico City: play time, packages, snacks with
//! stock and barcodes, and one user per role. Loaded once, into an empty store, which is then
//! marked as a demo store: `serve --demo` keeps starting it, and refuses any other store.

use crate::branches::{self, BranchInput};
use crate::error::{CoreError, Result};
use crate::families::{self, ChildInput, ConsentInput, FamilyInput, Guardian};
use crate::packages::{self, PackageInput, PackageItemInput};
use crate::products::{self, ProductInput};
use crate::roles::{Actor, Role};
use crate::services::{self, ServiceInput};
use crate::store::{self, Store};
use crate::tx::Tx;
use crate::users::{self, UserInput};

/// The password of every demo user; printed by `serve --demo`, never used outside demo mode.
pub const DEMO_PASSWORD: &str = "demo1234";
/// The demo staff who take money (and the owner, who authorises refunds) share this PIN.
pub const DEMO_PIN: &str = "2468";

/// (username, display name, role)
pub const DEMO_USERS: [(&str, &str, Role); 6] = [
    ("admin", "Dueña (administración)", Role::SuperAdmin),
    ("gerente", "Gerente (solo lectura)", Role::AdminViewer),
    ("recepcion", "Recepción", Role::Reception),
    ("kidibar", "Kidibar", Role::Kidibar),
    ("monitor", "Monitor de sala", Role::Monitor),
    ("totem", "Tótem de entrada", Role::Totem),
];

/// (name, minutes, price in centavos)
const SERVICES: [(&str, i64, i64); 4] = [
    ("30 minutos de juego", 30, 9_000),
    ("1 hora de juego", 60, 15_000),
    ("2 horas de juego", 120, 25_000),
    ("Día completo", 480, 45_000),
];

/// Returning families: (guardian, phone, [(child, birth date, notes)]).
#[allow(clippy::type_complexity)]
const DEMO_FAMILIES: [(&str, &str, &[(&str, &str, &str)]); 3] = [
    (
        "Ana López",
        "55 1234 5678",
        &[
            ("Sofía López", "2018-12-14", "Alergia al cacahuate"),
            ("Mateo López", "2021-03-02", ""),
        ],
    ),
    (
        "Carlos Pérez",
        "33 8765 4321",
        &[("Valentina Pérez", "2019-07-21", "")],
    ),
    (
        "María Hernández",
        "664 123 4567",
        &[("Diego Hernández", "2017-12-30", "Asma: trae su inhalador")],
    ),
];

const DEMO_CONSENT: &str = "Como madre, padre o tutor, acepto que el menor a mi cargo use las áreas de juego de Kidyboard bajo las reglas del lugar (calcetas antiderrapantes, sin alimentos en el área de juego). Me comprometo a recogerlo a la hora de salida con el código de recogida y autorizo únicamente a los adultos registrados en esta ficha.";
const DEMO_PRIVACY_NOTICE: &str = "Diversiones Kidyboard S.A. de C.V. usa los nombres, teléfonos y notas de salud que nos da solo para cuidar a los menores, avisarle cuando termine su tiempo y entregarlos a un adulto autorizado. Se borran tras 24 meses sin visita. Puede pedir acceso, rectificación, cancelación u oposición (ARCO) en recepción.";

/// (name, category, price, cost, stock, low-stock threshold, barcode)
const PRODUCTS: [(&str, &str, i64, i64, i64, i64, &str); 12] = [
    (
        "Agua natural 600 ml",
        "Bebidas",
        2_000,
        800,
        48,
        12,
        "7501055300075",
    ),
    (
        "Jugo de manzana 250 ml",
        "Bebidas",
        2_200,
        1_000,
        36,
        10,
        "7501013122046",
    ),
    (
        "Refresco de cola 355 ml",
        "Bebidas",
        2_500,
        1_100,
        30,
        10,
        "7501055310883",
    ),
    (
        "Leche con chocolate 250 ml",
        "Bebidas",
        2_400,
        1_200,
        24,
        8,
        "7501020515343",
    ),
    (
        "Papas fritas",
        "Botanas",
        2_500,
        1_100,
        40,
        10,
        "7501011115460",
    ),
    ("Palomitas", "Botanas", 3_000, 800, 50, 10, "2000000000015"),
    (
        "Galletas de avena",
        "Botanas",
        1_800,
        700,
        30,
        8,
        "7501000112548",
    ),
    ("Hot dog", "Comida", 4_500, 1_800, 25, 5, "2000000000022"),
    (
        "Nuggets de pollo (6 pzas)",
        "Comida",
        6_500,
        2_600,
        20,
        5,
        "2000000000039",
    ),
    (
        "Rebanada de pizza",
        "Comida",
        4_000,
        1_500,
        24,
        6,
        "2000000000046",
    ),
    (
        "Paleta de hielo",
        "Postres",
        1_500,
        500,
        30,
        8,
        "2000000000053",
    ),
    (
        "Calcetines antiderrapantes",
        "Accesorios",
        4_500,
        1_500,
        4,
        6,
        "2000000000060",
    ),
];

/// Creates the demo users that are missing; returns their usernames.
pub fn ensure_users(store: &Store) -> Result<Vec<&'static str>> {
    store.change(&Actor::system(), crate::clock::now_ms(), users_in)
}

fn users_in(tx: &Tx<'_>) -> Result<Vec<&'static str>> {
    let mut created = Vec::new();
    for (username, display, role) in DEMO_USERS {
        let exists: bool = tx.conn.query_row(
            "SELECT EXISTS(SELECT 1 FROM users WHERE username = ?1)",
            [username],
            |r| r.get(0),
        )?;
        if !exists {
            users::create(
                tx,
                &UserInput {
                    username: Some(username.into()),
                    password: Some(DEMO_PASSWORD.into()),
                    role: Some(role.as_str().into()),
                    display_name: Some(display.into()),
                    active: Some(true),
                    pin: role
                        .can(crate::roles::Permission::RefundSales)
                        .then(|| DEMO_PIN.into()),
                },
            )?;
            created.push(username);
        }
    }
    Ok(created)
}

/// Loads the demo catalogue into a store that has none. Returns false when a catalogue exists.
pub fn load_catalogue(store: &Store) -> Result<bool> {
    store.change(&Actor::system(), crate::clock::now_ms(), catalogue_in)
}

fn catalogue_in(tx: &Tx<'_>) -> Result<bool> {
    {
        let has: bool = tx.conn.query_row(
            "SELECT EXISTS(SELECT 1 FROM products) OR EXISTS(SELECT 1 FROM services)",
            [],
            |r| r.get(0),
        )?;
        if has {
            return Ok(false);
        }
        branches::update(
            tx,
            tx.branch_id(),
            &BranchInput {
                name: Some("Kidyboard Coyoacán".into()),
                timezone: Some("America/Mexico_City".into()),
                address: Some("Av. Miguel Ángel de Quevedo 123, Coyoacán, CDMX".into()),
                allow_negative_stock: Some(false),
                capacity: Some(40),
                folio_prefix: Some("A".into()),
                refund_free_below_cents: Some(0),
                recount_threshold_cents: Some(5_000),
                discount_limit_reception_percent: Some(10),
                discount_limit_kidibar_percent: Some(0),
                legal_name: Some("Diversiones Kidyboard S.A. de C.V.".into()),
                rfc: Some("DKI201231AB1".into()),
                phone: Some("55 5555 0123".into()),
                receipt_footer: Some(
                    "¡Gracias por jugar con nosotros! Factura en kidyboard.mx/factura".into(),
                ),
                retention_months: Some(24),
                monitor_full_names: Some(false),
                warning_minutes: Some(5),
                whatsapp: Some("55 5555 0123".into()),
                totem_message: Some("¡Reserva tu fiesta por WhatsApp!".into()),
                promo_title: Some("Martes 2×1".into()),
                promo_text: Some(
                    "Todos los martes, dos niños juegan por el precio de uno en cualquier tiempo de juego."
                        .into(),
                ),
                totem_show_hours: Some(true),
                ..BranchInput::default()
            },
        )?;
        let mut service_ids = Vec::new();
        for (name, minutes, price) in SERVICES {
            let s = services::create(
                tx,
                &ServiceInput {
                    name: Some(name.into()),
                    description: Some("Acceso al área de juegos con supervisión".into()),
                    duration_minutes: Some(minutes),
                    price_cents: Some(price),
                    capacity: Some(40),
                    // Extra time: $50 a quarter of an hour, the first 5 minutes forgiven.
                    extra_block_minutes: Some(15),
                    extra_block_price_cents: Some(5_000),
                    grace_minutes: Some(5),
                    active: Some(true),
                    iva_rate: None,
                },
            )?;
            service_ids.push(s.id);
        }
        let mut product_ids = Vec::new();
        for (name, category, price, cost, stock, threshold, barcode) in PRODUCTS {
            let p = products::create(
                tx,
                &ProductInput {
                    name: Some(name.into()),
                    category: Some(category.into()),
                    price_cents: Some(price),
                    cost_cents: Some(cost),
                    stock: Some(stock),
                    low_stock_threshold: Some(threshold),
                    barcode: Some(barcode.into()),
                    ..Default::default()
                },
            )?;
            product_ids.push(p.id);
        }
        let item =
            |product: Option<&String>, service: Option<&String>, quantity| PackageItemInput {
                product_id: product.cloned(),
                service_id: service.cloned(),
                quantity,
            };
        packages::create(
            tx,
            &PackageInput {
                name: Some("Paquete cumpleaños".into()),
                description: Some("2 horas de juego, hot dog y jugo".into()),
                price_cents: Some(32_000),
                active: Some(true),
                items: Some(vec![
                    item(None, service_ids.get(2), 1),
                    item(product_ids.get(7), None, 1),
                    item(product_ids.get(1), None, 1),
                ]),
                iva_rate: None,
            },
        )?;
        packages::create(
            tx,
            &PackageInput {
                name: Some("Combo merienda".into()),
                description: Some("1 hora de juego, palomitas y agua".into()),
                price_cents: Some(18_500),
                active: Some(true),
                items: Some(vec![
                    item(None, service_ids.get(1), 1),
                    item(product_ids.get(5), None, 1),
                    item(product_ids.first(), None, 1),
                ]),
                iva_rate: None,
            },
        )?;
        packages::create(
            tx,
            &PackageInput {
                name: Some("Fiesta 10 niños".into()),
                description: Some("10 × 2 horas de juego, hot dog y jugo para cada niño".into()),
                price_cents: Some(250_000),
                active: Some(true),
                items: Some(vec![
                    item(None, service_ids.get(2), 10),
                    item(product_ids.get(7), None, 10),
                    item(product_ids.get(1), None, 10),
                ]),
                iva_rate: None,
            },
        )?;
        families::publish_consent(
            tx,
            &ConsentInput {
                consent_text: DEMO_CONSENT.into(),
                privacy_notice: DEMO_PRIVACY_NOTICE.into(),
            },
        )?;
        let mut family_ids = Vec::new();
        for (guardian, phone, children) in DEMO_FAMILIES {
            let f = families::create(
                tx,
                &FamilyInput {
                    guardians: Some(vec![Guardian {
                        name: guardian.into(),
                        phone: phone.into(),
                        email: String::new(),
                    }]),
                    children: Some(
                        children
                            .iter()
                            .map(|(name, born, notes)| ChildInput {
                                id: None,
                                name: (*name).into(),
                                birth_date: Some((*born).into()),
                                notes: Some((*notes).into()),
                            })
                            .collect(),
                    ),
                    pickup_adults: Some(Vec::new()),
                    notes: None,
                },
            )?;
            family_ids.push(f.id);
        }
        demo_parties(tx, &product_ids, &family_ids)?;
        Ok(true)
    }
}

/// Party rooms, a shared zone, two party packages and two parties booked for the coming days.
fn demo_parties(tx: &Tx<'_>, product_ids: &[String], family_ids: &[String]) -> Result<()> {
    use crate::bookings::setup::{
        self, AreaInput, AreaKind, IncludedProductInput, PartyPackageInput,
    };
    let mut areas = Vec::new();
    for (name, kind, capacity, color) in [
        ("Salón Arcoíris", AreaKind::Room, 25, "#7c3aed"),
        ("Salón Dinosaurios", AreaKind::Room, 20, "#059669"),
        ("Zona de juegos", AreaKind::Zone, 60, "#ea580c"),
    ] {
        areas.push(
            setup::create_area(
                tx,
                &AreaInput {
                    name: Some(name.into()),
                    kind: Some(kind),
                    capacity: Some(capacity),
                    color: Some(color.into()),
                    ..Default::default()
                },
            )?
            .id,
        );
    }
    let included = |i: usize, quantity| {
        product_ids.get(i).map(|id| IncludedProductInput {
            product_id: id.clone(),
            quantity,
        })
    };
    let classic = setup::create_party_package(
        tx,
        &PartyPackageInput {
            name: Some("Fiesta Arcoíris".into()),
            area_id: areas.first().cloned(),
            duration_minutes: Some(180),
            children_included: Some(10),
            price_cents: Some(350_000),
            extra_child_price_cents: Some(25_000),
            deposit_percent: Some(30),
            buffer_minutes: Some(30),
            products: Some(
                [included(7, 10), included(1, 10)]
                    .into_iter()
                    .flatten()
                    .collect(),
            ),
            ..Default::default()
        },
    )?;
    setup::create_party_package(
        tx,
        &PartyPackageInput {
            name: Some("Fiesta Jurásica".into()),
            area_id: areas.get(1).cloned(),
            duration_minutes: Some(150),
            children_included: Some(15),
            price_cents: Some(420_000),
            extra_child_price_cents: Some(22_000),
            deposit_percent: Some(50),
            buffer_minutes: Some(45),
            ..Default::default()
        },
    )?;
    // Two parties in the coming days, at 16:00 local.
    let tz = branches::timezone(tx.conn, tx.branch_id())?;
    let today = crate::clock::local_day(tx.now(), tz);
    for (days, family, child, age, children) in [
        (1, 0, "Sofía López", 6, 12),
        (3, 2, "Valentina Hernández", 5, 15),
    ] {
        let (Some(family_id), Some(day)) = (
            family_ids.get(family),
            today.checked_add_days(chrono::Days::new(days)),
        ) else {
            continue;
        };
        let cal = setup::calendar(tx.conn, tx.branch_id())?;
        let starts = cal.at(
            day,
            chrono::NaiveTime::from_hms_opt(16, 0, 0).unwrap_or_default(),
        );
        crate::bookings::create(
            tx,
            &crate::bookings::BookingInput {
                family_id: Some(family_id.clone()),
                birthday_child: child.into(),
                birthday_age: Some(age),
                package_id: Some(classic.id.clone()),
                starts_at: crate::clock::to_rfc3339(starts),
                expected_children: children,
                notes: Some("Tema: unicornios. Pastel sin nuez.".into()),
                ..Default::default()
            },
        )?;
    }
    Ok(())
}

/// The `meta` key that marks a store created by `serve --demo` (its value: when, in ms).
pub const DEMO_MARKER: &str = "demo_store";

/// What `start` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoStart {
    /// True when this run loaded the demo catalogue (into an empty store, or a demo store whose
    /// catalogue was deleted).
    pub catalogue_loaded: bool,
    /// Demo users that were missing and have been (re)created.
    pub users_added: Vec<&'static str>,
}

/// `serve --demo`: loads the demo into an empty store (no users, sales or catalogue) and marks
/// it; on a store so marked, recreates missing demo users and goes on. Any other store is a
/// real one, and is refused: adding `admin` with a published password to it would hand the
/// store to anyone who has read the README.
pub fn start(store: &Store) -> Result<DemoStart> {
    store.change(&Actor::system(), crate::clock::now_ms(), |tx| {
        let marked = store::get_meta(tx.conn, DEMO_MARKER)?.is_some();
        let count = |sql: &str| -> Result<i64> { Ok(tx.conn.query_row(sql, [], |r| r.get(0))?) };
        let users = count("SELECT COUNT(*) FROM users")?;
        let sales = count("SELECT COUNT(*) FROM sales")?;
        let catalogue = count(
            "SELECT (SELECT COUNT(*) FROM products) + (SELECT COUNT(*) FROM services)
                  + (SELECT COUNT(*) FROM packages)",
        )?;
        let empty = users == 0 && sales == 0 && catalogue == 0;
        if !(marked || empty || only_demo_users(tx)?) {
            return Err(CoreError::Conflict {
                code: "not_a_demo_store",
                message: format!(
                    "este directorio de datos ya tiene una tienda real ({users} usuarios, {sales} \
                     ventas, {catalogue} artículos de catálogo) y --demo solo carga la \
                     demostración en un directorio vacío. Arranca sin --demo, o usa \
                     --data-dir con un directorio nuevo para la demostración"
                ),
                field: None,
            });
        }
        let catalogue_loaded = catalogue_in(tx)?;
        let users_added = users_in(tx)?;
        if !marked {
            store::set_meta(tx.conn, DEMO_MARKER, &tx.now().to_string())?;
        }
        Ok(DemoStart {
            catalogue_loaded,
            users_added,
        })
    })
}

/// Data dirs made by `serve --demo` before the marker existed: every user is a demo user and
/// still has the demo password, so nothing in it is protected by a secret of its own.
fn only_demo_users(tx: &Tx<'_>) -> Result<bool> {
    let mut stmt = tx
        .conn
        .prepare("SELECT username, password_hash FROM users")?;
    let rows = stmt
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?
        .collect::<std::result::Result<Vec<_>, _>>()?;
    Ok(!rows.is_empty()
        && rows.iter().all(|(username, hash)| {
            DEMO_USERS.iter().any(|(u, _, _)| u == username)
                && users::verify_password(DEMO_PASSWORD, hash)
        }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::users;

    fn store() -> (tempfile::TempDir, Store) {
        let tmp = tempfile::tempdir().expect("tmp");
        let store = Store::open(&tmp.path().join("kb.sqlite")).expect("store");
        (tmp, store)
    }

    #[test]
    fn an_empty_store_becomes_a_demo_store_and_keeps_starting() {
        let (_tmp, store) = store();
        let first = start(&store).expect("an empty store takes the demo");
        assert!(first.catalogue_loaded);
        assert_eq!(first.users_added.len(), DEMO_USERS.len());
        let again = start(&store).expect("a demo store starts again with --demo");
        assert!(
            !again.catalogue_loaded && again.users_added.is_empty(),
            "{again:?}"
        );
    }

    #[test]
    fn a_real_store_is_refused_and_left_untouched() {
        let (_tmp, store) = store();
        store
            .change(&Actor::system(), crate::clock::now_ms(), |tx| {
                users::create(
                    tx,
                    &UserInput {
                        username: Some("duena".into()),
                        password: Some("Tortuga-Azul-42".into()),
                        role: Some("super_admin".into()),
                        ..Default::default()
                    },
                )
            })
            .expect("a real owner");
        let err = start(&store).expect_err("a real store is refused");
        assert!(err.to_string().contains("--demo"), "{err}");
        let names: Vec<String> = store
            .read(users::list)
            .expect("users")
            .into_iter()
            .map(|u| u.username)
            .collect();
        assert_eq!(names, vec!["duena".to_string()], "no demo user was added");
        assert!(store
            .read(|c| store::get_meta(c, DEMO_MARKER))
            .expect("meta")
            .is_none());
    }

    #[test]
    fn an_unmarked_store_of_demo_users_is_recognised() {
        let (_tmp, store) = store();
        ensure_users(&store).expect("demo users, as older versions made them");
        assert!(start(&store).is_ok(), "older demo data dirs keep starting");
        assert!(store
            .read(|c| store::get_meta(c, DEMO_MARKER))
            .expect("meta")
            .is_some());
    }
}
