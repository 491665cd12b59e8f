//! Checks on input that every entry point shares: text lengths, money and quantity bounds.

use crate::error::{CoreError, Result};

/// Highest price or payment accepted for one item: 10 million pesos. Far above any real play
/// centre price, low enough that totals of many items can never overflow `i64`.
pub const MAX_AMOUNT_CENTS: i64 = 1_000_000_000;
pub const MAX_QUANTITY: i64 = 999;
pub const MAX_NAME_LEN: usize = 120;
pub const MAX_TEXT_LEN: usize = 2_000;

/// A trimmed, non-empty, bounded single-line string without control characters.
pub fn name(field: &str, value: &str) -> Result<String> {
    let v = value.trim();
    if v.is_empty() {
        return Err(CoreError::validation(field, "no puede estar vacío"));
    }
    bounded(field, v, MAX_NAME_LEN, false)
}

/// An optional free text (may be empty), bounded; newlines allowed.
pub fn text(field: &str, value: &str) -> Result<String> {
    bounded(field, value.trim(), MAX_TEXT_LEN, true)
}

/// A short optional single-line string (phone, barcode, category).
pub fn short(field: &str, value: &str) -> Result<String> {
    bounded(field, value.trim(), MAX_NAME_LEN, false)
}

fn bounded(field: &str, v: &str, max: usize, multiline: bool) -> Result<String> {
    if v.chars().count() > max {
        return Err(CoreError::validation(
            field,
            format!("es demasiado largo (máximo {max} caracteres)"),
        ));
    }
    if v.chars()
        .any(|c| c.is_control() && !(multiline && (c == '\n' || c == '\t')))
    {
        return Err(CoreError::validation(
            field,
            "contiene caracteres no permitidos",
        ));
    }
    Ok(v.to_string())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn products_and_sums_refuse_overflow() {
        assert_eq!(times("q", 3, 4).unwrap(), 12);
        assert_eq!(times("q", i64::MAX, 2).unwrap_err().field(), Some("q"));
        assert_eq!(plus("q", i64::MAX, 1).unwrap_err().field(), Some("q"));
        assert_eq!(plus("q", i64::MIN, -1).unwrap_err().field(), Some("q"));
    }
}
