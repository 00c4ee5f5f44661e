// Container ids name directories under --root, so they must never carry a
// path: runc's charset (libcontainer/container_linux.go idRegex). The id is
// one directory name under --root and under the cgroup parent, so it is
// held to NAME_MAX (255): runc's 1024 would fail later, at mkdir.

const ID = /^[A-Za-z0-9][A-Za-z0-9_.+-]*$/;
const MAX_LENGTH = 255;

/**
 * Why an id is invalid, or undefined when it is fine. Callers prefix the id:
 * `invalid container id "a/b": it must not be "." or ".." or contain "/"`.
 */
export function checkContainerId(id: string): string | undefined {
  if (id.length === 0) return 'it is empty';
  if (id.length > MAX_LENGTH) return `it is longer than ${MAX_LENGTH} characters`;
  // The charset already excludes "/", and "." or ".." cannot start with a
  // letter or digit; say so plainly for the cases people actually hit.
  if (id === '.' || id === '..' || id.includes('/')) {
    return 'it must not be "." or ".." or contain "/"';
  }
  if (!ID.test(id)) {
    return 'it must start with a letter or digit and use only letters, digits and _ . + -';
  }
  return undefined;
}
