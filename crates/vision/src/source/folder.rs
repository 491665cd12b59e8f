//! A folder of PNG/JPEG pictures played as frames in file-name order.

use std::path::{Path, PathBuf};

use super::{FrameSource, ReplayClock};
use crate::error::{Result, VisionError};
use crate::frame::Frame;

pub struct FolderSource {
    files: std::vec::IntoIter<PathBuf>,
    clock: ReplayClock,
}

impl FolderSource {
    pub fn open(dir: &Path, clock: ReplayClock) -> Result<FolderSource> {
        let entries = std::fs::read_dir(dir).map_err(|e| {
            VisionError::NoCamera(format!("cannot read the folder {}: {e}", dir.display()))
        })?;
        let mut files: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.extension().and_then(|x| x.to_str()).is_some_and(|x| {
                    matches!(x.to_ascii_lowercase().as_str(), "png" | "jpg" | "jpeg")
                })
            })
            .collect();
        if files.is_empty() {
            return Err(VisionError::NoCamera(format!(
                "the folder {} has no PNG or JPEG pictures",
                dir.display()
            )));
        }
        files.sort();
        Ok(FolderSource {
            files: files.into_iter(),
            clock,
        })
    }
}

impl FrameSource for FolderSource {
    fn next_frame(&mut self) -> Result<Option<Frame>> {
        match self.files.next() {
            Some(path) => Frame::open(&path, self.clock.tick()).map(Some),
            None => Ok(None),
        }
    }
}
