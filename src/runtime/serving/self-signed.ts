// A self-signed serving certificate made at start, as controller-runtime's secure metrics server makes
// one when given no certificate: an ECDSA P-256 key and an X.509 v3 certificate (SAN: the given DNS
// names and IPs) valid for one year, encoded in DER by hand (node:crypto signs but does not build
// certificates). Scrapers trust it only with verification off (ServiceMonitor tlsConfig.insecureSkipVerify).
import { generateKeyPairSync, randomBytes, sign } from "node:crypto";
import { isIPv4, isIPv6 } from "node:net";

/** PEM key and certificate for `tls.createServer`/`https.createServer`. */
export interface ServingCertificate {
  readonly key: string;
  readonly cert: string;
}

// DER: tag, definite length, contents.
function der(tag: number, ...contents: readonly Buffer[]): Buffer {
  const body = Buffer.concat(contents);
  const n = body.length;
  const length = n < 0x80 ? Buffer.from([n]) : n < 0x100 ? Buffer.from([0x81, n]) : Buffer.from([0x82, n >> 8, n & 0xff]);
  return Buffer.concat([Buffer.from([tag]), length, body]);
}
const seq = (...c: Buffer[]) => der(0x30, ...c);
const set = (...c: Buffer[]) => der(0x31, ...c);
const explicit = (n: number, ...c: Buffer[]) => der(0xa0 + n, ...c);

function oid(dotted: string): Buffer {
  const [a = 0, b = 0, ...rest] = dotted.split(".").map(Number);
  const bytes = [40 * a + b];
  for (const arc of rest) {
    const groups = [arc & 0x7f];
    for (let v = Math.floor(arc / 128); v > 0; v = Math.floor(v / 128)) groups.unshift((v & 0x7f) | 0x80);
    bytes.push(...groups);
  }
  return der(0x06, Buffer.from(bytes));
}

/** A DER INTEGER of unsigned big-endian `bytes`: minimal (no redundant leading zero octets), and positive (a 0 before a high bit). */
function positiveInteger(bytes: Buffer): Buffer {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  const minimal = bytes.subarray(start);
  const positive = (minimal[0] ?? 0) >= 0x80 ? Buffer.concat([Buffer.from([0]), minimal]) : minimal;
  return der(0x02, positive);
}

// UTCTime YYMMDDHHMMSSZ (years 1950-2049, RFC 5280).
function utcTime(d: Date): Buffer {
  const iso = d.toISOString();
  return der(0x17, Buffer.from(`${iso.slice(2, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`));
}

function ipBytes(ip: string): Buffer {
  if (isIPv4(ip)) return Buffer.from(ip.split(".").map(Number));
  const [head = "", tail = ""] = ip.split("::");
  const groups = (s: string) => (s === "" ? [] : s.split(":"));
  const h = groups(head);
  const t = ip.includes("::") ? groups(tail) : [];
  const all = [...h, ...Array<string>(8 - h.length - t.length).fill("0"), ...t];
  return Buffer.from(all.flatMap((g) => [parseInt(g, 16) >> 8, parseInt(g, 16) & 0xff]));
}

const ECDSA_WITH_SHA256 = seq(oid("1.2.840.10045.4.3.2"));

/** Makes a key and a self-signed certificate for `commonName`, with `hosts` (DNS names or IPs) as its SANs. */
export function selfSignedCertificate(commonName: string, hosts: readonly string[], now = new Date()): ServingCertificate {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const name = seq(set(seq(oid("2.5.4.3"), der(0x0c, Buffer.from(commonName)))));
  const sans = hosts.map((h) => (isIPv4(h) || isIPv6(h) ? der(0x87, ipBytes(h)) : der(0x82, Buffer.from(h))));
  const extensions = explicit(
    3,
    seq(
      // keyUsage (critical): digitalSignature.
      seq(oid("2.5.29.15"), der(0x01, Buffer.from([0xff])), der(0x04, der(0x03, Buffer.from([0x07, 0x80])))),
      // extKeyUsage: serverAuth.
      seq(oid("2.5.29.37"), der(0x04, seq(oid("1.3.6.1.5.5.7.3.1")))),
      // basicConstraints (critical): not a CA.
      seq(oid("2.5.29.19"), der(0x01, Buffer.from([0xff])), der(0x04, seq())),
      ...(sans.length === 0 ? [] : [seq(oid("2.5.29.17"), der(0x04, seq(...sans)))]),
    ),
  );
  const notBefore = new Date(now.getTime() - 60_000);
  const notAfter = new Date(now.getTime() + 365 * 24 * 3600_000);
  const tbs = seq(
    explicit(0, der(0x02, Buffer.from([2]))),
    positiveInteger(randomBytes(16)),
    ECDSA_WITH_SHA256,
    name,
    seq(utcTime(notBefore), utcTime(notAfter)),
    name,
    publicKey.export({ type: "spki", format: "der" }),
    extensions,
  );
  const signature = sign("sha256", tbs, privateKey);
  const certificate = seq(tbs, ECDSA_WITH_SHA256, der(0x03, Buffer.from([0]), signature));
  const pem = (label: string, body: Buffer) => `-----BEGIN ${label}-----\n${body.toString("base64").match(/.{1,64}/g)?.join("\n") ?? ""}\n-----END ${label}-----\n`;
  return { key: privateKey.export({ type: "pkcs8", format: "pem" }).toString(), cert: pem("CERTIFICATE", certificate) };
}
