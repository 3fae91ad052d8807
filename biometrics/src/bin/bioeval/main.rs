//! Accuracy and speed of the fingerprint engine on FVC-style databases.
//!
//! `bioeval fvc DIR` extracts a template from every `F_I.tif` (finger F, impression I) and
//! compares them all; `bioeval fvc-iso DIR` does the same from the ISO 19794-2 templates
//! (`F_I.iso`) beside the images, to measure the matcher apart from the extractor. DIR is one
//! database folder or a folder of them; one JSON line is printed per database.
//!
//! Protocol (the one the data set's README gives, so that figures compare): every pair of
//! impressions of the same finger is a genuine comparison (8 impressions give 28 pairs per finger,
//! 280 per database) and every pair of impressions of different fingers is an impostor
//! comparison; each unordered pair is compared once. For 10 fingers of 8 impressions that is
//! 80 x 72 / 2 = 2880 impostor pairs (each image against the 72 images of the 9 other fingers);
//! the README's "80 x 70 / 2 = 2800" miscounts the same definition, and the definition is what is
//! followed here. EER, FMR100
//! (lowest FNMR with FMR <= 1%), FMR1000 (FMR <= 0.1%) and ZeroFMR (FMR = 0) are in percent.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use amparo_biometrics::finger::eval::error_rates;
use amparo_biometrics::finger::{self, Prepared, Template};
use amparo_biometrics::image::decode_tiff;
use amparo_biometrics::iso::finger_minutiae::MinutiaeRecord;

const USAGE: &str = "usage: bioeval fvc DIR | bioeval fvc-iso DIR | bioeval calibrate FVC2002_DIR
  DIR: an FVC database folder of F_I.tif images (with F_I.iso templates for fvc-iso),
       or a folder of such folders
  calibrate: derives the deduplication operating point from DB1_B-DB3_B of FVC2002_DIR and
       runs the person-level deduplication experiment (DB4_B, synthetic, is reported only)";

mod calibrate;

#[derive(Clone, Copy, PartialEq)]
enum Source {
    Images,
    Iso,
}

struct Sample {
    finger: u32,
    template: Template,
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let [cmd, dir] = args.as_slice()
        && cmd == "calibrate"
    {
        return match calibrate::run(Path::new(dir)) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("bioeval: {e}");
                ExitCode::FAILURE
            }
        };
    }
    let (source, dir) = match args.as_slice() {
        [cmd, dir] if cmd == "fvc" => (Source::Images, dir),
        [cmd, dir] if cmd == "fvc-iso" => (Source::Iso, dir),
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(source, Path::new(dir)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bioeval: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Parses `F_I.ext` into (F, I).
pub(crate) fn fvc_name(p: &Path, ext: &str) -> Option<(u32, u32)> {
    if p.extension()?.to_str()? != ext {
        return None;
    }
    let (f, i) = p.file_stem()?.to_str()?.split_once('_')?;
    Some((f.parse().ok()?, i.parse().ok()?))
}

fn files_in(dir: &Path, ext: &str) -> Result<Vec<(u32, u32, PathBuf)>, String> {
    let rd = std::fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    let mut out = Vec::new();
    for entry in rd {
        let p = entry
            .map_err(|e| format!("cannot read {}: {e}", dir.display()))?
            .path();
        if let Some((f, i)) = fvc_name(&p, ext) {
            out.push((f, i, p));
        }
    }
    out.sort();
    Ok(out)
}

fn run(source: Source, dir: &Path) -> Result<(), String> {
    if !dir.is_dir() {
        return Err(format!("{} is not a directory", dir.display()));
    }
    let ext = if source == Source::Images {
        "tif"
    } else {
        "iso"
    };
    let mut dbs = Vec::new();
    if !files_in(dir, ext)?.is_empty() {
        dbs.push(dir.to_path_buf());
    } else {
        let rd =
            std::fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
        for entry in rd {
            let p = entry
                .map_err(|e| format!("cannot read {}: {e}", dir.display()))?
                .path();
            if p.is_dir() && !files_in(&p, ext)?.is_empty() {
                dbs.push(p);
            }
        }
        dbs.sort();
    }
    if dbs.is_empty() {
        return Err(format!(
            "no F_I.{ext} files in {} or its subfolders",
            dir.display()
        ));
    }
    for db in dbs {
        evaluate(source, &db, ext)?;
    }
    Ok(())
}

fn load(source: Source, path: &Path) -> Result<(Template, Option<f64>), String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    match source {
        Source::Images => {
            let img = decode_tiff(&bytes).map_err(|e| format!("{}: {e}", path.display()))?;
            let t0 = Instant::now();
            let ex = finger::extract(&img).map_err(|e| format!("{}: {e}", path.display()))?;
            Ok((ex.template, Some(t0.elapsed().as_secs_f64() * 1000.0)))
        }
        Source::Iso => {
            let rec =
                MinutiaeRecord::parse(&bytes).map_err(|e| format!("{}: {e}", path.display()))?;
            let t = Template::from_iso(&rec, 0).map_err(|e| format!("{}: {e}", path.display()))?;
            Ok((t, None))
        }
    }
}

fn evaluate(source: Source, db: &Path, ext: &str) -> Result<(), String> {
    let mut samples = Vec::new();
    let mut times = Vec::new();
    for (f, _, path) in files_in(db, ext)? {
        let (template, ms) = load(source, &path)?;
        times.extend(ms);
        samples.push(Sample {
            finger: f,
            template,
        });
    }
    let prepared: Vec<Prepared> = samples.iter().map(|s| Prepared::new(&s.template)).collect();
    let mut genuine = Vec::new();
    let mut impostor = Vec::new();
    let t0 = Instant::now();
    for i in 0..samples.len() {
        for j in i + 1..samples.len() {
            let s = finger::compare(&prepared[i], &prepared[j]);
            if samples[i].finger == samples[j].finger {
                genuine.push(s);
            } else {
                impostor.push(s);
            }
        }
    }
    let secs = t0.elapsed().as_secs_f64();
    let compare_per_sec = (genuine.len() + impostor.len()) as f64 / secs.max(1e-9);
    times.sort_by(f64::total_cmp);
    let extract_ms_median = times.get(times.len() / 2).copied();
    let r = error_rates(&genuine, &impostor);
    let name = db
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    println!(
        "{{\"db\":\"{}\",\"eer\":{:.3},\"fmr100\":{:.3},\"fmr1000\":{:.3},\"zero_fmr\":{:.3},\"genuine\":{},\"impostor\":{},\"extract_ms_median\":{},\"compare_per_sec\":{:.0}}}",
        name.replace('\\', "\\\\").replace('"', "\\\""),
        r.eer,
        r.fmr100,
        r.fmr1000,
        r.zero_fmr,
        genuine.len(),
        impostor.len(),
        extract_ms_median.map_or("null".to_string(), |m| format!("{m:.2}")),
        compare_per_sec
    );
    Ok(())
}
