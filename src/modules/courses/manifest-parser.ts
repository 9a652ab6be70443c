import { XMLParser, XMLValidator } from 'fast-xml-parser';
import path from 'node:path';
import { PackageError } from './package-limits';
import type { ParsedManifest, ScoEntry, ScormVersion } from './package.types';

/**
 * Parses imsmanifest.xml (SCORM 1.2 and SCORM 2004 2nd–4th edition) into a ParsedManifest.
 *
 * Namespace prefixes are dropped while parsing, so `adlcp:masteryscore`, `foo:masteryscore` and
 * an un-prefixed `masteryscore` read the same: packages in the wild use every spelling. DTDs and
 * entity declarations are refused outright and entities are never expanded; only the five
 * predefined XML entities and numeric character references are decoded, by hand.
 */

type Node = Record<string, unknown>;

const ARRAY_ELEMENTS = new Set([
  'organization',
  'item',
  'resource',
  'file',
  'dependency',
  'objective',
  'sequencing',
]);

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  removeNSPrefix: true,
  processEntities: false,
  htmlEntities: false,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  isArray: (name) => ARRAY_ELEMENTS.has(name),
});

const PREDEFINED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Decodes the predefined XML entities and character references; anything else stays as written. */
function decodeXml(value: string): string {
  return value.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/g, (whole, ref: string) => {
    if (ref.startsWith('#x') || ref.startsWith('#X')) return safeCodePoint(parseInt(ref.slice(2), 16), whole);
    if (ref.startsWith('#')) return safeCodePoint(parseInt(ref.slice(1), 10), whole);
    return PREDEFINED[ref] ?? whole;
  });
}

function safeCodePoint(code: number, fallback: string): string {
  try {
    return String.fromCodePoint(code);
  } catch {
    return fallback;
  }
}

function asNode(value: unknown): Node | null {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Node) : null;
}

function list(value: unknown): Node[] {
  if (value == null) return [];
  const items = Array.isArray(value) ? value : [value];
  return items.map((v) => asNode(v) ?? { '#text': v });
}

/** The text content of an element that may also carry attributes. */
function text(value: unknown): string | null {
  if (value == null) return null;
  if (Array.isArray(value)) return text(value[0]);
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
    return decodeXml(String(value)).trim();
  const node = asNode(value);
  if (node && '#text' in node) return text(node['#text']);
  return null;
}

/** An attribute, matched without regard to case (1.2 writes `scormtype`, 2004 `scormType`). */
function attr(node: Node | null, name: string): string | null {
  if (!node) return null;
  const wanted = `@_${name}`.toLowerCase();
  for (const [key, value] of Object.entries(node)) {
    if (key.toLowerCase() === wanted && value != null) return decodeXml(String(value)).trim();
  }
  return null;
}

/** A child element, matched without regard to case (1.2 `datafromlms`, 2004 `dataFromLMS`). */
function child(node: Node | null, name: string): unknown {
  if (!node) return undefined;
  if (name in node) return node[name];
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(node)) if (key.toLowerCase() === wanted) return value;
  return undefined;
}

function number(value: string | null): number | null {
  if (value == null || value.trim() === '') return null;
  const n = Number(value.trim());
  return Number.isFinite(n) ? n : null;
}

function bool(value: string | null): boolean {
  return value != null && value.trim().toLowerCase() === 'true';
}

function decodeBytes(bytes: Buffer): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return bytes.subarray(2).toString('utf16le');
  if (bytes[0] === 0xfe && bytes[1] === 0xff) {
    const swapped = Buffer.from(bytes.subarray(2));
    swapped.swap16();
    return swapped.toString('utf16le');
  }
  const s = bytes.toString('utf8');
  return s.charCodeAt(0) === 0xfeff ? s.slice(1) : s;
}

/** Resolves a version from `schemaversion`, or from the namespaces when a package leaves it out. */
function detectVersion(schemaVersion: string | null, raw: string): { version: ScormVersion; label: string } {
  if (schemaVersion) {
    const v = schemaVersion.trim();
    if (/^1\.2$/.test(v)) return { version: '1.2', label: v };
    if (/^(CAM\s*1\.3|2004\b.*)$/i.test(v)) return { version: '2004', label: v };
    throw new PackageError(
      `Pakken oppgir SCORM-versjonen «${v}». Kursvakt støtter SCORM 1.2 og SCORM 2004 (2., 3. og 4. utgave).`,
    );
  }
  if (/adlcp_v1p3|imsss|adlseq_v1p3/i.test(raw)) return { version: '2004', label: '2004' };
  if (/adlcp_rootv1p2|imscp_rootv1p1p2/i.test(raw)) return { version: '1.2', label: '1.2' };
  throw new PackageError(
    'Manifestet sier ikke hvilken SCORM-versjon pakken bruker (mangler <schemaversion>), og det kan ikke leses ut av navnerommene.',
  );
}

/** Joins xml:base values and an href like a URL, with each base treated as a folder. */
function joinBase(bases: Array<string | null>, href: string): string {
  const parts = [...bases.filter((b): b is string => !!b && b.trim() !== ''), href];
  let joined = '';
  for (const part of parts) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(part) || part.startsWith('/')) joined = part;
    else joined = joined === '' ? part : `${joined.replace(/\/?$/, '/')}${part}`;
  }
  return joined;
}

function splitQuery(href: string): { file: string; query: string; fragment: string } {
  const hashAt = href.indexOf('#');
  const fragment = hashAt >= 0 ? href.slice(hashAt) : '';
  const noHash = hashAt >= 0 ? href.slice(0, hashAt) : href;
  const qAt = noHash.indexOf('?');
  return {
    file: qAt >= 0 ? noHash.slice(0, qAt) : noHash,
    query: qAt >= 0 ? noHash.slice(qAt + 1) : '',
    fragment,
  };
}

/**
 * Combines the query of the resource href with the item's `parameters` the way the SCORM CAM
 * describes: a leading '?' or '&' of the parameters is dropped, then they follow the href's query.
 */
function combineParameters(hrefQuery: string, hrefFragment: string, parameters: string | null): string {
  let query = hrefQuery;
  let fragment = hrefFragment;
  const p = (parameters ?? '').trim();
  if (p.startsWith('#')) fragment = p;
  else if (p !== '') {
    const { query: pq, fragment: pf } = splitQuery(
      p.startsWith('?') || p.startsWith('&') ? `?${p.slice(1)}` : `?${p}`,
    );
    query = query ? `${query}&${pq}` : pq;
    if (pf) fragment = pf;
  }
  return `${query ? `?${query}` : ''}${fragment}`;
}

/** Normalises a launch path inside the package; null when it leaves the package or is a URL. */
function packagePath(file: string): string | null {
  if (/^[a-z][a-z0-9+.-]*:/i.test(file) || file.startsWith('/') || file.includes('\\')) return null;
  let decoded = file;
  try {
    decoded = decodeURIComponent(file);
  } catch {
    // Not percent-encoded after all; use it as written.
  }
  const normalised = path.posix.normalize(decoded);
  if (normalised === '.' || normalised.startsWith('../') || normalised === '..' || normalised.startsWith('/'))
    return null;
  return normalised;
}

interface Resource {
  identifier: string;
  isSco: boolean;
  href: string | null;
  bases: Array<string | null>;
}

interface SequencingValues {
  scaledPassingScore: number | null;
}

function readSequencing(node: Node | null): SequencingValues & { satisfiedByMeasure: boolean | null } {
  const objectives = asNode(list(child(node, 'objectives'))[0] ?? null);
  const primary = asNode(list(child(objectives, 'primaryObjective'))[0] ?? null);
  if (!primary) return { scaledPassingScore: null, satisfiedByMeasure: null };
  const satisfiedByMeasure = bool(attr(primary, 'satisfiedByMeasure'));
  const min = number(text(child(primary, 'minNormalizedMeasure')));
  // The minimum normalised measure defaults to 1.0 when the objective is satisfied by measure.
  return { scaledPassingScore: satisfiedByMeasure ? (min ?? 1) : null, satisfiedByMeasure };
}

function readCompletionThreshold(item: Node): number | null {
  const raw = child(item, 'completionThreshold');
  if (raw == null) return null;
  const node = asNode(Array.isArray(raw) ? raw[0] : raw);
  // 4th edition: <adlcp:completionThreshold completedByMeasure="true" minProgressMeasure="0.8"/>
  const min = number(attr(node, 'minProgressMeasure'));
  if (min !== null) return min;
  if (node && attr(node, 'completedByMeasure') !== null)
    return bool(attr(node, 'completedByMeasure')) ? 1 : null;
  // 2nd/3rd edition: <adlcp:completionThreshold>0.8</adlcp:completionThreshold>
  return number(text(raw));
}

/** Parses and validates a manifest; throws PackageError with a bokmål reason when it cannot be used. */
export function parseManifest(bytes: Buffer): ParsedManifest {
  const raw = decodeBytes(bytes);
  if (/<!DOCTYPE/i.test(raw) || /<!ENTITY/i.test(raw))
    throw new PackageError(
      'imsmanifest.xml inneholder en DOCTYPE- eller ENTITY-erklæring. Det er ikke tillatt av sikkerhetshensyn; fjern erklæringen og last opp på nytt.',
    );
  const valid = XMLValidator.validate(raw);
  if (valid !== true)
    throw new PackageError(
      `imsmanifest.xml er ikke gyldig XML (linje ${valid.err.line}, kolonne ${valid.err.col}).`,
    );
  let doc: Node;
  try {
    doc = parser.parse(raw) as Node;
  } catch {
    throw new PackageError('imsmanifest.xml kan ikke leses.');
  }
  const manifest = asNode(child(doc, 'manifest'));
  if (!manifest) throw new PackageError('imsmanifest.xml mangler rotelementet <manifest>.');

  const metadata = asNode(child(manifest, 'metadata'));
  const { version, label } = detectVersion(text(child(metadata, 'schemaversion')), raw);

  const manifestBase = attr(manifest, 'base');
  const resourcesNode = asNode(child(manifest, 'resources'));
  const resourcesBase = attr(resourcesNode, 'base');
  const resources = new Map<string, Resource>();
  for (const r of list(child(resourcesNode, 'resource'))) {
    const identifier = attr(r, 'identifier');
    if (!identifier) continue;
    const type = attr(r, 'scormType') ?? attr(r, 'scormtype') ?? '';
    resources.set(identifier, {
      identifier,
      isSco: type.toLowerCase() === 'sco',
      href: attr(r, 'href'),
      bases: [manifestBase, resourcesBase, attr(r, 'base')],
    });
  }

  const sequencingCollection = new Map<string, Node>();
  for (const s of list(child(asNode(child(manifest, 'sequencingCollection')), 'sequencing'))) {
    const id = attr(s, 'ID');
    if (id) sequencingCollection.set(id, s);
  }

  const organizationsNode = asNode(child(manifest, 'organizations'));
  const organizations = list(child(organizationsNode, 'organization'));
  const defaultId = attr(organizationsNode, 'default');
  const organization =
    (defaultId ? organizations.find((o) => attr(o, 'identifier') === defaultId) : undefined) ??
    organizations[0];
  if (!organization)
    throw new PackageError('Manifestet har ingen organisasjon (<organization>) med innhold.');

  const scos: ScoEntry[] = [];
  const seenIds = new Set<string>();
  const walk = (items: Node[]) => {
    for (const item of items) {
      const identifier = attr(item, 'identifier') ?? '';
      const ref = attr(item, 'identifierref');
      if (ref) {
        const resource = resources.get(ref);
        if (!resource)
          throw new PackageError(
            `Elementet «${identifier}» i manifestet viser til ressursen «${ref}», som ikke finnes.`,
          );
        if (resource.isSco) {
          if (!identifier) throw new PackageError('Et element i manifestet mangler identifier.');
          if (seenIds.has(identifier))
            throw new PackageError(`Elementet «${identifier}» finnes flere ganger i manifestet.`);
          seenIds.add(identifier);
          if (!resource.href) throw new PackageError(`SCO-ressursen «${ref}» mangler href (startfilen).`);
          const joined = joinBase(resource.bases, resource.href);
          const { file, query, fragment } = splitQuery(joined);
          const href = packagePath(file);
          if (!href)
            throw new PackageError(
              `Startfilen «${joined}» for «${identifier}» ligger utenfor pakken. Alle SCO-er må ligge i zip-filen.`,
            );
          let sequencing = readSequencing(asNode(list(child(item, 'sequencing'))[0] ?? null));
          const seqNode = asNode(list(child(item, 'sequencing'))[0] ?? null);
          const idRef = attr(seqNode, 'IDRef');
          if (sequencing.satisfiedByMeasure === null && idRef && sequencingCollection.has(idRef))
            sequencing = readSequencing(sequencingCollection.get(idRef)!);
          scos.push({
            identifier,
            title: text(child(item, 'title')) || text(child(organization, 'title')) || identifier,
            href,
            parameters: combineParameters(query, fragment, attr(item, 'parameters')),
            masteryScore: version === '1.2' ? number(text(child(item, 'masteryscore'))) : null,
            completionThreshold: version === '2004' ? readCompletionThreshold(item) : null,
            scaledPassingScore: version === '2004' ? sequencing.scaledPassingScore : null,
            launchData: text(child(item, 'dataFromLMS')),
          });
        }
      }
      walk(list(child(item, 'item')));
    }
  };
  walk(list(child(organization, 'item')));
  if (scos.length === 0)
    throw new PackageError(
      'Manifestet har ingen SCO (ingen ressurs med scormType="sco" i standardorganisasjonen). Kursvakt kan bare spille av pakker med minst én SCO.',
    );

  return {
    scormVersion: version,
    schemaVersion: label,
    identifier: attr(manifest, 'identifier') ?? '',
    title: text(child(organization, 'title')) || scos[0]!.title,
    scos,
  };
}
