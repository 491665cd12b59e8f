//! `kidyboard menu …`: list saved designs and export one (PDF, MP4 or PNG) straight from the
//! data dir, no running hub needed. Uses the same content builder and renderer as the hub.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{bail, Context};
use clap::Subcommand;
use kidyboard_core::{menus, Store};

use crate::config::Config;
use crate::menu::{self, ExportFormat, MenuSource};

#[derive(Debug, Subcommand)]
pub enum MenuCommand {
    /// List the branch's saved menu designs.
    List,
    /// Export a saved design with today's catalogue prices.
    Export {
        /// The design's id or exact name.
        #[arg(long)]
        design: String,
        /// pdf, mp4 or png.
        #[arg(long)]
        format: String,
        /// For png: the page or slide (0-based).
        #[arg(long, default_value_t = 0)]
        slide: usize,
        /// Where to write the file.
        #[arg(short = 'o', long = "output")]
        output: PathBuf,
    },
}

pub fn run(config: &Config, store: &Store, command: MenuCommand) -> anyhow::Result<()> {
    let branch = store.branch_id().to_string();
    match command {
        MenuCommand::List => {
            let designs = store.read(|c| menus::list(c, &branch))?;
            if designs.is_empty() {
                println!("no menu designs yet (create one in Administración → Menú)");
            }
            for d in designs {
                let canvas = menu::design_of(&d)
                    .map(|m| format!("{:?}", m.canvas))
                    .unwrap_or_else(|e| format!("invalid: {e}"));
                let totem = if d.on_totem { "  [totem]" } else { "" };
                println!("{}  {}  {canvas}{totem}", d.id, d.name);
            }
            Ok(())
        }
        MenuCommand::Export {
            design,
            format,
            slide,
            output,
        } => {
            let Some(format) = ExportFormat::parse(&format) else {
                bail!("unknown format {format:?}: use pdf, mp4 or png");
            };
            let rec = store
                .read(|c| {
                    if kidyboard_core::ids::is_valid(&design) {
                        menus::get(c, &design)
                    } else {
                        menus::find_by_name(c, &branch, &design)
                    }
                })
                .with_context(|| format!("finding menu design {design:?}"))?;
            let images = kidyboard_images::ImageStore::open(
                config.images_dir(),
                kidyboard_images::StoreConfig::default(),
            )
            .context("opening the image store")?;
            let started = std::time::Instant::now();
            let source = MenuSource::of(&rec)?;
            let snap = menu::snapshot(store, &images, source, menu::export_dpi(format))?;
            let mut last = -1i32;
            let mut progress = |f: f32, stage: &str| {
                let pct = (f * 100.0).floor() as i32;
                if pct != last {
                    last = pct;
                    let _ = write!(std::io::stderr(), "\r{stage:<10} {pct:>3}%");
                }
            };
            let never = std::sync::atomic::AtomicBool::new(false);
            let summary = menu::export(&snap, format, slide, &output, &mut progress, &never)?;
            eprintln!();
            println!(
                "{} → {} in {} ms: {summary}",
                rec.name,
                output.display(),
                started.elapsed().as_millis()
            );
            Ok(())
        }
    }
}
