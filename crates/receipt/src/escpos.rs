//! ESC/POS, the command language of nearly every 58/80 mm thermal receipt printer (Epson and
//! the many compatible ones). Printers take single-byte code pages, so text is transcoded; the
//! Spanish letters (á é í ó ú ñ ü ¿ ¡) exist in both pages offered here.

use serde::Deserialize;

use crate::layout::{Align, Line};

const ESC: u8 = 0x1B;
const GS: u8 = 0x1D;
const LF: u8 = 0x0A;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
pub enum Paper {
    /// 58 mm roll: 32 columns in the standard font.
    #[serde(rename = "58")]
    Mm58,
    /// 80 mm roll: 48 columns in the standard font.
    #[serde(rename = "80")]
    #[default]
    Mm80,
}

impl Paper {
    pub fn columns(self) -> usize {
        match self {
            Paper::Mm58 => 32,
            Paper::Mm80 => 48,
        }
    }
}

/// The printer's character table, selected with `ESC t n`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum CodePage {
    /// PC850 (Multilingual), page 2: present on practically every ESC/POS printer.
    #[default]
    Cp850,
    /// Windows-1252, page 16: has the euro sign; on most Epson-compatible printers.
    Wpc1252,
}

impl CodePage {
    fn number(self) -> u8 {
        match self {
            CodePage::Cp850 => 2,
            CodePage::Wpc1252 => 16,
        }
    }

    /// One byte per character; what the page cannot show becomes `?`.
    pub fn encode(self, text: &str) -> Vec<u8> {
        text.chars().map(|c| self.byte(c)).collect()
    }

    fn byte(self, c: char) -> u8 {
        let code = c as u32;
        if code < 0x80 {
            // Control characters would be read as printer commands.
            return if code < 0x20 { b' ' } else { code as u8 };
        }
        match self {
            CodePage::Cp850 => match code {
                0xA0..=0xFF => CP850_FROM_LATIN1[(code - 0xA0) as usize],
                _ => b'?',
            },
            CodePage::Wpc1252 => match code {
                0xA0..=0xFF => code as u8,
                0x20AC => 0x80, // €
                0x2018 => 0x91,
                0x2019 => 0x92,
                0x201C => 0x93,
                0x201D => 0x94,
                0x2022 => 0x95,
                0x2013 => 0x96,
                0x2014 => 0x97,
                _ => b'?',
            },
        }
    }
}

/// Code page 850 for U+00A0..=U+00FF (every Latin-1 letter is in it, at other places).
const CP850_FROM_LATIN1: [u8; 96] = [
    0xFF, 0xAD, 0xBD, 0x9C, 0xCF, 0xBE, 0xDD, 0xF5, 0xF9, 0xB8, 0xA6, 0xAE, 0xAA, 0xF0, 0xA9, 0xEE,
    0xF8, 0xF1, 0xFD, 0xFC, 0xEF, 0xE6, 0xF4, 0xFA, 0xF7, 0xFB, 0xA7, 0xAF, 0xAC, 0xAB, 0xF3, 0xA8,
    0xB7, 0xB5, 0xB6, 0xC7, 0x8E, 0x8F, 0x92, 0x80, 0xD4, 0x90, 0xD2, 0xD3, 0xDE, 0xD6, 0xD7, 0xD8,
    0xD1, 0xA5, 0xE3, 0xE0, 0xE2, 0xE5, 0x99, 0x9E, 0x9D, 0xEB, 0xE9, 0xEA, 0x9A, 0xED, 0xE8, 0xE1,
    0x85, 0xA0, 0x83, 0xC6, 0x84, 0x86, 0x91, 0x87, 0x8A, 0x82, 0x88, 0x89, 0x8D, 0xA1, 0x8C, 0x8B,
    0xD0, 0xA4, 0x95, 0xA2, 0x93, 0xE4, 0x94, 0xF6, 0x9B, 0x97, 0xA3, 0x96, 0x81, 0xEC, 0xE7, 0x98,
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct EscPosOptions {
    pub paper: Paper,
    pub code_page: CodePage,
    /// Cut the paper at the end (printers without a cutter ignore it).
    pub cut: bool,
    /// Open the cash drawer wired to the printer (pin 2).
    pub open_drawer: bool,
    /// Blank lines fed before the cut so the last line clears the tear bar.
    pub feed_lines: u8,
}

impl Default for EscPosOptions {
    fn default() -> Self {
        EscPosOptions {
            paper: Paper::Mm80,
            code_page: CodePage::Cp850,
            cut: true,
            open_drawer: false,
            feed_lines: 3,
        }
    }
}

/// The bytes of a whole receipt.
pub fn encode(lines: &[Line], options: &EscPosOptions) -> Vec<u8> {
    let mut out = Vec::with_capacity(64 + lines.len() * (options.paper.columns() + 8));
    out.extend([ESC, b'@']); // initialise: clears styles left by a previous job
    out.extend([ESC, b't', options.code_page.number()]);
    let (mut align, mut bold, mut large) = (Align::Left, false, false);
    for line in lines {
        if line.align != align {
            align = line.align;
            out.extend([ESC, b'a', if align == Align::Center { 1 } else { 0 }]);
        }
        if line.bold != bold {
            bold = line.bold;
            out.extend([ESC, b'E', u8::from(bold)]);
        }
        if line.large != large {
            large = line.large;
            // GS ! n: high nibble = width multiplier − 1, low nibble = height multiplier − 1.
            out.extend([GS, b'!', if large { 0x11 } else { 0x00 }]);
        }
        out.extend(options.code_page.encode(&line.text));
        out.push(LF);
    }
    if large {
        out.extend([GS, b'!', 0x00]);
    }
    if bold {
        out.extend([ESC, b'E', 0]);
    }
    if align != Align::Left {
        out.extend([ESC, b'a', 0]);
    }
    out.extend([ESC, b'd', options.feed_lines]);
    if options.cut {
        out.extend([GS, b'V', 66, 0]); // feed to the cutter, then partial cut
    }
    if options.open_drawer {
        out.extend([ESC, b'p', 0, 25, 250]); // pin 2, 50 ms on, 500 ms off
    }
    out
}

/// The same receipt as plain text, for a system printer that is not a receipt printer.
pub fn plain_text(lines: &[Line], columns: usize) -> String {
    let mut out = String::new();
    for line in lines {
        let width = if line.large { columns / 2 } else { columns };
        let pad = match line.align {
            Align::Center => width.saturating_sub(line.text.chars().count()) / 2,
            Align::Left => 0,
        };
        out.push_str(&" ".repeat(pad));
        out.push_str(&line.text);
        out.push('\n');
    }
    out
}
