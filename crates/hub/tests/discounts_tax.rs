//! Discounts and IVA on the real hub: each role's discount limit (above it, a super_admin's PIN),
//! a reason always; each line keeps its IVA; the receipt prints the business, the clerk and "IVA
//! incluido"; the accountant's export lists each day by rate, refunds netted, and opens in
//! openpyxl; the dashboard shows gross, discounts, refunds and net.

mod common;

use std::process::Command;

use common::{python, TestHub};
use kidyboard_core::demo::DEMO_PIN;
use serde_json::{json, Value};

#[tokio::test]
async fn discounts_have_limits_and_reasons_and_every_line_keeps_its_iva() {
    let hub = TestHub::start().await;
    let rec = hub.login("recepcion").await;
    let admin = hub.login("admin").await;
    let hour = rec.id_of("services", "1 hora de juego").await;
    let water = rec.id_of("products", "Agua natural 600 ml").await;
    let water_price = rec.product(&water).await["price_cents"]
        .as_i64()
        .expect("price");
    // Water is taxed at 0 % in this branch.
    let r = admin
        .patch(&format!("/products/{water}"), json!({"iva_rate": "0"}))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["iva_rate"], "0");
    let bad = admin
        .patch(&format!("/products/{water}"), json!({"iva_rate": "8"}))
        .await;
    assert_eq!(bad.status, 422, "{}", bad.body);

    let sale = |discount: Value, reason: Option<&str>, auth: Option<Value>| {
        let mut body = json!({
            "items": [{"service_id": hour, "child": {"name": "Leo"}},
                      {"product_id": water, "quantity": 2}],
            "payments": [{"method": "cash", "amount_cents": 50_000}],
            "discount": discount,
        });
        if let Some(r) = reason {
            body["discount_reason"] = json!(r);
        }
        if let Some(a) = auth {
            body["authorization"] = a;
        }
        body
    };
    let gross = 15_000 + 2 * water_price;

    // No reason, a bad discount, over the 10 % limit: refused, naming the field; nothing written.
    let before = admin.get("/sales").await.body["items"]
        .as_array()
        .map(Vec::len);
    let r = rec
        .post("/sales", sale(json!({"percent": 10}), None, None))
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert_eq!(r.body["error"]["field"], "discount_reason");
    let r = rec
        .post(
            "/sales",
            sale(json!({"amount_cents": gross + 1}), Some("x"), None),
        )
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.body["error"]["field"], "discount.amount_cents");
    let r = rec
        .post("/sales", sale(json!({"percent": 25}), Some("amiga"), None))
        .await;
    assert_eq!(r.status, 403, "{}", r.body);
    assert_eq!(r.body["error"]["code"], "authorization_required");
    assert_eq!(r.body["error"]["field"], "authorization");
    let clerk_pin = json!({"username": "recepcion", "pin": DEMO_PIN});
    let r = rec
        .post(
            "/sales",
            sale(json!({"percent": 25}), Some("amiga"), Some(clerk_pin)),
        )
        .await;
    assert_eq!(r.status, 403, "a clerk cannot authorise: {}", r.body);
    assert_eq!(
        admin.get("/sales").await.body["items"]
            .as_array()
            .map(Vec::len),
        before,
        "nothing was written"
    );

    // Within the limit: fine with a reason.
    let ok = rec
        .post(
            "/sales",
            sale(json!({"percent": 10}), Some("cliente frecuente"), None),
        )
        .await;
    assert_eq!(ok.status, 201, "{}", ok.body);
    assert_eq!(ok.body["gross_cents"], gross);
    let discount = (gross + 5) / 10;
    assert_eq!(ok.body["discount_cents"], discount);
    assert_eq!(ok.body["total_cents"], gross - discount);
    assert_eq!(ok.body["discount_reason"], "cliente frecuente");
    assert!(ok.body["discount_authorized_by"].is_null());
    let items = ok.body["items"].as_array().expect("items");
    let play = &items[0];
    assert_eq!(play["iva_rate"], "16");
    let play_total = play["total_cents"].as_i64().expect("total");
    assert_eq!(
        play["iva_cents"],
        (play_total * 16 * 2 + 116) / 232,
        "16 % inside, half up"
    );
    assert_eq!(items[1]["iva_rate"], "0");
    assert_eq!(items[1]["iva_cents"], 0);
    let taxes = ok.body["taxes"].as_array().expect("taxes");
    assert_eq!(taxes.len(), 2);
    assert_eq!(taxes[0]["rate"], "16");
    assert_eq!(taxes[1]["rate"], "0");

    // Over the limit with the owner's PIN: recorded.
    let boss = rec
        .post(
            "/sales",
            sale(
                json!({"percent": 25}),
                Some("cumpleaños de la dueña"),
                Some(json!({"username": "admin", "pin": DEMO_PIN})),
            ),
        )
        .await;
    assert_eq!(boss.status, 201, "{}", boss.body);
    let admin_id = admin.get("/auth/me").await.body["id"].clone();
    assert_eq!(boss.body["discount_authorized_by"], admin_id);

    // The receipt: the business, the clerk, the discount, "Total", IVA included.
    let receipt = rec
        .text(&format!(
            "/sales/{}/receipt",
            ok.body["id"].as_str().expect("id")
        ))
        .await;
    for expected in [
        "Diversiones Kidyboard S.A. de C.V.",
        "RFC DKI201231AB1",
        "Le atendió: Recepción",
        "Descuentos",
        "(cliente frecuente)",
        "Total",
        "IVA incluido en los precios",
        "IVA 16 %",
        "Base 0 %",
        "kidyboard.mx/factura",
    ] {
        assert!(receipt.contains(expected), "«{expected}» in:\n{receipt}");
    }

    // A refund of the water, then the accountant's day: sales less refunds, by rate.
    let refund = admin
        .post(
            &format!("/sales/{}/refunds", ok.body["id"].as_str().expect("id")),
            json!({"items": [{"item_id": items[1]["id"], "quantity": 2}], "reason": "cerrada"}),
        )
        .await;
    assert_eq!(refund.status, 201, "{}", refund.body);
    let water_back = refund.body["total_cents"].as_i64().expect("total");
    let day = ok.body["business_day"].as_str().expect("day").to_string();
    let taxes = admin
        .get(&format!("/reports/taxes?from={day}&to={day}"))
        .await;
    assert_eq!(taxes.status, 200, "{}", taxes.body);
    let d = &taxes.body["days"][0];
    let boss_total = boss.body["total_cents"].as_i64().expect("total");
    let sold_total = ok.body["total_cents"].as_i64().expect("total") + boss_total;
    assert_eq!(d["total_cents"], sold_total - water_back);
    assert_eq!(d["sales_count"], 2);
    let general = d["rates"]
        .as_array()
        .expect("rates")
        .iter()
        .find(|r| r["rate"] == "16")
        .expect("16 %")
        .clone();
    assert_eq!(
        general["subtotal_cents"].as_i64().unwrap_or(0)
            + general["iva_cents"].as_i64().unwrap_or(0),
        general["total_cents"].as_i64().unwrap_or(-1)
    );

    // The dashboard: gross, discounts, refunds and net agree with the sales.
    let dash = admin
        .get(&format!("/reports/dashboard?from={day}&to={day}"))
        .await;
    let f = &dash.body["current"];
    assert_eq!(f["gross_cents"], 2 * gross, "{}", dash.body);
    assert_eq!(
        f["discounts_cents"],
        ok.body["discount_cents"].as_i64().unwrap_or(0)
            + boss.body["discount_cents"].as_i64().unwrap_or(0)
    );
    assert_eq!(f["refunds_cents"], water_back);
    assert_eq!(f["revenue_cents"], sold_total - water_back);
    // The day's closing agrees with the dashboard.
    let status = admin.get("/day-closings/current").await;
    let expected_cash = status.body["expected"]["cash_cents"]
        .as_i64()
        .expect("an admin sees the expected cash");
    assert_eq!(
        expected_cash,
        f["by_method"]["cash_cents"].as_i64().unwrap_or(-1)
    );
    let closed = admin
        .post(
            "/day-closings",
            json!({"counted_cash_cents": expected_cash, "business_day": day}),
        )
        .await;
    assert_eq!(closed.status, 201, "{}", closed.body);
    assert_eq!(closed.body["total_cents"], f["revenue_cents"]);
    assert_eq!(closed.body["difference_cents"], 0);

    // The same day as XLSX, opened by openpyxl, and as CSV.
    let res = reqwest::Client::new()
        .get(hub.url(&format!(
            "/api/v1/reports/export?report=taxes&format=xlsx&from={day}&to={day}"
        )))
        .bearer_auth(&admin.token)
        .send()
        .await
        .expect("export");
    assert_eq!(res.status(), 200);
    let xlsx = res.bytes().await.expect("bytes");
    let tmp = tempfile::tempdir().expect("tmp");
    let path = tmp.path().join("iva.xlsx");
    std::fs::write(&path, &xlsx).expect("write");
    let script = r#"
import json, sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
s = wb[wb.sheetnames[0]]
print(json.dumps({"header": [c.value for c in s[1]], "row": [c.value if not hasattr(c.value, "isoformat") else c.value.isoformat() for c in s[2]]}))
"#;
    let out = Command::new(python())
        .args(["-c", script])
        .arg(&path)
        .output()
        .expect("python3");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let x: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(x["header"][5], "IVA 16 %", "{x}");
    assert_eq!(x["header"][11], "Total");
    assert_eq!(
        x["row"][11].as_f64(),
        Some((sold_total - water_back) as f64 / 100.0),
        "{x}"
    );
    assert_eq!(
        x["row"][5].as_f64(),
        general["iva_cents"].as_f64().map(|c| c / 100.0)
    );
    let csv = admin
        .text(&format!(
            "/reports/export?report=taxes&format=csv&from={day}&to={day}"
        ))
        .await;
    assert!(csv.contains("Subtotal 16 %"), "{csv}");
    assert!(csv.lines().count() >= 2);
}
