//! Synthetic eye images with known geometry, so segmentation and matching can be tested without
//! anyone's eyes.
//!
//! An eye is a random iris texture defined on the rubber sheet (angle about the pupil centre,
//! relative radius between pupil and limbus), which is how the texture of a real iris stretches
//! when the pupil dilates. A capture places that eye in an image: pupil and limbus circles that
//! need not be concentric, eyelids as parabolas, eyelashes, specular reflections of the
//! illuminators and sensor noise. [`SyntheticEye::recapture`] shows the same eye again with a
//! different pupil size, position, rotation, eyelid opening and noise. Everything is
//! deterministic from the seeds.

use super::geometry::{Circle, Eyelid};
use crate::image::GrayImage;
use std::f64::consts::{PI, TAU};

/// Image layouts of ISO/IEC 19794-6:2011.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Kind 3: the whole eye, 640x480.
    K3,
    /// Kind 7: cropped around the iris, eyelid areas filled with 128 and sclera with 200.
    K7,
}

/// Grey level K7 gives areas outside the eye opening.
pub const K7_EYELID_FILL: u8 = 128;
/// Grey level K7 gives the sclera.
pub const K7_SCLERA_FILL: u8 = 200;

/// A rendered capture and its ground truth.
#[derive(Debug, Clone)]
pub struct Capture {
    pub image: GrayImage,
    pub pupil: Circle,
    pub iris: Circle,
    pub upper_lid: Eyelid,
    pub lower_lid: Eyelid,
    /// Rotation of the iris texture against the eye's first capture, radians (clockwise in the
    /// image, since y points down).
    pub rotation: f64,
}

/// SplitMix64: small, fast and good enough for test images; seeded so every image repeats.
#[derive(Debug, Clone)]
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Self {
        Self(seed ^ 0x5DEE_CE66_D1CE_F00D)
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub(crate) fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    pub(crate) fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }

    pub(crate) fn gauss(&mut self) -> f64 {
        let u = self.unit().max(1e-12);
        let v = self.unit();
        (-2.0 * u.ln()).sqrt() * (TAU * v).cos()
    }
}

const TEXTURE_ROWS: usize = 48;
const TEXTURE_COLS: usize = 720;
const K3_WIDTH: usize = 640;
const K3_HEIGHT: usize = 480;

/// One synthetic eye: an iris texture and the geometry of its first capture.
#[derive(Debug, Clone)]
pub struct SyntheticEye {
    seed: u64,
    /// Texture on the rubber sheet, TEXTURE_ROWS radial by TEXTURE_COLS angular, zero mean.
    texture: Vec<f32>,
    iris_level: f64,
    first: Placement,
}

/// Where and how an eye appears in one capture.
#[derive(Debug, Clone, Copy)]
struct Placement {
    iris: Circle,
    /// Pupil centre offset from the iris centre, as a fraction of the iris radius.
    pupil_dx: f64,
    pupil_dy: f64,
    /// Pupil radius over iris radius.
    dilation: f64,
    /// Upper lid apex above the iris centre, and lower lid apex below it, in iris radii.
    upper_opening: f64,
    lower_opening: f64,
    /// Lid curvatures in 1/iris radius: the eye corners lie about 2.5 iris radii out.
    upper_bend: f64,
    lower_bend: f64,
    rotation: f64,
}

impl SyntheticEye {
    pub fn new(seed: u64) -> Self {
        let mut rng = Rng::new(seed);
        let texture = texture(&mut rng);
        let iris_level = rng.range(95.0, 140.0);
        let r = rng.range(100.0, 125.0);
        let first = Placement {
            iris: Circle::new(
                K3_WIDTH as f64 / 2.0 + rng.range(-30.0, 30.0),
                K3_HEIGHT as f64 / 2.0 + rng.range(-15.0, 15.0),
                r,
            ),
            pupil_dx: rng.range(-0.06, 0.06),
            pupil_dy: rng.range(-0.04, 0.08),
            dilation: rng.range(0.3, 0.45),
            upper_opening: rng.range(0.6, 0.9),
            lower_opening: rng.range(0.8, 1.05),
            upper_bend: rng.range(0.1, 0.16),
            lower_bend: rng.range(0.12, 0.18),
            rotation: 0.0,
        };
        Self {
            seed,
            texture,
            iris_level,
            first,
        }
    }

    /// The eye's first capture.
    pub fn capture(&self, format: Format) -> Capture {
        self.render(
            &self.first,
            self.seed.wrapping_mul(31).wrapping_add(1),
            format,
        )
    }

    /// The same eye captured again: pupil size within +-15%, position within +-25 pixels, a
    /// rotation within +-6 degrees, a different eyelid opening, reflections, lashes and noise.
    pub fn recapture(&self, seed: u64, format: Format) -> Capture {
        let mut rng = Rng::new(seed ^ self.seed.rotate_left(17));
        let f = self.first;
        let placement = Placement {
            iris: Circle::new(
                f.iris.x + rng.range(-25.0, 25.0),
                f.iris.y + rng.range(-20.0, 20.0),
                f.iris.r * rng.range(0.95, 1.05),
            ),
            dilation: (f.dilation * rng.range(0.85, 1.15)).clamp(0.25, 0.55),
            upper_opening: (f.upper_opening + rng.range(-0.1, 0.1)).clamp(0.5, 1.0),
            lower_opening: (f.lower_opening + rng.range(-0.1, 0.1)).clamp(0.7, 1.1),
            rotation: rng.range(-6.0, 6.0).to_radians(),
            ..f
        };
        self.render(&placement, rng.next_u64(), format)
    }

    fn render(&self, p: &Placement, noise_seed: u64, format: Format) -> Capture {
        let mut rng = Rng::new(noise_seed);
        let iris = p.iris;
        let pupil = Circle::new(
            iris.x + p.pupil_dx * iris.r,
            iris.y + p.pupil_dy * iris.r,
            iris.r * p.dilation,
        );
        let upper_lid = Eyelid {
            centre_x: iris.x,
            apex_y: iris.y - p.upper_opening * iris.r,
            bend: p.upper_bend / iris.r,
        };
        let lower_lid = Eyelid {
            centre_x: iris.x,
            apex_y: iris.y + p.lower_opening * iris.r,
            bend: -p.lower_bend / iris.r,
        };
        let (w, h) = (K3_WIDTH, K3_HEIGHT);
        let skin_level = rng.range(150.0, 190.0);
        let sclera_level = rng.range(185.0, 215.0);
        let mut img = vec![0f64; w * h];
        for y in 0..h {
            for x in 0..w {
                let (fx, fy) = (x as f64, y as f64);
                let v = self.eye_level(p, &pupil, &iris, fx, fy, sclera_level);
                // Lids cover the eye with a soft 1.5-pixel edge.
                let above = (upper_lid.y_at(fx) - fy) / 1.5;
                let below = (fy - lower_lid.y_at(fx)) / 1.5;
                let lid = smooth_step(above.max(below));
                let skin = skin_level + 12.0 * ((fx * 0.05).sin() * (fy * 0.043).cos());
                img[y * w + x] = v * (1.0 - lid) + skin * lid;
            }
        }
        draw_lashes(&mut img, w, h, &upper_lid, &iris, &mut rng);
        draw_reflections(&mut img, w, h, &pupil, &mut rng);
        for v in img.iter_mut() {
            *v += 2.5 * rng.gauss();
        }
        let pixels: Vec<u8> = img
            .iter()
            .map(|v| v.round().clamp(0.0, 255.0) as u8)
            .collect();
        let full = GrayImage {
            width: w,
            height: h,
            pixels,
            ppi: None,
        };
        let capture = Capture {
            image: full,
            pupil,
            iris,
            upper_lid,
            lower_lid,
            rotation: p.rotation,
        };
        match format {
            Format::K3 => capture,
            Format::K7 => crop_and_mask(capture),
        }
    }

    /// Grey level of the open eye (pupil, iris or sclera) at (x, y), before lids.
    fn eye_level(
        &self,
        p: &Placement,
        pupil: &Circle,
        iris: &Circle,
        x: f64,
        y: f64,
        sclera: f64,
    ) -> f64 {
        let dx = x - pupil.x;
        let dy = y - pupil.y;
        let d = dx.hypot(dy);
        let angle = dy.atan2(dx);
        let limbus = pupil.ray_to(iris, angle);
        let pupil_level = 14.0;
        let rho = (d - pupil.r) / (limbus - pupil.r).max(1.0);
        let tex_angle = (angle - p.rotation).rem_euclid(TAU);
        let t = sample_texture(&self.texture, tex_angle, rho.clamp(0.0, 1.0));
        // Iris slightly darker near the limbus and a brighter collarette near the pupil.
        let iris_level = self.iris_level + t - 18.0 * rho.clamp(0.0, 1.0).powi(3)
            + 10.0 * (-((rho - 0.25) / 0.08).powi(2)).exp();
        let in_pupil = smooth_step((pupil.r - d) / 0.8);
        let out_iris = smooth_step((d - limbus) / 1.2);
        let v = iris_level * (1.0 - out_iris) + sclera * out_iris;
        v * (1.0 - in_pupil) + pupil_level * in_pupil
    }
}

fn smooth_step(t: f64) -> f64 {
    let u = (t * 0.5 + 0.5).clamp(0.0, 1.0);
    u * u * (3.0 - 2.0 * u)
}

/// Band-limited random texture: white noise blurred more along the radius than the angle, which
/// gives the radial fibres of an iris, plus a few dark crypts.
fn texture(rng: &mut Rng) -> Vec<f32> {
    let (rows, cols) = (TEXTURE_ROWS, TEXTURE_COLS);
    let mut t: Vec<f64> = (0..rows * cols).map(|_| rng.gauss()).collect();
    for _ in 0..2 {
        blur_angular(&mut t, rows, cols, 4);
        blur_radial(&mut t, rows, cols, 2);
    }
    let crypts = 12 + (rng.next_u64() % 10) as usize;
    let mut blobs = vec![0f64; rows * cols];
    for _ in 0..crypts {
        let a0 = rng.range(0.0, TAU);
        let r0 = rng.range(0.15, 0.85);
        let (wa, wr) = (rng.range(0.03, 0.09), rng.range(0.05, 0.15));
        let depth = rng.range(0.5, 1.5);
        for (i, row) in blobs.chunks_mut(cols).enumerate() {
            let dr = (i as f64 + 0.5) / rows as f64 - r0;
            for (j, b) in row.iter_mut().enumerate() {
                let mut da = (j as f64 + 0.5) / cols as f64 * TAU - a0;
                da = (da + PI).rem_euclid(TAU) - PI;
                *b -= depth * (-(da * da) / (2.0 * wa * wa) - (dr * dr) / (2.0 * wr * wr)).exp();
            }
        }
    }
    let rms = (t.iter().map(|v| v * v).sum::<f64>() / t.len() as f64)
        .sqrt()
        .max(1e-9);
    let contrast = rng.range(14.0, 20.0);
    t.iter()
        .zip(&blobs)
        .map(|(v, b)| (contrast * (v / rms + 1.2 * b)) as f32)
        .collect()
}

fn blur_angular(t: &mut [f64], rows: usize, cols: usize, radius: usize) {
    let mut out = vec![0f64; cols];
    let n = (2 * radius + 1) as f64;
    for row in t.chunks_mut(cols) {
        for (j, o) in out.iter_mut().enumerate() {
            *o = (0..=2 * radius)
                .map(|k| row[(j + cols + k - radius) % cols])
                .sum::<f64>()
                / n;
        }
        row.copy_from_slice(&out);
    }
    debug_assert_eq!(t.len(), rows * cols);
}

fn blur_radial(t: &mut [f64], rows: usize, cols: usize, radius: usize) {
    let src = t.to_vec();
    for i in 0..rows {
        let lo = i.saturating_sub(radius);
        let hi = (i + radius).min(rows - 1);
        for j in 0..cols {
            let s: f64 = (lo..=hi).map(|k| src[k * cols + j]).sum();
            t[i * cols + j] = s / (hi - lo + 1) as f64;
        }
    }
}

fn sample_texture(tex: &[f32], angle: f64, rho: f64) -> f64 {
    let x = angle / TAU * TEXTURE_COLS as f64;
    let y = (rho * (TEXTURE_ROWS - 1) as f64).clamp(0.0, (TEXTURE_ROWS - 1) as f64 - 1e-6);
    // Wrap the angle by sampling the last column against the first.
    let x0 = (x.floor() as usize) % TEXTURE_COLS;
    let x1 = (x0 + 1) % TEXTURE_COLS;
    let fx = x - x.floor();
    let row = y as usize;
    let fy = y - row as f64;
    let at = |r: usize, c: usize| f64::from(tex[r * TEXTURE_COLS + c]);
    let top = at(row, x0) * (1.0 - fx) + at(row, x1) * fx;
    let bottom = at(row + 1, x0) * (1.0 - fx) + at(row + 1, x1) * fx;
    top * (1.0 - fy) + bottom * fy
}

/// Dark curved lashes hanging from the upper lid, some over the iris.
fn draw_lashes(img: &mut [f64], w: usize, h: usize, lid: &Eyelid, iris: &Circle, rng: &mut Rng) {
    let count = 25 + (rng.next_u64() % 25) as usize;
    for _ in 0..count {
        let x0 = iris.x + rng.range(-1.3, 1.3) * iris.r;
        let y0 = lid.y_at(x0);
        let len = rng.range(8.0, 0.35 * iris.r);
        let slant = rng.range(-0.6, 0.6);
        let curl = rng.range(-0.4, 0.4);
        let level = rng.range(25.0, 60.0);
        let steps = (len * 2.0) as usize;
        for s in 0..=steps {
            let t = s as f64 / steps.max(1) as f64;
            let x = x0 + len * (slant * t + curl * t * t);
            let y = y0 + len * t;
            let (xi, yi) = (x.round() as i64, y.round() as i64);
            for (ox, oy) in [(0, 0), (1, 0)] {
                let (px, py) = (xi + ox, yi + oy);
                if px >= 0 && py >= 0 && (px as usize) < w && (py as usize) < h {
                    let v = &mut img[py as usize * w + px as usize];
                    *v = v.min(level);
                }
            }
        }
    }
}

/// Bright discs where the illuminators reflect on the cornea, inside or near the pupil.
fn draw_reflections(img: &mut [f64], w: usize, h: usize, pupil: &Circle, rng: &mut Rng) {
    let count = 1 + (rng.next_u64() % 3) as usize;
    for _ in 0..count {
        let a = rng.range(0.0, TAU);
        let d = rng.range(0.0, 0.9) * pupil.r;
        let (cx, cy) = (pupil.x + d * a.cos(), pupil.y + d * a.sin());
        let r = rng.range(2.5, 6.0);
        let (x0, x1) = (
            (cx - r - 2.0).max(0.0) as usize,
            ((cx + r + 2.0) as usize).min(w - 1),
        );
        let (y0, y1) = (
            (cy - r - 2.0).max(0.0) as usize,
            ((cy + r + 2.0) as usize).min(h - 1),
        );
        for y in y0..=y1 {
            for x in x0..=x1 {
                let dist = (x as f64 - cx).hypot(y as f64 - cy);
                let a = smooth_step((r - dist) / 1.0);
                let v = &mut img[y * w + x];
                *v = *v * (1.0 - a) + 252.0 * a;
            }
        }
    }
}

/// Crops a K3 capture to the iris as K7 does (about 3.2 by 2.4 iris radii) and fills the eyelid
/// area and the sclera with the K7 grey levels.
fn crop_and_mask(c: Capture) -> Capture {
    let half_w = (1.6 * c.iris.r).round() as i64;
    let half_h = (1.2 * c.iris.r).round() as i64;
    let (cw, ch) = (2 * half_w as usize, 2 * half_h as usize);
    let ox = c.iris.x.round() as i64 - half_w;
    let oy = c.iris.y.round() as i64 - half_h;
    let src = &c.image;
    let mut pixels = vec![K7_EYELID_FILL; cw * ch];
    for y in 0..ch {
        for x in 0..cw {
            let (sx, sy) = (x as i64 + ox, y as i64 + oy);
            let (fx, fy) = (sx as f64, sy as f64);
            if fy < c.upper_lid.y_at(fx) || fy > c.lower_lid.y_at(fx) {
                continue;
            }
            let in_iris = c
                .pupil
                .ray_to(&c.iris, (fy - c.pupil.y).atan2(fx - c.pupil.x))
                >= (fx - c.pupil.x).hypot(fy - c.pupil.y);
            let v = if !in_iris {
                K7_SCLERA_FILL
            } else if sx >= 0 && sy >= 0 && (sx as usize) < src.width && (sy as usize) < src.height
            {
                src.pixels[sy as usize * src.width + sx as usize]
            } else {
                K7_EYELID_FILL
            };
            pixels[y * cw + x] = v;
        }
    }
    let shift = |circle: Circle| Circle::new(circle.x - ox as f64, circle.y - oy as f64, circle.r);
    let shift_lid = |l: Eyelid| Eyelid {
        centre_x: l.centre_x - ox as f64,
        apex_y: l.apex_y - oy as f64,
        ..l
    };
    Capture {
        image: GrayImage {
            width: cw,
            height: ch,
            pixels,
            ppi: None,
        },
        pupil: shift(c.pupil),
        iris: shift(c.iris),
        upper_lid: shift_lid(c.upper_lid),
        lower_lid: shift_lid(c.lower_lid),
        rotation: c.rotation,
    }
}

/// A texture value, for tests of the angular wrap.
#[cfg(test)]
fn texture_at(eye: &SyntheticEye, angle: f64, rho: f64) -> f64 {
    sample_texture(&eye.texture, angle, rho)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn captures_repeat_from_their_seeds() {
        let a = SyntheticEye::new(3).capture(Format::K3);
        let b = SyntheticEye::new(3).capture(Format::K3);
        assert_eq!(a.image, b.image);
        let c = SyntheticEye::new(4).capture(Format::K3);
        assert_ne!(a.image, c.image);
        let again = SyntheticEye::new(3).recapture(1, Format::K3);
        assert_ne!(a.image, again.image);
        assert_eq!(
            again.image,
            SyntheticEye::new(3).recapture(1, Format::K3).image
        );
    }

    #[test]
    fn geometry_is_where_the_truth_says() {
        let c = SyntheticEye::new(9).capture(Format::K3);
        let at = |x: f64, y: f64| f64::from(c.image.get(x as usize, y as usize));
        // Just inside the pupil on the lower right is dark; the iris beside it is lighter.
        let probe_angle = 0.6f64;
        let inside = (
            c.pupil.x + 0.8 * c.pupil.r * probe_angle.cos(),
            c.pupil.y + 0.8 * c.pupil.r * probe_angle.sin(),
        );
        assert!(at(inside.0, inside.1) < 60.0);
        let sclera = (c.iris.x + 1.15 * c.iris.r, c.iris.y);
        assert!(at(sclera.0, sclera.1) > 150.0, "{}", at(sclera.0, sclera.1));
        let k7 = SyntheticEye::new(9).capture(Format::K7);
        assert_eq!(k7.image.get(0, 0), K7_EYELID_FILL);
        let s = (k7.iris.x + 1.1 * k7.iris.r, k7.iris.y);
        assert_eq!(k7.image.get(s.0 as usize, s.1 as usize), K7_SCLERA_FILL);
        assert!((k7.iris.r - c.iris.r).abs() < 1e-9);
    }

    #[test]
    fn texture_wraps_around_the_angle() {
        let eye = SyntheticEye::new(5);
        let a = texture_at(&eye, 1e-9, 0.5);
        let b = texture_at(&eye, TAU - 1e-9, 0.5);
        assert!((a - b).abs() < 0.5, "{a} vs {b}");
    }
}
