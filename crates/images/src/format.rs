//! The output formats we serve, with their media types and file extensions.

use std::str::FromStr;

use crate::error::Error;

/// An output format. Ordered from smallest bytes at equal quality to most widely supported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Format {
    Avif,
    WebP,
    Jpeg,
}

impl Format {
    /// Every output format, in preference order.
    pub const ALL: [Format; 3] = [Format::Avif, Format::WebP, Format::Jpeg];

    /// The `Content-Type` to serve.
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Avif => "image/avif",
            Format::WebP => "image/webp",
            Format::Jpeg => "image/jpeg",
        }
    }

    /// The file extension (also the name used in URLs and on the command line).
    pub fn extension(self) -> &'static str {
        match self {
            Format::Avif => "avif",
            Format::WebP => "webp",
            Format::Jpeg => "jpg",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Format::Avif => "avif",
            Format::WebP => "webp",
            Format::Jpeg => "jpeg",
        }
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Format {
    type Err = Error;

    /// Accepts `avif`, `webp`, `jpeg`/`jpg`, in any case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "avif" => Ok(Format::Avif),
            "webp" => Ok(Format::WebP),
            "jpeg" | "jpg" => Ok(Format::Jpeg),
            _ => Err(Error::InvalidFormat(s.chars().take(32).collect())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for f in Format::ALL {
            assert_eq!(f.name().parse::<Format>().ok(), Some(f));
            assert_eq!(f.extension().parse::<Format>().ok(), Some(f));
        }
        assert_eq!(
            "gif".parse::<Format>().unwrap_err().code(),
            "invalid_format"
        );
    }
}
