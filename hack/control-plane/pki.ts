// The control plane's certificates: a CA, the apiserver's serving cert, an admin client cert, SA keys.
import "reflect-metadata"; // @peculiar/x509's dependency injection needs it loaded first
import * as x509 from "@peculiar/x509";
import { generateKeyPairSync, webcrypto } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";

const ALGORITHM = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;
const TEN_YEARS_MS = 10 * 365 * 24 * 3600 * 1000;

export type PkiFiles = {
  readonly caCert: string;
  readonly servingCert: string;
  readonly servingKey: string;
  readonly adminCert: string;
  readonly adminKey: string;
  readonly serviceAccountPublicKey: string;
  readonly serviceAccountPrivateKey: string;
};

export function pkiFiles(dir: string): PkiFiles {
  return {
    caCert: join(dir, "ca.crt"),
    servingCert: join(dir, "apiserver.crt"),
    servingKey: join(dir, "apiserver.key"),
    adminCert: join(dir, "admin.crt"),
    adminKey: join(dir, "admin.key"),
    serviceAccountPublicKey: join(dir, "sa.pub"),
    serviceAccountPrivateKey: join(dir, "sa.key"),
  };
}

async function privateKeyPem(key: webcrypto.CryptoKey): Promise<string> {
  const der = await webcrypto.subtle.exportKey("pkcs8", key);
  return x509.PemConverter.encode(der, "PRIVATE KEY");
}

/** Creates the certificates once per data directory; a restarted cluster keeps trusting its clients. */
export async function ensurePki(dir: string): Promise<PkiFiles> {
  const files = pkiFiles(dir);
  if (Object.values<string>(files).every((f) => existsSync(f))) return files;
  await mkdir(dir, { recursive: true });
  const notBefore = new Date(Date.now() - 60_000);
  const notAfter = new Date(Date.now() + TEN_YEARS_MS);

  const caKeys = await webcrypto.subtle.generateKey(ALGORITHM, true, ["sign", "verify"]);
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: "01",
    name: "CN=helios-local-ca",
    notBefore,
    notAfter,
    keys: caKeys,
    signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    ],
  });

  const issue = async (serialNumber: string, subject: string, usage: string, san?: x509.JsonGeneralNames) => {
    const keys = await webcrypto.subtle.generateKey(ALGORITHM, true, ["sign", "verify"]);
    const extensions: x509.Extension[] = [
      new x509.BasicConstraintsExtension(false),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([usage]),
    ];
    if (san) extensions.push(new x509.SubjectAlternativeNameExtension(san));
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber,
      subject,
      issuer: ca.subject,
      notBefore,
      notAfter,
      publicKey: keys.publicKey,
      signingKey: caKeys.privateKey,
      signingAlgorithm: ALGORITHM,
      extensions,
    });
    return { cert: cert.toString("pem"), key: await privateKeyPem(keys.privateKey) };
  };

  const serving = await issue("02", "CN=kube-apiserver", x509.ExtendedKeyUsage.serverAuth, [
    { type: "ip", value: "127.0.0.1" },
    { type: "dns", value: "localhost" },
    { type: "dns", value: "kubernetes.default.svc" },
  ]);
  // O=system:masters makes this client a cluster admin, as envtest's admin user is.
  const admin = await issue("03", "CN=admin, O=system:masters", x509.ExtendedKeyUsage.clientAuth);
  const sa = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    publicKeyEncoding: { type: "spki", format: "pem" },
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
  });

  await writeFile(files.caCert, ca.toString("pem"));
  await writeFile(files.servingCert, serving.cert);
  await writeFile(files.servingKey, serving.key, { mode: 0o600 });
  await writeFile(files.adminCert, admin.cert);
  await writeFile(files.adminKey, admin.key, { mode: 0o600 });
  await writeFile(files.serviceAccountPublicKey, sa.publicKey);
  await writeFile(files.serviceAccountPrivateKey, sa.privateKey, { mode: 0o600 });
  return files;
}
