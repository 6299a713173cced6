/** Small SBOMs for the storage, route and CLI tests. */

/** A small CycloneDX 1.5 SBOM; `n` varies its bytes. */
export function smallCycloneDx(n = 1): Buffer {
  return Buffer.from(
    JSON.stringify({
      bomFormat: 'CycloneDX',
      specVersion: '1.5',
      version: n,
      serialNumber: `urn:uuid:3e671687-395b-41f5-a30f-a58921a69b7${n % 10}`,
      metadata: {
        timestamp: '2026-05-01T10:00:00Z',
        tools: { components: [{ type: 'application', name: 'cdxgen', version: '10.0.0' }] },
        component: { type: 'firmware', name: 'gateway-fw', version: `1.0.${n}`, 'bom-ref': 'fw' },
      },
      components: [
        {
          type: 'library',
          name: 'openssl',
          version: '3.0.13',
          purl: 'pkg:generic/openssl@3.0.13',
          cpe: 'cpe:2.3:a:openssl:openssl:3.0.13:*:*:*:*:*:*:*',
          'bom-ref': 'openssl',
          hashes: [{ alg: 'SHA-256', content: 'a'.repeat(64) }],
          licenses: [{ license: { id: 'Apache-2.0' } }],
        },
        {
          type: 'library',
          name: 'mosquitto',
          version: '2.0.18',
          purl: 'pkg:github/eclipse/mosquitto@v2.0.18',
          'bom-ref': 'mosquitto',
          components: [{ type: 'library', name: 'cjson', version: '1.7.17', 'bom-ref': 'cjson' }],
        },
        { type: 'library', name: 'busybox', version: `1.36.${n}`, 'bom-ref': 'busybox' },
      ],
      dependencies: [{ ref: 'fw', dependsOn: ['openssl', 'mosquitto', 'busybox'] }],
    }),
  )
}

/** Valid JSON that CycloneDX 1.5's schema refuses at /components/1/type. */
export const schemaInvalidCycloneDx = Buffer.from(
  JSON.stringify({
    bomFormat: 'CycloneDX',
    specVersion: '1.5',
    version: 1,
    components: [
      { type: 'library', name: 'ok' },
      { type: 'gadget', name: 'bad' },
    ],
  }),
)

/**
 * A small SPDX 2.2 SBOM written the way trivy 0.x writes one: packages without downloadLocation,
 * copyrightText and (the image) licences, a file without checksums or licences, and the
 * document's DESCRIBES spelt DESCRIBE. Accepted with warnings (spdx-tolerances.ts).
 */
export function trivyStyleSpdx(n = 1): Buffer {
  return Buffer.from(
    JSON.stringify({
      SPDXID: 'SPDXRef-DOCUMENT',
      creationInfo: {
        created: '2026-05-01T10:00:00Z',
        creators: ['Tool: trivy', 'Organization: aquasecurity'],
      },
      dataLicense: 'CC0-1.0',
      documentNamespace: `http://aquasecurity.github.io/trivy/container_image/gateway-${n}`,
      name: `gateway-image-${n}`,
      spdxVersion: 'SPDX-2.2',
      packages: [
        { SPDXID: 'SPDXRef-ContainerImage-1', filesAnalyzed: false, name: 'gateway-image' },
        {
          SPDXID: 'SPDXRef-Package-1',
          externalRefs: [
            {
              referenceCategory: 'PACKAGE-MANAGER',
              referenceLocator: `pkg:apk/alpine/busybox@1.36.${n}-r0?distro=3.19.0`,
              referenceType: 'purl',
            },
          ],
          filesAnalyzed: false,
          hasFiles: ['SPDXRef-File-1'],
          licenseConcluded: 'GPL-2.0-only',
          licenseDeclared: 'GPL-2.0-only',
          name: 'busybox',
          versionInfo: `1.36.${n}-r0`,
        },
      ],
      files: [{ SPDXID: 'SPDXRef-File-1', fileName: 'bin/busybox' }],
      relationships: [
        {
          relatedSpdxElement: 'SPDXRef-ContainerImage-1',
          relationshipType: 'DESCRIBE',
          spdxElementId: 'SPDXRef-DOCUMENT',
        },
        {
          relatedSpdxElement: 'SPDXRef-Package-1',
          relationshipType: 'CONTAINS',
          spdxElementId: 'SPDXRef-ContainerImage-1',
        },
      ],
    }),
  )
}
