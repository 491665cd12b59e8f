//! A realistic demo store for a play centre in Mexico City: play time, packages, snacks with
//! stock and barcodes, and one user per role. Loaded once, into an empty store.

use crate::branches::{self, BranchInput};
use crate::error::Result;
use crate::packages::{self, PackageInput, PackageItemInput};
use crate::products::{self, ProductInput};
use crate::roles::{Actor, Role};
use crate::services::{self, ServiceInput};
use crate::store::Store;
use crate::users::{self, UserInput};

/// The password of every demo user; printed by `serve --demo`, never used outside demo mode.
pub const DEMO_PASSWORD: &str = "demo1234";

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
    let actor = Actor::system();
    let now = crate::clock::now_ms();
    store.change(&actor, now, |tx| {
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
                    },
                )?;
                created.push(username);
            }
        }
        Ok(created)
    })
}

/// Loads the demo catalogue into a store that has none. Returns false when a catalogue exists.
pub fn load_catalogue(store: &Store) -> Result<bool> {
    let actor = Actor::system();
    let now = crate::clock::now_ms();
    store.change(&actor, now, |tx| {
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
                    active: Some(true),
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
            },
        )?;
        Ok(true)
    })
}
