//! A sale laid out as receipt lines, independent of how they are printed.

use serde::Deserialize;

/// What the hub says about a sale (the fields a receipt needs; others are ignored).
#[derive(Debug, Clone, Deserialize)]
pub struct SaleReceipt {
    pub number: i64,
    /// The folio as printed (`A-000123`); older hubs send only the number.
    #[serde(default)]
    pub folio: String,
    #[serde(default)]
    pub total_cents: i64,
    #[serde(default)]
    pub change_cents: i64,
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub items: Vec<ReceiptItem>,
    #[serde(default)]
    pub payments: Vec<ReceiptPayment>,
    /// Money given back since (a reprint shows it).
    #[serde(default)]
    pub refunds: Vec<ReceiptRefund>,
    /// The clerk who sold it.
    #[serde(default)]
    pub user_name: String,
    /// Before discounts (0 from older hubs: no discount line).
    #[serde(default)]
    pub gross_cents: i64,
    #[serde(default)]
    pub discount_cents: i64,
    #[serde(default)]
    pub discount_reason: String,
    /// IVA included, by rate.
    #[serde(default)]
    pub taxes: Vec<ReceiptTax>,
    /// A check-in ticket's pick-up code: the guardian shows it to collect the children.
    #[serde(default)]
    pub pickup_code: Option<String>,
    /// The timers the sale started (their children's notes print on the ticket, each child's
    /// wristband label is made from them).
    #[serde(default)]
    pub timers: Vec<ReceiptTimer>,
    /// A reprint: marked "COPIA" so it can't pass for a second sale.
    #[serde(skip)]
    pub copy: bool,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ReceiptRefund {
    pub folio: String,
    pub total_cents: i64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ReceiptTax {
    /// `16`, `0` or `exento`.
    pub rate: String,
    pub subtotal_cents: i64,
    pub iva_cents: i64,
    pub total_cents: i64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ReceiptItem {
    pub name: String,
    pub quantity: i64,
    pub unit_price_cents: i64,
    pub total_cents: i64,
    /// This line's discount (its own and its share of the ticket's).
    #[serde(default)]
    pub discount_cents: i64,
    #[serde(default)]
    pub child: Option<ReceiptChild>,
    /// The children a play-time or package line checked in.
    #[serde(default)]
    pub children: Vec<ReceiptChild>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ReceiptChild {
    pub name: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ReceiptTimer {
    pub child_name: String,
    #[serde(default)]
    pub child_notes: String,
    #[serde(default)]
    pub pickup_code: Option<String>,
    #[serde(default)]
    pub service_name: String,
    /// RFC 3339; null while paused or scheduled.
    #[serde(default)]
    pub ends_at: Option<String>,
    #[serde(default)]
    pub state: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ReceiptPayment {
    pub method: String,
    pub amount_cents: i64,
}

/// The top of the receipt: who sold and when, as the page shows it (the branch's local time).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ReceiptHeader {
    pub store_name: String,
    #[serde(default)]
    pub address: String,
    /// e.g. "22/11/2026 10:31", already in the branch's time zone.
    #[serde(default)]
    pub printed_at: String,
    #[serde(default)]
    pub footer: Option<String>,
    /// The business's legal name, RFC and phone, printed under the store's name when set.
    #[serde(default)]
    pub legal_name: String,
    #[serde(default)]
    pub rfc: String,
    #[serde(default)]
    pub phone: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Center,
}

/// One printed line. `text` is at most the paper's width (half of it when `large`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub text: String,
    pub align: Align,
    pub bold: bool,
    /// Double width and height (the store's name, the total).
    pub large: bool,
}

impl Line {
    fn plain(text: String) -> Line {
        Line {
            text,
            align: Align::Left,
            bold: false,
            large: false,
        }
    }
    fn centered(text: String) -> Line {
        Line {
            align: Align::Center,
            ..Line::plain(text)
        }
    }
}

impl SaleReceipt {
    pub fn from_json(json: &serde_json::Value) -> crate::Result<SaleReceipt> {
        Ok(SaleReceipt::deserialize(json)?)
    }

    /// The receipt's lines for paper `columns` wide (32 on 58 mm, 48 on 80 mm).
    pub fn lines(&self, header: &ReceiptHeader, columns: usize) -> Vec<Line> {
        let columns = columns.max(16);
        let rule = "-".repeat(columns);
        let mut out = Vec::new();
        if self.copy {
            out.push(Line {
                bold: true,
                large: true,
                ..Line::centered("COPIA".into())
            });
        }
        for part in wrap(&header.store_name, columns / 2) {
            out.push(Line {
                bold: true,
                large: true,
                ..Line::centered(part)
            });
        }
        for part in wrap(&header.legal_name, columns) {
            out.push(Line::centered(part));
        }
        if !header.rfc.trim().is_empty() {
            out.push(Line::centered(format!("RFC {}", header.rfc.trim())));
        }
        for part in wrap(&header.address, columns) {
            out.push(Line::centered(part));
        }
        if !header.phone.trim().is_empty() {
            out.push(Line::centered(format!("Tel. {}", header.phone.trim())));
        }
        out.push(Line::centered(if self.folio.is_empty() {
            format!("Ticket #{}", self.number)
        } else {
            format!("Folio {}", self.folio)
        }));
        if !header.printed_at.is_empty() {
            out.push(Line::centered(header.printed_at.clone()));
        }
        if !self.user_name.trim().is_empty() {
            for part in wrap(&format!("Le atendió: {}", self.user_name.trim()), columns) {
                out.push(Line::centered(part));
            }
        }
        out.push(Line::plain(rule.clone()));
        for item in &self.items {
            let left = format!("{} x {}", item.quantity, item.name);
            // At list price; a discount follows on its own line.
            let listed = item.total_cents + item.discount_cents;
            out.extend(two_columns(&left, &money(listed), columns));
            if item.quantity != 1 {
                out.push(Line::plain(format!(
                    "  {} c/u",
                    money(item.unit_price_cents)
                )));
            }
            if item.discount_cents > 0 {
                for mut line in two_columns("Descuento", &money(-item.discount_cents), columns - 2)
                {
                    line.text = format!("  {}", line.text);
                    out.push(line);
                }
            }
            let names: Vec<&str> = if item.children.is_empty() {
                item.child.iter().map(|c| c.name.as_str()).collect()
            } else {
                item.children.iter().map(|c| c.name.as_str()).collect()
            };
            if !names.is_empty() {
                let label = if names.len() == 1 {
                    "Niño/a"
                } else {
                    "Niños"
                };
                for part in wrap(&format!("{label}: {}", names.join(", ")), columns - 2) {
                    out.push(Line::plain(format!("  {part}")));
                }
            }
        }
        // What the desk must not miss about a child (allergies, medicine).
        for t in self
            .timers
            .iter()
            .filter(|t| !t.child_notes.trim().is_empty())
        {
            for part in wrap(
                &format!("¡Atención! {}: {}", t.child_name, t.child_notes.trim()),
                columns,
            ) {
                out.push(Line {
                    bold: true,
                    ..Line::plain(part)
                });
            }
        }
        out.push(Line::plain(rule.clone()));
        if self.discount_cents > 0 {
            out.extend(two_columns("Subtotal", &money(self.gross_cents), columns));
            out.extend(two_columns(
                "Descuentos",
                &money(-self.discount_cents),
                columns,
            ));
            if !self.discount_reason.trim().is_empty() {
                for part in wrap(&format!("({})", self.discount_reason.trim()), columns) {
                    out.push(Line::plain(part));
                }
            }
        }
        for mut line in two_columns("Total", &money(self.total_cents), columns / 2) {
            line.bold = true;
            line.large = true;
            out.push(line);
        }
        for p in &self.payments {
            out.extend(two_columns(
                payment_label(&p.method),
                &money(p.amount_cents),
                columns,
            ));
        }
        if self.change_cents > 0 {
            out.extend(two_columns("Cambio", &money(self.change_cents), columns));
        }
        if !self.taxes.is_empty() {
            out.push(Line::plain(rule.clone()));
            out.push(Line::plain("IVA incluido en los precios".into()));
            for t in &self.taxes {
                match t.rate.as_str() {
                    "exento" => {
                        out.extend(two_columns("Exento", &money(t.total_cents), columns));
                    }
                    rate => {
                        out.extend(two_columns(
                            &format!("Base {rate} %"),
                            &money(t.subtotal_cents),
                            columns,
                        ));
                        out.extend(two_columns(
                            &format!("IVA {rate} %"),
                            &money(t.iva_cents),
                            columns,
                        ));
                    }
                }
            }
        }
        if !self.refunds.is_empty() {
            out.push(Line::plain(rule.clone()));
            let mut refunded = 0;
            for r in &self.refunds {
                refunded += r.total_cents;
                out.extend(two_columns(
                    &format!("Devolución {}", r.folio),
                    &money(-r.total_cents),
                    columns,
                ));
            }
            for mut line in two_columns("NETO", &money(self.total_cents - refunded), columns) {
                line.bold = true;
                out.push(line);
            }
        }
        if !self.note.trim().is_empty() {
            out.push(Line::plain(rule.clone()));
            out.extend(wrap(&self.note, columns).into_iter().map(Line::plain));
        }
        if let Some(code) = self.pickup_code.as_deref().filter(|c| !c.is_empty()) {
            out.push(Line::plain(rule.clone()));
            out.push(Line::centered("Código de recogida".into()));
            out.push(Line {
                bold: true,
                large: true,
                ..Line::centered(code.to_string())
            });
            for part in wrap(
                "Muéstrelo para recoger a los niños. Solo lo entregamos a los adultos autorizados.",
                columns,
            ) {
                out.push(Line::centered(part));
            }
        }
        out.push(Line::plain(rule));
        if self.copy {
            out.push(Line::centered("COPIA — no es una venta nueva".into()));
        }
        let footer = header
            .footer
            .clone()
            .unwrap_or_else(|| "¡Gracias por su visita!".to_string());
        out.extend(wrap(&footer, columns).into_iter().map(Line::centered));
        out
    }
}

impl SaleReceipt {
    /// One wristband label per child the sale checked in: name, pick-up code, time out (as
    /// `local_time` writes an RFC 3339 instant, e.g. "16:45") and notes. Each label is printed
    /// and cut on its own.
    pub fn wristbands(
        &self,
        columns: usize,
        local_time: impl Fn(&str) -> String,
    ) -> Vec<Vec<Line>> {
        let columns = columns.max(16);
        self.timers
            .iter()
            .filter(|t| !matches!(t.state.as_str(), "cancelled" | "finished"))
            .map(|t| {
                let mut label = Vec::new();
                for part in wrap(&t.child_name, columns / 2) {
                    label.push(Line {
                        bold: true,
                        large: true,
                        ..Line::centered(part)
                    });
                }
                if let Some(code) = t.pickup_code.as_deref().or(self.pickup_code.as_deref()) {
                    label.push(Line {
                        bold: true,
                        ..Line::centered(format!("Código {code}"))
                    });
                }
                match t.ends_at.as_deref() {
                    Some(end) => label.push(Line::centered(format!("Sale: {}", local_time(end)))),
                    None => label.push(Line::centered(t.service_name.clone())),
                }
                if !t.child_notes.trim().is_empty() {
                    for part in wrap(&format!("¡{}!", t.child_notes.trim()), columns) {
                        label.push(Line {
                            bold: true,
                            ..Line::centered(part)
                        });
                    }
                }
                label
            })
            .collect()
    }
}

fn payment_label(method: &str) -> &str {
    match method {
        "cash" => "Efectivo",
        "card" => "Tarjeta",
        "transfer" => "Transferencia",
        other => other,
    }
}

/// `$1,234.50` — pesos with thousands separators, as printed in Mexico.
pub fn money(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    let pesos = (abs / 100).to_string();
    let mut grouped = String::new();
    for (i, ch) in pesos.chars().enumerate() {
        if i > 0 && (pesos.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    format!("{sign}${grouped}.{:02}", abs % 100)
}

/// `left` and `right` on one line, `right` flush right; a long `left` wraps and the amount
/// goes on its last line.
fn two_columns(left: &str, right: &str, columns: usize) -> Vec<Line> {
    let room = columns.saturating_sub(chars(right) + 1).max(1);
    let mut parts = wrap(left, room);
    let last = parts.pop().unwrap_or_default();
    let mut out: Vec<Line> = parts.into_iter().map(Line::plain).collect();
    let gap = columns.saturating_sub(chars(&last) + chars(right)).max(1);
    out.push(Line::plain(format!("{last}{}{right}", " ".repeat(gap))));
    out
}

fn chars(s: &str) -> usize {
    s.chars().count()
}

/// Splits `text` into lines of at most `width` characters, at spaces where possible.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines = Vec::new();
    let mut current = String::new();
    for word in text.split_whitespace() {
        let mut word: Vec<char> = word.chars().collect();
        // A word longer than a line is cut.
        while word.len() > width {
            if !current.is_empty() {
                lines.push(std::mem::take(&mut current));
            }
            lines.push(word.drain(..width).collect());
        }
        let word: String = word.into_iter().collect();
        if current.is_empty() {
            current = word;
        } else if chars(&current) + 1 + chars(&word) <= width {
            current.push(' ');
            current.push_str(&word);
        } else {
            lines.push(std::mem::replace(&mut current, word));
        }
    }
    if !current.is_empty() {
        lines.push(current);
    }
    lines
}
