// Boot the cgroup v2 guest under qemu and run shell scripts in it, several
// per boot, over a virtio-serial port (protocol in agent.sh). Generic: any
// test file can boot one guest and send it any command list.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { GuestUnavailable, guestImage } from './guest-image.ts';

export interface GuestOptions {
  memoryMiB?: number; // default 1024
  cpus?: number; // default 2 (cpuset tests pin to cpu 1)
  bootTimeoutSec?: number; // default 180: TCG on a loaded 2-core host
  append?: string; // extra kernel command line
}

export interface GuestResult {
  status: number; // the script's exit status; 137 when the agent killed it at its timeout
  stdout: string;
  stderr: string;
  ms: number;
}

export { GuestUnavailable };

const REPO = resolve(import.meta.dirname, '../..');
const QEMU = process.env.TSRUN_VM_QEMU ?? 'qemu-system-x86_64';

/** Every cgroup controller of Linux 6.1 but net_cls and net_prio (the v1-only ones). */
const V1_DISABLED = ['cpuset', 'cpu', 'cpuacct', 'io', 'memory', 'devices', 'freezer', 'perf_event', 'hugetlb', 'pids', 'rdma', 'misc'];

/**
 * The host's TSC rate. Under TCG the guest reads the host's TSC, and the
 * kernel's own calibration against the emulated timers can hang, so
 * tsc_early_khz= tells it the rate.
 */
export function hostTscKhz(): number {
  if (process.env.TSRUN_VM_TSC_KHZ) return Number(process.env.TSRUN_VM_TSC_KHZ);
  try {
    const log = execFileSync('dmesg', { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const m = /tsc: Refined TSC clocksource calibration: ([\d.]+) MHz/.exec(log) ?? /tsc: Detected ([\d.]+) MHz/.exec(log);
    if (m?.[1]) return Math.round(Number(m[1]) * 1000);
  } catch {
    // dmesg restricted: fall back to cpuinfo
  }
  const m = /^cpu MHz\s*:\s*([\d.]+)/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
  if (!m?.[1]) throw new GuestUnavailable('cannot find the host TSC rate (dmesg, /proc/cpuinfo); set TSRUN_VM_TSC_KHZ');
  return Math.round(Number(m[1]) * 1000);
}

/** KVM only where a real kvm_intel/kvm_amd is loaded: the paravirtual /dev/kvm of some cloud VMs cannot boot a stock kernel. */
function useKvm(): boolean {
  if (process.env.TSRUN_VM_ACCEL) return process.env.TSRUN_VM_ACCEL === 'kvm';
  try {
    return /^kvm_(intel|amd) /m.test(readFileSync('/proc/modules', 'utf8')) && existsSync('/dev/kvm');
  } catch {
    return false;
  }
}

interface Pending {
  id: number;
  resolve: (r: GuestResult) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
  started: number;
  section: 'none' | 'out' | 'err';
  out: string[];
  err: string[];
}

export class Guest {
  readonly bootMs: number;
  readonly accel: 'kvm' | 'tcg';
  /** The cache's module directory (EXTRA_MODULES for insmod), the same path inside the guest. */
  modulesDir = '';
  private nextId = 1;
  private pending: Pending | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private dead: Error | undefined;

  private constructor(
    private readonly qemu: ChildProcess,
    private readonly dir: string,
    private readonly exited: Promise<void>,
    lines: AsyncIterable<string>,
    bootMs: number,
    accel: 'kvm' | 'tcg',
  ) {
    this.bootMs = bootMs;
    this.accel = accel;
    void this.readReplies(lines);
    void exited.then(() => this.fail(new Error(`guest exited${this.tail()}`)));
  }

  /** Boot a guest; resolves once its agent says READY. */
  static async boot(opts: GuestOptions = {}): Promise<Guest> {
    const image = guestImage();
    const kvm = useKvm();
    const dir = mkdtempSync(join(tmpdir(), 'tsrun-vm-'));
    const serialLog = join(dir, 'serial.log');
    const append = [
      'console=ttyS0',
      'quiet',
      `tsc_early_khz=${hostTscKhz()}`,
      // Under TCG the vCPUs' TSCs are the host's: in step and constant. Without this the kernel finds them
      // "unsynchronized", falls back to jiffies, and guest time lags whenever the loaded host starves a vCPU.
      'tsc=reliable',
      // No v1 hierarchy for any controller cgroup v2 has. net_cls and net_prio
      // exist only in v1 (cgroup v2 hides them), so a test may mount them as
      // a v1 hierarchy; nothing does at boot.
      `cgroup_no_v1=${V1_DISABLED.join(',')}`,
      'reboot=t', // triple fault: with -no-reboot, qemu exits at once
      'panic=-1',
      'hugepages=8',
      'mitigations=off',
      // The guest masks the host's /tmp and /run; init.sh shows this tree through again if it lies there (a CI clone in /tmp).
      `tsrun.repo=${REPO}`,
      opts.append ?? '',
    ].join(' ');
    const args = [
      // microvm: no PCI or firmware to probe; ACPI on, because that is how the kernel finds the virtio-mmio devices.
      '-M',
      'microvm,acpi=on,pit=off,pic=off,rtc=on',
      ...(kvm ? ['-accel', 'kvm', '-cpu', 'host'] : ['-accel', 'tcg', '-cpu', 'max']),
      '-smp',
      String(opts.cpus ?? 2),
      '-m',
      String(opts.memoryMiB ?? 1024),
      '-nodefaults',
      '-no-user-config',
      '-display',
      'none',
      '-no-reboot',
      '-kernel',
      image.vmlinux, // the ELF: PVH entry, no self-decompression
      '-initrd',
      image.initramfs,
      '-append',
      append,
      '-chardev',
      `file,id=log,path=${serialLog}`,
      '-serial',
      'chardev:log',
      '-fsdev',
      'local,id=hostroot,path=/,security_model=none,readonly=on,multidevs=remap',
      '-device',
      'virtio-9p-device,fsdev=hostroot,mount_tag=hostroot',
      '-device',
      'virtio-serial-device',
      '-chardev',
      'stdio,id=agent,signal=off',
      '-device',
      'virtserialport,chardev=agent,name=tsrun.agent',
      // A 64 MiB disk of zeroes (/dev/vda) for io.max and device tests.
      '-blockdev',
      'driver=null-co,node-name=scratch,size=67108864,read-zeroes=on',
      '-device',
      'virtio-blk-device,drive=scratch',
    ];
    const started = Date.now();
    // setpriv --pdeathsig: qemu dies with this process, however it ends (tap timeout, crash, SIGKILL).
    const qemu = spawn('setpriv', ['--pdeathsig', 'KILL', '--', QEMU, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    qemu.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const exited = new Promise<void>((resolve) => qemu.once('exit', () => resolve()));
    qemu.once('error', () => {}); // a missing binary also shows as setpriv's exit status and stderr
    qemu.stdin!.on('error', () => {}); // EPIPE after qemu died: the exit handler reports that
    const lines = lineReader(qemu.stdout!);
    const cleanup = () => {
      qemu.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    };
    const timeoutMs = (opts.bootTimeoutSec ?? 180) * 1000;
    const ready = await Promise.race([
      (async () => {
        for await (const line of lines.iterable) if (line === 'READY') return 'ready' as const;
        return 'eof' as const;
      })(),
      exited.then(() => 'exit' as const),
      new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), timeoutMs).unref()),
    ]);
    if (ready !== 'ready') {
      const serial = existsSync(serialLog) ? readFileSync(serialLog, 'utf8') : '';
      cleanup();
      await exited;
      // Nothing from the kernel at all: qemu itself could not start (missing, no accelerator, bad option).
      if (serial.trim() === '' && ready !== 'timeout') {
        throw new GuestUnavailable(`qemu could not start: ${stderr.trim() || `${QEMU} exited`}`);
      }
      throw new Error(`guest did not boot (${ready} after ${Date.now() - started} ms): ${stderr.trim()}\n--- serial ---\n${serial.slice(-4000)}`);
    }
    const guest = new Guest(qemu, dir, exited, lines.rest, Date.now() - started, kvm ? 'kvm' : 'tcg');
    guest.modulesDir = image.modulesDir;
    return guest;
  }

  /** Run a /bin/sh script in the guest. Scripts run one at a time, in call order. */
  run(script: string, opts: { timeoutSec?: number } = {}): Promise<GuestResult> {
    const next = this.queue.then(() => this.runNow(script, opts.timeoutSec ?? 120));
    this.queue = next.catch(() => {});
    return next;
  }

  private runNow(script: string, timeoutSec: number): Promise<GuestResult> {
    if (this.dead) return Promise.reject(this.dead);
    return new Promise((resolve, reject) => {
      const id = this.nextId++;
      // The agent kills the script at its timeout; the host gives up (and kills qemu) only if the agent itself stops answering.
      const timer = setTimeout(
        () => this.fail(new Error(`guest did not answer script ${id} within ${timeoutSec + 60} s${this.tail()}`)),
        (timeoutSec + 60) * 1000,
      );
      this.pending = { id, resolve, reject, timer, started: Date.now(), section: 'none', out: [], err: [] };
      this.qemu.stdin!.write(`RUN ${id} ${timeoutSec} ${Buffer.from(script).toString('base64')}\n`);
    });
  }

  private async readReplies(lines: AsyncIterable<string>): Promise<void> {
    for await (const line of lines) {
      const p = this.pending;
      if (!p) continue;
      const [word, id, status] = line.split(' ');
      if (word === 'OUT' && id === String(p.id)) p.section = 'out';
      else if (word === 'ERR' && id === String(p.id)) p.section = 'err';
      else if (word === 'END' && id === String(p.id)) {
        clearTimeout(p.timer);
        this.pending = undefined;
        const decode = (b64: string[]) => Buffer.from(b64.join(''), 'base64').toString('utf8');
        p.resolve({ status: Number(status), stdout: decode(p.out), stderr: decode(p.err), ms: Date.now() - p.started });
      } else if (p.section === 'out') p.out.push(line);
      else if (p.section === 'err') p.err.push(line);
    }
  }

  private fail(err: Error): void {
    if (this.dead) return;
    this.dead = err;
    this.qemu.kill('SIGKILL');
    if (this.pending) {
      clearTimeout(this.pending.timer);
      this.pending.reject(err);
      this.pending = undefined;
    }
  }

  private tail(): string {
    try {
      return `\n--- serial ---\n${readFileSync(join(this.dir, 'serial.log'), 'utf8').slice(-4000)}`;
    } catch {
      return '';
    }
  }

  /** Ask the agent to power off; kill qemu if it has not exited within 10 s. Safe to call twice. */
  async close(): Promise<void> {
    if (!this.dead) this.qemu.stdin!.write('STOP\n');
    const timer = setTimeout(() => this.qemu.kill('SIGKILL'), 10_000);
    await this.exited;
    clearTimeout(timer);
    this.dead ??= new Error('guest closed');
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Lines of a stream; `rest` continues where `iterable` was left (the boot wait stops at READY). */
function lineReader(stream: NodeJS.ReadableStream): { iterable: AsyncIterable<string>; rest: AsyncIterable<string> } {
  const gen = (async function* () {
    let buf = '';
    for await (const chunk of stream) {
      buf += chunk.toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        yield buf.slice(0, nl).replace(/\r$/, '');
        buf = buf.slice(nl + 1);
      }
    }
  })();
  // A for-await that breaks would close the generator; these wrappers never return() it.
  const shared: AsyncIterable<string> = { [Symbol.asyncIterator]: () => ({ next: () => gen.next() }) };
  return { iterable: shared, rest: shared };
}
