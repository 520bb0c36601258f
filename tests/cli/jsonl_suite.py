#!/usr/bin/env python3
"""The AWS SigV4 test suite, run through `sigv4kit sign --jsonl`.

Each case folder of the suite (context.json + request.txt, the layout of aws-c-auth's
tests/aws-signing-test-suite/v4/) becomes two JSONL requests, one per signing mode
("header" and "query"). With --cli, one `<cli> sign --jsonl` process answers them all and
every answer is checked against the case's expected files:

    <mode>-canonical-request.txt, <mode>-string-to-sign.txt, <mode>-signature.txt  (exact)
    <mode>-signed-request.txt: header mode - the answer's headers equal the signed request's
        headers (names without regard to case, values exact; order compared within a name);
        query mode - the answer's URL has the signed request line's path and the same
        query parameters (their order is not part of the contract).

Usage:
    jsonl_suite.py --cli PATH/TO/sigv4kit [--suite DIR] [--verbose]
    jsonl_suite.py --emit [--suite DIR]        # only print the JSONL requests

The last line printed with --cli is "N passed, M failed". Exit status: 0 all passed, 1 a
mismatch (or the CLI misbehaved), 2 bad usage, 77 the suite folder is absent (skipped; the
test looks for shared/conformance/aws-sigv4-suite/v4 next to the project checkout).

request.txt conversion: the request line gives the method and the target (path?query, as
written; it may contain spaces), the Host header gives the host, URL = "https://" + host +
target. A header line that begins with whitespace continues the previous header's value: the
fold is kept as "\\n" + the line, so the value holds a folded line as it was sent. What
follows the first blank line is the body. context.json: sign_body -> content_sha256_header,
normalize -> normalize_path, omit_session_token, expiration_in_seconds -> expires,
timestamp 2015-08-30T12:36:00Z -> 20150830T123600Z, signed_body_value -> payload_hash. The suite's service is not "s3", so the
generic rules apply (s3_path_rules false).

Only the Python standard library is used.
"""

import argparse
import base64
import json
import os
import subprocess
import sys

SKIP = 77
SUITE_REL = os.path.join("shared", "conformance", "aws-sigv4-suite", "v4")
MODES = ("header", "query")


def find_suite():
    """shared/conformance/aws-sigv4-suite/v4 in an ancestor of this script or of the cwd."""
    for start in (os.path.dirname(os.path.abspath(__file__)), os.getcwd()):
        d = start
        while True:
            cand = os.path.join(d, SUITE_REL)
            if os.path.isdir(cand):
                return cand
            parent = os.path.dirname(d)
            if parent == d:
                break
            d = parent
    return None


def parse_http(raw):
    """Raw HTTP request bytes -> (method, target, [(name, value)], body bytes)."""
    head, sep, body = raw.partition(b"\n\n")
    if not sep:
        head, body = raw, b""
    lines = head.decode("utf-8").split("\n")
    lines = [l[:-1] if l.endswith("\r") else l for l in lines]
    request_line = lines[0]
    method, rest = request_line.split(" ", 1)
    target, _version = rest.rsplit(" ", 1)
    headers = []
    for line in lines[1:]:
        if not line:
            continue
        if line[0] in " \t":
            if not headers:
                raise ValueError("continuation line before any header: %r" % line)
            name, value = headers[-1]
            headers[-1] = (name, value + "\n" + line)
            continue
        name, colon, value = line.partition(":")
        if not colon:
            raise ValueError("header line without ':': %r" % line)
        headers.append((name, value))
    return method, target, headers, body


def amz_date(iso):
    """2015-08-30T12:36:00Z -> 20150830T123600Z"""
    return iso.replace("-", "").replace(":", "")


def case_requests(case_dir):
    """The two JSONL request objects (header, query) for one case folder."""
    name = os.path.basename(case_dir)
    with open(os.path.join(case_dir, "context.json"), encoding="utf-8") as fh:
        ctx = json.load(fh)
    with open(os.path.join(case_dir, "request.txt"), "rb") as fh:
        method, target, headers, body = parse_http(fh.read())
    hosts = [v.strip() for n, v in headers if n.lower() == "host"]
    if len(hosts) != 1:
        raise ValueError("%s: request.txt needs exactly one Host header" % name)
    creds = ctx["credentials"]
    out = []
    for mode in MODES:
        req = {
            "id": "%s/%s" % (name, mode),
            "method": method,
            "url": "https://" + hosts[0] + target,
            "headers": [[n, v] for n, v in headers],
            "body_base64": base64.b64encode(body).decode("ascii"),
            "region": ctx["region"],
            "service": ctx["service"],
            "access_key_id": creds["access_key_id"],
            "secret_access_key": creds["secret_access_key"],
            "timestamp": amz_date(ctx["timestamp"]),
            "mode": mode,
            "s3_path_rules": False,
            "normalize_path": bool(ctx.get("normalize", True)),
            "content_sha256_header": bool(ctx.get("sign_body", False)),
            "omit_session_token": bool(ctx.get("omit_session_token", False)),
        }
        if creds.get("token"):
            req["session_token"] = creds["token"]
        if ctx.get("signed_body_value"):  # e.g. UNSIGNED-PAYLOAD (post-unsigned-payload)
            req["payload_hash"] = ctx["signed_body_value"]
        if mode == "query":
            req["expires"] = int(ctx.get("expiration_in_seconds", 3600))
        out.append(req)
    return out


def read_text(path):
    with open(path, "rb") as fh:
        return fh.read().decode("utf-8")


def by_name(headers):
    """Headers ordered by lower-cased name, keeping the order of repeated names."""
    return sorted(((n.lower(), v) for n, v in headers), key=lambda h: h[0])


def check(case_dir, mode, ans):
    """Problems with one answer (empty list = pass)."""
    if not isinstance(ans, dict):
        return ["answer is not a JSON object"]
    if "error" in ans:
        return ["error answer: %r" % (ans["error"],)]
    problems = []
    for field, suffix in (("canonical_request", "canonical-request"),
                          ("string_to_sign", "string-to-sign"),
                          ("signature", "signature")):
        want = read_text(os.path.join(case_dir, "%s-%s.txt" % (mode, suffix)))
        if field == "signature":
            want = want.strip()
        got = ans.get(field)
        if got != want:
            problems.append("%s differs:\n  want %r\n  got  %r" % (field, want, got))
    signed = os.path.join(case_dir, "%s-signed-request.txt" % mode)
    if os.path.exists(signed):
        with open(signed, "rb") as fh:
            _m, target, want_headers, _b = parse_http(fh.read())
        got_headers = [tuple(h) for h in ans.get("headers", [])]
        if by_name(got_headers) != by_name(want_headers):
            problems.append("headers differ:\n  want %r\n  got  %r" % (by_name(want_headers), by_name(got_headers)))
        if mode == "header":
            auth = [v for n, v in want_headers if n.lower() == "authorization"]
            if auth != [ans.get("authorization")]:
                problems.append("authorization differs:\n  want %r\n  got  %r" % (auth, ans.get("authorization")))
        else:
            url = ans.get("url") or ""
            host = [v for n, v in want_headers if n.lower() == "host"][0]
            prefix = "https://" + host
            got_target = url[len(prefix):] if url.startswith(prefix) else None
            if got_target is None:
                problems.append("url does not start with %r: %r" % (prefix, url))
            else:
                wp, _, wq = target.partition("?")
                gp, _, gq = got_target.partition("?")
                if wp != gp or sorted(wq.split("&")) != sorted(gq.split("&")):
                    problems.append("url differs:\n  want %r\n  got  %r" % (prefix + target, url))
    return problems


def main():
    ap = argparse.ArgumentParser(description="Run the AWS SigV4 test suite through `sigv4kit sign --jsonl`.")
    ap.add_argument("--cli", help="path to the sigv4kit program")
    ap.add_argument("--emit", action="store_true", help="print the JSONL requests and exit")
    ap.add_argument("--suite", help="the suite's v4 folder (default: found next to the checkout)")
    ap.add_argument("--verbose", action="store_true", help="print every case")
    args = ap.parse_args()
    if not args.cli and not args.emit:
        ap.error("give --cli PATH or --emit")

    suite = args.suite or find_suite()
    if not suite or not os.path.isdir(suite):
        print("SKIP: the AWS SigV4 suite folder was not found (%s); put it at ../%s next to the "
              "project checkout or pass --suite DIR" % (suite or "searched for " + SUITE_REL, SUITE_REL))
        return SKIP
    cases = sorted(os.path.join(suite, d) for d in os.listdir(suite)
                   if os.path.isfile(os.path.join(suite, d, "context.json")))
    if not cases:
        print("SKIP: no case folders in %s" % suite)
        return SKIP

    requests = []  # (case_dir, mode, request)
    for case_dir in cases:
        for req in case_requests(case_dir):
            requests.append((case_dir, req["mode"], req))
    lines = "".join(json.dumps(req) + "\n" for _, _, req in requests)
    if args.emit:
        sys.stdout.write(lines)
        return 0

    proc = subprocess.run([args.cli, "sign", "--jsonl"], input=lines.encode("utf-8"),
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
    out = proc.stdout.decode("utf-8").split("\n")
    if out and out[-1] == "":
        out.pop()
    passed = failed = 0
    if proc.returncode != 0:
        print("FAIL: `%s sign --jsonl` exited %d: %s" % (args.cli, proc.returncode,
                                                          proc.stderr.decode("utf-8", "replace")))
        failed += 1
    if len(out) != len(requests):
        print("FAIL: %d requests, %d answer lines" % (len(requests), len(out)))
        failed += 1
    for i, (case_dir, mode, req) in enumerate(requests):
        try:
            ans = json.loads(out[i]) if i < len(out) else None
        except ValueError:
            ans = None
        problems = check(case_dir, mode, ans) if ans is not None else ["no valid answer line"]
        if ans is not None and ans.get("id") != req["id"]:
            problems.append("id %r echoed as %r" % (req["id"], ans.get("id")))
        if problems:
            failed += 1
            print("FAIL %s" % req["id"])
            for p in problems:
                print("  " + p)
        else:
            passed += 1
            if args.verbose:
                print("ok   %s" % req["id"])
    print("%d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
