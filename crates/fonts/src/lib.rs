//! The fonts Kidyboard draws with, embedded once: the menu renderer (`kidyboard-media`) and the
//! report files (`kidyboard-exports`) both take them from here, so a binary linking both holds
//! one copy. DejaVu Sans has every Spanish glyph; its licence is in `assets/LICENSE`.

/// DejaVu Sans.
pub const REGULAR_TTF: &[u8] = include_bytes!("../assets/DejaVuSans.ttf");
/// DejaVu Sans Bold.
pub const BOLD_TTF: &[u8] = include_bytes!("../assets/DejaVuSans-Bold.ttf");

#[cfg(test)]
mod tests {
    #[test]
    fn both_faces_are_truetype_files() {
        for face in [super::REGULAR_TTF, super::BOLD_TTF] {
            assert!(face.len() > 100_000, "a whole font, not a stub");
            assert_eq!(&face[..4], &[0, 1, 0, 0], "TrueType signature");
        }
    }
}
