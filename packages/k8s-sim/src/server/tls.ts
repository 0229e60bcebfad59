// A CA and a serving certificate for 127.0.0.1/localhost, made fresh per simulator start.
// ECDSA P-256 through WebCrypto (@peculiar/x509 builds the certificates): fast, no OpenSSL CLI.
// @peculiar/x509 resolves its algorithms through tsyringe, which needs the Reflect metadata API.
import "reflect-metadata";
import { webcrypto } from "node:crypto";
import * as x509 from "@peculiar/x509";

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[1]);

export interface TlsMaterial {
  caPem: string;
  certPem: string;
  keyPem: string;
}

const alg = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;

function pemKey(der: ArrayBuffer): string {
  const b64 = Buffer.from(der)
    .toString("base64")
    .replace(/(.{64})/g, "$1\n");
  return `-----BEGIN PRIVATE KEY-----\n${b64.trimEnd()}\n-----END PRIVATE KEY-----\n`;
}

export async function createTlsMaterial(
  hosts: { ips: string[]; dns: string[] } = { ips: ["127.0.0.1"], dns: ["localhost"] },
): Promise<TlsMaterial> {
  const notBefore = new Date(Date.now() - 60_000);
  const notAfter = new Date(Date.now() + 365 * 24 * 3600_000);
  const caKeys = (await webcrypto.subtle.generateKey(alg, true, [
    "sign",
    "verify",
  ])) as webcrypto.CryptoKeyPair;
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: "01",
    name: "CN=pullsight-sim-ca",
    notBefore,
    notAfter,
    keys: caKeys,
    signingAlgorithm: alg,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    ],
  });
  const leafKeys = (await webcrypto.subtle.generateKey(alg, true, [
    "sign",
    "verify",
  ])) as webcrypto.CryptoKeyPair;
  const leaf = await x509.X509CertificateGenerator.create({
    serialNumber: "02",
    subject: "CN=pullsight-sim-apiserver",
    issuer: ca.subject,
    notBefore,
    notAfter,
    signingKey: caKeys.privateKey,
    publicKey: leafKeys.publicKey,
    signingAlgorithm: alg,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
        true,
      ),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([
        ...hosts.ips.map((value) => ({ type: "ip" as const, value })),
        ...hosts.dns.map((value) => ({ type: "dns" as const, value })),
      ]),
    ],
  });
  return {
    caPem: ca.toString("pem"),
    certPem: leaf.toString("pem"),
    keyPem: pemKey(await webcrypto.subtle.exportKey("pkcs8", leafKeys.privateKey)),
  };
}
