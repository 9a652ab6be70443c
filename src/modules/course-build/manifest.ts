import { escapeHtml as escapeXml } from './render';

/** What both manifests need to describe a one-SCO course package. */
export interface ManifestInput {
  slug: string;
  title: string;
  version: number;
  /** Share of correct answers needed to pass, 0–1. */
  passMark: number;
  /** The SCO's launch file, relative to the package root. */
  launch: string;
  /** Every file of the SCO except the manifest itself, relative to the package root. */
  files: string[];
}

function fileList(files: string[]): string {
  return [...files]
    .sort()
    .map((file) => `      <file href="${escapeXml(file)}"/>`)
    .join('\n');
}

function identifiers(input: ManifestInput) {
  // xs:ID values must start with a letter; slugs are lower-case letters, digits and hyphens.
  return {
    manifest: `kursvakt-${input.slug}-v${input.version}`,
    organization: `org-${input.slug}`,
    item: `item-${input.slug}`,
    resource: `res-${input.slug}`,
  };
}

/** Formats a decimal without trailing noise, e.g. 0.8 and 66.67. */
function decimal(value: number): string {
  return String(Math.round(value * 10000) / 10000);
}

/**
 * Writes a SCORM 2004 4th Edition manifest: one SCO whose primary objective is satisfied by
 * its score, with the pass mark as the minimum normalised measure.
 */
export function createScorm2004Manifest(input: ManifestInput): string {
  const id = identifiers(input);
  const title = escapeXml(input.title);
  return `<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="${id.manifest}" version="${input.version}"
  xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3"
  xmlns:adlseq="http://www.adlnet.org/xsd/adlseq_v1p3"
  xmlns:adlnav="http://www.adlnet.org/xsd/adlnav_v1p3"
  xmlns:imsss="http://www.imsglobal.org/xsd/imsss"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xsi:schemaLocation="http://www.imsglobal.org/xsd/imscp_v1p1 imscp_v1p1.xsd http://www.adlnet.org/xsd/adlcp_v1p3 adlcp_v1p3.xsd http://www.adlnet.org/xsd/adlseq_v1p3 adlseq_v1p3.xsd http://www.adlnet.org/xsd/adlnav_v1p3 adlnav_v1p3.xsd http://www.imsglobal.org/xsd/imsss imsss_v1p0.xsd">
  <metadata>
    <schema>ADL SCORM</schema>
    <schemaversion>2004 4th Edition</schemaversion>
  </metadata>
  <organizations default="${id.organization}">
    <organization identifier="${id.organization}">
      <title>${title}</title>
      <item identifier="${id.item}" identifierref="${id.resource}">
        <title>${title}</title>
        <imsss:sequencing>
          <imsss:objectives>
            <imsss:primaryObjective objectiveID="${input.slug}-bestatt" satisfiedByMeasure="true">
              <imsss:minNormalizedMeasure>${decimal(input.passMark)}</imsss:minNormalizedMeasure>
            </imsss:primaryObjective>
          </imsss:objectives>
          <imsss:deliveryControls completionSetByContent="true" objectiveSetByContent="true"/>
        </imsss:sequencing>
        <adlnav:presentation>
          <adlnav:navigationInterface>
            <adlnav:hideLMSUI>previous</adlnav:hideLMSUI>
            <adlnav:hideLMSUI>continue</adlnav:hideLMSUI>
          </adlnav:navigationInterface>
        </adlnav:presentation>
      </item>
    </organization>
  </organizations>
  <resources>
    <resource identifier="${id.resource}" type="webcontent" adlcp:scormType="sco" href="${escapeXml(input.launch)}">
${fileList(input.files)}
    </resource>
  </resources>
</manifest>
`;
}

/** Writes a SCORM 1.2 manifest: one SCO with the pass mark as mastery score (0–100). */
export function createScorm12Manifest(input: ManifestInput): string {
  const id = identifiers(input);
  const title = escapeXml(input.title);
  return `<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="${id.manifest}" version="${input.version}"
  xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xsi:schemaLocation="http://www.imsproject.org/xsd/imscp_rootv1p1p2 imscp_rootv1p1p2.xsd http://www.imsglobal.org/xsd/imsmd_rootv1p2p1 imsmd_rootv1p2p1.xsd http://www.adlnet.org/xsd/adlcp_rootv1p2 adlcp_rootv1p2.xsd">
  <metadata>
    <schema>ADL SCORM</schema>
    <schemaversion>1.2</schemaversion>
  </metadata>
  <organizations default="${id.organization}">
    <organization identifier="${id.organization}">
      <title>${title}</title>
      <item identifier="${id.item}" identifierref="${id.resource}" isvisible="true">
        <title>${title}</title>
        <adlcp:masteryscore>${decimal(input.passMark * 100)}</adlcp:masteryscore>
      </item>
    </organization>
  </organizations>
  <resources>
    <resource identifier="${id.resource}" type="webcontent" adlcp:scormtype="sco" href="${escapeXml(input.launch)}">
${fileList(input.files)}
    </resource>
  </resources>
</manifest>
`;
}
