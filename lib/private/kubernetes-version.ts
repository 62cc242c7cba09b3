/** The Kubernetes version the library targets unless told otherwise (that of cdk8s-plus-27). */
export const DEFAULT_KUBERNETES_VERSION = '1.27';

/** Whether `version` ('1.30', '1.33.2') is at least `major.minor`. */
export function atLeast(version: string, major: number, minor: number): boolean {
  const [ma, mi] = version.split('.').map(Number);
  return ma > major || (ma === major && mi >= minor);
}
