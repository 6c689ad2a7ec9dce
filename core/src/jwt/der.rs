//! The one piece of DER tokenfetch writes: a SEC1 `EC PRIVATE KEY` wrapped as PKCS#8, the
//! form ring reads. Encoding only; no parsing, no crypto.

/// `AlgorithmIdentifier { id-ecPublicKey, prime256v1 }` (RFC 5480 §2.1.1).
const EC_P256_ALGORITHM: &[u8] = &[
    0x30, 0x13, // SEQUENCE, 19 bytes
    0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, // 1.2.840.10045.2.1
    0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, // 1.2.840.10045.3.1.7
];

/// `PrivateKeyInfo { 0, ecPublicKey/P-256, OCTET STRING sec1 }` (RFC 5208 §5). Whether `sec1`
/// is a P-256 key with its public point is for ring to decide.
pub(crate) fn sec1_p256_to_pkcs8(sec1: &[u8]) -> Vec<u8> {
    let mut body = vec![0x02, 0x01, 0x00];
    body.extend_from_slice(EC_P256_ALGORITHM);
    body.push(0x04);
    push_length(&mut body, sec1.len());
    body.extend_from_slice(sec1);
    let mut out = vec![0x30];
    push_length(&mut out, body.len());
    out.extend(body);
    out
}

fn push_length(out: &mut Vec<u8>, len: usize) {
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_use_the_short_form_below_128_and_the_long_form_above() {
        let mut out = Vec::new();
        push_length(&mut out, 5);
        push_length(&mut out, 300);
        assert_eq!(out, [5, 0x82, 0x01, 0x2c]);
    }
}
