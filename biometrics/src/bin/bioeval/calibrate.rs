//! `bioeval calibrate`: the deduplication operating point derived from real prints, and the
//! person-level experiment that checks it through the server's own index and decision code.

use std::path::Path;

use amparo_biometrics::finger::calibration::{
    TailFit, binomial_tail, bootstrap, choose, percentile, proportion_interval,
};
use amparo_biometrics::finger::dedup::{self, OperatingPoint};
use amparo_biometrics::finger::eval::error_rates;
use amparo_biometrics::finger::synthetic::Rng;
use amparo_biometrics::finger::{self, FingerIndex, Prepared, Template};
use amparo_biometrics::image::decode_tiff;

/// The person-level target: at most this many false flags per enrolment searched...
const FALSE_FLAGS_PER_SEARCH: f64 = 1e-4;
/// ...against a gallery of this many people.
const GALLERY: f64 = 1e6;
/// Fingers compared in a full enrolment.
const FINGERS: usize = 10;
/// Share of the impostor scores the tail model is fitted on.
const TAIL_FRACTION: f64 = 0.05;
const BOOTSTRAP_ROUNDS: usize = 400;
/// Random partitions of the 30 real fingers into three people, for the pooled experiment.
const RESAMPLES: usize = 200;

/// One database's templates: `fingers[f][i]` is impression `i` of finger `f`.
struct Db {
    name: String,
    fingers: Vec<Vec<Template>>,
}

fn load_db(dir: &Path) -> Result<Db, String> {
    let mut fingers: Vec<Vec<Template>> = Vec::new();
    let mut names: Vec<(u32, u32, std::path::PathBuf)> = Vec::new();
    for entry in
        std::fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?
    {
        let p = entry.map_err(|e| e.to_string())?.path();
        if let Some((f, i)) = super::fvc_name(&p, "tif") {
            names.push((f, i, p));
        }
    }
    names.sort();
    let mut last = None;
    for (f, _, path) in names {
        let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let img = decode_tiff(&bytes).map_err(|e| format!("{}: {e}", path.display()))?;
        let t = finger::extract(&img)
            .map_err(|e| format!("{}: {e}", path.display()))?
            .template;
        if last != Some(f) {
            fingers.push(Vec::new());
            last = Some(f);
        }
        fingers.last_mut().expect("pushed").push(t);
    }
    if fingers.len() < 10 || fingers.iter().any(|f| f.len() < 2) {
        return Err(format!(
            "{}: expected 10 fingers of several impressions",
            dir.display()
        ));
    }
    Ok(Db {
        name: dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        fingers,
    })
}

/// Genuine and impostor scores by the FVC protocol.
fn scores(db: &Db) -> (Vec<f32>, Vec<f32>) {
    let flat: Vec<(usize, Prepared)> = db
        .fingers
        .iter()
        .enumerate()
        .flat_map(|(f, imps)| imps.iter().map(move |t| (f, Prepared::new(t))))
        .collect();
    let (mut genuine, mut impostor) = (Vec::new(), Vec::new());
    for i in 0..flat.len() {
        for j in i + 1..flat.len() {
            let s = finger::compare(&flat[i].1, &flat[j].1);
            if flat[i].0 == flat[j].0 {
                genuine.push(s);
            } else {
                impostor.push(s);
            }
        }
    }
    (genuine, impostor)
}

fn sci(x: f64) -> String {
    format!("{x:.2e}")
}

fn pct(x: f64) -> String {
    format!("{:.2}%", 100.0 * x)
}

pub fn run(dir: &Path) -> Result<(), String> {
    let mut calibration = Vec::new();
    let mut synthetic = None;
    for name in ["DB1_B", "DB2_B", "DB3_B", "DB4_B"] {
        let path = dir.join(name);
        if !path.is_dir() {
            return Err(format!("{} is missing", path.display()));
        }
        let db = load_db(&path)?;
        if name == "DB4_B" {
            synthetic = Some(db);
        } else {
            calibration.push(db);
        }
    }
    let synthetic = synthetic.expect("loaded above");

    println!(
        "# Deduplication calibration on FVC2002 DB1_B-DB3_B (DB4_B synthetic: reported only)\n"
    );
    println!("## Per-finger score distributions (FVC protocol, every pair once)\n");
    println!(
        "| Database | genuine | impostor | EER | FMR100 | FMR1000 | ZeroFMR | impostor max | prints the acceptance rule refuses |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    let mut per_db = Vec::new();
    for db in calibration.iter().chain(std::iter::once(&synthetic)) {
        let (g, i) = scores(db);
        let r = error_rates(&g, &i);
        let max = i.iter().copied().fold(0.0f32, f32::max);
        let all: Vec<&Template> = db.fingers.iter().flatten().collect();
        let refused = all
            .iter()
            .filter(|t| finger::quality::acceptable(t).is_err())
            .count();
        println!(
            "| {} | {} | {} | {:.2}% | {:.2}% | {:.2}% | {:.2}% | {:.3} | {refused}/{} |",
            db.name,
            g.len(),
            i.len(),
            r.eer,
            r.fmr100,
            r.fmr1000,
            r.zero_fmr,
            max,
            all.len()
        );
        per_db.push((db.name.clone(), g, i));
    }
    let genuine: Vec<f64> = per_db[..3]
        .iter()
        .flat_map(|(_, g, _)| g.iter().map(|&s| f64::from(s)))
        .collect();
    let impostor: Vec<f64> = per_db[..3]
        .iter()
        .flat_map(|(_, _, i)| i.iter().map(|&s| f64::from(s)))
        .collect();

    // The target, and what it asks of one person comparison and of one finger.
    let per_person = FALSE_FLAGS_PER_SEARCH / GALLERY;
    println!("\n## Target and arithmetic\n");
    println!(
        "Target: at most {FALSE_FLAGS_PER_SEARCH:e} false duplicate flags per enrolment searched against {GALLERY:e} people (1 in 10,000 enrolments)."
    );
    println!(
        "One search makes {GALLERY:e} person comparisons, so each may falsely match with probability at most {FALSE_FLAGS_PER_SEARCH:e} / {GALLERY:e} = {}.",
        sci(per_person)
    );
    println!(
        "Fusion: a person is flagged when at least k of the n compared fingers score at or above the per-finger threshold; impostor finger scores are taken as independent across positions, so FMR_person = P(Bin(n, p) >= k) <= C(n, k) p^k for a per-finger FMR p."
    );
    println!(
        "\n| k of {FINGERS} | per-finger FMR p needed: C({FINGERS}, k) p^k <= {} |",
        sci(per_person)
    );
    println!("|---|---|");
    for k in 1..=4 {
        println!(
            "| {k} | {} |",
            sci((per_person / choose(FINGERS, k)).powf(1.0 / k as f64))
        );
    }
    let op_default = OperatingPoint::calibrated();
    let k = op_default.fused_fingers;
    let p_needed = (per_person / choose(FINGERS, k)).powf(1.0 / k as f64);
    println!(
        "\nk = {k}: p must be at most {}, about what {} pooled impostor pairs can just resolve, where k = 2 would need {} (beyond any measurement here) and k = 4 would give up genuine matches for no gain.",
        sci(p_needed),
        impostor.len(),
        sci((per_person / choose(FINGERS, 2)).sqrt())
    );

    // The tail model.
    let fit =
        TailFit::fit(&impostor, TAIL_FRACTION).ok_or("the impostor tail could not be fitted")?;
    println!("\n## Impostor tail model (generalised Pareto, probability-weighted moments)\n");
    println!(
        "Fitted above u = {:.4} (the {:.0}th percentile of {} impostor scores, {} exceedances): shape xi = {:.3}, scale sigma = {:.4}.",
        fit.u,
        100.0 * (1.0 - TAIL_FRACTION),
        impostor.len(),
        fit.exceedances,
        fit.shape,
        fit.scale
    );
    let boot_q = bootstrap(&impostor, TAIL_FRACTION, BOOTSTRAP_ROUNDS, 0xca11b, |f| {
        f.quantile(p_needed)
    });
    let boot_shape = bootstrap(&impostor, TAIL_FRACTION, BOOTSTRAP_ROUNDS, 0xca11b, |f| {
        f.shape
    });
    println!(
        "Bootstrap ({} resamples of the impostor scores): shape 95% interval [{:.3}, {:.3}]; score at p = {}: {:.4}, 95% interval [{:.4}, {:.4}].",
        boot_q.len(),
        percentile(&boot_shape, 0.025),
        percentile(&boot_shape, 0.975),
        sci(p_needed),
        fit.quantile(p_needed),
        percentile(&boot_q, 0.025),
        percentile(&boot_q, 0.975)
    );
    println!("\nCheck against the empirical scores (impostor pairs at or above x):\n");
    println!("| x | empirical | modelled | modelled 95% interval |");
    println!("|---|---|---|---|");
    let mut sorted = impostor.clone();
    sorted.sort_by(f64::total_cmp);
    for q in [0.97, 0.99, 0.995, 0.999] {
        let x = percentile(&sorted, q);
        let emp = sorted.iter().filter(|&&s| s >= x).count();
        let b = bootstrap(&impostor, TAIL_FRACTION, 100, 0xc4ec, |f| f.tail(x));
        println!(
            "| {x:.4} | {emp} ({}) | {:.1} ({}) | [{}, {}] |",
            sci(emp as f64 / sorted.len() as f64),
            fit.tail(x) * sorted.len() as f64,
            sci(fit.tail(x)),
            sci(percentile(&b, 0.025)),
            sci(percentile(&b, 0.975))
        );
    }
    let max = *sorted.last().expect("scores");
    println!(
        "| max {max:.4} | 1 ({}) | {:.2} ({}) | |",
        sci(1.0 / sorted.len() as f64),
        fit.tail(max) * sorted.len() as f64,
        sci(fit.tail(max))
    );

    // The threshold: the bootstrap's upper bound of the score at p_needed, so the target holds
    // at the conservative end of the model's uncertainty; rounded up to a thousandth.
    let derived = (percentile(&boot_q, 0.975) * 1000.0).ceil() / 1000.0;
    let t = f64::from(op_default.finger_threshold);
    if (derived - t).abs() > 1e-6 {
        println!(
            "\nNOTE: the data give a per-finger threshold of {derived:.3}; the engine's calibrated default is {t:.3}. Update OperatingPoint::calibrated()."
        );
    }
    let p_t = fit.tail(t);
    let boot_p = bootstrap(&impostor, TAIL_FRACTION, BOOTSTRAP_ROUNDS, 0xca11b, |f| {
        f.tail(t)
    });
    let (p_lo, p_hi) = (percentile(&boot_p, 0.025), percentile(&boot_p, 0.975));
    let emp_fm = impostor.iter().filter(|&&s| s >= t).count();
    let emp_fnm = genuine.iter().filter(|&&s| s < t).count();
    let q = emp_fnm as f64 / genuine.len() as f64;
    let (q_lo, q_hi) = proportion_interval(emp_fnm, genuine.len());
    let person_fnmr = |q: f64| 1.0 - binomial_tail(FINGERS, k, 1.0 - q);

    println!("\n## Operating point (version {})\n", op_default.version);
    println!("| Value | Setting | Expected rate | 95% bounds |");
    println!("|---|---|---|---|");
    println!(
        "| per-finger threshold | {t:.3} (derived {derived:.3}) | finger FMR {} (modelled; empirical {emp_fm}/{}) | [{}, {}] |",
        sci(p_t),
        impostor.len(),
        sci(p_lo),
        sci(p_hi)
    );
    println!(
        "| | | finger FNMR {} ({emp_fnm}/{} genuine pairs) | [{}, {}] |",
        pct(q),
        genuine.len(),
        pct(q_lo),
        pct(q_hi)
    );
    println!(
        "| fused threshold | {k} of the fingers compared agree | person FMR (10 fingers) {} | [{}, {}] |",
        sci(binomial_tail(FINGERS, k, p_t)),
        sci(binomial_tail(FINGERS, k, p_lo)),
        sci(binomial_tail(FINGERS, k, p_hi))
    );
    println!(
        "| | | person FNMR (10 fingers, independent) {} | [{}, {}] |",
        sci(person_fnmr(q)),
        sci(person_fnmr(q_lo)),
        sci(person_fnmr(q_hi))
    );
    println!(
        "| | | false flags per search of {GALLERY:e} people {} | [{}, {}] |",
        sci(GALLERY * binomial_tail(FINGERS, k, p_t)),
        sci(GALLERY * binomial_tail(FINGERS, k, p_lo)),
        sci(GALLERY * binomial_tail(FINGERS, k, p_hi))
    );
    let gate = op_default.gate_fingers;
    println!(
        "| shortlist gate | {gate} agreeing finger among the index's candidates | impostor person through the gate {} | [{}, {}] |",
        sci(binomial_tail(FINGERS, gate, p_t)),
        sci(binomial_tail(FINGERS, gate, p_lo)),
        sci(binomial_tail(FINGERS, gate, p_hi))
    );
    println!(
        "| index recall | {} candidates per probe finger, shortlist {} people | see the person-level experiment | |",
        op_default.index_candidates, op_default.shortlist
    );
    println!(
        "\nFewer than {k} comparable fingers cannot reach the target on fingers alone and never flag by themselves. Irises are not calibrated (no real iris data): an iris counts at most as one agreeing finger, so it can never outweigh the fingers."
    );
    println!(
        "\nPer database at the operating point (DB4_B synthetic, not used for calibration):\n"
    );
    println!("| Database | finger FMR (empirical) | finger FNMR (empirical) | 95% FNMR bounds |");
    println!("|---|---|---|---|");
    for (name, g, i) in &per_db {
        let fm = i.iter().filter(|&&s| f64::from(s) >= t).count();
        let fnm = g.iter().filter(|&&s| f64::from(s) < t).count();
        let (lo, hi) = proportion_interval(fnm, g.len());
        println!(
            "| {name} | {fm}/{} | {} ({fnm}/{}) | [{}, {}] |",
            i.len(),
            pct(fnm as f64 / g.len() as f64),
            g.len(),
            pct(lo),
            pct(hi)
        );
    }

    person_level(&calibration, &synthetic, &op_default);
    Ok(())
}

/// Counts of one person-level experiment.
#[derive(Default)]
struct Tally {
    searches: usize,
    flagged: usize,
    impostor_comparisons: usize,
    false_flags: usize,
    /// Mate fingers that agree in the exact comparison but that the index stage missed.
    index_missed: usize,
    mate_fingers_agreeing: usize,
}

impl Tally {
    fn add(&mut self, o: &Tally) {
        self.searches += o.searches;
        self.flagged += o.flagged;
        self.impostor_comparisons += o.impostor_comparisons;
        self.false_flags += o.false_flags;
        self.index_missed += o.index_missed;
        self.mate_fingers_agreeing += o.mate_fingers_agreeing;
    }

    fn row(&self, name: &str) {
        let (lo, hi) = proportion_interval(self.flagged, self.searches);
        let (flo, fhi) = proportion_interval(self.false_flags, self.impostor_comparisons);
        let recall = 1.0 - self.index_missed as f64 / self.mate_fingers_agreeing.max(1) as f64;
        println!(
            "| {name} | {} | {} ({}/{}) | [{}, {}] | {}/{} | [{}, {}] | {} |",
            self.searches,
            pct(self.flagged as f64 / self.searches.max(1) as f64),
            self.flagged,
            self.searches,
            pct(lo),
            pct(hi),
            self.false_flags,
            self.impostor_comparisons,
            sci(flo),
            sci(fhi),
            pct(recall)
        );
    }
}

/// An enrolled reference: its id, the person whose fingers it holds, and its fingers.
type Reference = (u64, usize, Vec<(u8, Template)>);

/// A person: ten (finger, position) choices; `fingers[k]` is the finger at ISO position `k + 1`.
type Person<'a> = Vec<&'a [Template]>;

/// Enrols `people` from `enrol[p]`, each with its nine cyclic position shifts as impostor
/// references (position k holding finger k + s: same prints, never at the same position, so
/// every comparison with a shifted reference is between different fingers), then searches each
/// person with impression `probe[p]` through the server's gate and decision.
fn trial(people: &[Person<'_>], enrol: &[usize], probe: &[usize], op: &OperatingPoint) -> Tally {
    let mut index = FingerIndex::new();
    let mut enrolled: Vec<Reference> = Vec::new();
    for (p, person) in people.iter().enumerate() {
        for shift in 0..FINGERS {
            let id = (p * FINGERS + shift) as u64;
            let fingers: Vec<(u8, Template)> = (0..FINGERS)
                .map(|k| {
                    let f = person[(k + shift) % FINGERS];
                    ((k + 1) as u8, f[enrol[p]].clone())
                })
                .collect();
            for (pos, t) in &fingers {
                index.insert(id, *pos, t.clone());
            }
            enrolled.push((id, p, fingers));
        }
    }
    let mut tally = Tally::default();
    for (p, person) in people.iter().enumerate() {
        let query: Vec<(u8, Template)> = (0..FINGERS)
            .map(|k| ((k + 1) as u8, person[k][probe[p]].clone()))
            .collect();
        let candidates = dedup::shortlist(&index, &query, op);
        let gate_scores: std::collections::HashMap<u64, ()> =
            candidates.iter().map(|c| (c.person, ())).collect();
        let index_scores = index.search_fingers(&query, op.index_candidates);
        tally.searches += 1;
        for (id, owner, fingers) in &enrolled {
            let mate = *owner == p && *id == (p * FINGERS) as u64;
            let exact: Vec<f32> = dedup::exact_scores(&query, fingers)
                .into_iter()
                .map(|(_, s)| s)
                .collect();
            let flagged = gate_scores.contains_key(id) && op.is_duplicate(&exact);
            if mate {
                tally.flagged += usize::from(flagged);
                let idx = index_scores
                    .iter()
                    .find(|(who, _)| who == id)
                    .map(|(_, s)| s.clone())
                    .unwrap_or_else(|| vec![0.0; FINGERS]);
                for (e, i) in exact.iter().zip(&idx) {
                    if *e >= op.finger_threshold {
                        tally.mate_fingers_agreeing += 1;
                        tally.index_missed += usize::from(*i < op.finger_threshold);
                    }
                }
            } else {
                tally.impostor_comparisons += 1;
                tally.false_flags += usize::from(flagged);
            }
        }
    }
    tally
}

fn person_level(calibration: &[Db], synthetic: &Db, op: &OperatingPoint) {
    println!("\n## Person-level deduplication (server's index, gate and decision)\n");
    println!(
        "Each person is ten real fingers at positions 1-10, enrolled from one impression beside nine impostor references (the same fingers cyclically shifted over the positions) and searched with another impression. Per database: its ten fingers, every ordered (enrolment, search) pair of impressions. Pooled: {RESAMPLES} random partitions of the 30 fingers of DB1-DB3 into three people, random impressions, one gallery of 30 references.\n"
    );
    println!(
        "| Set | searches | true duplicates flagged | 95% interval | false flags / impostor person comparisons | 95% interval | index recall of agreeing mate fingers |"
    );
    println!("|---|---|---|---|---|---|---|");
    let mut rng = Rng::new(0x5eed);
    let mut overall = Tally::default();
    for db in calibration.iter().chain(std::iter::once(synthetic)) {
        let mut tally = Tally::default();
        let impressions = db.fingers.iter().map(Vec::len).min().unwrap_or(0);
        for e in 0..impressions {
            for s in 0..impressions {
                if e == s {
                    continue;
                }
                let mut order: Vec<usize> = (0..FINGERS).collect();
                shuffle(&mut order, &mut rng);
                let person: Person<'_> = order.iter().map(|&f| db.fingers[f].as_slice()).collect();
                tally.add(&trial(&[person], &[e], &[s], op));
            }
        }
        let name = if std::ptr::eq(db, synthetic) {
            format!("{} (synthetic)", db.name)
        } else {
            overall.add(&tally);
            db.name.clone()
        };
        tally.row(&name);
    }
    overall.row("DB1-DB3 per database, together");
    let all: Vec<&[Template]> = calibration
        .iter()
        .flat_map(|db| db.fingers.iter().map(Vec::as_slice))
        .collect();
    let mut pooled = Tally::default();
    for _ in 0..RESAMPLES {
        let mut order: Vec<usize> = (0..all.len()).collect();
        shuffle(&mut order, &mut rng);
        let people: Vec<Person<'_>> = order
            .chunks(FINGERS)
            .map(|c| c.iter().map(|&f| all[f]).collect())
            .collect();
        let mut enrol = Vec::new();
        let mut probe = Vec::new();
        for person in &people {
            let n = person.iter().map(|f| f.len()).min().unwrap_or(2);
            let e = (rng.next_u64() % n as u64) as usize;
            let s = (e + 1 + (rng.next_u64() % (n as u64 - 1)) as usize) % n;
            enrol.push(e);
            probe.push(s);
        }
        pooled.add(&trial(&people, &enrol, &probe, op));
    }
    pooled.row("DB1-DB3 pooled, resampled people");
}

fn shuffle<T>(v: &mut [T], rng: &mut Rng) {
    for i in (1..v.len()).rev() {
        let j = (rng.next_u64() % (i as u64 + 1)) as usize;
        v.swap(i, j);
    }
}
