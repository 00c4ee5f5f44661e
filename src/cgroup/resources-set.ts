// Which fields of linux.resources a config actually sets, as JSON pointers
// (/linux/resources/memory/limit): an empty object or array sets nothing.

export function resourcesSet(resources: object | undefined, base = '/linux/resources'): string[] {
  if (resources === undefined || resources === null) return [];
  const found: string[] = [];
  for (const [key, value] of Object.entries(resources)) {
    const pointer = `${base}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`;
    if (value === undefined || value === null) continue;
    if (Array.isArray(value)) {
      value.forEach((v, i) => {
        if (typeof v === 'object' && v !== null) found.push(...resourcesSet(v, `${pointer}/${i}`));
        else found.push(`${pointer}/${i}`);
      });
    } else if (typeof value === 'object') {
      found.push(...resourcesSet(value, pointer));
    } else {
      found.push(pointer);
    }
  }
  return found;
}
