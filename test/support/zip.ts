import { promises as fs } from 'node:fs';
import path from 'node:path';
import yauzl from 'yauzl';

/** Unpacks a zip into a folder, as an LMS does with an uploaded package. */
export async function unzip(file: string, target: string): Promise<void> {
  const zip = await yauzl.openPromise(file);
  try {
    for await (const entry of zip.eachEntry()) {
      const destination = path.join(target, entry.fileName);
      await fs.mkdir(path.dirname(destination), { recursive: true });
      const chunks: Buffer[] = [];
      for await (const chunk of await zip.openReadStreamPromise(entry)) chunks.push(chunk as Buffer);
      await fs.writeFile(destination, Buffer.concat(chunks));
    }
  } finally {
    zip.close();
  }
}
