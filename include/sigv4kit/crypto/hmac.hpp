// sigv4kit/crypto/hmac.hpp - HMAC-SHA256 (RFC 2104) as a reusable key context.
//
// Following BearSSL's hmac_key_context: the key is processed once into the two hash states
// that follow the ipad and opad blocks. A message then costs only its own blocks plus one
// outer block, which is what lets the signing-key cache skip both pad blocks.
#ifndef SIGV4KIT_CRYPTO_HMAC_HPP
#define SIGV4KIT_CRYPTO_HMAC_HPP

#include <sigv4kit/config.hpp>
#include <sigv4kit/crypto/sha256.hpp>
#include <sigv4kit/crypto/wipe.hpp>

#include <atomic>
#include <cstddef>
#include <cstring>
#include <type_traits>
#include <utility>

SIGV4KIT_BEGIN_NAMESPACE

namespace detail {
/// Whether a backend offers finish_hmac(inner, outer, data, n, out) (block_crypto does).
template <class Crypto, class = void>
struct has_finish_hmac_impl : std::false_type {};
template <class Crypto>
struct has_finish_hmac_impl<Crypto, std::void_t<decltype(Crypto::finish_hmac(
                                        std::declval<typename Crypto::sha256_context&>(),
                                        std::declval<typename Crypto::sha256_context&>(),
                                        static_cast<const void*>(nullptr), std::size_t(0),
                                        static_cast<unsigned char*>(nullptr)))>> : std::true_type {};
/// Whether a backend offers update_finish(ctx, data, n, out) (block_crypto does).
template <class Crypto, class = void>
struct has_update_finish_impl : std::false_type {};
template <class Crypto>
struct has_update_finish_impl<Crypto, std::void_t<decltype(Crypto::update_finish(
                                          std::declval<typename Crypto::sha256_context&>(),
                                          static_cast<const void*>(nullptr), std::size_t(0),
                                          static_cast<unsigned char*>(nullptr)))>> : std::true_type {};
/// A `between` step that does nothing (for has_between_steps).
struct no_between {
  void operator()() noexcept {}
};
/// Whether a backend offers update_finish and finish_hmac with a last `between` argument,
/// called after each compression (block_crypto does: see detail::sha256_compress_final).
template <class Crypto, class = void>
struct has_between_steps_impl : std::false_type {};
template <class Crypto>
struct has_between_steps_impl<
    Crypto, std::void_t<decltype(Crypto::update_finish(std::declval<typename Crypto::sha256_context&>(),
                                                       static_cast<const void*>(nullptr), std::size_t(0),
                                                       static_cast<unsigned char*>(nullptr), std::declval<no_between&>())),
                        decltype(Crypto::finish_hmac(std::declval<typename Crypto::sha256_context&>(),
                                                     std::declval<typename Crypto::sha256_context&>(),
                                                     static_cast<const void*>(nullptr), std::size_t(0),
                                                     static_cast<unsigned char*>(nullptr), std::declval<no_between&>()))>>
    : std::true_type {};
}  // namespace detail
template <class Crypto>
using has_finish_hmac = detail::has_finish_hmac_impl<Crypto>;
template <class Crypto>
using has_update_finish = detail::has_update_finish_impl<Crypto>;
template <class Crypto>
using has_between_steps = detail::has_between_steps_impl<Crypto>;

namespace detail {
/// update(c, data, n) then finish(c, out), through the backend's own shortcut when it has one.
template <class Crypto>
inline void sha256_update_finish(typename Crypto::sha256_context& c, const void* data, std::size_t n,
                                 unsigned char out[32]) noexcept {
  if constexpr (has_update_finish<Crypto>::value) {
    Crypto::update_finish(c, data, n, out);
  } else {
    if (n) Crypto::update(c, data, n);
    Crypto::finish(c, out);
  }
}
/// The same, calling between() after each compression when the backend can (see
/// has_between_steps); otherwise never (the caller then runs its steps afterwards).
template <class Crypto, class Between>
inline void sha256_update_finish(typename Crypto::sha256_context& c, const void* data, std::size_t n,
                                 unsigned char out[32], Between& between) noexcept {
  if constexpr (has_between_steps<Crypto>::value) Crypto::update_finish(c, data, n, out, between);
  else sha256_update_finish<Crypto>(c, data, n, out);
}
}  // namespace detail

/// A processed HMAC-SHA256 key: the midstates after the ipad and opad blocks. Plain data,
/// copyable; wiped on destruction. Holds secret-derived state: never log it.
template <class Crypto = default_crypto>
class hmac_key {
 public:
  using context = typename Crypto::sha256_context;
  static_assert(std::is_trivially_copyable<context>::value,
                "a backend's sha256_context must be plain data (it is saved and copied as a midstate)");

  hmac_key() noexcept = default;
  /// Processes `key` (any length; keys over 64 bytes are hashed first, RFC 2104 section 2).
  hmac_key(const void* key, std::size_t n) noexcept { set(key, n); }
  hmac_key(const hmac_key&) noexcept = default;
  hmac_key& operator=(const hmac_key&) noexcept = default;
  ~hmac_key() { secure_wipe(this, sizeof *this); }

  void set(const void* key, std::size_t n) noexcept { set(nullptr, 0, key, n); }
  /// Processes the concatenation prefix + key as the key without assembling it (SigV4's
  /// "AWS4" + secret): the same as set() on the joined bytes.
  void set(const void* prefix, std::size_t np, const void* key, std::size_t n) noexcept {
#if defined(SIGV4KIT_SMALL_SHA256)
    if constexpr (detail::is_block_crypto<Crypto>::value) {
      // Built for size, with a block backend: the key block is made in ctx_[1]'s buffer,
      // without a buffer of its own (nor a wipe of it). The key goes through ctx_[1]: longer
      // than a block, it is hashed there and the digest written to the buffer; else its bytes
      // are all in the buffer (a block of exactly 64 was compressed, but stays there). Zeros
      // follow.
      context& c = ctx_[1];
      Crypto::init(c);
      Crypto::update(c, prefix, np);
      Crypto::update(c, key, n);
      std::size_t len = static_cast<std::size_t>(c.total);
      if (c.total > 64) {
        Crypto::finish(c, c.buf);
        len = 32;
      }
      std::memset(c.buf + len, 0, 64 - len);
      // ctx_[0] absorbs key ^ ipad, ctx_[1] key ^ opad from its own buffer: update (built
      // for size: a byte at a time, into the buffer from its start, each byte xor the mask)
      // copies it onto itself.
      unsigned pad = 0x36;
      for (context& x : ctx_) {
        Crypto::init(x);
        Crypto::update_xor(x, c.buf, 64, pad);
        pad = 0x5c;
      }
      return;
    }
#endif
    unsigned char block[64] = {};
    if (np + n > 64) {
      context c;
      Crypto::init(c);
      if (np) Crypto::update(c, prefix, np);
      Crypto::update(c, key, n);
      Crypto::finish(c, block);
      secure_wipe(&c, sizeof c);
    } else {
      if (np) std::memcpy(block, prefix, np);  // a null pointer with length 0 is not for memcpy
      if (n) std::memcpy(block + np, key, n);
    }
    // ctx_[0] absorbs key ^ ipad, ctx_[1] key ^ opad: one loop for both, for code size.
    unsigned char pad = 0x36;
    for (context& c : ctx_) {
      for (unsigned char& b : block) b ^= pad;
      Crypto::init(c);
      Crypto::update(c, block, 64);
      pad = 0x36 ^ 0x5c;
    }
    secure_wipe(block, sizeof block);
  }

#if defined(SIGV4KIT_SMALL_SHA256)
  /// Built for size, block backends only: replaces the key with HMAC(key, data), processed as
  /// a key (a step of SigV4's key derivation). The MAC passes through ctx_[1]'s buffer, where
  /// set() then finds it (update copies it onto itself), so there is no buffer of its own to
  /// wipe, and every byte of the old key's states is overwritten by the new key's.
  void set_to_mac(const void* data, std::size_t n) noexcept {
    static_assert(detail::is_block_crypto<Crypto>::value, "for block_crypto backends");
    update_inner(data, n);
    finish_mac(ctx_[1].buf);
    set(ctx_[1].buf, 32);
  }
#endif

  const context& inner() const noexcept { return ctx_[0]; }
  /// The inner context itself, for a message fed through another writer (Crypto::update); then
  /// finish_mac(out).
  context& inner() noexcept { return ctx_[0]; }
  const context& outer() const noexcept { return ctx_[1]; }

  /// HMAC of one message using this key's own states, without copying them: the key is
  /// spent afterwards (its states are finished and wiped). For a key that was itself a copy,
  /// such as one just read from a cache.
  void mac_once(const void* data, std::size_t n, unsigned char out[32]) noexcept {
    update_inner(data, n);
    finish_mac(out);
  }
  /// The same in pieces: update_inner for each piece of the message, then finish_mac.
  void update_inner(const void* data, std::size_t n) noexcept { Crypto::update(ctx_[0], data, n); }
  void finish_mac(unsigned char out[32]) noexcept {
    if constexpr (has_finish_hmac<Crypto>::value) {
      Crypto::finish_hmac(ctx_[0], ctx_[1], nullptr, 0, out);  // the backend's shortcut for these steps
    } else {
      // The inner digest passes through `out`, which the MAC then overwrites: no buffer of
      // its own to wipe.
      Crypto::finish(ctx_[0], out);
      Crypto::update(ctx_[1], out, 32);
      Crypto::finish(ctx_[1], out);
    }
  }
  /// update_inner(data, n) then finish_mac(out), in one step (which a block backend lays out
  /// before compressing: see detail::sha256_layout_final).
  void finish_mac(const void* data, std::size_t n, unsigned char out[32]) noexcept {
    if constexpr (has_finish_hmac<Crypto>::value) {
      Crypto::finish_hmac(ctx_[0], ctx_[1], data, n, out);
    } else {
      update_inner(data, n);
      finish_mac(out);
    }
  }
  /// The same, calling between() after each compression when the backend can (see
  /// has_between_steps); otherwise never.
  template <class Between>
  void finish_mac(const void* data, std::size_t n, unsigned char out[32], Between& between) noexcept {
    if constexpr (has_between_steps<Crypto>::value) Crypto::finish_hmac(ctx_[0], ctx_[1], data, n, out, between);
    else finish_mac(data, n, out);
  }

  /// The processed key as bytes, for caches: only for a key no message has gone into yet.
  /// Block backends' states then sit just past a pad block, so their chaining values are all
  /// there is (64 bytes instead of two whole contexts: less to copy on every warm signature,
  /// and less RAM per cache entry); other backends' contexts are stored whole, as are all
  /// when optimising size (the whole copy is less code).
#ifndef SIGV4KIT_OPTIMIZE_SIZE
  static constexpr bool compact_state = std::is_same<context, detail::sha256_state>::value;
#else
  static constexpr bool compact_state = false;
#endif
  static constexpr std::size_t state_size = compact_state ? 64 : 2 * sizeof(context);
  void store_state(unsigned char* out) const noexcept {
    if constexpr (compact_state) {
      std::memcpy(out, chaining(ctx_[0]), 32);
      std::memcpy(out + 32, chaining(ctx_[1]), 32);
    } else {
      std::memcpy(out, ctx_, state_size);
    }
  }
  void load_state(const unsigned char* in) noexcept {
    if constexpr (compact_state) {
      for (int i = 0; i < 2; ++i) {
        std::memcpy(chaining(ctx_[i]), in + 32 * i, 32);
        set_block_boundary(ctx_[i]);
      }
    } else {
      std::memcpy(ctx_, in, state_size);
    }
  }
  /// For compact_state keys only. The inner chaining value after exactly one message block
  /// (update_inner of 64 bytes and nothing else), and the reverse: a key just loaded with
  /// load_state continues from such a saved value as if that block had been absorbed. The
  /// key cache keeps one of these per entry (the block of a string to sign's first 64 bytes).
  void store_inner_chaining(unsigned char out[32]) const noexcept { std::memcpy(out, chaining(ctx_[0]), 32); }
  /// For compact_state keys only: load_state_words' outer state, and the inner state as
  /// load_inner_chaining_words leaves it, from `chain`: the key cache's full hit, which then
  /// does not copy the inner key state only to replace it.
  template <class Word>
  void load_started_words(const std::atomic<Word>* words, const std::atomic<Word>* chain) noexcept {
    static_assert(32 % sizeof(Word) == 0, "whole words");
    load_chaining_words(ctx_[0], chain);
    load_chaining_words(ctx_[1], words + 32 / sizeof(Word));
    ctx_[0].total = 128;  // the pad block and the message block
    ctx_[0].used = 0;
    set_block_boundary(ctx_[1]);
  }
  template <class Word>
  void load_inner_chaining_words(const Word* words) noexcept {
    static_assert(32 % sizeof(Word) == 0, "whole words");
    std::memcpy(chaining(ctx_[0]), words, 32);
    ctx_[0].total = 128;  // the pad block and the message block
    ctx_[0].used = 0;
  }

  /// Loads the state from relaxed atomic words (a seqlock reader's copy; see key_cache.hpp).
  /// `n` words cover state_size bytes (the last one possibly in part).
  template <class Word>
  void load_state_words(const std::atomic<Word>* words, std::size_t n) noexcept {
    if constexpr (compact_state && 32 % sizeof(Word) == 0) {
      // Straight into the two chaining values: no copy of the secret state to wipe.
      (void)n;
      load_chaining_words(ctx_[0], words);
      load_chaining_words(ctx_[1], words + 32 / sizeof(Word));
      set_block_boundary(ctx_[0]);
      set_block_boundary(ctx_[1]);
      return;
    }
    unsigned char bytes[state_size];
    for (std::size_t i = 0; i < n; ++i) {
      Word w = words[i].load(std::memory_order_relaxed);
      std::size_t at = i * sizeof(Word);
      std::memcpy(bytes + at, &w, at + sizeof(Word) <= state_size ? sizeof(Word) : state_size - at);
    }
    load_state(bytes);
    secure_wipe(bytes, sizeof bytes);
  }

 private:
  // For compact_state (context is detail::sha256_state); written so that it compiles for any
  // context, but called only for that one.
  template <class C>
  static auto chaining(C& c) noexcept -> decltype(&c.h[0]) { return c.h; }
  template <class C, class Word>
  static void load_chaining_words(C& c, const std::atomic<Word>* words) noexcept {
    unsigned char* h = reinterpret_cast<unsigned char*>(chaining(c));
    SIGV4KIT_UNROLL for (std::size_t i = 0; i < 32 / sizeof(Word); ++i) {
      const Word w = words[i].load(std::memory_order_relaxed);
      std::memcpy(h + i * sizeof(Word), &w, sizeof(Word));
    }
  }
  template <class C>
  static void set_block_boundary(C& c) noexcept {
    c.total = 64;  // the pad block
    c.used = 0;
  }

  context ctx_[2];  // the states after the ipad block and after the opad block
};

/// One HMAC computation, started from a key context (cheap: two context copies).
template <class Crypto = default_crypto>
class hmac {
 public:
  explicit hmac(const hmac_key<Crypto>& key) noexcept : state_(key) {}
  hmac(const hmac&) = delete;
  hmac& operator=(const hmac&) = delete;

  hmac& update(const void* data, std::size_t n) noexcept {
    state_.update_inner(data, n);
    return *this;
  }
  /// Writes the 32-byte MAC. The object is spent afterwards.
  void finish(unsigned char out[32]) noexcept { state_.finish_mac(out); }

  /// One-shot HMAC-SHA256(key, data): the processed key is used once, without a copy.
  static void mac(const void* key, std::size_t key_len, const void* data, std::size_t n,
                  unsigned char out[32]) noexcept {
    hmac_key<Crypto> k(key, key_len);
    k.mac_once(data, n, out);
  }

 private:
  hmac_key<Crypto> state_;  // a copy of the key's midstates, advanced by this message (wiped)
};

SIGV4KIT_END_NAMESPACE

#endif  // SIGV4KIT_CRYPTO_HMAC_HPP
