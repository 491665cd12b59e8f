//! Reports over the real hub: sales made through the API show up to the centavo in the
//! dashboard and every report; bad ranges and filters are 422 JSON; only admins read reports;
//! exports are opened by real readers (openpyxl for XLSX, pdftotext for PDF).

mod common;

use std::process::Command;

use common::{child, python, Client, TestHub};
use serde_json::{json, Value};

/// Sells: 1 hour of play (150.00) paid with 200.00 cash; 3 waters (60.00) by card; the birthday
/// package by transfer. Returns (revenue, package price).
async fn sell(rec: &Client) -> (i64, i64) {
    let water = rec.id_of("products", "Agua natural 600 ml").await;
    let hour = rec.id_of("services", "1 hora de juego").await;
    let pkg_id = rec.id_of("packages", "Paquete cumpleaños").await;
    let pkg = rec.get(&format!("/packages/{pkg_id}")).await.body["price_cents"]
        .as_i64()
        .expect("package price");
    let sales = [
        json!({"items": [{"service_id": hour, "quantity": 1, "child": child("Ana")}], "payments": [{"method": "cash", "amount_cents": 20_000}]}),
        json!({"items": [{"product_id": water, "quantity": 3}], "payments": [{"method": "card", "amount_cents": 6_000}]}),
        json!({"items": [{"package_id": pkg_id, "quantity": 1, "child": child("Leo")}], "payments": [{"method": "transfer", "amount_cents": pkg}]}),
    ];
    for s in sales {
        let r = rec.post("/sales", s).await;
        assert_eq!(r.status, 201, "{}", r.body);
    }
    (15_000 + 6_000 + pkg, pkg)
}

async fn download(client: &Client, query: &str) -> (u16, reqwest::header::HeaderMap, Vec<u8>) {
    let res = client
        .http
        .get(format!("{}/api/v1/reports/export?{query}", client.base))
        .bearer_auth(&client.token)
        .send()
        .await
        .expect("export request");
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    (status, headers, res.bytes().await.expect("body").to_vec())
}

#[tokio::test]
async fn dashboard_and_reports_match_the_sales_to_the_centavo() {
    let hub = TestHub::start().await;
    let rec = hub.login("recepcion").await;
    let (revenue, pkg) = sell(&rec).await;
    let admin = hub.login("admin").await;

    let d = admin.get("/reports/dashboard").await;
    assert_eq!(d.status, 200, "{}", d.body);
    let cur = &d.body["current"];
    assert_eq!(cur["revenue_cents"], revenue);
    assert_eq!(cur["sales_count"], 3);
    assert_eq!(cur["ticket_average_cents"], (revenue + 1) / 3);
    assert_eq!(
        cur["by_type"],
        json!({"services_cents": 15_000, "products_cents": 6_000, "packages_cents": pkg})
    );
    assert_eq!(
        cur["by_method"],
        json!({"cash_cents": 15_000, "card_cents": 6_000, "transfer_cents": pkg}),
        "cash is net of the 50.00 change"
    );
    assert_eq!(
        cur["checkins"], 2,
        "play time and the package each checked a child in"
    );
    assert_eq!(d.body["revenue"]["previous"], 0);
    assert_eq!(
        d.body["revenue"]["percent"],
        Value::Null,
        "no percentage over an empty period"
    );
    assert_eq!(d.body["days"].as_array().map(Vec::len), Some(1));
    assert_eq!(d.body["active_timers"], 2);

    let rev = admin.get("/reports/revenue").await;
    assert_eq!(rev.body["days"][0]["revenue_cents"], revenue);
    let heat = admin.get("/reports/heatmap").await;
    let cells: i64 = heat.body["sales"]
        .as_array()
        .expect("rows")
        .iter()
        .flat_map(|r| {
            r.as_array()
                .expect("hours")
                .iter()
                .map(|v| v.as_i64().expect("n"))
        })
        .sum();
    assert_eq!(cells, 3, "every sale lands in one weekday-hour cell");
    let top = admin.get("/reports/top-products?kind=product").await;
    assert_eq!(top.status, 200, "{}", top.body);
    assert_eq!(top.body["items"][0]["name"], "Agua natural 600 ml");
    assert_eq!(top.body["items"][0]["quantity"], 3);
    assert_eq!(top.body["items"][0]["revenue_cents"], 6_000);
    let all = admin.get("/reports/top-products?limit=2").await;
    assert_eq!(all.body["items"].as_array().map(Vec::len), Some(2));
    assert_eq!(all.body["revenue_cents"], revenue);

    let inv = admin.get("/reports/inventory").await;
    let products = admin.get("/products").await.body["items"].clone();
    let value: i64 = products
        .as_array()
        .expect("products")
        .iter()
        .filter(|p| p["active"] == true)
        .map(|p| {
            p["stock"].as_i64().expect("stock").max(0) * p["cost_cents"].as_i64().expect("cost")
        })
        .sum();
    assert_eq!(
        inv.body["value_cents"], value,
        "inventory at cost from the product list"
    );

    let util = admin.get("/reports/utilisation?open_hours=8").await;
    assert_eq!(util.status, 200, "{}", util.body);
    assert_eq!(util.body["open_hours"], 8);
    assert_eq!(util.body["sessions"], 2);

    let close = rec
        .post("/day-closings", json!({"counted_cash_cents": 14_500}))
        .await;
    assert_eq!(close.status, 201, "{}", close.body);
    let cl = admin.get("/reports/day-closings").await;
    assert_eq!(cl.body["items"][0]["difference_cents"], -500);
    assert_eq!(cl.body["shortage_cents"], -500);
    assert_eq!(cl.body["days_short"], 1);

    // Another branch of the same hub has none of these sales; its own name and zone come back.
    let other = admin
        .post(
            "/branches",
            json!({"name": "Sucursal Monterrey", "timezone": "America/Monterrey"}),
        )
        .await;
    assert_eq!(other.status, 201, "{}", other.body);
    let id = other.body["id"].as_str().expect("branch id");
    let there = admin
        .get(&format!("/reports/dashboard?branch_id={id}"))
        .await;
    assert_eq!(there.status, 200, "{}", there.body);
    assert_eq!(there.body["period"]["branch_name"], "Sucursal Monterrey");
    assert_eq!(there.body["period"]["timezone"], "America/Monterrey");
    assert_eq!(there.body["current"]["revenue_cents"], 0);
    assert_eq!(there.body["current"]["checkins"], 0);

    let f = admin.get("/reports/forecast").await;
    assert_eq!(f.status, 200, "{}", f.body);
    assert_eq!(
        f.body["revenue"]["status"], "not_enough_data",
        "no full day of history yet"
    );
    assert_eq!(f.body["revenue"]["points"], json!([]));
    hub.stop().await;
}

#[tokio::test]
async fn bad_filters_are_422_json_and_only_admins_read_reports() {
    let hub = TestHub::start().await;
    let admin = hub.login("admin").await;
    for (query, field) in [
        ("/reports/dashboard?from=2026-03-10&to=2026-03-01", "to"),
        ("/reports/revenue?from=2026-13-01", "from"),
        ("/reports/heatmap?from=2024-01-01&to=2026-01-01", "to"),
        (
            "/reports/dashboard?branch_id=01JUNKNOWNBRANCH0000000000",
            "branch_id",
        ),
        ("/reports/dashboard?branch_id=../etc", "branch_id"),
        ("/reports/top-products?kind=toys", "kind"),
        ("/reports/top-products?limit=0", "limit"),
        ("/reports/utilisation?open_hours=25", "open_hours"),
        ("/reports/forecast?open_hours=abc", "open_hours"),
        ("/reports/export?report=secrets&format=csv", "report"),
        ("/reports/export?report=revenue&format=docx", "format"),
    ] {
        let r = admin.get(query).await;
        assert_eq!(r.status, 422, "{query}: {}", r.body);
        assert_eq!(r.body["error"]["field"], field, "{query}");
        assert!(r.body["error"]["message"].is_string());
    }
    let viewer = hub.login("gerente").await;
    assert_eq!(
        viewer.get("/reports/dashboard").await.status,
        200,
        "admin_viewer reads reports"
    );
    for user in ["recepcion", "kidibar", "monitor", "totem"] {
        let c = hub.login(user).await;
        for path in [
            "/reports/dashboard",
            "/reports/forecast",
            "/reports/export?report=revenue&format=csv",
        ] {
            let r = c.get(path).await;
            assert_eq!(r.status, 403, "{user} {path}");
            assert_eq!(r.body["error"]["code"], "forbidden");
        }
    }
    let anon = reqwest::get(hub.url("/api/v1/reports/dashboard"))
        .await
        .expect("request");
    assert_eq!(anon.status().as_u16(), 401);
    hub.stop().await;
}

#[tokio::test]
async fn exports_open_in_real_readers() {
    let hub = TestHub::start().await;
    let rec = hub.login("recepcion").await;
    let (revenue, _) = sell(&rec).await;
    let admin = hub.login("gerente").await;
    let tmp = tempfile::tempdir().expect("tmp");

    let (status, headers, xlsx) = download(&admin, "report=revenue&format=xlsx").await;
    assert_eq!(status, 200);
    assert_eq!(
        headers["content-length"].to_str().ok(),
        Some(xlsx.len().to_string().as_str())
    );
    let cd = headers["content-disposition"]
        .to_str()
        .expect("disposition");
    assert!(
        cd.starts_with("attachment; filename=\"kidyboard-revenue-") && cd.ends_with(".xlsx\""),
        "{cd}"
    );
    let path = tmp.path().join("r.xlsx");
    std::fs::write(&path, &xlsx).expect("write xlsx");
    let script = r#"
import json, sys, openpyxl, datetime
wb = openpyxl.load_workbook(sys.argv[1])
s = wb["Resumen"]; d = wb["Ingresos por día"]
print(json.dumps({
  "sheets": wb.sheetnames,
  "summary_header": [c.value for c in s[1]],
  "revenue_label": s["A2"].value, "revenue": s["B2"].value, "revenue_format": s["B2"].number_format,
  "day_is_date": isinstance(d["A2"].value, datetime.datetime), "day_sales": d["B2"].value, "day_revenue": d["C2"].value,
  "freeze": d.freeze_panes, "filter": d.auto_filter.ref,
}))
"#;
    let out = Command::new(python())
        .args(["-c", script])
        .arg(&path)
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "openpyxl: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let x: Value = serde_json::from_slice(&out.stdout).expect("json from python");
    assert_eq!(x["sheets"], json!(["Resumen", "Ingresos por día"]));
    assert_eq!(x["summary_header"][0], "Cifra");
    assert_eq!(x["revenue_label"], "Ingresos");
    assert_eq!(
        x["revenue"].as_f64(),
        Some(revenue as f64 / 100.0),
        "money is a number in pesos"
    );
    assert!(x["revenue_format"]
        .as_str()
        .expect("format")
        .contains("#,##0.00"));
    assert_eq!(x["day_is_date"], true, "days are real dates");
    assert_eq!(
        (x["day_sales"].clone(), x["day_revenue"].as_f64()),
        (json!(3), Some(revenue as f64 / 100.0))
    );
    assert_eq!(x["freeze"], "A2", "header row frozen");
    assert_eq!(
        x["filter"], "A1:M2",
        "autofilter over the header and the day"
    );

    let (status, headers, pdf) = download(&admin, "report=revenue&format=pdf").await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "application/pdf");
    let path = tmp.path().join("r.pdf");
    std::fs::write(&path, &pdf).expect("write pdf");
    let out = Command::new("pdftotext")
        .args(["-layout"])
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext runs");
    assert!(
        out.status.success(),
        "pdftotext: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let pesos = kidyboard_core::money::format_mxn(revenue);
    for needle in [
        "Ingresos",
        "Ingresos por día",
        "Transferencia",
        "Ticket promedio",
        "página 1 de 1",
        pesos.as_str(),
    ] {
        assert!(
            text.contains(needle),
            "PDF text should contain «{needle}»:\n{text}"
        );
    }

    let (status, headers, csv) =
        download(&admin, "report=top-products&format=csv&kind=product").await;
    assert_eq!(status, 200);
    assert!(headers["content-type"]
        .to_str()
        .expect("type")
        .starts_with("text/csv"));
    let text = String::from_utf8(csv).expect("utf-8");
    assert!(text.starts_with('\u{feff}'), "a BOM so Excel reads accents");
    let mut lines = text.trim_start_matches('\u{feff}').lines();
    assert_eq!(
        lines.next(),
        Some("Tipo,Nombre,Cantidad,Ingresos,Participación,Cantidad anterior,Ingresos anteriores")
    );
    assert_eq!(
        lines.next(),
        Some("Producto,Agua natural 600 ml,3,60.00,100.0%,0,0.00")
    );

    for report in [
        "dashboard",
        "heatmap",
        "inventory",
        "utilisation",
        "day-closings",
        "forecast",
    ] {
        for format in ["csv", "xlsx", "pdf"] {
            let (status, _, body) =
                download(&admin, &format!("report={report}&format={format}")).await;
            assert_eq!(status, 200, "{report}.{format}");
            assert!(!body.is_empty(), "{report}.{format} has content");
        }
    }
    hub.stop().await;
}
