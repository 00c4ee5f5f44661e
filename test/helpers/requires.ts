// Skip a test with its reason when the machine cannot run it.
export function isRoot(): boolean {
  return process.getuid?.() === 0;
}

export function skipUnlessRoot(): { skip?: string } {
  return isRoot() ? {} : { skip: 'needs root: integration tests start real containers' };
}
