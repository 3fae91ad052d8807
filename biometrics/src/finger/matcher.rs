//! 1:1 comparison with Minutia Cylinder-Code (Cappelli, Ferrara & Maltoni, PAMI 2010).
//!
//! Each minutia gets a "cylinder": the directions and positions of its neighbours, in a frame that
//! turns with the minutia, sampled on an 8x8 grid times 6 direction bins. That is 384 bits, one
//! 64-bit word per direction bin, so two cylinders compare with a handful of popcounts and the
//! code needs no alignment of the two prints. Local similarities are then consolidated by
//! relaxation (LSS-R): a pairing survives only if the other pairings agree on the distances and
//! angles between minutiae, which is what separates the genuine pairings from chance ones.

use std::f32::consts::PI;

use super::template::Template;

const NS: usize = 8;
const ND: usize = 6;
const RADIUS: f32 = 70.0;
const CELL: f32 = 2.0 * RADIUS / NS as f32;
const SIGMA_S: f32 = 9.0;
const SIGMA_D: f32 = 5.0 * PI / 36.0;
const MU_PSI: f32 = 0.01;
/// How far outside the convex hull of the minutiae a cell still counts as fingerprint.
const HULL_MARGIN: f32 = 50.0;
const MIN_VALID_SHARE: f32 = 0.75;
const MIN_NEIGHBOURS: usize = 2;
const MIN_COMMON_SHARE: f32 = 0.6;
const MAX_MINUTIAE: usize = 80;
const DELTA_THETA_MAX: f32 = PI / 2.0;

/// Where each cell lies relative to the minutia (before rotation), and which are inside the radius.
const fn cells_in_circle() -> u32 {
    let mut n = 0;
    let mut i = 0;
    while i < NS * NS {
        let cx = (i % NS) as f32 + 0.5 - NS as f32 / 2.0;
        let cy = (i / NS) as f32 + 0.5 - NS as f32 / 2.0;
        if (cx * cx + cy * cy) * CELL * CELL <= RADIUS * RADIUS {
            n += 1;
        }
        i += 1;
    }
    n
}
const CIRCLE_CELLS: u32 = cells_in_circle();

const DIRECTION_SLOTS: usize = 512;

/// Which slot of the direction table an angle difference in [-pi, pi) falls in.
#[inline]
fn direction_slot(d: f32) -> usize {
    (((d + PI) * (DIRECTION_SLOTS as f32 / (2.0 * PI))) as usize).min(DIRECTION_SLOTS - 1)
}

/// The direction contribution of a neighbour to each direction bin (a Gaussian integrated over
/// the bin, times the spatial normalisation), tabulated over the neighbour's relative direction
/// because the integral needs the error function.
fn direction_table() -> &'static [[f32; ND]; DIRECTION_SLOTS] {
    static TABLE: std::sync::OnceLock<[[f32; ND]; DIRECTION_SLOTS]> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let norm_s = 1.0 / (SIGMA_S * (2.0 * PI).sqrt());
        let bin = 2.0 * PI / ND as f32;
        let erf_scale = 1.0 / (SIGMA_D * 2.0f32.sqrt());
        let mut t = [[0.0f32; ND]; DIRECTION_SLOTS];
        for (slot, row) in t.iter_mut().enumerate() {
            let nd = -PI + (slot as f32 + 0.5) * (2.0 * PI / DIRECTION_SLOTS as f32);
            for (k, v) in row.iter_mut().enumerate() {
                let centre = -PI + (k as f32 + 0.5) * bin;
                let off = dphi(centre, nd);
                *v = norm_s
                    * 0.5
                    * (erf((off + bin / 2.0) * erf_scale) - erf((off - bin / 2.0) * erf_scale));
            }
        }
        t
    })
}

#[derive(Debug, Clone, Copy)]
struct Point {
    x: f32,
    y: f32,
    t: f32,
}

#[derive(Debug, Clone)]
struct Cylinder {
    bits: [u64; ND],
    valid: u64,
    minutia: usize,
}

/// A template in the matcher's working form (cylinders built). Build it once per template; it
/// can be compared any number of times, from any thread.
#[derive(Debug, Clone)]
pub struct Prepared {
    points: Vec<Point>,
    cylinders: Vec<Cylinder>,
}

/// Signed difference of two angles, in [-pi, pi).
#[inline]
fn dphi(a: f32, b: f32) -> f32 {
    let d = a - b;
    if d < -PI {
        d + 2.0 * PI
    } else if d >= PI {
        d - 2.0 * PI
    } else {
        d
    }
}

/// Error function (Abramowitz & Stegun 7.1.26, error below 1.5e-7), for the direction
/// contribution, which integrates a Gaussian over a direction bin.
fn erf(x: f32) -> f32 {
    let s = x.signum();
    let x = x.abs();
    let t = 1.0 / (1.0 + 0.327_591_1 * x);
    let y = 1.0
        - (((((1.061_405_4 * t - 1.453_152_1) * t) + 1.421_413_7) * t - 0.284_496_72) * t
            + 0.254_829_6)
            * t
            * (-x * x).exp();
    s * y
}

fn convex_hull(pts: &[Point]) -> Vec<(f32, f32)> {
    let mut p: Vec<(f32, f32)> = pts.iter().map(|m| (m.x, m.y)).collect();
    p.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
    p.dedup();
    if p.len() < 3 {
        return p;
    }
    let cross = |o: (f32, f32), a: (f32, f32), b: (f32, f32)| {
        (a.0 - o.0) * (b.1 - o.1) - (a.1 - o.1) * (b.0 - o.0)
    };
    let mut hull: Vec<(f32, f32)> = Vec::with_capacity(2 * p.len());
    for pass in 0..2 {
        let start = hull.len();
        let iter: Box<dyn Iterator<Item = &(f32, f32)>> = if pass == 0 {
            Box::new(p.iter())
        } else {
            Box::new(p.iter().rev())
        };
        for &q in iter {
            while hull.len() >= start + 2
                && cross(hull[hull.len() - 2], hull[hull.len() - 1], q) <= 0.0
            {
                hull.pop();
            }
            hull.push(q);
        }
        hull.pop();
    }
    hull
}

/// Is (x, y) inside the hull or within `margin` of it? The hull is counter-clockwise in a
/// y-up sense, i.e. every edge has the interior on its left under `cross`.
fn near_hull(hull: &[(f32, f32)], x: f32, y: f32, margin: f32) -> bool {
    let m2 = margin * margin;
    match hull.len() {
        0 => return false,
        1 => return (hull[0].0 - x).powi(2) + (hull[0].1 - y).powi(2) <= m2,
        _ => {}
    }
    let edges = || (0..hull.len()).map(|i| (hull[i], hull[(i + 1) % hull.len()]));
    if hull.len() >= 3
        && edges().all(|(a, b)| (b.0 - a.0) * (y - a.1) - (b.1 - a.1) * (x - a.0) >= 0.0)
    {
        return true;
    }
    edges().any(|(a, b)| {
        let (ex, ey) = (b.0 - a.0, b.1 - a.1);
        let (px, py) = (x - a.0, y - a.1);
        let l2 = ex * ex + ey * ey;
        let t = if l2 > 0.0 {
            ((px * ex + py * ey) / l2).clamp(0.0, 1.0)
        } else {
            0.0
        };
        (px - t * ex).powi(2) + (py - t * ey).powi(2) <= m2
    })
}

impl Prepared {
    /// Builds the cylinders of a template. Uses at most the 80 best-quality minutiae.
    pub fn new(t: &Template) -> Self {
        Self::build(t, MAX_MINUTIAE)
    }

    /// Cylinders for only the first `max_cylinders` minutiae in quality order (all minutiae
    /// still count as neighbours): what the index stores.
    pub(crate) fn build(t: &Template, max_cylinders: usize) -> Self {
        let mut ms: Vec<_> = t.minutiae.iter().collect();
        ms.sort_by_key(|m| std::cmp::Reverse(m.quality));
        ms.truncate(MAX_MINUTIAE);
        let points: Vec<Point> = ms
            .iter()
            .map(|m| Point {
                x: f32::from(m.x),
                y: f32::from(m.y),
                t: m.angle_radians(),
            })
            .collect();
        let hull = convex_hull(&points);
        let reach = RADIUS + 3.0 * SIGMA_S;
        let mut cylinders = Vec::with_capacity(points.len());
        let dir_table = direction_table();
        let reach_cells = 3.0 * SIGMA_S / CELL;
        let mut acc = [[0.0f32; ND]; NS * NS];
        for (mi, m) in points.iter().enumerate().take(max_cylinders) {
            let (s, c) = m.t.sin_cos();
            acc.iter_mut().for_each(|a| *a = [0.0; ND]);
            let mut neighbours = 0;
            for (ni, n) in points.iter().enumerate() {
                let (dx, dy) = (n.x - m.x, n.y - m.y);
                if ni == mi || dx * dx + dy * dy > reach * reach {
                    continue;
                }
                neighbours += 1;
                // Position in the cylinder's frame, in cell units from the first cell centre.
                let u = (c * dx + s * dy) / CELL + NS as f32 / 2.0 - 0.5;
                let v = (-s * dx + c * dy) / CELL + NS as f32 / 2.0 - 0.5;
                let cd = &dir_table[direction_slot(dphi(n.t, m.t))];
                let col0 = (u - reach_cells).ceil().max(0.0) as usize;
                let col1 = (u + reach_cells).floor().min((NS - 1) as f32);
                let row0 = (v - reach_cells).ceil().max(0.0) as usize;
                let row1 = (v + reach_cells).floor().min((NS - 1) as f32);
                if col1 < 0.0 || row1 < 0.0 {
                    continue;
                }
                for row in row0..=row1 as usize {
                    for col in col0..=col1 as usize {
                        let d2 =
                            ((col as f32 - u).powi(2) + (row as f32 - v).powi(2)) * CELL * CELL;
                        let gs = (-d2 / (2.0 * SIGMA_S * SIGMA_S)).exp();
                        for (a, w) in acc[row * NS + col].iter_mut().zip(cd) {
                            *a += gs * w;
                        }
                    }
                }
            }
            if neighbours < MIN_NEIGHBOURS {
                continue;
            }
            let mut bits = [0u64; ND];
            let mut valid = 0u64;
            for (cell, a) in acc.iter().enumerate() {
                let i = (cell % NS) as f32 + 0.5 - NS as f32 / 2.0;
                let j = (cell / NS) as f32 + 0.5 - NS as f32 / 2.0;
                if (i * i + j * j) * CELL * CELL > RADIUS * RADIUS {
                    continue;
                }
                let px = m.x + CELL * (c * i - s * j);
                let py = m.y + CELL * (s * i + c * j);
                if !near_hull(&hull, px, py, HULL_MARGIN) {
                    continue;
                }
                valid |= 1 << cell;
                for (k, &v) in a.iter().enumerate() {
                    if v >= MU_PSI {
                        bits[k] |= 1 << cell;
                    }
                }
            }
            if (valid.count_ones() as f32) < MIN_VALID_SHARE * CIRCLE_CELLS as f32 {
                continue;
            }
            cylinders.push(Cylinder {
                bits,
                valid,
                minutia: mi,
            });
        }
        Self { points, cylinders }
    }

    /// Number of minutiae with a usable cylinder.
    pub fn cylinder_count(&self) -> usize {
        self.cylinders.len()
    }

    /// The binary cylinders (6 direction words and the validity mask), for indexing.
    pub(crate) fn cylinder_words(&self) -> impl Iterator<Item = (&[u64; ND], u64)> + '_ {
        self.cylinders.iter().map(|c| (&c.bits, c.valid))
    }
}

#[inline(always)]
fn local_similarity(a: &Cylinder, b: &Cylinder, ta: f32, tb: f32) -> f32 {
    if dphi(ta, tb).abs() > DELTA_THETA_MAX {
        return 0.0;
    }
    let common = a.valid & b.valid;
    let nc = common.count_ones();
    if (nc as f32) < MIN_COMMON_SHARE * CIRCLE_CELLS as f32 {
        return 0.0;
    }
    let (mut diff, mut na, mut nb) = (0u32, 0u32, 0u32);
    for k in 0..ND {
        let x = a.bits[k] & common;
        let y = b.bits[k] & common;
        diff += (x ^ y).count_ones();
        na += x.count_ones();
        nb += y.count_ones();
    }
    let den = (na as f32).sqrt() + (nb as f32).sqrt();
    if den == 0.0 {
        return 0.0;
    }
    1.0 - (diff as f32).sqrt() / den
}

/// Every pairing of cylinders with a non-zero local similarity.
#[inline(always)]
fn local_pairs(a: &Prepared, b: &Prepared, cand: &mut Vec<(f32, u16, u16)>) {
    for (i, ca) in a.cylinders.iter().enumerate() {
        let ta = a.points[ca.minutia].t;
        for (j, cb) in b.cylinders.iter().enumerate() {
            let s = local_similarity(ca, cb, ta, b.points[cb.minutia].t);
            if s > 0.0 {
                cand.push((s, i as u16, j as u16));
            }
        }
    }
}

/// The same loop compiled with the POPCNT instruction: the bit counts of the cylinders are most
/// of a comparison, and the portable build counts bits with shifts and masks.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "popcnt")]
fn local_pairs_popcnt(a: &Prepared, b: &Prepared, cand: &mut Vec<(f32, u16, u16)>) {
    local_pairs(a, b, cand);
}

/// atan2 to within 2e-4 radians (a minimax polynomial on [0, 1] and octant folding); the
/// compatibilities it feeds tolerate degrees, and the library call dominated comparison time.
#[inline]
pub(crate) fn fast_atan2(y: f32, x: f32) -> f32 {
    let (ax, ay) = (x.abs(), y.abs());
    let (hi, lo) = (ax.max(ay), ax.min(ay));
    if hi == 0.0 {
        return 0.0;
    }
    let a = lo / hi;
    let s = a * a;
    let mut r = ((-0.046_496_475 * s + 0.159_314_22) * s - 0.327_622_76) * s * a + a;
    if ay > ax {
        r = PI / 2.0 - r;
    }
    if x < 0.0 {
        r = PI - r;
    }
    if y < 0.0 { -r } else { r }
}

#[inline]
fn sigmoid(v: f32, mu: f32, tau: f32) -> f32 {
    1.0 / (1.0 + (-tau * (v - mu)).exp())
}

/// How many top pairings the final score averages, growing with the smaller minutiae count.
fn pairs_to_use(na: usize, nb: usize) -> usize {
    let n = na.min(nb) as f32;
    let z = sigmoid(n, 20.0, 0.4);
    3 + (z * 6.0).round() as usize
}

/// Similarity of two prepared templates in [0, 1]; symmetric up to rounding.
pub fn compare(a: &Prepared, b: &Prepared) -> f32 {
    let (na, nb) = (a.cylinders.len(), b.cylinders.len());
    if na == 0 || nb == 0 {
        return 0.0;
    }
    let mut cand: Vec<(f32, u16, u16)> = Vec::with_capacity(na * nb / 2);
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("popcnt") {
            // SAFETY: the CPU has just been seen to support POPCNT.
            unsafe { local_pairs_popcnt(a, b, &mut cand) };
        } else {
            local_pairs(a, b, &mut cand);
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    local_pairs(a, b, &mut cand);
    cand.sort_unstable_by(|x, y| y.0.total_cmp(&x.0));
    let nr = na.min(nb);
    let mut used_a = vec![false; na];
    let mut used_b = vec![false; nb];
    let mut sel: Vec<(f32, Point, Point)> = Vec::with_capacity(nr);
    for &(s, i, j) in &cand {
        let (i, j) = (i as usize, j as usize);
        if used_a[i] || used_b[j] {
            continue;
        }
        used_a[i] = true;
        used_b[j] = true;
        sel.push((
            s,
            a.points[a.cylinders[i].minutia],
            b.points[b.cylinders[j].minutia],
        ));
        if sel.len() == nr {
            break;
        }
    }
    let np = pairs_to_use(na, nb).min(sel.len());
    if np == 0 {
        return 0.0;
    }
    let n = sel.len();
    // Pairwise compatibility: distances and the two angle relations must agree in both prints.
    let mut rho = vec![0.0f32; n * n];
    for t in 0..n {
        let (_, at, bt) = sel[t];
        for k in t + 1..n {
            let (_, ak, bk) = sel[k];
            let da = ((ak.x - at.x).powi(2) + (ak.y - at.y).powi(2)).sqrt();
            let db = ((bk.x - bt.x).powi(2) + (bk.y - bt.y).powi(2)).sqrt();
            let d1 = (da - db).abs();
            // Beyond these differences the sigmoids below are under 1e-4: skip the atan2s.
            if d1 > 12.0 {
                continue;
            }
            let d2 = dphi(dphi(at.t, ak.t), dphi(bt.t, bk.t)).abs();
            if d2 > 0.6 {
                continue;
            }
            let ra = dphi(at.t, fast_atan2(ak.y - at.y, ak.x - at.x));
            let rb = dphi(bt.t, fast_atan2(bk.y - bt.y, bk.x - bt.x));
            let d3 = dphi(ra, rb).abs();
            if d3 > 0.6 {
                continue;
            }
            let r = sigmoid(d1, 5.0, -1.6)
                * sigmoid(d2, PI / 12.0, -30.0)
                * sigmoid(d3, PI / 12.0, -30.0);
            rho[t * n + k] = r;
            rho[k * n + t] = r;
        }
    }
    let mut lambda: Vec<f32> = sel.iter().map(|s| s.0).collect();
    let mut next = vec![0.0f32; n];
    let denom = (n.max(2) - 1) as f32;
    for _ in 0..5 {
        for t in 0..n {
            let row = &rho[t * n..(t + 1) * n];
            let sum: f32 = row.iter().zip(&lambda).map(|(r, l)| r * l).sum();
            next[t] = 0.5 * lambda[t] + 0.5 * sum / denom;
        }
        std::mem::swap(&mut lambda, &mut next);
    }
    // The score averages the pairings with the most support after relaxation. (Cappelli et
    // al. rank by efficiency, support relative to the starting similarity; ranking by the
    // support itself measured better on FVC2002, with our minutiae and with ISO ones.)
    lambda.sort_unstable_by(|x, y| y.total_cmp(x));
    let s: f32 = lambda[..np].iter().sum::<f32>() / np as f32;
    s.clamp(0.0, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finger::template::{Minutia, MinutiaKind};

    #[test]
    fn fast_atan2_agrees_with_the_library() {
        let mut worst = 0.0f32;
        for i in -50..=50 {
            for j in -50..=50 {
                let (y, x) = (i as f32 * 0.37, j as f32 * 0.53);
                if x == 0.0 && y == 0.0 {
                    continue;
                }
                worst = worst.max(dphi(fast_atan2(y, x), y.atan2(x)).abs());
            }
        }
        assert!(worst < 2.5e-4, "worst error {worst}");
    }

    fn template(points: &[(u16, u16, u8)]) -> Template {
        Template {
            width: 400,
            height: 400,
            quality: 90,
            minutiae: points
                .iter()
                .map(|&(x, y, angle)| Minutia {
                    x,
                    y,
                    angle,
                    kind: MinutiaKind::Ending,
                    quality: 80,
                })
                .collect(),
        }
    }

    #[test]
    fn rotated_and_shifted_copy_scores_far_above_a_stranger() {
        let mut rng = crate::finger::synthetic::Rng::new(3);
        let pts: Vec<(u16, u16, u8)> = (0..40)
            .map(|_| {
                (
                    rng.range(100.0, 300.0) as u16,
                    rng.range(100.0, 300.0) as u16,
                    (rng.next_u64() % 256) as u8,
                )
            })
            .collect();
        // 30 degrees about (200, 200), then 15 pixels right.
        let (s, c) = (PI / 6.0).sin_cos();
        let moved: Vec<(u16, u16, u8)> = pts
            .iter()
            .map(|&(x, y, a)| {
                let (dx, dy) = (f32::from(x) - 200.0, f32::from(y) - 200.0);
                let nx = 215.0 + c * dx - s * dy;
                let ny = 200.0 + s * dx + c * dy;
                (nx.round() as u16, ny.round() as u16, a.wrapping_add(21))
            })
            .collect();
        let other: Vec<(u16, u16, u8)> = (0..40)
            .map(|_| {
                (
                    rng.range(100.0, 300.0) as u16,
                    rng.range(100.0, 300.0) as u16,
                    (rng.next_u64() % 256) as u8,
                )
            })
            .collect();
        let a = Prepared::new(&template(&pts));
        let genuine = compare(&a, &Prepared::new(&template(&moved)));
        let impostor = compare(&a, &Prepared::new(&template(&other)));
        assert!(genuine > 0.3, "genuine {genuine}");
        assert!(
            genuine > 5.0 * impostor,
            "genuine {genuine}, impostor {impostor}"
        );
        assert_eq!(compare(&a, &Prepared::new(&template(&[]))), 0.0);
    }
}
