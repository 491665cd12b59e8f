//! The encoder's exact bytes and the receipt's exact layout.

use kidyboard_receipt::escpos::{encode, plain_text};
use kidyboard_receipt::{Align, CodePage, EscPosOptions, Line, Paper, ReceiptHeader, SaleReceipt};
use serde_json::json;

fn sale() -> serde_json::Value {
    // The shape of GET /api/v1/sales/{id}, including fields a receipt does not use.
    json!({
        "id": "01JD0000000000000000000000", "number": 42, "business_day": "2026-11-22",
        "created_at": "2026-11-22T16:31:00Z", "user_id": "u1",
        "total_cents": 25000, "paid_cents": 30000, "change_cents": 5000, "note": "",
        "items": [
            {"kind": "service", "product_id": null, "service_id": "s1", "package_id": null,
             "name": "Hora de juego", "quantity": 1, "unit_price_cents": 18000, "total_cents": 18000,
             "child": {"name": "Sofía Ramírez", "guardian_name": "Ana", "guardian_phone": "55"}},
            {"kind": "product", "product_id": "p1", "service_id": null, "package_id": null,
             "name": "Jugo de naranja", "quantity": 2, "unit_price_cents": 3500, "total_cents": 7000,
             "child": null}
        ],
        "payments": [{"method": "cash", "amount_cents": 30000}],
        "timers": []
    })
}

fn header() -> ReceiptHeader {
    ReceiptHeader {
        store_name: "Kidyboard Coyoacán".into(),
        address: "Av. Universidad 1000, Ciudad de México".into(),
        printed_at: "22/11/2026 10:31".into(),
        footer: None,
        ..Default::default()
    }
}

#[test]
fn a_paid_receipt_names_the_business_the_clerk_the_discounts_and_the_iva() {
    let mut sale = sale();
    sale["folio"] = json!("A-000042");
    sale["user_name"] = json!("Lupita");
    sale["gross_cents"] = json!(25_000);
    sale["discount_cents"] = json!(2_500);
    sale["total_cents"] = json!(22_500);
    sale["change_cents"] = json!(7_500);
    sale["discount_reason"] = json!("cliente frecuente");
    sale["items"][0]["discount_cents"] = json!(2_500);
    sale["items"][0]["total_cents"] = json!(15_500);
    sale["taxes"] = json!([
        {"rate": "16", "subtotal_cents": 16_810, "iva_cents": 2_690, "total_cents": 19_500},
        {"rate": "exento", "subtotal_cents": 3_000, "iva_cents": 0, "total_cents": 3_000}
    ]);
    let header = ReceiptHeader {
        legal_name: "Diversiones Kidyboard S.A. de C.V.".into(),
        rfc: "DKI201231AB1".into(),
        phone: "55 5555 0123".into(),
        footer: Some("Factura en kidyboard.mx/factura".into()),
        ..header()
    };
    let receipt = SaleReceipt::from_json(&sale).expect("parses");
    let text = plain_text(&receipt.lines(&header, 48), 48);
    for expected in [
        "Diversiones Kidyboard S.A. de C.V.",
        "RFC DKI201231AB1",
        "Tel. 55 5555 0123",
        "Folio A-000042",
        "Le atendió: Lupita",
        "1 x Hora de juego                        $180.00",
        "  Descuento                              -$25.00",
        "Subtotal                                 $250.00",
        "Descuentos                               -$25.00",
        "(cliente frecuente)",
        "Total            $225.00",
        "IVA incluido en los precios",
        "Base 16 %                                $168.10",
        "IVA 16 %                                  $26.90",
        "Exento",
        "Factura en kidyboard.mx/factura",
    ] {
        assert!(
            text.contains(expected),
            "«{expected}» missing from:\n{text}"
        );
    }
    assert!(
        !text.contains("a cobrar"),
        "a paid receipt says Total:\n{text}"
    );
    for line in receipt.lines(&header, 32) {
        let width = if line.large { 16 } else { 32 };
        assert!(
            line.text.chars().count() <= width,
            "«{}» is too wide",
            line.text
        );
    }
}

#[test]
fn a_sale_is_laid_out_for_58_mm_paper() {
    let receipt = SaleReceipt::from_json(&sale()).expect("the hub's sale parses");
    let text = plain_text(&receipt.lines(&header(), 32), 32);
    let expected = "   Kidyboard
    Coyoacán
Av. Universidad 1000, Ciudad de
             México
           Ticket #42
        22/11/2026 10:31
--------------------------------
1 x Hora de juego        $180.00
  Niño/a: Sofía Ramírez
2 x Jugo de naranja       $70.00
  $35.00 c/u
--------------------------------
Total    $250.00
Efectivo                 $300.00
Cambio                    $50.00
--------------------------------
    ¡Gracias por su visita!
";
    assert_eq!(
        text, expected,
        "the 58 mm receipt should read exactly like this"
    );
    for line in receipt.lines(&header(), 32) {
        let width = if line.large { 16 } else { 32 };
        assert!(
            line.text.chars().count() <= width,
            "«{}» is wider than the paper",
            line.text
        );
    }
}

#[test]
fn eighty_mm_paper_has_48_columns() {
    let receipt = SaleReceipt::from_json(&sale()).expect("parses");
    let lines = receipt.lines(&header(), Paper::Mm80.columns());
    assert_eq!(
        lines[0].text, "Kidyboard Coyoacán",
        "the name fits on one large line"
    );
    let item = lines
        .iter()
        .find(|l| l.text.starts_with("1 x Hora"))
        .expect("item line");
    assert_eq!(
        item.text.chars().count(),
        48,
        "amounts are flush with the 48th column"
    );
    assert!(item.text.ends_with("$180.00"));
}

#[test]
fn the_encoder_writes_exact_escpos_bytes() {
    let lines = vec![
        Line {
            text: "Niño".into(),
            align: Align::Center,
            bold: true,
            large: true,
        },
        Line {
            text: "¿Sí? ¡Ñ!".into(),
            align: Align::Left,
            bold: false,
            large: false,
        },
    ];
    let options = EscPosOptions {
        paper: Paper::Mm58,
        code_page: CodePage::Cp850,
        cut: true,
        open_drawer: true,
        feed_lines: 3,
    };
    let bytes = encode(&lines, &options);
    let expected: Vec<u8> = [
        &[0x1B, b'@'][..],   // initialise
        &[0x1B, b't', 2],    // code page PC850
        &[0x1B, b'a', 1],    // centre
        &[0x1B, b'E', 1],    // bold
        &[0x1D, b'!', 0x11], // double width and height
        &[b'N', b'i', 0xA4, b'o', 0x0A],
        &[0x1B, b'a', 0],
        &[0x1B, b'E', 0],
        &[0x1D, b'!', 0x00],
        &[0xA8, b'S', 0xA1, b'?', b' ', 0xAD, 0xA5, b'!', 0x0A],
        &[0x1B, b'd', 3],          // feed
        &[0x1D, b'V', 66, 0],      // cut
        &[0x1B, b'p', 0, 25, 250], // drawer kick
    ]
    .concat();
    assert_eq!(bytes, expected);
}

#[test]
fn windows_1252_keeps_latin1_and_the_euro() {
    assert_eq!(
        CodePage::Wpc1252.encode("áéíóúñÑü¿¡€"),
        vec![0xE1, 0xE9, 0xED, 0xF3, 0xFA, 0xF1, 0xD1, 0xFC, 0xBF, 0xA1, 0x80]
    );
    assert_eq!(
        CodePage::Cp850.encode("áéíóúÁÉÍÓÚ"),
        vec![0xA0, 0x82, 0xA1, 0xA2, 0xA3, 0xB5, 0x90, 0xD6, 0xE0, 0xE9]
    );
    // What a page lacks becomes '?', and control characters cannot smuggle in commands.
    assert_eq!(CodePage::Cp850.encode("€😀\x1bA"), b"?? A".to_vec());
    let options = EscPosOptions {
        code_page: CodePage::Wpc1252,
        cut: false,
        ..EscPosOptions::default()
    };
    let bytes = encode(&[], &options);
    assert_eq!(
        bytes,
        vec![0x1B, b'@', 0x1B, b't', 16, 0x1B, b'd', 3],
        "no cut, page 16"
    );
}

#[test]
fn a_sale_that_is_not_a_sale_is_refused() {
    let err = SaleReceipt::from_json(&json!({"items": "nope"})).expect_err("should not parse");
    assert_eq!(err.code(), "invalid_sale");
}
