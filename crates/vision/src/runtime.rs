//! Where the ONNX Runtime library and the detector model are, and loading the runtime once per
//! process. `scripts/fetch-vision.sh` puts both in `~/.cache/kidyboard/vision/`; configuration or
//! `KIDYBOARD_ORT_LIB` / `KIDYBOARD_VISION_MODEL` can point elsewhere.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use ort::environment::Environment;

use crate::error::{Result, VisionError};

/// The files the detector needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelPaths {
    /// `libonnxruntime.so` (ONNX Runtime 1.31).
    pub ort_lib: PathBuf,
    /// The YuNet face detector, fp32 ONNX.
    pub model: PathBuf,
}

/// Where `scripts/fetch-vision.sh` puts things, unless `KIDYBOARD_VISION_DIR` says otherwise.
pub fn default_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("KIDYBOARD_VISION_DIR") {
        return PathBuf::from(dir);
    }
    std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("."))
        .join(".cache/kidyboard/vision")
}

impl ModelPaths {
    /// Environment variables first, then the set-up directory.
    pub fn from_env() -> ModelPaths {
        let dir = default_dir();
        ModelPaths {
            ort_lib: std::env::var_os("KIDYBOARD_ORT_LIB")
                .map(PathBuf::from)
                .unwrap_or_else(|| dir.join("libonnxruntime.so")),
            model: std::env::var_os("KIDYBOARD_VISION_MODEL")
                .map(PathBuf::from)
                .unwrap_or_else(|| dir.join("yunet.onnx")),
        }
    }

    /// Both files exist; otherwise a message that says what to run.
    pub fn check(&self) -> Result<()> {
        for (what, path) in [
            ("ONNX Runtime library", &self.ort_lib),
            ("face model", &self.model),
        ] {
            if !path.is_file() {
                return Err(VisionError::Model(format!(
                    "the {what} is missing at {} — run scripts/fetch-vision.sh (or set KIDYBOARD_ORT_LIB / KIDYBOARD_VISION_MODEL)",
                    path.display()
                )));
            }
        }
        Ok(())
    }
}

static ENVIRONMENT: OnceLock<Environment> = OnceLock::new();
static LOADING: Mutex<()> = Mutex::new(());

/// Loads ONNX Runtime from `lib` (once per process; ONNX Runtime allows one environment). A
/// failure is not remembered, so a retry after installing the library succeeds.
pub fn environment(lib: &Path) -> Result<Environment> {
    if let Some(env) = ENVIRONMENT.get() {
        return Ok(env.clone());
    }
    let _guard = LOADING.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(env) = ENVIRONMENT.get() {
        return Ok(env.clone());
    }
    let env = ort::init_from(lib)
        .map_err(|e| {
            VisionError::Model(format!(
                "cannot load ONNX Runtime from {}: {e}",
                lib.display()
            ))
        })?
        .with_name("kidyboard-vision")
        .with_telemetry(false)
        .build()?;
    Ok(ENVIRONMENT.get_or_init(|| env).clone())
}
