import { featuresDocument } from '../../spec/features.ts';

export default async function features(): Promise<number> {
  process.stdout.write(`${JSON.stringify(featuresDocument(), null, 2)}\n`);
  return 0;
}
