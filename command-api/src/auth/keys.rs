//! Ed25519 key pairs for signing access tokens: generation (`command-api keys generate`)
//! and deriving the public half of a private key.

use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
use ed25519_dalek::pkcs8::{DecodePrivateKey, EncodePrivateKey, EncodePublicKey};
use ed25519_dalek::SigningKey;

/// A new key pair, both halves as PEM: PKCS#8 private key, SPKI public key.
pub fn generate() -> Result<(String, String), String> {
    let secret: [u8; 32] = rand::random();
    let key = SigningKey::from_bytes(&secret);
    let private = key
        .to_pkcs8_pem(LineEnding::LF)
        .map_err(|e| e.to_string())?
        .to_string();
    let public = key
        .verifying_key()
        .to_public_key_pem(LineEnding::LF)
        .map_err(|e| e.to_string())?;
    Ok((private, public))
}

pub fn public_pem_of(private_pem: &[u8]) -> Result<String, String> {
    let text = std::str::from_utf8(private_pem).map_err(|e| e.to_string())?;
    SigningKey::from_pkcs8_pem(text)
        .map_err(|e| e.to_string())?
        .verifying_key()
        .to_public_key_pem(LineEnding::LF)
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_pair_matches() {
        let (private, public) = generate().unwrap();
        assert!(private.starts_with("-----BEGIN PRIVATE KEY-----"));
        assert_eq!(public_pem_of(private.as_bytes()).unwrap(), public);
    }
}
