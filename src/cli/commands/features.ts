import { writeOut } from '../output.ts';
import { seccompFeatures } from '../../launch/seccomp-program.ts';
import { featuresDocument } from '../../spec/features.ts';

export default async function features(): Promise<number> {
  writeOut(`${JSON.stringify(featuresDocument(seccompFeatures()), null, 2)}\n`);
  return 0;
}
