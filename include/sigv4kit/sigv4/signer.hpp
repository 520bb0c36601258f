// sigv4kit/sigv4/signer.hpp - AWS Signature Version 4: header signing and presigned URLs.
#ifndef SIGV4KIT_SIGV4_SIGNER_HPP
#define SIGV4KIT_SIGV4_SIGNER_HPP

#include <sigv4kit/config.hpp>
#include <sigv4kit/crypto/hmac.hpp>
#include <sigv4kit/crypto/sha256.hpp>
#include <sigv4kit/detail/result.hpp>
#include <sigv4kit/detail/text.hpp>
#include <sigv4kit/sigv4/canonical.hpp>
#include <sigv4kit/sigv4/key_cache.hpp>
#include <sigv4kit/sigv4/request.hpp>

#include <cstddef>
#include <string_view>

SIGV4KIT_BEGIN_NAMESPACE

/// Signs requests with SigV4. The time is always the caller's (`signing_params::timestamp`):
/// the signer has no clock. Derived signing keys are cached (SIGV4KIT_KEY_CACHE_SIZE entries),
/// so a warm signature hashes the canonical request and runs one HMAC from a stored midstate.
///
/// Thread-safety: `sign` may be called concurrently on one signer when `Lock` is a real lock
/// (the default unless SIGV4KIT_NO_THREADS); with `null_lock`, use one signer per thread.
/// Heap: none. Exceptions: none.
template <class Crypto = default_crypto, class Lock = default_lock>
class basic_signer {
 public:
  using crypto = Crypto;
  using key_cache = signing_key_cache<Crypto, Lock>;

  basic_signer() noexcept = default;
  basic_signer(const basic_signer&) = delete;
  basic_signer& operator=(const basic_signer&) = delete;

  /// Signs `req` as `params` say and writes the result (Authorization header value, or the
  /// presigned URL) into `out[0..capacity)`. The returned views point into `out` and into
  /// `params.credentials.session_token`. `output_capacity(req, params)` bytes are always
  /// enough (for typical requests 1-2 KiB); a smaller buffer that cannot hold the result gives
  /// error_kind::buffer_too_small and writes nothing. After any other error the buffer's
  /// contents are unspecified (part of the output may have been written before the error was
  /// found: the output is written alongside the hashing).
  SIGV4KIT_HOT result<signed_request> sign(const request& req, const signing_params& params, char* out,
                              std::size_t capacity) const noexcept {
    // One named result, returned on every path, filled in place (no copy of the value).
    result<signed_request> res(detail::in_place);
    signed_request& r = *res;
    detail::prepared_request p;
    if (status s = detail::prepare(req, params, p); !s) {
      res.fail(s.err());
      return res;
    }
#ifndef SIGV4KIT_OPTIMIZE_SIZE  // (size builds: the body is hashed below, in the canonical request's context)
    if (req.payload_hash.empty()) {
      unsigned char digest[32];
      sha256<Crypto>::hash(req.body.data(), req.body.size(), digest);
      detail::to_hex(digest, 32, p.payload_hash_hex);
    }
#endif

#ifdef SIGV4KIT_OPTIMIZE_SIZE
    detail::output_cursor cursor{};  // (zeroed: GCC cannot tell that the inlined writer sets it)
#else
    // The output's room is checked before anything is written. Query mode writes the output
    // up to the signature first: it holds the encoded parameter values that the canonical
    // query then reuses. Header mode writes it while the last hashes run (the writer's steps
    // go between their compressions: see detail::output_writer).
    const bool header_mode = !p.presign();
    detail::output_cursor cursor;
    if (status st = detail::check_output_room(p, capacity); !st) {
      res.fail(st.err());
      return res;
    }
    detail::output_writer writer{p, r, cursor, out};
    if (!header_mode) writer.finish();
    else writer.place_signed_list();  // (the canonical request writes the list there)
#endif

    // Signature = hex(HMAC(kSigning, string to sign)), kSigning from the cache.
#ifndef SIGV4KIT_OPTIMIZE_SIZE
    // Everything of the string to sign before the canonical request's hash is known now: it
    // goes into the HMAC here, so only the hash line is left once the canonical request is
    // hashed. Its first block's state usually comes from the cache (see get_started).
    char sts[detail::string_to_sign_capacity];
    std::size_t prefix = 0;
    detail::put_string_to_sign_prefix(p, [&](const char* d, std::size_t n) {
      detail::copy_bytes(sts + prefix, d, n);
      prefix += n;
    });
    writer.scope_text = sts + 17 + 17;  // after "AWS4-HMAC-SHA256\n" and the time's line
    // The canonical request's sink and its hash, here (not where the canonical request is
    // written below) so that a key derived in get_started can hash the request alongside
    // (see canonical_rider): the sink's buffer then holds its bytes meanwhile.
    hash_target target(params, writer);
    detail::sink s(&hash_target::write, &target);
    canonical_rider ride(params, s);
    // The scope's characters and the time are checked here, not in prepare: only when the
    // cache has not seen this scope and second signed before (a full hit was checked then).
    // A key derived here, and a new first block, are stored once the signature is done (see
    // signing_key_cache::deferred).
    status early_status;  // check_scope's, or writing the canonical request's for the rider
    bool rejected = false;
    typename key_cache::deferred later;
    hmac_key<Crypto> key = cache_.get_started(
        p.access_key_id(), params.credentials.secret_access_key, p.date(), p.region(), p.service(), sts, prefix,
        nullptr, [&] { return (early_status = detail::check_scope(params)).ok(); }, &rejected, &later,
        [&](detail::sha256_rider*& rider) {
          if constexpr (detail::can_ride<Crypto>::value) {
            s.write = &canonical_rider::write;
            s.ctx = &ride;
            if (!(early_status = detail::emit_canonical_request(s, p)).ok()) return false;
            s.finish();
            rider = ride.lay_out();
          }
          return true;
        });
    if (SIGV4KIT_UNLIKELY(rejected)) {
      res.fail(early_status.err());
      return res;
    }
    char* canonical_hex = sts + prefix;  // the string to sign's last line
#else
    char canonical_hex[64];
#endif

    // Canonical request, streamed into SHA-256 (and into the debug sink when asked) a whole
    // block at a time, hashed in place from the sink's buffer.
#ifdef SIGV4KIT_OPTIMIZE_SIZE
    // One writer and one sink for both hashes: the canonical request's (debug part 0), then
    // the string to sign's (part 1, the key's inner context).
    hash_target target{params, nullptr, 0};
    detail::sink s(&hash_target::write, &target);
    {
      typename Crypto::sha256_context ctx;
      Crypto::init(ctx);
      unsigned char digest[32];
      if (req.payload_hash.empty()) {  // the body first: finish() leaves the context initialised
        Crypto::update(ctx, req.body.data(), req.body.size());
        Crypto::finish(ctx, digest);
        detail::to_hex(digest, 32, p.payload_hash_hex);
      }
      // The output up to the signature, in both modes, before the canonical request (its room
      // checked before anything is written): it holds the payload hash but nothing else
      // that depends on a hash. Query mode's canonical query reuses its encoded parameter
      // values; header-only builds copy its SignedHeaders list and credential scope (see
      // output_cursor).
      if (status st = detail::write_output_start(p, out, capacity, r, cursor); !st) {
        res.fail(st.err());
        return res;
      }
      target.ctx = &ctx;
#ifdef SIGV4KIT_DETAIL_OUTPUT_FIRST
      if (status st = detail::emit_canonical_request(s, p, cursor); !st) {
#else
      if (status st = detail::emit_canonical_request(s, p); !st) {
#endif
        res.fail(st.err());
        return res;
      }
      Crypto::finish(ctx, digest);
      detail::to_hex(digest, 32, canonical_hex);
    }
#else
    // A miss has written the canonical request already, before deriving the key, and the
    // derivation hashed most or all of it (see canonical_rider).
    if (detail::can_ride<Crypto>::value && ride.written) {
      ride.finish(canonical_hex);
    } else {
      if (status st = detail::emit_canonical_request(s, p); !st) {
        res.fail(st.err());
        return res;
      }
      s.finish();
      detail::to_hex(target.digest, 32, canonical_hex);
    }
#endif
#ifdef SIGV4KIT_OPTIMIZE_SIZE
    // The key only now, and the string to sign piece by piece: a small stack holds neither
    // a buffer for it nor the key while the canonical request is hashed. The pieces go to the
    // key's inner hash through the same writer (and to the debug sink as part 1).
    hmac_key<Crypto> key;
    cache_.get_laid_out(p.key_parts, key);  // (prepared_request keeps the parts in order)
    {
      target.ctx = &key.inner();
      target.part = 1;
#ifdef SIGV4KIT_DETAIL_OUTPUT_FIRST
      detail::put_string_to_sign(s, p, cursor, canonical_hex);
#else
      detail::put_string_to_sign_prefix(p, [&s](const char* d, std::size_t n) { s.put(d, n); });
      s.put(canonical_hex, 64);
#endif
    }
    unsigned char mac[32];
    key.finish_mac(mac);
#else
    if (SIGV4KIT_UNLIKELY(params.debug_sink != nullptr)) params.debug_sink(params.debug_user, 1, sts, prefix + 64);
    unsigned char mac[32];
    key.finish_mac(canonical_hex, 64, mac, writer);
    writer.finish();
#endif
    detail::write_output_finish(p, mac, cursor, r);
#ifndef SIGV4KIT_OPTIMIZE_SIZE
    cache_.store(later);
#endif
    return res;
  }

  template <std::size_t N>
  result<signed_request> sign(const request& req, const signing_params& params, char (&out)[N]) const noexcept {
    return sign(req, params, out, N);
  }

  /// The cache of derived keys (e.g. to clear() it when credentials are revoked).
  key_cache& cache() const noexcept { return cache_; }

 private:
#ifdef SIGV4KIT_OPTIMIZE_SIZE
  // Size builds: one writer for both hashes of a signature, the canonical request's (debug
  // part 0) and the string to sign's (the signing key's inner context, part 1). The caller
  // finishes the hash (the sink's finish() is not used).
  struct hash_target {
    const signing_params& params;
    typename Crypto::sha256_context* ctx;
    int part;
    static void write(void* self, const char* data, std::size_t n, bool) noexcept {
      hash_target& t = *static_cast<hash_target*>(self);
      if (t.params.debug_sink) t.params.debug_sink(t.params.debug_user, t.part, data, n);
      Crypto::update(*t.ctx, data, n);  // (after the debug copy: fewer registers saved)
    }
  };
#else
  struct hash_target {
    hash_target(const signing_params& p, detail::output_writer& w) noexcept : params(p), writer(w) { Crypto::init(ctx); }
    typename Crypto::sha256_context ctx;
    const signing_params& params;
    detail::output_writer& writer;  // its steps run between the last compressions
    unsigned char digest[32];
    SIGV4KIT_HOT static void write(void* self, const char* data, std::size_t n, bool last) noexcept {
      hash_target& t = *static_cast<hash_target*>(self);
      if (last) detail::sha256_update_finish<Crypto>(t.ctx, data, n, t.digest, t.writer);
      else Crypto::update(t.ctx, data, n);
      if (SIGV4KIT_UNLIKELY(t.params.debug_sink != nullptr) && n) t.params.debug_sink(t.params.debug_user, 0, data, n);
    }
  };

  // A key-cache miss writes the canonical request before the key is derived, and the
  // derivation compresses its blocks alongside its own one-block steps (detail::sha256_rider):
  // s3-get's 5 blocks then add ~30 ns to the derivation instead of ~150 after it (a test
  // program on a Zen 5). The sink's buffer keeps the bytes in place; only the padded tail is
  // laid out here. A canonical request the buffer cannot hold whole (its bytes are reused) is
  // hashed as it comes instead.
  struct canonical_rider {
    canonical_rider(const signing_params& p, const detail::sink& s) noexcept
        : params(p), buf_end(s.buf + sizeof s.buf) {}
    const signing_params& params;
    const char* const buf_end;
    const char* start = nullptr;  // the bytes, in the sink's buffer
    std::size_t n = 0;
    bool written = false;   // the canonical request came this way
    bool streamed = false;  // and was hashed as it came (into ctx, then digest)
    std::size_t whole = 0, blocks = 0;
    typename Crypto::sha256_context ctx;
    unsigned char digest[32];
    detail::sha256_rider rider;
    alignas(16) unsigned char tail[128];

    static void write(void* self, const char* data, std::size_t n, bool last) noexcept {
      canonical_rider& t = *static_cast<canonical_rider*>(self);
      t.written = true;
      if (SIGV4KIT_UNLIKELY(t.params.debug_sink != nullptr) && n) t.params.debug_sink(t.params.debug_user, 0, data, n);
      if (!t.streamed) {
        if (!t.start) t.start = data;
        // Still in place: the next bytes of the buffer, and not the buffer's end unless this
        // is the last write (a full buffer is reused after this call).
        if (data == t.start + t.n && (last || data + n < t.buf_end)) {
          t.n += n;
          return;
        }
        t.streamed = true;
        Crypto::init(t.ctx);
        Crypto::update(t.ctx, t.start, t.n);
      }
      if (last) detail::sha256_update_finish<Crypto>(t.ctx, data, n, t.digest);
      else Crypto::update(t.ctx, data, n);
    }
    const unsigned char* block(std::size_t i) const noexcept {
      return i < whole ? reinterpret_cast<const unsigned char*>(start) + 64 * i : tail + 64 * (i - whole);
    }
    /// The blocks, padded (FIPS 180-4 section 5.1.1), for the derivation; null when hashed.
    detail::sha256_rider* lay_out() noexcept {
      if (streamed) return nullptr;
      whole = n / 64;
      const std::size_t rest = n % 64, ntail = rest + 9 > 64 ? 2 : 1;
      detail::zero_128(tail);
      detail::copy_bytes(reinterpret_cast<char*>(tail), start + 64 * whole, rest);
      tail[rest] = 0x80;
      detail::store_be32(tail + 64 * ntail - 8, static_cast<std::uint32_t>(std::uint64_t(n) * 8 >> 32));
      detail::store_be32(tail + 64 * ntail - 4, static_cast<std::uint32_t>(n * 8));
      blocks = whole + ntail;
      detail::sha256_init_h(rider.h);
      rider.count = static_cast<int>(blocks < detail::sha256_rider::capacity ? blocks : detail::sha256_rider::capacity);
      for (int i = 0; i < rider.count; ++i) rider.block[i] = block(static_cast<std::size_t>(i));
      return &rider;
    }
    /// The blocks the derivation did not compress, and the digest as hex into hex[0..64).
    void finish(char* hex) noexcept {
      if (!streamed) {
        if constexpr (detail::has_compress<Crypto>::value)
          for (std::size_t i = static_cast<std::size_t>(rider.done); i < blocks; ++i) Crypto::compress(rider.h, block(i), 1);
        detail::store_be32x8(digest, rider.h);
      }
      detail::to_hex(digest, 32, hex);
    }
  };
#endif

  mutable key_cache cache_;
};

/// The signer with the default (built-in) crypto backend.
using signer = basic_signer<>;

/// Formats seconds since the Unix epoch as the SigV4 timestamp "YYYYMMDDTHHMMSSZ" into
/// out[0..16) and returns a view of it (no NUL is written).
inline std::string_view format_amz_date(std::int64_t unix_seconds, char (&out)[16]) noexcept {
  detail::format_amz_date(unix_seconds, out);
  return std::string_view(out, 16);
}

SIGV4KIT_END_NAMESPACE

#endif  // SIGV4KIT_SIGV4_SIGNER_HPP
