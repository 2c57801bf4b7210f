"""RSA public keys in PEM (SubjectPublicKeyInfo): what CreateHsmClientCertificate hands out as the key a
customer registers in the HSM.  Made by OpenSSL (cryptography): a pure-Python search for 1024-bit primes
took 2 to 8 s of one core per key, holding up every other request meanwhile."""

from __future__ import annotations

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

PUBLIC_EXPONENT = 65537


def public_key_pem(bits: int = 2048) -> str:
    """A new RSA public key (the private half is never kept) as ``-----BEGIN PUBLIC KEY-----`` PEM."""
    key = rsa.generate_private_key(public_exponent=PUBLIC_EXPONENT, key_size=bits).public_key()
    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
