//! Checks on input that every entry point shares: text lengths, money and quantity bounds.

use crate::error::{CoreError, Result};

/// Highest price or payment accepted for one item: 10 million pesos. Far above any real play
/// centre price, low enough that totals of many items can never overflow `i64`.
pub const MAX_AMOUNT_CENTS: i64 = 1_000_000_000;
pub const MAX_QUANTITY: i64 = 999;
pub const MAX_NAME_LEN: usize = 120;
pub const MAX_TEXT_LEN: usize = 2_000;

/// A trimmed, non-empty, bounded single-line string without control or invisible characters;
/// runs of whitespace become one space.
pub fn name(field: &str, value: &str) -> Result<String> {
    let v = bounded(field, value, MAX_NAME_LEN, false)?;
    if v.is_empty() {
        return Err(CoreError::validation(field, "no puede estar vacío"));
    }
    Ok(v)
}

/// An optional free text (may be empty), bounded; newlines and tabs allowed.
pub fn text(field: &str, value: &str) -> Result<String> {
    bounded(field, value, MAX_TEXT_LEN, true)
}

/// A short optional single-line string (phone, barcode, category).
pub fn short(field: &str, value: &str) -> Result<String> {
    bounded(field, value, MAX_NAME_LEN, false)
}

/// Longest reason a person may give for a correction or a courtesy.
pub const MAX_REASON_LEN: usize = 200;

/// Why someone gave time away, moved cash or corrected something: a required single line of at
/// most [`MAX_REASON_LEN`] characters.
pub fn reason(field: &str, value: &str) -> Result<String> {
    let r = short(field, value)?;
    if r.is_empty() {
        return Err(CoreError::validation(field, "escribe el motivo"));
    }
    if r.chars().count() > MAX_REASON_LEN {
        return Err(CoreError::validation(
            field,
            format!("el motivo lleva a lo más {MAX_REASON_LEN} caracteres"),
        ));
    }
    Ok(r)
}

/// Characters that change how the text around them is shown without being seen themselves:
/// bidirectional overrides and isolates (a name can be made to read backwards on the monitor,
/// or a receipt line to look like another), zero-width characters (two names that look the
/// same but differ), and the other invisible format characters of Unicode's `Cf` category.
pub fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'                      // soft hyphen
            | '\u{034F}'                // combining grapheme joiner
            | '\u{061C}'                // Arabic letter mark
            | '\u{115F}' | '\u{1160}'    // Hangul fillers
            | '\u{17B4}' | '\u{17B5}'    // Khmer inherent vowels
            | '\u{180B}'..='\u{180F}'    // Mongolian selectors and vowel separator
            | '\u{200B}'..='\u{200F}'    // zero-width space/non-joiner/joiner, LRM, RLM
            | '\u{202A}'..='\u{202E}'    // bidi embeddings and overrides
            | '\u{2060}'..='\u{206F}'    // word joiner, invisible operators, bidi isolates
            | '\u{3164}' | '\u{FFA0}'    // Hangul fillers
            | '\u{FEFF}'                // zero-width no-break space (BOM)
            | '\u{FFF9}'..='\u{FFFB}'    // interlinear annotation
            | '\u{1D173}'..='\u{1D17A}'  // musical format characters
            | '\u{E0000}'..='\u{E007F}'  // tag characters
    )
}

/// Trims, normalises whitespace and refuses what would make the text display as something else.
/// Single-line text: any run of whitespace (tabs, no-break and ideographic spaces, line breaks
/// are refused first) becomes one plain space. Multi-line text: CRLF becomes LF and other
/// whitespace becomes a plain space, so what is stored is what every screen shows.
fn bounded(field: &str, value: &str, max: usize, multiline: bool) -> Result<String> {
    let value = if multiline {
        value.replace("\r\n", "\n")
    } else {
        value.to_string()
    };
    let mut out = String::with_capacity(value.len());
    let mut pending_space = false;
    for c in value.trim().chars() {
        let line_break = c == '\n';
        if (c.is_control() && !(multiline && (line_break || c == '\t'))) || is_invisible(c) {
            return Err(CoreError::validation(
                field,
                format!(
                    "contiene un carácter no permitido (U+{:04X}): caracteres de control o invisibles",
                    c as u32
                ),
            ));
        }
        if multiline {
            out.push(if c.is_whitespace() && !line_break && c != '\t' {
                ' '
            } else {
                c
            });
        } else if c.is_whitespace() {
            pending_space = true;
        } else {
            if pending_space {
                out.push(' ');
                pending_space = false;
            }
            out.push(c);
        }
    }
    if out.chars().count() > max {
        return Err(CoreError::validation(
            field,
            format!("es demasiado largo (máximo {max} caracteres)"),
        ));
    }
    Ok(out)
}

pub fn amount(field: &str, cents: i64) -> Result<i64> {
    if !(0..=MAX_AMOUNT_CENTS).contains(&cents) {
        return Err(CoreError::validation(
            field,
            format!("debe estar entre 0 y {MAX_AMOUNT_CENTS} centavos"),
        ));
    }
    Ok(cents)
}

pub fn quantity(field: &str, q: i64) -> Result<i64> {
    if !(1..=MAX_QUANTITY).contains(&q) {
        return Err(CoreError::validation(
            field,
            format!("la cantidad debe estar entre 1 y {MAX_QUANTITY}"),
        ));
    }
    Ok(q)
}

/// `a × b` from input-derived numbers, refused (naming `field`) instead of wrapping around.
pub fn times(field: &str, a: i64, b: i64) -> Result<i64> {
    a.checked_mul(b)
        .ok_or_else(|| CoreError::validation(field, "el resultado es demasiado grande"))
}

/// `a + b` from input-derived numbers, refused (naming `field`) instead of wrapping around.
pub fn plus(field: &str, a: i64, b: i64) -> Result<i64> {
    a.checked_add(b)
        .ok_or_else(|| CoreError::validation(field, "el resultado es demasiado grande"))
}

pub fn non_negative(field: &str, v: i64, max: i64) -> Result<i64> {
    if !(0..=max).contains(&v) {
        return Err(CoreError::validation(
            field,
            format!("debe estar entre 0 y {max}"),
        ));
    }
    Ok(v)
}

pub fn id(field: &str, v: &str) -> Result<String> {
    if crate::ids::is_valid(v) {
        Ok(v.to_string())
    } else {
        Err(CoreError::validation(field, "identificador inválido"))
    }
}

/// A picture's name in the image store and on the wire: its SHA-256 as 64 lowercase hex digits.
pub fn is_sha256_hex(v: &str) -> bool {
    v.len() == 64 && v.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invisible_and_control_characters_are_refused_naming_the_field() {
        let cases = [
            "\u{202E}odnuM",       // right-to-left override
            "Ana\u{202A}",         // left-to-right embedding
            "A\u{2066}na\u{2069}", // isolates
            "Ana\u{200E}",         // LRM
            "Ana\u{200F}",         // RLM
            "An\u{061C}a",         // Arabic letter mark
            "A\u{200B}na",         // zero-width space
            "A\u{200C}na",         // zero-width non-joiner
            "A\u{200D}na",         // zero-width joiner
            "A\u{2060}na",         // word joiner
            "\u{FEFF}Ana",         // BOM
            "Ana\u{0007}",         // bell
            "Ana\u{001B}[31m",     // terminal escape
            "Ana\u{0085}Luz",      // next line (C1 control)
            "Ana\nLuz",            // a line break in a single-line field
            "Ana\u{E0041}",        // tag character
        ];
        for v in cases {
            for check in [name, short] {
                let err = check("child.name", v).expect_err(&format!("{v:?} should be refused"));
                assert_eq!(err.field(), Some("child.name"), "{v:?} names the field");
            }
            if v != "Ana\nLuz" {
                assert!(text("note", v).is_err(), "{v:?} refused in free text too");
            }
        }
    }

    #[test]
    fn whitespace_is_trimmed_and_normalised() {
        assert_eq!(
            name("name", "  Ana \u{00A0}\u{3000} María  ").unwrap(),
            "Ana María"
        );
        assert_eq!(short("phone", " 55  1234 ").unwrap(), "55 1234");
        assert_eq!(
            text("note", " uno\r\ndos\u{00A0}tres\tcuatro ").unwrap(),
            "uno\ndos tres\tcuatro"
        );
        // Only-whitespace (of any kind) is empty, not a name.
        assert!(name("name", " \u{00A0}\u{2003} ").is_err());
        // Accents, ñ, emoji without joiners and right-to-left letters themselves are fine.
        assert_eq!(name("name", "Ñandú 🎈 שלום").unwrap(), "Ñandú 🎈 שלום");
    }

    #[test]
    fn length_counts_characters_after_normalising() {
        let long = "á".repeat(MAX_NAME_LEN);
        assert_eq!(name("name", &long).unwrap(), long);
        assert!(name("name", &format!("{long}a")).is_err());
    }

    #[test]
    fn products_and_sums_refuse_overflow() {
        assert_eq!(times("q", 3, 4).unwrap(), 12);
        assert_eq!(times("q", i64::MAX, 2).unwrap_err().field(), Some("q"));
        assert_eq!(plus("q", i64::MAX, 1).unwrap_err().field(), Some("q"));
        assert_eq!(plus("q", i64::MIN, -1).unwrap_err().field(), Some("q"));
    }

    #[test]
    fn a_picture_hash_is_64_lowercase_hex_digits() {
        let good = "0123456789abcdef".repeat(4);
        assert!(is_sha256_hex(&good));
        assert!(!is_sha256_hex(&good.to_uppercase()), "uppercase");
        assert!(!is_sha256_hex(&good[..63]), "short");
        assert!(!is_sha256_hex(&format!("{good}0")), "long");
        assert!(!is_sha256_hex(&format!("../{}", &good[3..])), "a path");
        assert!(
            !is_sha256_hex(&format!("{}é", &good[..62])),
            "multibyte of the right length"
        );
    }
}
