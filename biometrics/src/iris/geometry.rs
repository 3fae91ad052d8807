//! Circles and sub-pixel sampling shared by segmentation, normalisation and the synthetic eyes.

use crate::image::GrayImage;

/// A circle in image coordinates: pixels, x to the right, y down, pixel (i, j) centred on (i, j).
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

/// An eyelid boundary as a parabola `y = apex_y + bend * (x - centre_x)^2`; `bend` is positive
/// for the upper lid (it arches up in the image) and negative for the lower one.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Eyelid {
    pub centre_x: f64,
    pub apex_y: f64,
    pub bend: f64,
}

impl Eyelid {
    pub fn y_at(&self, x: f64) -> f64 {
        self.apex_y + self.bend * (x - self.centre_x).powi(2)
    }
}

/// Bilinear sample of `image` at (x, y); `None` outside the image.
#[inline]
pub(crate) fn sample(image: &GrayImage, x: f64, y: f64) -> Option<f64> {
    sample_plane(&image.pixels, image.width, image.height, x, y)
}

/// Bilinear sample of a row-major plane of `width` x `height` values.
#[inline]
pub(crate) fn sample_plane<T: Copy + Into<f64>>(
    plane: &[T],
    width: usize,
    height: usize,
    x: f64,
    y: f64,
) -> Option<f64> {
    if !(x >= 0.0 && y >= 0.0) {
        return None;
    }
    let x0 = x as usize;
    let y0 = y as usize;
    if x0 + 1 >= width || y0 + 1 >= height {
        return None;
    }
    let fx = x - x0 as f64;
    let fy = y - y0 as f64;
    let i = y0 * width + x0;
    let p00: f64 = (*plane.get(i)?).into();
    let p10: f64 = (*plane.get(i + 1)?).into();
    let p01: f64 = (*plane.get(i + width)?).into();
    let p11: f64 = (*plane.get(i + width + 1)?).into();
    let top = p00 + (p10 - p00) * fx;
    let bottom = p01 + (p11 - p01) * fx;
    Some(top + (bottom - top) * fy)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bilinear_sampling_stays_inside() {
        let plane = [0.0f64, 10.0, 20.0, 30.0];
        assert_eq!(sample_plane(&plane, 2, 2, 0.5, 0.5), Some(15.0));
        assert_eq!(sample_plane(&plane, 2, 2, 1.5, 0.5), None);
        assert_eq!(sample_plane(&plane, 2, 2, -0.1, 0.0), None);
        assert_eq!(sample_plane(&plane, 2, 2, f64::NAN, 0.0), None);
    }

    #[test]
    fn rays_reach_a_non_concentric_limbus() {
        let pupil = Circle::new(10.0, 0.0, 3.0);
        let iris = Circle::new(0.0, 0.0, 20.0);
        assert!((pupil.ray_to(&iris, 0.0) - 10.0).abs() < 1e-9);
        assert!((pupil.ray_to(&iris, std::f64::consts::PI) - 30.0).abs() < 1e-9);
    }
}
