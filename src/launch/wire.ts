// Mirrors csrc/include/wire.h (test/unit/launch/wire.test.ts compares them).

export const MSG = {
  READY_IDMAP: 1,
  IDMAP_DONE: 2,
  PID: 3,
  READY_HOOKS: 4,
  HOOKS_DONE: 5,
  CREATED: 6,
  ERROR: 7,
  READY_SECCOMP: 8,
  SECCOMP_STATE: 9,
  RECORDED: 10,
} as const;

export const STEPS: Record<number, string> = {
  1: 'plan',
  2: 'namespaces',
  3: 'idmap',
  4: 'mounts',
  5: 'devices',
  6: 'hooks',
  7: 'pivot_root',
  8: 'paths',
  9: 'identity',
  10: 'console',
  11: 'capabilities',
  12: 'no_new_privs',
  13: 'fds',
  14: 'exec_fifo',
  15: 'exec',
  16: 'sync',
  17: 'seccomp',
  18: 'process_attrs',
  19: 'lsm',
};

export const MSG_HEADER_SIZE = 16;
export const MSG_MAX = 64 * 1024;

export interface WireMessage {
  type: number;
  value: number;
  step: number;
  payload: Buffer;
}

export function decodeMessage(data: Buffer): WireMessage | undefined {
  if (data.length < MSG_HEADER_SIZE) return undefined;
  const len = data.readUInt32LE(12);
  return {
    type: data.readUInt32LE(0),
    value: data.readInt32LE(4),
    step: data.readUInt32LE(8),
    payload: data.subarray(MSG_HEADER_SIZE, MSG_HEADER_SIZE + len),
  };
}

export function encodeMessage(type: number, payload: Buffer = Buffer.alloc(0)): Buffer {
  const head = Buffer.alloc(MSG_HEADER_SIZE);
  head.writeUInt32LE(type, 0);
  head.writeUInt32LE(payload.length, 12);
  return Buffer.concat([head, payload]);
}
