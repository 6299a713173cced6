/* eslint-disable @typescript-eslint/no-explicit-any -- migrations are written against the schema as it was then, not today's types */
import type { Kysely } from 'kysely'

// The public registry searches labels by what their signed record says: those fields are copied
// into columns of their own when a label is issued (the record stays the source of truth).
export async function up(db: Kysely<any>): Promise<void> {
  const columns = [
    ['tier', 'integer', 0],
    ['framework_version', 'text', ''],
    ['profile', 'text', ''],
    ['verification_strength', 'text', ''],
    ['device_class', 'text', ''],
    ['manufacturer_name', 'text', ''],
    ['product_name', 'text', ''],
    ['search_text', 'text', ''],
    ['coverage_key', 'text', ''],
  ] as const
  for (const [name, type, fallback] of columns) {
    await db.schema
      .alterTable('labels')
      .addColumn(name, type, (c) => c.notNull().defaultTo(fallback))
      .execute()
  }
  const rows = await db.selectFrom('labels').select(['id', 'record']).execute()
  for (const row of rows as { id: string; record: string }[]) {
    const record = JSON.parse(row.record) as {
      tier: number
      frameworkVersion: string
      profile: string
      verificationStrength: string
      product: {
        deviceClass: string
        name: string
        manufacturer: { name: string }
        modelNumbers: string[]
        version: string
      }
    }
    await db
      .updateTable('labels')
      .set({
        tier: record.tier,
        framework_version: record.frameworkVersion,
        profile: record.profile,
        verification_strength: record.verificationStrength,
        device_class: record.product.deviceClass,
        manufacturer_name: record.product.manufacturer.name,
        product_name: record.product.name,
        coverage_key: [
          record.frameworkVersion,
          record.tier,
          record.profile,
          record.verificationStrength,
        ].join('|'),
        search_text: [
          record.product.name,
          record.product.manufacturer.name,
          ...record.product.modelNumbers,
          record.product.version,
        ]
          .join(' ')
          .toLowerCase(),
      })
      .where('id', '=', row.id)
      .execute()
  }
  await db.schema
    .createIndex('labels_issued_at')
    .on('labels')
    .columns(['issued_at', 'id'])
    .execute()
  await db.schema.createIndex('labels_coverage_key').on('labels').column('coverage_key').execute()
  await db.schema
    .createIndex('labels_manufacturer_name')
    .on('labels')
    .column('manufacturer_name')
    .execute()
  await db.schema
    .createIndex('labels_registry_filters')
    .on('labels')
    .columns(['device_class', 'tier'])
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const index of [
    'labels_issued_at',
    'labels_coverage_key',
    'labels_manufacturer_name',
    'labels_registry_filters',
  ]) {
    await db.schema.dropIndex(index).execute()
  }
  for (const name of [
    'tier',
    'framework_version',
    'profile',
    'verification_strength',
    'device_class',
    'manufacturer_name',
    'product_name',
    'search_text',
    'coverage_key',
  ]) {
    await db.schema.alterTable('labels').dropColumn(name).execute()
  }
}
