//! Minutiae extraction: enhancement, binarisation, thinning, crossing-number detection and the
//! removal of the false minutiae that noise, scars and the edge of the print produce.

use std::f32::consts::PI;

use thiserror::Error;

use super::enhance::{self, Orientation, Plane};
use super::quality;
use super::template::{Minutia, MinutiaKind, Template};
use crate::image::GrayImage;

/// Why no template could be extracted.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum ExtractError {
    #[error("image of {width}x{height} pixels is too small for a fingerprint (needs 64x64)")]
    TooSmall { width: usize, height: usize },
    #[error("image of {width}x{height} pixels is too large (at most 2048x2048)")]
    TooLarge { width: usize, height: usize },
}

/// A template together with the intermediate images, for quality scoring and inspection.
pub struct Extraction {
    pub template: Template,
    /// The foreground mask, 1 byte per pixel (1 = fingerprint).
    pub mask: Vec<u8>,
    /// The binarised, enhanced ridges before thinning, 1 byte per pixel (1 = ridge).
    pub ridges: Vec<u8>,
    /// The thinned ridge skeleton, 1 byte per pixel (1 = ridge centre line).
    pub skeleton: Vec<u8>,
}

/// Neighbours in ring order (E, SE, S, SW, W, NW, N, NE): the order the crossing number needs.
const RING: [(isize, isize); 8] = [
    (1, 0),
    (1, 1),
    (0, 1),
    (-1, 1),
    (-1, 0),
    (-1, -1),
    (0, -1),
    (1, -1),
];

/// Extracts minutiae from a greyscale impression at about 500 ppi with dark ridges.
pub fn extract(image: &GrayImage) -> Result<Extraction, ExtractError> {
    let (w, h) = (image.width, image.height);
    if w < 64 || h < 64 || image.pixels.len() != w * h {
        return Err(ExtractError::TooSmall {
            width: w,
            height: h,
        });
    }
    if w > 2048 || h > 2048 {
        return Err(ExtractError::TooLarge {
            width: w,
            height: h,
        });
    }
    let img = Plane {
        w,
        h,
        v: image.pixels.iter().map(|&p| f32::from(p)).collect(),
    };
    let orient = enhance::orientation(&img);
    let mask = enhance::segment(&img, &orient);
    let period = enhance::ridge_period(&img, &orient, &mask);
    let resp = enhance::gabor(&img, &orient, &period, &mask);
    let mut skel: Vec<u8> = (0..w * h)
        .map(|i| u8::from(mask[i] == 1 && resp.v[i] < 0.0))
        .collect();
    // Keep a blank frame so that neighbour lookups never leave the buffer.
    for x in 0..w {
        skel[x] = 0;
        skel[(h - 1) * w + x] = 0;
    }
    for y in 0..h {
        skel[y * w] = 0;
        skel[y * w + w - 1] = 0;
    }
    fill_small_holes(&mut skel, w, h, &period);
    let ridges = skel.clone();
    thin(&mut skel, w);
    let minutiae = detect(&skel, w, h, &mask, &orient, &period);
    let q = quality::score(&orient, &mask, &period, minutiae.len());
    let template = Template {
        width: w as u16,
        height: h as u16,
        quality: q,
        minutiae,
    };
    Ok(Extraction {
        template,
        mask,
        ridges,
        skeleton: skel,
    })
}

/// Minutiae of an already clean binary ridge map (1 = ridge), for the synthetic generator's
/// ground truth: the same thinning and detection as for real images, on noise-free input.
pub(crate) fn minutiae_of_clean_ridges(
    mut ridges: Vec<u8>,
    w: usize,
    h: usize,
    orient: &Orientation,
    period: &Plane,
) -> Vec<Minutia> {
    for x in 0..w {
        ridges[x] = 0;
        ridges[(h - 1) * w + x] = 0;
    }
    for y in 0..h {
        ridges[y * w] = 0;
        ridges[y * w + w - 1] = 0;
    }
    fill_small_holes(&mut ridges, w, h, period);
    thin(&mut ridges, w);
    let mask = vec![1u8; w * h];
    detect(&ridges, w, h, &mask, orient, period)
}

/// Pores and dust leave small holes in binarised ridges, and where valleys are narrow the
/// filter can leave short islands of valley inside a ridge; thinning would turn either into a
/// loop with two false bifurcations.
/// An enclosed background area up to the square of the local ridge period is such a hole: a
/// valley half a period wide and two periods long. Real valleys are long and run into others, so
/// they are never enclosed this tightly.
/// A skeleton branch joining two minutiae over less than this many ridge periods is a spur, a
/// bridge or a pore's loop, not ridge structure: ridges run at least a period between events.
/// (The period is the measured ridge-to-ridge distance, which blurred or porous prints no
/// longer bias low; a longer limit then also erases the short true ridges around cores.)
const SPUR_PERIODS: f32 = 1.0;
/// Minutiae closer than this to the image frame are cut-off ridges, not ridge events.
const FRAME_MARGIN: usize = 14;

fn fill_small_holes(b: &mut [u8], w: usize, h: usize, period: &Plane) {
    let mut seen = vec![false; w * h];
    let mut stack = Vec::new();
    let mut comp = Vec::new();
    for s in 0..w * h {
        if b[s] != 0 || seen[s] {
            continue;
        }
        comp.clear();
        seen[s] = true;
        stack.push(s);
        let mut touches_edge = false;
        while let Some(p) = stack.pop() {
            comp.push(p);
            let (x, y) = (p % w, p / w);
            if x == 0 || y == 0 || x + 1 == w || y + 1 == h {
                touches_edge = true;
                continue;
            }
            for q in [p - 1, p + 1, p - w, p + w] {
                if b[q] == 0 && !seen[q] {
                    seen[q] = true;
                    stack.push(q);
                }
            }
        }
        let p = period.v[s];
        if !touches_edge && (comp.len() as f32) <= p * p {
            for &p in &comp {
                b[p] = 1;
            }
        }
    }
}

fn neighbour_code(b: &[u8], w: usize, p: usize) -> u8 {
    let mut c = 0u8;
    for (k, &(dx, dy)) in RING.iter().enumerate() {
        let q = (p as isize + dy * w as isize + dx) as usize;
        if b[q] != 0 {
            c |= 1 << k;
        }
    }
    c
}

/// For each 8-neighbourhood: can the centre be removed without changing the topology (its set
/// neighbours form exactly one 8-connected group and it touches the background 4-wise)?
fn simple_table() -> [bool; 256] {
    let mut t = [false; 256];
    for (code, slot) in t.iter_mut().enumerate() {
        let set: Vec<usize> = (0..8).filter(|k| code & (1 << k) != 0).collect();
        if set.is_empty() {
            continue;
        }
        let four_bg = [0usize, 2, 4, 6].iter().any(|k| code & (1 << k) == 0);
        let mut label = [usize::MAX; 8];
        let mut groups = 0;
        for &s in &set {
            if label[s] != usize::MAX {
                continue;
            }
            label[s] = groups;
            let mut stack = vec![s];
            while let Some(a) = stack.pop() {
                for &b in &set {
                    let (ax, ay) = RING[a];
                    let (bx, by) = RING[b];
                    if label[b] == usize::MAX && (ax - bx).abs() <= 1 && (ay - by).abs() <= 1 {
                        label[b] = groups;
                        stack.push(b);
                    }
                }
            }
            groups += 1;
        }
        *slot = groups == 1 && four_bg;
    }
    t
}

/// Topology-preserving thinning: peel simple border pixels one side at a time (N, S, E, W) until
/// only a one-pixel-wide, 8-connected centre line remains. Ends of lines are kept.
fn thin(b: &mut [u8], w: usize) {
    let simple = simple_table();
    let mut cand: Vec<usize> = (0..b.len()).filter(|&i| b[i] != 0).collect();
    // Ring bit of the 4-neighbour that must be background for each sub-pass: N, S, E, W.
    let sides = [6u8, 2, 0, 4];
    let mut border = Vec::new();
    loop {
        let mut changed = false;
        for &side in &sides {
            // Pixels are chosen on the state before the sub-pass, then removed one by one with
            // the test repeated, so that removals neither cascade through a ridge from one side
            // nor break it where two candidates touch.
            border.clear();
            let (dx, dy) = RING[side as usize];
            let off = dy * w as isize + dx;
            border.extend(
                cand.iter()
                    .copied()
                    .filter(|&p| b[p] != 0 && b[(p as isize + off) as usize] == 0),
            );
            for &p in &border {
                let c = neighbour_code(b, w, p);
                if c.count_ones() < 2 || !simple[c as usize] {
                    continue;
                }
                b[p] = 0;
                changed = true;
            }
        }
        cand.retain(|&p| b[p] != 0);
        if !changed {
            break;
        }
    }
}

fn crossing_number(code: u8) -> u32 {
    let mut n = 0;
    for k in 0..8 {
        let a = (code >> k) & 1;
        let b = (code >> ((k + 1) % 8)) & 1;
        n += u32::from(a != b);
    }
    n / 2
}

struct Raw {
    x: usize,
    y: usize,
    kind: MinutiaKind,
    angle: f32,
    alive: bool,
}

struct Trace {
    end: (usize, usize),
    steps: usize,
    hit: Option<usize>,
}

/// Follows the skeleton from `start` through `first` for up to `max` pixels, stopping at another
/// minutia (reported in `hit`) or where the line ends.
fn trace(skel: &[u8], w: usize, at: &[u32], start: usize, first: usize, max: usize) -> Trace {
    let mut prev = start;
    let mut cur = first;
    let mut visited = vec![start, first];
    let mut steps = 1;
    loop {
        let m = at[cur];
        if m != u32::MAX {
            return Trace {
                end: (cur % w, cur / w),
                steps,
                hit: Some(m as usize),
            };
        }
        if steps >= max {
            break;
        }
        let mut next = None;
        let mut fallback = None;
        for &(dx, dy) in &RING {
            let q = (cur as isize + dy * w as isize + dx) as usize;
            if skel[q] == 0 || visited.contains(&q) {
                continue;
            }
            let (px, py) = ((prev % w) as isize, (prev / w) as isize);
            let (qx, qy) = ((q % w) as isize, (q / w) as isize);
            if (px - qx).abs() <= 1 && (py - qy).abs() <= 1 {
                fallback.get_or_insert(q);
                continue;
            }
            if next.is_none() || dx == 0 || dy == 0 {
                next = Some(q);
            }
        }
        let Some(n) = next.or(fallback) else { break };
        visited.push(n);
        prev = cur;
        cur = n;
        steps += 1;
    }
    Trace {
        end: (cur % w, cur / w),
        steps,
        hit: None,
    }
}

fn angle_diff(a: f32, b: f32) -> f32 {
    let d = (a - b).rem_euclid(2.0 * PI);
    if d > PI { 2.0 * PI - d } else { d }
}

fn detect(
    skel: &[u8],
    w: usize,
    h: usize,
    mask: &[u8],
    orient: &Orientation,
    period: &Plane,
) -> Vec<Minutia> {
    // Distance-from-edge proxy: the share of foreground in a window around each pixel.
    let inner = enhance::box_blur(
        &Plane {
            w,
            h,
            v: mask.iter().map(|&m| f32::from(m)).collect(),
        },
        12,
    );
    let mut raw: Vec<Raw> = Vec::new();
    let mut at = vec![u32::MAX; w * h];
    for y in 1..h - 1 {
        for x in 1..w - 1 {
            let p = y * w + x;
            if skel[p] == 0 {
                continue;
            }
            let c = neighbour_code(skel, w, p);
            let kind = match crossing_number(c) {
                1 => MinutiaKind::Ending,
                3 => MinutiaKind::Bifurcation,
                _ => continue,
            };
            at[p] = raw.len() as u32;
            raw.push(Raw {
                x,
                y,
                kind,
                angle: 0.0,
                alive: true,
            });
        }
    }
    const DIR_LEN: usize = 12;
    let mut kill = Vec::new();
    for i in 0..raw.len() {
        let p = raw[i].y * w + raw[i].x;
        let code = neighbour_code(skel, w, p);
        // First pixel of each run of set ring positions, preferring a 4-neighbour.
        let mut branches = Vec::new();
        for k in 0..8 {
            if code & (1 << k) != 0 && code & (1 << ((k + 7) % 8)) == 0 {
                let mut pick = k;
                let mut j = k;
                while code & (1 << j) != 0 {
                    if j % 2 == 0 {
                        pick = j;
                        break;
                    }
                    j = (j + 1) % 8;
                    if j == k {
                        break;
                    }
                }
                let (dx, dy) = RING[pick];
                branches.push((p as isize + dy * w as isize + dx) as usize);
            }
        }
        let traces: Vec<Trace> = branches
            .iter()
            .map(|&b| trace(skel, w, &at, p, b, DIR_LEN))
            .collect();
        let (mx, my) = (raw[i].x as f32, raw[i].y as f32);
        let dir = |t: &Trace| (t.end.1 as f32 - my).atan2(t.end.0 as f32 - mx);
        let local_period = period.v[p];
        match (raw[i].kind, traces.as_slice()) {
            (MinutiaKind::Ending, [t]) => {
                raw[i].angle = dir(t) + PI;
                if let Some(j) = t.hit {
                    let short = t.steps as f32 <= SPUR_PERIODS * local_period;
                    if short || raw[j].kind == MinutiaKind::Ending {
                        kill.push(i);
                        kill.push(j);
                    }
                }
            }
            (MinutiaKind::Bifurcation, [a, b, c]) => {
                let d = [dir(a), dir(b), dir(c)];
                let pairs = [(0, 1, 2), (0, 2, 1), (1, 2, 0)];
                let &(_, _, stem) = pairs
                    .iter()
                    .min_by(|x, y| {
                        angle_diff(d[x.0], d[x.1]).total_cmp(&angle_diff(d[y.0], d[y.1]))
                    })
                    .unwrap_or(&(0, 1, 2));
                raw[i].angle = d[stem];
                for t in [a, b, c] {
                    let Some(j) = t.hit else { continue };
                    if t.steps <= 2 && raw[j].kind == MinutiaKind::Bifurcation {
                        // One junction spread over adjacent pixels: keep a single minutia.
                        if j > i {
                            kill.push(j);
                        }
                    } else if t.steps as f32 <= SPUR_PERIODS * local_period {
                        kill.push(i);
                        kill.push(j);
                    }
                }
            }
            _ => kill.push(i),
        }
    }
    for k in kill {
        raw[k].alive = false;
    }
    // Broken ridges: two endings facing each other across a small gap.
    let n = raw.len();
    for i in 0..n {
        if raw[i].kind != MinutiaKind::Ending {
            continue;
        }
        for j in i + 1..n {
            if raw[j].kind != MinutiaKind::Ending {
                continue;
            }
            let dx = raw[j].x as f32 - raw[i].x as f32;
            let dy = raw[j].y as f32 - raw[i].y as f32;
            let d = (dx * dx + dy * dy).sqrt();
            let lp = period.v[raw[i].y * w + raw[i].x];
            if d > 2.0 * lp {
                continue;
            }
            let facing = angle_diff(raw[i].angle, raw[j].angle + PI) < PI / 4.0
                && angle_diff(dy.atan2(dx), raw[i].angle) < PI / 3.0;
            if facing || d < 0.6 * lp {
                raw[i].alive = false;
                raw[j].alive = false;
            }
        }
    }
    let mut out = Vec::new();
    for r in raw.iter().filter(|r| r.alive) {
        let p = r.y * w + r.x;
        let edge = inner.v[p];
        // The mask often runs to the image edge, where every ridge ends artificially.
        let to_frame = r.x.min(r.y).min(w - 1 - r.x).min(h - 1 - r.y);
        if edge < 0.97 || to_frame < FRAME_MARGIN {
            continue;
        }
        let coh = orient.coherence.v[p].clamp(0.0, 1.0);
        let q = (100.0 * coh.sqrt()).round() as u8;
        out.push(Minutia {
            x: r.x as u16,
            y: r.y as u16,
            angle: Minutia::quantise_angle(r.angle),
            kind: r.kind,
            quality: q.max(1),
        });
    }
    out
}
