// A minimal CRI client: the RuntimeService calls of cri.proto over
// containerd's gRPC socket, each returned as a promise.
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { fileURLToPath } from 'node:url';

export type CriCall = (request: object) => Promise<any>;
export interface CriClient {
  call(method: string, request: object): Promise<any>;
  close(): void;
}

export function criClient(socket: string): CriClient {
  const definition = protoLoader.loadSync(fileURLToPath(new URL('./cri.proto', import.meta.url)), {
    keepCase: true,
    longs: String,
    enums: String,
    defaults: true,
  });
  const pkg = grpc.loadPackageDefinition(definition) as any;
  const client = new pkg.runtime.v1.RuntimeService(`unix://${socket}`, grpc.credentials.createInsecure());
  return {
    call: (method, request) =>
      new Promise((resolve, reject) => {
        client[method](request, { deadline: Date.now() + 60_000 }, (err: (Error & { details?: string }) | null, reply: unknown) =>
          // the details carry containerd's (and the runtime's) message: keep them in one line
          err ? reject(new Error(`${method}: ${err.details ?? err.message}`, { cause: err })) : resolve(reply),
        );
      }),
    close: () => client.close(),
  };
}
