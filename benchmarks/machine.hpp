// What the benchmark programs say about the machine they ran on.
#pragma once

#include <sigv4kit/sigv4kit.hpp>

#include <fstream>
#include <string>

namespace bench {

/// The CPU's model name from /proc/cpuinfo (Linux), or "unknown CPU".
inline std::string cpu_model() {
  std::ifstream f("/proc/cpuinfo");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
  return "unknown CPU";
}

/// The SHA-256 path the default backend takes on this CPU.
inline const char* sha256_path() {
#if SIGV4KIT_HAVE_SHANI && !defined(SIGV4KIT_FORCE_PORTABLE_SHA256)
  if (sigv4kit::detail::cpu_has_shani()) return "x86 SHA-NI";
#endif
#if SIGV4KIT_HAVE_ARMV8_SHA2 && !defined(SIGV4KIT_FORCE_PORTABLE_SHA256)
  if (sigv4kit::detail::cpu_has_armv8_sha2()) return "ARMv8 SHA2";
#endif
  return "portable";
}

}  // namespace bench
