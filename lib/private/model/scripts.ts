// The shell and Python the model containers run. Every download writes into `<dest>.partial`,
// renames it when complete, then writes the completion marker: a crashed download is redone, a
// finished one is skipped.

/** Where a downloaded model is written in the downloader and the cache. */
export const STAGING_ROOT = '/mnt/models';

/** File written last, once a model version is complete. */
export const COMPLETION_MARKER = '.complete';

/** Downloads MODEL_URL into argv[1], checks MODEL_SHA256, unpacks the archive. */
const HTTPS_FETCH = [
  'import hashlib, os, sys, tarfile, tempfile, urllib.request, zipfile',
  'dest, url, want = sys.argv[1], os.environ["MODEL_URL"], os.environ["MODEL_SHA256"]',
  'digest = hashlib.sha256()',
  'with tempfile.NamedTemporaryFile(dir="/tmp", delete=False) as out, urllib.request.urlopen(url, timeout=60) as body:',
  '    for chunk in iter(lambda: body.read(1 << 20), b""):',
  '        digest.update(chunk)',
  '        out.write(chunk)',
  'if digest.hexdigest() != want:',
  '    sys.exit(f"sha256 mismatch for {url}: got {digest.hexdigest()}, want {want}")',
  'if url.endswith(".zip"):',
  '    zipfile.ZipFile(out.name).extractall(dest)',
  'else:',
  '    archive = tarfile.open(out.name)',
  '    try:',
  '        archive.extractall(dest, filter="data")',
  '    except TypeError:  # Python before 3.11.4 has no extraction filters',
  '        archive.extractall(dest)',
  'os.unlink(out.name)',
].join('\n');

/** The step that fetches `uri` into "$partial" with KServe's storage initializer. */
export function storageInitializerFetch(uri: string): string {
  return `/storage-initializer/scripts/initializer-entrypoint "${uri}" "$partial"`;
}

/** The step that fetches MODEL_URL into "$partial", checked against MODEL_SHA256 and unpacked. */
export function httpsArchiveFetch(): string {
  return `python3 - "$partial" <<'PY'\n${HTTPS_FETCH}\nPY`;
}

/** The shell that runs `fetch` into `<dest>.partial`, then renames it and writes the marker. */
export function downloadScript(dest: string, fetch: string): string {
  return [
    'set -eu',
    `dest="${dest}"`,
    'partial="$dest.partial"',
    `if [ -f "$dest/${COMPLETION_MARKER}" ]; then echo "model already present in $dest"; exit 0; fi`,
    'rm -rf "$partial" && mkdir -p "$partial"',
    fetch,
    'rm -rf "$dest" && mv "$partial" "$dest"',
    `touch "$dest/${COMPLETION_MARKER}"`,
    'echo "model downloaded to $dest"',
  ].join('\n');
}

/** The shell that copies a folder of an image into the staging volume and marks it complete. */
export function copyScript(folder: string): string {
  return `cp -a ${folder}/. ${STAGING_ROOT}/ && touch ${STAGING_ROOT}/${COMPLETION_MARKER}`;
}

/** The shell that waits until `folder` (under the staging root) holds a complete model. */
export function waitScript(folder: string, fillJobName: string): string {
  const marker = `${STAGING_ROOT}/${folder}/${COMPLETION_MARKER}`;
  return `until [ -f "${marker}" ]; do echo "waiting for ${fillJobName} to fill the cache"; sleep 10; done`;
}
