// sigv4kit/crypto/sha256_portable.hpp - portable SHA-256 (FIPS 180-4) and the crypto backend concept.
//
// A crypto backend is a type with static members:
//
//   struct Backend {
//     struct sha256_context;                  // trivially copyable, no pointers inside
//     static void init(sha256_context&) noexcept;
//     static void update(sha256_context&, const void* data, std::size_t n) noexcept;
//     static void finish(sha256_context&, unsigned char out[32]) noexcept;  // then re-init
//   };                                        // (finish need not wipe: callers wipe secrets)
//
// HMAC, the signing-key cache and the signer are written once over that concept, so an
// MCU's hash engine plugs in by writing those four members (see README "Plug in a backend").
#ifndef SIGV4KIT_CRYPTO_SHA256_PORTABLE_HPP
#define SIGV4KIT_CRYPTO_SHA256_PORTABLE_HPP

#include <sigv4kit/config.hpp>
#include <sigv4kit/crypto/wipe.hpp>
#include <sigv4kit/detail/text.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>
#if defined(__SSE2__) && !defined(SIGV4KIT_NO_SIMD)
#include <emmintrin.h>
#endif

SIGV4KIT_BEGIN_NAMESPACE
namespace detail {

inline std::uint32_t rotr32(std::uint32_t x, unsigned n) noexcept { return (x >> n) | (x << (32 - n)); }

inline std::uint32_t load_be32(const unsigned char* p) noexcept {
  return (std::uint32_t(p[0]) << 24) | (std::uint32_t(p[1]) << 16) | (std::uint32_t(p[2]) << 8) |
         std::uint32_t(p[3]);
}
inline void store_be32(unsigned char* p, std::uint32_t v) noexcept {
#if (defined(__GNUC__) || defined(__clang__)) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  // One byte swap and one store (GCC does not merge the four byte stores below on Arm).
  v = __builtin_bswap32(v);
  std::memcpy(p, &v, 4);
#else
  p[0] = static_cast<unsigned char>(v >> 24);
  p[1] = static_cast<unsigned char>(v >> 16);
  p[2] = static_cast<unsigned char>(v >> 8);
  p[3] = static_cast<unsigned char>(v);
#endif
}

/// h[0..8) as 32 big-endian bytes; with SSE2 in two 16-byte stores, so that a compression's
/// 16-byte loads of them are forwarded from the stores (see sha256_layout_final).
inline void store_be32x8(unsigned char* p, const std::uint32_t h[8]) noexcept {
#if defined(__SSE2__) && !defined(SIGV4KIT_NO_SIMD)
  for (int i = 0; i < 2; ++i) {
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(h + 4 * i));
    v = _mm_shufflehi_epi16(_mm_shufflelo_epi16(v, 0xB1), 0xB1);   // the 16-bit halves swapped
    v = _mm_or_si128(_mm_slli_epi16(v, 8), _mm_srli_epi16(v, 8));  // then the bytes in each
    _mm_storeu_si128(reinterpret_cast<__m128i*>(p + 16 * i), v);
  }
#else
  for (int i = 0; i < 8; ++i) store_be32(p + 4 * i, h[i]);
#endif
}

// FIPS 180-4 section 4.2.2. On a cache line for the SIMD rounds (SHA-NI loads it 16 bytes at
// a time, aligned); built for size where there are no x86 SIMD rounds (microcontrollers),
// word-aligned only, which saves the padding before it in flash (up to 60 bytes).
#if defined(SIGV4KIT_SMALL_SHA256) && !(defined(__x86_64__) || defined(__i386__) || defined(_M_X64) || defined(_M_IX86))
inline constexpr std::size_t sha256_k_align = 4;
#else
inline constexpr std::size_t sha256_k_align = 64;
#endif
alignas(sha256_k_align) inline constexpr std::uint32_t sha256_k[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

#if defined(SIGV4KIT_SMALL_SHA256)
/// memcpy(dst, src, n) as a call to the C library's memcpy, which every program links
/// anyway: with `n` known, the compiler would expand the copy inline (a loop, on Cortex-M).
inline void copy_by_call(void* dst, const void* src, std::size_t n) noexcept {
#if defined(__GNUC__) || defined(__clang__)
  __asm__("" : "+r"(n));
#endif
  std::memcpy(dst, src, n);
}

#endif

/// Processes `blocks` 64-byte blocks into `h` (FIPS 180-4 section 6.2.2). The 64 rounds are
/// written out eight at a time with the working variables renamed instead of shifted, and
/// the message schedule is kept in a 16-word ring, the usual shape of a fast portable SHA-256.
/// Not inlined: one copy serves every caller, which keeps embedded code small.
/// Built for size (SIGV4KIT_SMALL_SHA256, on at -Os), one round in a loop instead: about a tenth of the code, for microcontrollers where flash is scarce.
SIGV4KIT_NOINLINE inline void sha256_compress_portable(std::uint32_t h[8], const unsigned char* p,
                                                       std::size_t blocks) noexcept {
#if defined(SIGV4KIT_SMALL_SHA256)
  // The schedule ring is written twice (w[j] and w[j + 16]), so the words a round reads are at
  // fixed offsets from one pointer: no index arithmetic for each of them. The first 16 words
  // are loaded by the rounds that use them (no loop of their own).
  std::uint32_t w[32];
  for (; blocks; --blocks, p += 64) {
    std::uint32_t v[8];
    copy_by_call(v, h, sizeof v);
    for (unsigned i = 0; i < 64; ++i) {
      std::uint32_t* q = w + (i & 15);  // q[0..16) = W[i-16..i)
      std::uint32_t wi;
      if (i < 16) {
        wi = load_be32(p + 4 * i);
      } else {
        std::uint32_t w15 = q[1], w2 = q[14];
        wi = (rotr32(w15, 7) ^ rotr32(w15, 18) ^ (w15 >> 3)) + q[9] + (rotr32(w2, 17) ^ rotr32(w2, 19) ^ (w2 >> 10)) +
             q[0];
      }
      q[0] = q[16] = wi;
#if defined(__GNUC__) || defined(__clang__)
      // The working variables stay in memory, read and written at fixed offsets each round:
      // held in registers across the loop (as GCC would), they cost spills and more code.
      __asm__("" : "+m"(v));
#endif
      // t1 first, and the e half of the state moved down, then t2 and the a half: fewer values
      // live at once than with all eight read first (GCC then spilled some).
      const std::uint32_t e = v[4], f = v[5], g = v[6];
      const std::uint32_t t1 =
          sha256_k[i] + wi + v[7] + (rotr32(e, 6) ^ rotr32(e, 11) ^ rotr32(e, 25)) + (g ^ (e & (f ^ g)));
      // The working variables move down one place: stores of the values just read (a loop
      // that shifts them costs as much code and 28 more instructions a round).
      v[7] = g;
      v[6] = f;
      v[5] = e;
      v[4] = v[3] + t1;
      const std::uint32_t a = v[0], b = v[1], c = v[2];
      const std::uint32_t t2 = (rotr32(a, 2) ^ rotr32(a, 13) ^ rotr32(a, 22)) + ((a & b) | (c & (a | b)));
      v[3] = c;
      v[2] = b;
      v[1] = a;
      v[0] = t1 + t2;
    }
    for (int i = 0; i < 8; ++i) h[i] += v[i];
  }
#else
  std::uint32_t w[16];
  while (blocks--) {
    std::uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], k = h[7];
    for (int i = 0; i < 16; ++i) w[i] = load_be32(p + 4 * i);
// One round: t1 uses the e-chain, t2 the a-chain; then d += t1 and h = t1 + t2 (renamed).
#define SIGV4KIT_SHA256_ROUND(a, b, c, d, e, f, g, h, i, wi)                                        \
  do {                                                                                             \
    std::uint32_t t1 = h + (rotr32(e, 6) ^ rotr32(e, 11) ^ rotr32(e, 25)) + (g ^ (e & (f ^ g))) +  \
                       sha256_k[i] + (wi);                                                         \
    std::uint32_t t2 = (rotr32(a, 2) ^ rotr32(a, 13) ^ rotr32(a, 22)) + ((a & b) | (c & (a | b)));  \
    d += t1;                                                                                       \
    h = t1 + t2;                                                                                   \
  } while (0)
// W[t] = s1(W[t-2]) + W[t-7] + s0(W[t-15]) + W[t-16], in the ring.
#define SIGV4KIT_SHA256_W(t)                                                                                \
  (w[(t)&15] += (rotr32(w[((t)-2) & 15], 17) ^ rotr32(w[((t)-2) & 15], 19) ^ (w[((t)-2) & 15] >> 10)) +     \
                w[((t)-7) & 15] + (rotr32(w[((t)-15) & 15], 7) ^ rotr32(w[((t)-15) & 15], 18) ^ (w[((t)-15) & 15] >> 3)))
#define SIGV4KIT_SHA256_8ROUNDS(i, W)              \
  SIGV4KIT_SHA256_ROUND(a, b, c, d, e, f, g, k, i + 0, W(i + 0)); \
  SIGV4KIT_SHA256_ROUND(k, a, b, c, d, e, f, g, i + 1, W(i + 1)); \
  SIGV4KIT_SHA256_ROUND(g, k, a, b, c, d, e, f, i + 2, W(i + 2)); \
  SIGV4KIT_SHA256_ROUND(f, g, k, a, b, c, d, e, i + 3, W(i + 3)); \
  SIGV4KIT_SHA256_ROUND(e, f, g, k, a, b, c, d, i + 4, W(i + 4)); \
  SIGV4KIT_SHA256_ROUND(d, e, f, g, k, a, b, c, i + 5, W(i + 5)); \
  SIGV4KIT_SHA256_ROUND(c, d, e, f, g, k, a, b, i + 6, W(i + 6)); \
  SIGV4KIT_SHA256_ROUND(b, c, d, e, f, g, k, a, i + 7, W(i + 7))
#define SIGV4KIT_SHA256_W_PLAIN(t) w[t]
    SIGV4KIT_SHA256_8ROUNDS(0, SIGV4KIT_SHA256_W_PLAIN);
    SIGV4KIT_SHA256_8ROUNDS(8, SIGV4KIT_SHA256_W_PLAIN);
    SIGV4KIT_SHA256_8ROUNDS(16, SIGV4KIT_SHA256_W);
    SIGV4KIT_SHA256_8ROUNDS(24, SIGV4KIT_SHA256_W);
    SIGV4KIT_SHA256_8ROUNDS(32, SIGV4KIT_SHA256_W);
    SIGV4KIT_SHA256_8ROUNDS(40, SIGV4KIT_SHA256_W);
    SIGV4KIT_SHA256_8ROUNDS(48, SIGV4KIT_SHA256_W);
    SIGV4KIT_SHA256_8ROUNDS(56, SIGV4KIT_SHA256_W);
#undef SIGV4KIT_SHA256_W_PLAIN
#undef SIGV4KIT_SHA256_8ROUNDS
#undef SIGV4KIT_SHA256_W
#undef SIGV4KIT_SHA256_ROUND
    h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e; h[5] += f; h[6] += g; h[7] += k;
    p += 64;
  }
#endif
  secure_wipe(w, sizeof w);
}

/// Streaming SHA-256 over a block function. The context is plain data (copyable with
/// memcpy), so a running hash - an HMAC midstate - can be saved and resumed.
struct sha256_state {
  std::uint32_t h[8];
  std::uint64_t total;  // bytes absorbed
  unsigned char buf[64];
  std::uint32_t used;  // bytes in buf
};

/// The initial hash value (FIPS 180-4 section 5.3.3).
inline void sha256_init_h(std::uint32_t h[8]) noexcept {
  static constexpr std::uint32_t iv[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                          0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
#if defined(SIGV4KIT_SMALL_SHA256)
  copy_by_call(h, iv, sizeof iv);
#else
  std::memcpy(h, iv, sizeof iv);
#endif
}

#if defined(SIGV4KIT_SMALL_SHA256) && (defined(__GNUC__) || defined(__clang__))
inline constexpr std::uint32_t sha256_iv[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                               0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
/// Built for size: the initial value copied by a call to memcpy into the state's first bytes
/// (h), whose result the stores then use (no register saved across the call), and one zero
/// register for the three of them.
inline void sha256_state_init(sha256_state& s) noexcept {
  static_assert(offsetof(sha256_state, h) == 0, "h comes first");
  std::size_t n = sizeof sha256_iv;
  __asm__("" : "+r"(n));  // a call, not the copy expanded inline
  sha256_state& t = *static_cast<sha256_state*>(std::memcpy(&s, sha256_iv, n));
  std::uint32_t zero = 0;
  __asm__("" : "+r"(zero));
  t.total = std::uint64_t(zero) << 32 | zero;
  t.used = zero;
}
#else
inline void sha256_state_init(sha256_state& s) noexcept {
  sha256_init_h(s.h);
  s.total = 0;
  s.used = 0;
}
#endif

#if defined(SIGV4KIT_SMALL_SHA256)
/// Built for size: every byte through the block buffer, one at a time (one short loop;
/// copying costs little next to compressing). `data` may be the buffer itself while it is
/// empty: each byte is then copied onto itself (hmac_key::set absorbs a key block that way).
/// Each byte is absorbed xor `mask`: hmac_key::set absorbs the key block xor ipad and xor opad
/// so, without a loop of its own that xors it.
template <void (*Compress)(std::uint32_t*, const unsigned char*, std::size_t)>
inline void sha256_state_update(sha256_state& s, const void* data, std::size_t n, unsigned mask = 0) noexcept {
  const unsigned char* p = static_cast<const unsigned char*>(data);
  s.total += n;
  std::uint32_t used = s.used;
  for (const unsigned char* end = p + n; p != end;) {
    s.buf[used] = static_cast<unsigned char>(*p++ ^ mask);
    if (++used == 64) {
      Compress(s.h, s.buf, 1);
      used = 0;
    }
  }
  s.used = used;
}

/// Built for size: the padding (FIPS 180-4 section 5.1.1) goes through update too - 0x80,
/// then zeros until 56 bytes of a block are filled (in a second block when the first has no
/// room) - so there is no second code path that writes and compresses blocks; the bit length
/// fills the last 8 bytes.
template <void (*Compress)(std::uint32_t*, const unsigned char*, std::size_t)>
inline void sha256_state_finish(sha256_state& s, unsigned char out[32]) noexcept {
  static constexpr unsigned char pad[2] = {0x80, 0};  // (not a byte on the stack: no frame)
  const std::uint64_t bits = s.total * 8;
  const unsigned char* b = pad;
  do {
    sha256_state_update<Compress>(s, b, 1);
    b = pad + 1;
  } while (s.used != 56);
  store_be32(s.buf + 56, static_cast<std::uint32_t>(bits >> 32));
  store_be32(s.buf + 60, static_cast<std::uint32_t>(bits));
  Compress(s.h, s.buf, 1);
  store_be32x8(out, s.h);
  // Not wiped here, as in the other finish below (the owners of secret states wipe them).
  sha256_state_init(s);
}
#else
template <void (*Compress)(std::uint32_t*, const unsigned char*, std::size_t)>
inline void sha256_state_update(sha256_state& s, const void* data, std::size_t n) noexcept {
  const unsigned char* p = static_cast<const unsigned char*>(data);
  s.total += n;
  if (s.used) {
    std::size_t take = 64 - s.used < n ? 64 - s.used : n;
    std::memcpy(s.buf + s.used, p, take);
    s.used += static_cast<std::uint32_t>(take);
    p += take;
    n -= take;
    if (s.used < 64) return;
    Compress(s.h, s.buf, 1);
    s.used = 0;
  }
  if (n >= 64) {
    Compress(s.h, p, n / 64);
    p += n & ~std::size_t(63);
    n &= 63;
  }
  if (n) {
    std::memcpy(s.buf, p, n);
    s.used = static_cast<std::uint32_t>(n);
  }
}

template <void (*Compress)(std::uint32_t*, const unsigned char*, std::size_t)>
inline void sha256_state_finish(sha256_state& s, unsigned char out[32]) noexcept {
  std::uint64_t bits = s.total * 8;
  s.buf[s.used++] = 0x80;
  if (s.used > 56) {
    std::memset(s.buf + s.used, 0, 64 - s.used);
    Compress(s.h, s.buf, 1);
    s.used = 0;
  }
  std::memset(s.buf + s.used, 0, 56 - s.used);
  store_be32(s.buf + 56, static_cast<std::uint32_t>(bits >> 32));
  store_be32(s.buf + 60, static_cast<std::uint32_t>(bits));
  Compress(s.h, s.buf, 1);
  store_be32x8(out, s.h);
  // Not wiped here: most hashes (canonical requests, bodies) are of public data, and the
  // secret-derived states (HMAC keys) are wiped by their owners (hmac_key's destructor).
  sha256_state_init(s);
}
#endif  // SIGV4KIT_SMALL_SHA256

/// Zeros p[0..128): two blocks' room for a message's padded tail. (In every build: the
/// signer's key-cache miss uses it with SIGV4KIT_SMALL_SHA256 alone too.)
SIGV4KIT_ALWAYS_INLINE void zero_128(unsigned char* p) noexcept {
#if defined(__SSE2__) && !defined(SIGV4KIT_NO_SIMD)
  // 16-byte stores. GCC makes a memset of this size, or a loop it recognises as one, a
  // `rep stos`, whose start-up is slow (and this runs twice on a signature's last hashes):
  // the empty asm hides the pointer from that recognition (as in secure_wipe).
  for (int i = 0; i < 8; ++i, p += 16) {
    _mm_storeu_si128(reinterpret_cast<__m128i*>(p), _mm_setzero_si128());
#if defined(__GNUC__) || defined(__clang__)
    __asm__("" : "+r"(p));
#endif
  }
#else
  std::memset(p, 0, 128);
#endif
}

#if !defined(SIGV4KIT_SMALL_SHA256)
/// The blocks of a finished message that are not whole blocks of the caller's data - the
/// pending bytes joined with the data's head, and the padded tail - laid out in one place.
struct sha256_final_blocks {
  unsigned char head[64];
  unsigned char tail[128];
  const unsigned char* whole;  // whole blocks of the caller's data, compressed in place
  std::size_t nhead, nwhole, ntail;
};

/// Lays out update(data, n) followed by finish: every byte store happens here, before any
/// block of it is compressed. A compression reads its block 16 bytes at a time; bytes stored
/// just before, piece by piece, cannot be forwarded to those loads, which then wait until the
/// stores reach the cache - and stores younger than a compression still in flight wait for
/// it. That wait cost ~20 ns per block on a Zen 5 with SHA-NI (padding written after the last
/// data block was compressed, each sink block written while the previous one compressed).
SIGV4KIT_HOT inline void sha256_layout_final(const sha256_state& s, const unsigned char* p, std::size_t n,
                                sha256_final_blocks& f) noexcept {
  const std::uint64_t bits = (s.total + n) * 8;
  std::size_t used = s.used & 63;  // (always below 64; the mask tells the compiler so)
  f.nhead = 0;
  if (used && n && used + n >= 64) {  // the pending bytes and the data's head make a block
    std::size_t take = 64 - used;
    copy_bytes(reinterpret_cast<char*>(f.head), reinterpret_cast<const char*>(s.buf), used);
    copy_bytes(reinterpret_cast<char*>(f.head + used), reinterpret_cast<const char*>(p), take & 63);  // (1..63)
    f.nhead = 1;
    p += take;
    n -= take;
    used = 0;
  }
  f.whole = p;
  f.nwhole = n / 64;
  p += n & ~std::size_t(63);
  n &= 63;
  // The tail: pending bytes (when no head block took them), the data's last bytes, 0x80,
  // zeros and the length (FIPS 180-4 section 5.1.1), in one block or two.
  // (Zeros first, all 128 bytes: a fixed size, stored inline; the variable-length copies are
  // copy_bytes', inline too. Library memcpy and memset calls cost more than they copy here.)
  zero_128(f.tail);
  copy_bytes(reinterpret_cast<char*>(f.tail), reinterpret_cast<const char*>(s.buf), used);
  copy_bytes(reinterpret_cast<char*>(f.tail + used), reinterpret_cast<const char*>(p), n);
  used += n;
  f.ntail = used + 9 > 64 ? 2 : 1;
  f.tail[used] = 0x80;
  store_be32(f.tail + 64 * f.ntail - 8, static_cast<std::uint32_t>(bits >> 32));
  store_be32(f.tail + 64 * f.ntail - 4, static_cast<std::uint32_t>(bits));
}

template <void (*Compress)(std::uint32_t*, const unsigned char*, std::size_t)>
inline void sha256_compress_final(std::uint32_t h[8], const sha256_final_blocks& f) noexcept {
  if (f.nhead) Compress(h, f.head, 1);
  if (f.nwhole) Compress(h, f.whole, f.nwhole);
  Compress(h, f.tail, f.ntail);
}

/// The same a block at a time, with `between()` after each compression is issued: work that
/// does not depend on the hash runs while the compression's long dependency chain does.
template <void (*Compress)(std::uint32_t*, const unsigned char*, std::size_t), class Between>
SIGV4KIT_ALWAYS_INLINE void sha256_compress_final(std::uint32_t h[8], const sha256_final_blocks& f, Between& between) noexcept {
  if (f.nhead) {
    Compress(h, f.head, 1);
    between();
  }
  for (std::size_t i = 0; i < f.nwhole; ++i) {
    Compress(h, f.whole + 64 * i, 1);
    between();
  }
  for (std::size_t i = 0; i < f.ntail; ++i) {
    Compress(h, f.tail + 64 * i, 1);
    between();
  }
}

/// update(data, n) then finish(out), with the stores all before the compressions (see
/// sha256_layout_final).
template <void (*Compress)(std::uint32_t*, const unsigned char*, std::size_t), class... Between>
inline void sha256_state_update_finish(sha256_state& s, const void* data, std::size_t n, unsigned char out[32],
                                       Between&... between) noexcept {
  sha256_final_blocks f;
  sha256_layout_final(s, static_cast<const unsigned char*>(data), n, f);
  sha256_compress_final<Compress>(s.h, f, between...);
  store_be32x8(out, s.h);
  sha256_state_init(s);
}

/// HMAC's last steps (RFC 2104): absorbs data[0..n) into `inner` and finishes it, then hashes
/// its 32-byte digest under `outer`, which must be the state just past the opad block
/// (nothing else absorbed), into `out`. The outer hash's only block - digest, 0x80, zeros,
/// bit length (64 + 32) * 8 - is laid out directly, its padding before the inner blocks are
/// compressed and the digest in two 16-byte stores where SSE2 has them (see
/// sha256_layout_final). Both states are spent (their owner wipes them).
template <void (*Compress)(std::uint32_t*, const unsigned char*, std::size_t), class... Between>
inline void sha256_state_finish_hmac(sha256_state& inner, sha256_state& outer, const void* data, std::size_t n,
                                     unsigned char out[32], Between&... between) noexcept {
  sha256_final_blocks f;
  sha256_layout_final(inner, static_cast<const unsigned char*>(data), n, f);
  unsigned char block[64];
  block[32] = 0x80;
  std::memset(block + 33, 0, 29);
  block[62] = 0x03;  // 768 bits, big-endian
  block[63] = 0x00;
  sha256_compress_final<Compress>(inner.h, f, between...);
  store_be32x8(block, inner.h);
  Compress(outer.h, block, 1);
  (between(), ...);
  store_be32x8(out, outer.h);
  secure_wipe(block, 32);  // the inner digest (f holds only message bytes)
}
#endif  // !SIGV4KIT_SMALL_SHA256

/// Blocks of another, independent hash that an HMAC chain compresses alongside its own
/// (see sha256_hmac_chain_shani): each step of a chain has two compressions that depend on
/// the one before them (the message block, then the outer block), and with two states in
/// step the second costs little more than the first (a test program on a Zen 5: the chain
/// 485 ns alone, 516 ns with 5 blocks alongside, against 642 ns for the chain and then the 5
/// blocks). `h` is that hash's chaining value; block[0..count) its next blocks, in order;
/// `done` says how many the chain compressed (into `h`): the caller compresses the rest.
struct sha256_rider {
  static constexpr int capacity = 8;  // two per step of SigV4's four-step chain
  std::uint32_t h[8];
  const unsigned char* block[capacity];
  int count = 0;
  int done = 0;
};
}  // namespace detail

#if !defined(SIGV4KIT_SMALL_SHA256)
namespace detail {
/// One block into each of two independent chaining values. By default one after the other;
/// the hardware block functions specialise it to run both in step (see sha256_shani_lanes).
/// HMAC chained `steps` times in registers, where a block function has it (see
/// sha256_hmac_chain_shani); run() returns false where it has not (the caller then does the
/// same with compress()).
template <void (*Compress)(std::uint32_t*, const unsigned char*, std::size_t)>
struct hmac_chain_impl {
  static bool run(const unsigned char*, const unsigned char (*)[64], int, std::uint32_t*, std::uint32_t*,
                  sha256_rider*) noexcept {
    return false;
  }
};
template <void (*Compress)(std::uint32_t*, const unsigned char*, std::size_t)>
struct compress_pair {
  static constexpr bool in_step = false;
  static void run(std::uint32_t* h1, const unsigned char* p1, std::uint32_t* h2, const unsigned char* p2) noexcept {
    Compress(h1, p1, 1);
    Compress(h2, p2, 1);
  }
};
}  // namespace detail
#endif

/// A backend made of a block function: the streaming, padding and context are shared, only
/// the compression differs (portable C++, SHA-NI, ...).
template <void (*Compress)(std::uint32_t*, const unsigned char*, std::size_t)>
struct block_crypto {
  using sha256_context = detail::sha256_state;
  static void init(sha256_context& c) noexcept { detail::sha256_state_init(c); }
  static void update(sha256_context& c, const void* data, std::size_t n) noexcept {
    detail::sha256_state_update<Compress>(c, data, n);
  }
  static void finish(sha256_context& c, unsigned char out[32]) noexcept {
    detail::sha256_state_finish<Compress>(c, out);
  }
#if defined(SIGV4KIT_SMALL_SHA256)
  /// Small builds only: update with each byte xor `mask` (see detail::sha256_state_update).
  static void update_xor(sha256_context& c, const void* data, std::size_t n, unsigned mask) noexcept {
    detail::sha256_state_update<Compress>(c, data, n, mask);
  }
#else  // (small builds: the general way, no second copy of it)
  /// Optional for a backend (the signing-key derivation uses it when present): the block
  /// function itself, on a bare chaining value.
  static void compress(std::uint32_t h[8], const unsigned char* p, std::size_t blocks) noexcept {
    Compress(h, p, blocks);
  }
  /// Optional for a backend (the signing-key derivation uses it when present): one block
  /// into each of two independent chaining values, which hardware paths compress in step.
  static void compress2(std::uint32_t h1[8], const unsigned char* p1, std::uint32_t h2[8],
                        const unsigned char* p2) noexcept {
    detail::compress_pair<Compress>::run(h1, p1, h2, p2);
  }
  /// Optional for a backend: whether compress2 runs its two blocks in step (hardware paths),
  /// so that a second block costs little beside the first (see detail::sha256_rider).
  static constexpr bool compress2_in_step = detail::compress_pair<Compress>::in_step;
  /// Optional for a backend (the signing-key derivation uses it when present): HMAC chained
  /// `steps` times with the states in registers (see detail::sha256_hmac_chain_shani), and
  /// `rider`'s blocks (when given) alongside; false when this block function has no such
  /// path (nothing was done).
  static bool hmac_chain(const unsigned char k[64], const unsigned char (*blocks)[64], int steps,
                         std::uint32_t inner[8], std::uint32_t outer[8],
                         detail::sha256_rider* rider = nullptr) noexcept {
    return detail::hmac_chain_impl<Compress>::run(k, blocks, steps, inner, outer, rider);
  }
  /// Optional for a backend (hmac_key uses it when present): the end of an HMAC, see
  /// detail::sha256_state_finish_hmac.
  static void finish_hmac(sha256_context& inner, sha256_context& outer, const void* data, std::size_t n,
                          unsigned char out[32]) noexcept {
    detail::sha256_state_finish_hmac<Compress>(inner, outer, data, n, out);
  }
  /// Optional for a backend (the signer uses it when present): update(data, n) then finish.
  static void update_finish(sha256_context& c, const void* data, std::size_t n, unsigned char out[32]) noexcept {
    detail::sha256_state_update_finish<Compress>(c, data, n, out);
  }
  /// Optional for a backend (the signer uses them when present): finish_hmac and update_finish
  /// that call `between()` after each compression (see detail::sha256_compress_final).
  template <class Between>
  static void finish_hmac(sha256_context& inner, sha256_context& outer, const void* data, std::size_t n,
                          unsigned char out[32], Between& between) noexcept {
    detail::sha256_state_finish_hmac<Compress>(inner, outer, data, n, out, between);
  }
  template <class Between>
  static void update_finish(sha256_context& c, const void* data, std::size_t n, unsigned char out[32],
                            Between& between) noexcept {
    detail::sha256_state_update_finish<Compress>(c, data, n, out, between);
  }
#endif
};

#if defined(SIGV4KIT_SMALL_SHA256)
namespace detail {
/// Whether a backend is a block_crypto (whose context and streaming are the ones above).
template <class Crypto>
struct is_block_crypto {
  static constexpr bool value = false;
};
template <void (*Compress)(std::uint32_t*, const unsigned char*, std::size_t)>
struct is_block_crypto<block_crypto<Compress>> {
  static constexpr bool value = true;
};
}  // namespace detail
#endif

/// The built-in portable backend: plain C++17, no intrinsics, no tables beyond the 64 round
/// constants. Correct everywhere; hardware paths are separate backends.
using portable_crypto = block_crypto<detail::sha256_compress_portable>;

SIGV4KIT_END_NAMESPACE

#endif  // SIGV4KIT_CRYPTO_SHA256_PORTABLE_HPP
