#!/usr/bin/env python3
"""Differential test of `sigv4kit sign --jsonl` against botocore.

Usage:
    python3 tests/differential/botocore_diff.py --cli PATH/TO/sigv4kit [--count 2000] [--seed 1] [--verbose]
    python3 tests/differential/botocore_diff.py --self-check [--count 2000] [--seed 1]

Main mode: generate --count random valid signing requests (seeded), sign each with
botocore and with one `<cli> sign --jsonl` process (all requests on its stdin, one answer
per line on its stdout), and compare the signature, the Authorization header (header mode)
and the presigned URL (query mode). The last line printed is `N passed, M failed`; exit 0
when M == 0, 1 otherwise, 77 (skipped) when botocore cannot be imported.

--self-check needs no CLI: it checks the botocore side against known signatures (the AWS
SigV4 suite's get-vanilla and shared/bench/workload.json), checks a pure-Python reference
signer written from the SigV4 spec (no botocore code) against every case of the AWS suite,
validates the generator, and runs the whole differential pipeline with the reference
signer standing in for the CLI (this same file, run with --reference-jsonl).

Only the standard library and botocore are used.

How the generated requests are kept inside what botocore can express (see `boto_spec`):
  * paths and query strings are already in canonical (encoded) form: unreserved
    characters and upper-case %XX escapes, no dot segments, no empty segments, no %2F;
    so the generic rules (normalize + encode once more) and the S3 rules (as sent) mean
    the same for both signers;
  * query mode: botocore re-parses the query into a dict (parse_qs, first value wins,
    %XX decoded as UTF-8 with replacement), so query-mode queries have unique keys and
    only valid UTF-8 escapes, and the request body is empty for botocore (it would move
    a body into the query);
  * header values hold only printable ASCII and spaces (botocore collapses all Unicode
    whitespace with str.split(); the contract collapses runs of spaces);
  * no header that botocore replaces or reinterprets: authorization, date, x-amz-date,
    x-amz-security-token, x-amz-content-sha256 (host is handled on its own);
  * the unsigned-by-default headers that both sides skip (user-agent, x-amzn-trace-id,
    and the hop-by-hop ones) do appear.
"""

import argparse
import base64
import collections
import datetime
import difflib
import hashlib
import hmac
import json
import os
import random
import re
import shlex
import subprocess
import sys
import time
import urllib.parse

SKIP_EXIT = 77
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
UNSIGNED = "UNSIGNED-PAYLOAD"
STREAMING_TRAILER = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
UNRESERVED = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~")
HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_SHARED = os.path.normpath(os.path.join(HERE, "..", "..", "..", "shared"))

# Headers the contract never signs. botocore's SIGNED_HEADERS_BLACKLIST is this list
# without "authorization" (botocore deletes a given Authorization header instead).
UNSIGNED_BY_DEFAULT = (
    "user-agent", "x-amzn-trace-id", "authorization", "connection", "expect",
    "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
    "transfer-encoding", "upgrade",
)


# --------------------------------------------------------------------------------------
# Small helpers shared by the generator and the reference signer (no botocore here)
# --------------------------------------------------------------------------------------

def uri_encode(data, keep_slash=False):
    """SigV4 UriEncode: every byte but the unreserved ones as upper-case %XX."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    out = []
    for b in data:
        if b in UNRESERVED or (keep_slash and b == 0x2F):
            out.append(chr(b))
        else:
            out.append("%%%02X" % b)
    return "".join(out)


def percent_decode(text):
    """%XX -> byte; everything else as its UTF-8 bytes; '+' stays '+'."""
    return urllib.parse.unquote_to_bytes(text)


def body_bytes(req):
    if "body_base64" in req:
        return base64.b64decode(req["body_base64"])
    if "body" in req:
        return req["body"].encode("utf-8")
    return b""


def parse_timestamp(ts):
    if not re.fullmatch(r"\d{8}T\d{6}Z", ts or ""):
        raise ValueError("timestamp must be YYYYMMDDTHHMMSSZ")
    return datetime.datetime.strptime(ts, "%Y%m%dT%H%M%SZ")


def split_url(url):
    m = re.fullmatch(r"([A-Za-z][A-Za-z0-9+.-]*)://([^/?#]*)([^?#]*)(?:\?([^#]*))?(?:#.*)?", url)
    if not m:
        raise ValueError("url must be absolute: scheme://host[:port]/path?query")
    return m.group(1), m.group(2), m.group(3), m.group(4)


# --------------------------------------------------------------------------------------
# Reference signer: SigV4 from the AWS specification, speaking the JSONL contract.
# Independent of botocore: used by --self-check in place of the CLI.
# --------------------------------------------------------------------------------------

def _hmac(key, msg):
    return hmac.new(key, msg.encode("utf-8"), hashlib.sha256).digest()


def _remove_dot_segments(path):
    """RFC 3986 5.2.4, plus collapsing of empty segments (AWS generic rules)."""
    segs = path.split("/")
    out = []
    trailing = False
    for i, s in enumerate(segs[1:] if path.startswith("/") else segs):
        last = i == len(segs) - (2 if path.startswith("/") else 1)
        if s in ("", "."):
            trailing = last
            continue
        if s == "..":
            if out:
                out.pop()
            trailing = last
            continue
        out.append(s)
        trailing = False
    res = "/" + "/".join(out)
    if trailing and out:
        res += "/"
    return res


def _canonical_value(value):
    value = re.sub(r"\r?\n[ \t]*", " ", value)  # unfold folded lines
    return re.sub(r"[ \t]+", " ", value).strip(" \t")


def reference_sign(req):
    """Sign one contract request dict; returns the contract answer dict."""
    method = req["method"]
    url = req["url"]
    scheme, authority, path, query = split_url(url)
    service, region = req["service"], req["region"]
    ak, sk = req["access_key_id"], req["secret_access_key"]
    token = req.get("session_token")
    ts = req["timestamp"]
    parse_timestamp(ts)
    mode = req.get("mode", "header")
    if mode not in ("header", "query"):
        raise ValueError("mode must be header or query")
    s3 = req.get("s3_path_rules", service == "s3")
    normalize = req.get("normalize_path", not s3)
    double = req.get("double_encode", not s3)
    omit_token = req.get("omit_session_token", False)
    body = body_bytes(req)
    payload = req.get("payload_hash") or hashlib.sha256(body).hexdigest()
    csh = req.get("content_sha256_header", s3)
    extra_unsigned = {h.lower() for h in req.get("unsigned_headers", [])}
    date = ts[:8]
    scope = f"{date}/{region}/{service}/aws4_request"

    # headers: as given, minus the ones this signer sets itself
    own = {"x-amz-date", "x-amz-security-token", "x-amz-content-sha256", "authorization"}
    given = [(n, v) for n, v in req.get("headers", []) if not (mode == "header" and n.lower() in own)]
    added = []
    if not any(n.lower() == "host" for n, _ in given):
        host = authority.rsplit("@", 1)[-1].lower()
        default = {"https": ":443", "http": ":80"}.get(scheme.lower())
        if default and host.endswith(default):
            host = host[: -len(default)]
        added.append(("host", host))
    if mode == "header":
        added.append(("X-Amz-Date", ts))
        if csh:
            added.append(("x-amz-content-sha256", payload))
        if token and not omit_token:
            added.append(("X-Amz-Security-Token", token))
    grouped = collections.OrderedDict()
    for n, v in given + added:
        ln = n.lower()
        if ln in UNSIGNED_BY_DEFAULT or ln in extra_unsigned:
            continue
        grouped.setdefault(ln, []).append(_canonical_value(v))
    names = sorted(grouped)
    canonical_headers = "".join(f"{n}:{','.join(grouped[n])}\n" for n in names)
    signed_headers = ";".join(names)

    # canonical URI
    cpath = path or "/"
    if normalize:
        cpath = _remove_dot_segments(cpath)
    if double:
        cpath = uri_encode(cpath, keep_slash=True)

    # canonical query
    pairs = []
    for piece in (query or "").split("&"):
        if piece:
            k, _, v = piece.partition("=")
            pairs.append((uri_encode(percent_decode(k)), uri_encode(percent_decode(v))))
    auth_params = []
    if mode == "query":
        auth_params = [
            ("X-Amz-Algorithm", "AWS4-HMAC-SHA256"),
            ("X-Amz-Credential", f"{ak}/{scope}"),
            ("X-Amz-Date", ts),
            ("X-Amz-Expires", str(req.get("expires", 3600))),
            ("X-Amz-SignedHeaders", signed_headers),
        ]
        if token and not omit_token:
            auth_params.append(("X-Amz-Security-Token", token))
        auth_params = [(uri_encode(k), uri_encode(v)) for k, v in auth_params]
    canonical_query = "&".join(f"{k}={v}" for k, v in sorted(pairs + auth_params))

    canonical_request = "\n".join(
        [method, cpath, canonical_query, canonical_headers, signed_headers, payload])
    string_to_sign = "\n".join([
        "AWS4-HMAC-SHA256", ts, scope,
        hashlib.sha256(canonical_request.encode("utf-8")).hexdigest()])
    key = _hmac(("AWS4" + sk).encode("utf-8"), date)
    for part in (region, service, "aws4_request"):
        key = _hmac(key, part)
    signature = hmac.new(key, string_to_sign.encode("utf-8"), hashlib.sha256).hexdigest()

    answer = {"id": req.get("id"), "canonical_request": canonical_request,
              "string_to_sign": string_to_sign, "signature": signature}
    out_headers = [list(h) for h in given + added]
    if mode == "header":
        if token and omit_token:
            out_headers.append(["X-Amz-Security-Token", token])
        auth = (f"AWS4-HMAC-SHA256 Credential={ak}/{scope}, "
                f"SignedHeaders={signed_headers}, Signature={signature}")
        out_headers.append(["Authorization", auth])
        answer["authorization"] = auth
    else:
        extra = "&".join(f"{k}={v}" for k, v in auth_params)
        if token and omit_token:
            extra += "&X-Amz-Security-Token=" + uri_encode(token)
        base = url.split("#", 1)[0]
        sep = "&" if query else ("" if base.endswith("?") else "?")
        answer["url"] = f"{base}{sep}{extra}&X-Amz-Signature={signature}"
    answer["headers"] = out_headers
    return answer


def reference_jsonl_main():
    """Act as `sigv4kit sign --jsonl` using the reference signer."""
    for line in sys.stdin:
        if not line.strip():
            continue
        rid = None
        try:
            req = json.loads(line)
            rid = req.get("id") if isinstance(req, dict) else None
            answer = reference_sign(req)
        except Exception as exc:  # noqa: BLE001 - contract: error answer, keep going
            answer = {"id": rid, "error": {"kind": "bad_request", "message": type(exc).__name__}}
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()
    return 0


# --------------------------------------------------------------------------------------
# botocore side
# --------------------------------------------------------------------------------------

class Unexpressible(Exception):
    """The request means something botocore's signers cannot be made to sign."""


_MISSING = object()
_NOW = [None]


def import_botocore():
    try:
        import botocore  # noqa: F401
        import botocore.auth  # noqa: F401
        import botocore.awsrequest  # noqa: F401
        import botocore.config  # noqa: F401
        import botocore.credentials  # noqa: F401
    except Exception:  # noqa: BLE001 - any import failure means: skip
        return None
    return sys.modules["botocore"]


class FrozenClock:
    """Freeze the time botocore.auth reads while signing.

    botocore >= 1.33 calls botocore.compat.get_current_datetime() (imported by name into
    botocore.auth); older releases call datetime.datetime.utcnow() through the datetime
    module imported by botocore.auth. Both are patched in place and restored on exit.
    """

    def __enter__(self):
        import botocore.auth as ba
        self._ba = ba
        self._saved = {}
        if hasattr(ba, "get_current_datetime"):
            self._saved["get_current_datetime"] = ba.get_current_datetime
            ba.get_current_datetime = lambda *a, **k: _NOW[0]
        else:
            real = datetime

            class _Frozen(real.datetime):
                @classmethod
                def utcnow(cls):
                    return _NOW[0]

                @classmethod
                def now(cls, tz=None):
                    return _NOW[0] if tz is None else _NOW[0].replace(tzinfo=tz)

            class _Module:
                datetime = _Frozen
                timezone = real.timezone
                timedelta = real.timedelta

            self._saved["datetime"] = ba.datetime
            ba.datetime = _Module
        return self

    def __exit__(self, *exc):
        for name, value in self._saved.items():
            setattr(self._ba, name, value)
        return False


def boto_spec(req, data=_MISSING):
    """Translate a contract request into what botocore must be given to sign the same.

    `data` overrides the body botocore sees (used when the CLI gets a precomputed
    payload_hash and a decoy body). Raises Unexpressible for requests outside what
    botocore's SigV4 signers can reproduce.
    """
    from botocore.config import Config

    service = req["service"]
    mode = req.get("mode", "header")
    s3 = req.get("s3_path_rules", service == "s3")
    ph = req.get("payload_hash")
    if data is _MISSING:
        data = body_bytes(req)
    scheme = req["url"].split(":", 1)[0]
    csh = req.get("content_sha256_header", s3)
    if req.get("normalize_path", not s3) != (not s3) or req.get("double_encode", not s3) != (not s3):
        raise Unexpressible("botocore ties normalize/double-encode to the S3 rules")
    if req.get("omit_session_token") or req.get("unsigned_headers"):
        raise Unexpressible("omit_session_token / unsigned_headers")
    if scheme != scheme.lower():
        raise Unexpressible("botocore tests url.startswith('https')")
    headers = [list(h) for h in req.get("headers", [])]
    context = {}
    if mode == "query":
        if data:
            raise Unexpressible("botocore query signing moves a body into the query string")
        if s3 and ph != UNSIGNED:
            raise Unexpressible("S3SigV4QueryAuth always signs UNSIGNED-PAYLOAD")
    if mode == "header" and s3 and not csh:
        raise Unexpressible("S3SigV4Auth always adds x-amz-content-sha256")
    if ph is None:
        effective = hashlib.sha256(data).hexdigest()
    elif ph == UNSIGNED:
        effective = UNSIGNED
        if s3:
            # S3SigV4Auth: the explicit client config wins over every implicit rule
            context["client_config"] = Config(s3={"payload_signing_enabled": False})
        else:
            if mode == "query" and scheme != "https":
                raise Unexpressible("botocore signs the payload over http")
            if mode == "header" and not csh:
                raise Unexpressible("SigV4Auth adds X-Amz-Content-SHA256 for UNSIGNED-PAYLOAD")
            # header mode: SigV4Auth then adds the header itself, signed
            context["payload_signing_enabled"] = False
    elif ph == STREAMING_TRAILER:
        if mode == "query" and s3:
            raise Unexpressible("S3 query signing is always UNSIGNED-PAYLOAD")
        effective = ph
        context["checksum"] = {"request_algorithm": {"in": "trailer", "name": "x-amz-checksum-crc32"}}
    elif re.fullmatch(r"[0-9a-f]{64}", ph):
        if hashlib.sha256(data).hexdigest() != ph:
            raise Unexpressible("botocore hashes the body; give it a body with that hash")
        effective = ph
    else:
        raise Unexpressible("payload_hash %r" % ph)
    if mode == "header" and not s3 and csh and ph != UNSIGNED:
        # SigV4Auth uses a given X-Amz-Content-SHA256 header as the payload hash (signed)
        headers.append(["X-Amz-Content-SHA256", effective])
    return {
        "method": req["method"], "url": req["url"], "headers": headers, "data": data or None,
        "service": service, "region": req["region"], "access_key_id": req["access_key_id"],
        "secret_access_key": req["secret_access_key"], "session_token": req.get("session_token"),
        "timestamp": req["timestamp"], "mode": mode, "expires": req.get("expires", 3600),
        "s3": s3, "context": context,
    }


def botocore_sign(spec):
    """Sign with the real botocore add_auth, clock frozen (caller holds FrozenClock)."""
    from botocore.auth import S3SigV4Auth, S3SigV4QueryAuth, SigV4Auth, SigV4QueryAuth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    creds = Credentials(spec["access_key_id"], spec["secret_access_key"], spec["session_token"])
    if spec["mode"] == "header":
        cls = S3SigV4Auth if spec["s3"] else SigV4Auth
        auth = cls(creds, spec["service"], spec["region"])
    else:
        cls = S3SigV4QueryAuth if spec["s3"] else SigV4QueryAuth
        auth = cls(creds, spec["service"], spec["region"], expires=spec["expires"])
    request = AWSRequest(method=spec["method"], url=spec["url"], data=spec["data"])
    for name, value in spec["headers"]:
        request.headers[name] = value  # HTTPHeaders appends: repeated names kept in order
    request.context.update(spec["context"])

    seen = {}
    real_cr, real_sts, real_sig = auth.canonical_request, auth.string_to_sign, auth.signature

    def canonical_request(r):
        seen["canonical_request"] = real_cr(r)
        return seen["canonical_request"]

    def string_to_sign(r, cr):
        seen["string_to_sign"] = real_sts(r, cr)
        return seen["string_to_sign"]

    def signature(sts, r):
        seen["signature"] = real_sig(sts, r)
        return seen["signature"]

    auth.canonical_request, auth.string_to_sign, auth.signature = canonical_request, string_to_sign, signature
    _NOW[0] = parse_timestamp(spec["timestamp"])
    auth.add_auth(request)
    if request.context.get("timestamp") != spec["timestamp"]:
        raise RuntimeError("the botocore clock was not frozen (got %r)" % request.context.get("timestamp"))
    seen["authorization"] = request.headers.get("Authorization") if spec["mode"] == "header" else None
    seen["url"] = request.url if spec["mode"] == "query" else None
    return seen


# --------------------------------------------------------------------------------------
# Generator
# --------------------------------------------------------------------------------------

REGIONS = ["us-east-1", "us-east-2", "us-west-2", "eu-west-1", "eu-central-1", "eu-north-1",
           "ap-southeast-2", "ap-northeast-1", "sa-east-1", "cn-north-1", "us-gov-west-1",
           "me-south-1", "af-south-1", "il-central-1"]
SERVICES = ["s3"] * 5 + ["sts", "dynamodb", "execute-api", "sqs", "service", "iam", "lambda",
                         "es", "monitoring", "s3-object-lambda"]
HEADER_NAMES = ["Content-Type", "X-Amz-Meta-Author", "X-Amz-Meta-Note", "X-Custom-Header", "Accept",
                "Accept-Encoding", "Range", "If-Match", "If-None-Match", "Cache-Control",
                "Content-Language", "X-Amz-Target", "X-Amz-Storage-Class", "X-Amz-Acl",
                "My-Header1", "My-Header2", "Content-Encoding", "X-Forwarded-For", "Content-Length",
                "X-Amz-Checksum-Crc32", "Content-MD5", "Origin", "X-Amz-User-Agent", "Zz-Last"]
UNSIGNED_NAMES = ["User-Agent", "X-Amzn-Trace-Id", "Connection", "Expect", "Keep-Alive", "TE",
                  "Trailer", "Transfer-Encoding", "Upgrade", "Proxy-Authorization",
                  "Proxy-Authenticate"]
FORBIDDEN_NAMES = {"authorization", "date", "x-amz-date", "x-amz-security-token",
                   "x-amz-content-sha256", "host"}
CONTENT_TYPES = ["application/json", "application/x-amz-json-1.0", "text/plain; charset=utf-8",
                 "application/octet-stream", "application/xml",
                 "application/x-www-form-urlencoded; charset=utf-8"]
# keys that are prefixes of each other / sort around '=', '-', '.', '%', digits, case
QUERY_KEYS = ["a", "a-b", "a.b", "a_b", "ab", "A", "B", "Z", "z", "a0", "a~", "%20a", "a%2Cb",
              "%E1%88%B4", "list-type", "prefix", "max-keys", "versionId", "Action", "Version",
              "x-id", "uploads", "partNumber", "acl", "k"]
NON_ASCII = ["é", "ß", "ሴ", "日本", "Ω", "😀", "ü", "€", "\u00a0", "\u2028", "ä"]
PRINTABLE_NONUNRESERVED = " !\"#$%&'()*+,:;<=>?@[\\]^`{|}"


class Generator:
    def __init__(self, seed):
        self.rng = random.Random(seed)

    def chance(self, p):
        return self.rng.random() < p

    def component(self, lo, hi, allow_invalid_utf8, allow_slash=False):
        """Bytes of a path segment / query key or value, returned in canonical encoding."""
        rng = self.rng
        out = bytearray()
        for _ in range(rng.randint(lo, hi)):
            r = rng.random()
            if r < 0.62:
                out.append(rng.choice(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~"))
            elif r < 0.70:
                out.append(0x20)  # %20
            elif r < 0.82:
                c = rng.choice(PRINTABLE_NONUNRESERVED + ("/" if allow_slash else ""))
                out.extend(c.encode())
            elif r < 0.93:
                out.extend(rng.choice(NON_ASCII).encode("utf-8"))
            elif r < 0.96:
                out.append(rng.choice([0x00, 0x01, 0x09, 0x0A, 0x0D, 0x1F, 0x7F]))
            elif allow_invalid_utf8:
                out.append(rng.randint(0x80, 0xFF))
            else:
                out.extend("ሴ".encode("utf-8"))
        return uri_encode(bytes(out))

    def path(self, query_mode):
        segs = []
        for _ in range(self.rng.choice([0, 1, 1, 2, 2, 3, 4, 6])):
            s = self.component(1, 10, allow_invalid_utf8=not query_mode)
            if set(s) <= {"."}:
                s += "x"  # never a dot segment
            segs.append(s)
        p = "/" + "/".join(segs)
        if segs and self.chance(0.25):
            p += "/"
        return p

    def query(self, query_mode):
        rng = self.rng
        pieces, keys = [], []
        for _ in range(rng.choice([0, 0, 1, 2, 3, 4, 6])):
            if keys and not query_mode and self.chance(0.35):
                key = rng.choice(keys)  # repeated key
            elif self.chance(0.6):
                key = rng.choice(QUERY_KEYS)
            else:
                key = self.component(1, 8, allow_invalid_utf8=not query_mode, allow_slash=True)
            if query_mode and (key in keys or key.lower().startswith("x-amz-")):
                continue
            keys.append(key)
            r = rng.random()
            if r < 0.15:
                pieces.append(key)  # bare key
            elif r < 0.30:
                pieces.append(key + "=")  # empty value
            else:
                pieces.append(key + "=" + self.component(0, 12, allow_invalid_utf8=not query_mode,
                                                         allow_slash=True))
        return "&".join(pieces)

    def header_name(self):
        rng = self.rng
        r = rng.random()
        if r < 0.12:
            name = rng.choice(UNSIGNED_NAMES)
        elif r < 0.75:
            name = rng.choice(HEADER_NAMES)
        else:
            while True:
                name = "x-" + "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789-")
                                      for _ in range(rng.randint(1, 12)))
                if name.lower() not in FORBIDDEN_NAMES and not name.endswith("-"):
                    break
        return self.recase(name)

    def recase(self, name):
        r = self.rng.random()
        if r < 0.35:
            return name
        if r < 0.6:
            return name.lower()
        if r < 0.7:
            return name.upper()
        return "".join(c.upper() if self.chance(0.5) else c.lower() for c in name)

    def header_value(self, name):
        rng = self.rng
        r = rng.random()
        if r < 0.05:
            return ""
        if r < 0.08:
            return " " * rng.randint(1, 4)
        if name.lower() == "content-type" and self.chance(0.7):
            words = rng.choice(CONTENT_TYPES).split(" ")
        else:
            words = ["".join(chr(rng.randint(0x21, 0x7E)) for _ in range(rng.randint(1, 12)))
                     for _ in range(rng.randint(1, 4))]
        value = ""
        for i, w in enumerate(words):
            if i:
                value += " " * rng.choice([1, 1, 2, 3, 5])
            value += w
        if self.chance(0.3):
            value = " " * rng.randint(1, 3) + value
        if self.chance(0.3):
            value += " " * rng.randint(1, 3)
        return value

    def headers(self, query_mode):
        rng = self.rng
        hs = []
        for _ in range(rng.choice([0, 1, 2, 3, 4, 6, 8])):
            if hs and self.chance(0.25):
                base = rng.choice(hs)[0]
                name = self.recase(base)  # repeated name, maybe in another case
                hs.insert(rng.randint(0, len(hs)), [name, self.header_value(name)])
                continue
            name = self.header_name()
            hs.append([name, self.header_value(name)])
        if query_mode:
            # SigV4QueryAuth deletes every Content-Type header when the first one is exactly
            # this value (the one botocore sets itself for query-protocol bodies)
            for h in hs:
                if h[0].lower() == "content-type" and h[1] == "application/x-www-form-urlencoded; charset=utf-8":
                    h[1] = "application/x-www-form-urlencoded"
        return hs

    def timestamp(self):
        rng = self.rng
        r = rng.random()
        if r < 0.05:
            dt = datetime.datetime(rng.choice([2000, 2004, 2024, 2028]), 2, 29,
                                   rng.randint(0, 23), rng.randint(0, 59), rng.randint(0, 59))
        elif r < 0.08:
            dt = datetime.datetime(rng.randint(2000, 2037), 12, 31, 23, 59, 59)
        elif r < 0.11:
            dt = datetime.datetime(rng.randint(2000, 2037), 1, 1, 0, 0, 0)
        else:
            start = datetime.datetime(2000, 1, 1)
            dt = start + datetime.timedelta(seconds=rng.randint(0, 38 * 365 * 86400))
        return dt.strftime("%Y%m%dT%H%M%SZ")

    def credentials(self):
        rng = self.rng
        ak = rng.choice(["AKIA", "ASIA", "AKID"]) + "".join(
            rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(16))
        b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
        sk = "".join(rng.choice(b64) for _ in range(40))
        token = None
        if self.chance(0.5):
            token = base64.b64encode(bytes(rng.getrandbits(8) for _ in range(rng.randint(40, 300)))).decode()
            if self.chance(0.1):  # spaces (not in real tokens): signed trimmed and collapsed, as any value
                cut = rng.randint(1, len(token) - 1)
                token = rng.choice(["", " ", "  "]) + token[:cut] + rng.choice([" ", "  ", "   "]) + token[cut:] + \
                    rng.choice(["", " ", "  "])
        return ak, sk, token

    def text_body(self):
        rng = self.rng
        r = rng.random()
        if r < 0.4:
            return "&".join(f"{rng.choice(QUERY_KEYS)}={self.component(0, 10, False)}"
                            for _ in range(rng.randint(1, 6)))
        if r < 0.7:
            return json.dumps({"Key": self.component(1, 10, False), "n": rng.randint(0, 10**9),
                               "s": rng.choice(NON_ASCII) * rng.randint(1, 3)}, ensure_ascii=False)
        return "".join(chr(rng.randint(0x20, 0x7E)) for _ in range(rng.randint(1, 300)))

    def set_body(self, req, kind):
        """Put a body of `kind` on the CLI request; return the bytes."""
        rng = self.rng
        if kind == "empty":
            r = rng.random()
            if r < 0.2:
                req["body"] = ""
            elif r < 0.3:
                req["body_base64"] = ""
            return b""
        if kind == "text":
            text = self.text_body()
            req["body"] = text
            return text.encode("utf-8")
        data = bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 512)))
        req["body_base64"] = base64.b64encode(data).decode()
        if self.chance(0.2):
            req["body"] = "body_base64 wins over this"
        return data

    def host(self, service, region):
        rng = self.rng
        if service == "s3":
            bucket = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(rng.randint(3, 12)))
            return rng.choice([f"{bucket}.s3.{region}.amazonaws.com", f"s3.{region}.amazonaws.com",
                               f"{bucket}.s3.amazonaws.com", "localhost", "127.0.0.1"])
        return rng.choice([f"{service}.{region}.amazonaws.com", f"{service}.amazonaws.com",
                           "example.amazonaws.com", f"abc123xyz.{service}.{region}.amazonaws.com",
                           "localhost", "10.0.0.7"])

    def case(self, idx):
        rng = self.rng
        service = rng.choice(SERVICES)
        region = rng.choice(REGIONS) if self.chance(0.9) else (
            rng.choice(["xx", "zz", "qa"]) + "-" + rng.choice(["east", "west", "test"]) + "-" + str(rng.randint(1, 9)))
        mode = "query" if self.chance(0.4) else "header"
        query_mode = mode == "query"
        scheme = "https" if self.chance(0.9) else "http"
        host = self.host(service, region)
        port_kind = rng.choices(["none", "custom", "default"], [0.7, 0.2, 0.1])[0]
        authority, host_header = host, host
        if port_kind == "custom":
            port = rng.choice([8443, 9000, 4566, 10443, rng.randint(1024, 65535)])
            authority = host_header = f"{host}:{port}"
        elif port_kind == "default":
            authority = host + (":443" if scheme == "https" else ":80")
        path = self.path(query_mode)
        q = self.query(query_mode)
        url = f"{scheme}://{authority}{path}" + (f"?{q}" if q else "")
        headers = self.headers(query_mode)
        if port_kind == "default" or self.chance(0.45):
            headers.insert(rng.randint(0, len(headers)), [self.recase("Host"), host_header])
        ak, sk, token = self.credentials()
        if query_mode:
            method = rng.choice(["GET"] * 6 + ["PUT", "HEAD", "DELETE", "POST"])
        else:
            method = rng.choice(["GET", "GET", "PUT", "POST", "POST", "DELETE", "HEAD", "PATCH", "OPTIONS"])
        req = {"id": idx if idx % 3 else f"case-{idx}", "method": method, "url": url,
               "headers": headers, "region": region, "service": service,
               "access_key_id": ak, "secret_access_key": sk, "timestamp": self.timestamp(),
               "mode": mode}
        if token:
            req["session_token"] = token
        if query_mode:
            req["expires"] = rng.choice([1, 604800, 3600, 900, rng.randint(1, 604800)])

        s3 = service == "s3"
        if service == "s3-object-lambda":
            s3 = True
            req["s3_path_rules"] = True
        elif s3 and self.chance(0.2):
            req["s3_path_rules"] = True
        elif not s3 and self.chance(0.15):
            req["s3_path_rules"] = False
        if self.chance(0.1):
            req["normalize_path"] = not s3
        if self.chance(0.1):
            req["double_encode"] = not s3

        data = _MISSING  # what botocore gets, when it differs from the CLI's body
        if mode == "header":
            kinds = (["body", "body", "unsigned", "precomputed", "streaming"] if s3 else
                     ["body", "body", "body", "precomputed", "unsigned", "body+header", "streaming"])
            kind = rng.choice(kinds)
            body_kind = rng.choice(["empty", "text", "binary"])
            if kind == "body":
                self.set_body(req, body_kind)
            elif kind == "body+header":
                self.set_body(req, body_kind)
                req["content_sha256_header"] = True
            elif kind == "unsigned":
                self.set_body(req, body_kind)
                req["payload_hash"] = UNSIGNED
                if not s3:
                    req["content_sha256_header"] = True
            elif kind == "streaming":
                req["payload_hash"] = STREAMING_TRAILER
                if self.chance(0.5):
                    self.set_body(req, "text")
            else:  # precomputed: the CLI gets the hash and a decoy body (or none)
                real = {}
                data = self.set_body(real, rng.choice(["empty", "text", "binary"]))
                req["payload_hash"] = hashlib.sha256(data).hexdigest()
                if self.chance(0.6):
                    self.set_body(req, rng.choice(["text", "binary"]))
                if not s3 and self.chance(0.3):
                    req["content_sha256_header"] = True
            if s3 and self.chance(0.1):
                req["content_sha256_header"] = True
        else:
            data = b""
            if s3:
                req["payload_hash"] = UNSIGNED
            else:
                kind = rng.choice(["empty", "empty", "explicit-empty", "unsigned", "streaming"])
                if kind == "explicit-empty":
                    req["payload_hash"] = EMPTY_SHA256
                elif kind == "unsigned" and scheme == "https":
                    req["payload_hash"] = UNSIGNED
                elif kind == "streaming":
                    req["payload_hash"] = STREAMING_TRAILER
            if "payload_hash" in req and self.chance(0.3):
                self.set_body(req, rng.choice(["text", "binary"]))  # decoy: payload_hash wins
        spec = boto_spec(req, data)  # raises Unexpressible on a generator bug
        return req, spec


def coverage(req):
    """Feature labels of one generated request (for the coverage table)."""
    f = set()
    s3 = req.get("s3_path_rules", req["service"] == "s3")
    f.add("mode:" + req["mode"])
    f.add("rules:s3" if s3 else "rules:generic")
    if req["service"] not in ("s3",):
        f.add("service:" + ("s3-like" if s3 else "other"))
    f.add("session_token" if "session_token" in req else "no_session_token")
    scheme, authority, path, query = split_url(req["url"])
    f.add("scheme:" + scheme)
    if ":" in authority:
        f.add("port:" + ("default" if authority.endswith((":443", ":80")) else "custom"))
    names = [n for n, _ in req["headers"]]
    lower = [n.lower() for n in names]
    f.add("host:given" if "host" in lower else "host:from-url")
    if len(set(lower)) < len(lower):
        f.add("header:repeated-name")
    if any(a != b and a.lower() == b.lower() for a in names for b in names):
        f.add("header:repeated-name-other-case")
    if any(n != n.lower() and n != n.upper() for n in names):
        f.add("header:mixed-case-name")
    for n, v in req["headers"]:
        if v.startswith(" ") and v.strip():
            f.add("value:leading-space")
        if v.endswith(" ") and v.strip():
            f.add("value:trailing-space")
        if "  " in v.strip():
            f.add("value:inner-space-run")
        if not v.strip():
            f.add("value:empty-or-blank")
        if n.lower() in UNSIGNED_BY_DEFAULT:
            f.add("header:unsigned-by-default")
    if "%20" in path:
        f.add("path:%20")
    if re.search(r"%E[0-9A-F](%[89AB][0-9A-F]){2}", path):
        f.add("path:utf8-escape")
    if re.search(r"%[89A-F][0-9A-F]", path) and not re.search(r"%[C-F][0-9A-F]%[89AB]", path):
        f.add("path:non-utf8-escape")
    if path.endswith("/") and path != "/":
        f.add("path:trailing-slash")
    if path == "/":
        f.add("path:root")
    if query:
        keys = [p.partition("=")[0] for p in query.split("&")]
        if len(set(keys)) < len(keys):
            f.add("query:repeated-key")
        if any(p.endswith("=") for p in query.split("&")):
            f.add("query:empty-value k=")
        if any("=" not in p for p in query.split("&")):
            f.add("query:bare-key k")
        if any(a != b and b.startswith(a) for a in keys for b in keys):
            f.add("query:key-prefix-of-key")
    body = body_bytes(req)
    f.add("body:" + ("empty" if not body else "base64" if "body_base64" in req else "text"))
    if "body" in req and "body_base64" in req:
        f.add("body:body+body_base64")
    ph = req.get("payload_hash")
    f.add("payload_hash:" + ("absent" if ph is None else ph if not re.fullmatch(r"[0-9a-f]{64}", ph)
                             else "hex"))
    if req.get("content_sha256_header") and not s3:
        f.add("content_sha256_header:generic")
    if req.get("expires") in (1, 604800):
        f.add("expires:edge")
    if req["timestamp"][4:8] == "0229":
        f.add("timestamp:leap-day")
    return f


REQUIRED_FEATURES = [
    "mode:header", "mode:query", "rules:s3", "rules:generic", "service:s3-like", "session_token",
    "no_session_token", "scheme:http", "port:custom", "port:default", "host:given",
    "host:from-url", "header:repeated-name", "header:repeated-name-other-case",
    "header:mixed-case-name", "value:leading-space", "value:trailing-space",
    "value:inner-space-run", "value:empty-or-blank", "header:unsigned-by-default", "path:%20",
    "path:utf8-escape", "path:non-utf8-escape", "path:trailing-slash", "path:root",
    "query:repeated-key", "query:empty-value k=", "query:bare-key k", "query:key-prefix-of-key",
    "body:empty", "body:text", "body:base64", "body:body+body_base64", "payload_hash:absent",
    "payload_hash:UNSIGNED-PAYLOAD", "payload_hash:hex", "payload_hash:" + STREAMING_TRAILER,
    "content_sha256_header:generic", "expires:edge",
]


def generate(count, seed):
    gen = Generator(seed)
    cases = [gen.case(i) for i in range(count)]
    blank_after = {i for i in range(count) if gen.rng.random() < 0.01}
    return cases, blank_after


# --------------------------------------------------------------------------------------
# Running the CLI and comparing
# --------------------------------------------------------------------------------------

def query_pairs(url):
    q = urllib.parse.urlsplit(url).query
    # botocore re-serialises a bare key `k` as `k=`; the two mean the same
    return sorted(p.partition("=")[0::2] for p in q.split("&") if p)


def url_base(url):
    s = urllib.parse.urlsplit(url)
    return (s.scheme, s.netloc, s.path, s.fragment)


def compare(req, boto, ans):
    """List of problems (empty when the CLI agrees with botocore)."""
    if not isinstance(ans, dict):
        return ["answer is not a JSON object"]
    problems = []
    if ans.get("id") != req["id"]:
        problems.append(f"id: sent {req['id']!r}, got {ans.get('id')!r}")
    if "error" in ans:
        return problems + [f"error answer: {json.dumps(ans['error'])}"]
    if ans.get("signature") != boto["signature"]:
        problems.append(f"signature: botocore {boto['signature']}, cli {ans.get('signature')}")
    if req["mode"] == "header":
        if ans.get("authorization") != boto["authorization"]:
            problems.append(f"authorization:\n    botocore {boto['authorization']}\n"
                            f"    cli      {ans.get('authorization')}")
    else:
        cli_url = ans.get("url")
        if not isinstance(cli_url, str):
            problems.append("url: missing from the answer")
        elif url_base(cli_url) != url_base(boto["url"]) or query_pairs(cli_url) != query_pairs(boto["url"]):
            problems.append(f"url:\n    botocore {boto['url']}\n    cli      {cli_url}")
    return problems


def show_block(title, text):
    print(f"  --- {title}:")
    for line in (text if isinstance(text, str) else repr(text)).split("\n"):
        print("    | " + line)


def report_mismatch(req, boto, ans, problems):
    print(f"MISMATCH id={req['id']!r} mode={req['mode']} service={req['service']}")
    for p in problems:
        print("  " + p)
    print("  request: " + json.dumps(req, ensure_ascii=False))
    if not isinstance(ans, dict):
        return
    for field in ("canonical_request", "string_to_sign"):
        show_block(f"botocore {field}", boto[field])
        show_block(f"cli {field}", ans.get(field, "<missing>"))
        if isinstance(ans.get(field), str) and ans[field] != boto[field]:
            diff = difflib.unified_diff(boto[field].split("\n"), ans[field].split("\n"),
                                        "botocore", "cli", lineterm="", n=1)
            show_block(f"{field} diff", "\n".join(diff))


def cli_command(cli):
    if os.path.exists(cli):
        return [cli]
    return shlex.split(cli)


def run_cli(cmd, lines, timeout):
    """Feed every line to one `<cmd> sign --jsonl` process; return (rc, stdout lines, stderr)."""
    proc = subprocess.run(cmd + ["sign", "--jsonl"], input="".join(lines).encode("utf-8"),
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
    return proc.returncode, proc.stdout.decode("utf-8", "replace").splitlines(), \
        proc.stderr.decode("utf-8", "replace")


def differential(cmd, count, seed, verbose, show, timeout, dump=None, label="cli", header_only=False):
    """Run the comparison; returns (passed, failed)."""
    t0 = time.time()
    cases, blank_after = generate(count, seed)
    if header_only:  # a build without presigning (SIGV4KIT_NO_PRESIGN): header-mode cases only
        keep = [i for i, (req, _) in enumerate(cases) if req["mode"] == "header"]
        blank_after = {j for j, i in enumerate(keep) if i in blank_after}
        cases = [cases[i] for i in keep]
    boto = []
    with FrozenClock():
        for req, spec in cases:
            boto.append(botocore_sign(spec))
    t1 = time.time()
    lines = []
    for i, (req, _) in enumerate(cases):
        lines.append(json.dumps(req, ensure_ascii=False) + "\n")
        if i in blank_after:
            lines.append("\n")  # the contract skips blank lines
    if dump:
        with open(dump, "w", encoding="utf-8") as fh:
            fh.writelines(lines)
    try:
        rc, out, err = run_cli(cmd, lines, timeout)
    except subprocess.TimeoutExpired:
        print(f"FAIL: {label} did not answer {count} requests within {timeout}s")
        return 0, count
    except OSError as exc:
        print(f"FAIL: cannot run {' '.join(cmd)}: {exc}")
        return 0, count
    t2 = time.time()

    passed = failed = shown = 0
    for i, (req, _) in enumerate(cases):
        if i < len(out):
            try:
                ans = json.loads(out[i])
            except ValueError:
                ans = None
                problems = [f"answer line is not JSON: {out[i][:200]!r}"]
            else:
                problems = compare(req, boto[i], ans)
        else:
            ans, problems = None, ["no answer line"]
        if problems:
            failed += 1
            if shown < show or verbose:
                shown += 1
                report_mismatch(req, boto[i], ans, problems)
        else:
            passed += 1
            if verbose:
                print(f"ok id={req['id']!r} mode={req['mode']} service={req['service']} "
                      f"signature={boto[i]['signature']}")
    if failed > shown:
        print(f"... {failed - shown} more mismatches not shown (use --show N or --verbose)")
    if len(out) > len(cases):
        print(f"FAIL: {label} wrote {len(out) - len(cases)} answer lines more than requests")
        failed += 1
    if rc != 0:
        print(f"FAIL: {label} exited with status {rc} (the contract says 0); stderr:\n{err[-2000:]}")
        failed += 1
    if verbose:
        feats = collections.Counter(f for req, _ in cases for f in coverage(req))
        print("coverage: " + ", ".join(f"{k}={v}" for k, v in sorted(feats.items())))
    print(f"timing: botocore {t1 - t0:.2f}s, {label} {t2 - t1:.2f}s for {count} requests "
          f"(seed {seed})")
    return passed, failed


# --------------------------------------------------------------------------------------
# Self-check
# --------------------------------------------------------------------------------------

def suite_case_to_request(folder, mode):
    ctx = json.load(open(os.path.join(folder, "context.json"), encoding="utf-8"))
    raw = open(os.path.join(folder, "request.txt"), "rb").read().decode("utf-8")
    head, _, body = raw.partition("\n\n")
    lines = head.split("\n")
    method, rest = lines[0].split(" ", 1)
    target = rest.rsplit(" ", 1)[0]
    headers = []
    for line in lines[1:]:
        if line[:1] in (" ", "\t") and headers:
            headers[-1][1] += "\n" + line  # folded line
        elif line:
            n, _, v = line.partition(":")
            headers.append([n, v])
    host = next(v for n, v in headers if n.lower() == "host").strip()
    creds = ctx["credentials"]
    req = {"id": os.path.basename(folder), "method": method, "url": f"https://{host}{target}",
           "headers": headers, "body": body, "region": ctx["region"], "service": ctx["service"],
           "access_key_id": creds["access_key_id"], "secret_access_key": creds["secret_access_key"],
           "timestamp": ctx["timestamp"].replace("-", "").replace(":", ""),
           "mode": mode, "expires": ctx.get("expiration_in_seconds", 3600),
           "s3_path_rules": False, "normalize_path": ctx.get("normalize", True),
           "double_encode": True, "content_sha256_header": bool(ctx.get("sign_body"))}
    if creds.get("token"):
        req["session_token"] = creds["token"]
    if ctx.get("omit_session_token"):
        req["omit_session_token"] = True
    return req


def workload_to_request(wl, case):
    req = {k: v for k, v in case.items() if k not in ("name", "expected_signature", "session_token")}
    req["id"] = case["name"]
    req.update(access_key_id=wl["credentials"]["access_key_id"],
               secret_access_key=wl["credentials"]["secret_access_key"], timestamp=wl["timestamp"])
    if case.get("session_token"):
        req["session_token"] = wl["credentials"]["session_token"]
    if req.get("payload_hash") == "sha256-of-body":
        del req["payload_hash"]
    return req


def self_check(args):
    ok = bad = 0

    def check(cond, what):
        nonlocal ok, bad
        if cond:
            ok += 1
        else:
            bad += 1
        print(("  ok    " if cond else "  FAIL  ") + what)

    suite = os.path.join(args.shared, "conformance", "aws-sigv4-suite", "v4")
    workload = os.path.join(args.shared, "bench", "workload.json")

    print("[1] botocore and the reference signer against known signatures")
    vanilla = os.path.join(suite, "get-vanilla")
    if os.path.isdir(vanilla):
        for mode in ("header", "query"):
            req = suite_case_to_request(vanilla, mode)
            want = {f: open(os.path.join(vanilla, f"{mode}-{f.replace('_', '-')}.txt")).read().strip()
                    for f in ("canonical_request", "string_to_sign", "signature")}
            with FrozenClock():
                got = botocore_sign(boto_spec(req))
            for f in ("canonical_request", "string_to_sign", "signature"):
                check(got[f] == want[f], f"botocore get-vanilla {mode} {f}")
            ref = reference_sign(req)
            check(ref["signature"] == want["signature"], f"reference get-vanilla {mode} signature")
    else:
        print(f"  skip  {vanilla} not found (use --shared DIR)")
    if os.path.isfile(workload):
        wl = json.load(open(workload, encoding="utf-8"))
        for case in wl["cases"]:
            req = workload_to_request(wl, case)
            with FrozenClock():
                got = botocore_sign(boto_spec(req))
            check(got["signature"] == case["expected_signature"],
                  f"botocore workload {case['name']} = {case['expected_signature'][:16]}…")
            ref = reference_sign(req)
            check(ref["signature"] == case["expected_signature"], f"reference workload {case['name']}")
    else:
        print(f"  skip  {workload} not found (use --shared DIR)")

    if os.path.isdir(suite):
        print("[2] reference signer against every case of the AWS SigV4 suite (canonical request, "
              "string to sign, signature; header and query)")
        names = sorted(d for d in os.listdir(suite) if os.path.isdir(os.path.join(suite, d)))
        ref_fail, boto_agree, boto_total = [], [], 0
        for name in names:
            folder = os.path.join(suite, name)
            for mode in ("header", "query"):
                req = suite_case_to_request(folder, mode)
                want = {}
                for f in ("canonical_request", "string_to_sign", "signature"):
                    p = os.path.join(folder, f"{mode}-{f.replace('_', '-')}.txt")
                    if os.path.exists(p):
                        want[f] = open(p, encoding="utf-8").read().strip("\n")
                if not want:
                    continue
                ref = reference_sign(req)
                if any(ref[f] != v for f, v in want.items()):
                    ref_fail.append(f"{name}/{mode}")
                try:
                    spec = boto_spec(req)
                except Unexpressible:
                    continue
                boto_total += 1
                with FrozenClock():
                    if botocore_sign(spec)["signature"] == want.get("signature"):
                        boto_agree.append(f"{name}/{mode}")
        check(not ref_fail, f"reference signer: {2 * len(names) - len(ref_fail)}/{2 * len(names)} "
                            f"suite signings" + (f"; failing: {', '.join(ref_fail)}" if ref_fail else ""))
        print(f"  info  botocore matches {len(boto_agree)}/{boto_total} suite signings it can express "
              f"({2 * len(names) - boto_total} left out: botocore always normalises generic paths, "
              "so no *-unnormalized case, and moves a query-mode body into the query)")

    print(f"[3] generator: {args.count} requests, seed {args.seed}")
    t0 = time.time()
    cases, _ = generate(args.count, args.seed)
    again, _ = generate(min(args.count, 200), args.seed)
    check([c[0] for c in cases[:len(again)]] == [c[0] for c in again], "same seed, same requests")
    check(all(json.loads(json.dumps(r)) == r for r, _ in cases), "every request is JSON")
    check(all(parse_timestamp(r["timestamp"]) for r, _ in cases), "every timestamp is a valid date")
    check(all(1 <= r["expires"] <= 604800 for r, _ in cases if r["mode"] == "query"), "expires in 1..604800")
    forbidden = [r["id"] for r, _ in cases for n, v in r["headers"]
                 if n.lower() in FORBIDDEN_NAMES - {"host"} or re.search(r"[\t\r\n]", v)]
    check(not forbidden, "no header botocore rewrites, no tab/newline in values")
    try:
        with FrozenClock():
            boto = [botocore_sign(spec) for _, spec in cases]
        check(True, f"botocore signed all of them ({time.time() - t0:.2f}s with generation)")
    except Exception as exc:  # noqa: BLE001
        check(False, f"botocore signing raised {exc!r}")
        boto = None
    feats = collections.Counter(f for r, _ in cases for f in coverage(r))
    missing = [f for f in REQUIRED_FEATURES if not feats[f]]
    check(not missing, "every required feature is generated" + (f"; missing: {missing}" if missing else ""))
    print("  coverage: " + ", ".join(f"{k}={v}" for k, v in sorted(feats.items())))
    if boto:
        print("  sample cases (request sent to the CLI -> botocore's answer):")
        for (req, _), b in list(zip(cases, boto))[:3]:
            print("    " + json.dumps(req, ensure_ascii=False))
            print("      -> signature " + b["signature"])
            print("      -> " + (b["authorization"] if req["mode"] == "header" else b["url"]))

    print("[4] differential pipeline with the reference signer as the CLI (--reference-jsonl)")
    cmd = [sys.executable, os.path.abspath(__file__), "--reference-jsonl"]
    passed, failed = differential(cmd, args.count, args.seed, args.verbose, args.show,
                                  args.timeout, args.dump, label="reference")
    print(f"  botocore vs reference: {passed} passed, {failed} failed")
    print(f"self-check: {ok} checks ok, {bad} failed")
    total_pass, total_fail = passed + ok, failed + bad
    print(f"{total_pass} passed, {total_fail} failed")
    return 0 if total_fail == 0 else 1


# --------------------------------------------------------------------------------------

def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if "--reference-jsonl" in argv:
        return reference_jsonl_main()
    ap = argparse.ArgumentParser(description="Differential test of `sigv4kit sign --jsonl` against botocore.")
    ap.add_argument("--cli", help="path to the sigv4kit binary (or a command line)")
    ap.add_argument("--self-check", action="store_true",
                    help="no CLI: check botocore against known signatures, the reference signer against "
                         "the AWS suite, the generator, and botocore against the reference signer")
    ap.add_argument("--count", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--verbose", action="store_true", help="print every case and the coverage table")
    ap.add_argument("--show", type=int, default=5, help="mismatches shown in detail (default 5)")
    ap.add_argument("--timeout", type=float, default=300.0, help="seconds allowed for the CLI")
    ap.add_argument("--dump", metavar="FILE", help="also write the JSONL requests sent to FILE")
    ap.add_argument("--shared", default=DEFAULT_SHARED, help="the shared/ folder (default: %(default)s)")
    ap.add_argument("--header-only", action="store_true",
                    help="send only the header-mode cases (for a CLI built with SIGV4KIT_NO_PRESIGN)")
    args = ap.parse_args(argv)
    if not args.cli and not args.self_check:
        ap.error("give --cli PATH or --self-check")

    if import_botocore() is None:
        print(f"SKIP: botocore is not installed for {sys.executable}; "
              "install python3-botocore (Debian) or pip install botocore")
        return SKIP_EXIT

    if args.self_check:
        return self_check(args)

    cmd = cli_command(args.cli)
    passed, failed = differential(cmd, args.count, args.seed, args.verbose, args.show,
                                  args.timeout, args.dump, header_only=args.header_only)
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
