//! What the totem shows besides the catalogue, set on the branch: its logo and a promotion
//! picture (pictures this hub holds), a WhatsApp number offered as a QR code, a call to action,
//! a promotion slide and the opening hours (the booking settings' week). The totem account reads
//! them; bad values get 422 naming the field and change nothing.

mod common;

use common::TestHub;
use serde_json::json;

const PHOTO: &[u8] = include_bytes!("../../images/tests/data/chelsea.png");

#[tokio::test]
async fn the_totem_reads_the_branchs_logo_whatsapp_promotion_and_hours() {
    let hub = TestHub::start().await;
    let admin = hub.login("admin").await;
    let totem = hub.login("totem").await;
    let branch = admin.get("/branches").await.body["items"][0]["id"]
        .as_str()
        .expect("branch")
        .to_string();
    let upload = reqwest::Client::new()
        .post(hub.url("/api/v1/images"))
        .bearer_auth(&admin.token)
        .header("content-type", "application/octet-stream")
        .body(PHOTO.to_vec())
        .send()
        .await
        .expect("upload");
    assert_eq!(upload.status().as_u16(), 201);
    let logo: serde_json::Value = upload.json().await.expect("json");
    let logo = logo["hash"].as_str().expect("hash").to_string();

    let saved = admin
        .patch(
            &format!("/branches/{branch}"),
            json!({
                "logo_image": logo,
                "promo_image": logo,
                "whatsapp": "+52 1 (55) 1234-5678",
                "totem_message": "¡Reserva tu fiesta!",
                "promo_title": "Martes 2×1",
                "promo_text": "Dos niños juegan por el precio de uno.",
                "totem_show_hours": true,
            }),
        )
        .await;
    assert_eq!(saved.status, 200, "{}", saved.body);
    assert_eq!(
        saved.body["whatsapp"], "5512345678",
        "kept as its ten digits"
    );

    // The week's hours come from the booking settings, Monday first.
    let hours = admin
        .put(
            "/booking-settings",
            json!({"hours": [{"weekday": 6, "opens": "10:00", "closes": "21:30", "closed": false},
                             {"weekday": 1, "opens": "11:00", "closes": "20:00", "closed": true}]}),
        )
        .await;
    assert_eq!(hours.status, 200, "{}", hours.body);

    let seen = totem.get(&format!("/branches/{branch}")).await;
    assert_eq!(seen.status, 200, "{}", seen.body);
    let b = &seen.body;
    assert_eq!(b["logo_image"], logo.as_str());
    assert_eq!(b["promo_title"], "Martes 2×1");
    assert_eq!(b["totem_message"], "¡Reserva tu fiesta!");
    assert_eq!(b["totem_show_hours"], true);
    let week = b["opening_hours"].as_array().expect("hours");
    assert_eq!(week.len(), 7);
    assert_eq!(week[0]["weekday"], 1);
    assert_eq!(week[0]["closed"], true);
    assert_eq!(
        (&week[5]["opens"], &week[5]["closes"]),
        (&json!("10:00"), &json!("21:30"))
    );
    // The logo is served like any catalogue picture.
    let img = reqwest::get(hub.url(&format!("/img/{logo}?w=256")))
        .await
        .expect("img");
    assert_eq!(img.status().as_u16(), 200);

    // Clearing: empty strings take the pictures and the number away.
    let cleared = admin
        .patch(
            &format!("/branches/{branch}"),
            json!({"logo_image": "", "whatsapp": "", "totem_show_hours": false}),
        )
        .await;
    assert_eq!(cleared.status, 200, "{}", cleared.body);
    assert_eq!(
        (
            &cleared.body["logo_image"],
            &cleared.body["whatsapp"],
            &cleared.body["totem_show_hours"]
        ),
        (&json!(""), &json!(""), &json!(false))
    );
    assert_eq!(
        cleared.body["promo_title"], "Martes 2×1",
        "untouched fields stay"
    );
}

#[tokio::test]
async fn bad_totem_settings_name_their_field_and_change_nothing() {
    let hub = TestHub::start().await;
    let admin = hub.login("admin").await;
    let branch = admin.get("/branches").await.body["items"][0].clone();
    let id = branch["id"].as_str().expect("id").to_string();
    let unknown = "ab".repeat(32);
    for (body, field) in [
        (json!({"logo_image": unknown}), "logo_image"),
        (json!({"promo_image": unknown}), "promo_image"),
        (json!({"logo_image": "../../etc/passwd"}), "logo_image"),
        (json!({"whatsapp": "12345"}), "whatsapp"),
        (json!({"whatsapp": "55 1234 5678 ext 9"}), "whatsapp"),
        (json!({"promo_title": "x".repeat(61)}), "promo_title"),
        (json!({"promo_text": "x".repeat(241)}), "promo_text"),
        (json!({"totem_message": "a\u{0007}b"}), "totem_message"),
        (json!({"totem_show_hours": "sí"}), ""),
    ] {
        let r = admin.patch(&format!("/branches/{id}"), body.clone()).await;
        assert_eq!(r.status, 422, "{body} → {}", r.body);
        if !field.is_empty() {
            assert_eq!(r.body["error"]["field"], field, "{body} → {}", r.body);
        }
    }
    let after = admin.get(&format!("/branches/{id}")).await.body;
    assert_eq!(
        after["updated_at"], branch["updated_at"],
        "nothing was written"
    );
    // The desk cannot change what the totem shows.
    let rec = hub.login("recepcion").await;
    let r = rec
        .patch(&format!("/branches/{id}"), json!({"promo_title": "Gratis"}))
        .await;
    assert_eq!(r.status, 403);
}
