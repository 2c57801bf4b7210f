// AWS Signature Version 4 for the console's requests in strict mode, with the browser's WebCrypto.
// The server checks these as it checks any admin request (server/auth.py): the credential scope
// names the service "localshift"; the headers signed are host and x-amz-date; the body is empty.
"use strict";

const sigv4 = (() => {
  const encoder = new TextEncoder();

  function hex(buffer) {
    return Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, "0")).join("");
  }

  async function sha256(text) {
    return hex(await crypto.subtle.digest("SHA-256", encoder.encode(text)));
  }

  async function hmac(key, text) {
    const imported = await crypto.subtle.importKey("raw", key, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    return crypto.subtle.sign("HMAC", imported, encoder.encode(text));
  }

  // RFC 3986 encoding, as SigV4's canonical query string wants it.
  function encode(text) {
    return encodeURIComponent(text).replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase());
  }

  function canonicalQuery(url) {
    return Array.from(url.searchParams.entries(), ([k, v]) => [encode(k), encode(v)])
      .sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0))
      .map(([k, v]) => `${k}=${v}`)
      .join("&");
  }

  // Headers that sign `method url` (empty body) with the credentials, for `service` in `region`.
  async function headers(method, url, credentials, region = "us-east-1", service = "localshift") {
    if (!globalThis.crypto || !crypto.subtle) {
      throw new Error("This page is not a secure context: open the console at http://127.0.0.1 or http://localhost.");
    }
    const target = new URL(url, location.href);
    const stamp = new Date().toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
    const day = stamp.slice(0, 8);
    const canonical = [
      method, target.pathname, canonicalQuery(target),
      `host:${target.host}\nx-amz-date:${stamp}\n`, "host;x-amz-date", await sha256(""),
    ].join("\n");
    const scope = `${day}/${region}/${service}/aws4_request`;
    const toSign = ["AWS4-HMAC-SHA256", stamp, scope, await sha256(canonical)].join("\n");
    let key = encoder.encode("AWS4" + credentials.secretKey);
    for (const part of [day, region, service, "aws4_request"]) key = await hmac(key, part);
    const signature = hex(await hmac(key, toSign));
    return {
      "X-Amz-Date": stamp,
      Authorization: `AWS4-HMAC-SHA256 Credential=${credentials.accessKey}/${scope}, ` +
        `SignedHeaders=host;x-amz-date, Signature=${signature}`,
    };
  }

  return { headers };
})();
