//! Random single-use aliases.

use crate::domain::{
    Alias, AliasDomain, AliasPrefix, NumericAlias, NumericPrefix, NumericSuffixLength,
};
use rand::{CryptoRng, Rng};

/// How an integration's aliases look: `prefix` + random digits + `@domain`, and the numeric
/// alias `numeric_prefix` + the same digits.
#[derive(Debug, Clone)]
pub struct AliasSettings {
    pub prefix: AliasPrefix,
    pub domain: AliasDomain,
    pub suffix_length: NumericSuffixLength,
    pub numeric_prefix: NumericPrefix,
}

/// A uniformly random suffix of exactly `length` digits (leading zeros kept).
///
/// `gen_range` draws by rejection sampling, so no suffix is more likely than another
/// (no modulo bias), and the generator must be a CSPRNG so suffixes cannot be predicted.
pub fn random_suffix<R: Rng + CryptoRng>(rng: &mut R, length: NumericSuffixLength) -> String {
    let value = rng.gen_range(0..length.space());
    format!("{value:0width$}", width = usize::from(length.digits()))
}

/// A fresh candidate pair; uniqueness is the database's job.
pub fn candidate<R: Rng + CryptoRng>(
    rng: &mut R,
    settings: &AliasSettings,
) -> (Alias, NumericAlias) {
    let suffix = random_suffix(rng, settings.suffix_length);
    (
        Alias::compose(&settings.prefix, &suffix, &settings.domain),
        NumericAlias::compose(&settings.numeric_prefix, &suffix),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::StdRng;
    use rand::SeedableRng;
    use std::collections::HashSet;

    fn settings(digits: i64) -> AliasSettings {
        AliasSettings {
            prefix: AliasPrefix::parse("meet").unwrap(),
            domain: AliasDomain::parse("vc.example.com").unwrap(),
            suffix_length: NumericSuffixLength::parse(digits).unwrap(),
            numeric_prefix: NumericPrefix::parse("81").unwrap(),
        }
    }

    #[test]
    fn suffix_has_exactly_the_configured_digits() {
        let mut rng = rand::thread_rng();
        for digits in 5..=15 {
            let length = NumericSuffixLength::parse(digits).unwrap();
            for _ in 0..200 {
                let suffix = random_suffix(&mut rng, length);
                assert_eq!(suffix.len(), digits as usize);
                assert!(suffix.chars().all(|c| c.is_ascii_digit()));
                assert!(suffix.parse::<u64>().unwrap() < length.space());
            }
        }
    }

    #[test]
    fn aliases_are_well_formed_and_share_the_suffix() {
        let (alias, numeric) = candidate(&mut rand::thread_rng(), &settings(6));
        let text = alias.as_str();
        assert!(
            text.starts_with("meet") && text.ends_with("@vc.example.com"),
            "{text}"
        );
        let suffix = &text[4..10];
        assert_eq!(numeric.as_str(), format!("81{suffix}"));
        assert_eq!(Alias::parse(text).unwrap(), alias);
    }

    #[test]
    fn small_space_is_covered_without_gaps() {
        // 100,000 five-digit suffixes; 2,000,000 draws reach every one with near certainty
        // (expected misses ≈ 1e5 · e^-20 ≈ 2e-4), which a biased or narrowed generator would not.
        let mut rng = StdRng::seed_from_u64(7);
        let length = NumericSuffixLength::parse(5).unwrap();
        let seen: HashSet<String> = (0..2_000_000)
            .map(|_| random_suffix(&mut rng, length))
            .collect();
        assert_eq!(seen.len(), 100_000);
    }

    #[test]
    fn leading_digits_are_uniform() {
        // Chi-squared over the first digit: a modulo-reduced generator over a range that is not
        // a power of ten would overweight low digits. 9 degrees of freedom; 27.88 is p = 0.001.
        let mut rng = StdRng::seed_from_u64(11);
        let length = NumericSuffixLength::parse(15).unwrap();
        let draws = 200_000;
        let mut counts = [0u32; 10];
        for _ in 0..draws {
            let suffix = random_suffix(&mut rng, length);
            counts[usize::from(suffix.as_bytes()[0] - b'0')] += 1;
        }
        let expected = f64::from(draws) / 10.0;
        let chi2: f64 = counts
            .iter()
            .map(|&c| (f64::from(c) - expected).powi(2) / expected)
            .sum();
        assert!(
            chi2 < 27.88,
            "first-digit counts {counts:?} give chi² = {chi2}"
        );
    }

    #[test]
    fn modulo_reduction_would_be_caught() {
        // The same statistic on a deliberately biased generator (u64 % 10^15 favours low
        // values only slightly, so use a coarse source to show the test has teeth).
        let mut rng = StdRng::seed_from_u64(11);
        let mut counts = [0u32; 10];
        for _ in 0..200_000 {
            let biased = u32::from(rng.gen::<u8>()) % 10; // 256 % 10 = 6 → digits 0-5 favoured
            counts[biased as usize] += 1;
        }
        let expected = 20_000.0;
        let chi2: f64 = counts
            .iter()
            .map(|&c| (f64::from(c) - expected).powi(2) / expected)
            .sum();
        assert!(
            chi2 > 27.88,
            "the bias detector must detect a biased source: chi² = {chi2}"
        );
    }
}
