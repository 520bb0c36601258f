// tools/sigv4kit/main.cpp - the sigv4kit program: commands, help and version.
#include "cli.hpp"

#include <sigv4kit/sigv4kit.hpp>

#include <cstdio>
#include <string_view>
#include <vector>

namespace sigv4kit_cli {

namespace {

constexpr const char main_usage[] =
    "usage: sigv4kit <command> [options]\n"
    "\n"
    "AWS Signature Version 4 signing from the command line (sigv4kit " SIGV4KIT_VERSION_STRING ").\n"
    "\n"
    "commands:\n"
    "  sign URL          print the headers that sign a request (curl-style options)\n"
    "  sign --jsonl      sign a stream of JSON requests, one per line, from standard input\n"
    "  presign URL       print a presigned URL\n"
    "\n"
    "  sigv4kit <command> --help   options of a command\n"
    "  sigv4kit --version          the version\n"
    "\n"
    "Credentials come from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN;\n"
    "the region from --region, AWS_REGION or AWS_DEFAULT_REGION.\n"
    "Exit status: 0 done, 1 could not sign (credentials, file, request refused), 2 bad usage.\n";

constexpr const char sign_usage[] =
    "usage: sigv4kit sign [options] URL\n"
    "       sigv4kit sign --jsonl\n"
    "\n"
    "Signs one request and prints the headers to add to it, one 'Name: value' per line:\n"
    "X-Amz-Date, [x-amz-content-sha256], [X-Amz-Security-Token], Authorization.\n"
    "\n"
    "options:\n"
    "  --service S          signing name (default: guessed from an AWS host name, e.g.\n"
    "                       sts.us-east-1.amazonaws.com -> sts, bucket.s3...amazonaws.com -> s3)\n"
    "  --region R           region (default: AWS_REGION, then AWS_DEFAULT_REGION)\n"
    "  -X, --request M      method (default GET, or POST when data is given)\n"
    "  -H, --header 'N: V'  a header the request will carry (repeatable); as in curl,\n"
    "                       'N;' is an empty header and 'N:' sends (and signs) nothing\n"
    "  -d, --data DATA      the body; @FILE reads a file without its CR/LF (as curl -d),\n"
    "                       @- reads standard input; repeated data is joined with '&'\n"
    "  --data-binary DATA   the body; @FILE reads a file exactly as it is\n"
    "  --data-raw DATA      the body, never read from a file\n"
    "  --unsigned-payload   sign with UNSIGNED-PAYLOAD instead of the body's SHA-256\n"
    "  --curl               print curl arguments instead: -H 'Name: value' ... on one line\n"
    "  --timestamp T        sign at time T (YYYYMMDDTHHMMSSZ) instead of now\n"
    "  --jsonl              batch mode: one JSON request per input line, one JSON answer per\n"
    "                       output line (see shared/conformance/jsonl.md)\n"
    "  -h, --help           this help\n"
    "\n"
    "S3 (service s3) is signed with S3's rules: the path as sent, and x-amz-content-sha256.\n"
    "\n"
    "example (curl):\n"
    "  URL='https://sts.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15'\n"
    "  eval \"curl $(sigv4kit sign --curl --region us-east-1 \"$URL\")\" '\"$URL\"'\n";

constexpr const char presign_usage[] =
    "usage: sigv4kit presign [options] URL\n"
    "\n"
    "Prints URL presigned: the signature travels in its query string (X-Amz-Signature).\n"
    "For S3 the payload is UNSIGNED-PAYLOAD; for other services, an empty body.\n"
    "\n"
    "options:\n"
    "  --expires N          seconds the URL stays valid, 1..604800 (default 3600)\n"
    "  --service S          signing name (default: guessed from an AWS host name)\n"
    "  --region R           region (default: AWS_REGION, then AWS_DEFAULT_REGION)\n"
    "  -X, --request M      method (default GET)\n"
    "  -H, --header 'N: V'  a header the request will carry, signed (repeatable)\n"
    "  --timestamp T        sign at time T (YYYYMMDDTHHMMSSZ) instead of now\n"
    "  -h, --help           this help\n";

void put(const char* text, bool to_stdout) { std::fputs(text, to_stdout ? stdout : stderr); }

}  // namespace

void print_main_usage(bool to_stdout) { put(main_usage, to_stdout); }
void print_sign_usage(bool to_stdout) { put(sign_usage, to_stdout); }
void print_presign_usage(bool to_stdout) { put(presign_usage, to_stdout); }

}  // namespace sigv4kit_cli

int main(int argc, char** argv) {
  using namespace sigv4kit_cli;
  if (argc < 2) {
    print_main_usage(false);
    return exit_usage;
  }
  std::string_view command = argv[1];
  std::vector<std::string_view> args;
  for (int i = 2; i < argc; ++i) args.emplace_back(argv[i]);
  if (command == "--help" || command == "-h" || command == "help") {
    print_main_usage(true);
    return exit_ok;
  }
  if (command == "--version" || command == "-V" || command == "version") {
    std::fputs("sigv4kit " SIGV4KIT_VERSION_STRING "\n", stdout);
    return exit_ok;
  }
  if (command == "sign") return run_sign_command(args, false);
  if (command == "presign") return run_sign_command(args, true);
  std::fprintf(stderr, "sigv4kit: unknown command '%.*s'\n\n", static_cast<int>(command.size()), command.data());
  print_main_usage(false);
  return exit_usage;
}
