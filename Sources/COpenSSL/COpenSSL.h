#ifndef DOCRELAY_COPENSSL_H
#define DOCRELAY_COPENSSL_H

// OpenSSL 3 for Swift: CMS, X.509, EVP. Macros Swift cannot call are wrapped below as
// static inline functions prefixed CDocRelayOpenSSL_ (see field-notes.md).
#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/cms.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

// MARK: - STACK_OF(X509)

static inline STACK_OF(X509) *CDocRelayOpenSSL_sk_X509_new_null(void) {
    return sk_X509_new_null();
}

static inline int CDocRelayOpenSSL_sk_X509_num(const STACK_OF(X509) *stack) {
    return sk_X509_num(stack);
}

static inline X509 *CDocRelayOpenSSL_sk_X509_value(const STACK_OF(X509) *stack, int index) {
    return sk_X509_value(stack, index);
}

/// Pushes `certificate` without taking a reference: the caller up-refs it first.
static inline int CDocRelayOpenSSL_sk_X509_push(STACK_OF(X509) *stack, X509 *certificate) {
    return sk_X509_push(stack, certificate);
}

/// Frees the stack and releases one reference on each element.
static inline void CDocRelayOpenSSL_sk_X509_pop_free(STACK_OF(X509) *stack) {
    sk_X509_pop_free(stack, X509_free);
}

/// Frees the stack only (for stacks whose elements another object owns, as `CMS_get0_signers`).
static inline void CDocRelayOpenSSL_sk_X509_free(STACK_OF(X509) *stack) {
    sk_X509_free(stack);
}

// MARK: - STACK_OF(X509_CRL), STACK_OF(CMS_SignerInfo)

static inline int CDocRelayOpenSSL_sk_X509_CRL_num(const STACK_OF(X509_CRL) *stack) {
    return sk_X509_CRL_num(stack);
}

static inline void CDocRelayOpenSSL_sk_X509_CRL_pop_free(STACK_OF(X509_CRL) *stack) {
    sk_X509_CRL_pop_free(stack, X509_CRL_free);
}

static inline int CDocRelayOpenSSL_sk_CMS_SignerInfo_num(STACK_OF(CMS_SignerInfo) *stack) {
    return sk_CMS_SignerInfo_num(stack);
}

static inline CMS_SignerInfo *CDocRelayOpenSSL_sk_CMS_SignerInfo_value(
    STACK_OF(CMS_SignerInfo) *stack, int index) {
    return sk_CMS_SignerInfo_value(stack, index);
}

// MARK: - Memory, BIO

static inline void CDocRelayOpenSSL_free(void *pointer) {
    OPENSSL_free(pointer);
}

/// The bytes a memory BIO holds; `*data` stays valid until the BIO is written to or freed.
static inline long CDocRelayOpenSSL_BIO_get_mem_data(BIO *bio, const unsigned char **data) {
    char *pointer = NULL;
    long length = BIO_get_mem_data(bio, &pointer);
    *data = (const unsigned char *)pointer;
    return length;
}

// MARK: - Names

/// RFC 2253 (XN_FLAG_RFC2253) with UTF-8 kept as UTF-8 rather than escaped as \XX.
static inline unsigned long CDocRelayOpenSSL_nameFlagsRFC2253UTF8(void) {
    return XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB;
}

#endif
