//! Receipts for the store's thermal printers, without any GUI: a sale from the hub
//! (`GET /api/v1/sales/{id}`) is laid out into lines ([`layout`]), encoded as ESC/POS for 58 or
//! 80 mm paper ([`escpos`]) or as plain text, and sent to the printer ([`transport`]) over the
//! network (TCP 9100), to a device file (`/dev/usb/lp0`, a serial tty) or through the system
//! printer (`lp`, CUPS).

pub mod escpos;
pub mod layout;
pub mod transport;

pub use escpos::{CodePage, EscPosOptions, Paper};
pub use layout::{Align, Line, ReceiptHeader, SaleReceipt};
pub use transport::{PrintOutcome, Printer, PrinterSettings, PrinterTarget};

#[derive(Debug, thiserror::Error)]
pub enum ReceiptError {
    #[error("the sale could not be read: {0}")]
    Sale(#[from] serde_json::Error),
    #[error("the printer at {target} could not be reached: {source}")]
    Io {
        target: String,
        #[source]
        source: std::io::Error,
    },
    #[error("the system printer refused the job: {0}")]
    System(String),
    #[error("no printer is set up on this device")]
    NoPrinter,
}

impl ReceiptError {
    /// A stable machine-readable code the page can branch on.
    pub fn code(&self) -> &'static str {
        match self {
            ReceiptError::Sale(_) => "invalid_sale",
            ReceiptError::Io { .. } => "printer_unreachable",
            ReceiptError::System(_) => "system_printer_failed",
            ReceiptError::NoPrinter => "no_printer",
        }
    }
}

pub type Result<T, E = ReceiptError> = std::result::Result<T, E>;
