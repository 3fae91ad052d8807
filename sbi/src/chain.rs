//! The registration-capture hash chain.
//!
//! Every record a registration device returns carries `hash = SHA-256(previous || SHA-256(iso))`
//! in upper-case hex, where `previous` is the raw 32 bytes of the hash before it: the
//! `previousHash` the client sent for the first record of an answer, the record before it for the
//! others. The first capture of a session starts from SHA-256 of the empty string. Chaining every
//! capture of a session this way shows that they were all taken in that session, in that order,
//! and that none was swapped afterwards. (This is the construction of SBI 0.9.5 as clarified in
//! May 2021 and as MOSIP's compliance tool checks it: raw digests concatenated, not hex strings.)

use sha2::{Digest, Sha256};

/// Why a hash could not be used as a link of the chain.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a SHA-256 hash in hex")]
pub struct BadHash(pub String);

/// SHA-256 of the empty string, upper-case hex: the `previousHash` of a session's first capture.
pub fn initial_hash() -> String {
    hex_upper(&Sha256::digest(b""))
}

/// The hash of a record holding `iso`, chained after `previous` (upper- or lower-case hex; empty
/// counts as the start of a chain, as devices treat it).
pub fn link(previous: &str, iso: &[u8]) -> Result<String, BadHash> {
    let prev = if previous.trim().is_empty() {
        Sha256::digest(b"").to_vec()
    } else {
        decode_hex(previous)?
    };
    let mut h = Sha256::new();
    h.update(&prev);
    h.update(Sha256::digest(iso));
    Ok(hex_upper(&h.finalize()))
}

/// Checks `records` (ISO bytes and the hash the device gave) as one chain after `previous`.
/// Returns the last hash, or the index of the first record whose hash is wrong.
pub fn verify<'a>(
    previous: &str,
    records: impl IntoIterator<Item = (&'a [u8], &'a str)>,
) -> Result<String, usize> {
    let mut prev = previous.to_string();
    for (i, (iso, claimed)) in records.into_iter().enumerate() {
        let expected = link(&prev, iso).map_err(|_| i)?;
        if !expected.eq_ignore_ascii_case(claimed.trim()) {
            return Err(i);
        }
        prev = expected;
    }
    Ok(prev)
}

pub(crate) fn hex_upper(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789ABCDEF";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 0xf)]));
    }
    s
}

fn decode_hex(s: &str) -> Result<Vec<u8>, BadHash> {
    let s = s.trim();
    let bad = || BadHash(s.chars().take(80).collect());
    if s.len() != 64 {
        return Err(bad());
    }
    let nibble = |c: u8| match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    };
    s.as_bytes()
        .chunks(2)
        .map(|p| Some(nibble(p[0])? << 4 | nibble(p[1])?))
        .collect::<Option<Vec<u8>>>()
        .ok_or_else(bad)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn initial_hash_is_sha256_of_nothing() {
        assert_eq!(
            initial_hash(),
            "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855"
        );
        // An empty previousHash starts the chain too.
        assert_eq!(link("", b"x"), link(&initial_hash(), b"x"));
    }

    #[test]
    fn link_is_sha256_of_raw_previous_and_raw_digest() {
        let iso = b"FIR\x00020\x00";
        let mut concat = Sha256::digest(b"").to_vec();
        concat.extend_from_slice(&Sha256::digest(iso));
        assert_eq!(
            link(&initial_hash(), iso),
            Ok(hex_upper(&Sha256::digest(&concat)))
        );
        // Lower-case hex from a lenient device is the same link.
        assert_eq!(
            link(&initial_hash().to_lowercase(), iso),
            link(&initial_hash(), iso)
        );
        assert!(link("zz", iso).is_err());
    }

    proptest! {
        #[test]
        fn a_built_chain_verifies_and_any_change_breaks_it(
            records in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..64), 1..6),
            victim in any::<prop::sample::Index>(),
            flip in any::<u8>().prop_filter("a change", |b| *b != 0),
        ) {
            let mut prev = initial_hash();
            let mut hashes = Vec::new();
            for r in &records {
                prev = link(&prev, r).expect("valid link");
                hashes.push(prev.clone());
            }
            let pairs = || records.iter().map(Vec::as_slice).zip(hashes.iter().map(String::as_str));
            prop_assert_eq!(verify(&initial_hash(), pairs()), Ok(prev));

            let i = victim.index(records.len());
            let mut tampered = records.clone();
            if tampered[i].is_empty() {
                tampered[i].push(flip);
            } else {
                tampered[i][0] ^= flip;
            }
            let bad = tampered.iter().map(Vec::as_slice).zip(hashes.iter().map(String::as_str));
            prop_assert_eq!(verify(&initial_hash(), bad), Err(i));

            // Starting from another previous hash breaks the first link.
            let other = link(&initial_hash(), b"another session").expect("valid link");
            prop_assert_eq!(verify(&other, pairs()), Err(0));
        }
    }
}
