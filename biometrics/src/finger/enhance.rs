//! Image-domain stages of extraction: orientation field, foreground mask, ridge period and the
//! oriented band-pass filter that turns a noisy impression into clean ridges.
//!
//! Kept apart from minutiae detection because these stages only see pixels; they are also reused
//! by the quality score.

use std::f32::consts::PI;

/// A float image; every stage here produces one per pixel so later stages need no interpolation.
#[derive(Debug, Clone)]
pub(crate) struct Plane {
    pub w: usize,
    pub h: usize,
    pub v: Vec<f32>,
}

impl Plane {
    pub fn new(w: usize, h: usize) -> Self {
        Self {
            w,
            h,
            v: vec![0.0; w * h],
        }
    }
}

/// Mean over a (2r+1)^2 window, clamped at the edges (divides by the pixels actually covered), done
/// as two running-sum passes so the cost does not depend on r.
pub(crate) fn box_blur(src: &Plane, r: usize) -> Plane {
    let (w, h) = (src.w, src.h);
    let mut tmp = Plane::new(w, h);
    let mut out = Plane::new(w, h);
    let mut line = vec![0.0f64; w + 1];
    // Window sizes repeat on every row: divide once per column, not per pixel.
    let inv_width: Vec<f64> = (0..w)
        .map(|x| 1.0 / ((x + r + 1).min(w) - x.saturating_sub(r)) as f64)
        .collect();
    for y in 0..h {
        let row = &src.v[y * w..(y + 1) * w];
        line[0] = 0.0;
        for x in 0..w {
            line[x + 1] = line[x] + row[x] as f64;
        }
        let out_row = &mut tmp.v[y * w..(y + 1) * w];
        for (x, (o, inv)) in out_row.iter_mut().zip(&inv_width).enumerate() {
            let a = x.saturating_sub(r);
            let b = (x + r + 1).min(w);
            *o = ((line[b] - line[a]) * inv) as f32;
        }
    }
    // The vertical pass keeps one running sum per column and walks rows, so memory is read in
    // order.
    let mut col = vec![0.0f64; w];
    let mut count = 0usize;
    for y in 0..(r + 1).min(h) {
        for (c, v) in col.iter_mut().zip(&tmp.v[y * w..(y + 1) * w]) {
            *c += f64::from(*v);
        }
        count += 1;
    }
    for y in 0..h {
        let inv = 1.0 / count as f64;
        for (o, c) in out.v[y * w..(y + 1) * w].iter_mut().zip(&col) {
            *o = (c * inv) as f32;
        }
        let add = y + r + 1;
        if add < h {
            for (c, v) in col.iter_mut().zip(&tmp.v[add * w..(add + 1) * w]) {
                *c += f64::from(*v);
            }
            count += 1;
        }
        if y >= r {
            let sub = y - r;
            for (c, v) in col.iter_mut().zip(&tmp.v[sub * w..(sub + 1) * w]) {
                *c -= f64::from(*v);
            }
            count -= 1;
        }
    }
    out
}

/// Ridge orientation (radians in [0, pi), the direction ridges run) and its coherence in [0, 1].
pub(crate) struct Orientation {
    pub theta: Plane,
    pub coherence: Plane,
    /// Local gradient energy, the basis of segmentation.
    pub energy: Plane,
}

/// Bazen & Gerez: average the squared gradient as a doubled-angle vector, so opposite gradient
/// directions on the two flanks of a ridge reinforce instead of cancelling.
pub(crate) fn orientation(img: &Plane) -> Orientation {
    let (w, h) = (img.w, img.h);
    let mut gxx = Plane::new(w, h);
    let mut gxy = Plane::new(w, h);
    let mut en = Plane::new(w, h);
    for y in 1..h.saturating_sub(1) {
        for x in 1..w.saturating_sub(1) {
            let p = |dx: isize, dy: isize| {
                img.v[(y as isize + dy) as usize * w + (x as isize + dx) as usize]
            };
            let gx = (p(1, -1) + 2.0 * p(1, 0) + p(1, 1)) - (p(-1, -1) + 2.0 * p(-1, 0) + p(-1, 1));
            let gy = (p(-1, 1) + 2.0 * p(0, 1) + p(1, 1)) - (p(-1, -1) + 2.0 * p(0, -1) + p(1, -1));
            let i = y * w + x;
            gxx.v[i] = gx * gx - gy * gy;
            gxy.v[i] = 2.0 * gx * gy;
            en.v[i] = gx * gx + gy * gy;
        }
    }
    let a = box_blur(&gxx, 8);
    let b = box_blur(&gxy, 8);
    let e = box_blur(&en, 8);
    let mut coherence = Plane::new(w, h);
    for i in 0..w * h {
        let m = (a.v[i] * a.v[i] + b.v[i] * b.v[i]).sqrt();
        coherence.v[i] = if e.v[i] > 1e-6 {
            (m / e.v[i]).min(1.0)
        } else {
            0.0
        };
    }
    // A second, wider smoothing of the vector field bridges scars and creases, but it also
    // straightens the tight curves around cores and deltas. Each pixel therefore mixes the local
    // field (as a unit vector, weighted by its coherence: how much the local gradients agree)
    // with the smoothed one (the rest of the weight): clear ridges keep their own direction and
    // noisy patches take their surroundings'.
    let a2 = box_blur(&box_blur(&a, 10), 10);
    let b2 = box_blur(&box_blur(&b, 10), 10);
    let mut theta = Plane::new(w, h);
    for i in 0..w * h {
        let c = coherence.v[i];
        let local = if e.v[i] > 1e-6 { c / e.v[i] } else { 0.0 };
        let m = (a2.v[i] * a2.v[i] + b2.v[i] * b2.v[i]).sqrt();
        let wide = if m > 1e-6 { (1.0 - c) / m } else { 0.0 };
        let x = local * a.v[i] + wide * a2.v[i];
        let y = local * b.v[i] + wide * b2.v[i];
        let g = 0.5 * super::matcher::fast_atan2(y, x);
        // g lies in [-pi/2, pi/2]; a plain comparison is much cheaper than a float modulo.
        let t = g + PI / 2.0;
        theta.v[i] = if t >= PI { t - PI } else { t.max(0.0) };
    }
    Orientation {
        theta,
        coherence,
        energy: e,
    }
}

/// Foreground mask (1 = fingerprint area): blocks with enough gradient energy, cleaned to one
/// solid region so that the ridge endings along the edge of the print can be recognised as
/// artefacts.
pub(crate) fn segment(img: &Plane, orient: &Orientation) -> Vec<u8> {
    const B: usize = 8;
    let (w, h) = (img.w, img.h);
    let bw = w.div_ceil(B);
    let bh = h.div_ceil(B);
    let mut be = vec![0.0f32; bw * bh];
    let mut bc = vec![0.0f32; bw * bh];
    for by in 0..bh {
        for bx in 0..bw {
            let (cx, cy) = ((bx * B + B / 2).min(w - 1), (by * B + B / 2).min(h - 1));
            be[by * bw + bx] = orient.energy.v[cy * w + cx];
            bc[by * bw + bx] = orient.coherence.v[cy * w + cx];
        }
    }
    let mut sorted = be.clone();
    sorted.sort_by(|a, b| a.total_cmp(b));
    let p95 = sorted[(sorted.len() * 95 / 100).min(sorted.len() - 1)];
    let thr = 0.06 * p95;
    let mut fg: Vec<u8> = be
        .iter()
        .zip(&bc)
        .map(|(&e, &c)| u8::from(e > thr && (c > 0.15 || e > 0.3 * p95)))
        .collect();
    fg = majority(&fg, bw, bh);
    fg = keep_largest(&fg, bw, bh);
    fill_holes(&mut fg, bw, bh);
    // Back to pixels, with the block steps smoothed away.
    let mut m = Plane::new(w, h);
    for y in 0..h {
        for x in 0..w {
            m.v[y * w + x] = f32::from(fg[(y / B) * bw + x / B]);
        }
    }
    let m = box_blur(&m, B);
    m.v.iter().map(|&v| u8::from(v > 0.5)).collect()
}

fn majority(fg: &[u8], bw: usize, bh: usize) -> Vec<u8> {
    let mut out = fg.to_vec();
    for y in 0..bh {
        for x in 0..bw {
            let mut n = 0;
            let mut c = 0;
            for dy in -1i32..=1 {
                for dx in -1i32..=1 {
                    let (xx, yy) = (x as i32 + dx, y as i32 + dy);
                    if xx >= 0 && yy >= 0 && (xx as usize) < bw && (yy as usize) < bh {
                        n += 1;
                        c += fg[yy as usize * bw + xx as usize] as i32;
                    }
                }
            }
            out[y * bw + x] = u8::from(2 * c > n);
        }
    }
    out
}

fn components(fg: &[u8], bw: usize, bh: usize, value: u8) -> (Vec<u32>, Vec<usize>) {
    let mut label = vec![u32::MAX; bw * bh];
    let mut sizes = Vec::new();
    let mut stack = Vec::new();
    for s in 0..bw * bh {
        if fg[s] != value || label[s] != u32::MAX {
            continue;
        }
        let id = sizes.len() as u32;
        let mut size = 0;
        label[s] = id;
        stack.push(s);
        while let Some(p) = stack.pop() {
            size += 1;
            let (x, y) = (p % bw, p / bw);
            let mut visit = |q: usize| {
                if fg[q] == value && label[q] == u32::MAX {
                    label[q] = id;
                    stack.push(q);
                }
            };
            if x > 0 {
                visit(p - 1);
            }
            if x + 1 < bw {
                visit(p + 1);
            }
            if y > 0 {
                visit(p - bw);
            }
            if y + 1 < bh {
                visit(p + bw);
            }
        }
        sizes.push(size);
    }
    (label, sizes)
}

fn keep_largest(fg: &[u8], bw: usize, bh: usize) -> Vec<u8> {
    let (label, sizes) = components(fg, bw, bh, 1);
    let Some(best) = (0..sizes.len()).max_by_key(|&i| sizes[i]) else {
        return fg.to_vec();
    };
    label.iter().map(|&l| u8::from(l == best as u32)).collect()
}

fn fill_holes(fg: &mut [u8], bw: usize, bh: usize) {
    let (label, sizes) = components(fg, bw, bh, 0);
    let mut touches = vec![false; sizes.len()];
    for y in 0..bh {
        for x in 0..bw {
            if (x == 0 || y == 0 || x + 1 == bw || y + 1 == bh) && fg[y * bw + x] == 0 {
                touches[label[y * bw + x] as usize] = true;
            }
        }
    }
    for i in 0..bw * bh {
        if fg[i] == 0 && !touches[label[i] as usize] {
            fg[i] = 1;
        }
    }
}

/// Local ridge period in pixels, from grey levels sampled across the ridges (Hong, Wan & Jain's
/// x-signature, its period taken from its spectrum), filled in and smoothed where the signature
/// is unusable.
pub(crate) fn ridge_period(img: &Plane, orient: &Orientation, mask: &[u8]) -> Plane {
    const B: usize = 16;
    const LEN: i32 = SIGNATURE_LEN as i32;
    let (w, h) = (img.w, img.h);
    let bw = w.div_ceil(B);
    let bh = h.div_ceil(B);
    let mut per = vec![f32::NAN; bw * bh];
    let mut sig = [0.0f32; LEN as usize];
    for by in 0..bh {
        for bx in 0..bw {
            let cx = (bx * B + B / 2).min(w - 1);
            let cy = (by * B + B / 2).min(h - 1);
            if mask[cy * w + cx] == 0 {
                continue;
            }
            let t = orient.theta.v[cy * w + cx];
            let (ux, uy) = (t.cos(), t.sin());
            let (nx, ny) = (-uy, ux);
            let mut ok = true;
            for (k, s) in sig.iter_mut().enumerate() {
                let d = k as f32 - LEN as f32 / 2.0;
                let mut acc = 0.0;
                let mut n = 0;
                for a in -4..=4 {
                    let a = a as f32 * 2.0;
                    // Rounded to the nearest pixel by truncating after adding a half, which is
                    // exact for the non-negative values kept and cheaper than a rounding call.
                    let x = cx as f32 + d * nx + a * ux + 0.5;
                    let y = cy as f32 + d * ny + a * uy + 0.5;
                    if x >= 0.0 && y >= 0.0 && (x as usize) < w && (y as usize) < h {
                        acc += img.v[y as usize * w + x as usize];
                        n += 1;
                    }
                }
                if n < 5 {
                    ok = false;
                    break;
                }
                *s = acc / n as f32;
            }
            if !ok {
                continue;
            }
            let (mn, mx) = sig
                .iter()
                .fold((f32::MAX, f32::MIN), |(a, b), &v| (a.min(v), b.max(v)));
            if mx - mn < 4.0 {
                continue;
            }
            if let Some(p) = dominant_period(&sig) {
                per[by * bw + bx] = p;
            }
        }
    }
    let valid: Vec<f32> = per.iter().copied().filter(|p| !p.is_nan()).collect();
    let default = if valid.is_empty() {
        9.0
    } else {
        let mut v = valid.clone();
        v.sort_by(|a, b| a.total_cmp(b));
        v[v.len() / 2]
    };
    // Each block takes the mean of the valid blocks around it (within two blocks), which both
    // fills gaps and suppresses single-block outliers.
    let mut blk = vec![default; bw * bh];
    for by in 0..bh {
        for bx in 0..bw {
            let mut s = 0.0;
            let mut n = 0.0;
            for dy in -2i32..=2 {
                for dx in -2i32..=2 {
                    let (x, y) = (bx as i32 + dx, by as i32 + dy);
                    if x >= 0 && y >= 0 && (x as usize) < bw && (y as usize) < bh {
                        let p = per[y as usize * bw + x as usize];
                        if !p.is_nan() {
                            s += p;
                            n += 1.0;
                        }
                    }
                }
            }
            if n >= 2.0 {
                // Real periods vary little across one finger; a block far from the finger's
                // median has counted pores or creases as ridges, and a Gabor tuned to it would
                // invert the ridges.
                let lo = 0.8 * default;
                let hi = 1.25 * default;
                blk[by * bw + bx] = (s / n).clamp(lo, hi);
            }
        }
    }
    let mut out = Plane::new(w, h);
    for y in 0..h {
        for x in 0..w {
            out.v[y * w + x] = blk[(y / B) * bw + x / B];
        }
    }
    box_blur(&out, B / 2)
}

/// Below this share of the signature's energy no period stands out: the block is left to its
/// neighbours.
const MIN_PERIOD_SHARE: f32 = 0.05;

/// The period whose sinusoid carries the most power in a grey-level signature sampled across the
/// ridges, searched over the 4-15 pixel band of fingers at 500 ppi. Counting minima instead
/// mistakes the pores and breaks of dry ridges for extra ridges; their power is scattered while
/// the ridge period concentrates it. None when no period stands out.
fn dominant_period(sig: &[f32]) -> Option<f32> {
    let n = sig.len();
    // A Hann window keeps the signature's ends from adding spurious power; the level and slope
    // (uneven pressure or lighting) are removed under that same window, or their leakage pulls
    // the peak towards long periods.
    let hann: Vec<f32> = (0..n)
        .map(|k| 0.5 - 0.5 * (2.0 * PI * (k as f32 + 0.5) / n as f32).cos())
        .collect();
    let c = (n as f32 - 1.0) / 2.0;
    let (mut sw, mut swx, mut swxx, mut swy, mut swxy) = (0.0f32, 0.0f32, 0.0f32, 0.0f32, 0.0f32);
    for (k, (&v, &h)) in sig.iter().zip(&hann).enumerate() {
        let x = k as f32 - c;
        sw += h;
        swx += h * x;
        swxx += h * x * x;
        swy += h * v;
        swxy += h * x * v;
    }
    let det = sw * swxx - swx * swx;
    if det.abs() < 1e-9 {
        return None;
    }
    let slope = (sw * swxy - swx * swy) / det;
    let level = (swy - slope * swx) / sw;
    let win: Vec<f32> = (0..n)
        .map(|k| (sig[k] - level - slope * (k as f32 - c)) * hann[k])
        .collect();
    let total: f32 = win.iter().map(|v| v * v).sum();
    if total <= 0.0 {
        return None;
    }
    let mut best = (0.0f32, 0.0f32);
    for (p, basis) in period_basis() {
        let (mut c, mut s) = (0.0f32, 0.0f32);
        for (v, &(cs, sn)) in win.iter().zip(basis.iter()) {
            c += v * cs;
            s += v * sn;
        }
        let pw = c * c + s * s;
        if pw > best.0 {
            best = (pw, *p);
        }
    }
    // Power of the best sinusoid over n times the windowed energy: about a third for a clean
    // sinusoidal pattern, about 1/n at any one period for white noise.
    let share = best.0 / (total * n as f32);
    (share > MIN_PERIOD_SHARE).then_some(best.1)
}

/// Length of the x-signature, in pixels across the ridges.
const SIGNATURE_LEN: usize = 32;

/// Cosine and sine of one candidate period at every signature sample.
type Basis = [(f32, f32); SIGNATURE_LEN];

/// The candidate periods (4 to 15 pixels in quarter-pixel steps) with the cosine and sine of each
/// at every signature sample, computed once.
fn period_basis() -> &'static [(f32, Basis)] {
    static BASIS: std::sync::OnceLock<Vec<(f32, Basis)>> = std::sync::OnceLock::new();
    BASIS.get_or_init(|| {
        (0..=44)
            .map(|i| {
                let p = 4.0 + 0.25 * i as f32;
                let f = 2.0 * PI / p;
                let mut b = [(0.0f32, 0.0f32); SIGNATURE_LEN];
                for (k, v) in b.iter_mut().enumerate() {
                    let (sn, cs) = (f * k as f32).sin_cos();
                    *v = (cs, sn);
                }
                (p, b)
            })
            .collect()
    })
}

const ANGLE_BINS: usize = 32;
const PERIOD_MIN: f32 = 4.0;
const PERIOD_STEP: f32 = 0.5;
const PERIOD_BINS: usize = 23;
const PAD: usize = 24;
/// Standard deviation (pixels) of the Gaussian along the ridge: long enough to bridge the pores
/// and breaks of dry ridges, short enough to follow curved ones.
const ALONG_SIGMA: f32 = 4.0;
/// The across-ridge filter is tuned to this share of the measured period. The measured period is
/// an average, and minutiae are exactly where ridges come closer than average (a bifurcation puts
/// two ridges where there was one, the neighbours of an ending converge); a band-pass centred on
/// the average fills them in. Tuned 15% higher in frequency it keeps them, and it still passes
/// the average period at about 90% of its peak gain (its Gaussian pass-band has a standard
/// deviation of a third of its centre frequency).
const TUNING: f32 = 0.85;

/// A 1-D filter as (dx, dy, weight) taps, turned into buffer offsets once the row length is known.
type Taps = Vec<(i32, i32, f32)>;

/// The filter banks depend on nothing but these constants: built once, shared by all images.
fn filter_banks() -> &'static (Vec<Taps>, Vec<Taps>) {
    static BANKS: std::sync::OnceLock<(Vec<Taps>, Vec<Taps>)> = std::sync::OnceLock::new();
    BANKS.get_or_init(|| {
        // Along-ridge smoothing, one per orientation bin.
        let along = (0..ANGLE_BINS)
            .map(|b| {
                let t = b as f32 * PI / ANGLE_BINS as f32;
                let (ux, uy) = (t.cos(), t.sin());
                let r = (2.0 * ALONG_SIGMA).round() as i32;
                let taps: Taps = (-r..=r)
                    .map(|k| {
                        let k = k as f32;
                        let g = (-k * k / (2.0 * ALONG_SIGMA * ALONG_SIGMA)).exp();
                        ((k * ux).round() as i32, (k * uy).round() as i32, g)
                    })
                    .collect();
                let s: f32 = taps.iter().map(|t| t.2).sum();
                taps.into_iter().map(|(x, y, v)| (x, y, v / s)).collect()
            })
            .collect();
        // Across-ridge even Gabor, zero-mean, per (period, orientation) bin.
        let across = (0..ANGLE_BINS * PERIOD_BINS)
            .map(|i| {
                let b = i % ANGLE_BINS;
                let p = PERIOD_MIN + (i / ANGLE_BINS) as f32 * PERIOD_STEP;
                let t = b as f32 * PI / ANGLE_BINS as f32;
                let (nx, ny) = (-t.sin(), t.cos());
                let sigma = 0.5 * p;
                let r = ((2.5 * sigma).ceil() as i32).min(PAD as i32 - 1);
                let gauss = |k: i32| (-(k * k) as f32 / (2.0 * sigma * sigma)).exp();
                let gsum: f32 = (-r..=r).map(gauss).sum();
                let mean: f32 = (-r..=r)
                    .map(|k| gauss(k) * (2.0 * PI * k as f32 / p).cos())
                    .sum::<f32>()
                    / gsum;
                (-r..=r)
                    .map(|k| {
                        let kf = k as f32;
                        let v = gauss(k) * ((2.0 * PI * kf / p).cos() - mean);
                        ((kf * nx).round() as i32, (kf * ny).round() as i32, v)
                    })
                    .collect()
            })
            .collect();
        (along, across)
    })
}

/// The oriented band-pass: a Gaussian along the ridge followed by an even Gabor across it. The
/// product of the two is the classical 2-D Gabor filter; applying it as two 1-D passes costs tens
/// of taps per pixel instead of hundreds. Returns the response; ridges (dark) come out negative.
pub(crate) fn gabor(img: &Plane, orient: &Orientation, period: &Plane, mask: &[u8]) -> Plane {
    let (w, h) = (img.w, img.h);
    let pw = w + 2 * PAD;
    let ph = h + 2 * PAD;
    // Zero-mean the image locally, then pad by replicating the border so taps never leave the
    // buffer.
    let mean = box_blur(img, 8);
    let mut src = vec![0.0f32; pw * ph];
    for y in 0..ph {
        let sy = y.saturating_sub(PAD).min(h - 1);
        for x in 0..pw {
            let sx = x.saturating_sub(PAD).min(w - 1);
            let i = sy * w + sx;
            src[y * pw + x] = img.v[i] - mean.v[i];
        }
    }
    // Both arguments are non-negative here, so adding a half and truncating rounds (and avoids a
    // library call per pixel on targets without a rounding instruction).
    let bin_of = |t: f32| ((t * (ANGLE_BINS as f32 / PI) + 0.5) as usize) % ANGLE_BINS;
    let pbin_of = |p: f32| {
        (((p - PERIOD_MIN) * (1.0 / PERIOD_STEP) + 0.5).max(0.0) as usize).min(PERIOD_BINS - 1)
    };
    let (along_taps, across_taps) = filter_banks();
    let to_offsets = |bank: &[Taps]| -> Vec<Vec<(isize, f32)>> {
        bank.iter()
            .map(|k| {
                k.iter()
                    .map(|&(dx, dy, v)| (dy as isize * pw as isize + dx as isize, v))
                    .collect()
            })
            .collect()
    };
    let along = to_offsets(along_taps);
    let across = to_offsets(across_taps);
    let mut smooth = vec![0.0f32; pw * ph];
    // Smoothing is needed wherever an across-ridge tap of a foreground pixel can land.
    let reach = 20usize;
    for y in 0..h {
        for x in 0..w {
            let near = {
                let y0 = y.saturating_sub(reach);
                let y1 = (y + reach).min(h - 1);
                let x0 = x.saturating_sub(reach);
                let x1 = (x + reach).min(w - 1);
                mask[y0 * w + x0]
                    | mask[y0 * w + x1]
                    | mask[y1 * w + x0]
                    | mask[y1 * w + x1]
                    | mask[y * w + x]
            };
            if near == 0 {
                continue;
            }
            let pi = (y + PAD) * pw + x + PAD;
            let k = &along[bin_of(orient.theta.v[y * w + x])];
            let mut acc = 0.0;
            for &(o, c) in k {
                acc += src[(pi as isize + o) as usize] * c;
            }
            smooth[pi] = acc;
        }
    }
    let mut out = Plane::new(w, h);
    for y in 0..h {
        for x in 0..w {
            let i = y * w + x;
            if mask[i] == 0 {
                continue;
            }
            let pi = (y + PAD) * pw + x + PAD;
            let k = &across[pbin_of(period.v[i] * TUNING) * ANGLE_BINS + bin_of(orient.theta.v[i])];
            let mut acc = 0.0;
            for &(o, c) in k {
                acc += smooth[(pi as isize + o) as usize] * c;
            }
            out.v[i] = acc;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Straight dark ridges every 9 pixels, running at `angle`.
    fn stripes(angle: f32) -> Plane {
        let (w, h) = (128, 128);
        let mut p = Plane::new(w, h);
        let (s, c) = angle.sin_cos();
        for y in 0..h {
            for x in 0..w {
                let across = -(x as f32) * s + y as f32 * c;
                p.v[y * w + x] = 128.0 - 100.0 * (2.0 * PI * across / 9.0).cos();
            }
        }
        p
    }

    #[test]
    fn orientation_period_and_ridge_sign_on_stripes() {
        for angle in [0.0f32, 0.5, 1.2, 2.0, 2.9] {
            let img = stripes(angle);
            let o = orientation(&img);
            let i = 64 * 128 + 64;
            let err = dphi_pi(o.theta.v[i], angle);
            assert!(
                err < 0.05,
                "angle {angle}: theta {} coherence {}",
                o.theta.v[i],
                o.coherence.v[i]
            );
            let mask = vec![1u8; 128 * 128];
            let per = ridge_period(&img, &o, &mask);
            assert!(
                (per.v[i] - 9.0).abs() < 0.8,
                "angle {angle}: period {}",
                per.v[i]
            );
            let g = gabor(&img, &o, &per, &mask);
            // A pixel on a ridge centre (dark) must respond negatively, one in a valley positively.
            let mut agree = 0;
            let mut total = 0;
            for y in 40..88 {
                for x in 40..88 {
                    let v = img.v[y * 128 + x] - 128.0;
                    if v.abs() > 80.0 {
                        total += 1;
                        if (v < 0.0) == (g.v[y * 128 + x] < 0.0) {
                            agree += 1;
                        }
                    }
                }
            }
            assert!(agree * 100 >= total * 98, "angle {angle}: {agree}/{total}");
        }
    }

    /// Dry ridges: a 9-pixel ridge pattern whose dark ridges are broken by bright pores and
    /// specks. Counting grey-level minima finds extra "ridges" between the pores; the dominant
    /// frequency does not move.
    #[test]
    fn dominant_period_ignores_pores() {
        for phase in [0.0f32, 1.3, 2.9, 4.4] {
            let sig: Vec<f32> = (0..SIGNATURE_LEN)
                .map(|k| {
                    let x = k as f32 + phase;
                    let ridge = 128.0 + 60.0 * (2.0 * PI * x / 9.0).cos();
                    // A pore every 5 pixels lightens whatever it falls on.
                    if k % 5 == 2 { ridge + 70.0 } else { ridge }
                })
                .collect();
            let p = dominant_period(&sig).expect("a clear period");
            assert!((p - 9.0).abs() <= 0.5, "phase {phase}: period {p}");
        }
        let flat = vec![100.0f32; SIGNATURE_LEN];
        assert_eq!(dominant_period(&flat), None);
    }

    #[test]
    fn box_blur_matches_a_direct_window_mean() {
        let (w, h) = (23, 17);
        let mut p = Plane::new(w, h);
        for (i, v) in p.v.iter_mut().enumerate() {
            *v = ((i * 7919) % 251) as f32;
        }
        for r in [0, 1, 4, 30] {
            let b = box_blur(&p, r);
            for y in 0..h {
                for x in 0..w {
                    let (mut s, mut n) = (0.0f64, 0.0f64);
                    for yy in y.saturating_sub(r)..=(y + r).min(h - 1) {
                        for xx in x.saturating_sub(r)..=(x + r).min(w - 1) {
                            s += f64::from(p.v[yy * w + xx]);
                            n += 1.0;
                        }
                    }
                    let want = (s / n) as f32;
                    assert!((b.v[y * w + x] - want).abs() < 1e-3, "r {r} at ({x}, {y})");
                }
            }
        }
    }

    fn dphi_pi(a: f32, b: f32) -> f32 {
        let d = (a - b).rem_euclid(PI);
        d.min(PI - d)
    }
}
