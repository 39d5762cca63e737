import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** Principal the nodes present on the controller listener (mutual TLS); a super user. */
export const NODE_PRINCIPAL = "kafka-node";

export interface InstanceCertificates {
  /** The throwaway CA clients trust (PEM). */
  readonly caPem: string;
  /** Private key (PKCS#8, unencrypted, 0600) followed by the node certificate and the CA: Kafka's PEM keystore. */
  readonly nodeKeystorePem: string;
}

function openssl(args: readonly string[], cwd: string): void {
  execFileSync("openssl", args, { cwd, stdio: ["ignore", "ignore", "pipe"] });
}

/**
 * Creates (once per instance) a throwaway CA and one node certificate valid for 127.0.0.1 and
 * localhost, for both server and client use (the nodes authenticate each other with it on the
 * controller listener). EC P-256 keys: generated in milliseconds. Never leaves `.cache/`.
 */
export function ensureCertificates(dir: string): InstanceCertificates {
  const tls = join(dir, "tls");
  const result = { caPem: join(tls, "ca.pem"), nodeKeystorePem: join(tls, "node-keystore.pem") };
  if (existsSync(result.caPem) && existsSync(result.nodeKeystorePem)) return result;
  mkdirSync(tls, { recursive: true, mode: 0o700 });
  const ec = ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"];
  openssl(["genpkey", ...ec, "-out", "ca.key"], tls);
  openssl(
    [
      "req",
      "-x509",
      "-new",
      "-key",
      "ca.key",
      "-sha256",
      "-days",
      "30",
      "-subj",
      "/CN=kafka-platform local CA",
      "-out",
      "ca.pem",
    ],
    tls,
  );
  openssl(["genpkey", ...ec, "-out", "node.key"], tls);
  openssl(
    ["req", "-new", "-key", "node.key", "-subj", `/CN=${NODE_PRINCIPAL}`, "-out", "node.csr"],
    tls,
  );
  writeFileSync(
    join(tls, "node.ext"),
    [
      "basicConstraints=CA:FALSE",
      "keyUsage=digitalSignature,keyEncipherment",
      "extendedKeyUsage=serverAuth,clientAuth",
      "subjectAltName=IP:127.0.0.1,DNS:localhost",
      "",
    ].join("\n"),
  );
  openssl(
    [
      "x509",
      "-req",
      "-in",
      "node.csr",
      "-CA",
      "ca.pem",
      "-CAkey",
      "ca.key",
      "-CAcreateserial",
      "-days",
      "30",
      "-sha256",
      "-extfile",
      "node.ext",
      "-out",
      "node.pem",
    ],
    tls,
  );
  const keystore = [
    readFileSync(join(tls, "node.key"), "utf8").trim(),
    readFileSync(join(tls, "node.pem"), "utf8").trim(),
    readFileSync(join(tls, "ca.pem"), "utf8").trim(),
    "",
  ].join("\n");
  writeFileSync(result.nodeKeystorePem, keystore, { mode: 0o600 });
  chmodSync(join(tls, "ca.key"), 0o600);
  chmodSync(join(tls, "node.key"), 0o600);
  return result;
}
