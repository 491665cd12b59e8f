//! The YuNet face detector (opencv_zoo, 2023mar) on ONNX Runtime: letterboxing a frame into the
//! model's input, running it, and decoding its per-stride outputs into face boxes.
//!
//! YuNet's outputs per stride s ∈ {8, 16, 32}, one row per grid cell (row-major):
//! `cls_s`, `obj_s` (N×1), `bbox_s` (N×4: dx, dy, log w, log h, in strides) and `kps_s` (N×10,
//! five landmarks). The score is √(cls·obj), as in OpenCV's `FaceDetectorYN`.

use std::time::{Duration, Instant};

use ort::session::builder::GraphOptimizationLevel;
use ort::session::Session;
use ort::value::TensorRef;

use crate::error::{Result, VisionError};
use crate::frame::Frame;
use crate::runtime::{self, ModelPaths};

const STRIDES: [usize; 3] = [8, 16, 32];

/// A face box in frame pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Detection {
    pub x: f32,
    pub y: f32,
    pub w: f32,
    pub h: f32,
    pub score: f32,
    /// Right eye, left eye, nose tip, right and left mouth corners.
    pub landmarks: [(f32, f32); 5],
}

impl Detection {
    pub fn area(&self) -> f32 {
        self.w.max(0.0) * self.h.max(0.0)
    }

    pub fn iou(&self, o: &Detection) -> f32 {
        iou(self.x, self.y, self.w, self.h, o.x, o.y, o.w, o.h)
    }

    pub fn center(&self) -> (f32, f32) {
        (self.x + self.w / 2.0, self.y + self.h / 2.0)
    }
}

/// Intersection over union of two boxes given as x, y, w, h.
#[allow(clippy::too_many_arguments)]
pub fn iou(ax: f32, ay: f32, aw: f32, ah: f32, bx: f32, by: f32, bw: f32, bh: f32) -> f32 {
    let ix = ((ax + aw).min(bx + bw) - ax.max(bx)).max(0.0);
    let iy = ((ay + ah).min(by + bh) - ay.max(by)).max(0.0);
    let inter = ix * iy;
    let union = aw.max(0.0) * ah.max(0.0) + bw.max(0.0) * bh.max(0.0) - inter;
    if union > 0.0 {
        inter / union
    } else {
        0.0
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DetectorOptions {
    /// Faces scoring below this are dropped (OpenCV's default for YuNet is 0.9).
    pub score_threshold: f32,
    /// Boxes overlapping a better one by more than this IoU are dropped.
    pub nms_threshold: f32,
    /// ONNX Runtime threads for one inference.
    pub threads: usize,
}

impl Default for DetectorOptions {
    fn default() -> Self {
        DetectorOptions {
            score_threshold: 0.8,
            nms_threshold: 0.3,
            // One thread already gives ~26 fps at 640×480 (see the bench) and leaves the other
            // cores to the totem's menu player; more threads lose to contention on a busy CPU.
            threads: 1,
        }
    }
}

/// Time spent in each stage of one detection.
#[derive(Debug, Clone, Copy, Default)]
pub struct StageTimes {
    pub preprocess: Duration,
    pub inference: Duration,
    pub postprocess: Duration,
}

pub struct FaceDetector {
    session: Session,
    input_name: String,
    width: usize,
    height: usize,
    options: DetectorOptions,
    input: Vec<f32>,
}

impl FaceDetector {
    /// Loads ONNX Runtime and the model; a missing or broken file is a `VisionError::Model`.
    pub fn load(paths: &ModelPaths, options: DetectorOptions) -> Result<FaceDetector> {
        paths.check()?;
        let env = runtime::environment(&paths.ort_lib)?;
        let model = |e: String| {
            VisionError::Model(format!(
                "cannot load the face model {}: {e}",
                paths.model.display()
            ))
        };
        let session = Session::builder(&env)?
            .with_optimization_level(GraphOptimizationLevel::Level3)
            .map_err(|e| model(e.to_string()))?
            .with_intra_threads(options.threads.max(1))
            .map_err(|e| model(e.to_string()))?
            .commit_from_file(&paths.model)
            .map_err(|e| model(e.to_string()))?;
        let input = session
            .inputs()
            .first()
            .ok_or_else(|| model("the model has no input".into()))?;
        let input_name = input.name().to_string();
        let dims: Vec<i64> = input
            .dtype()
            .tensor_shape()
            .map(|s| s.iter().copied().collect())
            .unwrap_or_default();
        // Fixed NCHW input (the shipped model is 1×3×640×640); a dynamic one gets 640×640.
        let side = |d: Option<&i64>| d.copied().filter(|v| *v > 0).unwrap_or(640) as usize;
        let (height, width) = (side(dims.get(2)), side(dims.get(3)));
        for name in ["cls_8", "obj_8", "bbox_8", "kps_8"] {
            if !session.outputs().iter().any(|o| o.name() == name) {
                return Err(model(format!(
                    "output {name} is missing: not a YuNet model"
                )));
            }
        }
        if width % 32 != 0 || height % 32 != 0 {
            return Err(model(format!(
                "input {width}×{height} is not a multiple of 32"
            )));
        }
        Ok(FaceDetector {
            session,
            input_name,
            width,
            height,
            options,
            input: vec![0.0; 3 * width * height],
        })
    }

    pub fn input_size(&self) -> (usize, usize) {
        (self.width, self.height)
    }

    pub fn detect(&mut self, frame: &Frame) -> Result<Vec<Detection>> {
        self.detect_timed(frame).map(|(d, _)| d)
    }

    pub fn detect_timed(&mut self, frame: &Frame) -> Result<(Vec<Detection>, StageTimes)> {
        let t0 = Instant::now();
        let scale = letterbox(frame, &mut self.input, self.width, self.height);
        let t1 = Instant::now();
        let tensor =
            TensorRef::from_array_view(([1usize, 3, self.height, self.width], &self.input[..]))?;
        let outputs = self
            .session
            .run(ort::inputs![self.input_name.as_str() => tensor])?;
        let t2 = Instant::now();
        let mut candidates = Vec::new();
        for stride in STRIDES {
            let get = |name: String| -> Result<&[f32]> {
                let value = outputs
                    .get(&name)
                    .ok_or_else(|| VisionError::Model(format!("the model gave no {name}")))?;
                Ok(value.try_extract_tensor::<f32>()?.1)
            };
            let cls = get(format!("cls_{stride}"))?;
            let obj = get(format!("obj_{stride}"))?;
            let bbox = get(format!("bbox_{stride}"))?;
            let kps = get(format!("kps_{stride}"))?;
            decode_stride(
                stride,
                self.width / stride,
                self.height / stride,
                [cls, obj, bbox, kps],
                self.options.score_threshold,
                &mut candidates,
            );
        }
        drop(outputs);
        let mut faces = nms(candidates, self.options.nms_threshold);
        // Back from model pixels to frame pixels, clipped to the frame.
        let (fw, fh) = (frame.width as f32, frame.height as f32);
        for f in &mut faces {
            f.x /= scale;
            f.y /= scale;
            f.w /= scale;
            f.h /= scale;
            for p in &mut f.landmarks {
                p.0 /= scale;
                p.1 /= scale;
            }
            let (x2, y2) = ((f.x + f.w).min(fw), (f.y + f.h).min(fh));
            f.x = f.x.max(0.0);
            f.y = f.y.max(0.0);
            f.w = x2 - f.x;
            f.h = y2 - f.y;
        }
        faces.retain(|f| f.w > 1.0 && f.h > 1.0);
        let t3 = Instant::now();
        Ok((
            faces,
            StageTimes {
                preprocess: t1 - t0,
                inference: t2 - t1,
                postprocess: t3 - t2,
            },
        ))
    }
}

/// Scales the frame (keeping its aspect ratio) into the top-left of a `w`×`h` planar BGR float
/// tensor — YuNet takes raw 0–255 BGR values — and pads the rest with zeros. Returns the scale.
pub fn letterbox(frame: &Frame, out: &mut [f32], w: usize, h: usize) -> f32 {
    let scale = (w as f32 / frame.width as f32).min(h as f32 / frame.height as f32);
    let sw = ((frame.width as f32 * scale).round() as usize).clamp(1, w);
    let sh = ((frame.height as f32 * scale).round() as usize).clamp(1, h);
    out.fill(0.0);
    let plane = w * h;
    let (b, rest) = out.split_at_mut(plane);
    let (g, r) = rest.split_at_mut(plane);
    let src_w = frame.width as usize;
    if sw == src_w && sh == frame.height as usize {
        // Same size (a 640×480 camera into 640×640): a straight copy, no resampling.
        for y in 0..sh {
            let row = &frame.rgb[y * src_w * 3..(y + 1) * src_w * 3];
            for (x, px) in row.chunks_exact(3).enumerate() {
                let i = y * w + x;
                r[i] = px[0] as f32;
                g[i] = px[1] as f32;
                b[i] = px[2] as f32;
            }
        }
        return scale;
    }
    // Bilinear sampling at pixel centres.
    let (max_x, max_y) = (frame.width as f32 - 1.0, frame.height as f32 - 1.0);
    for y in 0..sh {
        let fy = ((y as f32 + 0.5) / scale - 0.5).clamp(0.0, max_y);
        let y0 = fy.floor() as usize;
        let y1 = (y0 + 1).min(frame.height as usize - 1);
        let wy = fy - y0 as f32;
        for x in 0..sw {
            let fx = ((x as f32 + 0.5) / scale - 0.5).clamp(0.0, max_x);
            let x0 = fx.floor() as usize;
            let x1 = (x0 + 1).min(src_w - 1);
            let wx = fx - x0 as f32;
            let at = |xx: usize, yy: usize, c: usize| frame.rgb[(yy * src_w + xx) * 3 + c] as f32;
            let i = y * w + x;
            for (c, plane) in [(0, &mut *r), (1, &mut *g), (2, &mut *b)] {
                let top = at(x0, y0, c) * (1.0 - wx) + at(x1, y0, c) * wx;
                let bottom = at(x0, y1, c) * (1.0 - wx) + at(x1, y1, c) * wx;
                plane[i] = top * (1.0 - wy) + bottom * wy;
            }
        }
    }
    scale
}

/// Turns one stride's outputs into candidate faces (model pixels) above the threshold.
fn decode_stride(
    stride: usize,
    cols: usize,
    rows: usize,
    [cls, obj, bbox, kps]: [&[f32]; 4],
    threshold: f32,
    out: &mut Vec<Detection>,
) {
    let n = cols * rows;
    if cls.len() < n || obj.len() < n || bbox.len() < n * 4 || kps.len() < n * 10 {
        return;
    }
    let s = stride as f32;
    for idx in 0..n {
        let score = (cls[idx].clamp(0.0, 1.0) * obj[idx].clamp(0.0, 1.0)).sqrt();
        if score < threshold {
            continue;
        }
        let (c, r) = ((idx % cols) as f32, (idx / cols) as f32);
        let b = &bbox[idx * 4..idx * 4 + 4];
        let (cx, cy) = ((c + b[0]) * s, (r + b[1]) * s);
        let (w, h) = (b[2].exp() * s, b[3].exp() * s);
        let k = &kps[idx * 10..idx * 10 + 10];
        let mut landmarks = [(0.0, 0.0); 5];
        for (i, p) in landmarks.iter_mut().enumerate() {
            *p = ((k[2 * i] + c) * s, (k[2 * i + 1] + r) * s);
        }
        out.push(Detection {
            x: cx - w / 2.0,
            y: cy - h / 2.0,
            w,
            h,
            score,
            landmarks,
        });
    }
}

/// Greedy non-maximum suppression, best score first.
pub fn nms(mut candidates: Vec<Detection>, threshold: f32) -> Vec<Detection> {
    candidates.sort_by(|a, b| b.score.total_cmp(&a.score));
    let mut kept: Vec<Detection> = Vec::new();
    for c in candidates {
        if kept.iter().all(|k| k.iou(&c) <= threshold) {
            kept.push(c);
        }
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    fn det(x: f32, y: f32, w: f32, h: f32, score: f32) -> Detection {
        Detection {
            x,
            y,
            w,
            h,
            score,
            landmarks: [(0.0, 0.0); 5],
        }
    }

    #[test]
    fn nms_keeps_the_best_of_overlapping_boxes_and_distinct_ones() {
        let kept = nms(
            vec![
                det(0.0, 0.0, 10.0, 10.0, 0.8),
                det(1.0, 1.0, 10.0, 10.0, 0.95),
                det(50.0, 50.0, 10.0, 10.0, 0.9),
            ],
            0.3,
        );
        assert_eq!(kept.len(), 2);
        assert_eq!(kept[0].score, 0.95);
        assert_eq!(kept[1].x, 50.0);
    }

    #[test]
    fn iou_of_identical_disjoint_and_half_overlapping_boxes() {
        assert_eq!(iou(0.0, 0.0, 10.0, 10.0, 0.0, 0.0, 10.0, 10.0), 1.0);
        assert_eq!(iou(0.0, 0.0, 10.0, 10.0, 20.0, 0.0, 10.0, 10.0), 0.0);
        let half = iou(0.0, 0.0, 10.0, 10.0, 5.0, 0.0, 10.0, 10.0);
        assert!((half - 50.0 / 150.0).abs() < 1e-6, "{half}");
    }

    #[test]
    fn letterbox_copies_a_same_width_frame_as_bgr_and_pads_below() {
        let mut rgb = vec![0u8; 64 * 48 * 3];
        rgb[0..3].copy_from_slice(&[10, 20, 30]);
        let frame = Frame::new(64, 48, rgb, 0).expect("frame");
        let mut out = vec![1.0; 3 * 64 * 64];
        let scale = letterbox(&frame, &mut out, 64, 64);
        assert_eq!(scale, 1.0);
        let plane = 64 * 64;
        assert_eq!(
            (out[0], out[plane], out[2 * plane]),
            (30.0, 20.0, 10.0),
            "B, G, R planes"
        );
        assert_eq!(out[60 * 64], 0.0, "rows below the frame are padding");
    }

    #[test]
    fn decoding_a_cell_puts_the_box_around_its_grid_position() {
        // One 2×2 grid at stride 8; only cell (col 1, row 0) scores.
        let cls = [0.0, 1.0, 0.0, 0.0];
        let obj = [0.0, 0.81, 0.0, 0.0];
        let mut bbox = [0.0f32; 16];
        bbox[4..8].copy_from_slice(&[0.5, 0.5, 0.0, 0.0]); // centre at cell + ½, size = stride
        let kps = [0.0f32; 40];
        let mut out = Vec::new();
        decode_stride(8, 2, 2, [&cls, &obj, &bbox, &kps], 0.5, &mut out);
        assert_eq!(out.len(), 1);
        let d = out[0];
        assert!((d.score - 0.9).abs() < 1e-6);
        assert_eq!((d.x, d.y, d.w, d.h), (8.0, 0.0, 8.0, 8.0));
    }
}
