import { generateKeyPairSync, randomBytes } from 'crypto';
import { mkdirSync, writeFileSync } from 'fs';
import * as https from 'https';
import * as path from 'path';
import { ConformanceContext } from './context';
import { CommandResult, Daemon, freePort, runCommand, waitFor } from './process';

/** An HTTP answer of the API server. */
export interface ApiResponse {
  readonly status: number;
  readonly body: string;
  /** The `Warning` headers (admission warnings, deprecations), already unquoted. */
  readonly warnings: readonly string[];
}

/**
 * etcd and a real kube-apiserver on 127.0.0.1, with throwaway keys and a static token, and
 * of the rest of a cluster only the controller that type-checks ValidatingAdmissionPolicies:
 * no other controller, no scheduler, no kubelet, so objects are validated, defaulted,
 * admitted and stored, but never reconciled.
 */
export class KubeCluster {
  /** Starts etcd and kube-apiserver on free loopback ports and waits until the server is ready. */
  static async start(ctx: ConformanceContext, name: string): Promise<KubeCluster> {
    const dir = path.join(ctx.work, name);
    mkdirSync(path.join(dir, 'certs'), { recursive: true });
    const etcdBin = ctx.tool('etcd');
    const apiserverBin = ctx.tool('kube-apiserver');
    const kubectlBin = ctx.tool('kubectl');
    const controllerManagerBin = ctx.tool('kube-controller-manager');
    const [clientPort, peerPort, securePort] = [await freePort(), await freePort(), await freePort()];

    const etcd = new Daemon('etcd', etcdBin, [
      '--name=conformance',
      `--data-dir=${path.join(dir, 'etcd')}`,
      `--listen-client-urls=http://127.0.0.1:${clientPort}`,
      `--advertise-client-urls=http://127.0.0.1:${clientPort}`,
      `--listen-peer-urls=http://127.0.0.1:${peerPort}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${peerPort}`,
      `--initial-cluster=conformance=http://127.0.0.1:${peerPort}`,
      // A throwaway store: durability buys nothing here and fsync dominates on slow disks.
      '--unsafe-no-fsync',
    ], path.join(dir, 'etcd.log'));
    const stopEtcd = async (e: unknown): Promise<never> => {
      await etcd.stop();
      throw e;
    };
    await waitFor('etcd to report healthy', async () => {
      const r = await fetch(`http://127.0.0.1:${clientPort}/health`);
      return r.ok && ((await r.json()) as { health?: string }).health === 'true';
    }, 30_000, etcd).catch(stopEtcd);

    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const saKey = path.join(dir, 'sa.key');
    const saPub = path.join(dir, 'sa.pub');
    writeFileSync(saKey, privateKey.export({ type: 'pkcs8', format: 'pem' }));
    writeFileSync(saPub, publicKey.export({ type: 'spki', format: 'pem' }));
    const token = randomBytes(24).toString('hex');
    const tokens = path.join(dir, 'tokens.csv');
    writeFileSync(tokens, `${token},conformance,conformance,system:masters\n`);

    const apiserver = new Daemon('kube-apiserver', apiserverBin, [
      `--etcd-servers=http://127.0.0.1:${clientPort}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      `--secure-port=${securePort}`,
      // A self-signed serving certificate is generated here; clients skip its verification.
      `--cert-dir=${path.join(dir, 'certs')}`,
      `--token-auth-file=${tokens}`,
      '--authorization-mode=RBAC',
      `--service-account-key-file=${saPub}`,
      `--service-account-signing-key-file=${saKey}`,
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      '--service-cluster-ip-range=10.96.0.0/16',
      // K3s allows privileged pods; the admission rules, not the server, must refuse them.
      '--allow-privileged=true',
      // The ServiceAccount admission plugin needs the default ServiceAccount that only the
      // (absent) controller manager creates; everything else is the 1.30 default set.
      '--disable-admission-plugins=ServiceAccount',
      '--profiling=false',
    ], path.join(dir, 'kube-apiserver.log'));

    const cluster = new KubeCluster(dir, securePort, token, kubectlBin, etcd, apiserver);
    try {
      await waitFor('kube-apiserver to be ready (/readyz)', async () => (await cluster.request('GET', '/readyz')).status === 200, 120_000, apiserver);
      // Of the controller manager, only the controller that type-checks ValidatingAdmissionPolicies
      // and writes status.typeChecking: nothing that would create ReplicaSets or Pods.
      cluster.controllerManager = new Daemon('kube-controller-manager', controllerManagerBin, [
        `--kubeconfig=${cluster.kubeconfig}`,
        '--controllers=validatingadmissionpolicy-status-controller',
        '--leader-elect=false',
        '--secure-port=0',
      ], path.join(dir, 'kube-controller-manager.log'));
    } catch (e) {
      await cluster.stop();
      throw e;
    }
    return cluster;
  }

  /** A kubeconfig for this cluster (token auth; the self-signed certificate is not verified). */
  readonly kubeconfig: string;
  private controllerManager: Daemon | undefined;
  private readonly agent = new https.Agent({ keepAlive: true, rejectUnauthorized: false, maxSockets: 8 });

  private constructor(
    readonly dir: string,
    readonly port: number,
    private readonly token: string,
    private readonly kubectlBin: string,
    private readonly etcd: Daemon,
    private readonly apiserver: Daemon,
  ) {
    this.kubeconfig = path.join(dir, 'kubeconfig');
    writeFileSync(this.kubeconfig, [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      `- name: conformance\n  cluster:\n    server: https://127.0.0.1:${port}\n    insecure-skip-tls-verify: true`,
      'users:',
      `- name: conformance\n  user:\n    token: ${token}`,
      'contexts:',
      '- name: conformance\n  context:\n    cluster: conformance\n    user: conformance',
      'current-context: conformance',
      '',
    ].join('\n'));
  }

  /** Runs the real kubectl against this cluster. */
  kubectl(args: readonly string[], input?: string, timeoutMs?: number): Promise<CommandResult> {
    return runCommand(this.kubectlBin, ['--kubeconfig', this.kubeconfig, ...args], { input, timeoutMs });
  }

  /** One request to the API server, as the cluster admin. */
  request(method: string, urlPath: string, body?: unknown, contentType = 'application/json'): Promise<ApiResponse> {
    return new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
      const req = https.request({
        host: '127.0.0.1',
        port: this.port,
        method,
        path: urlPath,
        agent: this.agent,
        headers: {
          authorization: `Bearer ${this.token}`,
          accept: 'application/json',
          ...(payload === undefined ? {} : { 'content-type': contentType, 'content-length': Buffer.byteLength(payload) }),
        },
        timeout: 30_000,
      }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const raw = res.headers.warning;
          const list = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), warnings: list.flatMap(splitWarnings) });
        });
      });
      req.on('timeout', () => req.destroy(new Error(`${method} ${urlPath} timed out`)));
      req.on('error', reject);
      req.end(payload);
    });
  }

  /** Stops kube-apiserver, then etcd. */
  async stop(): Promise<void> {
    this.agent.destroy();
    await this.controllerManager?.stop();
    await this.apiserver.stop();
    await this.etcd.stop();
  }
}

/** The texts of a `Warning` header value: `299 - "text", 299 - "text"` (RFC 7234). */
export function splitWarnings(header: string): string[] {
  const texts: string[] = [];
  const re = /\d{3} \S+ "((?:[^"\\]|\\.)*)"/g;
  for (let m = re.exec(header); m; m = re.exec(header)) {
    texts.push(m[1].replace(/\\(.)/g, '$1'));
  }
  return texts;
}
