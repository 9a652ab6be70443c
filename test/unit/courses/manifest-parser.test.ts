import { parseManifest } from '../../../src/modules/courses/manifest-parser';
import { PackageError } from '../../../src/modules/courses/package-limits';
import { scorm12Manifest, scorm2004MultiManifest } from '../../fixtures/scorm/packages';

const parse = (xml: string) => parseManifest(Buffer.from(xml, 'utf8'));

function refusal(xml: string | Buffer): string {
  try {
    parseManifest(Buffer.isBuffer(xml) ? xml : Buffer.from(xml, 'utf8'));
  } catch (error) {
    expect(error).toBeInstanceOf(PackageError);
    return (error as Error).message;
  }
  throw new Error('expected the manifest to be refused');
}

const wrap2004 = (items: string, resources: string, extraNs = '') => `<?xml version="1.0"?>
<manifest identifier="m" xmlns="http://www.imsglobal.org/xsd/imscp_v1p1" xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3" xmlns:imsss="http://www.imsglobal.org/xsd/imsss" ${extraNs}>
  <metadata><schemaversion>2004 3rd Edition</schemaversion></metadata>
  <organizations default="o"><organization identifier="o"><title>Kurs</title>${items}</organization></organizations>
  <resources>${resources}</resources>
</manifest>`;

describe('parseManifest', () => {
  test('when a SCORM 1.2 manifest has one SCO with a mastery score, then version, SCO and score are read', () => {
    const m = parse(scorm12Manifest());
    expect(m).toEqual({
      scormVersion: '1.2',
      schemaVersion: '1.2',
      identifier: 'com.example.enkel',
      title: 'Brannvern & rømning',
      scos: [
        {
          identifier: 'item1',
          title: 'Brannvern',
          href: 'index.html',
          parameters: '',
          masteryScore: 80,
          completionThreshold: null,
          scaledPassingScore: null,
          launchData: 'start=1',
        },
      ],
    });
  });

  test('when a 2004 4th edition manifest has nested SCOs, xml:base at three levels and parameters, then every SCO is resolved in tree order', () => {
    const m = parse(scorm2004MultiManifest());
    expect(m.scormVersion).toBe('2004');
    expect(m.schemaVersion).toBe('2004 4th Edition');
    expect(m.title).toBe('Personvern i praksis');
    expect(m.scos.map((s) => [s.identifier, s.href, s.parameters])).toEqual([
      ['sco-a', 'innhold/pakke/a/start.html', '?fra=lms&side=1'],
      ['sco-b', 'innhold/pakke/b/index.html', '?modus=prove#start'],
      ['sco-c', 'innhold/pakke/c/c side.html', ''],
    ]);
  });

  test('when the default organization is not the first, then only its items are used and assets are left out', () => {
    const m = parse(scorm2004MultiManifest());
    expect(m.scos.map((s) => s.identifier)).not.toContain('x');
    expect(m.scos.map((s) => s.identifier)).not.toContain('vedlegg');
  });

  test('when thresholds are given in attribute and element form, then completionThreshold and minNormalizedMeasure are read', () => {
    const [a, b, c] = parse(scorm2004MultiManifest()).scos;
    expect(a).toMatchObject({ completionThreshold: 0.75, scaledPassingScore: 0.8, masteryScore: null });
    expect(b).toMatchObject({ completionThreshold: 0.6, scaledPassingScore: null });
    // satisfiedByMeasure="false": the measure does not decide success, so no passing score.
    expect(c).toMatchObject({ completionThreshold: null, scaledPassingScore: null });
  });

  test('when satisfiedByMeasure is true without minNormalizedMeasure, then the passing score defaults to 1', () => {
    const m = parse(
      wrap2004(
        `<item identifier="i" identifierref="r"><title>T</title><imsss:sequencing><imsss:objectives><imsss:primaryObjective satisfiedByMeasure="true"/></imsss:objectives></imsss:sequencing></item>`,
        `<resource identifier="r" adlcp:scormType="sco" href="a.html"/>`,
      ),
    );
    expect(m.scos[0]!.scaledPassingScore).toBe(1);
  });

  test('when the package uses unusual namespace prefixes, then attributes and elements are still found', () => {
    const xml = `<?xml version="1.0"?>
<cp:manifest identifier="m" xmlns:cp="http://www.imsproject.org/xsd/imscp_rootv1p1p2" xmlns:lms="http://www.adlnet.org/xsd/adlcp_rootv1p2">
  <cp:metadata><cp:schemaversion>1.2</cp:schemaversion></cp:metadata>
  <cp:organizations><cp:organization identifier="o"><cp:title>Prefiks</cp:title>
    <cp:item identifier="i" identifierref="r"><cp:title>Én</cp:title><lms:masteryscore>75</lms:masteryscore></cp:item>
  </cp:organization></cp:organizations>
  <cp:resources><cp:resource identifier="r" lms:scormType="SCO" href="x/index.htm"/></cp:resources>
</cp:manifest>`;
    const m = parse(xml);
    expect(m.scormVersion).toBe('1.2');
    expect(m.scos).toEqual([
      expect.objectContaining({ identifier: 'i', href: 'x/index.htm', masteryScore: 75 }),
    ]);
  });

  test('when schemaversion is "CAM 1.3", then it is read as SCORM 2004', () => {
    const xml = wrap2004(
      `<item identifier="i" identifierref="r"><title>T</title></item>`,
      `<resource identifier="r" adlcp:scormType="sco" href="a.html"/>`,
    ).replace('2004 3rd Edition', 'CAM 1.3');
    expect(parse(xml)).toMatchObject({ scormVersion: '2004', schemaVersion: 'CAM 1.3' });
  });

  test('when schemaversion is missing, then the version is taken from the namespaces', () => {
    const xml = scorm12Manifest().replace(/<metadata>.*<\/metadata>/, '');
    expect(parse(xml).scormVersion).toBe('1.2');
  });

  test('when the manifest starts with a byte order mark or is UTF-16, then it is read', () => {
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(scorm12Manifest(), 'utf8')]);
    expect(parseManifest(bom).scos).toHaveLength(1);
    const utf16 = Buffer.concat([
      Buffer.from([0xff, 0xfe]),
      Buffer.from(scorm12Manifest().replace('UTF-8', 'UTF-16'), 'utf16le'),
    ]);
    expect(parseManifest(utf16).title).toBe('Brannvern & rømning');
  });

  test('when the manifest has a DOCTYPE or an ENTITY, then it is refused', () => {
    const doctype = scorm12Manifest().replace(
      '<manifest',
      '<!DOCTYPE manifest [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n<manifest',
    );
    expect(refusal(doctype)).toContain('DOCTYPE- eller ENTITY-erklæring');
    expect(refusal(scorm12Manifest().replace('<manifest', '<!ENTITY a "b"><manifest'))).toContain('ENTITY');
  });

  test('when an entity reference other than the five XML ones is used, then it is left unexpanded', () => {
    const m = parse(scorm12Manifest({ title: 'A &lt;b&gt; &#229; &unknown;' }));
    expect(m.title).toBe('A <b> å &unknown;');
  });

  test('when the XML is broken, then the message gives the line', () => {
    expect(refusal('<?xml version="1.0"?>\n<manifest><organizations></manifest>')).toMatch(
      /ikke gyldig XML \(linje \d+, kolonne \d+\)/,
    );
  });

  test('when the root is not a manifest, then it is refused', () => {
    expect(refusal('<?xml version="1.0"?><package/>')).toContain('mangler rotelementet <manifest>');
  });

  test('when no item points at a SCO, then it is refused', () => {
    const xml = wrap2004(
      `<item identifier="i" identifierref="r"><title>T</title></item>`,
      `<resource identifier="r" adlcp:scormType="asset" href="a.pdf"/>`,
    );
    expect(refusal(xml)).toContain('Manifestet har ingen SCO');
  });

  test('when an item points at a resource that does not exist, then it is refused', () => {
    const xml = wrap2004(`<item identifier="i" identifierref="finnes-ikke"><title>T</title></item>`, '');
    expect(refusal(xml)).toContain('viser til ressursen «finnes-ikke», som ikke finnes');
  });

  test('when a launch href leaves the package or is a URL, then it is refused', () => {
    for (const href of ['../utenfor.html', 'https://eksempel.no/sco.html', '/etc/passwd']) {
      const xml = wrap2004(
        `<item identifier="i" identifierref="r"><title>T</title></item>`,
        `<resource identifier="r" adlcp:scormType="sco" href="${href}"/>`,
      );
      expect(refusal(xml)).toContain('ligger utenfor pakken');
    }
  });

  test('when the SCORM version is not supported, then it is refused with the version named', () => {
    expect(refusal(scorm12Manifest().replace('<schemaversion>1.2', '<schemaversion>1.1'))).toContain(
      'SCORM-versjonen «1.1»',
    );
  });

  test('when there is no organization, then it is refused', () => {
    const xml = scorm12Manifest().replace(/<organizations[\s\S]*<\/organizations>/, '<organizations/>');
    expect(refusal(xml)).toContain('ingen organisasjon');
  });
});
