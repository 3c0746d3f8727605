/// How an RSA key signs. ECDSA keys always sign with ECDSA (SHA-256) and ignore it.
public enum SignatureScheme: Sendable, Hashable {
    /// RSASSA-PKCS1-v1_5, what `openssl cms -sign` makes by default.
    case rsaPKCS1v15
    /// RSASSA-PSS with SHA-256, MGF1-SHA-256 and a 32-byte salt.
    case rsaPSS
}
