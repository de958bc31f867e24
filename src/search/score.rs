//! BM25 as tantivy computes it, in f64 with a fixed operation order, so that the browser client
//! (`search.js`, `Scorer`) reproduces every score bit for bit.
//!
//! tantivy's `Bm25Weight`: `idf = ln(1 + (N - n + 0.5) / (n + 0.5))`, `weight = idf * (1 + k1)`,
//! `norm(id) = k1 * (1 - b + b * fieldnorm(id) / avgdl)` with `avgdl = total tokens / N`, and
//! `score = weight * (tf / (tf + norm))`; k1 = 1.2, b = 0.75, fieldnorms quantised to one byte
//! ([`fieldnorm`] is tantivy's `id_to_fieldnorm`). tantivy does this in f32 with the platform's
//! `logf`; here every step is an IEEE-754 double operation in the order written, and the
//! logarithm is [`ln`], built from `+ - * /` only, so JavaScript gets the same bits.

pub(crate) const K1: f64 = 1.2;
pub(crate) const B: f64 = 0.75;

/// tantivy's fieldnorm of a fieldnorm id (`tantivy::fieldnorm::FieldNormReader::id_to_fieldnorm`).
pub(crate) fn fieldnorm(id: u8) -> u32 {
    tantivy::fieldnorm::FieldNormReader::id_to_fieldnorm(id)
}

/// Natural logarithm from basic arithmetic only (deterministic across languages).
pub(crate) fn ln(x: f64) -> f64 {
    if x.is_nan() || x <= 0.0 {
        return f64::NAN;
    }
    let mut m = x;
    let mut e = 0.0;
    while m > std::f64::consts::SQRT_2 {
        m /= 2.0;
        e += 1.0;
    }
    while m < std::f64::consts::FRAC_1_SQRT_2 {
        m *= 2.0;
        e -= 1.0;
    }
    // ln(m) = 2 atanh(s), |s| <= 0.1716.
    let s = (m - 1.0) / (m + 1.0);
    let s2 = s * s;
    let mut term = s;
    let mut sum = 0.0;
    let mut k = 1.0;
    for _ in 0..16 {
        sum += term / k;
        term *= s2;
        k += 2.0;
    }
    e * std::f64::consts::LN_2 + 2.0 * sum
}

/// Inverse document frequency of a term in `df` of `n` documents.
pub(crate) fn idf(df: u32, n: u32) -> f64 {
    ln(1.0 + ((n - df) as f64 + 0.5) / (df as f64 + 0.5))
}

/// BM25 length normalisation of one field.
#[derive(Clone, Debug)]
pub(crate) struct FieldNorms {
    norms: [f64; 256],
}

impl FieldNorms {
    pub(crate) fn new(total_tokens: u64, n: u32) -> FieldNorms {
        let avgdl = total_tokens as f64 / n.max(1) as f64;
        let mut norms = [0.0; 256];
        for (id, norm) in norms.iter_mut().enumerate() {
            *norm = K1 * (1.0 - B + B * fieldnorm(id as u8) as f64 / avgdl);
        }
        FieldNorms { norms }
    }

    /// The length normalisation of fieldnorm id `fieldnorm_id`.
    pub(crate) fn norm(&self, fieldnorm_id: u8) -> f64 {
        self.norms[fieldnorm_id as usize]
    }

    /// `boost * (weight * (tf / (tf + norm)))`, `weight` being `idf * (1 + k1)` (or the sum of a
    /// phrase's idfs times `1 + k1`).
    pub(crate) fn score(&self, boost: f64, weight: f64, tf: u32, fieldnorm_id: u8) -> f64 {
        let tf = tf as f64;
        boost * (weight * (tf / (tf + self.norms[fieldnorm_id as usize])))
    }
}

/// `idf * (1 + k1)`.
pub(crate) fn weight(idf: f64) -> f64 {
    idf * (1.0 + K1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ln_matches_the_platform_closely() {
        for x in [1.0, 1.5, 2.0, std::f64::consts::E, 10.0, 123.456, 1e5, 2e6, 0.3] {
            let (ours, std) = (ln(x), x.ln());
            assert!((ours - std).abs() <= 4.0 * f64::EPSILON * std.abs().max(1.0), "{x}: {ours} vs {std}");
        }
    }

    #[test]
    fn fieldnorm_table_follows_the_rule_search_js_uses() {
        // search.js rebuilds tantivy's table: ids 0..=40 are themselves, then steps of 2, 4, 8, …
        // doubling every 8 ids.
        let (mut v, mut step) = (0u64, 2u64);
        for id in 0..=255u8 {
            if id <= 40 {
                v = u64::from(id);
            } else {
                v += step;
                if (id - 40) % 8 == 0 {
                    step *= 2;
                }
            }
            assert_eq!(u64::from(fieldnorm(id)), v, "id {id}");
        }
    }

    #[test]
    fn bm25_agrees_with_tantivy() {
        // tantivy: Bm25Weight::for_one_term(df, n, avgdl).score(id, tf), in f32.
        let (df, n, total) = (3u64, 50u64, 400u64);
        let avg = total as f32 / n as f32;
        let tantivy = tantivy::query::Bm25Weight::for_one_term(df, n, avg);
        let norms = FieldNorms::new(total, n as u32);
        for (id, tf) in [(0u8, 1u32), (5, 1), (12, 2), (40, 3), (200, 7)] {
            let ours = norms.score(1.0, weight(idf(df as u32, n as u32)), tf, id);
            let theirs = tantivy.score(id, tf) as f64;
            assert!((ours - theirs).abs() < 1e-5 * theirs.max(1.0), "{id} {tf}: {ours} vs {theirs}");
        }
    }
}
