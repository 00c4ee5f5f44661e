// Builds OCI image archives locally, because no registry is reachable: a
// busybox-static root filesystem (or any directory) tarred as one layer,
// plus the image config, manifest, index.json and oci-layout, tarred again
// as an OCI image layout archive that `ctr image import` and
// `podman load` both read.
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, readFileSync, symlinkSync, writeFileSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ImageConfig {
  User?: string;
  WorkingDir?: string;
  Env?: string[];
  Entrypoint?: string[];
  Cmd?: string[];
}

export const PATH_ENV = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** A busybox rootfs: every applet linked to /bin/busybox, a passwd with an
 * unprivileged user, and a file in /tmp that tmpcopyup must carry over. */
export function busyboxRootfs(dir: string): string {
  const root = join(dir, 'rootfs');
  for (const d of ['bin', 'sbin', 'usr/bin', 'usr/sbin', 'etc', 'proc', 'sys', 'dev', 'root', 'tmp', 'var/tmp', 'run', 'home/app', 'data'])
    mkdirSync(join(root, d), { recursive: true });
  copyFileSync('/bin/busybox', join(root, 'bin/busybox'));
  chmodSync(join(root, 'bin/busybox'), 0o755);
  const applets = execFileSync('/bin/busybox', ['--list-full'], { encoding: 'utf8' }).split('\n').filter(Boolean);
  for (const applet of applets) {
    if (applet === 'bin/busybox') continue;
    try {
      symlinkSync('/bin/busybox', join(root, applet));
    } catch {
      // busybox lists a few applets twice (e.g. under bin and usr/bin)
    }
  }
  writeFileSync(join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/home/app:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n');
  writeFileSync(join(root, 'etc/group'), 'root:x:0:\napp:x:1000:\nnogroup:x:65534:\n');
  writeFileSync(join(root, 'tmp/from-image'), 'image content\n');
  writeFileSync(join(root, 'data/hello'), 'hello from the image\n');
  chmodSync(join(root, 'tmp'), 0o1777);
  chmodSync(join(root, 'var/tmp'), 0o1777);
  chownSync(join(root, 'home/app'), 1000, 1000);
  return root;
}

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Writes an OCI image layout archive of `rootfs` as one layer at `out`,
 * named `name` (e.g. docker.io/library/busybox:latest). */
export function writeOciArchive(rootfs: string, name: string, config: ImageConfig, out: string): void {
  const layout = `${out}.layout`;
  const blobs = join(layout, 'blobs/sha256');
  mkdirSync(blobs, { recursive: true });
  const layer = execFileSync('tar', ['-C', rootfs, '--numeric-owner', '--sort=name', '-cf', '-', '.'], { maxBuffer: 1 << 30 });
  const layerDigest = sha256(layer);
  writeFileSync(join(blobs, layerDigest), layer);

  const imageConfig = Buffer.from(
    JSON.stringify({
      architecture: goArch(),
      os: 'linux',
      config: { Env: [PATH_ENV], Cmd: ['sh'], ...config },
      rootfs: { type: 'layers', diff_ids: [`sha256:${layerDigest}`] },
      history: [{ created_by: 'tsrun test/engines/lib/image.ts' }],
    }),
  );
  const configDigest = sha256(imageConfig);
  writeFileSync(join(blobs, configDigest), imageConfig);

  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: `sha256:${configDigest}`, size: imageConfig.length },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: `sha256:${layerDigest}`, size: layer.length }],
    }),
  );
  const manifestDigest = sha256(manifest);
  writeFileSync(join(blobs, manifestDigest), manifest);

  writeFileSync(join(layout, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  writeFileSync(
    join(layout, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          digest: `sha256:${manifestDigest}`,
          size: manifest.length,
          platform: { architecture: goArch(), os: 'linux' },
          // containerd names the image after the first, podman after the second
          annotations: { 'io.containerd.image.name': name, 'org.opencontainers.image.ref.name': name },
        },
      ],
    }),
  );
  execFileSync('tar', ['-C', layout, '-cf', out, '.']);
}

function goArch(): string {
  return process.arch === 'x64' ? 'amd64' : process.arch;
}

/** A static binary that sleeps until SIGTERM/SIGINT and reaps children:
 * the pod sandbox's pause process, compiled here since no registry is reachable. */
export function pauseRootfs(dir: string): string {
  const root = join(dir, 'pause-rootfs');
  mkdirSync(root, { recursive: true });
  const src = join(dir, 'pause.c');
  writeFileSync(
    src,
    `#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
static void stop(int sig) { (void)sig; _exit(0); }
static void reap(int sig) { (void)sig; while (waitpid(-1, NULL, WNOHANG) > 0) {} }
int main(void) {
  signal(SIGTERM, stop);
  signal(SIGINT, stop);
  signal(SIGCHLD, reap);
  for (;;) pause();
}
`,
  );
  execFileSync('gcc', ['-static', '-Os', '-o', join(root, 'pause'), src]);
  return root;
}

export function readJson(path: string): any {
  return JSON.parse(readFileSync(path, 'utf8'));
}
