//! Finding the iris in an eye image: pupil and limbus circles, eyelids and specular reflections.
//!
//! Both circles come from Daugman's integro-differential operator: the circle whose mean grey
//! level changes fastest with the radius. It is searched coarse to fine, first on an image reduced
//! to about 160 pixels across, then at full resolution around the coarse answer. Pupil
//! candidates are the dark regions under rising thresholds, so the pupil is found before the
//! iris around it turns dark enough to merge in. The limbus is first measured on lateral arcs,
//! where eyelids rarely reach, then again on every direction the eyelids leave visible. Each
//! eyelid is the parabola across the iris with the strongest mean contrast between its two
//! sides, kept only if it stands out from the contrast the iris texture gives any curve.
//! Reflections are filled before the search, since a bright spot inside the pupil would
//! otherwise dominate its boundary, and masked afterwards together with flat fills.
//!
//! The same code serves ISO 19794-6 kind 3 (whole eye) and kind 7 (cropped, with eyelids and
//! sclera filled by flat grey): the fills are never iris, and a fill as grey as the iris, which
//! hides the eyelid's edge, is still masked as flat.

use super::IrisError;
use super::geometry::{Circle, Eyelid, sample_plane};
use crate::image::GrayImage;
use std::f64::consts::TAU;

/// Smallest image side accepted.
pub const MIN_SIDE: usize = 64;
/// Coarse search works on images about this many pixels across.
const COARSE_SIDE: usize = 160;
/// Smallest pupil radius looked for, in full-resolution pixels.
const MIN_PUPIL_RADIUS: f64 = 8.0;
/// Mean grey-level step an eyelid must show across its boundary to be believed.
const LID_MIN_CONTRAST: f64 = 20.0;
/// ... and to be that many times the median contrast of all curves tried.
const LID_MIN_RATIO: f64 = 4.0;
/// Smallest grey-level rise across the pupil boundary and the limbus: below it there is no eye.
const PUPIL_MIN_RISE: f64 = 15.0;
const LIMBUS_MIN_RISE: f64 = 5.0;

/// Where the iris is in one image.
#[derive(Debug, Clone, PartialEq)]
pub struct Segmentation {
    pub pupil: Circle,
    pub iris: Circle,
    /// Lower edge of the upper eyelid where it crosses the iris.
    pub upper_eyelid: Option<Eyelid>,
    /// Upper edge of the lower eyelid where it crosses the iris.
    pub lower_eyelid: Option<Eyelid>,
    width: usize,
    height: usize,
    /// Reflections and flat fills (K7 eyelid and sclera areas, saturation), row-major.
    noise: Vec<bool>,
}

impl Segmentation {
    /// Whether the pixel at (x, y) is hidden by an eyelid or a reflection, or lies outside the
    /// image.
    pub fn occluded(&self, x: f64, y: f64) -> bool {
        if let Some(lid) = &self.upper_eyelid
            && y < lid.y_at(x)
        {
            return true;
        }
        if let Some(lid) = &self.lower_eyelid
            && y > lid.y_at(x)
        {
            return true;
        }
        if !(x >= 0.0 && y >= 0.0) {
            return true;
        }
        let (xi, yi) = ((x + 0.5) as usize, (y + 0.5) as usize);
        if xi >= self.width || yi >= self.height {
            return true;
        }
        self.noise
            .get(yi * self.width + xi)
            .copied()
            .unwrap_or(true)
    }
}

/// A float plane the searches sample from.
struct Plane {
    width: usize,
    height: usize,
    data: Vec<f32>,
}

impl Plane {
    fn at(&self, x: f64, y: f64) -> Option<f64> {
        sample_plane(&self.data, self.width, self.height, x, y)
    }
}

/// Finds the pupil, limbus and eyelids.
pub fn segment(image: &GrayImage) -> Result<Segmentation, IrisError> {
    let (w, h) = (image.width, image.height);
    if w < MIN_SIDE || h < MIN_SIDE || image.pixels.len() != w * h {
        return Err(IrisError::ImageTooSmall {
            width: w,
            height: h,
            min: MIN_SIDE,
        });
    }
    let reflections = find_reflections(image);
    let filled = fill_reflections(image, &reflections);
    let smooth = box_blur(&filled, 1);
    let factor = (w.max(h) as f64 / COARSE_SIDE as f64).round().max(1.0) as usize;
    let coarse = box_blur(&downsample(&filled, factor), 1);
    let f = factor as f64;

    let min_side = w.min(h) as f64;
    let pupil_range = (MIN_PUPIL_RADIUS, 0.3 * min_side);
    let coarse_pupil =
        coarse_pupil(&coarse, (pupil_range.0 / f, pupil_range.1 / f)).ok_or(IrisError::NoPupil)?;
    let pupil = refine(
        &smooth,
        scale(coarse_pupil, f),
        f + 1.0,
        f + 2.0,
        &full_circle(96),
        pupil_range,
        Boundary::Pupil,
    )
    .ok_or(IrisError::NoPupil)?;

    let iris_range = (
        (1.4 * pupil.r).max(pupil.r + 10.0),
        (5.0 * pupil.r).min(0.6 * w.max(h) as f64),
    );
    if iris_range.0 >= iris_range.1 {
        return Err(IrisError::NoIris);
    }
    let pupil_coarse = to_coarse(pupil, f);
    let coarse_iris = search(
        &coarse,
        (pupil_coarse.x, pupil_coarse.y),
        (0.5 * pupil_coarse.r).max(2.0),
        (iris_range.0 / f, iris_range.1 / f),
        &lateral_arcs(24),
        1.0,
        Boundary::Limbus(pupil_coarse),
    )
    .filter(|found| found.rise >= LIMBUS_MIN_RISE)
    .ok_or(IrisError::NoIris)?;
    let iris = refine(
        &smooth,
        scale(coarse_iris.circle, f),
        f + 1.0,
        f + 2.0,
        &lateral_arcs(64),
        iris_range,
        Boundary::Limbus(pupil),
    )
    .ok_or(IrisError::NoIris)?;
    let upper_eyelid = find_eyelid(&smooth, &pupil, &iris, true);
    let lower_eyelid = find_eyelid(&smooth, &pupil, &iris, false);
    let iris = refine_visible(
        &smooth,
        pupil,
        iris,
        upper_eyelid.as_ref(),
        lower_eyelid.as_ref(),
        iris_range,
    );
    if pupil.centre_distance(&iris) + pupil.r >= iris.r {
        return Err(IrisError::NoIris);
    }
    let mut noise = find_flat(image);
    for (n, r) in noise.iter_mut().zip(&reflections) {
        *n |= *r;
    }
    Ok(Segmentation {
        pupil,
        iris,
        upper_eyelid,
        lower_eyelid,
        width: w,
        height: h,
        noise,
    })
}

/// A full-resolution circle on the image reduced by `f`.
fn to_coarse(c: Circle, f: f64) -> Circle {
    Circle::new((c.x + 0.5) / f - 0.5, (c.y + 0.5) / f - 0.5, c.r / f)
}

/// A circle found on the image reduced by `f`, at full resolution.
fn scale(c: Circle, f: f64) -> Circle {
    Circle::new((c.x + 0.5) * f - 0.5, (c.y + 0.5) * f - 0.5, c.r * f)
}

/// Unit vectors around the whole circle.
fn full_circle(n: usize) -> Vec<(f64, f64)> {
    (0..n)
        .map(|i| (TAU * i as f64 / n as f64).sin_cos())
        .map(|(s, c)| (c, s))
        .collect()
}

/// Unit vectors on the left and right arcs of a circle, reaching further below the horizontal
/// than above it because the upper eyelid usually covers more of the iris.
fn lateral_arcs(per_side: usize) -> Vec<(f64, f64)> {
    let (lo, hi) = (-30f64.to_radians(), 45f64.to_radians());
    (0..per_side)
        .flat_map(|i| {
            let a = lo + (hi - lo) * i as f64 / (per_side - 1).max(1) as f64;
            [a, std::f64::consts::PI - a]
        })
        .map(|a| (a.cos(), a.sin()))
        .collect()
}

/// Specular reflections: pixels much brighter than their surroundings, grown by two pixels so
/// their halo goes too. Large flat bright areas (sclera, skin, K7 fills) are not reflections.
fn find_reflections(image: &GrayImage) -> Vec<bool> {
    let (w, h) = (image.width, image.height);
    let integral = Integral::new(w, h, |i| f64::from(image.pixels[i]));
    let mut core = vec![false; w * h];
    for y in 0..h {
        for x in 0..w {
            let v = f64::from(image.pixels[y * w + x]);
            if v >= 200.0 {
                let (sum, n) = integral.box_sum(x, y, 7);
                core[y * w + x] = v >= sum / n + 40.0 || v >= 250.0 && v >= sum / n + 15.0;
            }
        }
    }
    dilate(&core, w, h, 2)
}

/// Areas of exactly constant grey: the fills of K7 images and saturated patches, never iris.
fn find_flat(image: &GrayImage) -> Vec<bool> {
    const R: usize = 2;
    let (w, h) = (image.width, image.height);
    let sum = Integral::new(w, h, |i| f64::from(image.pixels[i]));
    let squares = Integral::new(w, h, |i| f64::from(image.pixels[i]).powi(2));
    let mut core = vec![false; w * h];
    for y in 0..h {
        for x in 0..w {
            let (s, n) = sum.box_sum(x, y, R);
            let (q, _) = squares.box_sum(x, y, R);
            // Integer sums stay exact in f64, so zero variance is an exact test.
            core[y * w + x] = n * q == s * s;
        }
    }
    dilate(&core, w, h, R)
}

fn dilate(mask: &[bool], w: usize, h: usize, r: usize) -> Vec<bool> {
    let mut rows = vec![false; w * h];
    for y in 0..h {
        for x in 0..w {
            if mask[y * w + x] {
                let (x0, x1) = (x.saturating_sub(r), (x + r).min(w - 1));
                rows[y * w + x0..=y * w + x1].fill(true);
            }
        }
    }
    let mut out = vec![false; w * h];
    for y in 0..h {
        for x in 0..w {
            if rows[y * w + x] {
                let (y0, y1) = (y.saturating_sub(r), (y + r).min(h - 1));
                for yy in y0..=y1 {
                    out[yy * w + x] = true;
                }
            }
        }
    }
    out
}

/// Replaces reflection pixels by the mean of the nearby pixels that are not reflections.
fn fill_reflections(image: &GrayImage, reflections: &[bool]) -> Plane {
    let (w, h) = (image.width, image.height);
    let clean = |i: usize| if reflections[i] { 0.0 } else { 1.0 };
    let values = Integral::new(w, h, |i| f64::from(image.pixels[i]) * clean(i));
    let counts = Integral::new(w, h, clean);
    let mut data: Vec<f32> = image.pixels.iter().map(|&v| f32::from(v)).collect();
    for (i, d) in data.iter_mut().enumerate() {
        if reflections[i] {
            let (x, y) = (i % w, i / w);
            for r in [8, 20, 60] {
                let (s, _) = values.box_sum(x, y, r);
                let (n, _) = counts.box_sum(x, y, r);
                if n >= 1.0 {
                    *d = (s / n) as f32;
                    break;
                }
            }
        }
    }
    Plane {
        width: w,
        height: h,
        data,
    }
}

/// Summed-area table for box means.
struct Integral {
    width: usize,
    height: usize,
    sums: Vec<f64>,
}

impl Integral {
    fn new(width: usize, height: usize, value: impl Fn(usize) -> f64) -> Self {
        let stride = width + 1;
        let mut sums = vec![0.0; stride * (height + 1)];
        for y in 0..height {
            let mut row = 0.0;
            for x in 0..width {
                row += value(y * width + x);
                sums[(y + 1) * stride + x + 1] = sums[y * stride + x + 1] + row;
            }
        }
        Self {
            width,
            height,
            sums,
        }
    }

    /// Sum and pixel count of the box of half-size `r` around (x, y), clipped to the image.
    fn box_sum(&self, x: usize, y: usize, r: usize) -> (f64, f64) {
        let stride = self.width + 1;
        let (x0, y0) = (x.saturating_sub(r), y.saturating_sub(r));
        let (x1, y1) = ((x + r + 1).min(self.width), (y + r + 1).min(self.height));
        let s =
            self.sums[y1 * stride + x1] - self.sums[y0 * stride + x1] - self.sums[y1 * stride + x0]
                + self.sums[y0 * stride + x0];
        (s, ((x1 - x0) * (y1 - y0)) as f64)
    }
}

fn box_blur(p: &Plane, r: usize) -> Plane {
    let integral = Integral::new(p.width, p.height, |i| f64::from(p.data[i]));
    let mut data = vec![0f32; p.data.len()];
    for y in 0..p.height {
        for x in 0..p.width {
            let (s, n) = integral.box_sum(x, y, r);
            data[y * p.width + x] = (s / n) as f32;
        }
    }
    Plane {
        width: p.width,
        height: p.height,
        data,
    }
}

fn downsample(p: &Plane, f: usize) -> Plane {
    let (w, h) = (p.width / f, p.height / f);
    let mut data = vec![0f32; w * h];
    let norm = 1.0 / (f * f) as f32;
    for y in 0..h {
        for x in 0..w {
            let mut s = 0.0;
            for yy in y * f..(y + 1) * f {
                s += p.data[yy * p.width + x * f..yy * p.width + (x + 1) * f]
                    .iter()
                    .sum::<f32>();
            }
            data[y * w + x] = s * norm;
        }
    }
    Plane {
        width: w,
        height: h,
        data,
    }
}

/// Mean grey level on the circle (cx, cy, r) over the directions `dirs`; `None` when fewer than
/// half of them fall inside the image.
fn ring_mean(p: &Plane, cx: f64, cy: f64, r: f64, dirs: &[(f64, f64)]) -> Option<f64> {
    let mut sum = 0.0;
    let mut n = 0usize;
    for &(c, s) in dirs {
        if let Some(v) = p.at(cx + r * c, cy + r * s) {
            sum += v;
            n += 1;
        }
    }
    (2 * n >= dirs.len() && n > 0).then(|| sum / n as f64)
}

/// Which boundary a search is after.
#[derive(Clone, Copy)]
enum Boundary {
    /// Dark inside: half the grey level halfway to the centre is taken off the rise, so the
    /// limbus around a pupil (also dark inside, but less so) loses to the pupil itself.
    Pupil,
    /// Must enclose this pupil (in the searched plane's coordinates).
    Limbus(Circle),
}

/// A candidate circle's score (what searches maximise) and raw grey-level rise.
#[derive(Clone, Copy)]
struct Found {
    circle: Circle,
    score: f64,
    rise: f64,
}

/// The radius in `radii` (ascending, evenly spaced by `step`) where the ring mean rises fastest
/// outwards: the integro-differential operator, with the derivative taken over two steps either
/// side to smooth it.
fn best_radius(
    p: &Plane,
    cx: f64,
    cy: f64,
    radii: (f64, f64),
    step: f64,
    dirs: &[(f64, f64)],
    boundary: Boundary,
) -> Option<Found> {
    let (mut lo, hi) = radii;
    if let Boundary::Limbus(pupil) = boundary {
        lo = lo.max((cx - pupil.x).hypot(cy - pupil.y) + pupil.r + 2.0 * step);
    }
    if lo.is_nan() || hi.is_nan() || hi <= lo {
        return None;
    }
    let n = ((hi - lo) / step).floor() as usize + 1;
    let means: Vec<Option<f64>> = (0..n + 4)
        .map(|i| ring_mean(p, cx, cy, lo + (i as f64 - 2.0) * step, dirs))
        .collect();
    let mut best: Option<Found> = None;
    for i in 0..n {
        let (Some(a), Some(b), Some(c), Some(d)) =
            (means[i], means[i + 1], means[i + 3], means[i + 4])
        else {
            continue;
        };
        let r = lo + i as f64 * step;
        let rise = (c + d - a - b) / 2.0;
        let score = match boundary {
            Boundary::Limbus(_) => rise,
            Boundary::Pupil => {
                let inner = ring_mean(p, cx, cy, 0.5 * r, dirs).unwrap_or(255.0);
                rise - 0.5 * inner
            }
        };
        if best.is_none_or(|f| score > f.score) {
            best = Some(Found {
                circle: Circle::new(cx, cy, r),
                score,
                rise,
            });
        }
    }
    best
}

/// Best circle with centre within `window` steps of `centre` and radius in `radii`.
fn search(
    p: &Plane,
    centre: (f64, f64),
    window: f64,
    radii: (f64, f64),
    dirs: &[(f64, f64)],
    step: f64,
    boundary: Boundary,
) -> Option<Found> {
    let k = window.ceil() as i64;
    let mut best: Option<Found> = None;
    for dy in -k..=k {
        for dx in -k..=k {
            let (cx, cy) = (centre.0 + dx as f64 * step, centre.1 + dy as f64 * step);
            if let Some(f) = best_radius(p, cx, cy, radii, step, dirs, boundary)
                && best.is_none_or(|b| f.score > b.score)
            {
                best = Some(f);
            }
        }
    }
    best
}

/// Full-resolution search around a coarse circle.
fn refine(
    p: &Plane,
    guess: Circle,
    window: f64,
    radius_slack: f64,
    dirs: &[(f64, f64)],
    bounds: (f64, f64),
    boundary: Boundary,
) -> Option<Circle> {
    let radii = (
        (guess.r - radius_slack).max(bounds.0),
        (guess.r + radius_slack).min(bounds.1),
    );
    let coarse = search(p, (guess.x, guess.y), window, radii, dirs, 1.0, boundary)?.circle;
    let radii = (
        (coarse.r - 1.5).max(bounds.0),
        (coarse.r + 1.5).min(bounds.1),
    );
    search(p, (coarse.x, coarse.y), 2.0, radii, dirs, 0.5, boundary).map(|f| f.circle)
}

/// Lateral arcs constrain the limbus's height only weakly; once the eyelids are known, the
/// circle is measured again on every direction where its boundary is visible.
fn refine_visible(
    p: &Plane,
    pupil: Circle,
    iris: Circle,
    upper: Option<&Eyelid>,
    lower: Option<&Eyelid>,
    bounds: (f64, f64),
) -> Circle {
    const MARGIN: f64 = 4.0;
    let visible: Vec<(f64, f64)> = full_circle(96)
        .into_iter()
        .filter(|&(c, s)| {
            let (x, y) = (iris.x + iris.r * c, iris.y + iris.r * s);
            upper.is_none_or(|l| y - MARGIN > l.y_at(x))
                && lower.is_none_or(|l| y + MARGIN < l.y_at(x))
        })
        .collect();
    if visible.len() < 32 {
        return iris;
    }
    let radii = ((iris.r - 2.0).max(bounds.0), (iris.r + 2.0).min(bounds.1));
    search(
        p,
        (iris.x, iris.y),
        4.0,
        radii,
        &visible,
        0.5,
        Boundary::Limbus(pupil),
    )
    .map_or(iris, |f| f.circle)
}

/// Grey levels above the darkest pixel at which dark regions are taken as pupil candidates,
/// tried in turn so the pupil is found before the (darker than sclera) iris around it merges in.
const PUPIL_LEVELS: [f64; 6] = [8.0, 15.0, 25.0, 40.0, 60.0, 90.0];

/// The pupil on the coarse image. Dark regions under rising thresholds give candidates (their
/// bounding boxes, which still span the pupil when a reflection or its halo punches a hole in
/// it); the first threshold whose candidates include a clear dark-to-light circle wins.
/// Real pupils are unevenly dark, so neither the darkest pixel nor the darkest disc is a
/// reliable seed on its own.
fn coarse_pupil(p: &Plane, radii: (f64, f64)) -> Option<Circle> {
    let rmin = radii.0.max(2.0);
    let blur = box_blur(p, 1);
    let darkest = f64::from(blur.data.iter().copied().fold(f32::INFINITY, f32::min));
    let dirs = full_circle(32);
    for level in PUPIL_LEVELS {
        let best = dark_regions(&blur, darkest + level)
            .into_iter()
            .filter(|c| c.r >= 0.7 * rmin && c.r <= radii.1)
            .filter_map(|c| {
                // A halo can hide half the pupil from the threshold, so look well beyond the box.
                let span = ((0.7 * c.r).max(rmin), (2.0 * c.r + 1.0).min(radii.1));
                let window = (0.5 * c.r).max(2.0);
                search(p, (c.x, c.y), window, span, &dirs, 1.0, Boundary::Pupil)
            })
            .filter(|f| f.rise >= PUPIL_MIN_RISE)
            .max_by(|a, b| a.score.total_cmp(&b.score));
        if let Some(found) = best {
            return Some(found.circle);
        }
    }
    None
}

/// Roughly round connected regions at or below `threshold`, as the circles their bounding boxes
/// span.
fn dark_regions(p: &Plane, threshold: f64) -> Vec<Circle> {
    let (w, h) = (p.width, p.height);
    let dark: Vec<bool> = p.data.iter().map(|&v| f64::from(v) <= threshold).collect();
    let mut seen = vec![false; w * h];
    let mut out = Vec::new();
    let mut stack = Vec::new();
    for start in 0..w * h {
        if !dark[start] || seen[start] {
            continue;
        }
        seen[start] = true;
        stack.push(start);
        let (mut x0, mut x1, mut y0, mut y1, mut area) = (w, 0, h, 0, 0usize);
        while let Some(i) = stack.pop() {
            let (x, y) = (i % w, i / w);
            (x0, x1, y0, y1) = (x0.min(x), x1.max(x), y0.min(y), y1.max(y));
            area += 1;
            let mut visit = |j: usize| {
                if dark[j] && !seen[j] {
                    seen[j] = true;
                    stack.push(j);
                }
            };
            if x > 0 {
                visit(i - 1);
            }
            if x + 1 < w {
                visit(i + 1);
            }
            if y > 0 {
                visit(i - w);
            }
            if y + 1 < h {
                visit(i + w);
            }
        }
        let (bw, bh) = ((x1 - x0 + 1) as f64, (y1 - y0 + 1) as f64);
        let round = bw.min(bh) >= 0.6 * bw.max(bh);
        // A disc fills 79% of its box; reflections and their halos may take a good part of it.
        let solid = area as f64 >= 0.3 * bw * bh;
        if round && solid && area >= 4 {
            out.push(Circle::new(
                (x0 + x1) as f64 / 2.0,
                (y0 + y1) as f64 / 2.0,
                (bw + bh) / 4.0,
            ));
        }
    }
    out
}

/// The eyelid crossing the iris above (`upper`) or below the pupil, as the parabola with the
/// largest mean grey-level step between its two sides, measured only over the iris.
fn find_eyelid(p: &Plane, pupil: &Circle, iris: &Circle, upper: bool) -> Option<Eyelid> {
    const OFFSET: f64 = 3.0;
    let sign = if upper { 1.0 } else { -1.0 };
    let (apex_from, apex_to) = if upper {
        (iris.y - iris.r + OFFSET, pupil.y)
    } else {
        (pupil.y, iris.y + iris.r - OFFSET)
    };
    let mut best: Option<(Eyelid, f64)> = None;
    let mut contrasts = Vec::new();
    let steps = (apex_to - apex_from).max(0.0) as usize;
    for bend in [0.0, 0.08, 0.16, 0.24, 0.32] {
        for s in 0..=steps {
            let lid = Eyelid {
                centre_x: iris.x,
                apex_y: apex_from + s as f64,
                bend: sign * bend / iris.r,
            };
            let mut diff = 0.0;
            let mut n = 0usize;
            let mut x = iris.x - iris.r;
            while x <= iris.x + iris.r {
                let y = lid.y_at(x);
                let inside_iris = (x - iris.x).hypot(y - iris.y) < iris.r - 2.0 * OFFSET;
                let off_pupil = (x - pupil.x).hypot(y - pupil.y) > pupil.r + 2.0 * OFFSET;
                if inside_iris
                    && off_pupil
                    && let (Some(a), Some(b)) = (p.at(x, y - OFFSET), p.at(x, y + OFFSET))
                {
                    diff += a - b;
                    n += 1;
                }
                x += 2.0;
            }
            if n < 8 {
                continue;
            }
            let contrast = (diff / n as f64).abs();
            contrasts.push(contrast);
            if best.is_none_or(|(_, c)| contrast > c) {
                best = Some((lid, contrast));
            }
        }
    }
    // Iris texture gives some contrast along any curve; a lid must stand out from it.
    let typical = if contrasts.is_empty() {
        0.0
    } else {
        let mid = contrasts.len() / 2;
        *contrasts.select_nth_unstable_by(mid, f64::total_cmp).1
    };
    best.filter(|(_, c)| *c >= LID_MIN_CONTRAST.max(LID_MIN_RATIO * typical))
        .map(|(lid, _)| lid)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::iris::synthetic::{Format, SyntheticEye};

    /// Worst boundary errors (pupil, iris, upper lid at the iris centre line) in pixels.
    fn errors(eye: u64, format: Format, recapture: Option<u64>) -> (f64, f64, f64) {
        let e = SyntheticEye::new(eye);
        let c = match recapture {
            Some(s) => e.recapture(s, format),
            None => e.capture(format),
        };
        let seg = match segment(&c.image) {
            Ok(s) => s,
            Err(err) => panic!("eye {eye} {format:?}: {err}"),
        };
        let pupil = seg
            .pupil
            .centre_distance(&c.pupil)
            .max((seg.pupil.r - c.pupil.r).abs());
        let iris = seg
            .iris
            .centre_distance(&c.iris)
            .max((seg.iris.r - c.iris.r).abs());
        // Where each lid crosses the vertical through the iris centre; a lid hiding less than a
        // few pixels of iris may rightly be missed. K7 lids are left out: under a fill as grey
        // as the iris there is no edge to see, and the fill detector masks them instead.
        let lids = if format == Format::K7 {
            0.0
        } else {
            let upper = c.upper_lid.y_at(c.iris.x).max(c.iris.y - c.iris.r);
            let upper_found = seg
                .upper_eyelid
                .map_or(seg.iris.y - seg.iris.r, |l| l.y_at(seg.iris.x));
            let lower = c.lower_lid.y_at(c.iris.x).min(c.iris.y + c.iris.r);
            let lower_found = seg
                .lower_eyelid
                .map_or(seg.iris.y + seg.iris.r, |l| l.y_at(seg.iris.x));
            (upper_found - upper).abs().max((lower_found - lower).abs())
        };
        (pupil, iris, lids)
    }

    /// Segmentation accuracy over first captures and recaptures of several eyes in both formats.
    /// Run with `--nocapture` to see the figures.
    #[test]
    fn synthetic_boundaries_are_found_within_a_few_pixels() {
        let mut all = Vec::new();
        for eye in 1..=4u64 {
            for format in [Format::K3, Format::K7] {
                all.push(errors(eye, format, None));
                all.push(errors(eye, format, Some(eye * 7 + 1)));
            }
        }
        let n = all.len() as f64;
        let k3 = n / 2.0;
        let mean = |f: fn(&(f64, f64, f64)) -> f64| all.iter().map(f).sum::<f64>() / n;
        let max = |f: fn(&(f64, f64, f64)) -> f64| all.iter().map(f).fold(0.0, f64::max);
        let (pm, im, lm) = (mean(|e| e.0), mean(|e| e.1), mean(|e| e.2) * n / k3);
        let (px, ix, lx) = (max(|e| e.0), max(|e| e.1), max(|e| e.2));
        println!(
            "segmentation error over {n} synthetic captures, pixels: pupil mean {pm:.2} max {px:.2}, \
             iris mean {im:.2} max {ix:.2}, K3 eyelids mean {lm:.2} max {lx:.2}"
        );
        assert!(pm <= 1.0 && px <= 2.0, "pupil mean {pm} max {px}");
        assert!(im <= 2.0 && ix <= 3.0, "iris mean {im} max {ix}");
        assert!(lm <= 3.0 && lx <= 6.0, "lid mean {lm} max {lx}");
    }

    #[test]
    fn odd_images_give_errors_not_panics() {
        let mut rng = crate::iris::synthetic::Rng::new(77);
        for (w, h) in [(64, 64), (65, 300), (300, 64), (161, 97)] {
            let noise: Vec<u8> = (0..w * h).map(|_| rng.next_u64() as u8).collect();
            let stripes: Vec<u8> = (0..w * h)
                .map(|i| if (i / 3) % 2 == 0 { 0 } else { 255 })
                .collect();
            let ramp: Vec<u8> = (0..w * h).map(|i| (i % w * 255 / w) as u8).collect();
            for pixels in [noise, stripes, ramp, vec![0; w * h], vec![255; w * h]] {
                let image = GrayImage {
                    width: w,
                    height: h,
                    pixels,
                    ppi: None,
                };
                if let Ok(seg) = segment(&image) {
                    assert!(seg.pupil.r < seg.iris.r);
                }
                let _ = crate::iris::template_from_image(&image);
            }
        }
        let lying = GrayImage {
            width: 100,
            height: 100,
            pixels: vec![0; 10],
            ppi: None,
        };
        assert!(segment(&lying).is_err());
    }

    #[test]
    fn rejects_tiny_and_blank_images() {
        let tiny = GrayImage {
            width: 10,
            height: 10,
            pixels: vec![0; 100],
            ppi: None,
        };
        assert_eq!(
            segment(&tiny),
            Err(IrisError::ImageTooSmall {
                width: 10,
                height: 10,
                min: MIN_SIDE
            })
        );
        let blank = GrayImage {
            width: 200,
            height: 150,
            pixels: vec![90; 200 * 150],
            ppi: None,
        };
        assert!(segment(&blank).is_err());
    }

    #[test]
    fn masks_reflections_and_lids() {
        let c = SyntheticEye::new(2).capture(Format::K3);
        let Ok(seg) = segment(&c.image) else {
            panic!("no segmentation")
        };
        let bright = c.image.pixels.iter().filter(|&&v| v >= 250).count();
        assert!(bright > 0);
        let masked = (0..c.image.pixels.len())
            .filter(|&i| c.image.pixels[i] >= 250)
            .filter(|&i| {
                seg.occluded(
                    (i % c.image.width) as f64 + 0.5,
                    (i / c.image.width) as f64 + 0.5,
                )
            })
            .count();
        assert!(
            masked * 10 >= bright * 9,
            "{masked} of {bright} bright pixels masked"
        );
        assert!(seg.occluded(c.iris.x, c.iris.y - c.iris.r + 1.0) || seg.upper_eyelid.is_none());
        assert!(!seg.occluded(c.iris.x + 0.5 * (c.iris.r + c.pupil.r), c.pupil.y));
    }
}
