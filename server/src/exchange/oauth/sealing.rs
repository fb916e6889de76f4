//! Authenticated encryption for what the service keeps of a signed-in account (its refresh
//! token) and for the sign-in cookie: AES-256-GCM under a key derived with HKDF-SHA256 from the
//! configured `token_encryption_key`, a random nonce per message, and the purpose and
//! integration as associated data, so a sealed value cannot be moved to another use.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM, NONCE_LEN};
use ring::hkdf::{Salt, HKDF_SHA256};
use ring::rand::{SecureRandom, SystemRandom};

/// Bumped if the derivation or layout ever changes; older values then fail to open.
const KEY_INFO: &[u8] = b"vmr-scheduler exchange account sealing v1";

pub struct Sealer {
    key: LessSafeKey,
    random: SystemRandom,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum OpenError {
    #[error("the sealed value is not valid base64url")]
    Encoding,
    /// Tampered with, sealed for another purpose, or sealed under another key.
    #[error("the sealed value does not open with this key")]
    Authentication,
}

impl Sealer {
    pub fn new(secret: &str) -> Self {
        let salt = Salt::new(HKDF_SHA256, b"vmr-scheduler");
        let mut key_bytes = [0u8; 32];
        salt.extract(secret.as_bytes())
            .expand(&[KEY_INFO], &AES_256_GCM)
            .and_then(|okm| okm.fill(&mut key_bytes))
            .expect("32 bytes is a valid HKDF-SHA256 output length");
        let key = UnboundKey::new(&AES_256_GCM, &key_bytes).expect("AES-256 takes a 32-byte key");
        Self {
            key: LessSafeKey::new(key),
            random: SystemRandom::new(),
        }
    }

    /// `base64url(nonce ‖ ciphertext ‖ tag)`.
    pub fn seal(&self, context: &str, plaintext: &[u8]) -> String {
        let mut nonce = [0u8; NONCE_LEN];
        self.random
            .fill(&mut nonce)
            .expect("the system random generator works");
        let mut buffer = plaintext.to_vec();
        self.key
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(context.as_bytes()),
                &mut buffer,
            )
            .expect("AES-GCM seals any message shorter than 64 GiB");
        let mut out = nonce.to_vec();
        out.extend_from_slice(&buffer);
        URL_SAFE_NO_PAD.encode(out)
    }

    pub fn open(&self, context: &str, sealed: &str) -> Result<Vec<u8>, OpenError> {
        let bytes = URL_SAFE_NO_PAD
            .decode(sealed.trim())
            .map_err(|_| OpenError::Encoding)?;
        if bytes.len() < NONCE_LEN {
            return Err(OpenError::Authentication);
        }
        let (nonce, ciphertext) = bytes.split_at(NONCE_LEN);
        let nonce =
            Nonce::try_assume_unique_for_key(nonce).map_err(|_| OpenError::Authentication)?;
        let mut buffer = ciphertext.to_vec();
        let plaintext = self
            .key
            .open_in_place(nonce, Aad::from(context.as_bytes()), &mut buffer)
            .map_err(|_| OpenError::Authentication)?;
        Ok(plaintext.to_vec())
    }
}

/// `n` random bytes as base64url: state values, PKCE verifiers.
pub fn random_token(n: usize) -> String {
    let mut bytes = vec![0u8; n];
    SystemRandom::new()
        .fill(&mut bytes)
        .expect("the system random generator works");
    URL_SAFE_NO_PAD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "a-token-encryption-key-of-32-chars-or-more";

    #[test]
    fn a_sealed_value_opens_with_the_same_key_and_context() {
        let sealer = Sealer::new(KEY);
        let sealed = sealer.seal("refresh-token:main", b"0.AAAA-secret");
        assert!(!sealed.contains("secret"));
        assert_eq!(
            sealer.open("refresh-token:main", &sealed).unwrap(),
            b"0.AAAA-secret"
        );
    }

    #[test]
    fn sealing_twice_gives_different_values() {
        let sealer = Sealer::new(KEY);
        assert_ne!(sealer.seal("c", b"same"), sealer.seal("c", b"same"));
    }

    #[test]
    fn another_context_or_key_or_a_flipped_bit_does_not_open() {
        let sealer = Sealer::new(KEY);
        let sealed = sealer.seal("refresh-token:main", b"value");
        assert_eq!(
            sealer.open("refresh-token:other", &sealed),
            Err(OpenError::Authentication)
        );
        assert_eq!(
            Sealer::new("another-key-of-at-least-32-characters!!")
                .open("refresh-token:main", &sealed),
            Err(OpenError::Authentication)
        );
        let mut bytes = URL_SAFE_NO_PAD.decode(&sealed).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        assert_eq!(
            sealer.open("refresh-token:main", &URL_SAFE_NO_PAD.encode(bytes)),
            Err(OpenError::Authentication)
        );
        assert_eq!(sealer.open("c", "not base64!"), Err(OpenError::Encoding));
        assert_eq!(sealer.open("c", "AAAA"), Err(OpenError::Authentication));
    }

    #[test]
    fn random_tokens_are_long_and_distinct() {
        let a = random_token(32);
        assert_eq!(a.len(), 43);
        assert_ne!(a, random_token(32));
    }
}
