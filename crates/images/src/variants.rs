//! The fixed set of widths we generate ahead of time: one per place a picture appears in the
//! UI, and twice that for high-DPI screens. Requests snap *up* to the nearest preset, so a
//! client cannot fill the cache with a thousand arbitrary widths, and every width a screen
//! asks for was already prepared by prefetch.

use crate::error::{Error, Result};

/// Where a picture is shown, with its CSS-pixel width.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Preset {
    pub name: &'static str,
    /// Width at 1× (CSS pixels).
    pub width: u32,
}

/// The places pictures appear.
pub const PRESETS: [Preset; 4] = [
    Preset {
        name: "thumbnail",
        width: 160,
    },
    Preset {
        name: "card",
        width: 400,
    },
    Preset {
        name: "menu",
        width: 960,
    },
    Preset {
        name: "fullscreen",
        width: 1920,
    },
];

/// Every width we generate: each preset at 1× and 2×, ascending, without repeats
/// (menu 2× and fullscreen 1× are both 1920).
pub const WIDTHS: [u32; 7] = [160, 320, 400, 800, 960, 1920, 3840];

/// The widest variant (fullscreen at 2×, a 4K screen).
pub const MAX_WIDTH: u32 = 3840;

/// The preset width a request is served at: the smallest preset at least as wide.
pub fn snap_width(requested: u32) -> Result<u32> {
    WIDTHS
        .iter()
        .copied()
        .find(|&w| w >= requested && requested > 0)
        .ok_or(Error::InvalidWidth(requested))
}

/// The preset widths worth generating for a picture `original_width` wide: those narrower than
/// the picture, plus one at the picture's own width (all wider presets would be identical).
pub fn widths_for(original_width: u32) -> Vec<u32> {
    let mut widths: Vec<u32> = WIDTHS
        .iter()
        .copied()
        .filter(|&w| w < original_width)
        .collect();
    if let Some(first_wider) = WIDTHS.iter().copied().find(|&w| w >= original_width) {
        widths.push(first_wider);
    }
    widths
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_are_each_preset_at_1x_and_2x() {
        let mut expected: Vec<u32> = PRESETS
            .iter()
            .flat_map(|p| [p.width, p.width * 2])
            .collect();
        expected.sort_unstable();
        expected.dedup();
        assert_eq!(expected, WIDTHS.to_vec());
        assert_eq!(WIDTHS.last().copied(), Some(MAX_WIDTH));
    }

    #[test]
    fn requests_snap_up_to_a_preset() {
        assert_eq!(snap_width(1).ok(), Some(160));
        assert_eq!(snap_width(160).ok(), Some(160));
        assert_eq!(snap_width(161).ok(), Some(320));
        assert_eq!(snap_width(3840).ok(), Some(3840));
        assert_eq!(snap_width(3841).unwrap_err().code(), "invalid_width");
        assert_eq!(snap_width(0).unwrap_err().code(), "invalid_width");
    }

    #[test]
    fn small_pictures_get_no_identical_wide_variants() {
        assert_eq!(widths_for(600), vec![160, 320, 400, 800]);
        assert_eq!(widths_for(100), vec![160]);
        assert_eq!(widths_for(5000), WIDTHS.to_vec());
    }
}
