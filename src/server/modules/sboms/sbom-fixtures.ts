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
