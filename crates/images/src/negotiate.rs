//! Picks the output format from the `Accept` header (AVIF, then WebP, then JPEG), and the
//! response headers the hub sets verbatim.

use crate::format::Format;

/// `Cache-Control` for variants: their URL names the content hash, so they never change.
pub const CACHE_CONTROL: &str = "public, max-age=31536000, immutable";
/// `Vary` for variants: the same URL answers different bytes for different `Accept` headers.
pub const VARY: &str = "Accept";

/// The format to serve. An explicit `requested` format (e.g. `?format=jpeg`) wins; otherwise
/// AVIF if the client lists `image/avif`, else WebP if it lists `image/webp`, else JPEG.
/// Wildcards (`*/*`, `image/*`) do not count as AVIF/WebP support: plenty of clients that
/// send them cannot decode either, and JPEG always works. `q=0` means "not acceptable".
pub fn negotiate(accept: Option<&str>, requested: Option<Format>) -> Format {
    if let Some(format) = requested {
        return format;
    }
    let accept = accept.unwrap_or("");
    let accepts = |media: &str| {
        accept.split(',').any(|range| {
            let mut parts = range.split(';');
            let type_matches = parts
                .next()
                .map(|t| t.trim().eq_ignore_ascii_case(media))
                .unwrap_or(false);
            type_matches && quality(parts) > 0.0
        })
    };
    if accepts("image/avif") {
        Format::Avif
    } else if accepts("image/webp") {
        Format::WebP
    } else {
        Format::Jpeg
    }
}

/// The `q` parameter of a media range, 1 when absent or unreadable.
fn quality<'a>(params: impl Iterator<Item = &'a str>) -> f32 {
    for param in params {
        if let Some((key, value)) = param.split_once('=') {
            if key.trim().eq_ignore_ascii_case("q") {
                return value.trim().parse::<f32>().unwrap_or(1.0);
            }
        }
    }
    1.0
}

/// True when an `If-None-Match` header matches the strong `etag` (answer 304 then).
pub fn etag_matches(if_none_match: &str, etag: &str) -> bool {
    if_none_match.trim() == "*"
        || if_none_match
            .split(',')
            .map(|t| t.trim().trim_start_matches("W/"))
            .any(|t| t == etag)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHROME: &str = "image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8";
    const SAFARI_15: &str =
        "image/webp,image/png,image/svg+xml,image/*;q=0.8,video/*;q=0.8,*/*;q=0.5";
    const FIREFOX: &str = "image/avif,image/webp,*/*";
    const OLD: &str = "image/png,image/*;q=0.8,*/*;q=0.5";

    #[test]
    fn each_browser_gets_the_best_format_it_lists() {
        assert_eq!(negotiate(Some(CHROME), None), Format::Avif);
        assert_eq!(negotiate(Some(FIREFOX), None), Format::Avif);
        assert_eq!(negotiate(Some(SAFARI_15), None), Format::WebP);
        assert_eq!(negotiate(Some(OLD), None), Format::Jpeg);
        assert_eq!(negotiate(Some("*/*"), None), Format::Jpeg);
        assert_eq!(negotiate(None, None), Format::Jpeg);
        assert_eq!(negotiate(Some(""), None), Format::Jpeg);
    }

    #[test]
    fn q_zero_refuses_and_case_and_spaces_do_not_matter() {
        assert_eq!(
            negotiate(Some("image/avif;q=0, image/webp"), None),
            Format::WebP
        );
        assert_eq!(
            negotiate(Some("image/avif; q=0.0, image/webp;q=0"), None),
            Format::Jpeg
        );
        assert_eq!(negotiate(Some(" IMAGE/AVIF ; q=0.5"), None), Format::Avif);
    }

    #[test]
    fn an_explicit_format_wins() {
        assert_eq!(negotiate(Some(CHROME), Some(Format::Jpeg)), Format::Jpeg);
        assert_eq!(negotiate(None, Some(Format::Avif)), Format::Avif);
    }

    #[test]
    fn etags_match_strongly_or_by_star() {
        let etag = "\"abc\"";
        assert!(etag_matches("\"abc\"", etag));
        assert!(etag_matches("\"x\", \"abc\"", etag));
        assert!(etag_matches("*", etag));
        assert!(!etag_matches("\"abd\"", etag));
    }
}
