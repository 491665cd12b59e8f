//! What the menu shows, taken live from the catalogue by the hub at export time.

use base64::Engine as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::{MediaError, Result};

/// An encoded picture (JPEG, PNG or WebP) exactly as stored; base64 in JSON.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct ImageBytes(pub Vec<u8>);

impl std::fmt::Debug for ImageBytes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ImageBytes({} bytes)", self.0.len())
    }
}

impl From<Vec<u8>> for ImageBytes {
    fn from(v: Vec<u8>) -> Self {
        Self(v)
    }
}

impl Serialize for ImageBytes {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(&base64::engine::general_purpose::STANDARD.encode(&self.0))
    }
}

impl<'de> Deserialize<'de> for ImageBytes {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        base64::engine::general_purpose::STANDARD
            .decode(s.as_bytes())
            .map(Self)
            .map_err(|e| serde::de::Error::custom(format!("image must be base64: {e}")))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct MenuItem {
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// Integer centavos, from the catalogue at export time.
    pub price_cents: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<ImageBytes>,
}

/// A category: "Tiempo de juego", "Paquetes", "Snacks", "Bebidas"…
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Section {
    pub title: String,
    #[serde(default)]
    pub items: Vec<MenuItem>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct MenuContent {
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logo: Option<ImageBytes>,
    #[serde(default)]
    pub sections: Vec<Section>,
}

const MAX_TEXT: usize = 2000;

impl MenuContent {
    /// Checks the content; the error names the field, e.g. `sections[1].items[4].price_cents`.
    pub fn validate(&self) -> Result<()> {
        text("title", &self.title, true)?;
        for (s, section) in self.sections.iter().enumerate() {
            text(&format!("sections[{s}].title"), &section.title, true)?;
            for (i, item) in section.items.iter().enumerate() {
                let at = format!("sections[{s}].items[{i}]");
                text(&format!("{at}.name"), &item.name, true)?;
                text(&format!("{at}.description"), &item.description, false)?;
                if item.price_cents < 0 {
                    return Err(MediaError::content(
                        format!("{at}.price_cents"),
                        "must not be negative",
                    ));
                }
            }
        }
        Ok(())
    }

    /// Number of items over all sections.
    pub fn item_count(&self) -> usize {
        self.sections.iter().map(|s| s.items.len()).sum()
    }
}

fn text(field: &str, v: &str, required: bool) -> Result<()> {
    if required && v.trim().is_empty() {
        return Err(MediaError::content(field, "must not be empty"));
    }
    if v.chars().count() > MAX_TEXT {
        return Err(MediaError::content(
            field,
            format!("at most {MAX_TEXT} characters"),
        ));
    }
    if v.chars().any(|c| c.is_control() && c != '\n') {
        return Err(MediaError::content(
            field,
            "must not contain control characters",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_round_trips_and_validates() {
        let c = MenuContent {
            title: "Menú".into(),
            logo: Some(ImageBytes(vec![0, 1, 2])),
            sections: vec![Section {
                title: "Bebidas".into(),
                items: vec![MenuItem {
                    name: "Jugo".into(),
                    price_cents: 3500,
                    ..Default::default()
                }],
            }],
        };
        let json = serde_json::to_string(&c).expect("serialise");
        let back: MenuContent = serde_json::from_str(&json).expect("parse");
        assert_eq!(back, c);
        c.validate().expect("valid content");
    }

    #[test]
    fn negative_price_names_the_item() {
        let mut c = MenuContent {
            title: "M".into(),
            ..Default::default()
        };
        c.sections.push(Section {
            title: "S".into(),
            items: vec![MenuItem {
                name: "a".into(),
                price_cents: -1,
                ..Default::default()
            }],
        });
        match c.validate() {
            Err(MediaError::InvalidContent { field, .. }) => {
                assert_eq!(field, "sections[0].items[0].price_cents")
            }
            other => panic!("expected InvalidContent, got {other:?}"),
        }
    }
}
