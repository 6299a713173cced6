import { LABEL_FORMAT, type LabelRecord } from '../api/labels.ts'

/** A well-formed label record issued at `now` for a day, as label verification tests sign it. */
export function sampleLabelRecord(id: string, keyId: string, now: Date): LabelRecord {
  const iat = now.getTime() / 1000
  return {
    format: LABEL_FORMAT,
    iss: 'https://isn.example',
    jti: id,
    iat,
    nbf: iat,
    exp: iat + 86_400,
    labelId: id,
    keyId,
    issuedAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + 86_400_000).toISOString(),
    tier: 1,
    frameworkVersion: '1.0.0',
    profile: 'gateway',
    verificationStrength: 'self-declared',
    assessor: { name: 'Lab' },
    product: {
      productId: 'p',
      manufacturer: { name: 'Acme' },
      name: 'Gate',
      modelNumbers: [],
      version: '1',
      deviceClass: 'gateway',
      supportPeriodEnd: '2030-01-01',
      updateMechanism: 'manual',
      defaultPasswordPolicy: 'set-on-first-use',
      securityContact: 'security@acme.test',
      disclosurePolicyUrl: 'https://acme.test/disclosure',
      sbomAvailable: false,
      sensorDisclosures: [],
      dataDisclosures: [],
    },
    statusUrl: `https://isn.example/api/v1/labels/${id}/status`,
    statusListIndex: 0,
    credentialStatus: (['revocation', 'suspension'] as const).map((statusPurpose) => ({
      type: 'BitstringStatusListEntry' as const,
      statusPurpose,
      statusListIndex: '0',
      statusListCredential: `https://isn.example/api/v1/labels/status-lists/${statusPurpose}`,
    })),
  }
}
