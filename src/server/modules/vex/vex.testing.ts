/** Small VEX documents for the VEX tests, built from the CycloneDX and CSAF specifications. */

export function cdxVex(
  vulnerabilities: Record<string, unknown>[],
  extra: Record<string, unknown> = {},
): Buffer {
  return Buffer.from(
    JSON.stringify({
      bomFormat: 'CycloneDX',
      specVersion: '1.5',
      version: 1,
      serialNumber: 'urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79',
      vulnerabilities,
      ...extra,
    }),
  )
}

/** A CSAF VEX document: one product (with a purl helper when given) and one vulnerability. */
export function csafVex(options: {
  cve: string
  product: { name: string; version: string; purl?: string }
  vulnerability: Record<string, unknown>
}): Buffer {
  return Buffer.from(
    JSON.stringify({
      document: {
        category: 'csaf_vex',
        csaf_version: '2.0',
        notes: [{ category: 'summary', text: 'Test VEX.', title: 'Summary' }],
        publisher: { category: 'vendor', name: 'Acme', namespace: 'https://acme.example' },
        title: 'Test VEX',
        tracking: {
          current_release_date: '2026-05-01T10:00:00.000Z',
          id: 'ACME-VEX-1',
          initial_release_date: '2026-05-01T10:00:00.000Z',
          revision_history: [
            { date: '2026-05-01T10:00:00.000Z', number: '1', summary: 'Initial version.' },
          ],
          status: 'final',
          version: '1',
        },
      },
      product_tree: {
        branches: [
          {
            category: 'vendor',
            name: 'Vendor',
            branches: [
              {
                category: 'product_name',
                name: options.product.name,
                branches: [
                  {
                    category: 'product_version',
                    name: options.product.version,
                    product: {
                      name: `${options.product.name} ${options.product.version}`,
                      product_id: 'CSAFPID-0001',
                      ...(options.product.purl
                        ? { product_identification_helper: { purl: options.product.purl } }
                        : {}),
                    },
                  },
                ],
              },
            ],
          },
        ],
      },
      vulnerabilities: [{ cve: options.cve, ...options.vulnerability }],
    }),
  )
}
