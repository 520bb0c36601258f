#!/usr/bin/env python3
"""The `sigv4kit` command line against its contracts (shared/conformance/jsonl.md and the
README): batch-mode behaviour on good and bad lines, and the `sign` / `presign` commands.

Expected signatures come from the AWS SigV4 test suite (get-vanilla, post-x-www-form-
urlencoded) and the AWS S3 documentation; nothing here is produced by the program under test.

    python3 jsonl_contract.py --cli PATH/TO/sigv4kit      (prints "N passed, M failed")
"""
import argparse
import json
import os
import subprocess
import sys

AKID = "AKIDEXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
VANILLA_HEADER_SIG = "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
VANILLA_QUERY_SIG = "e93c787ed7f371d5c6b165c1b38ede9550f4dce4144713e844b25b7192d3865d"
FORM_SIG = "d3875051da38690788ef43de4db0d8f280229d82040bfac253562e56c3f20e0b"  # post-x-www-form-urlencoded
S3_RANGE_SIG = "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"  # S3 docs, GET with Range

results = []


def check(name, cond, detail=""):
    results.append((name, bool(cond)))
    if not cond:
        print("FAIL %s %s" % (name, detail))


def base(**kw):
    r = {"method": "GET", "url": "https://example.amazonaws.com/", "region": "us-east-1",
         "service": "service", "access_key_id": AKID, "secret_access_key": SECRET,
         "timestamp": "20150830T123600Z", "mode": "header"}
    r.update(kw)
    return r


def run_batch(cli, lines):
    p = subprocess.run([cli, "sign", "--jsonl"], input="\n".join(lines) + "\n", capture_output=True,
                       text=True, timeout=60)
    return p.returncode, [json.loads(x) for x in p.stdout.splitlines()], p.stderr


def test_batch(cli):
    secret_token = "SESSIONTOKENthatmustnotleak"
    lines = [
        json.dumps(base(id=1)),
        "",  # blank: skipped
        "{not json",
        json.dumps({"id": "missing-url", "method": "GET"}),
        json.dumps(base(id={"nested": [1, 2]}, headers=[["X-Bad", "a\rb"]], session_token=secret_token)),
        json.dumps(base(id=5, timestamp="2015-08-30T12:36:00Z")),
        json.dumps(base(id=6, mode="query", expires=0)),
        json.dumps(base(id=7, mode="query", expires=3600)),
        json.dumps(base(id=8, method="POST", headers=[["Content-Type", "application/x-www-form-urlencoded"],
                                                       ["Host", "example.amazonaws.com"], ["Content-Length", "13"]],
                        body="ignored", body_base64="UGFyYW0xPXZhbHVlMQ==", content_sha256_header=True)),
        json.dumps(base(id=9, session_token=secret_token, omit_session_token=True)),
        json.dumps(base(id=10, headers=[["My-Header", "x"]], unsigned_headers=["my-header"])),
        json.dumps({"id": 11, "method": "GET", "url": "https://examplebucket.s3.amazonaws.com/test.txt",
                    "headers": [["Host", "examplebucket.s3.amazonaws.com"], ["Range", "bytes=0-9"]],
                    "region": "us-east-1", "service": "s3", "access_key_id": "AKIAIOSFODNN7EXAMPLE",
                    "secret_access_key": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                    "timestamp": "20130524T000000Z", "mode": "header"}),
        json.dumps(base(id=12, s3_path_rules=False, service="s3", url="https://h/a/../b", normalize_path=False)),
    ]
    rc, out, err = run_batch(cli, lines)
    check("batch exits 0 after bad lines", rc == 0, err)
    check("one answer per non-blank line, in order", len(out) == 12, out)
    if len(out) != 12:
        return
    by = {json.dumps(o.get("id"), sort_keys=True): o for o in out}
    o = out[0]
    check("get-vanilla header signature", o.get("signature") == VANILLA_HEADER_SIG, o)
    check("id echoed", o.get("id") == 1)
    check("Host added to headers from the URL", ["Host", "example.amazonaws.com"] in o.get("headers", []), o)
    check("X-Amz-Date and Authorization in headers",
          any(h[0] == "X-Amz-Date" and h[1] == "20150830T123600Z" for h in o["headers"]) and
          any(h[0] == "Authorization" and h[1] == o["authorization"] for h in o["headers"]))
    check("canonical request and string to sign returned",
          o.get("canonical_request", "").startswith("GET\n/\n\nhost:example.amazonaws.com\n") and
          o.get("string_to_sign", "").startswith("AWS4-HMAC-SHA256\n20150830T123600Z\n"))
    check("bad JSON gets an error answer", "error" in out[1] and out[1]["error"].get("kind"), out[1])
    check("missing field gets an error answer", out[2].get("id") == "missing-url" and "error" in out[2], out[2])
    e = out[3]
    check("CR in a header value is invalid_header", e.get("error", {}).get("kind") == "invalid_header", e)
    check("nested id echoed", e.get("id") == {"nested": [1, 2]}, e)
    check("no secret or token in an error", SECRET not in json.dumps(e) and secret_token not in json.dumps(e), e)
    check("bad timestamp is invalid_timestamp", out[4].get("error", {}).get("kind") == "invalid_timestamp", out[4])
    check("expires 0 is invalid_expires", out[5].get("error", {}).get("kind") == "invalid_expires", out[5])
    q = out[6]
    check("get-vanilla query signature", q.get("signature") == VANILLA_QUERY_SIG, q)
    check("presigned url carries the signature", q.get("url", "").endswith("X-Amz-Signature=" + VANILLA_QUERY_SIG), q)
    check("body_base64 wins over body (post-x-www-form-urlencoded)", out[7].get("signature") == FORM_SIG, out[7])
    t = out[8]
    check("omit_session_token: token not signed",
          t.get("signature") == VANILLA_HEADER_SIG and "x-amz-security-token" not in t.get("canonical_request", ""), t)
    check("omit_session_token: token added to headers",
          ["X-Amz-Security-Token", secret_token] in t.get("headers", []), t)
    check("unsigned_headers honoured", "my-header" not in out[9].get("canonical_request", "x"), out[9])
    check("S3 rules by default for service s3 (AWS docs GET with Range)", out[10].get("signature") == S3_RANGE_SIG, out[10])
    check("s3_path_rules false: generic double encoding, normalize_path false respected",
          out[11].get("canonical_request", "").split("\n")[1] == "/a/../b" and
          "x-amz-content-sha256" not in out[11].get("canonical_request", ""), out[11])


def test_coprocess(cli):
    # Each answer is flushed: read it before closing stdin.
    p = subprocess.Popen([cli, "sign", "--jsonl"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    p.stdin.write(json.dumps(base(id="co")) + "\n")
    p.stdin.flush()
    line = p.stdout.readline()
    p.stdin.close()
    p.wait(timeout=30)
    check("answers flushed line by line (co-process)", json.loads(line).get("signature") == VANILLA_HEADER_SIG, line)


def test_commands(cli):
    env = dict(os.environ, AWS_ACCESS_KEY_ID=AKID, AWS_SECRET_ACCESS_KEY=SECRET, AWS_REGION="us-east-1")
    env.pop("AWS_SESSION_TOKEN", None)
    p = subprocess.run([cli, "sign", "--service", "service", "--timestamp", "20150830T123600Z",
                        "https://example.amazonaws.com/"], capture_output=True, text=True, env=env, timeout=30)
    check("sign prints the Authorization header", p.returncode == 0 and
          ("Signature=" + VANILLA_HEADER_SIG) in p.stdout and "X-Amz-Date: 20150830T123600Z" in p.stdout, p.stdout + p.stderr)
    p = subprocess.run([cli, "sign", "--service", "service", "--timestamp", "20150830T123600Z", "-X", "POST",
                        "-H", "Content-Type: application/x-www-form-urlencoded", "-H", "Content-Length: 13",
                        "-d", "Param1=value1", "--unsigned-payload",
                        "https://example.amazonaws.com/"], capture_output=True, text=True, env=env, timeout=30)
    check("sign --unsigned-payload changes the signature", p.returncode == 0 and FORM_SIG not in p.stdout, p.stdout + p.stderr)
    p = subprocess.run([cli, "presign", "--service", "service", "--expires", "3600", "--timestamp", "20150830T123600Z",
                        "https://example.amazonaws.com/"], capture_output=True, text=True, env=env, timeout=30)
    check("presign prints the presigned URL", p.returncode == 0 and
          p.stdout.strip().endswith("X-Amz-Signature=" + VANILLA_QUERY_SIG), p.stdout + p.stderr)
    bad = dict(env)
    bad.pop("AWS_ACCESS_KEY_ID")
    p = subprocess.run([cli, "sign", "--service", "service", "https://example.amazonaws.com/"],
                       capture_output=True, text=True, env=bad, timeout=30)
    check("missing credentials: exit 1 with a message", p.returncode == 1 and "AWS_ACCESS_KEY_ID" in p.stderr, p.stderr)
    p = subprocess.run([cli, "frobnicate"], capture_output=True, text=True, timeout=30)
    check("unknown command: usage, exit 2", p.returncode == 2 and "usage" in p.stderr.lower(), p.stderr)
    p = subprocess.run([cli, "sign", "-H", "NoColon", "--service", "service", "https://example.amazonaws.com/"],
                       capture_output=True, text=True, env=env, timeout=30)
    check("header without a colon is refused", p.returncode != 0 and p.stderr, p.stderr)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", required=True)
    a = ap.parse_args()
    test_batch(a.cli)
    test_coprocess(a.cli)
    test_commands(a.cli)
    failed = sum(1 for _, ok in results if not ok)
    print("%d passed, %d failed" % (len(results) - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
