// sigv4kit/sigv4kit.hpp - the umbrella header: everything sigv4kit offers.
//
// sigv4kit: AWS Signature Version 4 signing for C++17, header-only, no heap on the signing
// path, no exceptions, pluggable crypto. See README.md.
#ifndef SIGV4KIT_SIGV4KIT_HPP
#define SIGV4KIT_SIGV4KIT_HPP

#include <sigv4kit/config.hpp>
#include <sigv4kit/detail/result.hpp>
#include <sigv4kit/detail/text.hpp>
#include <sigv4kit/crypto/wipe.hpp>
#include <sigv4kit/crypto/sha256.hpp>
#include <sigv4kit/crypto/hmac.hpp>
#include <sigv4kit/sigv4/request.hpp>
#include <sigv4kit/sigv4/canonical.hpp>
#include <sigv4kit/sigv4/key_cache.hpp>
#include <sigv4kit/sigv4/signer.hpp>

#endif  // SIGV4KIT_SIGV4KIT_HPP
