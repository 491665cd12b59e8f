//! Prices as text: integer centavos in, `"$1,234.50"` out. Never floating point.

use serde::{Deserialize, Serialize};

use kidyboard_core::money::group_thousands;

use crate::error::{MediaError, Result};

/// When the cents part is printed.
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ShowCents {
    /// `$45.00`
    #[default]
    Always,
    /// `$45` but `$45.50`
    WhenNonZero,
    /// `$46` (rounded half away from zero)
    Never,
}

/// How prices are written. The default is Mexican pesos as printed in Mexico: `$1,234.50`.
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CurrencyFormat {
    pub symbol: String,
    pub thousands_separator: String,
    pub decimal_separator: String,
    pub cents: ShowCents,
    /// Appended after the number, e.g. `" MXN"`.
    pub suffix: String,
}

impl Default for CurrencyFormat {
    fn default() -> Self {
        Self {
            symbol: "$".to_string(),
            thousands_separator: ",".to_string(),
            decimal_separator: ".".to_string(),
            cents: ShowCents::Always,
            suffix: String::new(),
        }
    }
}

impl CurrencyFormat {
    pub(crate) fn validate(&self) -> Result<()> {
        for (field, v, max) in [
            ("currency.symbol", &self.symbol, 8),
            ("currency.thousands_separator", &self.thousands_separator, 2),
            ("currency.decimal_separator", &self.decimal_separator, 2),
            ("currency.suffix", &self.suffix, 8),
        ] {
            if v.chars().count() > max || v.chars().any(char::is_control) {
                return Err(MediaError::design(
                    field,
                    format!("at most {max} printable characters"),
                ));
            }
        }
        if self.decimal_separator.is_empty() && self.cents != ShowCents::Never {
            return Err(MediaError::design(
                "currency.decimal_separator",
                "must not be empty when cents are shown",
            ));
        }
        Ok(())
    }

    /// Formats integer centavos: `format(123450)` is `"$1,234.50"` with the defaults.
    pub fn format(&self, cents: i64) -> String {
        let negative = cents < 0;
        let abs = cents.unsigned_abs();
        let (units, frac) = match self.cents {
            ShowCents::Never => ((abs + 50) / 100, None),
            ShowCents::WhenNonZero if abs.is_multiple_of(100) => (abs / 100, None),
            _ => (abs / 100, Some(abs % 100)),
        };
        let grouped = group_thousands(units, &self.thousands_separator);
        let mut out = String::new();
        if negative {
            out.push('-');
        }
        out.push_str(&self.symbol);
        out.push_str(&grouped);
        if let Some(f) = frac {
            out.push_str(&self.decimal_separator);
            out.push_str(&format!("{f:02}"));
        }
        out.push_str(&self.suffix);
        out
    }
}

/// Formats centavos as Mexican pesos: `format_mxn(123450) == "$1,234.50"`. The core's own
/// formatter: receipts, messages and the default menu format print amounts identically.
pub use kidyboard_core::money::format_mxn;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mxn_examples() {
        for (cents, want) in [
            (0, "$0.00"),
            (5, "$0.05"),
            (4500, "$45.00"),
            (123450, "$1,234.50"),
            (100000000, "$1,000,000.00"),
            (-123450, "-$1,234.50"),
            (i64::MIN, "-$92,233,720,368,547,758.08"),
        ] {
            assert_eq!(format_mxn(cents), want, "format_mxn({cents})");
        }
    }

    #[test]
    fn default_format_is_the_cores_mxn() {
        for cents in [0, 5, 4500, 123450, -99, i64::MAX] {
            assert_eq!(CurrencyFormat::default().format(cents), format_mxn(cents));
        }
    }

    #[test]
    fn cents_modes_and_suffix() {
        let mut f = CurrencyFormat {
            suffix: " MXN".into(),
            ..Default::default()
        };
        f.cents = ShowCents::WhenNonZero;
        assert_eq!(f.format(4500), "$45 MXN");
        assert_eq!(f.format(4550), "$45.50 MXN");
        f.cents = ShowCents::Never;
        assert_eq!(f.format(4550), "$46 MXN");
        assert_eq!(f.format(4549), "$45 MXN");
    }

    #[test]
    fn formatted_digits_equal_the_centavos() {
        // Property over a spread of values: stripping separators gives back the exact integer.
        let mut x: i64 = 1;
        while x < i64::MAX / 7 {
            for v in [x, x + 99, -x] {
                let s = format_mxn(v).replace(['$', ',', '.'], "");
                assert_eq!(s.parse::<i64>().ok(), Some(v), "round trip of {v}");
            }
            x = x * 7 + 3;
        }
    }
}
