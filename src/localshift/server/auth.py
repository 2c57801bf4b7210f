"""AWS Signature Version 4: who signed a request, in which region, and was it signed right.

Open mode accepts any key (a 12-digit access key id is taken as the account
id, anything else maps to the default account).  Strict mode knows every
access key's secret and account, and verifies the signature as AWS does:
canonical request, string to sign, derived signing key; the credential scope
must name the service being called and a well-formed AWS region.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from typing import Mapping
from urllib.parse import parse_qsl, quote

from localshift.config import SettingsError
from localshift.errors import ApiError
from localshift.protocol.wire import Request

ALGORITHM = "AWS4-HMAC-SHA256"
MAX_SKEW_SECONDS = 15 * 60
MAX_PRESIGN_SECONDS = 7 * 24 * 3600
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
_CREDENTIAL = re.compile(r"^([^/]+)/(\d{8})/([^/]+)/([^/]+)/aws4_request$")
# The shape of every AWS region name: us-east-1, eu-central-2, us-gov-west-1, cn-north-1,
# us-iso-east-1, ap-southeast-5, eusc-de-east-1.  Which regions exist changes; the shape does not.
_REGION = re.compile(r"[a-z]{2,4}(-[a-z]+)+-\d{1,2}")
_ACCOUNT = re.compile(r"\d{12}")
# The IAM identity a strict-mode key stands for: a user's key, or an assumed role's session.
_PRINCIPAL = re.compile(r"(?:user|role)/[\w+=,.@-]{1,64}")


@dataclass(frozen=True)
class Credential:
    access_key: str
    secret_key: str
    account: str
    principal: str = ""  # "user/<name>" or "role/<name>"; empty: the key alone names the caller


@dataclass(frozen=True)
class Caller:
    account: str
    region: str
    access_key: str
    principal: str = ""  # the key's IAM identity (Credential.principal)


@dataclass(frozen=True)
class _Signature:
    access_key: str
    date: str
    region: str
    service: str
    signed_headers: list[str]
    signature: str
    timestamp: str
    presigned: bool
    expires: str = ""  # X-Amz-Expires of a presigned URL, in seconds


class Authenticator:
    def __init__(self, default_account: str, credentials: list[Credential] | None = None,
                 admin_accounts: set[str] | None = None) -> None:
        self.default_account = default_account
        self.credentials = {c.access_key: c for c in credentials or []}
        # Strict mode's admin accounts: LOCALSHIFT_ADMIN_ACCOUNTS; unset, the account configured when
        # there is one alone (the server is its own), else none: then each account administers itself.
        self.admins_named = bool(admin_accounts)
        configured = {c.account for c in self.credentials.values()}
        self.admin_accounts = admin_accounts or (configured if len(configured) == 1 else set())

    @property
    def strict(self) -> bool:
        return bool(self.credentials)

    def may_administer(self, caller: Caller) -> bool:
        """Whether ``caller`` may do what reaches every account: reset another account or all of them,
        move the clock every account shares."""
        return caller.account in self.admin_accounts

    def may_administer_itself(self, caller: Caller) -> bool:
        """Whether ``caller`` may reset its own resources, read its own state and the health's paths:
        an admin, or any configured account while no admin accounts are named."""
        return not self.admins_named or self.may_administer(caller)

    def anonymous(self) -> Caller:
        """The caller of an unsigned request to an operation that needs no signature: the default
        account; such a request names no region, and STS's global endpoint is in us-east-1."""
        return Caller(self.default_account, "us-east-1", "")

    def authenticate(self, request: Request, service: str, now: datetime | None = None) -> Caller:
        """Who signed ``request`` for ``service`` (the signing name its credential scope must carry)."""
        signature = _read_signature(request)
        if not self.strict:
            account = signature.access_key if _ACCOUNT.fullmatch(signature.access_key) else self.default_account
            return Caller(account, signature.region, signature.access_key)
        credential = self.credentials.get(signature.access_key)
        if credential is None:
            raise ApiError(
                "InvalidClientTokenId", "The security token included in the request is invalid.", status=403
            )
        # AWS's own words, trailing space included.
        if signature.service != service:
            raise _mismatch(f"Credential should be scoped to correct service: '{service}'. ")
        if not _REGION.fullmatch(signature.region):
            raise _mismatch(f"Credential should be scoped to a valid region, not '{signature.region}'. ")
        _check_signed_headers(signature)
        _check_time(signature, now or datetime.now(timezone.utc))
        if signature.date != signature.timestamp[:8]:
            raise _mismatch(
                f"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: "
                f"'{signature.date}' != '{signature.timestamp[:8]}'."
            )
        if signature.presigned and request.body:
            # A presigned URL signs its query string only; a body would carry unsigned parameters.
            raise _mismatch("A presigned request must not carry a body: its parameters would not be signed.")
        if not _signature_matches(request, signature, credential.secret_key):
            raise _mismatch(
                "The request signature we calculated does not match the signature you provided. "
                "Check your AWS Secret Access Key and signing method."
            )
        return Caller(credential.account, signature.region, signature.access_key, credential.principal)


def _mismatch(message: str) -> ApiError:
    return ApiError("SignatureDoesNotMatch", message, status=403)


# SDKs sign each request anew, but the Authorization header of one client differs from the
# last only in its signature and date: reading it is cached, keyed by the header and date.
_MAX_READ_HEADERS = 1024
_read_headers: dict[tuple[str, str], _Signature] = {}


def carries_signature(request: Request) -> bool:
    """Whether ``request`` is signed, in its Authorization header or as a presigned URL."""
    if "authorization" in request.headers:
        return True
    return _is_presigned(dict(parse_qsl(request.query_string, keep_blank_values=True)))


def _is_presigned(query: Mapping[str, str]) -> bool:
    return "X-Amz-Signature" in query or "X-Amz-Credential" in query


def _read_signature(request: Request) -> _Signature:
    header = request.headers.get("authorization")
    if header is not None:
        key = (header, request.headers.get("x-amz-date", ""))
        signature = _read_headers.get(key)
        if signature is None:
            signature = _from_header(header, request.headers)
            if len(_read_headers) >= _MAX_READ_HEADERS:
                _read_headers.clear()
            _read_headers[key] = signature
        return signature
    query = dict(parse_qsl(request.query_string, keep_blank_values=True))
    if _is_presigned(query):
        return _from_query(query)
    raise ApiError("MissingAuthenticationToken", "Request is missing Authentication Token", status=403)


def _incomplete(message: str) -> ApiError:
    return ApiError("IncompleteSignature", message, status=400)


def _from_header(header: str, headers: Mapping[str, str]) -> _Signature:
    algorithm, _, rest = header.strip().partition(" ")
    if algorithm != ALGORITHM:
        raise _incomplete(f"Unsupported authorization algorithm {algorithm or '(none)'}; use {ALGORITHM}.")
    fields: dict[str, str] = {}
    for part in rest.split(","):
        key, sep, value = part.strip().partition("=")
        if sep:
            fields[key] = value
    for required in ("Credential", "SignedHeaders", "Signature"):
        if required not in fields:
            raise _incomplete(f"Authorization header requires '{required}' parameter.")
    timestamp = headers.get("x-amz-date", "")
    return _signature(fields["Credential"], fields["SignedHeaders"], fields["Signature"], timestamp, False)


def _from_query(query: Mapping[str, str]) -> _Signature:
    for required in ("X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-SignedHeaders", "X-Amz-Signature", "X-Amz-Date"):
        if required not in query:
            raise _incomplete(f"Presigned request requires the '{required}' query parameter.")
    if query["X-Amz-Algorithm"] != ALGORITHM:
        raise _incomplete(f"Unsupported algorithm {query['X-Amz-Algorithm']}; use {ALGORITHM}.")
    signature = _signature(
        query["X-Amz-Credential"], query["X-Amz-SignedHeaders"], query["X-Amz-Signature"], query["X-Amz-Date"], True
    )
    return replace(signature, expires=query.get("X-Amz-Expires", ""))


def _signature(credential: str, signed_headers: str, signature: str, timestamp: str, presigned: bool) -> _Signature:
    match = _CREDENTIAL.match(credential)
    if not match:
        raise _incomplete(f"Credential '{credential}' is malformed: expected <key>/<date>/<region>/<service>/aws4_request.")
    access_key, date, region, service = match.groups()
    return _Signature(
        access_key, date, region, service, signed_headers.lower().split(";"), signature, timestamp, presigned
    )


def _check_signed_headers(signature: _Signature) -> None:
    """SigV4 requires ``host`` among the signed headers (AWS's words below), and the date a
    header carries: otherwise a captured request could be sent again to another host, or after
    its 15 minutes under a new X-Amz-Date.  Every SDK signs both."""
    if "host" not in signature.signed_headers:
        raise _incomplete("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.")
    if not signature.presigned and "x-amz-date" not in signature.signed_headers:
        raise _incomplete("'X-Amz-Date' must be a 'SignedHeader' in the AWS Authorization.")


def _check_time(signature: _Signature, now: datetime) -> None:
    try:
        signed_at = datetime.strptime(signature.timestamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc)
    except ValueError:
        raise _incomplete("The request must carry a valid X-Amz-Date in the form YYYYMMDDTHHMMSSZ.") from None
    age = (now - signed_at).total_seconds()
    if signature.presigned and signature.expires:
        # A presigned URL is good from its date until X-Amz-Expires seconds later (at most 7 days).
        try:
            expires = int(signature.expires)
        except ValueError:
            expires = -1
        if not 0 < expires <= MAX_PRESIGN_SECONDS:
            raise _incomplete(f"X-Amz-Expires must be a whole number of seconds from 1 to {MAX_PRESIGN_SECONDS}.")
        if age > expires or age < -MAX_SKEW_SECONDS:
            raise ApiError(
                "RequestExpired",
                f"Request has expired: signed at {signature.timestamp} for {expires} seconds; "
                f"it is now {now.strftime('%Y%m%dT%H%M%SZ')}.",
                status=400,
            )
        return
    if abs(age) > MAX_SKEW_SECONDS:
        raise ApiError(
            "RequestExpired",
            f"Signature expired: {signature.timestamp} is now earlier or later than the allowed 15 minutes "
            f"of {now.strftime('%Y%m%dT%H%M%SZ')}.",
            status=400,
        )


def _canonical_query(query_string: str, presigned: bool) -> str:
    pairs = parse_qsl(query_string, keep_blank_values=True)
    if presigned:
        pairs = [(k, v) for k, v in pairs if k != "X-Amz-Signature"]
    encoded = sorted((quote(k, safe="-_.~"), quote(v, safe="-_.~")) for k, v in pairs)
    return "&".join(f"{k}={v}" for k, v in encoded)


def _canonical_request(request: Request, signature: _Signature, payload_hash: str) -> str:
    headers = "".join(
        f"{name}:{' '.join(request.headers.get(name, '').split())}\n" for name in signature.signed_headers
    )
    return "\n".join([
        request.method.upper(),
        quote(request.path or "/", safe="/~"),
        _canonical_query(request.query_string, signature.presigned),
        headers,
        ";".join(signature.signed_headers),
        payload_hash,
    ])


def _signing_key(secret: str, signature: _Signature) -> bytes:
    key = ("AWS4" + secret).encode()
    for part in (signature.date, signature.region, signature.service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return key


def _signature_matches(request: Request, signature: _Signature, secret: str) -> bool:
    body_hash = hashlib.sha256(request.body).hexdigest()
    declared = request.headers.get("x-amz-content-sha256")
    if signature.presigned:
        # The body is empty (checked by the caller): botocore signs the hash of that empty
        # body, S3-style signers sign UNSIGNED-PAYLOAD.
        candidates = [body_hash, UNSIGNED_PAYLOAD]
    elif declared:
        # The declared hash is what was signed, but it must be the hash of the body that came:
        # the body carries the parameters. UNSIGNED-PAYLOAD is only honest for an empty body.
        if declared not in (body_hash, UNSIGNED_PAYLOAD) or (declared == UNSIGNED_PAYLOAD and request.body):
            return False
        candidates = [declared]
    else:
        candidates = [body_hash]
    key = _signing_key(secret, signature)
    scope = f"{signature.date}/{signature.region}/{signature.service}/aws4_request"
    for payload_hash in candidates:
        canonical = _canonical_request(request, signature, payload_hash)
        to_sign = "\n".join([ALGORITHM, signature.timestamp, scope, hashlib.sha256(canonical.encode()).hexdigest()])
        expected = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
        # compare_digest refuses non-ASCII str, and the signature is whatever the caller sent.
        if hmac.compare_digest(expected.encode(), signature.signature.encode("utf-8", "replace")):
            return True
    return False


def parse_accounts(spec: str, source: str) -> list[Credential]:
    """Parse 'AKID:SECRET:ACCOUNT[:user/NAME|role/NAME],...' (commas or newlines between entries,
    # comments).  The optional last field is the IAM identity the key stands for.

    A malformed entry is a SettingsError naming ``source`` and the entry's position,
    never its secret.
    """
    credentials = []
    entries = [entry.strip() for entry in re.split(r"[,\n]", spec)]
    for position, entry in enumerate((e for e in entries if e and not e.startswith("#")), start=1):
        parts = [part.strip() for part in entry.split(":")]
        if (len(parts) not in (3, 4) or not parts[0] or not parts[1] or not _ACCOUNT.fullmatch(parts[2])
                or len(parts) == 4 and not _PRINCIPAL.fullmatch(parts[3])):
            raise SettingsError(
                f"{source}: entry {position} (key '{parts[0]}') is not AKID:SECRET:ACCOUNT "
                "with a 12-digit account, optionally followed by :user/NAME or :role/NAME"
            )
        credentials.append(Credential(*parts))
    return credentials


def check_unique(credentials: list[Credential]) -> None:
    """One secret and one account per access key."""
    seen: dict[str, Credential] = {}
    for credential in credentials:
        if seen.setdefault(credential.access_key, credential) != credential:
            raise SettingsError(f"access key '{credential.access_key}' is configured twice, differently")


def parse_admin_accounts(spec: str, credentials: list[Credential], source: str) -> set[str]:
    """The accounts of LOCALSHIFT_ADMIN_ACCOUNTS: 12-digit ids, each with a configured key."""
    accounts = {entry.strip() for entry in spec.split(",") if entry.strip()}
    configured = {credential.account for credential in credentials}
    for account in sorted(accounts):
        if not _ACCOUNT.fullmatch(account):
            raise SettingsError(f"{source}: '{account}' is not a 12-digit account id")
        if account not in configured:
            raise SettingsError(f"{source}: account {account} has no configured access key (LOCALSHIFT_ACCOUNTS)")
    return accounts
