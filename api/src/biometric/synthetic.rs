//! Synthetic templates for benchmark galleries.
//!
//! Seeding a gallery of 100,000 people through images would cost hours of extraction, and the
//! cost being measured is the search, which depends only on the templates. So benchmark people
//! get templates made directly, the way the engine's own benchmarks make them: random minutiae
//! over a finger-sized area and random iris codes with a realistic share of masked bits. They
//! are stored with origin 'synthetic', so they are never taken for captures and never rebuilt.

use amparo_biometrics::finger::synthetic::Rng;
use amparo_biometrics::finger::{self, Minutia, MinutiaKind};
use amparo_biometrics::iris::{CODE_WORDS, IrisTemplate};

use super::Position;
use super::gallery::Template;

/// The templates of one synthetic person: ten fingers and two irises.
pub fn person(seed: u64) -> Vec<(Position, Template)> {
    let mut rng = Rng::new(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0xb10);
    Position::ALL
        .into_iter()
        .filter(|p| *p != Position::Face)
        .map(|p| {
            let t = if p.iso_finger_code().is_some() {
                Template::Finger(finger_template(&mut rng))
            } else {
                Template::Iris(iris_template(&mut rng))
            };
            (p, t)
        })
        .collect()
}

fn finger_template(rng: &mut Rng) -> finger::Template {
    let n = 30 + (rng.next_u64() % 25) as usize;
    let minutiae = (0..n)
        .map(|_| Minutia {
            x: rng.range(20.0, 300.0) as u16,
            y: rng.range(20.0, 300.0) as u16,
            angle: (rng.next_u64() % 256) as u8,
            kind: if rng.unit() < 0.5 {
                MinutiaKind::Ending
            } else {
                MinutiaKind::Bifurcation
            },
            quality: rng.range(20.0, 100.0) as u8,
        })
        .collect();
    finger::Template {
        width: 320,
        height: 320,
        quality: 80,
        minutiae,
    }
}

fn iris_template(rng: &mut Rng) -> IrisTemplate {
    let code = std::array::from_fn(|_| rng.next_u64());
    // About a quarter of the bits hidden, as eyelids hide them in real captures.
    let hidden = (rng.next_u64() % 4) as usize;
    let mask: [u64; CODE_WORDS] = std::array::from_fn(|i| {
        if (i + hidden).is_multiple_of(4) {
            0
        } else {
            u64::MAX
        }
    });
    IrisTemplate::from_words(code, mask)
}
