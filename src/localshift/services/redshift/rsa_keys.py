"""RSA public keys in PEM (SubjectPublicKeyInfo), made with the standard library alone:
what CreateHsmClientCertificate hands out as the key a customer registers in the HSM."""

from __future__ import annotations

import base64
import math
import secrets
import textwrap

PUBLIC_EXPONENT = 65537
# The RSA algorithm identifier: SEQUENCE { OID 1.2.840.113549.1.1.1, NULL }.
_RSA_ALGORITHM = bytes.fromhex("300d06092a864886f70d0101010500")


def _odd_primes_below(limit: int) -> list[int]:
    sieve = bytearray([1]) * limit
    for n in range(3, int(limit**0.5) + 1, 2):
        if sieve[n]:
            sieve[n * n::2 * n] = bytes(len(range(n * n, limit, 2 * n)))
    return [n for n in range(3, limit, 2) if sieve[n]]


_SMALL_PRIMES = _odd_primes_below(20000)
# One gcd with their product tells whether a candidate has a small factor.
_SMALL_PRODUCT = math.prod(_SMALL_PRIMES)


def _probably_prime(n: int, rounds: int = 16) -> bool:
    """Trial division, then Miller-Rabin with random bases (16 rounds: below 2**-32 wrong, far less for
    random candidates)."""
    if math.gcd(n, _SMALL_PRODUCT) != 1:
        return False
    d, s = n - 1, 0
    while d % 2 == 0:
        d, s = d // 2, s + 1
    for _ in range(rounds):
        x = pow(secrets.randbelow(n - 3) + 2, d, n)
        if x in (1, n - 1):
            continue
        for _ in range(s - 1):
            x = pow(x, 2, n)
            if x == n - 1:
                break
        else:
            return False
    return True


def _prime(bits: int) -> int:
    while True:
        # The top two bits set, so two such primes make a modulus of exactly 2 * bits bits.
        candidate = secrets.randbits(bits) | (0b11 << (bits - 2)) | 1
        if (candidate - 1) % PUBLIC_EXPONENT and _probably_prime(candidate):
            return candidate


def _der(tag: int, content: bytes) -> bytes:
    length = len(content)
    if length < 0x80:
        return bytes([tag, length]) + content
    size = length.to_bytes((length.bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(size)]) + size + content


def _der_integer(value: int) -> bytes:
    return _der(0x02, value.to_bytes(value.bit_length() // 8 + 1, "big"))


def public_key_pem(bits: int = 2048) -> str:
    """A new RSA public key (the private half is never kept) as ``-----BEGIN PUBLIC KEY-----`` PEM."""
    modulus = _prime(bits // 2) * _prime(bits // 2)
    key = _der(0x30, _der_integer(modulus) + _der_integer(PUBLIC_EXPONENT))
    info = _der(0x30, _RSA_ALGORITHM + _der(0x03, b"\x00" + key))
    body = "\n".join(textwrap.wrap(base64.b64encode(info).decode(), 64))
    return f"-----BEGIN PUBLIC KEY-----\n{body}\n-----END PUBLIC KEY-----\n"
