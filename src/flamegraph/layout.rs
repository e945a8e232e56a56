//! Geometry of the graph (docs/flamegraph.md, "Layout").

use super::merge::Frame;
use super::{MinWidth, Options};

/// Horizontal padding, px.
pub const XPAD: f64 = 10.0;
/// Gap between frame rows, px.
pub const FRAMEPAD: f64 = 1.0;

/// The fixed numbers every frame's geometry derives from.
#[derive(Debug, Clone, Copy)]
pub struct Layout {
    /// Image width, px.
    pub width: f64,
    /// Frame row height, px.
    pub frame_height: f64,
    /// Font size, px.
    pub fontsize: f64,
    /// Top padding (title).
    pub ypad1: f64,
    /// Bottom padding (details line).
    pub ypad2: f64,
    /// Extra top padding for a subtitle.
    pub ypad3: f64,
    /// Time units the full width stands for.
    pub timemax: f64,
    /// Pixels per time unit.
    pub width_per_time: f64,
    /// Image height, px (after `set_depth_max`).
    pub image_height: f64,
    /// Icicle layout.
    pub inverted: bool,
}

/// A frame's rectangle in px (unrounded).
#[derive(Debug, Clone, Copy)]
pub struct Rect {
    /// Left edge.
    pub x1: f64,
    /// Right edge.
    pub x2: f64,
    /// Top edge.
    pub y1: f64,
    /// Bottom edge.
    pub y2: f64,
}

impl Layout {
    /// The layout before the image height is known (enough for the minwidth threshold).
    pub fn new(opts: &Options, timemax: f64) -> Layout {
        let fontsize = opts.fontsize;
        let width = opts.width;
        Layout {
            width,
            frame_height: opts.height,
            fontsize,
            ypad1: fontsize * 3.0,
            ypad2: fontsize * 2.0 + 10.0,
            ypad3: fontsize * 2.0,
            timemax,
            width_per_time: (width - 2.0 * XPAD) / timemax,
            image_height: 0.0,
            inverted: opts.inverted,
        }
    }

    /// Frames narrower than this (in time units) are dropped.
    pub fn min_width_time(&self, min_width: MinWidth) -> f64 {
        match min_width {
            MinWidth::Percent(pct) => self.timemax * pct / 100.0,
            MinWidth::Pixels(px) => px / self.width_per_time,
        }
    }

    /// Sets the image height from the deepest kept frame.
    pub fn set_depth_max(&mut self, depth_max: u32, subtitle: bool) {
        let rows = f64::from(depth_max) + 1.0;
        let mut height = rows * self.frame_height + self.ypad1 + self.ypad2;
        if subtitle {
            height += self.ypad3;
        }
        self.image_height = height;
    }

    /// The rectangle of a frame (the root spans the whole width).
    pub fn rect(&self, frame: &Frame) -> Rect {
        let end = if frame.depth == 0 {
            self.timemax
        } else {
            frame.end
        };
        let depth = f64::from(frame.depth);
        let (y1, y2) = if self.inverted {
            let y1 = self.ypad1 + depth * self.frame_height;
            (y1, y1 + self.frame_height - FRAMEPAD)
        } else {
            let bottom = self.image_height - self.ypad2;
            (
                bottom - (depth + 1.0) * self.frame_height + FRAMEPAD,
                bottom - depth * self.frame_height,
            )
        };
        Rect {
            x1: XPAD + frame.start * self.width_per_time,
            x2: XPAD + end * self.width_per_time,
            y1,
            y2,
        }
    }
}
