import { fileURLToPath } from 'node:url';

/** The file system path of a `file:` URI; undefined for other schemes (`untitled:`) and malformed URIs. */
export function filePathOf(uri: string): string | undefined {
  if (!uri.startsWith('file:')) return undefined;
  try {
    return fileURLToPath(uri);
  } catch {
    return undefined;
  }
}
