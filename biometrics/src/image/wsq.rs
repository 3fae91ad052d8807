//! WSQ decoding, written from the FBI's public "WSQ Gray-scale Fingerprint Image Compression
//! Specification" (IAFIS-IC-0110).
//!
//! Fingerprint archives and many scanners (the MOSIP authentication devices among them) store
//! 500 ppi fingers as WSQ, and no maintained Rust decoder exists. A WSQ file is a sequence of
//! marker segments, each `0xFF 0xAx` and (except SOI/EOI) a 2-byte length that counts itself:
//!
//! - SOI `A0`; then tables and comments in any order: DTT `A4` (the analysis filters, sent as
//!   their right halves with a sign byte, a decimal exponent and a 32-bit mantissa each), DQT
//!   `A5` (bin centre `C`, then bin width `Q` and zero-bin width `Z` for 64 subbands, each as an
//!   exponent byte and a 16-bit mantissa), DHT `A6` (JPEG-style Huffman tables), COM `A8`;
//! - SOF `A2`: black and white levels, height, width, the mean shift `M` and scale `R` that map
//!   reconstructed values back to grey levels;
//! - three blocks, each SOB `A3` (naming its Huffman table) followed by entropy-coded data with
//!   `0xFF 0x00` byte stuffing; the symbols code zero runs and quantised coefficients;
//! - EOI `A1`.
//!
//! The coefficients fill subbands 0-59 in order, skipping those whose bin width is zero. Each
//! value `q` is dequantised as `Q (q - C) + Z/2` (negative values symmetrically), then the image
//! is rebuilt by undoing a fixed wavelet-packet decomposition: 20 two-dimensional splits, each
//! separating low- and high-pass halves horizontally and vertically, with the high-pass half
//! first wherever the specification applies spectral inversion. The one-dimensional synthesis
//! uses symmetric signal extension; the filters must be odd-length and symmetric (the
//! specification's 9/7 pair), as every WSQ encoder in use writes them.

use super::{GrayImage, ImageError, check_dimensions};

const SOI: u16 = 0xffa0;
const EOI: u16 = 0xffa1;
const SOF: u16 = 0xffa2;
const SOB: u16 = 0xffa3;
const DTT: u16 = 0xffa4;
const DQT: u16 = 0xffa5;
const DHT: u16 = 0xffa6;
const DRT: u16 = 0xffa7;
const COM: u16 = 0xffa8;

/// Subbands that carry coefficients; 60-63 (the highest frequencies) are never coded.
const CODED_SUBBANDS: usize = 60;
const MAX_SUBBANDS: usize = 64;
/// Filters longer than this are not WSQ's and would only serve to slow the decoder down.
const MAX_FILTER_LEN: u8 = 31;

fn malformed(msg: impl Into<String>) -> ImageError {
    ImageError::Malformed(format!("WSQ: {}", msg.into()))
}

/// Decodes a WSQ image to 8-bit greyscale.
pub fn decode_wsq(bytes: &[u8]) -> Result<GrayImage, ImageError> {
    let mut p = Parser { bytes, pos: 0 };
    let first = p.marker()?;
    if first != SOI {
        return Err(malformed(format!(
            "starts with {first:04x}, not the SOI marker ffa0"
        )));
    }
    let mut tables = Tables::default();
    let frame = loop {
        let at = p.pos;
        match p.marker()? {
            SOF => break p.frame()?,
            m => p.table(m, at, &mut tables)?,
        }
    };
    check_dimensions(frame.width, frame.height)?;
    let filters = tables
        .filters
        .take()
        .ok_or_else(|| malformed("no transform table (DTT) before the frame"))?;
    let layout = Layout::new(frame.width, frame.height);

    // The quantisation table may still arrive between the frame and the first block, so the
    // coefficient count is settled once the blocks have been read.
    let mut symbols = Vec::new();
    loop {
        let at = p.pos;
        match p.marker()? {
            EOI if p.pos == bytes.len() => break,
            EOI => {
                return Err(malformed(format!(
                    "{} byte(s) after the end-of-image marker",
                    bytes.len() - p.pos
                )));
            }
            SOB => {
                let table_id = p.block_header()?;
                let table = tables
                    .huffman
                    .get(usize::from(table_id))
                    .and_then(Option::as_ref)
                    .ok_or_else(|| {
                        malformed(format!(
                            "block at offset {at} uses undefined Huffman table {table_id}"
                        ))
                    })?;
                p.entropy_block(table, &mut symbols)?;
            }
            m => p.table(m, at, &mut tables)?,
        }
    }
    let quant = tables
        .quant
        .ok_or_else(|| malformed("no quantisation table (DQT)"))?;
    let mut plane = vec![0f32; frame.width * frame.height];
    dequantise(&symbols, &quant, &layout, frame.width, &mut plane)?;
    for step in &layout.steps {
        synthesise_region(&mut plane, frame.width, step, &filters);
    }
    let pixels = plane
        .iter()
        .map(|&v| (v * frame.r_scale + frame.m_shift + 0.5).clamp(0.0, 255.0) as u8)
        .collect();
    let mut image = GrayImage::new(frame.width, frame.height, pixels)?;
    image.ppi = tables.ppi;
    Ok(image)
}

struct Frame {
    width: usize,
    height: usize,
    m_shift: f32,
    r_scale: f32,
}

#[derive(Default)]
struct Tables {
    filters: Option<Filters>,
    quant: Option<Quantisation>,
    huffman: [Option<Huffman>; 8],
    ppi: Option<u16>,
}

/// Synthesis filters, split by output parity: `low[p]` and `high[p]` give the taps that
/// produce an output sample at an even (`p` = 0) or odd (`p` = 1) position.
struct Filters {
    /// Right half of the low-pass synthesis filter, from the centre tap; its length bounds how
    /// far the half-band sequences are extended.
    reach: usize,
    low: [Phase; 2],
    high: [Phase; 2],
}

/// The taps of one filter that meet samples of one half-band for one output parity. Output
/// `2m + p` is the dot product of `taps` with the half-band samples starting at `m + first`.
struct Phase {
    first: isize,
    taps: Vec<f32>,
}

impl Filters {
    /// Builds the synthesis filters from the right halves of the analysis filters: for a
    /// biorthogonal pair, each synthesis filter is the other analysis filter with alternating
    /// signs. Low-pass samples sit at even positions, high-pass samples at odd ones.
    fn from_analysis(analysis_low: &[f32], analysis_high: &[f32]) -> Self {
        let full = |half: &[f32]| -> Vec<f32> {
            let modulated = |i: usize| {
                if i.is_multiple_of(2) {
                    half[i]
                } else {
                    -half[i]
                }
            };
            (1..half.len())
                .rev()
                .map(modulated)
                .chain((0..half.len()).map(modulated))
                .collect()
        };
        // Sample k of a half-band sits at 2k + shift; output i = 2m + p meets it through tap
        // t = i - 2k - shift, for every k with |t| within the filter.
        let phase = |filter: &[f32], shift: isize, p: isize| -> Phase {
            let reach = (filter.len() / 2) as isize;
            let ks: Vec<isize> = (-reach - 2..=reach + 2)
                .filter(|&d| (p - 2 * d - shift).abs() <= reach)
                .collect();
            let first = ks.first().copied().unwrap_or(0);
            Phase {
                first,
                taps: ks
                    .iter()
                    .map(|&d| filter[(p - 2 * d - shift + reach) as usize])
                    .collect(),
            }
        };
        let low = full(analysis_high);
        let high = full(analysis_low);
        Self {
            reach: low.len().max(high.len()) / 2,
            low: [phase(&low, 0, 0), phase(&low, 0, 1)],
            high: [phase(&high, 1, 0), phase(&high, 1, 1)],
        }
    }
}

struct Quantisation {
    bin_center: f32,
    q: [f32; MAX_SUBBANDS],
    z: [f32; MAX_SUBBANDS],
}

/// A canonical Huffman code as JPEG defines it: per code length, the first and last code and
/// where its symbols start.
struct Huffman {
    min_code: [i32; 17],
    max_code: [i32; 17],
    first_symbol: [usize; 17],
    symbols: Vec<u8>,
}

/// One decoded entropy symbol or its extra bits, before the subband structure is applied.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Coded {
    Zeros(u32),
    Value(i32),
}

struct Parser<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Parser<'_> {
    fn byte(&mut self, what: &str) -> Result<u8, ImageError> {
        let b = *self
            .bytes
            .get(self.pos)
            .ok_or_else(|| malformed(format!("data ends at offset {} inside {what}", self.pos)))?;
        self.pos += 1;
        Ok(b)
    }

    fn u16(&mut self, what: &str) -> Result<u16, ImageError> {
        Ok(u16::from_be_bytes([self.byte(what)?, self.byte(what)?]))
    }

    fn u32(&mut self, what: &str) -> Result<u32, ImageError> {
        Ok(u32::from(self.u16(what)?) << 16 | u32::from(self.u16(what)?))
    }

    fn marker(&mut self) -> Result<u16, ImageError> {
        let at = self.pos;
        let m = self.u16("a marker")?;
        if !(SOI..=COM).contains(&m) {
            return Err(malformed(format!(
                "expected a marker at offset {at}, found {m:04x}"
            )));
        }
        Ok(m)
    }

    /// Reads a segment's length and returns a parser over its body (after the length field).
    fn segment(&mut self, what: &str) -> Result<Parser<'_>, ImageError> {
        let at = self.pos;
        let len = usize::from(self.u16(what)?);
        let end = at + len;
        if len < 2 || end > self.bytes.len() {
            return Err(malformed(format!(
                "{what} at offset {at} declares {len} bytes, beyond the data"
            )));
        }
        self.pos = end;
        Ok(Parser {
            bytes: &self.bytes[..end],
            pos: at + 2,
        })
    }

    /// A decimal value sent as an exponent byte and a mantissa: `mantissa / 10^exponent`.
    fn scaled(exponent: u8, mantissa: u32) -> f32 {
        (f64::from(mantissa) / 10f64.powi(i32::from(exponent))) as f32
    }

    fn table(&mut self, marker: u16, at: usize, tables: &mut Tables) -> Result<(), ImageError> {
        match marker {
            DTT => tables.filters = Some(self.segment("transform table")?.transform_table()?),
            DQT => tables.quant = Some(self.segment("quantisation table")?.quantisation_table()?),
            DHT => self
                .segment("Huffman table")?
                .huffman_tables(&mut tables.huffman)?,
            COM => {
                let seg = self.segment("comment")?;
                if let Some(ppi) = nistcom_ppi(&seg.bytes[seg.pos..]) {
                    tables.ppi = Some(ppi);
                }
            }
            DRT => return Err(ImageError::Unsupported("WSQ restart intervals".into())),
            m => {
                return Err(malformed(format!(
                    "unexpected marker {m:04x} at offset {at}"
                )));
            }
        }
        Ok(())
    }

    fn frame(&mut self) -> Result<Frame, ImageError> {
        let mut s = self.segment("frame header")?;
        s.byte("frame header")?;
        s.byte("frame header")?;
        let height = usize::from(s.u16("frame header")?);
        let width = usize::from(s.u16("frame header")?);
        let m_exp = s.byte("frame header")?;
        let m = s.u16("frame header")?;
        let r_exp = s.byte("frame header")?;
        let r = s.u16("frame header")?;
        Ok(Frame {
            width,
            height,
            m_shift: Self::scaled(m_exp, m.into()),
            r_scale: Self::scaled(r_exp, r.into()),
        })
    }

    fn block_header(&mut self) -> Result<u8, ImageError> {
        self.segment("block header")?.byte("block header")
    }

    fn transform_table(&mut self) -> Result<Filters, ImageError> {
        let low_len = self.byte("transform table")?;
        let high_len = self.byte("transform table")?;
        for len in [low_len, high_len] {
            if len % 2 == 0 || len > MAX_FILTER_LEN {
                return Err(ImageError::Unsupported(format!(
                    "WSQ filter of length {len} (only odd-length symmetric filters up to {MAX_FILTER_LEN})"
                )));
            }
        }
        let mut read_half = |len: u8| -> Result<Vec<f32>, ImageError> {
            (0..=len / 2)
                .map(|_| {
                    let negative = self.byte("transform table")? != 0;
                    let exponent = self.byte("transform table")?;
                    let v = Self::scaled(exponent, self.u32("transform table")?);
                    Ok(if negative { -v } else { v })
                })
                .collect()
        };
        let analysis_low = read_half(low_len)?;
        let analysis_high = read_half(high_len)?;
        Ok(Filters::from_analysis(&analysis_low, &analysis_high))
    }

    fn quantisation_table(&mut self) -> Result<Quantisation, ImageError> {
        let exp = self.byte("quantisation table")?;
        let bin_center = Self::scaled(exp, self.u16("quantisation table")?.into());
        let mut q = [0f32; MAX_SUBBANDS];
        let mut z = [0f32; MAX_SUBBANDS];
        for k in 0..MAX_SUBBANDS {
            let e = self.byte("quantisation table")?;
            q[k] = Self::scaled(e, self.u16("quantisation table")?.into());
            let e = self.byte("quantisation table")?;
            z[k] = Self::scaled(e, self.u16("quantisation table")?.into());
        }
        Ok(Quantisation { bin_center, q, z })
    }

    fn huffman_tables(&mut self, slots: &mut [Option<Huffman>; 8]) -> Result<(), ImageError> {
        while self.pos < self.bytes.len() {
            let at = self.pos;
            let id = usize::from(self.byte("Huffman table")?);
            let mut counts = [0u8; 16];
            for c in &mut counts {
                *c = self.byte("Huffman table")?;
            }
            let total: usize = counts.iter().map(|&c| usize::from(c)).sum();
            if total > 256 {
                return Err(malformed(format!(
                    "Huffman table at offset {at} lists {total} symbols"
                )));
            }
            let symbols = (0..total)
                .map(|_| self.byte("Huffman table"))
                .collect::<Result<Vec<_>, _>>()?;
            let slot = slots.get_mut(id).ok_or_else(|| {
                malformed(format!("Huffman table id {id} at offset {at} (at most 7)"))
            })?;
            *slot = Some(Huffman::new(&counts, symbols, at)?);
        }
        Ok(())
    }

    /// Decodes entropy-coded data up to the next marker.
    fn entropy_block(&mut self, table: &Huffman, out: &mut Vec<Coded>) -> Result<(), ImageError> {
        let mut bits = BitReader {
            bytes: self.bytes,
            pos: self.pos,
            current: 0,
            left: 0,
        };
        while let Some(symbol) = table.decode(&mut bits)? {
            let coded = match symbol {
                1..=100 => Coded::Zeros(symbol.into()),
                101 => Coded::Value(bits.extra(8)?),
                102 => Coded::Value(-bits.extra(8)?),
                103 => Coded::Value(bits.extra(16)?),
                104 => Coded::Value(-bits.extra(16)?),
                105 => Coded::Zeros(bits.extra(8)? as u32),
                106 => Coded::Zeros(bits.extra(16)? as u32),
                107..=254 => Coded::Value(i32::from(symbol) - 180),
                _ => {
                    return Err(malformed(format!(
                        "invalid coefficient symbol {symbol} before offset {}",
                        bits.pos
                    )));
                }
            };
            out.push(coded);
        }
        self.pos = bits.pos;
        Ok(())
    }
}

impl Huffman {
    fn new(counts: &[u8; 16], symbols: Vec<u8>, at: usize) -> Result<Self, ImageError> {
        let mut min_code = [0i32; 17];
        let mut max_code = [-1i32; 17];
        let mut first_symbol = [0usize; 17];
        let mut code = 0i32;
        let mut k = 0usize;
        for len in 1..=16 {
            let n = i32::from(counts[len - 1]);
            if n > 0 {
                first_symbol[len] = k;
                min_code[len] = code;
                code += n;
                max_code[len] = code - 1;
                k += n as usize;
                if code > 1 << len {
                    return Err(malformed(format!(
                        "Huffman table at offset {at} has too many codes of length {len}"
                    )));
                }
            }
            code <<= 1;
        }
        Ok(Self {
            min_code,
            max_code,
            first_symbol,
            symbols,
        })
    }

    /// The next symbol, or `None` when the block's data ends at a marker.
    fn decode(&self, bits: &mut BitReader<'_>) -> Result<Option<u8>, ImageError> {
        let mut code = 0i32;
        for len in 1..=16 {
            let Some(bit) = bits.bit()? else {
                return Ok(None);
            };
            code = code << 1 | i32::from(bit);
            if code <= self.max_code[len] {
                return usize::try_from(code - self.min_code[len])
                    .ok()
                    .and_then(|d| d.checked_add(self.first_symbol[len]))
                    .and_then(|index| self.symbols.get(index))
                    .copied()
                    .map(Some)
                    .ok_or_else(|| malformed("Huffman code beyond its table"));
            }
        }
        Err(malformed(format!(
            "invalid Huffman code before offset {}",
            bits.pos
        )))
    }
}

/// Reads entropy-coded bits, most significant first, undoing `0xFF 0x00` stuffing. A byte
/// `0xFF` followed by anything else is a marker and ends the block; the bits left in the last
/// byte before it are padding.
struct BitReader<'a> {
    bytes: &'a [u8],
    pos: usize,
    current: u8,
    left: u8,
}

impl BitReader<'_> {
    fn bit(&mut self) -> Result<Option<u8>, ImageError> {
        if self.left == 0 {
            let b = *self
                .bytes
                .get(self.pos)
                .ok_or_else(|| malformed("entropy-coded data runs to the end of the file"))?;
            if b == 0xff {
                match self.bytes.get(self.pos + 1) {
                    Some(0) => self.pos += 2,
                    Some(_) => return Ok(None),
                    None => return Err(malformed("data ends after a 0xFF byte")),
                }
            } else {
                self.pos += 1;
            }
            self.current = b;
            self.left = 8;
        }
        self.left -= 1;
        Ok(Some((self.current >> self.left) & 1))
    }

    /// Extra bits that follow an escape symbol; a marker here means the data is cut short.
    fn extra(&mut self, n: u8) -> Result<i32, ImageError> {
        let mut v = 0i32;
        for _ in 0..n {
            let bit = self.bit()?.ok_or_else(|| {
                malformed(format!(
                    "marker inside a coefficient at offset {}",
                    self.pos
                ))
            })?;
            v = v << 1 | i32::from(bit);
        }
        Ok(v)
    }
}

/// The `PPI` field of a NIST comment, when the comment is one and gives it.
fn nistcom_ppi(text: &[u8]) -> Option<u16> {
    let text = std::str::from_utf8(text).ok()?;
    if !text.starts_with("NIST_COM") {
        return None;
    }
    text.lines()
        .find_map(|l| l.strip_prefix("PPI "))
        .and_then(|v| v.trim().parse().ok())
        .filter(|&ppi| ppi > 0)
}

/// A rectangle of the coefficient plane.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct Rect {
    x: usize,
    y: usize,
    w: usize,
    h: usize,
}

/// One two-dimensional split to undo: the region and whether its high-pass halves come first.
#[derive(Debug, Clone, Copy)]
struct Step {
    rect: Rect,
    high_first_x: bool,
    high_first_y: bool,
}

/// What a quadrant of a split holds: a further split, a coded subband, or nothing (the
/// highest-frequency quadrant, which WSQ discards).
enum Part {
    Split(&'static [Part; 4]),
    Band(usize),
    Empty,
}

const fn bands(first: usize) -> [Part; 4] {
    [
        Part::Band(first),
        Part::Band(first + 1),
        Part::Band(first + 2),
        Part::Band(first + 3),
    ]
}

// The decomposition of the specification, quadrants in the order top-left, top-right,
// bottom-left, bottom-right. Subbands are numbered in the order their coefficients are sent.
static B0: [Part; 4] = bands(0);
static B7: [Part; 4] = bands(7);
static B11: [Part; 4] = bands(11);
static B15: [Part; 4] = bands(15);
static B19: [Part; 4] = bands(19);
static B23: [Part; 4] = bands(23);
static B27: [Part; 4] = bands(27);
static B31: [Part; 4] = bands(31);
static B35: [Part; 4] = bands(35);
static B39: [Part; 4] = bands(39);
static B43: [Part; 4] = bands(43);
static B47: [Part; 4] = bands(47);
static B52: [Part; 4] = bands(52);
static B56: [Part; 4] = bands(56);
static LOWEST: [Part; 4] = [
    Part::Split(&B0),
    Part::Band(4),
    Part::Band(5),
    Part::Band(6),
];
static LOW: [Part; 4] = [
    Part::Split(&LOWEST),
    Part::Split(&B7),
    Part::Split(&B11),
    Part::Split(&B15),
];
static MID_X: [Part; 4] = [
    Part::Split(&B19),
    Part::Split(&B23),
    Part::Split(&B27),
    Part::Split(&B31),
];
static MID_Y: [Part; 4] = [
    Part::Split(&B35),
    Part::Split(&B39),
    Part::Split(&B43),
    Part::Split(&B47),
];
static LEVEL1: [Part; 4] = [
    Part::Split(&LOW),
    Part::Split(&MID_X),
    Part::Split(&MID_Y),
    Part::Band(51),
];
static ROOT: [Part; 4] = [
    Part::Split(&LEVEL1),
    Part::Split(&B52),
    Part::Split(&B56),
    Part::Empty,
];

/// Where every subband lies for one image size, and the splits to undo, innermost first.
struct Layout {
    bands: [Rect; CODED_SUBBANDS],
    steps: Vec<Step>,
}

impl Layout {
    fn new(width: usize, height: usize) -> Self {
        let mut layout = Self {
            bands: [Rect::default(); CODED_SUBBANDS],
            steps: Vec::with_capacity(20),
        };
        let whole = Rect {
            x: 0,
            y: 0,
            w: width,
            h: height,
        };
        layout.walk(&ROOT, whole, false, false);
        layout
    }

    fn walk(&mut self, parts: &[Part; 4], rect: Rect, high_first_x: bool, high_first_y: bool) {
        // Low-pass halves take the extra sample of an odd length; a half that is high-pass
        // (first when inverted) is the shorter one.
        let left = if high_first_x {
            rect.w / 2
        } else {
            rect.w.div_ceil(2)
        };
        let top = if high_first_y {
            rect.h / 2
        } else {
            rect.h.div_ceil(2)
        };
        let quads = [
            (
                Rect {
                    w: left,
                    h: top,
                    ..rect
                },
                false,
                false,
            ),
            (
                Rect {
                    x: rect.x + left,
                    w: rect.w - left,
                    h: top,
                    ..rect
                },
                true,
                false,
            ),
            (
                Rect {
                    y: rect.y + top,
                    w: left,
                    h: rect.h - top,
                    ..rect
                },
                false,
                true,
            ),
            (
                Rect {
                    x: rect.x + left,
                    y: rect.y + top,
                    w: rect.w - left,
                    h: rect.h - top,
                },
                true,
                true,
            ),
        ];
        for (part, (quad, fx, fy)) in parts.iter().zip(quads) {
            match part {
                Part::Split(inner) => self.walk(inner, quad, fx, fy),
                Part::Band(k) => self.bands[*k] = quad,
                Part::Empty => {}
            }
        }
        self.steps.push(Step {
            rect,
            high_first_x,
            high_first_y,
        });
    }
}

/// Places the dequantised coefficients into their subbands.
fn dequantise(
    symbols: &[Coded],
    quant: &Quantisation,
    layout: &Layout,
    width: usize,
    plane: &mut [f32],
) -> Result<(), ImageError> {
    let mut cells = (0..CODED_SUBBANDS)
        .filter(|&k| quant.q[k] != 0.0)
        .flat_map(|k| {
            let r = layout.bands[k];
            (r.y..r.y + r.h).flat_map(move |y| (r.x..r.x + r.w).map(move |x| (k, y * width + x)))
        });
    let c = quant.bin_center;
    for symbol in symbols {
        match *symbol {
            Coded::Zeros(n) => {
                for _ in 0..n {
                    cells
                        .next()
                        .ok_or_else(|| malformed("more coefficients than the subbands hold"))?;
                }
            }
            Coded::Value(v) => {
                let (k, at) = cells
                    .next()
                    .ok_or_else(|| malformed("more coefficients than the subbands hold"))?;
                let (q, z) = (quant.q[k], quant.z[k]);
                let v = v as f32;
                plane[at] = match v.partial_cmp(&0.0) {
                    Some(std::cmp::Ordering::Greater) => q * (v - c) + z / 2.0,
                    Some(std::cmp::Ordering::Less) => q * (v + c) - z / 2.0,
                    _ => 0.0,
                };
            }
        }
    }
    if cells.next().is_some() {
        return Err(malformed(
            "the coded data ends before every subband is filled",
        ));
    }
    Ok(())
}

/// Buffers reused across the lines of a region.
#[derive(Default)]
struct Lines {
    line: Vec<f32>,
    out: Vec<f32>,
    low: Vec<f32>,
    high: Vec<f32>,
}

/// Undoes one split: columns first, then rows.
fn synthesise_region(plane: &mut [f32], width: usize, step: &Step, filters: &Filters) {
    let r = step.rect;
    let mut b = Lines::default();
    for x in r.x..r.x + r.w {
        b.line.clear();
        b.line
            .extend((r.y..r.y + r.h).map(|y| plane[y * width + x]));
        synthesise_line(step.high_first_y, filters, &mut b);
        for (i, &v) in b.out.iter().enumerate() {
            plane[(r.y + i) * width + x] = v;
        }
    }
    for y in r.y..r.y + r.h {
        let row = &mut plane[y * width + r.x..y * width + r.x + r.w];
        b.line.clear();
        b.line.extend_from_slice(row);
        synthesise_line(step.high_first_x, filters, &mut b);
        row.copy_from_slice(&b.out);
    }
}

/// Index into a sequence extended symmetrically beyond its ends: about the end sample itself
/// when `whole` is set for that side, about the half-sample past it otherwise.
fn reflect(k: isize, len: usize, whole_left: bool, whole_right: bool) -> usize {
    let len = len as isize;
    let period = 2 * len - isize::from(whole_left) - isize::from(whole_right);
    if period <= 0 {
        return 0;
    }
    let k = k.rem_euclid(period);
    let k = if k < len {
        k
    } else if whole_right {
        2 * len - 2 - k
    } else {
        2 * len - 1 - k
    };
    k.clamp(0, len - 1) as usize
}

/// Rebuilds `b.line.len()` samples from their low-pass half (at even positions) and high-pass
/// half (at odd positions) into `b.out`. The signal was extended symmetrically about its end
/// samples before analysis, which extends the halves symmetrically too, as [`reflect`]
/// describes; the halves are extended once into padded buffers so the filter loop has no
/// boundary cases.
fn synthesise_line(high_first: bool, filters: &Filters, b: &mut Lines) {
    let n = b.line.len();
    b.out.clear();
    if n == 0 {
        return;
    }
    let (n_low, n_high) = (n.div_ceil(2), n / 2);
    let (low, high) = if high_first {
        let (h, l) = b.line.split_at(n_high);
        (l, h)
    } else {
        b.line.split_at(n_low)
    };
    let odd = n % 2 == 1;
    let pad = filters.reach as isize / 2 + 2;
    b.low.clear();
    b.low
        .extend((-pad..n_low as isize + pad).map(|k| low[reflect(k, n_low, true, odd)]));
    b.high.clear();
    if n_high > 0 {
        b.high
            .extend((-pad..n_high as isize + pad).map(|k| high[reflect(k, n_high, false, !odd)]));
    }
    let dot = |samples: &[f32], phase: &Phase, m: isize| -> f32 {
        let start = (m + phase.first + pad) as usize;
        samples
            .get(start..start + phase.taps.len())
            .map_or(0.0, |s| s.iter().zip(&phase.taps).map(|(a, g)| a * g).sum())
    };
    for i in 0..n as isize {
        let (m, p) = (i / 2, (i % 2) as usize);
        b.out
            .push(dot(&b.low, &filters.low[p], m) + dot(&b.high, &filters.high[p], m));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The analysis filters of the specification, right halves from the centre tap.
    const ANALYSIS_LOW: [f32; 5] = [
        0.852_698_7,
        0.377_402_86,
        -0.110_624_4,
        -0.023_849_465,
        0.037_828_455,
    ];
    const ANALYSIS_HIGH: [f32; 4] = [0.788_485_6, -0.418_092_27, -0.040_689_418, 0.064_538_88];

    fn filters() -> Filters {
        Filters::from_analysis(&ANALYSIS_LOW, &ANALYSIS_HIGH)
    }

    /// The forward transform, for testing only: low-pass at even and high-pass at odd positions
    /// of the symmetrically extended signal.
    fn analyse_line(x: &[f32], high_first: bool) -> Vec<f32> {
        let n = x.len();
        let at = |i: isize| x[reflect(i, n, true, true)];
        let tap = |h: &[f32], c: isize| -> f32 {
            let r = h.len() as isize - 1;
            (-r..=r).map(|j| h[j.unsigned_abs()] * at(c + j)).sum()
        };
        let low: Vec<f32> = (0..n.div_ceil(2))
            .map(|k| tap(&ANALYSIS_LOW, 2 * k as isize))
            .collect();
        let high: Vec<f32> = (0..n / 2)
            .map(|k| tap(&ANALYSIS_HIGH, 2 * k as isize + 1))
            .collect();
        if high_first {
            [high, low].concat()
        } else {
            [low, high].concat()
        }
    }

    fn analyse_region(plane: &mut [f32], width: usize, step: &Step) {
        let r = step.rect;
        for y in r.y..r.y + r.h {
            let row = &mut plane[y * width + r.x..y * width + r.x + r.w];
            let out = analyse_line(row, step.high_first_x);
            row.copy_from_slice(&out);
        }
        for x in r.x..r.x + r.w {
            let col: Vec<f32> = (r.y..r.y + r.h).map(|y| plane[y * width + x]).collect();
            for (i, v) in analyse_line(&col, step.high_first_y)
                .into_iter()
                .enumerate()
            {
                plane[(r.y + i) * width + x] = v;
            }
        }
    }

    #[test]
    fn synthesis_inverts_analysis_at_every_length() {
        let f = filters();
        for n in 1..40usize {
            for high_first in [false, true] {
                let x: Vec<f32> = (0..n).map(|i| ((i * 37 + 11) % 23) as f32 - 11.0).collect();
                let mut b = Lines {
                    line: analyse_line(&x, high_first),
                    ..Lines::default()
                };
                synthesise_line(high_first, &f, &mut b);
                let err = x
                    .iter()
                    .zip(&b.out)
                    .map(|(a, b)| (a - b).abs())
                    .fold(0.0, f32::max);
                assert!(
                    err < 1e-3,
                    "length {n}, high first {high_first}: error {err}"
                );
            }
        }
    }

    #[test]
    fn layout_tiles_the_image_and_inverts() {
        for (w, h) in [(280, 448), (257, 301), (9, 13), (1, 1)] {
            let layout = Layout::new(w, h);
            assert_eq!(layout.steps.len(), 20);
            let mut cover = vec![0u8; w * h];
            for r in &layout.bands {
                for y in r.y..r.y + r.h {
                    for x in r.x..r.x + r.w {
                        cover[y * w + x] += 1;
                    }
                }
            }
            assert!(cover.iter().all(|&c| c <= 1), "{w}x{h}: subbands overlap");
            let mut plane: Vec<f32> = (0..w * h).map(|i| ((i * 7919) % 251) as f32).collect();
            let original = plane.clone();
            for step in layout.steps.iter().rev() {
                analyse_region(&mut plane, w, step);
            }
            let f = filters();
            for step in &layout.steps {
                synthesise_region(&mut plane, w, step, &f);
            }
            let err = plane
                .iter()
                .zip(&original)
                .map(|(a, b)| (a - b).abs())
                .fold(0.0, f32::max);
            assert!(err < 0.05, "{w}x{h}: reconstruction error {err}");
        }
    }

    #[test]
    fn subband_sizes_for_a_known_image() {
        // The lowest subband of a 280x448 image is 280/32 x 448/32 rounded up at every halving.
        let layout = Layout::new(280, 448);
        assert_eq!(
            layout.bands[0],
            Rect {
                x: 0,
                y: 0,
                w: 9,
                h: 14
            }
        );
        assert_eq!(
            layout.bands[51],
            Rect {
                x: 70,
                y: 112,
                w: 70,
                h: 112
            }
        );
        assert_eq!(
            layout.bands[59],
            Rect {
                x: 70,
                y: 336,
                w: 70,
                h: 112
            }
        );
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(body in prop::collection::vec(any::<u8>(), 0..600)) {
            let _ = decode_wsq(&body);
            let mut bytes = vec![0xff, 0xa0];
            bytes.extend_from_slice(&body);
            let _ = decode_wsq(&bytes);
        }
    }

    fn correlation(a: &GrayImage, b: &GrayImage) -> f64 {
        let n = a.pixels.len() as f64;
        let mean = |p: &[u8]| p.iter().map(|&v| f64::from(v)).sum::<f64>() / n;
        let (ma, mb) = (mean(&a.pixels), mean(&b.pixels));
        let (mut cov, mut va, mut vb) = (0.0, 0.0, 0.0);
        for (&x, &y) in a.pixels.iter().zip(&b.pixels) {
            let (dx, dy) = (f64::from(x) - ma, f64::from(y) - mb);
            cov += dx * dy;
            va += dx * dx;
            vb += dy * dy;
        }
        cov / (va * vb).sqrt()
    }

    /// No second WSQ decoder is packaged for Debian, so the MockMDS authentication captures,
    /// which hold each finger both as WSQ and as JPEG 2000 made from the same scan, serve as the
    /// reference: the two decodings must agree closely, and must not agree with other fingers.
    #[test]
    fn mockmds_wsq_agrees_with_the_jpeg2000_capture_of_the_same_scan() {
        use crate::iso::finger_image::FingerImageRecord;
        let Some(dir) = crate::iso::tests_support::shared_data() else {
            return;
        };
        let auth = dir.join("mockmds").join("Auth");
        let decode = |name: &str| {
            let bytes = std::fs::read(auth.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
            let rec = FingerImageRecord::parse(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
            rec.representations[0]
                .decode_image()
                .unwrap_or_else(|e| panic!("{name}: {e}"))
        };
        let fingers = [
            "Left_Index",
            "Left_Little",
            "Left_Middle",
            "Left_Ring",
            "Left_Thumb",
            "Right_Index",
            "Right_Little",
            "Right_Middle",
            "Right_Ring",
            "Right_Thumb",
        ];
        let wsq: Vec<GrayImage> = fingers
            .iter()
            .map(|f| decode(&format!("0001{f}.wsq.iso")))
            .collect();
        let j2k: Vec<GrayImage> = fingers
            .iter()
            .map(|f| decode(&format!("0001{f}.iso")))
            .collect();
        for (i, f) in fingers.iter().enumerate() {
            let (a, b) = (&wsq[i], &j2k[i]);
            assert_eq!((a.width, a.height), (b.width, b.height), "{f}");
            assert_eq!(a.ppi, Some(500), "{f}: NIST comment resolution");
            let r = correlation(a, b);
            let mean_diff = a
                .pixels
                .iter()
                .zip(&b.pixels)
                .map(|(&x, &y)| f64::from(x.abs_diff(y)))
                .sum::<f64>()
                / a.pixels.len() as f64;
            assert!(
                r > 0.95 && mean_diff < 20.0,
                "{f}: correlation {r:.3}, mean difference {mean_diff:.1}"
            );
            // Ridges dark, valleys and background light: both must be well represented.
            let mut sorted = a.pixels.clone();
            sorted.sort_unstable();
            let (p5, p95) = (sorted[sorted.len() / 20], sorted[sorted.len() * 19 / 20]);
            assert!(
                p5 < 120 && p95 > 200 && p95 - p5 > 100,
                "{f}: 5th and 95th percentiles {p5} and {p95}"
            );
            for (k, other) in j2k.iter().enumerate() {
                if k != i && (other.width, other.height) == (a.width, a.height) {
                    let r = correlation(a, other);
                    assert!(r < 0.5, "{f} against {}: correlation {r:.3}", fingers[k]);
                }
            }
        }
    }

    /// Symbols of the synthetic streams' Huffman table: runs of 1-100 zeros and the values
    /// -73..=74, all with 8-bit codes (never all ones, as a real table would not have).
    fn synthetic_symbols() -> Vec<u8> {
        (1..=100).chain(107..=254).collect()
    }

    /// Writes a WSQ stream by hand, for tests that must not depend on outside data: the
    /// specification's filters, a mean shift of 128 and unit scale, and coefficients for
    /// subband 0 only (every other subband has bin width 0, so is absent).
    fn synthetic_wsq(width: u16, height: u16, band0: &[i32]) -> Vec<u8> {
        let mut out = vec![0xff, 0xa0];
        let mut dtt = vec![9, 7];
        for &f in ANALYSIS_LOW.iter().chain(&ANALYSIS_HIGH) {
            dtt.push(u8::from(f < 0.0));
            dtt.push(9);
            dtt.extend_from_slice(&((f64::from(f.abs()) * 1e9).round() as u32).to_be_bytes());
        }
        let mut dqt = vec![2, 0, 44];
        for k in 0..MAX_SUBBANDS {
            let (q, z): (u16, u16) = if k == 0 { (1000, 1200) } else { (0, 0) };
            dqt.extend_from_slice(&[2, (q >> 8) as u8, q as u8, 2, (z >> 8) as u8, z as u8]);
        }
        let symbols = synthetic_symbols();
        let mut dht = vec![0];
        let mut counts = [0u8; 16];
        counts[7] = symbols.len() as u8;
        dht.extend_from_slice(&counts);
        dht.extend_from_slice(&symbols);
        let mut sof = vec![0, 255];
        for v in [height, width] {
            sof.extend_from_slice(&v.to_be_bytes());
        }
        sof.extend_from_slice(&[0, 0, 128, 0, 0, 1, 2, 0, 0]);
        for (marker, body) in [
            (0xa4, dtt),
            (0xa5, dqt),
            (0xa6, dht),
            (0xa2, sof),
            (0xa3, vec![0]),
        ] {
            out.extend_from_slice(&[0xff, marker]);
            out.extend_from_slice(&((body.len() + 2) as u16).to_be_bytes());
            out.extend_from_slice(&body);
        }
        for &v in band0 {
            let symbol = if v == 0 {
                1
            } else {
                (v.clamp(-73, 74) + 180) as u8
            };
            let code = symbols
                .iter()
                .position(|&s| s == symbol)
                .expect("symbol in table") as u8;
            out.push(code);
            if code == 0xff {
                out.push(0);
            }
        }
        out.extend_from_slice(&[0xff, 0xa1]);
        out
    }

    #[test]
    fn synthetic_stream_decodes_to_flat_grey_and_places_a_coefficient() {
        let (w, h) = (96u16, 128u16);
        let band = Layout::new(96, 128).bands[0];
        let zeros = vec![0; band.w * band.h];
        let flat = decode_wsq(&synthetic_wsq(w, h, &zeros)).expect("valid stream");
        assert_eq!((flat.width, flat.height, flat.ppi), (96, 128, None));
        assert!(
            flat.pixels.iter().all(|&p| p == 128),
            "all-zero coefficients give the mean shift"
        );

        let (bx, by) = (1, 2);
        let mut one = zeros;
        one[by * band.w + bx] = 70;
        let img = decode_wsq(&synthetic_wsq(w, h, &one)).expect("valid stream");
        let (at, &max) = img
            .pixels
            .iter()
            .enumerate()
            .max_by_key(|(_, p)| **p)
            .expect("pixels");
        let (x, y) = (at % img.width, at / img.width);
        assert!(
            max > 140,
            "a positive coefficient brightens the image: max {max}"
        );
        // Each of the five halvings puts low-pass sample k at position 2k.
        let (ex, ey) = (32 * bx, 32 * by);
        assert!(
            x.abs_diff(ex) <= 16 && y.abs_diff(ey) <= 16,
            "peak at ({x}, {y}), expected near ({ex}, {ey})"
        );
    }

    #[test]
    fn malformed_streams_give_specific_errors() {
        let band = Layout::new(64, 64).bands[0];
        let good = synthetic_wsq(64, 64, &vec![1; band.w * band.h]);
        assert!(decode_wsq(&good).is_ok());
        let err = |bytes: &[u8]| decode_wsq(bytes).expect_err("malformed").to_string();
        assert!(
            err(&good[..good.len() - 2]).contains("end of the file"),
            "{}",
            err(&good[..good.len() - 2])
        );
        assert!(err(&good[2..]).contains("not the SOI marker"));
        let short = synthetic_wsq(64, 64, &vec![1; band.w * band.h - 1]);
        assert!(
            err(&short).contains("before every subband is filled"),
            "{}",
            err(&short)
        );
        let long = synthetic_wsq(64, 64, &vec![1; band.w * band.h + 1]);
        assert!(err(&long).contains("more coefficients"), "{}", err(&long));
        // Drop the transform table segment (it follows SOI and is 60 bytes long).
        let no_dtt = [&good[..2], &good[62..]].concat();
        assert!(
            err(&no_dtt).contains("no transform table"),
            "{}",
            err(&no_dtt)
        );
    }

    fn mockmds_wsq() -> &'static [Vec<u8>] {
        use crate::iso::finger_image::FingerImageRecord;
        static STREAMS: std::sync::OnceLock<Vec<Vec<u8>>> = std::sync::OnceLock::new();
        STREAMS.get_or_init(|| {
            let Some(dir) = crate::iso::tests_support::shared_data() else {
                return Vec::new();
            };
            ["0001Right_Middle.wsq.iso", "0001Left_Little.wsq.iso"]
                .iter()
                .filter_map(|name| std::fs::read(dir.join("mockmds").join("Auth").join(name)).ok())
                .filter_map(|bytes| FingerImageRecord::parse(&bytes).ok())
                .map(|rec| rec.representations[0].image_data.clone())
                .collect()
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        #[test]
        fn mutated_streams_never_panic(
            values in prop::collection::vec(-80i32..80, 0..40),
            edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6),
            cut in any::<prop::sample::Index>(),
            which in any::<prop::sample::Index>(),
        ) {
            let band = Layout::new(40, 24).bands[0];
            let mut streams = vec![synthetic_wsq(40, 24, &values.iter().copied().cycle().take(band.w * band.h).collect::<Vec<_>>())];
            streams.extend(mockmds_wsq().iter().cloned());
            let mut bytes = which.get(&streams).clone();
            for (at, v) in &edits {
                let i = at.index(bytes.len());
                bytes[i] = *v;
            }
            let _ = decode_wsq(&bytes);
            let _ = decode_wsq(&bytes[..cut.index(bytes.len())]);
        }
    }
}
