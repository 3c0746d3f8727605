#ifndef DOCRELAY_COPENSSL_H
#define DOCRELAY_COPENSSL_H

// OpenSSL 3 for Swift: CMS, X.509, EVP. Macros Swift cannot call are wrapped below as
// static inline functions prefixed CDocRelayOpenSSL_ (see field-notes.md).
#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#endif
