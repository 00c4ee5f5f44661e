import { writeOut } from '../output.ts';
import { featuresDocument } from '../../spec/features.ts';

export default async function features(): Promise<number> {
  writeOut(`${JSON.stringify(featuresDocument(), null, 2)}\n`);
  return 0;
}
