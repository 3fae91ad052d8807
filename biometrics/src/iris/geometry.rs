//! Circles and sub-pixel sampling shared by segmentation, normalisation and the synthetic eyes.

/// A circle in image coordinates (pixels; x to the right, y down).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Circle {
    pub x: f64,
    pub y: f64,
    pub r: f64,
}

impl Circle {
    pub const fn new(x: f64, y: f64, r: f64) -> Self {
        Self { x, y, r }
    }

    /// Distance from this circle's centre to `other`'s centre.
    pub fn centre_distance(&self, other: &Circle) -> f64 {
        (self.x - other.x).hypot(self.y - other.y)
    }

    /// Distance from this circle's centre, along the ray at `angle`, to the boundary of `outer`.
    /// The rubber-sheet model uses rays from the pupil centre, so a limbus that is not concentric
    /// with the pupil still maps to a fixed grid. Returns 0 when the centre lies outside `outer`.
    pub fn ray_to(&self, outer: &Circle, angle: f64) -> f64 {
        let (s, c) = angle.sin_cos();
        let dx = self.x - outer.x;
        let dy = self.y - outer.y;
        // Solve |d + t u| = R for t >= 0 with u = (c, s).
        let b = dx * c + dy * s;
        let q = dx * dx + dy * dy - outer.r * outer.r;
        let disc = b * b - q;
        if disc < 0.0 {
            return 0.0;
        }
        (-b + disc.sqrt()).max(0.0)
    }
}
