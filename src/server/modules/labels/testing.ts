import type { StatusPurpose } from '../../../common/api/labels.ts'
import { LabelKeySet } from '../../../common/labels/keys.ts'
import { decodeStatusList, type DecodedStatusList } from '../../../common/labels/status-list.ts'
import type { Ctx } from '../../kernel/context.ts'
import { publishedKeys } from './keys.service.ts'
import type { IssueLabelInput } from './labels.service.ts'
import { signedStatusList } from './status-lists.ts'

/** A label input as an approval would pass it, with overrides. Test helper. */
export function sampleLabelInput(overrides: Partial<IssueLabelInput> = {}): IssueLabelInput {
  return {
    product: {
      productId: 'prod-1',
      productVersionId: 'prod-1-v2',
      manufacturer: { id: 'org-acme', name: 'Acme Industrial' },
      name: 'Acme FieldSense 200',
      modelNumbers: ['FS-200', 'FS-200X'],
      version: '2.4.1',
      deviceClass: 'field-device',
      supportPeriodEnd: '2030-12-31',
      updateMechanism: 'automatic',
      defaultPasswordPolicy: 'unique-per-device',
      securityContact: 'security@acme.test',
      disclosurePolicyUrl: 'https://acme.test/security/disclosure',
      sbomAvailable: true,
      secureSetupGuidanceUrl: 'https://acme.test/fs200/hardening',
      sensorDisclosures: ['temperature', 'vibration'],
      dataDisclosures: ['Telemetry to the operator’s own historian only'],
    },
    tier: 2,
    frameworkVersion: '1.0.0',
    profile: 'field-device',
    verificationStrength: 'document-reviewed',
    assessor: { id: 'org-lab', name: 'Trusted Lab' },
    ...overrides,
  }
}

/** What an offline verifier would hold: the JWKS and both status lists, fetched now. */
export async function offlineMaterial(ctx: Pick<Ctx, 'db' | 'clock' | 'box' | 'config'>) {
  const { jwks } = await publishedKeys(ctx)
  const jwts = {
    revocation: (await signedStatusList(ctx, 'revocation')).jwt,
    suspension: (await signedStatusList(ctx, 'suspension')).jwt,
  }
  const keys = new LabelKeySet(jwks)
  const now = ctx.clock.now()
  const statusLists: Record<StatusPurpose, DecodedStatusList> = {
    revocation: await decodeStatusList(jwts.revocation, keys, now),
    suspension: await decodeStatusList(jwts.suspension, keys, now),
  }
  return { jwks, keys, jwts, statusLists }
}
