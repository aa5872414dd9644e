// AWS Signature Version 4 in the browser (WebCrypto), so that the console
// signs its requests like any AWS client when the server checks signatures
// (`weft server --credentials`). The key is kept for the browser session
// only (sessionStorage), never sent: only signatures are.

export interface Key {
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
}

const encoder = new TextEncoder();

function hex(buffer: ArrayBuffer): string {
  return [...new Uint8Array(buffer)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

async function sha256(data: string): Promise<string> {
  return hex(await crypto.subtle.digest("SHA-256", encoder.encode(data)));
}

async function hmac(key: BufferSource, data: string): Promise<ArrayBuffer> {
  const k = await crypto.subtle.importKey("raw", key, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return crypto.subtle.sign("HMAC", k, encoder.encode(data));
}

async function signingKey(secret: string, date: string, region: string, service: string) {
  let k: ArrayBuffer = await hmac(encoder.encode("AWS4" + secret) as Uint8Array<ArrayBuffer>, date);
  for (const part of [region, service, "aws4_request"]) k = await hmac(k, part);
  return k;
}

// "20261207T101500Z"
export function amzDate(now: Date): string {
  return now.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
}

const encode = (s: string) =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase());

// The headers to add to a request: X-Amz-Date and Authorization. `headers`
// are the request's own (lowercase names); all of them are signed, with host.
export async function signHeaders(key: Key, service: string, method: string, host: string,
  path: string, headers: Record<string, string>, body: string, now = new Date()) {
  const date = amzDate(now);
  const all: Record<string, string> = { ...headers, host, "x-amz-date": date };
  const names = Object.keys(all).map((n) => n.toLowerCase()).sort();
  const lower = Object.fromEntries(Object.entries(all).map(([k, v]) => [k.toLowerCase(), v.trim()]));
  const canonical = [method, path, "", ...names.map((n) => `${n}:${lower[n]}`), "", names.join(";"),
    await sha256(body)].join("\n");
  const scope = `${date.slice(0, 8)}/${key.region}/${service}/aws4_request`;
  const toSign = ["AWS4-HMAC-SHA256", date, scope, await sha256(canonical)].join("\n");
  const signature = hex(await hmac(await signingKey(key.secretAccessKey, date.slice(0, 8), key.region, service), toSign));
  return {
    "x-amz-date": date,
    authorization: `AWS4-HMAC-SHA256 Credential=${key.accessKeyId}/${scope}, SignedHeaders=${names.join(";")}, Signature=${signature}`,
  };
}

// A presigned GET URL (query-string authentication, host signed), for what a
// browser cannot add headers to: the EventSource of live updates.
export async function presignUrl(key: Key, service: string, host: string, path: string,
  query: Record<string, string>, expiresSeconds = 900, now = new Date()): Promise<string> {
  const date = amzDate(now);
  const scope = `${date.slice(0, 8)}/${key.region}/${service}/aws4_request`;
  const params: Record<string, string> = {
    ...query,
    "X-Amz-Algorithm": "AWS4-HMAC-SHA256",
    "X-Amz-Credential": `${key.accessKeyId}/${scope}`,
    "X-Amz-Date": date,
    "X-Amz-Expires": String(expiresSeconds),
    "X-Amz-SignedHeaders": "host",
  };
  const canonicalQuery = Object.keys(params).sort().map((k) => `${encode(k)}=${encode(params[k])}`).join("&");
  const canonical = ["GET", path, canonicalQuery, `host:${host}`, "", "host", await sha256("")].join("\n");
  const toSign = ["AWS4-HMAC-SHA256", date, scope, await sha256(canonical)].join("\n");
  const signature = hex(await hmac(await signingKey(key.secretAccessKey, date.slice(0, 8), key.region, service), toSign));
  return `${path}?${canonicalQuery}&X-Amz-Signature=${signature}`;
}

const STORAGE = "weft.key";

export function savedKey(): Key | null {
  try {
    const text = sessionStorage.getItem(STORAGE);
    return text ? (JSON.parse(text) as Key) : null;
  } catch {
    return null;
  }
}

export function saveKey(key: Key | null) {
  if (key) sessionStorage.setItem(STORAGE, JSON.stringify(key));
  else sessionStorage.removeItem(STORAGE);
}
